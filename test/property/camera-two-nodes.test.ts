// Two nodes on one PostgreSQL and one Redis: a matter's session room is hosted by node A, and the
// property office works through node B. A camera B adds to the matter joins A's room; a camera B
// retires leaves it. Before, both reached only the node that took the request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROPERTY_SEED as P } from '../../server/property/index.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { until } from '../support/evidence.ts';
import { Client, connectAs } from '../security/support.ts';
import { startRtspServer, type RtspServer } from '../household/support/media.ts';

describe('compound cameras across two nodes', () => {
  let a: TestPlatform;
  let b: TestPlatform;
  let rtsp: RtspServer;
  const clients: Client[] = [];

  beforeAll(async () => {
    rtsp = await startRtspServer();
    const env = { DATABASE_URL: await createTestDatabase('camera_two_nodes'), CAMERA_ALLOWED_NETWORKS: '127.0.0.0/8', CAMERA_ALLOWED_PORTS: String(rtsp.port) };
    const redisPrefix = `t${process.pid}-camera-two:`;
    a = await startTestPlatform(env, { redisPrefix });
    b = await startTestPlatform(env, { redisPrefix });
  }, 120_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all([a?.close(), b?.close()]);
    await rtsp?.stop();
  });

  it('a camera added through the other node joins the session room, and leaves it when retired there', async () => {
    const office = (node: TestPlatform) => node.tokens.verify(node.token(P.staff.liu, 'property', { rooms: [] }, { name: '刘晓东' }));
    const raised = await a.services.property.raise(office(a), { compoundId: P.compound, category: 'repair', location: '地下车库', description: '车库漏水', residentId: P.residents.chen, cameraIds: [] });
    const party = await connectAs(a, raised.token);
    clients.push(party);
    expect((await party.join(raised.roomId)).ok).toBe(true);
    const room = a.rooms.get(raised.roomId)!;
    expect(b.rooms.get(raised.roomId)).toBeUndefined();

    const camera = await b.services.property.addCamera(office(b), P.compound, { name: '车库摄像头', location: '地下车库', url: rtsp.url('/vp8') });
    await b.services.property.addMatterCamera(office(b), raised.matter.id, camera.id);
    const cameraPeer = `camera:${camera.id}`;
    expect(await party.told<{ peerId: string; kind: string }>('newProducer', (p) => p.peerId === cameraPeer && p.kind === 'video')).toBeTruthy();
    const before = party.pushed.length;

    await b.services.property.retireCamera(office(b), P.compound, camera.id);
    expect(await party.told<{ peerId: string }>('peerLeft', (p) => p.peerId === cameraPeer, before)).toBeTruthy();
    await until('the camera is out of the room on node A', () => !room.peers.has(cameraPeer), 15_000);
    expect(room.closed).toBe(false);
  }, 120_000);
});
