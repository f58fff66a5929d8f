// A camera served over RTSP on this machine is pulled into a room as a server-side peer's
// producer, and a view-only Chromium page (a look-in grant) decodes it through the real
// platform: signalling, SFU room, WebRTC. The room is a plain test room: household rooms also
// need an open look-in in the household service, which service.test.ts covers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { types } from 'mediasoup';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { remoteMedia, waitFor } from '../support/media.ts';
import { Peer, type ProducerAppData } from '../../sfu/peer.ts';
import { CameraIngest } from '../../sfu/ingest/camera-ingest.ts';
import { createLogger } from '../../server/core/log.ts';
import { loopbackCameras, startRtspServer, type RtspServer } from './support/media.ts';
import { createTestClock, SEED } from './fixture.ts';

describe('camera ingest seen in a browser', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let rtsp: RtspServer;

  beforeAll(async () => {
    // Noon in 宿州: outside the demo household's night privacy window, whatever the real time.
    rtsp = await startRtspServer();
    // The test camera is on loopback, which the product refuses by default: allow it, at its port.
    platform = await startTestPlatform({ CAMERA_ALLOWED_NETWORKS: '127.0.0.0/8', CAMERA_ALLOWED_PORTS: String(rtsp.port) }, { household: { clock: createTestClock() } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.cleanup();
    await rtsp?.stop();
    await platform?.close();
  });

  for (const [mount, expectedPlan] of [
    ['/vp8', { mode: 'copy', codec: 'VP8' }],
    ['/h264-cb', { mode: 'copy', codec: 'H264' }],
    ['/h264-high', { mode: 'transcode', codec: 'H264' }],
  ] as const) {
    it(`a look-in viewer decodes the camera at ${mount} (${expectedPlan.mode})`, async () => {
      const roomId = `test:camera-ingest:${mount.slice(1)}`;
      const room = await platform.rooms.getOrCreate(roomId);
      const camClaims = platform.tokens.verify(platform.token(`cam${mount.replace('/', '-')}`, 'home-device', { rooms: [roomId], sources: ['camera'] }, { name: '院子摄像头' }));
      const camera = new Peer(camClaims.sub, camClaims.name, camClaims, () => undefined);
      room.join(camera, room.rtpCapabilities);
      const ingest = await CameraIngest.start({
        router: room.router, url: rtsp.url(mount), vetUrl: (u) => loopbackCameras(rtsp.port).vet(u), cameraId: camClaims.sub, log: createLogger('silent'), audio: false,
        appData: { peerId: camera.id },
      });
      try {
        expect(ingest.plan.video).toMatchObject(expectedPlan);
        room.addProducer(camera, ingest.producer as types.Producer<ProducerAppData>);
        const viewerToken = platform.token('fm-viewer', 'family', { rooms: [roomId], canPublish: false, canSubscribe: true, sources: [] });
        const page = await browser.newPage();
        await page.goto(`${platform.url}/call.html?room=${encodeURIComponent(roomId)}&token=${encodeURIComponent(viewerToken)}&name=viewer`);
        const first = await waitFor(() => remoteMedia(page), (r) => r.framesDecoded > 0);
        expect(first.width).toBe(640);
        await new Promise((r) => setTimeout(r, 1000));
        expect((await remoteMedia(page)).framesDecoded).toBeGreaterThan(first.framesDecoded);
        await page.close();
      } finally {
        await ingest.stop();
        room.leave(camera);
      }
    });
  }

  it('a permitted family member looking in at the household camera sees it through the platform', async () => {
    const households = platform.services.households;
    const admin = platform.tokens.verify(platform.token('admin-1', 'admin', { rooms: [] }));
    const family = platform.tokens.verify(platform.token(SEED.family.zhangWei, 'family', { rooms: [] }, { name: '张伟' }));
    const camera = await households.addCamera(admin, SEED.households.zhang, { name: '院子摄像头', place: 'yard', url: rtsp.url('/vp8') });
    const { lookIn, roomId, token } = await households.startLookIn(family, SEED.households.zhang, { source: camera.id });
    try {
      const page = await browser.newPage();
      await page.goto(`${platform.url}/call.html?room=${encodeURIComponent(roomId)}&token=${encodeURIComponent(token)}&name=张伟`);
      const first = await waitFor(() => remoteMedia(page), (r) => r.framesDecoded > 0, { what: 'camera picture decoded' });
      expect(first.width).toBe(640);
      // View only: the family page sends nothing into the home.
      expect([...platform.rooms.get(roomId)!.peers.get(SEED.family.zhangWei)!.producers.values()]).toEqual([]);
      await page.close();
    } finally {
      await households.endLookIn(family, lookIn.id);
    }
    // Ending the look-in closes its room, which stops the ingest.
    expect(platform.rooms.get(roomId)).toBeUndefined();
  });
});
