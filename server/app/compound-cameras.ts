// Compound cameras in 红色物业 rooms: when a matter's session room (or a camera view) opens on this
// node, the server pulls the matter's cameras in as participants; a camera added to the matter
// later joins the running room, on whichever node hosts it. A retired camera leaves every room at
// once (a view of it ends). Closing the room stops the ingests.
import type { CameraAddressCheck } from '../core/camera-address.ts';
import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { PropertyService } from '../property/index.ts';
import { parseRoomId } from '../protocol/room-id.ts';
import type { CameraIngest } from '../../sfu/ingest/camera-ingest.ts';
import type { Room } from '../../sfu/room.ts';
import type { RoomRegistry } from '../../sfu/rooms.ts';
import { pullCameraInto } from './camera-participant.ts';

export interface CompoundCameraDeps {
  rooms: RoomRegistry;
  property: PropertyService;
  cameraAddresses: CameraAddressCheck;
  log: Logger;
}

export interface CompoundCameras {
  /** Pulls a camera added to a matter into its session room, if this node hosts it. */
  added(roomId: string, cameraId: string): void;
  /** Takes a retired camera out of the rooms on this node that show it. */
  retire(cameraId: string): void;
}

export function serveCompoundCameras(d: CompoundCameraDeps): CompoundCameras {
  /** Per room, the cameras pulled in (the ingest once it runs). */
  const pulled = new WeakMap<Room, Map<string, CameraIngest | undefined>>();
  const pull = (room: Room, only?: string) => {
    const parsed = parseRoomId(room.id);
    const which = parsed.kind === 'property-matter' ? { matterId: parsed.matterId } : parsed.kind === 'property-camera-view' ? { viewId: parsed.viewId } : undefined;
    if (!which) return;
    d.property
      .camerasForRoom(which)
      .then(async (cameras) => {
        const done = pulled.get(room) ?? new Map<string, CameraIngest | undefined>();
        pulled.set(room, done);
        for (const c of cameras) {
          if (done.has(c.id) || (only && c.id !== only) || room.closed) continue;
          done.set(c.id, undefined);
          await pullCameraInto(room, { cameraId: c.id, name: c.name, url: c.url, role: 'property', attributes: {} }, d).then(
            (ingest) => done.set(c.id, ingest),
            (err: unknown) => {
              done.delete(c.id);
              // Retired (or the room closed) while it was starting: pullCameraInto stopped it.
              if (err instanceof AppError && err.code === 'gone') return;
              d.log.warn({ err, roomId: room.id, cameraId: c.id }, 'compound camera | unavailable');
            },
          );
        }
      })
      .catch((err: unknown) => d.log.error({ err, roomId: room.id }, 'compound camera | could not list the cameras'));
  };
  d.rooms.on('room', (room) => pull(room));
  return {
    added(roomId, cameraId) {
      const room = d.rooms.get(roomId);
      if (room) pull(room, cameraId);
    },
    retire(cameraId) {
      for (const room of d.rooms.values()) {
        const done = pulled.get(room);
        if (!done?.has(cameraId)) continue;
        const ingest = done.get(cameraId);
        done.delete(cameraId);
        d.log.info({ roomId: room.id, cameraId }, 'compound camera | retired: out of the room');
        // A view shows this one camera: it is over. A matter's session goes on without it.
        if (parseRoomId(room.id).kind === 'property-camera-view') room.close('ended');
        else {
          const peer = room.peers.get(`camera:${cameraId}`);
          if (peer) room.revoke(peer);
        }
        void ingest?.stop();
      }
    },
  };
}
