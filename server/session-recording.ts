// Which rooms are recorded, and feeding their producers to a SessionRecorder. Every petition
// session is recorded from its first producer to its end; a household call only when the
// household turned recording on. Everyone in a recorded room is told so (Room.recording).
import type { Logger } from './log.ts';
import type { Archive } from '../recordings/archive.ts';
import type { CaseInfo } from '../recordings/manifest.ts';
import { SessionRecorder } from '../recordings/session-recorder.ts';
import type { PetitionService } from './petition/service.ts';
import type { HouseholdService } from './household/index.ts';
import type { Room } from '../sfu/room.ts';
import type { RoomRegistry } from '../sfu/rooms.ts';

export interface SessionRecordingDeps {
  rooms: RoomRegistry;
  archive: Archive;
  petition: PetitionService;
  households: HouseholdService;
  log: Logger;
  segmentSeconds?: number;
}

const SYSTEM = { id: 'system', name: '系统', role: 'system' } as const;

export function recordSessions(d: SessionRecordingDeps): void {
  d.rooms.on('room', (room) => {
    startRecording(d, room).catch((err: unknown) => d.log.error({ err, roomId: room.id }, 'recording | could not start'));
  });
}

/** What the archive needs to find this session later; undefined when the room is not recorded. */
function caseInfoFor(d: SessionRecordingDeps, roomId: string): CaseInfo | undefined {
  const petition = /^petition:(.+)$/.exec(roomId);
  if (petition) {
    const c = d.petition.getCase(SYSTEM, petition[1]!);
    return {
      kind: 'petition',
      roomId,
      caseNumber: c.id,
      terminalId: c.terminalId,
      region: c.regionCode,
      departments: [...new Set([c.departmentId, ...c.routedDepartmentIds].filter((x): x is string => !!x))],
      officials: [],
      ...(c.petitionerName ? { petitioner: { name: c.petitionerName } } : {}),
    };
  }
  const household = /^household:([\w.\-]+):call:/.exec(roomId);
  if (household && d.households.mediaPolicy(household[1]!).recordingAllowed) {
    return { kind: 'household', roomId, householdId: household[1]!, departments: [], officials: [] };
  }
  return undefined;
}

async function startRecording(d: SessionRecordingDeps, room: Room): Promise<void> {
  const caseInfo = caseInfoFor(d, room.id);
  if (!caseInfo) return;
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const recorder = await SessionRecorder.create({
    router: room.router,
    archive: d.archive,
    sessionId: `${room.id.replace(/:/g, '_')}-${stamp}`,
    caseInfo,
    log: d.log,
    ...(d.segmentSeconds ? { segmentSeconds: d.segmentSeconds } : {}),
  });
  room.recording = true;
  const add = (peer: { id: string; name: string; role: string }, producer: Parameters<SessionRecorder['addProducer']>[0]['producer']) => {
    recorder.addProducer({ participantId: peer.id, name: peer.name, role: peer.role, producer }).catch((err: unknown) =>
      d.log.error({ err, roomId: room.id, producerId: producer.id }, 'recording | addProducer failed'),
    );
  };
  // Producers that arrived while the recorder was being created, then every later one.
  for (const peer of room.peers.values()) for (const producer of peer.producers.values()) add(peer, producer);
  room.on('producer', ({ peer, producer }) => add(peer, producer));
  room.on('peerjoined', (peer) => recorder.addTimelineEvent('joined', peer.name, peer.id));
  room.on('peerleft', (peer) => {
    recorder.removeParticipant(peer.id, 'left').catch((err: unknown) => d.log.warn({ err }, 'recording | removeParticipant failed'));
  });
  const onCase = ({ caseId, state }: { caseId: string; state: string }) => {
    if (caseInfo.caseNumber === caseId) recorder.addTimelineEvent(`case-${state}`);
  };
  d.petition.on('case-changed', onCase);
  room.once('close', (reason) => {
    d.petition.off('case-changed', onCase);
    room.recording = false;
    // Usually already stopping: the router closed first. The reason is in the room log.
    d.log.info({ roomId: room.id, reason }, 'recording | room closed');
    recorder.stop().catch((err: unknown) => d.log.error({ err, roomId: room.id }, 'recording | stop failed'));
  });
}
