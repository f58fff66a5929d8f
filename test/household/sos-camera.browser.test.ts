// 求助 for a home with only an IP camera (issue 14 item 2): a family member raises it from their
// page over HTTP, the same SOS ladder rings the rest of the family and the counsellor, and the
// counsellor who answers decodes the home's camera (a real GStreamer RTSP server) in Chromium.
// Privacy mode keeps the camera out of the SOS call, and the household's access log says so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { remoteMedia, waitFor } from '../support/media.ts';
import { startRtspServer, type RtspServer } from './support/media.ts';
import { createTestClock, SEED } from './fixture.ts';
import { personToken } from './ui-support.ts';
import type { Call, RoomTicket } from '../../server/protocol/http/household-shapes.ts';

describe('SOS for a camera-only home', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let rtsp: RtspServer;
  const H = SEED.households.zhang;

  beforeAll(async () => {
    rtsp = await startRtspServer();
    // Noon in 宿州 (outside the demo's night privacy window); the loopback camera allowed at its port.
    platform = await startTestPlatform({ CAMERA_ALLOWED_NETWORKS: '127.0.0.0/8', CAMERA_ALLOWED_PORTS: String(rtsp.port) }, { household: { clock: createTestClock() } });
    browser = await launchBrowser();
    const admin = platform.tokens.verify(platform.token('admin-1', 'admin', { rooms: [] }));
    // The home has no device any more, only a camera in the yard.
    await platform.services.households.revokeDevice(admin, H, SEED.devices.zhang);
    await platform.services.households.addCamera(admin, H, { name: '院子摄像头', place: 'yard', url: rtsp.url('/vp8') });
  });
  afterAll(async () => {
    await browser?.cleanup();
    await rtsp?.stop();
    await platform?.close();
  });

  const bearer = (sub: string, role: 'family' | 'counsellor', name: string) => platform.token(sub, role, { rooms: [] }, { name });
  async function api<T>(token: string, method: string, path: string): Promise<{ status: number; body: T; error?: { code: string } }> {
    const res = await fetch(`${platform.url}/api/household${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' });
    const json = (await res.json()) as { data: T; error?: { code: string } };
    return { status: res.status, body: json.data, ...(json.error ? { error: json.error } : {}) };
  }

  it('a family member raises SOS: the others ring, and the counsellor who answers sees the home camera', async () => {
    const zhangWei = bearer(SEED.family.zhangWei, 'family', '张伟');
    const raised = await api<{ call: Call } & RoomTicket>(zhangWei, 'POST', `/households/${H}/sos`);
    expect(raised.status).toBe(200);
    const { call } = raised.body;
    expect(call).toMatchObject({ purpose: 'sos', state: 'ringing', callerId: SEED.family.zhangWei, callerRole: 'family' });
    // Every party but the one who raised it: the rest of the family and the counsellor, at once.
    const ringing = call.callees.filter((c) => c.state === 'ringing').map((c) => c.id).sort();
    expect(ringing).toEqual([SEED.family.liNa, SEED.family.zhangLei, SEED.counsellors.chen].sort());
    const chen = bearer(SEED.counsellors.chen, 'counsellor', '陈静');
    expect((await api<Call[]>(chen, 'GET', '/my/calls')).body.map((c) => c.id)).toContain(call.id);

    const answered = await api<{ call: Call } & RoomTicket>(chen, 'POST', `/calls/${call.id}/answer`);
    expect(answered.status).toBe(200);
    const page = await browser.newPage();
    try {
      await page.goto(`${platform.url}/call.html?room=${encodeURIComponent(answered.body.roomId)}&token=${encodeURIComponent(answered.body.token)}&name=陈静`);
      const first = await waitFor(() => remoteMedia(page), (r) => r.framesDecoded > 0, { what: 'home camera decoded in the SOS call' });
      expect(first.width).toBe(640);
    } finally {
      await page.close();
    }
    const log = await api<{ reason: string | null; outcome: string; actorId: string }[]>(zhangWei, 'GET', `/households/${H}/access-log`);
    expect(log.body[0]).toMatchObject({ actorId: SEED.family.zhangWei, outcome: 'granted', reason: 'sos' });
    // Ending the SOS call closes its room, which stops the camera's ingest.
    expect((await api<Call>(chen, 'POST', `/calls/${call.id}/end`)).status).toBe(200);
    expect(platform.rooms.get(answered.body.roomId)).toBeUndefined();
  });

  it('the counsellor presses 为家里求助 on their page: the family rings and the counsellor sees the home camera', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${platform.url}/counsellor.html?token=${encodeURIComponent(personToken(platform, SEED.counsellors.chen, 'counsellor', '陈静'))}`);
      // Only the camera-only home has the button (the other homes' devices have their own).
      const sos = page.locator(`button[data-sos="${H}"]`);
      await sos.waitFor();
      expect(await page.locator('button[data-sos]').count()).toBe(1);
      await sos.click();
      const first = await waitFor(() => remoteMedia(page), (r) => r.framesDecoded > 0, { what: 'home camera decoded on the counsellor page' });
      expect(first.width).toBe(640);
      // The test clock stands still, so find the call by who raised it rather than by order.
      const call = (await platform.services.households.myCalls(platform.tokens.verify(bearer(SEED.family.liNa, 'family', '李娜')))).find((c) => c.callerId === SEED.counsellors.chen);
      expect(call).toMatchObject({ purpose: 'sos', state: 'ringing', callerId: SEED.counsellors.chen });
      expect(call!.callees.map((c) => c.id).sort()).toEqual([SEED.family.liNa, SEED.family.zhangLei, SEED.family.zhangWei].sort());
      await platform.services.households.endCall(platform.tokens.verify(bearer(SEED.counsellors.chen, 'counsellor', '陈静')), call!.id);
    } finally {
      await page.close();
    }
  });

  it('a home whose device is on raises SOS on the device, not from a family page', async () => {
    const households = platform.services.households;
    const admin = platform.tokens.verify(platform.token('admin-1', 'admin', { rooms: [] }));
    const W = SEED.households.wang;
    await households.addCamera(admin, W, { name: '门口摄像头', place: 'yard', url: rtsp.url('/vp8') });
    const wangQiang = bearer(SEED.family.wangQiang, 'family', '王强');
    // Device off: the page raises it.
    const offline = await api<{ call: Call }>(wangQiang, 'POST', `/households/${W}/sos`);
    expect(offline.status).toBe(200);
    await households.endCall(platform.tokens.verify(wangQiang), offline.body.call.id);
    const { token } = await households.bindDevice(admin, W, { id: SEED.devices.wang, name: '客厅终端', place: 'living-room' });
    await households.heartbeat(platform.tokens.verify(token));
    expect((await api(wangQiang, 'POST', `/households/${W}/sos`)).error?.code).toBe('conflict');
  });

  it('in privacy mode the SOS still rings, but the camera stays out of the call', async () => {
    const zhangWei = bearer(SEED.family.zhangWei, 'family', '张伟');
    const households = platform.services.households;
    await households.setPrivacyMode(platform.tokens.verify(zhangWei), H, true);
    const { call } = (await api<{ call: Call } & RoomTicket>(zhangWei, 'POST', `/households/${H}/sos`)).body;
    expect(call.callees.filter((c) => c.state === 'ringing')).toHaveLength(3);
    expect(await households.openSosCamera(call.id)).toBeUndefined();
    const log = await api<{ reason: string | null; outcome: string }[]>(zhangWei, 'GET', `/households/${H}/access-log`);
    expect(log.body[0]).toMatchObject({ outcome: 'refused', reason: 'sos:button' });
    await households.endCall(platform.tokens.verify(zhangWei), call.id);
  });
});
