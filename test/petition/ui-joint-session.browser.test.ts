// Issue 3's acceptance, through the real pages: a petitioner taps a category on the village
// terminal → an official of the routed office accepts it on the desk → both decode each other's
// video → the official invites a second office → an official there joins from the desk → all three
// decode each other's video → the handling opinion is written → the petitioner rates on the
// terminal and sees the case number → the case timeline holds every step with actor and time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DbPetitionRepository } from '../../server/petition/repository.ts';
import type { Official, Terminal, TimelineEvent } from '../../server/petition/types.ts';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { remoteMedia, waitFor, type RemoteMedia } from '../support/media.ts';
import { openSignedIn, petitionTokens } from './ui-support.ts';

/** Every page decodes video from `peers` other peers, and keeps decoding: each one's count grows. */
async function decodesOthers(name: string, page: Page, peers: number): Promise<void> {
  const decoding = (m: RemoteMedia) => Object.values(m.byPeer).filter((p) => p.framesDecoded > 0).length;
  const first = await waitFor(() => remoteMedia(page), (m) => decoding(m) >= peers, { what: `${name} decodes ${peers} remote videos`, timeoutMs: 20_000 });
  const decoded = Object.entries(first.byPeer).filter(([, p]) => p.framesDecoded > 0);
  const later = await waitFor(
    () => remoteMedia(page),
    (m) => decoded.every(([peer, p]) => (m.byPeer[peer]?.framesDecoded ?? 0) > p.framesDecoded),
    { what: `${name}: frames from every remote video keep coming`, timeoutMs: 10_000 },
  );
  for (const [peer, p] of decoded) expect(later.byPeer[peer]?.framesDecoded, `${name}: frames from ${peer} keep coming`).toBeGreaterThan(p.framesDecoded);
}

