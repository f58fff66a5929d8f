// Binds a SessionRecorder to an SFU room: every producer the room announces is recorded from
// the moment it appears (including producers already there), a peer leaving ends their tracks
// without a gap, the room's `recording` flag (shown to every participant) follows the recorder,
// and the room closing stops and seals the recording — except when its worker died: then the
// recorder waits, and bindRoom() on the rejoined room (after recorder.resume()) continues it.
//
//   rooms.on('room', (room) => {
//     if (!mustRecord(room)) return;          // petition rooms; household calls only when opted in
//     void recordRoom(room, { archive, caseInfo: { kind: 'petition', caseNumber, … }, log });
//   });
import type { Room } from '../sfu/room.ts';
import type { Logger } from '../server/core/log.ts';
import type { AuditActor } from '../server/core/audit-chain.ts';
import type { Archive } from './archive.ts';
import { newSessionId, type CaseInfo } from './manifest.ts';
import type { PortRange } from './ports.ts';
import { SessionRecorder } from './session-recorder.ts';

export interface RecordRoomOptions {
  archive: Archive;
  /** Case linkage; roomId is filled in from the room. */
  caseInfo: Omit<CaseInfo, 'roomId'>;
  log: Logger;
  sessionId?: string;
  /**
   * A session of this room that a recorder on a node that died left recording: continued when
   * it can be taken over (SessionRecorder.continueSession), otherwise a new session starts.
   */
  continueSession?: string;
  retentionClass?: string;
  segmentSeconds?: number;
  ports?: PortRange;
  startedBy?: AuditActor;
}

/** The room's structure this needs, so the recorder does not depend on the rest of Room. */
export type RecordableRoom = Pick<Room, 'id' | 'router' | 'peers' | 'on' | 'once' | 'recording'>;

export async function recordRoom(room: RecordableRoom, o: RecordRoomOptions): Promise<SessionRecorder> {
  const options = {
    router: room.router,
    archive: o.archive,
    caseInfo: { ...o.caseInfo, roomId: room.id },
    ...(o.retentionClass ? { retentionClass: o.retentionClass } : {}),
    ...(o.segmentSeconds ? { segmentSeconds: o.segmentSeconds } : {}),
    ...(o.ports ? { ports: o.ports } : {}),
    ...(o.startedBy ? { startedBy: o.startedBy } : {}),
    log: o.log,
  };
  const continued = o.continueSession ? await SessionRecorder.continueSession({ ...options, sessionId: o.continueSession }) : undefined;
  const recorder = continued ?? (await SessionRecorder.create({ ...options, sessionId: o.sessionId ?? newSessionId(room.id) }));
  bindRoom(room, recorder, o.log);
  return recorder;
}

/** Records what happens in `room` into `recorder` (a new session, or one resumed after a worker death). */
export function bindRoom(room: RecordableRoom, recorder: SessionRecorder, log: Logger): void {
  // Every participant is shown that the session is recorded (the room notifies its peers).
  room.recording = true;
  const fail = (what: string) => (err: unknown) => log.error({ err, sessionId: recorder.sessionId }, `recording: ${what} failed`);
  const add = (peer: { id: string; name: string; role: string }, producer: Parameters<SessionRecorder['addProducer']>[0]['producer']) =>
    recorder.addProducer({ participantId: peer.id, name: peer.name, role: peer.role, producer }).catch(fail('addProducer'));
  room.on('producer', ({ peer, producer }) => void add(peer, producer));
  room.on('peerleft', (peer) => void recorder.removeParticipant(peer.id, 'left').catch(fail('removeParticipant')));
  recorder.once('stopped', () => {
    room.recording = false;
  });
  room.once('close', (reason) => {
    // A dead worker interrupts the session (SessionRecorder saw the router go); it goes on in the rejoined room.
    if (reason === 'worker-died' && recorder.interrupted) return;
    recorder.addTimelineEvent('room-closed', reason);
    void recorder.stop().catch(fail('stop'));
  });
  for (const peer of room.peers.values()) for (const producer of peer.producers.values()) void add(peer, producer);
}
