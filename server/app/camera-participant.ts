// A camera as a participant of a room: the server joins it as a peer under its own grant and
// pulls the stream in (sfu/ingest). One piece for household look-ins at an IP camera and for
// compound cameras in a 红色物业 session or camera view; closing the room stops the ingest.
import type { CameraAddressCheck } from '../core/camera-address.ts';
import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { Attributes, Role } from '../protocol/claims.ts';
import { CameraIngest } from '../../sfu/ingest/camera-ingest.ts';
import { Peer, type ProducerAppData } from '../../sfu/peer.ts';
import type { Room } from '../../sfu/room.ts';
import type { types } from 'mediasoup';

export interface CameraParticipant {
  cameraId: string;
  /** Shown to the others in the room. */
  name: string;
  url: string;
  /** The role and attributes the camera's peer carries (a household's device, a compound's). */
  role: Role;
  attributes: Attributes;
}

export async function pullCameraInto(room: Room, camera: CameraParticipant, d: { cameraAddresses: CameraAddressCheck; log: Logger }): Promise<CameraIngest> {
  const now = Math.floor(Date.now() / 1000);
  const peer = new Peer(
    `camera:${camera.cameraId}`,
    camera.name,
    {
      use: 'room',
      sub: `camera:${camera.cameraId}`,
      name: camera.name,
      role: camera.role,
      grant: { rooms: [room.id], canPublish: true, canSubscribe: false, sources: ['camera', 'microphone'] },
      attributes: camera.attributes,
      jti: `ingest-${camera.cameraId}`,
      iat: now,
      exp: now + 24 * 3600,
    },
    () => undefined,
  );
  room.join(peer, room.rtpCapabilities);
  const left = () => new AppError('gone', `camera ${camera.cameraId} left the room while its stream started`);
  const ingest = await CameraIngest.start({
    router: room.router, url: camera.url, vetUrl: (url) => d.cameraAddresses.vet(url), cameraId: camera.cameraId, log: d.log, appData: { peerId: peer.id },
  }).catch((err: unknown) => {
    throw room.closed ? left() : err;
  });
  // Retired, revoked or its room closed while the stream was starting: nothing of it is announced.
  if (peer.closed || room.peers.get(peer.id) !== peer) {
    await ingest.stop();
    throw left();
  }
  room.addProducer(peer, ingest.producer as types.Producer<ProducerAppData>);
  if (ingest.audioProducer) room.addProducer(peer, ingest.audioProducer as types.Producer<ProducerAppData>);
  return ingest;
}
