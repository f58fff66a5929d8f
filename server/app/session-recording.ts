// Which rooms are recorded and what the archive learns about them. Every petition session is
// recorded from its first participant's join (its first producer) to its end — and only while it runs: a room opened for a case
// whose session has ended starts no second recording; a 红色物业 matter's joint session like a
// petition's, while it is open; a household call only when the household turned recording on. The room↔recorder binding itself is recordings/room-recording.ts.
//
// A recorder starts when the first participant who is really there (not a hidden observer)
// joins — a room that only ever answered a capabilities request costs nothing. When the room's
// worker dies, its recorder is kept (interrupted) and the room that its participants rejoin on
// this node continues the same archive session.
import type { Logger } from '../core/log.ts';
import { parseRoomId } from '../protocol/room-id.ts';
import type { Archive } from '../../recordings/archive.ts';
import type { CaseInfo } from '../../recordings/manifest.ts';
import type { PortRange } from '../../recordings/ports.ts';
import { bindRoom, recordRoom } from '../../recordings/room-recording.ts';
import type { SessionRecorder } from '../../recordings/session-recorder.ts';
import type { PetitionService } from '../petition/service.ts';
import type { HouseholdService } from '../household/index.ts';
import type { PropertyService } from '../property/index.ts';
import type { Peer } from '../../sfu/peer.ts';
import type { Room } from '../../sfu/room.ts';
import type { RoomRegistry } from '../../sfu/rooms.ts';

export interface SessionRecordingDeps {
  rooms: RoomRegistry;
  archive: Archive;
  petition: PetitionService;
  households: HouseholdService;
  property: PropertyService;
  log: Logger;
  segmentSeconds?: number;
  /** Where recording transports send their RTP (RECORDER_RTP_PORT_MIN/MAX). */
  ports?: PortRange;
}

export interface SessionRecording {
  /** Stops every running recording and waits until their manifests are sealed. */
  stopAll(): Promise<void>;
}

const SYSTEM = { id: 'system', name: '系统', role: 'system' } as const;

export function recordSessions(d: SessionRecordingDeps): SessionRecording {
  const running = new Set<SessionRecorder>();
  /** Recorders whose room's worker died, by room id, until the room is back or they are sealed. */
  const interrupted = new Map<string, SessionRecorder>();
  d.rooms.on('room', (room) => {
    let begun = false;
    const begin = (peer: Peer) => {
      if (begun || peer.hidden) return;
      begun = true;
      room.off('peerjoined', begin);
      const waiting = interrupted.get(room.id);
      if (waiting && !waiting.stopped) {
        interrupted.delete(room.id);
        waiting.resume(room.router);
        bindRoom(room, waiting, d.log);
        followCase(room, waiting);
        d.log.info({ roomId: room.id, sessionId: waiting.sessionId }, 'recording | resumed in the rejoined room');
        return;
      }
      startRecording(d, room).then(
        (recorder) => {
          if (!recorder) return;
          running.add(recorder);
          recorder.on('interrupted', () => interrupted.set(room.id, recorder));
          recorder.once('stopped', () => {
            running.delete(recorder);
            if (interrupted.get(room.id) === recorder) interrupted.delete(room.id);
          });
        },
        (err: unknown) => d.log.error({ err, roomId: room.id }, 'recording | could not start'),
      );
    };
    room.on('peerjoined', begin);
    for (const peer of room.peers.values()) begin(peer);
  });
  return {
    async stopAll() {
      await Promise.allSettled([...running].map((r) => r.stop()));
    },
  };
}

/** What the archive needs to find this session later; undefined when the room is not recorded. */
async function caseInfoFor(d: SessionRecordingDeps, roomId: string): Promise<Omit<CaseInfo, 'roomId'> | undefined> {
  const room = parseRoomId(roomId);
  if (room.kind === 'petition') {
    const c = await d.petition.getCase(SYSTEM, room.caseId);
    return {
      kind: 'petition',
      caseNumber: c.id,
      terminalId: c.terminalId,
      region: c.regionCode,
      departments: [...new Set([c.departmentId, ...c.routedDepartmentIds].filter((x): x is string => !!x))],
      officials: [],
      ...(c.petitionerName ? { petitioner: { name: c.petitionerName } } : {}),
    };
  }
  if (room.kind === 'property-matter') {
    const m = await d.property.sessionInfo(room.matterId);
    if (!m?.open) return undefined;
    return { kind: 'property', caseNumber: room.matterId, region: m.region, departments: m.departments, officials: [], petitioner: { name: m.residentName } };
  }
  if (room.kind === 'household-call' && (await d.households.mediaPolicy(room.householdId)).recordingAllowed) {
    return { kind: 'household', householdId: room.householdId, departments: [], officials: [] };
  }
  return undefined;
}

async function startRecording(d: SessionRecordingDeps, room: Room): Promise<SessionRecorder | undefined> {
  const caseInfo = await caseInfoFor(d, room.id);
  if (!caseInfo) return undefined;
  if (caseInfo.kind === 'petition' && caseInfo.caseNumber && !(await d.petition.sessionRunning(caseInfo.caseNumber))) {
    d.log.warn({ roomId: room.id }, 'recording | not started: the session of this case is not running');
    return undefined;
  }
  // A full or failing disk: the call goes on unrecorded, and the alarm (/healthz, metrics, the
  // coordinator's banner) says why; what is archived stays intact.
  if (!d.archive.storage.acceptsRecordings) {
    d.log.error({ roomId: room.id, alarms: d.archive.storage.alarms }, 'recording | not started: the recordings storage alarm is raised');
    return undefined;
  }
  // The room came here from a node that died while recording it: the same session goes on.
  const left = await d.archive.catalog.recordingOfRoom(room.id);
  const recorder = await recordRoom(room, {
    archive: d.archive,
    caseInfo,
    log: d.log,
    ...(left ? { continueSession: left.sessionId } : {}),
    ...(d.segmentSeconds ? { segmentSeconds: d.segmentSeconds } : {}),
    ...(d.ports ? { ports: d.ports } : {}),
  });
  followCase(room, recorder);
  if (caseInfo.kind === 'petition' && caseInfo.caseNumber) {
    const onCase = ({ caseId, state }: { caseId: string; state: string }) => {
      if (caseId === caseInfo.caseNumber) recorder.addTimelineEvent(`case-${state}`);
    };
    d.petition.on('case-changed', onCase);
    recorder.once('stopped', () => d.petition.off('case-changed', onCase));
  }
  return recorder;
}

/** Officials who join (joint sessions, transfers) become searchable by name and department. */
function followCase(room: Room, recorder: SessionRecorder): void {
  const noteParty = (peer: Peer) => {
    if (peer.role !== 'official') return;
    const department = peer.claims.attributes.department;
    recorder.updateCaseInfo({
      officials: [{ id: peer.id, name: peer.name, ...(department ? { department } : {}) }],
      ...(department ? { departments: [department] } : {}),
    });
  };
  for (const peer of room.peers.values()) noteParty(peer);
  room.on('peerjoined', noteParty);
}
