// The server connects only where it should (issue 9.6), against running nodes: a camera URL is
// accepted only for RTSP on an allowed port inside the allowed networks, never on this node's
// own ports; and a camera stored earlier whose address is not allowed (now) is never connected
// to — the look-in ends, telling the viewer, and nothing reached the address.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { SEED } from '../../server/household/index.ts';
import { freePort } from '../../scripts/harness/product-node.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { until } from '../support/evidence.ts';
import { createTestClock } from '../household/fixture.ts';
import { personToken, send } from './edge-support.ts';

const HOME = SEED.households.zhang;

describe('registering a camera', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform();
  });
  afterAll(async () => {
    await platform?.close();
  });

  const register = (url: string) =>
    send(platform.url, 'POST', `/api/household/households/${HOME}/cameras`, {
      token: personToken(platform, SEED.family.zhangWei, 'family'),
      body: { name: '院子摄像头', place: 'yard', url },
    });

  it('refuses loopback, link-local, public and unresolvable hosts, and ports that are not camera ports', async () => {
    const refused = [
      'rtsp://127.0.0.1/cam', // loopback
      'rtsp://localhost:554/cam', // a name for loopback
      'rtsp://[::1]/cam',
      'rtsp://0.0.0.0/cam', // "this host"
      'rtsp://169.254.169.254/latest/meta-data', // link-local (cloud metadata)
      'rtsp://8.8.8.8/cam', // outside the private networks
      'rtsp://10.0.0.5:6379/cam', // inside, but a Redis port
      'rtsp://10.0.0.5:3000/cam',
      'rtsp://no-such-host.invalid/cam',
    ];
    for (const url of refused) {
      const r = await register(url);
      expect({ url, status: r.status, reason: (r.body?.error?.details as { reason?: string } | undefined)?.reason }).toEqual({ url, status: 400, reason: 'camera_address' });
    }
  });

  it('accepts an RTSP camera on a private network and a camera port', async () => {
    for (const url of ['rtsp://admin:secret@192.168.1.64:554/Streaming/Channels/101', 'rtsp://10.20.30.40:8554/live', 'rtsps://[fd00::64]/cam']) {
      expect({ url, status: (await register(url)).status }).toEqual({ url, status: 200 });
    }
  });

  it('even where loopback is allowed, never one of the node’s own ports', async () => {
    const port = await freePort();
    const open = await startTestPlatform({ PORT: String(port), CAMERA_ALLOWED_NETWORKS: '127.0.0.0/8', CAMERA_ALLOWED_PORTS: `554,${port}` });
    try {
      const r = await send(open.url, 'POST', `/api/household/households/${HOME}/cameras`, {
        token: personToken(open, SEED.family.zhangWei, 'family'), body: { name: '院子', place: 'yard', url: `rtsp://127.0.0.1:${port}/` },
      });
      expect({ status: r.status, message: r.body?.error?.message }).toMatchObject({ status: 400, message: expect.stringContaining("this server's own") });
      const ok = await send(open.url, 'POST', `/api/household/households/${HOME}/cameras`, {
        token: personToken(open, SEED.family.zhangWei, 'family'), body: { name: '院子', place: 'yard', url: 'rtsp://127.0.0.1:554/' },
      });
      expect(ok.status).toBe(200);
    } finally {
      await open.close();
    }
  });
});

describe('connecting to a camera', () => {
  let platform: TestPlatform;
  let listener: net.Server;
  let connections = 0;
  beforeAll(async () => {
    // Noon in 宿州: the demo home's night privacy window (22:00–07:00) refuses a look-in whatever the camera's address.
    platform = await startTestPlatform({}, { household: { clock: createTestClock() } });
    // What the server would reach: anything that connects is counted.
    listener = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', () => resolve()));
  });
  afterAll(async () => {
    listener?.close();
    await platform?.close();
  });

  it('re-checks the address at connection: a stored camera on loopback is never reached, and the look-in ends', async () => {
    const { port } = listener.address() as net.AddressInfo;
    // A camera registered when its name pointed elsewhere (DNS changes): its row says loopback now.
    const cameraId = 'cam-rebound';
    await platform.services.store.db<{ household_cameras: { id: string; household_id: string; name: string; place: string; url: string } }>()
      .insertInto('household_cameras')
      .values({ id: cameraId, household_id: HOME, name: '院子', place: 'yard', url: `rtsp://127.0.0.1:${port}/cam` })
      .execute();

    const viewer = personToken(platform, SEED.family.zhangWei, 'family');
    const started = await send<{ lookIn: { id: string }; roomId: string; token: string }>(platform.url, 'POST', `/api/household/households/${HOME}/look-ins`, { token: viewer, body: { source: cameraId } });
    expect(started.status).toBe(200);
    const { lookIn, roomId, token } = started.body!.data!;

    // The viewer opens the room; the server would now pull the camera in.
    const s = io(platform.url, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false });
    await s.timeout(10_000).emitWithAck('join', { roomId });

    const ended = await until('the look-in to end', async () => {
      const row = await platform.services.store.db<{ household_look_ins: { id: string; end_reason: string | null } }>()
        .selectFrom('household_look_ins').select(['id', 'end_reason']).where('id', '=', lookIn.id).executeTakeFirst();
      return row?.end_reason ?? undefined;
    });
    expect(ended).toBe('camera-unavailable');
    expect(connections).toBe(0);
    s.disconnect();
  });
});
