// English is complete on every page: each role page, opened the way its user opens it (the
// development sign-in, or with no session at all) with English chosen, shows no Chinese except
// the names of people and places — data, read from the store the pages are served from, never
// guessed by pattern — and no raw dictionary key. `<html lang>` says English too.
// The terminal is walked past its first screen too: waiting, the receipt, the keypad and what a
// lookup found (its category was the rules' Chinese name in English mode), the call an official
// answers, the call-back asked for, and the call-back ringing (its category was the rules' Chinese
// name too: the push carried only the name).
import { describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Page } from 'playwright-core';
import { browserPlatform } from '../support/browser-platform.ts';
import { waitFor } from '../support/media.ts';
import { startTestPlatform } from '../support/platform.ts';
import { petitionTokens } from '../petition/ui-support.ts';
import { DbPetitionRepository } from '../../server/petition/repository.ts';
import { zh } from '../../client-web/src/i18n/zh.ts';
import { LANGUAGES } from '../../client-web/src/lib/i18n.ts';
import type { DemoIdentity } from '../../server/protocol/http/dev.ts';
import { createFixture, createTestClock, SEED } from '../household/fixture.ts';
import { openPage, personToken } from '../household/ui-support.ts';

const CJK = /[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]/;

/** Every Chinese string the store holds (the seeded directory: people, places, offices), JSON columns too. */
async function storedNames(db: Kysely<any>): Promise<string[]> {
  const names: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      if (/^[[{]/.test(v)) {
        try {
          return walk(JSON.parse(v));
        } catch {
          // Not JSON: a plain string that happens to start with a bracket.
        }
      }
      if (CJK.test(v)) names.push(v);
    } else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  for (const table of await db.introspection.getTables()) walk(await db.selectFrom(table.name).selectAll().execute());
  return names;
}

/**
 * A dictionary key shown as it is (`terminal.start.title`): i18next's answer for a key it lacks.
 * Keys begin with one of the dictionary's sections; a page's file name (`terminal.html`) is not one.
 */
const RAW_KEY = new RegExp(`(?:^|[^\\w.])((?:${Object.keys(zh).join('|')})\\.[A-Za-z][\\w.]*)`, 'g');
const rawKeys = (line: string) => [...line.matchAll(RAW_KEY)].map((m) => m[1]!).filter((k) => !/\.(html|css|js|svg)$/.test(k));

/** What a person reads on the page now: its text, and the placeholder, title and aria-label of its elements. */
function readable(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out = [document.title, ...document.body.innerText.split('\n')];
    for (const el of document.querySelectorAll('[placeholder], [title], [aria-label]')) {
      for (const a of ['placeholder', 'title', 'aria-label']) {
        const v = el.getAttribute(a);
        if (v) out.push(`${a}="${v}"`);
      }
    }
    return out.map((s) => s.trim()).filter(Boolean);
  });
}

/**
 * Counts the page's HTTP requests in flight (its live and signalling channels are WebSocket-only,
 * so they never count): a page has its data once none is pending.
 */
function inFlight(page: Page): () => number {
  let n = 0;
  page.on('request', () => void n++);
  page.on('requestfinished', () => void n--);
  page.on('requestfailed', () => void n--);
  return () => n;
}

/** The page has drawn what it fetched: no request pending, and its text the same on either side of two frames. */
async function settled(page: Page, pending: () => number, what: string): Promise<void> {
  const framesApart = () =>
    page.evaluate(async () => {
      const before = document.body.innerText;
      for (let i = 0; i < 2; i++) await new Promise((r) => requestAnimationFrame(r));
      return before.trim() !== '' && before === document.body.innerText;
    });
  await waitFor(async () => pending() === 0 && (await framesApart()) && pending() === 0, (ok) => ok, { what: `${what} drawn`, timeoutMs: 20_000 });
}

/**
 * Reads a page once it has settled and notes, in `problems`, a `<html lang>` not English, Chinese
 * that is not one of `names` (longest first), and a raw key.
 */
