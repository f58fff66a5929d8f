// Issue 14's acceptance in Chromium on the real platform (Redis, mediasoup, the built pages): the
// home device calls a family member who answers; an SOS nobody answers climbs from the family to
// the counsellor to the village contact, every step on the device's screen and the timeline; a
// still camera raises a no-activity alert with no media leaving the device, and a moving one
// clears it; a privacy mask drawn on the kiosk is black in the family's look-in picture.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { createFixture, createTestClock, SEED, type Fixture } from './fixture.ts';
import { media, personToken, waitFor } from './ui-support.ts';

const HOME = SEED.households.zhang;
const DEVICE = SEED.devices.zhang;
const FFMPEG = process.env.FFMPEG_BIN ?? 'ffmpeg';

/** A y4m file for Chromium's fake camera: a plain grey picture, or one that changes every frame. */
function fakeVideo(dir: string, kind: 'still' | 'moving'): string {
  const file = path.join(dir, `${kind}.y4m`);
  const src = kind === 'still' ? 'color=c=0xC8C8C8:s=320x180:r=10' : "nullsrc=s=320x180:r=10,geq=lum='128+120*sin(X/8+N)':cb=128:cr=128";
  execFileSync(FFMPEG, ['-v', 'error', '-y', '-f', 'lavfi', '-i', src, '-frames:v', kind === 'still' ? '20' : '40', '-pix_fmt', 'yuv420p', file]);
  return file;
}

/** Camera producers of the household's rooms on the SFU: what left the home. */
function homeCameraProducers(platform: TestPlatform): unknown[] {
  return [...platform.rooms.values()]
    .filter((room) => room.id.startsWith(`household:${HOME}:`))
    .flatMap((room) => [...room.peers.values()].flatMap((p) => [...p.producers.values()]))
    .filter((p) => p.appData.source === 'camera');
}

