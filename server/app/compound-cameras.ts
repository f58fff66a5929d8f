// Compound cameras in 红色物业 rooms: when a matter's session room (or a camera view) opens on this
// node, the server pulls the matter's cameras in as participants; a camera added to the matter
// later joins the running room. Closing the room stops the ingests.
import type { CameraAddressCheck } from '../core/camera-address.ts';
import type { Logger } from '../core/log.ts';
import type { PropertyService } from '../property/index.ts';
import { parseRoomId } from '../protocol/room-id.ts';
import type { Room } from '../../sfu/room.ts';
import type { RoomRegistry } from '../../sfu/rooms.ts';
import { pullCameraInto } from './camera-participant.ts';

export interface CompoundCameraDeps {
  rooms: RoomRegistry;
  property: PropertyService;
  cameraAddresses: CameraAddressCheck;
  log: Logger;
}

export function serveCompoundCameras(d: CompoundCameraDeps): void {
  const pulled = new WeakMap<Room, Set<string>>();
  const pull = (room: Room, only?: string) => {
    const parsed = parseRoomId(room.id);
    const which = parsed.kind === 'property-matter' ? { matterId: parsed.matterId } : parsed.kind === 'property-camera-view' ? { viewId: parsed.viewId } : undefined;
    if (!which) return;
    d.property
      .camerasForRoom(which)
      .then(async (cameras) => {
        const done = pulled.get(room) ?? new Set<string>();
        pulled.set(room, done);
        for (const c of cameras) {
          if (done.has(c.id) || (only && c.id !== only) || room.closed) continue;
          done.add(c.id);
          await pullCameraInto(room, { cameraId: c.id, name: c.name, url: c.url, role: 'property', attributes: {} }, d).catch((err: unknown) => {
            done.delete(c.id);
            d.log.warn({ err, roomId: room.id, cameraId: c.id }, 'compound camera | unavailable');
          });
        }
      })
      .catch((err: unknown) => d.log.error({ err, roomId: room.id }, 'compound camera | could not list the cameras'));
  };
  d.rooms.on('room', (room) => pull(room));
  d.property.events.on('camera:added', ({ roomId, cameraId }) => {
    const room = d.rooms.get(roomId);
    if (room) pull(room, cameraId);
  });
}
