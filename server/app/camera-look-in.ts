// A look-in at a household IP camera: when its room opens on this node, the server joins it as
// the camera and pulls the stream in (sfu/ingest). The viewer's rights were decided when the
// look-in was granted; closing the room (viewer left, privacy, time limit) stops the ingest.
// An SOS call of a home with only an IP camera pulls the camera in the same way.
import type { Logger } from '../core/log.ts';
import type { HouseholdService } from '../household/index.ts';
import { parseRoomId } from '../protocol/room-id.ts';
import { AppError } from '../core/errors.ts';
import type { CameraAddressCheck } from '../core/camera-address.ts';
import { IngestError } from '../../sfu/ingest/probe.ts';
import type { Room } from '../../sfu/room.ts';
import type { RoomRegistry } from '../../sfu/rooms.ts';
import { pullCameraInto } from './camera-participant.ts';

export interface CameraLookInDeps {
  rooms: RoomRegistry;
  households: HouseholdService;
  /** Checked before every connection to the camera (server/core/camera-address.ts). */
  cameraAddresses: CameraAddressCheck;
  log: Logger;
}

export function serveCameraLookIns(d: CameraLookInDeps): void {
  d.rooms.on('room', (room) => {
    const parsed = parseRoomId(room.id);
    if (parsed.kind === 'household-call') {
      d.households
        .openSosCamera(parsed.callId)
        .then((camera) => camera && ingestInto(room, camera, d))
        // The call goes on by voice without the picture; the callers still talk.
        .catch((err: unknown) => d.log.warn({ err, roomId: room.id }, 'SOS call | home camera unavailable'));
      return;
    }
    if (parsed.kind !== 'household-look-in') return;
    d.households
      .openCameraLookIn(parsed.lookInId)
      .then((camera) => camera && ingestInto(room, camera, d))
      .catch((err: unknown) => {
        // The viewer left (the room closed) while the stream started: nothing to tell.
        if (err instanceof AppError && err.code === 'gone') return;
        // The viewer is told (the look-in ends, its room closes) rather than left before a black picture.
        if (err instanceof AppError || err instanceof IngestError) d.log.warn({ err, roomId: room.id }, 'camera look-in | camera unavailable');
        else d.log.error({ err, roomId: room.id }, 'camera look-in | ingest failed');
        return d.households.cameraUnavailable(parsed.lookInId);
      })
      .catch((err: unknown) => d.log.error({ err, roomId: room.id }, 'camera look-in | could not end the look-in'));
  });
}

function ingestInto(room: Room, camera: { householdId: string; cameraId: string; name?: string; url: string }, d: CameraLookInDeps): Promise<unknown> {
  return pullCameraInto(room, { cameraId: camera.cameraId, name: camera.name ?? camera.cameraId, url: camera.url, role: 'home-device', attributes: { householdId: camera.householdId } }, d);
}
