// 红色物业 "物业呼叫、各方齐到" on the real platform: the property office raises a matter for a
// resident at the east gate; the compound's east-gate camera (a real GStreamer RTSP server) is
// pulled into the joint session; the community's 网格员 and the 派出所 are invited and join from
// Chromium, and each of them decodes the camera; the session is recorded (bytes on disk); the
// decision ends it; the resident who raised it rates it. Someone not invited is kept out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { remoteMedia, waitFor } from '../support/media.ts';
import { startRtspServer, type RtspServer } from '../household/support/media.ts';
import { createTestClock, SEED } from '../household/fixture.ts';
import { PROPERTY_SEED as P } from '../../server/property/index.ts';
import { AppError } from '../../server/core/errors.ts';

describe('红色物业: a compound matter brings every party and a camera into one recorded session', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let rtsp: RtspServer;

  beforeAll(async () => {
    rtsp = await startRtspServer();
    platform = await startTestPlatform({ CAMERA_ALLOWED_NETWORKS: '127.0.0.0/8', CAMERA_ALLOWED_PORTS: String(rtsp.port) }, { household: { clock: createTestClock() }, recordingSegmentSeconds: 2 });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.cleanup();
    await rtsp?.stop();
    await platform?.close();
  });

  it('raised by the property office, joined by the community and the 派出所 with the gate camera, recorded, decided and rated by the resident', async () => {
    const property = platform.services.property;
    const claims = (sub: string, role: Parameters<TestPlatform['token']>[1], name: string, attributes = {}) =>
      platform.tokens.verify(platform.token(sub, role, { rooms: [] }, { name, attributes }));
    const office = claims(P.staff.liu, 'property', '刘晓东');
    const resident = claims(P.residents.chen, 'resident', '陈桂兰');
    const grid = claims(SEED.villageContacts.zhangzhuang, 'grid-worker', '王建华');
    const police = claims('O341302101-ga-1', 'official', '派出所民警', { department: '341302101-ga' });
    const stranger = claims('O341302101-mz-1', 'official', '民政办干部', { department: '341302101-mz' });

    const gate = await property.addCamera(office, P.compound, { name: '东门摄像头', location: '东门', url: rtsp.url('/vp8') });
    await property.addCamera(office, P.compound, { name: '地库摄像头', location: '3 号楼地库', url: rtsp.url('/vp8') });
    expect((await property.listCameras(grid, P.compound)).map((c) => c.name)).toEqual(expect.arrayContaining(['东门摄像头', '地库摄像头']));

    // 民提: the hotline — the property office raises it for the resident; the east-gate camera is chosen by location.
    const raised = await property.raise(office, { compoundId: P.compound, category: 'security', location: '东门', description: '东门道闸坏了，夜里外来车辆随意进出', residentId: P.residents.chen });
    expect(raised.matter).toMatchObject({ state: 'raised', cameraIds: [gate.id], residentName: '陈桂兰' });
    const matterId = raised.matter.id;

    // Not invited yet: the 网格员 and the 派出所 are refused.
    await expect(property.join(grid, matterId)).rejects.toMatchObject({ code: 'forbidden', details: { reason: 'not_invited' } });
    await property.invite(office, matterId, { party: 'community' });
    const compound = (await property.listCompounds(office))[0]!;
    await property.invite(office, matterId, { party: 'department', departmentId: compound.policeDepartmentId! });
    await expect(property.join(stranger, matterId)).rejects.toBeInstanceOf(AppError);

    const open = async (ticket: { roomId: string; token: string }, name: string) => {
      const page = await browser.newPage();
      await page.goto(`${platform.url}/call.html?room=${encodeURIComponent(ticket.roomId)}&token=${encodeURIComponent(ticket.token)}&name=${encodeURIComponent(name)}`);
      return page;
    };
    const officePage = await open(raised, '刘晓东');
    const gridPage = await open(await property.join(grid, matterId), '王建华');
    const policePage = await open(await property.join(police, matterId), '派出所民警');

    // Each party decodes the gate camera (a server-side participant of the room).
    for (const page of [officePage, gridPage, policePage]) {
      await waitFor(() => remoteMedia(page), (r) => r.framesDecoded > 0, { what: 'compound camera decoded', timeoutMs: 60_000 });
    }
    const room = platform.rooms.get(raised.roomId)!;
    expect([...room.peers.keys()]).toEqual(expect.arrayContaining([`camera:${gate.id}`, P.staff.liu, 'O341302101-ga-1']));
    const discussing = await property.getMatter(office, matterId);
    expect(discussing.matter.state).toBe('discussing');
    expect(discussing.matter.parties.filter((p) => p.joinedBy).map((p) => p.kind).sort()).toEqual(['community', 'department', 'property']);

    // Recorded like a petition session: a session in the archive under the matter's number, with bytes on disk.
    const archive = platform.services.archive;
    await waitFor(() => archive.catalog.search({ caseNumber: matterId }), (rows) => rows.length === 1 && rows[0]!.status === 'recording', { what: 'recording started' });

    // 民决 ends the session: the room closes and the recording is sealed.
    const decided = await property.decide(office, matterId, '物业三日内修复道闸；派出所加强夜间巡逻；社区通知业主登记车辆');
    expect(decided).toMatchObject({ state: 'decided', sessionOpen: false });
    await waitFor(async () => platform.rooms.get(raised.roomId), (r) => r === undefined || r.closed, { what: 'room closed' });
    await waitFor(() => archive.catalog.search({ caseNumber: matterId }), (rows) => rows[0]?.status === 'stopped' && rows[0].bytes > 0, { what: 'recording sealed with bytes', timeoutMs: 30_000 });
    await expect(property.join(grid, matterId)).rejects.toMatchObject({ code: 'gone' });

    // 民评: only the resident it is about.
    await expect(property.rate(grid as never, matterId, { score: 5, comment: '' })).rejects.toMatchObject({ code: 'forbidden' });
    const rated = await property.rate(resident, matterId, { score: 5, comment: '修得很快' });
    expect(rated).toMatchObject({ state: 'rated', rating: { score: 5, comment: '修得很快' } });
    const { events } = await property.getMatter(resident, matterId);
    expect(events.map((e) => e.type)).toEqual(['raised', 'joined', 'invited', 'invited', 'joined', 'session-opened', 'joined', 'decided', 'rated']);
    for (const page of [officePage, gridPage, policePage]) await page.close();
  }, 240_000);
});
