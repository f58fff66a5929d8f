// Binds a SessionRecorder to an SFU room: every producer the room announces is recorded from
// the moment it appears (including producers already there), a peer leaving ends their tracks
// without a gap, the room's `recording` flag (shown to every participant) follows the recorder,
// and the room closing stops and seals the recording.
//
//   rooms.on('room', (room) => {
//     if (!mustRecord(room)) return;          // petition rooms; household calls only when opted in
//     void recordRoom(room, { archive, caseInfo: { kind: 'petition', caseNumber, … }, log });
//   });
import type { Room } from '../sfu/room.ts';
import type { Logger } from '../server/core/log.ts';
import type { AuditActor } from './audit-chain.ts';
import type { Archive } from './archive.ts';
import { newSessionId, type CaseInfo } from './manifest.ts';
import { SessionRecorder } from './session-recorder.ts';

export interface RecordRoomOptions {
  archive: Archive;
  /** Case linkage; roomId is filled in from the room. */
  caseInfo: Omit<CaseInfo, 'roomId'>;
  log: Logger;
  sessionId?: string;
  /**
   * A session of this room that a recorder on a node that died left recording: continued when
   * it can be taken over (SessionRecorder.resume), otherwise a new session starts.
   */
  continueSession?: string;
  retentionClass?: string;
  segmentSeconds?: number;
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
    ...(o.startedBy ? { startedBy: o.startedBy } : {}),
    log: o.log,
  };
  const continued = o.continueSession ? await SessionRecorder.resume({ ...options, sessionId: o.continueSession }) : undefined;
  const recorder = continued ?? (await SessionRecorder.create({ ...options, sessionId: o.sessionId ?? newSessionId(room.id) }));
  // Every participant is shown that the session is recorded (the room notifies its peers).
  room.recording = true;
  recorder.once('stopped', () => {
    room.recording = false;
  });
  const fail = (what: string) => (err: unknown) => o.log.error({ err, sessionId: recorder.sessionId }, `recording: ${what} failed`);
  const add = (peer: { id: string; name: string; role: string }, producer: Parameters<SessionRecorder['addProducer']>[0]['producer']) =>
    recorder.addProducer({ participantId: peer.id, name: peer.name, role: peer.role, producer }).catch(fail('addProducer'));
  room.on('producer', ({ peer, producer }) => void add(peer, producer));
  room.on('peerleft', (peer) => void recorder.removeParticipant(peer.id, 'left').catch(fail('removeParticipant')));
  room.once('close', (reason) => {
    recorder.addTimelineEvent('room-closed', reason);
    void recorder.stop().catch(fail('stop'));
  });
  for (const peer of room.peers.values()) for (const producer of peer.producers.values()) void add(peer, producer);
  return recorder;
}
