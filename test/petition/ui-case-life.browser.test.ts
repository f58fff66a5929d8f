// Issue 13's acceptance through the real pages in Chromium, with the real server, Redis, SFU and
// recorder: one case walked through its life by an official, the department head and the
// petitioner at terminals — 受理告知 in the call, an extension the head approves, the reply the
// head signs off (its document and SHA-256, printable and as PDF), the result rated at another
// terminal by case number + query code on the keypad, 复查 asked for there and received by the
// level above in a recorded session of its own; a call-back asked for at a terminal rings that
// terminal point when the official calls back; and a case past its 60 days (the server's clock
// moved by the test hook) on the official's, the head's and the coordinator's lists.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DbPetitionRepository } from '../../server/petition/repository.ts';
import type { Official, Terminal, TimelineEvent } from '../../server/petition/types.ts';
import type { CaseDocumentWithHtml, CaseLife } from '../../server/protocol/http/petition-shapes.ts';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { remoteMedia, waitFor } from '../support/media.ts';
import { openSignedIn, petitionTokens } from './ui-support.ts';

const DAY = 86_400_000;

describe('the case life through the pages: official, head and petitioner at terminals', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  const errors: string[] = [];
  /** The server's clock runs this far ahead of the wall clock (the test hook; nothing waits). */
  let ahead = 0;
  let terminals: Terminal[];
  let officials: Official[];

  beforeAll(async () => {
    platform = await startTestPlatform({}, { petition: { now: () => new Date(Date.now() + ahead) } });
    browser = await launchBrowser();
    const repo = new DbPetitionRepository(platform.services.store);
    terminals = (await repo.listTerminals()).filter((t) => t.level === 'village' && t.regionCode.startsWith('341321'));
    officials = await repo.listOfficials();
  });
  afterAll(async () => {
    await browser?.cleanup();
    await platform?.close();
  });

  const tokens = () => petitionTokens(platform);
  const terminalToken = (t: Terminal) => tokens().terminal(t);
  const staffToken = (id: string) => tokens().staff(officials.find((x) => x.id === id)!);
  const coordinatorToken = () => tokens().coordinator();
  const api = async <T,>(path: string, token: string): Promise<T> => {
    const res = await fetch(`${platform.url}/api/petition${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status, path).toBe(200);
    return ((await res.json()) as { data: T }).data;
  };

  const open = (name: string, path: string, token: string) => openSignedIn(browser, platform.url, errors, name, path, token);

  const decodes = (name: string, page: Page) =>
    waitFor(
      () => remoteMedia(page),
      (m) => m.framesDecoded > 10,
      { what: `${name} decodes remote video`, timeoutMs: 25_000 },
    );

  /** The terminal's keypad: the case number's digits, then the query code. */
  async function lookUp(kiosk: Page, caseId: string, code: string): Promise<void> {
    await kiosk.locator('[data-act=lookup]').click();
    for (const d of caseId.replace(/\D/g, '') + code) await kiosk.locator(`.keypad [data-key="${d}"]`).click();
    expect(await kiosk.locator('#entry-case').textContent()).toBe(`XF ${caseId.slice(2)}`);
    await kiosk.locator('[data-act=lookup-submit]').click();
    await kiosk.locator(`[data-found="${caseId}"]`).waitFor({ timeout: 10_000 });
  }

  /** A petition taken in a call by the office's official, accepted in it (受理告知), rated, ended: its number and query code. */
  async function receivedAndAccepted(kiosk: Page, desk: Page, category: string): Promise<{ caseId: string; code: string }> {
    await kiosk.locator(`[data-category=${category}]`).click();
    const caseId = (await kiosk.locator('.waiting [data-case-id]').textContent())!.trim();
    await desk.locator(`#queue [data-ticket^="${caseId}"]`).waitFor({ timeout: 10_000 });
    await desk.locator('[data-act=next]').click();
    await desk.locator('[data-act=accept-offer]').click();
    await kiosk.locator('.incall .call-banner').waitFor({ timeout: 15_000 });
    await decodes('terminal (intake)', kiosk);
    await desk.locator('[name=opinion]').fill('属于本局职权范围，予以受理，依法调查处理。');
    await desk.locator('[data-act=opinion]').click();
    await kiosk.locator('[data-rate=satisfied]').click({ timeout: 10_000 });
    const code = (await kiosk.locator('[data-receipt] [data-query-code]').textContent({ timeout: 10_000 }))!.trim();
    expect(code).toMatch(/^\d{6}$/);
    expect((await kiosk.locator('.receipt-no').textContent())!.trim()).toBe(caseId);
    await desk.locator('[data-act=end]').click();
    await desk.locator('#timeline [data-event=session_ended]').waitFor({ timeout: 10_000 });
    await kiosk.locator('[data-act=done]').click();
    return { caseId, code };
  }

  it('one case, every step: acceptance, an extension the head approves, the reply, a rating by number + code, 复查 by the level above', async () => {
    const [kioskA, kioskB] = [terminals[0]!, terminals[1]!];
    const desk = await open('rs desk', 'official.html', staffToken('O341321-rs-1'));
    await desk.locator('#queue-count').filter({ hasText: '人等待' }).waitFor();
    const kiosk = await open('terminal A', 'terminal.html', terminalToken(kioskA));
    const { caseId, code } = await receivedAndAccepted(kiosk, desk, 'wages');

    // The official's case work: the case is on "my cases" with its 60-day clock running.
    const work = await open('rs cases', 'cases.html', staffToken('O341321-rs-1'));
    await work.locator(`#list-mine [data-case="${caseId}"]`).waitFor({ timeout: 10_000 });
    await work.locator(`#list-mine [data-case="${caseId}"] button`).click();
    await work.locator('#clocks [data-clock=handling][data-level=ok]').waitFor();
    expect(await work.locator('#clocks [data-clock=acceptance]').textContent()).toContain('按期完成');
    expect(await work.locator('#documents [data-document]').count()).toBe(1);
    await work.locator('[name=note]').fill('已约谈用工单位负责人，调取考勤记录。');
    await work.locator('[data-act=note]').click();
    await work.locator('#timeline [data-event=note_added]').waitFor({ timeout: 10_000 });
    // Joint handling: 住建局 co-handles, 人社局 stays lead.
    await work.locator('[name=coHandler]').selectOption('341321-zj');
    await work.locator('[data-act=co-handler]').click();
    await work.locator('#timeline [data-event=co_handler_added]').waitFor({ timeout: 10_000 });
    expect(await work.locator('#facts').textContent()).toMatch(/人力资源和社会保障局（主办）、.*住房和城乡建设局/);
    await work.locator('#extension summary').click();
    await work.locator('[name=extendDays]').fill('20');
    await work.locator('[name=extendReason]').fill('需调取银行流水，情况复杂');
    await work.locator('[data-act=extend]').click();
    await work.locator('#life-approvals [data-approval]').filter({ hasText: '待审批' }).waitFor({ timeout: 10_000 });

    // The head (a second person) sees it waiting and approves it.
    const head = await open('rs head', 'cases.html', staffToken('H341321-rs'));
    const pendingExt = head.locator('#list-approvals [data-approval]').filter({ hasText: caseId });
    await pendingExt.waitFor({ timeout: 10_000 });
    expect(await pendingExt.textContent()).toContain('需调取银行流水');
    await pendingExt.locator('[data-approve]').click();
    await head.locator('#list-approvals .empty').waitFor({ timeout: 10_000 });
    await work.locator('#life-approvals [data-approval]').filter({ hasText: '已同意' }).waitFor({ timeout: 10_000 });
    const coordinator = coordinatorToken();
    let life = await api<CaseLife>(`/cases/${caseId}/life`, coordinator);
    expect(life.clocks.find((k) => k.kind === 'handling')).toMatchObject({ extensionDays: 20, state: 'running' });

    // The reply: written by the handler, signed off by the head, issued as 处理意见书.
    await work.locator('[name=reply]').fill('经查，用工单位拖欠工资属实。\n已责令其十日内足额支付，人社局跟踪督办。');
    await work.locator('[data-act=reply]').click();
    await work.locator('[data-next]').filter({ hasText: '等待负责人审核答复' }).waitFor({ timeout: 10_000 });
    const pendingReply = head.locator('#list-approvals [data-approval]').filter({ hasText: '答复签发' });
    await pendingReply.waitFor({ timeout: 10_000 });
    await pendingReply.locator('[data-approve]').click();
    await work.locator('#documents [data-document]').nth(1).waitFor({ timeout: 10_000 });
    await work.locator('[data-stage]').filter({ hasText: '已答复' }).waitFor({ timeout: 10_000 });
    life = await api<CaseLife>(`/cases/${caseId}/life`, coordinator);
    const replyDoc = life.documents.find((d) => d.kind === 'reply')!;

    // The document as printed: the page shows the stored SHA-256 of exactly what was issued, and prints to PDF.
    const stored = await api<CaseDocumentWithHtml>(`/documents/${replyDoc.id}`, coordinator);
    expect(createHash('sha256').update(stored.html).digest('hex')).toBe(replyDoc.sha256);
    const docPage = await open('document', `document.html?id=${encodeURIComponent(replyDoc.id)}`, staffToken('O341321-rs-1'));
    expect((await docPage.locator('[data-sha256]').textContent())!.trim()).toBe(replyDoc.sha256);
    const body = docPage.frameLocator('iframe').locator('body');
    await expect.poll(() => body.textContent()).toContain('已责令其十日内足额支付');
    expect(await body.textContent()).toContain(replyDoc.number);
    await docPage.emulateMedia({ media: 'print' });
    const pdf = await docPage.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(5_000);
    await docPage.close();

    // Another village terminal, nothing typed but digits: the case, its answer, its documents.
    const other = await open('terminal B', 'terminal.html', terminalToken(kioskB));
    await lookUp(other, caseId, code);
    expect(await other.locator('[data-row=stage]').textContent()).toBe('已答复');
    expect(await other.locator('[data-answer]').textContent()).toContain('已责令其十日内足额支付');
    await other.locator(`[data-document="${replyDoc.id}"]`).click();
    await expect.poll(() => other.frameLocator('#document iframe').locator('h1').textContent()).toBe('信访事项处理意见书');
    await other.locator('[data-act=close-document]').click();
    await other.locator('[data-rate-result=unsatisfied]').click();
    await other.locator('[data-rated]').filter({ hasText: '不满意' }).waitFor({ timeout: 10_000 });

    // 复查 from there: the level above (宿州市人社局) receives the petitioner at terminal B, by video, recorded.
    const cityDesk = await open('city rs desk', 'official.html', staffToken('O341300-rs-1'));
    await cityDesk.locator('#queue-count').waitFor();
    await other.locator('[data-act=review]').click();
    await other.locator(`.waiting [data-case-id]`).filter({ hasText: caseId }).waitFor({ timeout: 10_000 });
    await cityDesk.locator(`#queue [data-ticket^="${caseId}"]`).waitFor({ timeout: 10_000 });
    await cityDesk.locator('[data-act=next]').click();
    await cityDesk.locator('[data-act=accept-offer]').click();
    await other.locator('.incall .call-banner').waitFor({ timeout: 15_000 });
    await decodes('terminal B (复查)', other);
    await decodes('city desk', cityDesk);

    const cityWork = await open('city rs cases', `cases.html?case=${caseId}`, staffToken('O341300-rs-1'));
    await cityWork.locator('[data-next]').filter({ hasText: '出具复查意见' }).waitFor({ timeout: 10_000 });
    await cityWork.locator('[name=reply]').fill('经复查，原处理意见认定事实清楚，予以维持。');
    await cityWork.locator('[data-act=reply]').click();
    await cityWork.locator('[data-next]').filter({ hasText: '等待负责人审核答复' }).waitFor({ timeout: 10_000 });
    await cityDesk.locator('[data-act=end]').click();
    await cityDesk.locator('#timeline [data-event=session_ended]').nth(1).waitFor({ timeout: 10_000 });
    const cityHead = await open('city rs head', 'cases.html', staffToken('H341300-rs'));
    const review = cityHead.locator('#list-approvals [data-approval]').filter({ hasText: caseId });
    await review.waitFor({ timeout: 10_000 });
    await review.locator('[data-approve]').click();
    await cityWork.locator('[data-stage]').filter({ hasText: '已复查' }).waitFor({ timeout: 10_000 });

    // Two sessions recorded for the case: the intake call and the review, each its own, with bytes on disk.
    const sessions = await waitFor(
      () => platform.services.archive.catalog.search({ caseNumber: caseId }),
      (rows) => rows.length === 2 && rows.every((r) => r.status === 'stopped' && r.bytes > 0),
      { what: 'two stopped recordings of the case', timeoutMs: 30_000 },
    );
    expect(new Set(sessions.map((s) => s.sessionId)).size).toBe(2);
    expect(sessions.map((s) => s.terminalId).sort()).toEqual([kioskA.id, kioskB.id].sort());

    // The case's history: every step with who did it.
    const timeline = await api<TimelineEvent[]>(`/cases/${caseId}/timeline`, coordinator);
    const steps = timeline.filter((e) => !['queued', 'claimed', 'session_ended', 'rated', 'opinion_written'].includes(e.type)).map((e) => `${e.type}:${e.actorId}`);
    expect(steps).toEqual([
      `registered:${kioskA.id}`,
      'acceptance_notified:O341321-rs-1',
      'note_added:O341321-rs-1',
      'co_handler_added:O341321-rs-1',
      'extension_requested:O341321-rs-1',
      'extension_decided:H341321-rs',
      'deadline_extended:H341321-rs',
      'reply_submitted:O341321-rs-1',
      'reply_decided:H341321-rs',
      'reply_issued:H341321-rs',
      `result_rated:${kioskB.id}`,
      `review_requested:${kioskB.id}`,
      'reply_submitted:O341300-rs-1',
      'reply_decided:H341300-rs',
      'reply_issued:H341300-rs',
    ]);
    expect(timeline.filter((e) => e.type === 'claimed').map((e) => e.actorId)).toEqual(['O341321-rs-1', 'O341300-rs-1']);
    expect(errors).toEqual([]);
    for (const p of [kiosk, desk, work, head, other, cityDesk, cityWork, cityHead]) await p.close();
  }, 240_000);

  it('a call-back asked for at a terminal rings that terminal point when the official calls back by video', async () => {
    const kioskC = terminals[2]!;
    const desk = await open('rs-2 desk', 'official.html', staffToken('O341321-rs-2'));
    await desk.locator('#queue-count').filter({ hasText: '人等待' }).waitFor();
    const kiosk = await open('terminal C', 'terminal.html', terminalToken(kioskC));
    const { caseId, code } = await receivedAndAccepted(kiosk, desk, 'wages');
    await desk.close();

    await lookUp(kiosk, caseId, code);
    await kiosk.locator('[data-act=ask-callback]').click();
    await kiosk.locator('[data-callback-state]').filter({ hasText: '已申请回电' }).waitFor({ timeout: 10_000 });
    await kiosk.locator('[data-act=back-to-start]').click();

    const work = await open('rs-2 cases', 'cases.html', staffToken('O341321-rs-2'));
    const cb = work.locator('#list-callbacks [data-callback]').filter({ hasText: caseId });
    await cb.waitFor({ timeout: 10_000 });
    await cb.locator('[data-call-video]').click();
    // The terminal rings like an incoming call, with the petitioner's case on screen.
    const ringing = kiosk.locator('[data-ringing]');
    await ringing.waitFor({ timeout: 10_000 });
    expect(await ringing.textContent()).toContain(caseId);
    await kiosk.locator('[data-act=answer]').click();
    await kiosk.locator('.incall .call-banner').waitFor({ timeout: 15_000 });
    await decodes('terminal C (call-back)', kiosk);
    await decodes('official (call-back)', work);
    await work.locator('[data-act=end-call]').click();
    const life = await waitFor(
      () => api<CaseLife>(`/cases/${caseId}/life`, coordinatorToken()),
      (l) => l.callbacks[0]?.state === 'done',
      { what: 'the call-back is done' },
    );
    expect(life.callbacks[0]).toMatchObject({ channel: 'video', terminalId: kioskC.id });
    expect(errors).toEqual([]);
    for (const p of [kiosk, work]) await p.close();
  }, 180_000);

  it('a leader reception slot booked from the terminal’s start screen is admitted first, to that leader, at the slot', async () => {
    const kioskD = terminals[3]!;
    const kiosk = await open('terminal D', 'terminal.html', terminalToken(kioskD));
    await kiosk.locator('[data-act=days]').click();
    const day = kiosk.locator('[data-day]').first();
    await day.waitFor({ timeout: 10_000 });
    const dayId = (await day.getAttribute('data-day'))!;
    await day.locator('[data-slot]:not([disabled])').nth(1).click();
    expect(await kiosk.locator('[data-chosen-slot]').textContent()).toContain('分管');
    await kiosk.locator('[data-book-category=wages]').click();
    await kiosk.locator('[data-receipt]').waitFor({ timeout: 10_000 });
    expect(await kiosk.locator('.receipt-title').textContent()).toContain('已为您预约');
    const caseId = (await kiosk.locator('.receipt-no').textContent())!.trim();
    const coordinator = coordinatorToken();
    const booked = await api<{ state: string; appointment: { dayId: string; slot: number; at: string } }>(`/cases/${caseId}`, coordinator);
    expect(booked).toMatchObject({ state: 'appointment', appointment: { dayId } });

    // At the slot (the server's clock moved there) the sweep reminds and admits it: first on the leader's own desk queue.
    const days = await api<{ id: string; officialId: string; departmentId: string }[]>('/reception-days', coordinator);
    const leaderId = days.find((d) => d.id === dayId)!.officialId;
    ahead = Date.parse(booked.appointment.at) - Date.now() + 1000;
    await platform.services.petition.sweep();
    const desk = await open('leader desk', 'official.html', staffToken(leaderId));
    const first = desk.locator('#queue li').first();
    await first.waitFor({ timeout: 10_000 });
    expect(await first.getAttribute('data-ticket')).toMatch(new RegExp(`^${caseId}`));
    expect(await first.textContent()).toContain('预约');
    const timeline = await api<TimelineEvent[]>(`/cases/${caseId}/timeline`, coordinator);
    expect(timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['appointment_booked', 'appointment_reminded', 'appointment_admitted']));
    ahead = 0;
    expect(errors).toEqual([]);
    for (const p of [kiosk, desk]) await p.close();
  }, 120_000);

  it('a case past its 60 days shows on the official’s, the head’s and the coordinator’s lists', async () => {
    // The call-back case of the test before is being handled by 砀山县人社局: move the server's clock past its due date.
    const coordinator = coordinatorToken();
    const mine = await api<{ cases: { case: { id: string }; clock: { kind: string; dueAt: string } | null }[] }>('/work', staffToken('O341321-rs-2'));
    const item = mine.cases.find((i) => i.clock?.kind === 'handling')!;
    const caseId = item.case.id;
    ahead = Date.parse(item.clock!.dueAt) - Date.now() + DAY;
    const official = await open('rs-2 cases', 'cases.html', staffToken('O341321-rs-2'));
    await official.locator(`#list-mine [data-case="${caseId}"] [data-clock-level=over]`).waitFor({ timeout: 10_000 });
    const head = await open('rs head', 'cases.html', staffToken('H341321-rs'));
    await head.locator(`#list-deadlines [data-case="${caseId}"] [data-clock-level=over]`).waitFor({ timeout: 10_000 });
    const overview = await open('coordinator', 'cases.html', coordinator);
    await overview.locator(`#list-overdue [data-case="${caseId}"]`).waitFor({ timeout: 10_000 });
    expect(await overview.locator(`#list-overdue [data-case="${caseId}"]`).textContent()).toContain('已超期');
    expect(errors).toEqual([]);
    for (const p of [official, head, overview]) await p.close();
  }, 120_000);
});
