// English is complete on every page: each role page, opened the way its user opens it (the
// development sign-in, or with no session at all) with English chosen, shows no Chinese except
// the names of people and places — data, read from the store the pages are served from, never
// guessed by pattern — and no raw dictionary key. `<html lang>` says English too.
// The terminal is walked past its first screen too: waiting, the receipt, the keypad and what a
// lookup found (its category was the rules' Chinese name in English mode).
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
    // An avatar shows one character of a name.
    const initials = new Set(names.flatMap((n) => [...n]));
    // One identity of each kind: each kind opens its own page.
    const firsts = identities.filter((x, i) => identities.findIndex((y) => y.kind === x.kind) === i);

    // The terminal starts every visitor in Chinese; the helper switches it (the `?lang=` of the
    // other pages is not for a kiosk).
    const viaSwitch = async (page: Page) => {
      await page.locator('[data-category]').first().waitFor({ timeout: 15_000 });
      await page.locator('#lang').click();
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
    const check = async (page: Page, what: string, pending: () => number) => {
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
    const terminal = (await new DbPetitionRepository(env.platform.services.store).listTerminals()).find((t) => t.level === 'village')!;
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
    } finally {
      await kiosk.close();
    }
    expect(problems).toEqual([]);
  }, 240_000);
});
