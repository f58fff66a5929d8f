// A camera pulled into a room (a real GStreamer RTSP server, the real worker) that leaves while
// its stream is still starting — retired, revoked, its room closed — is never announced: nobody
// is offered its producer, nothing records it, and its ingest is stopped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Claims } from '../../server/auth/grants.ts';
import { pullCameraInto } from '../../server/app/camera-participant.ts';
import { createLogger } from '../../server/core/log.ts';
import type { ServerToClientEvents } from '../../server/protocol/signalling.ts';
import { Peer } from '../../sfu/peer.ts';
import { Room } from '../../sfu/room.ts';
import { WorkerPool } from '../../sfu/worker-pool.ts';
import { freeRtcPorts } from '../../scripts/harness/rtc-ports.ts';
import { loopbackCameras, startRtspServer, type RtspServer } from '../household/support/media.ts';
import { until } from '../support/evidence.ts';

const log = createLogger('silent');

function watcher(room: Room): { told: (keyof ServerToClientEvents)[] } {
  const told: (keyof ServerToClientEvents)[] = [];
  const claims: Claims = {
    use: 'room', sub: 'watcher', name: 'watcher', role: 'property',
    grant: { rooms: [room.id], canPublish: false, canSubscribe: true, sources: [] },
    attributes: {}, jti: 'jti-watcher', iat: 0, exp: 4_102_444_800,
  };
  room.join(new Peer('watcher', 'watcher', claims, (event, ..._args) => void told.push(event)), room.rtpCapabilities);
  return { told };
}

describe('a camera participant leaving while its stream starts', () => {
  let pool: WorkerPool;
  let rtsp: RtspServer;
  let n = 0;
  beforeAll(async () => {
    rtsp = await startRtspServer();
    const { base, min, max } = await freeRtcPorts(100);
    pool = await WorkerPool.create({ size: 1, logLevel: 'warn', listenIp: '127.0.0.1', portBase: base, rtcMinPort: min, rtcMaxPort: max }, log);
  }, 60_000);
  afterAll(async () => {
    await pool?.close();
    await rtsp?.stop();
  });

  const start = async (leave: (room: Room, peer: Peer) => void) => {
    const room = await Room.create({ roomId: `property-matter:race-${process.pid}-${++n}`, pool, log });
    const w = watcher(room);
    const announced: string[] = [];
    room.on('producer', ({ peer }) => void announced.push(peer.id));
    const pulling = pullCameraInto(room, { cameraId: `gate-${n}`, name: '东门', url: rtsp.url('/vp8'), role: 'property', attributes: {} }, { cameraAddresses: loopbackCameras(rtsp.port), log });
    // The camera's peer is in the room at once; its stream is not up yet.
    const peer = room.peers.get(`camera:gate-${n}`)!;
    expect(peer).toBeDefined();
    leave(room, peer);
    await expect(pulling).rejects.toMatchObject({ code: 'gone' });
    return { room, w, announced };
  };

  it('revoked (retired) while starting: no newProducer, no recording, its ingest stopped', async () => {
    const { room, w, announced } = await start((r, p) => r.revoke(p));
    expect(announced).toEqual([]);
    expect(w.told).not.toContain('newProducer');
    // The ingest's PlainTransport is closed: the router holds no transport.
    await until('the ingest is stopped', async () => (await room.router.dump()).transportIds.length === 0, 20_000);
    expect(room.closed).toBe(false);
    room.close('ended');
  }, 60_000);

  it('its room closed while starting: nothing left on the worker', async () => {
    const { room, announced } = await start((r) => r.close('ended'));
    expect(announced).toEqual([]);
    expect(room.router.closed).toBe(true);
  }, 60_000);
});