function checker(names: string[], problems: string[]) {
  // An avatar shows one character of a name.
  const initials = new Set(names.flatMap((n) => [...n]));
  return async (page: Page, what: string, pending: () => number): Promise<void> => {
    await settled(page, pending, what);
    const lang = await page.evaluate(() => document.documentElement.lang);
    if (lang !== 'en') problems.push(`${what}: <html lang="${lang}">`);
    for (const line of await readable(page)) {
      let rest = line;
      for (const n of names) if (rest.includes(n)) rest = rest.split(n).join('');
      if (CJK.test(rest) && !initials.has(rest.trim())) problems.push(`${what}: Chinese: ${line}`);
      for (const k of rawKeys(line)) problems.push(`${what}: raw key ${k}: ${line}`);
    }
  };
}

describe('English on every page', () => {
  const env = browserPlatform({ start: () => startTestPlatform({ DEV_TOKENS: '1' }) });

  it('no Chinese but names, no raw keys, <html lang=en>, on every role page', async () => {
    const { url } = env.platform;
    const dev = async <T>(path: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${url}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return ((await res.json()) as { data: T }).data;
    };
    const identities = await dev<DemoIdentity[]>('/dev/identities');
    // Data: the store's names, the development sign-in's people (some are fixed in the server, not
    // stored), and each language's switch, which names the language in itself.
    const names = [...new Set([...(await storedNames(env.platform.services.store.db())), ...identities.flatMap((x) => [x.name, x.detail]), ...Object.values(LANGUAGES).map((l) => l.name)])].sort((a, b) => b.length - a.length);
    // One identity of each kind: each kind opens its own page.
    const firsts = identities.filter((x, i) => identities.findIndex((y) => y.kind === x.kind) === i);

    // The terminal starts every visitor in Chinese; the helper switches it (the `?lang=` of the
    // other pages is not for a kiosk).
    const viaSwitch = async (page: Page) => {
      await page.locator('[data-category]').first().waitFor({ timeout: 15_000 });
      // The switch toggles: press it only while the page is in Chinese.
      if ((await page.evaluate(() => document.documentElement.lang)) !== 'en') await page.locator('#lang').click();
      await page.waitForFunction(() => document.documentElement.lang === 'en', undefined, { timeout: 15_000 });
    };
    const opens: { what: string; path: () => Promise<string>; choose?: (page: Page) => Promise<void> }[] = [
      ...['index', 'sign-in', 'enrol', 'invite', 'terminal', 'device', 'call'].map((p) => ({ what: `${p}.html, no session`, path: async () => `${p}.html?lang=en` })),
      ...firsts.map((x) => ({
        what: `${x.kind} (${x.name})`,
        path: async () => {
          const { code, page } = await dev<{ code: string; page: string }>('/dev/sign-in', { kind: x.kind, id: x.id });
          return `${page}?code=${encodeURIComponent(code)}&lang=en`;
        },
        ...(x.kind === 'terminal' ? { choose: viaSwitch } : {}),
      })),
      { what: 'stats (coordinator)', path: async () => `stats.html?lang=en&token=${encodeURIComponent(petitionTokens(env.platform).coordinator())}` },
    ];

    const problems: string[] = [];
    const check = checker(names, problems);
    for (const o of opens) {
      const page = await env.browser.newPage();
      const pending = inFlight(page);
      page.on('pageerror', (e) => problems.push(`${o.what}: page error ${e.message}`));
      try {
        await page.goto(`${url}/${await o.path()}`);
        if (o.choose) await o.choose(page);
        await check(page, o.what, pending);
      } finally {
        await page.close();
      }
    }

    // The terminal's later screens, in English: waiting, the receipt, the keypad and what a lookup found.
    const repo = new DbPetitionRepository(env.platform.services.store);
    // A village of 砀山县, where 砀山县人社局's officials take wage petitions.
    const terminal = (await repo.listTerminals()).find((t) => t.level === 'village' && t.regionCode.startsWith('341321'))!;
    const official = (await repo.listOfficials()).find((o) => o.id === 'O341321-rs-2')!;
    const kiosk = await env.browser.newPage();
    const pending = inFlight(kiosk);
    kiosk.on('pageerror', (e) => problems.push(`terminal: page error ${e.message}`));
    try {
      await kiosk.goto(`${url}/terminal.html?token=${encodeURIComponent(petitionTokens(env.platform).terminal(terminal))}`);
      await viaSwitch(kiosk);
      await kiosk.locator('[data-category=wages]').click();
      await kiosk.locator('.waiting [data-case-id]').waitFor({ timeout: 15_000 });
      const caseId = (await kiosk.locator('.waiting [data-case-id]').textContent())!.trim();
      await check(kiosk, 'terminal: waiting', pending);
      await kiosk.locator('[data-act=give-up]').click();
      await kiosk.locator('#dialog [data-act=withdraw]').click();
      await kiosk.locator('[data-receipt]').waitFor({ timeout: 15_000 });
      const code = (await kiosk.locator('[data-query-code]').textContent())!.trim();
      await check(kiosk, 'terminal: receipt', pending);
      // A new visitor starts in Chinese: the helper switches again, and looks the case up.
      await kiosk.goto(`${url}/terminal.html?token=${encodeURIComponent(petitionTokens(env.platform).terminal(terminal))}`);
      await viaSwitch(kiosk);
      await kiosk.locator('[data-act=lookup]').click();
      for (const d of (caseId.replace(/\D/g, '') + code).split('')) await kiosk.locator(`[data-key="${d}"]`).click();
      await check(kiosk, 'terminal: keypad', pending);
      await kiosk.locator('[data-act=lookup-submit]').click();
      await kiosk.locator('[data-found]').waitFor({ timeout: 15_000 });
      await check(kiosk, 'terminal: lookup result', pending);

      // An official answers a new visitor: the call screen. The desk and the case pages stay in
      // Chinese (their official's choice); only the terminal is read.
      const staff = petitionTokens(env.platform).staff(official);
      const desk = await env.browser.newPage();
      await desk.goto(`${url}/official.html?token=${encodeURIComponent(staff)}`);
      await kiosk.goto(`${url}/terminal.html?token=${encodeURIComponent(petitionTokens(env.platform).terminal(terminal))}`);
      await viaSwitch(kiosk);
      await kiosk.locator('[data-category=wages]').click();
      const called = (await kiosk.locator('.waiting [data-case-id]').textContent({ timeout: 15_000 }))!.trim();
      await desk.locator(`#queue [data-ticket^="${called}"]`).waitFor({ timeout: 15_000 });
      await desk.locator('[data-act=next]').click();
      await desk.locator('[data-act=accept-offer]').click();
      await kiosk.locator('.incall .call-banner').waitFor({ timeout: 15_000 });
      await check(kiosk, 'terminal: call', pending);
      await desk.locator('[name=opinion]').fill('属于本局职权范围，予以受理，依法调查处理。');
      await desk.locator('[data-act=opinion]').click();
      await kiosk.locator('[data-rate=satisfied]').click({ timeout: 15_000 });
      const calledCode = (await kiosk.locator('[data-receipt] [data-query-code]').textContent({ timeout: 15_000 }))!.trim();
      await desk.locator('[data-act=end]').click();
      await desk.locator('#timeline [data-event=session_ended]').waitFor({ timeout: 15_000 });
      await desk.close();
      await kiosk.locator('[data-act=done]').click();

      // The visitor asks for a call-back; the official calls back by video: the terminal rings
      // with the case and its category on screen.
      await viaSwitch(kiosk);
      await kiosk.locator('[data-act=lookup]').click();
      for (const d of (called.replace(/\D/g, '') + calledCode).split('')) await kiosk.locator(`[data-key="${d}"]`).click();
      await kiosk.locator('[data-act=lookup-submit]').click();
      await kiosk.locator(`[data-found="${called}"]`).waitFor({ timeout: 15_000 });
      await kiosk.locator('[data-act=ask-callback]').click();
      await kiosk.locator('[data-callback-state]').waitFor({ timeout: 15_000 });
      await check(kiosk, 'terminal: call-back asked', pending);
      await kiosk.locator('[data-act=back-to-start]').click();
      await viaSwitch(kiosk);
      const work = await env.browser.newPage();
      try {
        await work.goto(`${url}/cases.html?token=${encodeURIComponent(staff)}`);
        const cb = work.locator('#list-callbacks [data-callback]').filter({ hasText: called });
        await cb.waitFor({ timeout: 15_000 });
        await cb.locator('[data-call-video]').click();
        await kiosk.locator('[data-ringing]').waitFor({ timeout: 15_000 });
        await check(kiosk, 'terminal: ringing call-back', pending);
      } finally {
        await work.close();
      }
    } finally {
      await kiosk.close();
    }
    expect(problems).toEqual([]);
  }, 240_000);
});

