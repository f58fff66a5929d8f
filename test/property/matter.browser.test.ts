// 红色物业 "物业呼叫、各方齐到" on the real platform, driven through the pages: the property office
// (property.html) looks at the east-gate camera (a real GStreamer RTSP server) from the cameras by
// place, then raises a matter for a resident at the east gate; the camera is pulled into the joint
// session; the office invites the community and the 派出所 from the session; the 网格员 (grid.html)
// and the police officer (their desk, official.html) are rung there and join, and each decodes the
// camera; the session is recorded (bytes on disk); the office's decision ends it; the resident
// (property.html) rates it. Someone not invited is kept out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { remoteMedia, waitFor } from '../support/media.ts';
import { startRtspServer, type RtspServer } from '../household/support/media.ts';
import { createTestClock, SEED } from '../household/fixture.ts';
import { openSignedIn } from '../petition/ui-support.ts';
import { PROPERTY_SEED as P } from '../../server/property/index.ts';
import { AppError } from '../../server/core/errors.ts';

const POLICE_DEPT = '341302101-ga';
const POLICE = 'O341302101-ga-1';

describe('红色物业: a compound matter brings every party and a camera into one recorded session', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let rtsp: RtspServer;
  const errors: string[] = [];

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

  it('raised by the property office on its page, joined by the community and the 派出所 from their pages with the gate camera, recorded, decided and rated by the resident', async () => {
    const property = platform.services.property;
    const token = (sub: string, role: Parameters<TestPlatform['token']>[1], name: string, attributes = {}) => platform.token(sub, role, { rooms: [] }, { name, attributes });
    const claims = (t: string) => platform.tokens.verify(t);
    const officeToken = token(P.staff.liu, 'property', '刘晓东');
    const stranger = claims(token('O341302101-mz-1', 'official', '民政办干部', { department: '341302101-mz' }));

    // Camera registration is the administrator's / installer's step; the pages show what is registered.
    const gate = await property.addCamera(claims(officeToken), P.compound, { name: '东门摄像头', location: '东门', url: rtsp.url('/vp8') });
    await property.addCamera(claims(officeToken), P.compound, { name: '地库摄像头', location: '3 号楼地库', url: rtsp.url('/vp8') });

    const office = await openSignedIn(browser, platform.url, errors, 'office', 'property.html', officeToken);
    await office.setViewportSize({ width: 1024, height: 600 });
    // The cameras by place; one glance at the east gate through a view-only room.
    await office.locator('#cameras dt', { hasText: '东门' }).waitFor();
    expect(await office.locator('#cameras dd').allInnerTexts()).toEqual([expect.stringContaining('地库摄像头'), expect.stringContaining('东门摄像头')]); // by place: 3 号楼地库, 东门
    await office.locator(`#cameras dd[data-camera-id="${gate.id}"] [data-act=view]`).click();
    await waitFor(() => remoteMedia(office), (r) => r.framesDecoded > 0, { what: 'camera view decoded', timeoutMs: 60_000 });
    expect(await office.locator('#room-title').innerText()).toContain('东门摄像头');
    await office.locator('#room [data-act=leave]').click();
    await office.locator('#raise').waitFor();

    // 民提: the hotline — the office raises it for the resident; the east-gate camera is chosen by place.
    await office.locator('#raise [name=residentId]').selectOption(P.residents.chen);
    await office.locator('#raise [name=category]').selectOption('security');
    await office.locator('#raise [name=location]').fill('东门');
    await office.locator('#raise [name=description]').fill('东门道闸坏了，夜里外来车辆随意进出');
    await office.locator('#raise [type=submit]').click();
    await office.locator('#room-title', { hasText: '治安 · 东门 · 陈桂兰' }).waitFor();
    const [matter] = await property.listMatters(claims(officeToken));
    expect(matter).toMatchObject({ state: 'raised', cameraIds: [gate.id], residentName: '陈桂兰' });
    const matterId = matter!.id;
    await waitFor(() => remoteMedia(office), (r) => r.framesDecoded > 0, { what: 'session camera decoded by the office', timeoutMs: 60_000 });

    // The invitees' pages are open before they are invited: nothing to join yet.
    const grid = await openSignedIn(browser, platform.url, errors, 'grid', 'grid.html', token(SEED.villageContacts.zhangzhuang, 'grid-worker', '王建华'));
    const police = await openSignedIn(browser, platform.url, errors, 'police', 'official.html', token(POLICE, 'official', '派出所民警', { department: POLICE_DEPT, level: 'township', region: '341302101' }));
    await grid.locator('#title').waitFor();
    expect(await grid.locator('.matter-invitation').count()).toBe(0);

    // 各方齐到: invited from inside the session.
    await office.locator('#room [data-act=invite-community]').click();
    await office.locator('#room [name=departmentId]').selectOption(POLICE_DEPT);
    await office.locator('#room [data-act=invite-department]').click();
    await expect(property.join(stranger, matterId)).rejects.toBeInstanceOf(AppError);

    const joinFrom = async (page: Page, what: string) => {
      const invitation = page.locator(`.matter-invitation[data-matter-id="${matterId}"]`);
      await invitation.waitFor({ timeout: 30_000 });
      expect(await invitation.getAttribute('data-ringing')).toBe('true');
      expect(await invitation.innerText()).toContain('康居小区');
      await invitation.locator('[data-act=join-matter]').click();
      await waitFor(() => remoteMedia(page), (r) => r.framesDecoded > 0, { what: `compound camera decoded by ${what}`, timeoutMs: 60_000 });
    };
    await joinFrom(grid, 'the 网格员');
    await joinFrom(police, 'the 派出所');

    const room = platform.rooms.get(matter!.roomId)!;
    expect([...room.peers.keys()]).toEqual(expect.arrayContaining([`camera:${gate.id}`, P.staff.liu, SEED.villageContacts.zhangzhuang, POLICE]));
    // The office sees every party in, on its page.
    for (const kind of ['community', 'department']) await office.locator(`#room [data-party=${kind}][data-joined=true]`).waitFor();
    expect((await property.getMatter(claims(officeToken), matterId)).matter.state).toBe('discussing');

    // Recorded like a petition session: a session in the archive under the matter's number, with bytes on disk.
    const archive = platform.services.archive;
    await waitFor(() => archive.catalog.search({ caseNumber: matterId }), (rows) => rows.length === 1 && rows[0]!.status === 'recording', { what: 'recording started' });

    // 民决 on the office's page ends the session: every page leaves the room, the recording is sealed.
    await office.locator('#room [name=decision]').fill('物业三日内修复道闸；派出所加强夜间巡逻；社区通知业主登记车辆');
    await office.locator('#room [data-act=decide]').click();
    await office.locator('#decision', { hasText: '物业三日内修复道闸' }).waitFor();
    await office.locator('#matter [data-step=decided][data-current]').waitFor();
    await waitFor(async () => platform.rooms.get(matter!.roomId), (r) => r === undefined || r.closed, { what: 'room closed' });
    for (const page of [grid, police]) await page.locator('#matter-session').waitFor({ state: 'detached' });
    await waitFor(() => archive.catalog.search({ caseNumber: matterId }), (rows) => rows[0]?.status === 'stopped' && rows[0].bytes > 0, { what: 'recording sealed with bytes', timeoutMs: 30_000 });

    // 民评 on the resident's page.
    const resident = await openSignedIn(browser, platform.url, errors, 'resident', 'property.html', token(P.residents.chen, 'resident', '陈桂兰'));
    await resident.setViewportSize({ width: 1024, height: 600 });
    await resident.locator(`.property-matter[data-matter-id="${matterId}"]`).click();
    await resident.locator('#rate [name=score][value="4"]').check();
    await resident.locator('#rate [name=comment]').fill('修得很快');
    await resident.locator('#rate [data-act=rate]').click();
    await resident.locator('#rating', { hasText: '4 分' }).waitFor();
    // The office's list follows (the live push).
    await office.locator(`.property-matter[data-matter-id="${matterId}"][data-state=rated]`).waitFor();
    const { matter: rated, events } = await property.getMatter(claims(officeToken), matterId);
    expect(rated).toMatchObject({ state: 'rated', rating: { score: 4, comment: '修得很快' } });
    expect(events.map((e) => e.type)).toEqual(['raised', 'joined', 'invited', 'invited', 'joined', 'session-opened', 'joined', 'decided', 'rated']);
    expect(errors).toEqual([]);
  }, 300_000);
});