describe('平安心居 care in Chromium', () => {
  let platform: TestPlatform;
  let still: Awaited<ReturnType<typeof launchBrowser>>;
  let f: Fixture;
  let device: Page;
  let deviceToken: string;
  let dir: string;
  const clock = createTestClock();

  const open = async (browser: typeof still, file: string, token: string, name: string): Promise<Page> => {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error(`[${name}] pageerror`, e));
    if (process.env.DEBUG_UI) page.on('console', (m) => console.log(`[${name}] ${m.type()} ${m.text()}`));
    // Counts peer connections: none may exist while the device only measures activity.
    await page.addInitScript(() => {
      const Native = window.RTCPeerConnection;
      const w = window as unknown as { peerConnections: number };
      w.peerConnections = 0;
      window.RTCPeerConnection = class extends Native {
        constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
          super(...args);
          w.peerConnections++;
        }
      };
    });
    await page.goto(`${platform.url}/${file}?token=${encodeURIComponent(token)}&activityReportSeconds=1`);
    return page;
  };
  const person = (sub: string, role: 'family' | 'counsellor' | 'grid-worker', name: string) => personToken(platform, sub, role, name);
  const openDevice = async (browser: typeof still): Promise<Page> => {
    const page = await open(browser, 'device.html', deviceToken, 'device');
    await page.waitForFunction(() => document.getElementById('net')?.dataset.state === 'online' && document.body.dataset.state === 'idle', null, { timeout: 20_000 });
    return page;
  };
  const deviceOnline = () => waitFor(() => f.service.getHousehold(f.admin, HOME), (v) => v.devices.some((d) => d.online), 30_000);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-care-'));
    platform = await startTestPlatform({}, { household: { clock, timings: { sosCounsellorAfterMs: 10_000, sosVillageAfterMs: 20_000, sosRingMs: 60_000 } } });
    still = await launchBrowser('fake', { fakeVideo: fakeVideo(dir, 'still') });
    f = await createFixture({}, { tokens: platform.tokens, platform, clock });
    deviceToken = (await f.service.bindDevice(f.admin, HOME, { id: DEVICE, name: '客厅终端', place: 'living-room' })).token;
    device = await openDevice(still);
  });
  afterAll(async () => {
    await f?.close();
    await still?.cleanup();
    await platform?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the home calls a family member with its picture button; her page rings, she answers, and both see and hear each other', async () => {
    const liNa = await open(still, 'family.html', person(SEED.family.liNa, 'family', '李娜'), 'liNa');
    await liNa.waitForSelector(`[data-household-id="${HOME}"]`);
    await device.click(`#contacts [data-contact="${SEED.family.liNa}"]`);
    await device.waitForSelector('#outgoing:not([hidden]) [data-callee="fm-li-na"][data-state="ringing"]', { timeout: 15_000 });
    await liNa.waitForSelector('#incoming[data-sos="false"]', { timeout: 15_000 });
    expect(await liNa.textContent('#incoming')).toContain('张家 来电');
    await liNa.click('#answer');
    await device.waitForFunction(() => document.body.dataset.state === 'in-call', null, { timeout: 15_000 });
    for (const page of [device, liNa]) await waitFor(() => media(page), (m) => m.framesDecoded > 0 && m.audioPackets > 0);
    await liNa.click('.call-controls [data-act=leave]');
    await device.waitForFunction(() => document.body.dataset.state === 'idle', null, { timeout: 15_000 });
    await liNa.close();
  });

  it('SOS nobody answers climbs from the family to the counsellor to the village contact; every step is on the kiosk and on the timeline', async () => {
    const zhangWei = await open(still, 'family.html', person(SEED.family.zhangWei, 'family', '张伟'), 'zhangWei');
    const chen = await open(still, 'counsellor.html', person(SEED.counsellors.chen, 'counsellor', '陈静'), 'chen');
    await zhangWei.waitForSelector(`[data-household-id="${HOME}"]`);
    await chen.waitForSelector(`#households tr[data-household-id="${HOME}"]`);
    await device.click('#sos');
    await device.waitForSelector('#outgoing[data-sos="true"]:not([hidden]) li[data-step="0"]', { timeout: 15_000 });
    await zhangWei.waitForSelector('#incoming[data-sos="true"]', { timeout: 15_000 });
    const sos = (await f.service.listAlerts(f.person(SEED.counsellors.chen, 'counsellor'))).find((a) => a.kind === 'sos' && a.householdId === HOME)!;
    expect(sos.callId).toBeTruthy();
    // The SOS alert is on the counsellor's desk at once.
    await chen.waitForSelector(`#alerts li[data-kind="sos"][data-household-id="${HOME}"]`, { timeout: 15_000 });

    clock.advance(10_000);
    await f.service.tick();
    await chen.waitForSelector('#incoming[data-sos="true"]', { timeout: 15_000 });
    await device.waitForSelector(`#ladder li[data-step="1"] [data-callee="${SEED.counsellors.chen}"]`, { timeout: 15_000 });

    clock.advance(10_000);
    await f.service.tick();
    await device.waitForSelector(`#ladder li[data-step="2"] [data-callee="${SEED.villageContacts.zhangzhuang}"][data-state="ringing"]`, { timeout: 15_000 });
    const gw = person(SEED.villageContacts.zhangzhuang, 'grid-worker', '王建华');
    expect(gw).toBeTruthy();

    const { events } = await f.service.callTimeline(f.person(SEED.family.zhangWei, 'family'), sos.callId!);
    expect(events.filter((e) => e.type === 'escalated').map((e) => [e.data.to, e.data.reason, e.data.afterSeconds])).toEqual([
      ['counsellor', 'no-answer', 10],
      ['grid-worker', 'no-answer', 20],
    ]);
    expect(events.filter((e) => e.type === 'rang').map((e) => e.personId)).toEqual(expect.arrayContaining([SEED.family.zhangWei, SEED.counsellors.chen, SEED.villageContacts.zhangzhuang]));

    // Nobody answers: the ladder runs out and the call is missed on every side; the alert stays.
    clock.advance(61_000);
    await f.service.tick();
    await device.waitForSelector('#outgoing', { state: 'hidden', timeout: 15_000 });
    await zhangWei.waitForSelector('#incoming', { state: 'detached', timeout: 15_000 });
    await chen.waitForSelector('#incoming', { state: 'detached', timeout: 15_000 });
    expect(await chen.isVisible(`#alerts li[data-alert-id="${sos.id}"]`)).toBe(true);
    await zhangWei.close();
    await chen.close();
  });

  it('a still camera raises a no-activity alert that says how it was decided, and nothing leaves the device while it measures', async () => {
    await deviceOnline();
    const chen = await open(still, 'counsellor.html', person(SEED.counsellors.chen, 'counsellor', '陈静'), 'chen');
    await chen.waitForSelector(`#households tr[data-household-id="${HOME}"]`);
    await f.service.updateSettings(f.person(SEED.family.zhangWei, 'family'), HOME, { activityWatch: { enabled: true, start: '08:00', end: '20:00', inactiveHours: 0.25, threshold: 0.02 } });
    const pcsBefore = await device.evaluate(() => (window as unknown as { peerConnections: number }).peerConnections);
    const minutes = async () => new Set((await f.repo.listActivity(HOME, clock.now() - 20 * 60_000, clock.now())).map((m) => m.minuteMs)).size;
    // A quarter of an hour of server time, a minute at a time, each minute measured by the page.
    for (let i = 0; i < 17; i++) {
      const before = await minutes();
      clock.advance(60_000);
      await waitFor(minutes, (n) => n > before, 15_000).catch(() => undefined);
    }
    const levels = await f.repo.listActivity(HOME, clock.now() - 20 * 60_000, clock.now());
    expect(levels.length).toBeGreaterThanOrEqual(8);
    expect(Math.max(...levels.map((m) => m.level))).toBeLessThan(0.02);
    expect(levels.every((m) => m.sourceKind === 'device' && m.sourceId === DEVICE)).toBe(true);
    // Numbers only: no peer connection was opened and no camera producer exists for the home.
    expect(await device.evaluate(() => (window as unknown as { peerConnections: number }).peerConnections)).toBe(pcsBefore);
    expect(homeCameraProducers(platform)).toHaveLength(0);

    await f.service.tick();
    const alert = `#alerts li[data-kind="no-activity"][data-household-id="${HOME}"]`;
    await chen.waitForSelector(alert, { timeout: 15_000 });
    expect(await chen.textContent(alert)).toMatch(/没有检测到活动：家中终端摄像头（画面不离开家）测到 \d+\/15 分钟，最高活动 [\d.]+%，低于阈值 2%/);

    // Motion: the same kiosk with a camera that sees movement. Its next report clears the alert.
    await device.close();
    const moving = await launchBrowser('fake', { fakeVideo: fakeVideo(dir, 'moving') });
    try {
      const movingDevice = await openDevice(moving);
      await chen.waitForSelector(`${alert}[data-resolved="true"]`, { timeout: 30_000 });
      const last = await f.repo.listActivity(HOME, clock.now() - 2 * 60_000, clock.now());
      expect(Math.max(...last.map((m) => m.level))).toBeGreaterThanOrEqual(0.02);
      await movingDevice.close();
    } finally {
      await moving.cleanup();
    }
    await chen.close();
    device = await openDevice(still);
  });

  it('a privacy mask drawn on the kiosk is black in the family’s look-in picture, and the rest of the room is not', async () => {
    await deviceOnline();
    await device.click('#masks');
    await device.waitForFunction(() => (document.getElementById('mask-preview') as HTMLVideoElement | null)?.readyState === 4, null, { timeout: 15_000 });
    const box = (await device.locator('#mask-stage').boundingBox())!;
    // The left half of the picture (a window onto the neighbours' yard, say).
    await device.mouse.move(box.x + 2, box.y + 2);
    await device.mouse.down();
    await device.mouse.move(box.x + box.width * 0.5, box.y + box.height - 2, { steps: 5 });
    await device.mouse.up();
    await device.waitForSelector('#mask-stage .mask-rect');
    await device.click('#mask-save');
    await device.waitForSelector('#mask-editor', { state: 'detached' });
    const [rect] = (await f.repo.masksOf([DEVICE])).get(DEVICE) ?? [];
    expect(rect!.x).toBeLessThan(0.02);
    expect(rect!.y).toBeLessThan(0.02);
    expect(rect!.w).toBeCloseTo(0.5, 1);

    const liNa = await open(still, 'family.html', person(SEED.family.liNa, 'family', '李娜'), 'liNa');
    await liNa.click(`[data-household-id="${HOME}"] [data-act=lookin]`);
    await waitFor(() => media(liNa), (m) => m.framesDecoded > 5);
    const pixels = await liNa.evaluate(async () => {
      const s = (window as unknown as { callSession: { remote: Map<string, { source: string; track: MediaStreamTrack }> } }).callSession;
      const camera = [...s.remote.values()].find((r) => r.source === 'camera')!;
      const video = document.createElement('video');
      video.muted = true;
      video.srcObject = new MediaStream([camera.track]);
      await video.play();
      // The first frame this element has presented, not a guessed delay.
      await new Promise<void>((resolve) => video.requestVideoFrameCallback(() => resolve()));
      const c = document.createElement('canvas');
      c.width = video.videoWidth;
      c.height = video.videoHeight;
      const g = c.getContext('2d')!;
      g.drawImage(video, 0, 0);
      const at = (fx: number, fy: number) => [...g.getImageData(Math.floor(c.width * fx), Math.floor(c.height * fy), 1, 1).data.slice(0, 3)];
      return { masked: [at(0.1, 0.2), at(0.25, 0.5), at(0.4, 0.8)], open: [at(0.6, 0.2), at(0.75, 0.5), at(0.9, 0.8)] };
    });
    for (const p of pixels.masked) expect(Math.max(...p)).toBeLessThan(40);
    for (const p of pixels.open) expect(Math.min(...p)).toBeGreaterThan(150);
    await liNa.click('.call-controls [data-act=leave]');
    await liNa.close();
  });

  it('a due check-in on the desk is done by a visit record, which shows in the household history', async () => {
    const chenActor = f.person(SEED.counsellors.chen, 'counsellor', '陈静');
    const day = new Date(clock.now() + 8 * 3600_000).getUTCDay(); // today in 宿州
    const hhmm = new Date(clock.now() + 8 * 3600_000 - 30 * 60_000).toISOString().slice(11, 16);
    const schedule = await f.service.scheduleCheckIn(chenActor, HOME, { days: [day], time: hhmm, durationMinutes: 20, note: '问问血压' });
    // Scheduled after its time today: it falls due next week. Move the clock there.
    clock.advance(7 * 24 * 3600_000);
    const chen = await open(still, 'counsellor.html', person(SEED.counsellors.chen, 'counsellor', '陈静'), 'chen');
    const due = `#due .cs-due[data-schedule-id="${schedule.id}"]`;
    await chen.waitForSelector(due, { timeout: 15_000 });
    await chen.click(`${due} [data-record]`);
    await chen.selectOption('#visit-form select[name=mood]', 'low');
    await chen.fill('#visit-form textarea[name=concerns]', '腿疼，不愿出门');
    await chen.fill('#visit-form textarea[name=followUp]', '联系村医上门');
    await chen.click('#visit-form button.primary');
    await chen.waitForSelector(due, { state: 'detached', timeout: 15_000 });
    await chen.click(`#households tr[data-household-id="${HOME}"] [data-history]`);
    await chen.waitForSelector('#history li[data-visit-id]', { timeout: 15_000 });
    expect(await chen.textContent('#history')).toContain('情绪：低落 · 问题：腿疼，不愿出门 · 跟进：联系村医上门');
    expect((await f.service.dueCheckIns(chenActor)).filter((d) => d.schedule.id === schedule.id)).toEqual([]);
    await chen.close();
  });

  it('an SOS the family and the counsellor decline rings the village contact’s page at once; answering joins the home', async () => {
    await deviceOnline();
    const grid = await open(still, 'grid.html', person(SEED.villageContacts.zhangzhuang, 'grid-worker', '王建华'), 'grid');
    await grid.waitForSelector('#list');
    await device.click('#sos');
    await device.waitForSelector('#outgoing[data-sos="true"]:not([hidden]) li[data-step="0"]', { timeout: 15_000 });
    const call = (await f.repo.listOpenCalls(HOME))[0]!;
    for (const id of [SEED.family.zhangWei, SEED.family.liNa, SEED.family.zhangLei]) await f.service.declineCall(f.person(id, 'family'), call.id);
    await f.service.declineCall(f.person(SEED.counsellors.chen, 'counsellor', '陈静'), call.id);
    const row = `.grid-call[data-call-id="${call.id}"][data-state="ringing"]`;
    await grid.waitForSelector(row, { timeout: 15_000 });
    expect(await grid.textContent(row)).toContain('求助');
    await grid.click(`${row} [data-act=answer]`);
    await device.waitForFunction(() => document.body.dataset.state === 'in-call', null, { timeout: 15_000 });
    for (const page of [device, grid]) await waitFor(() => media(page), (m) => m.framesDecoded > 0 && m.audioPackets > 0);
    const { events } = await f.service.callTimeline(f.person(SEED.counsellors.chen, 'counsellor'), call.id);
    expect(events.filter((e) => e.type === 'escalated').map((e) => [e.data.to, e.data.reason])).toEqual([
      ['counsellor', 'all-declined'],
      ['grid-worker', 'all-declined'],
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'answered', personId: SEED.villageContacts.zhangzhuang });
    await grid.click('.call-controls [data-act=leave]');
    await device.waitForFunction(() => document.body.dataset.state === 'idle', null, { timeout: 15_000 });
    await grid.close();
  });
});
