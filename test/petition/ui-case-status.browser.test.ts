// The phone page a receipt's QR code opens (case.html?case=<number>), in Chromium at 375×667 with
// no session, against the real server: without the query code it shows nothing of the case (a
// wrong code is the same plain refusal as an unknown case, five lock the case's lookups, the
// right one then refused too); with it, the case's state in words as the case moves on —
// registered, in handling, answered and to be rated — its deadlines and the reply, in Chinese
// and, switched, in English; nothing else of the case on the page or in the answer; and the page
// fits the phone's width with text of at least 18 px.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { headId } from '../../server/petition/seed.ts';
import type { Actor } from '../../server/petition/types.ts';
import { browserPlatform } from '../support/browser-platform.ts';
import { DANGSHAN_RS, VILLAGE_TERMINAL, officialActor, terminalActor } from './support.ts';

const CJK = /[\u3400-\u9fff\uff00-\uffef]/;
const PHONE = { width: 375, height: 667 };
const head: Actor = { id: headId(DANGSHAN_RS), name: '负责人', role: 'head' };
const rs = officialActor('O341321-rs-1');
const kiosk = terminalActor(VILLAGE_TERMINAL);
const REPLY = '经查，拖欠工资属实。\n已责令用工单位十日内结清。';

describe('the case status page on a phone', () => {
  const env = browserPlatform();
  const errors: string[] = [];

  const status = (body: unknown) =>
    fetch(`${env.platform.url}/api/petition/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as { ok: boolean; data?: Record<string, unknown>; error?: { code: string; details?: { reason?: string } } } }));

  /** The QR code's address opened on a phone: the number filled in, the code typed, 查询 tapped. */
  async function openAndAsk(caseId: string, code: string | null): Promise<Page> {
    const page = await env.browser.newPage();
    await page.setViewportSize(PHONE);
    page.on('pageerror', (e) => errors.push(`[phone] ${e.message}`));
    await page.goto(`${env.platform.url}/case.html?case=${encodeURIComponent(caseId)}`);
    await expect.poll(() => page.locator('input[name=case]').inputValue(), { timeout: 15_000 }).toBe(caseId);
    if (code !== null) await page.locator('input[name=code]').fill(code);
    await page.locator('#submit').click();
    return page;
  }

  const phase = (page: Page) => page.locator('[data-phase]').textContent({ timeout: 15_000 });
  const error = (page: Page) => page.locator('#error').textContent();
  const errorShown = (page: Page, text: string) => expect.poll(() => error(page), { timeout: 15_000 }).toBe(text);

  /** Fits the phone: nothing wider than the screen, every control inside it, text ≥ 18 px. */
  async function fits(page: Page): Promise<string[]> {
    return page.evaluate((w) => {
      const bad: string[] = [];
      if (document.documentElement.scrollWidth > w) bad.push(`page ${document.documentElement.scrollWidth} px wide`);
      for (const el of document.querySelectorAll<HTMLElement>('button, input, h1, h2, p, dt, dd, label')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0) continue;
        if (r.left < 0 || r.right > w + 0.5) bad.push(`${el.tagName.toLowerCase()}#${el.id || el.className} outside the screen (${Math.round(r.left)}–${Math.round(r.right)})`);
        const px = parseFloat(getComputedStyle(el).fontSize);
        if (px < 18) bad.push(`${el.tagName.toLowerCase()}.${el.className} text ${px} px`);
        if ((el.tagName === 'BUTTON' || el.tagName === 'INPUT') && r.height < 44) bad.push(`${el.tagName.toLowerCase()}#${el.id} ${Math.round(r.height)} px tall`);
      }
      return bad;
    }, PHONE.width);
  }

  it('shows nothing without the right code, then the state in words, deadlines and the reply as the case moves on', async () => {
    const started = await env.platform.services.petition.startPetition(kiosk, { terminalId: VILLAGE_TERMINAL, category: 'wages', petitionerName: '王秀英' });
    const caseId = started.case.id;
    const code = started.queryCode!;
    const wrong = code === '000000' ? '111111' : '000000';

    // No code: the page says what is missing and asks the server nothing.
    let page = await openAndAsk(caseId, null);
    await errorShown(page, '查询码为回执上的6位数字');
    expect(await fits(page)).toEqual([]);
    // The form fits the phone's screen without scrolling.
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(PHONE.height);
    // A wrong code: the same words as an unknown case, and nothing of the case.
    await page.locator('input[name=code]').fill(wrong);
    await page.locator('#submit').click();
    await errorShown(page, '编号或查询码不正确');
    expect(await page.locator('[data-status]').count()).toBe(0);
    await page.close();

    // The right code: registered, the 15-day acceptance limit, no reply yet.
    page = await openAndAsk(caseId, code);
    expect(await phase(page)).toBe('已登记');
    expect(await page.locator('[data-case-no]').textContent()).toContain(caseId);
    expect(await page.locator('[data-deadline=acceptance]').textContent()).toMatch(/^截至\d+月\d+日/);
    expect(await page.locator('[data-reply]').count()).toBe(0);
    expect(await fits(page)).toEqual([]);
    await page.close();

    // Received, accepted in the session: in handling, the 60-day limit.
    expect((await env.platform.services.petition.claimNext(rs))?.case.id).toBe(caseId);
    await env.platform.services.petition.life.notifyAcceptance(rs, caseId, { decision: 'accepted', reason: '属于本局职权范围。' });
    await env.platform.services.petition.endSession(rs, caseId);
    page = await openAndAsk(caseId, code);
    expect(await phase(page)).toBe('办理中');
    expect(await page.locator('[data-deadline=handling]').textContent()).toMatch(/^截至/);
    await page.close();

    // The reply signed off: answered, to be rated; the reply's text and the 复查 window.
    const reply = await env.platform.services.petition.life.submitReply(rs, caseId, REPLY);
    await env.platform.services.petition.life.decide(head, reply.id, true, null);
    page = await openAndAsk(caseId, code);
    expect(await phase(page)).toBe('已答复，待评价');
    expect(await page.locator('[data-reply] .reply-text').innerText()).toBe(REPLY);
    expect(await page.locator('[data-deadline=review_window]').textContent()).toMatch(/^可在.+（含）前申请$/);
    expect(await fits(page)).toEqual([]);
    // Nothing else of the case: not the petitioner's name, not the office.
    const text = await page.locator('body').innerText();
    expect(text).not.toContain('王秀英');
    expect(text).not.toMatch(/人力资源|人社/);

    // English, switched on the page: every word but the reply (the office's own words) in English.
    await page.locator('#lang').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await phase(page)).toBe('Answered: please rate it');
    const english = (await page.evaluate(() => [document.title, ...document.body.innerText.split('\n')]))
      .map((l) => l.trim())
      .filter((l) => l && !REPLY.split('\n').includes(l));
    expect(english.filter((l) => CJK.test(l))).toEqual(['中文']);
    expect(await fits(page)).toEqual([]);
    // The phone remembers the choice; back to Chinese for the rest.
    await page.locator('#lang').click();
    await expect.poll(() => phase(page)).toBe('已答复，待评价');
    await page.close();

    // Rated at a terminal: answered.
    await env.platform.services.petition.lookup(kiosk, caseId, code, () => env.platform.services.petition.life.rateResult(kiosk, caseId, 'satisfied', 'terminal'));
    page = await openAndAsk(caseId, code);
    expect(await phase(page)).toBe('已答复');
    await page.close();

    // The answer itself carries nothing more than the page shows.
    const answer = await status({ caseId, code });
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body.data!).sort()).toEqual(['caseId', 'deadlines', 'phase', 'registeredAt', 'reply']);
    expect(errors).toEqual([]);
  }, 120_000);

  it('refuses with a typed error: a malformed request, a wrong code like an unknown case, and five wrong codes lock even the right one', async () => {
    const started = await env.platform.services.petition.startPetition(kiosk, { terminalId: VILLAGE_TERMINAL, category: 'land' });
    const caseId = started.case.id;
    const code = started.queryCode!;
    const wrong = code === '000000' ? '111111' : '000000';

    expect(await status({ caseId: 'XF1', code })).toMatchObject({ status: 400, body: { ok: false, error: { code: 'bad_request' } } });
    expect(await status({ caseId, code, extra: 1 })).toMatchObject({ status: 400, body: { ok: false, error: { code: 'bad_request' } } });
    const unknown = await status({ caseId: 'XF20000101-999999', code });
    const refused = await status({ caseId, code: wrong });
    expect(refused).toEqual(unknown);
    expect(refused).toMatchObject({ status: 404, body: { ok: false, error: { code: 'not_found', details: { reason: 'lookup_failed' } } } });

    // Four more wrong codes (five in all), on the phone page: then the right code is refused too.
    const page = await openAndAsk(caseId, wrong);
    await errorShown(page, '编号或查询码不正确');
    for (let i = 0; i < 3; i++) {
      const answered = page.waitForResponse((r) => r.url().endsWith('/api/petition/status'));
      await page.locator('#submit').click();
      expect((await answered).status()).toBe(404);
      await errorShown(page, '编号或查询码不正确');
    }
    expect((await status({ caseId, code })).body).toMatchObject({ ok: false, error: { code: 'rate_limited', details: { reason: 'lookup_locked' } } });
    await page.locator('input[name=code]').fill(code);
    await page.locator('#submit').click();
    await errorShown(page, '查询码错误次数过多，请15分钟后再试');
    expect(await page.locator('[data-status]').count()).toBe(0);
    // The lock is the case's, wherever it is asked: a terminal's lookup is refused as well.
    await expect(env.platform.services.petition.lookup(kiosk, caseId, code, async () => null)).rejects.toMatchObject({ code: 'rate_limited' });
    await page.close();
    expect(errors).toEqual([]);
  }, 90_000);
});