describe('视频接访 pages: a joint session from the village terminal to two offices', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  const errors: string[] = [];

  beforeAll(async () => {
    platform = await startTestPlatform();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.cleanup();
    await platform?.close();
  });

  const tokens = () => petitionTokens(platform);
  const terminalToken = (t: Terminal) => tokens().terminal(t);
  const officialToken = (o: Official) => tokens().staff(o);
  const open = (name: string, path: string, token: string) => openSignedIn(browser, platform.url, errors, name, path, token);

  it('start by one tap → accept → invite → join → opinion → rating, every step on the timeline', async () => {
    const repo = new DbPetitionRepository(platform.services.store);
    // A village terminal in 砀山县: 拖欠工资 goes to 砀山县人社局; 砀山县住建局 is invited.
    const terminal = (await repo.listTerminals()).find((t) => t.level === 'village' && t.regionCode.startsWith('341321'))!;
    const officials = await repo.listOfficials();
    const rs = officials.find((o) => o.departmentId === '341321-rs' && !o.post && !o.head)!;
    const zj = officials.find((o) => o.departmentId === '341321-zj' && !o.post && !o.head)!;
    expect((await repo.listDepartments()).map((d) => d.id)).toEqual(expect.arrayContaining(['341321-rs', '341321-zj']));

    const desk = await open('rs', 'official.html', officialToken(rs));
    const desk2 = await open('zj', 'official.html', officialToken(zj));
    await desk.locator('#queue-count').filter({ hasText: '人等待' }).waitFor();
    const kiosk = await open('terminal', 'terminal.html', terminalToken(terminal));

    // One tap on a big category button, nothing typed.
    await kiosk.locator('[data-category=wages]').click();
    const caseId = (await kiosk.locator('.waiting [data-case-id]').textContent())!.trim();
    expect(caseId).toMatch(/^XF\d{8}-\d{6}$/);
    // The rs desk is open and free: the place is one it can take now (wait.ts), so no estimate.
    await expect.poll(() => kiosk.locator('.position').textContent()).toContain('马上为您接通');

    // The routed office's desk sees it (live push), takes it and accepts.
    await desk.locator(`#queue [data-ticket^="${caseId}"]`).waitFor({ timeout: 10_000 });
    await desk.locator('[data-act=next]').click();
    await desk.locator('[data-act=accept-offer]').click();
    await desk.locator(`#case-head [data-case-id]`).filter({ hasText: caseId }).waitFor();

    // The terminal follows into the call; both decode each other.
    await kiosk.locator('.incall .call-banner').waitFor({ timeout: 10_000 });
    await decodesOthers('terminal', kiosk, 1);
    await decodesOthers('rs desk', desk, 1);

    // Invite 住建局; its desk is told and joins.
    await desk.locator('[name=invite]').selectOption('341321-zj');
    await desk.locator('[data-act=invite]').click();
    await desk2.locator('#banner [data-join]').click({ timeout: 10_000 });
    await desk2.locator('#case-head [data-state=joint_session]').waitFor({ timeout: 10_000 });
    for (const [name, page] of [['terminal', kiosk], ['rs desk', desk], ['zj desk', desk2]] as const) await decodesOthers(name, page, 2);

    // The coordinator sees the joint session live.
    const coordinatorToken = tokens().coordinator();
    const overview = await open('coordinator', 'coordinator.html', coordinatorToken);
    await overview.locator(`[data-session="${caseId}"]`).waitFor({ timeout: 10_000 });
    expect(await overview.locator(`[data-session="${caseId}"]`).textContent()).toContain('联合接访');
    await overview.close();

    // The handling opinion; the terminal asks for a rating with big buttons.
    await desk.locator('[name=opinion]').fill('经核实，用工单位拖欠工资属实，责成其十日内结清，人社局跟踪督办。');
    await desk.locator('[data-act=opinion]').click();
    await kiosk.locator('[data-rate=satisfied]').click({ timeout: 10_000 });
    await kiosk.locator('[data-receipt]').waitFor();
    expect((await kiosk.locator('.receipt-no').textContent())!.trim()).toBe(caseId);
    expect(await kiosk.locator('.receipt').textContent()).toContain('满意');

    // The lead ends the session.
    await desk.locator('[data-act=end]').click();
    await desk.locator('#timeline [data-event=session_ended]').waitFor({ timeout: 10_000 });
    // Ending closes the room for everyone (and seals its recording).
    expect(platform.rooms.get(`petition:${caseId}`)).toBeUndefined();

    // The timeline, as the coordinator reads it: every step, its actor and its time.
    const res = await fetch(`${platform.url}/api/petition/cases/${caseId}/timeline`, { headers: { authorization: `Bearer ${coordinatorToken}` } });
    const { data: timeline } = (await res.json()) as { data: TimelineEvent[] };
    const steps = timeline.map((e) => [e.type, e.actorRole, e.actorId]);
    expect(steps).toEqual([
      ['registered', 'terminal', terminal.id],
      ['queued', 'terminal', terminal.id],
      ['claimed', 'official', rs.id],
      ['invited', 'official', rs.id],
      ['joined', 'official', zj.id],
      ['opinion_written', 'official', rs.id],
      // The accepted opinion at intake is also the 受理告知 (docs/case-life.md).
      ['acceptance_notified', 'official', rs.id],
      ['rated', 'terminal', terminal.id],
      ['session_ended', 'official', rs.id],
    ]);
    expect(timeline.find((e) => e.type === 'invited')!.data).toMatchObject({ departmentId: '341321-zj' });
    // Who acted is named, not only identified.
    expect(timeline.find((e) => e.type === 'joined')!.actorName).toBe(zj.name);
    expect(timeline.find((e) => e.type === 'rated')!.actorName).toBe(terminal.name);
    expect(timeline.find((e) => e.type === 'rated')!.data).toMatchObject({ rating: 'satisfied' });
    const times = timeline.map((e) => Date.parse(e.at));
    for (const [i, t] of times.entries()) {
      expect(Number.isFinite(t)).toBe(true);
      if (i > 0) expect(t).toBeGreaterThanOrEqual(times[i - 1]!);
    }
    expect(errors).toEqual([]);
    for (const p of [kiosk, desk, desk2]) await p.close();
  }, 120_000);

  it('the terminal falls back to audio only and back; a transfer hands the petitioner to the other office in the same call', async () => {
    const repo = new DbPetitionRepository(platform.services.store);
    const terminal = (await repo.listTerminals()).filter((t) => t.level === 'village' && t.regionCode.startsWith('341321'))[1]!;
    const officials = await repo.listOfficials();
    const rs = officials.find((o) => o.id === 'O341321-rs-2')!;
    const zj = officials.find((o) => o.id === 'O341321-zj-2')!;
    const desk = await open('rs-2', 'official.html', officialToken(rs));
    const desk2 = await open('zj-2', 'official.html', officialToken(zj));
    const kiosk = await open('terminal-2', 'terminal.html', terminalToken(terminal));

    await kiosk.locator('[data-category=social_insurance]').click();
    const caseId = (await kiosk.locator('.waiting [data-case-id]').textContent())!.trim();
    // Poor network: audio only, chosen while waiting.
    await kiosk.locator('.waiting [data-act=audio-only]').click();
    await desk.locator(`#queue [data-ticket^="${caseId}"]`).waitFor({ timeout: 10_000 });
    await desk.locator('[data-act=next]').click();
    await desk.locator('[data-act=accept-offer]').click();
    await kiosk.locator('.incall').waitFor({ timeout: 10_000 });
    const tracksOf = (m: RemoteMedia) => Object.values(m.byPeer).reduce((t, p) => ({ video: t.video + p.videoTracks, audio: t.audio + p.audioTracks }), { video: 0, audio: 0 });
    const audioOnly = await waitFor(() => remoteMedia(kiosk), (m) => m.audioPackets > 0, { what: 'terminal hears the official', timeoutMs: 20_000 });
    expect(tracksOf(audioOnly).video).toBe(0);
    const deskSide = await waitFor(() => remoteMedia(desk), (m) => tracksOf(m).audio === 1 && m.audioPackets > 0, { what: 'desk hears the terminal', timeoutMs: 20_000 });
    expect(tracksOf(deskSide).video).toBe(0);

    // Back to video from the call's own buttons.
    await kiosk.locator('.call-controls [data-act=audio-only]').click();
    await decodesOthers('terminal (video again)', kiosk, 1);
    await decodesOthers('rs-2 desk', desk, 1);

    // Transfer to 住建局 with a reason; the petitioner stays in the room for the new office.
    await desk.locator('.act-more summary').first().click();
    await desk.locator('[name=transfer]').selectOption('341321-zj');
    await desk.locator('[name=transfer-reason]').fill('涉及房屋质量，属住建部门职责');
    await desk.locator('[data-act=transfer]').click();
    await kiosk.locator('.call-banner').filter({ hasText: '转接' }).waitFor({ timeout: 10_000 });
    await desk2.locator(`#queue [data-ticket^="${caseId}"]`).waitFor({ timeout: 10_000 });
    await desk2.locator('[data-act=next]').click();
    await desk2.locator('[data-act=accept-offer]').click();
    await desk2.locator('#case-head [data-state=in_session]').waitFor({ timeout: 10_000 });
    await decodesOthers('terminal with zj-2', kiosk, 1);
    await decodesOthers('zj-2 desk', desk2, 1);
    await kiosk.locator('.call-banner').filter({ hasText: '工作人员已接通' }).waitFor({ timeout: 10_000 });

    const timeline = desk2.locator('#timeline');
    await timeline.locator('[data-event=transferred]').waitFor();
    expect(await timeline.locator('[data-event=transferred]').textContent()).toContain('涉及房屋质量');
    expect(await timeline.locator('[data-event=claimed]').count()).toBe(2);
    expect(errors).toEqual([]);
    for (const p of [kiosk, desk, desk2]) await p.close();
  }, 120_000);
});