// The home device past its idle screen, in English: a call ringing, the missed-call list once it
// rang out, and the call the device makes back to the caller (the call session in progress).
describe('English on the home device', () => {
  const clock = createTestClock();
  const env = browserPlatform({ start: () => startTestPlatform({}, { household: { clock } }) });

  it('ringing, missed calls and in call: no Chinese but names', async () => {
    const { platform, browser } = env;
    const f = await createFixture({}, { tokens: platform.tokens, platform, clock });
    const problems: string[] = [];
    try {
      const names = [...new Set([...(await storedNames(platform.services.store.db())), '客厅终端', ...Object.values(LANGUAGES).map((l) => l.name)])].sort((a, b) => b.length - a.length);
      const check = checker(names, problems);
      const home = SEED.households.zhang;
      const { token } = await f.service.bindDevice(f.admin, home, { id: SEED.devices.zhang, name: '客厅终端', place: 'living-room' });
      const device = await browser.newPage();
      const pending = inFlight(device);
      device.on('pageerror', (e) => problems.push(`device: page error ${e.message}`));
      await device.goto(`${platform.url}/device.html?token=${encodeURIComponent(token)}&lang=en`);
      const state = (s: string) => device.waitForFunction((want) => document.body.dataset.state === want, s, { timeout: 20_000 });
      await state('idle');
      // 张磊 calls and nobody at home answers: it rings, then rings out onto the missed list.
      const family = personToken(platform, SEED.family.zhangLei, 'family', '张磊');
      const caller = await openPage(browser, platform, 'family.html', family, 'zhangLei');
      await caller.click(`[data-household-id="${home}"] [data-act=call]`);
      await state('ringing');
      await check(device, 'device: ringing', pending);
      // Past its ring time (the test clock moved, the household's periodic check run by hand).
      clock.advance(60_000);
      await platform.services.households.tick();
      await device.waitForSelector('#missed li[data-call-id]', { timeout: 20_000 });
      await state('idle');
      await check(device, 'device: missed calls', pending);
      await caller.close();
      // The device calls back; 张磊 answers: the device is in the call.
      const again = await openPage(browser, platform, 'family.html', family, 'zhangLei-again');
      await again.waitForSelector(`[data-household-id="${home}"]`);
      await device.click(`#missed [data-call-back="${SEED.family.zhangLei}"]`);
      await again.waitForSelector('#incoming[data-sos="false"]', { timeout: 15_000 });
      await again.click('#answer');
      await state('in-call');
      await check(device, 'device: in call', pending);
      await again.click('.call-controls [data-act=leave]');
      await state('idle');
      await again.close();
      await device.close();
    } finally {
      await f.close();
    }
    expect(problems).toEqual([]);
  }, 180_000);
});
