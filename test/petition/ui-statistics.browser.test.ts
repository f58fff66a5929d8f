// The statistics page in Chromium over a seeded month of cases (registered, received, accepted,
// some answered and rated — through the service with its clock set into that month): every chart
// draws on its canvas, and the page's figures and its CSV export match a direct SQL count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { CompiledQuery } from 'kysely';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { officialActor, terminalActor } from './support.ts';
import { petitionTokens } from './ui-support.ts';
import type { Actor } from '../../server/petition/types.ts';
import type { Rating } from '../../server/protocol/http/petition-shapes.ts';

const MONTH = '2026-10';
/** 2026-10-01 00:00 and 2026-11-01 00:00 China time. */
const FROM = '2026-09-30T16:00:00.000Z';
const TO = '2026-10-31T16:00:00.000Z';
const TERMINALS = ['T341321101201', 'T341321102201', 'T341321101202', 'T341321101'];
const CASES: { category: string; official: string; answered?: Rating }[] = [
  { category: 'wages', official: 'O341321-rs-1', answered: 'satisfied' },
  { category: 'wages', official: 'O341321-rs-1', answered: 'basically_satisfied' },
  { category: 'wages', official: 'O341321-rs-2' },
  { category: 'social_insurance', official: 'O341321-rs-2', answered: 'unsatisfied' },
  { category: 'social_insurance', official: 'O341321-rs-1' },
  { category: 'housing', official: 'O341321-zj-1', answered: 'satisfied' },
  { category: 'housing', official: 'O341321-zj-1' },
  { category: 'wages', official: 'O341321-rs-2', answered: 'satisfied' },
  { category: 'housing', official: 'O341321-zj-2' },
  { category: 'wages', official: 'O341321-rs-1' },
];

describe('statistics page', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let at = Date.parse('2026-10-05T01:00:00Z');

  beforeAll(async () => {
    platform = await startTestPlatform({}, { petition: { now: () => new Date(at) } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.cleanup();
    await platform?.close();
  });

  const sql = async <T,>(text: string, params: unknown[]) => (await platform.services.store.db().executeQuery<T>(CompiledQuery.raw(text, params))).rows;

  async function seedMonth(): Promise<void> {
    const p = platform.services.petition;
    for (const [i, c] of CASES.entries()) {
      at += 1.5 * 86_400_000 + i * 600_000;
      const kiosk = terminalActor(TERMINALS[i % TERMINALS.length]!);
      const started = await p.startPetition(kiosk, { terminalId: kiosk.terminalId!, category: c.category, petitionerName: `信访人${i + 1}` });
      const official = officialActor(c.official);
      at += 5 * 60_000;
      expect((await p.claimNext(official))?.case.id).toBe(started.case.id);
      at += 12 * 60_000;
      await p.life.notifyAcceptance(official, started.case.id, { decision: 'accepted', reason: '属于本机关职权范围。' });
      await p.endSession(official, started.case.id);
      if (!c.answered) continue;
      at += 86_400_000;
      const reply = await p.life.submitReply(official, started.case.id, '经调查核实，已依法处理。');
      const head: Actor = { id: `H${c.official.slice(1, -2)}`, name: '负责人', role: 'head' };
      await p.life.decide(head, reply.id, true, null);
      await p.lookup(kiosk, started.case.id, started.queryCode!, () => p.life.rateResult(kiosk, started.case.id, c.answered!, 'terminal'));
    }
  }

  it('draws every chart for a seeded month, and its figures and CSV match a direct SQL count', async () => {
    await seedMonth();
    const token = petitionTokens(platform).coordinator();
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${platform.url}/stats.html?month=${MONTH}&token=${encodeURIComponent(token)}`);

    const [total] = await sql<{ n: number }>('SELECT count(*) AS n FROM petition_cases WHERE registered_at >= ? AND registered_at < ?', [FROM, TO]);
    expect(Number(total!.n)).toBe(CASES.length);
    await page.locator('[data-figure=total] .big').filter({ hasText: String(total!.n) }).waitFor({ timeout: 15_000 });
    const rated = await sql<{ key: string; n: number }>('SELECT result_rating AS key, count(*) AS n FROM petition_cases WHERE registered_at >= ? AND registered_at < ? AND result_rating IS NOT NULL GROUP BY result_rating', [FROM, TO]);
    const ratedN = rated.reduce((n, r) => n + Number(r.n), 0);
    const happy = rated.filter((r) => r.key !== 'unsatisfied').reduce((n, r) => n + Number(r.n), 0);
    expect(await page.locator('[data-figure=satisfaction] .big').textContent()).toContain(`(${happy}/${ratedN})`);
    const [accepted] = await sql<{ stopped: number; ontime: number }>(
      "SELECT count(*) AS stopped, sum(CASE WHEN k.stopped_at <= k.due_at THEN 1 ELSE 0 END) AS ontime FROM petition_clocks k JOIN petition_cases c ON c.id = k.case_id WHERE k.kind = 'acceptance' AND k.stopped_at IS NOT NULL AND c.registered_at >= ? AND c.registered_at < ?",
      [FROM, TO],
    );
    expect(await page.locator('[data-figure=acceptance-on-time] .big').textContent()).toContain(`(${Number(accepted!.ontime)}/${Number(accepted!.stopped)})`);

    // Every chart has drawn on its canvas (pixels that are not background).
    const keys = await page.locator('[data-chart]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.chart!));
    expect(keys).toEqual(['category', 'month', 'level', 'department', 'on-time', 'satisfaction', 'terminals']);
    for (const key of keys) {
      const inked = await page.waitForFunction(
        (k) => {
          const c = document.querySelector<HTMLCanvasElement>(`[data-chart="${k}"] canvas`);
          const g = c?.getContext('2d');
          if (!c || !g || c.width === 0) return 0;
          const px = g.getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 3; i < px.length; i += 4) if (px[i]! > 0) n++;
          return n > 500 ? n : 0;
        },
        key,
        { timeout: 10_000 },
      );
      expect(await inked.jsonValue(), `chart ${key} draws`).toBeGreaterThan(500);
    }

    // The CSV export: its counts per category and per office are the store's.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-act=csv]').click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8').replace(/^\ufeff/, '');
    const lines = csv.trim().split(/\r\n/).map((l) => l.split(','));
    const section = (name: string) => Object.fromEntries(lines.filter((l) => l[0] === name).map((l) => [l[1], Number(l[3])]));
    const byCategory = await sql<{ key: string; n: number }>('SELECT category AS key, count(*) AS n FROM petition_cases WHERE registered_at >= ? AND registered_at < ? GROUP BY category', [FROM, TO]);
    expect(section('category')).toEqual(Object.fromEntries(byCategory.map((r) => [r.key, Number(r.n)])));
    const byOffice = await sql<{ key: string; n: number }>('SELECT department_id AS key, count(*) AS n FROM petition_cases WHERE registered_at >= ? AND registered_at < ? GROUP BY department_id', [FROM, TO]);
    expect(section('department')).toEqual(Object.fromEntries(byOffice.map((r) => [r.key, Number(r.n)])));
    expect(section('total')).toEqual({ '': CASES.length });
    const byTerminal = await sql<{ key: string; n: number }>('SELECT terminal_id AS key, count(*) AS n FROM petition_cases WHERE registered_at >= ? AND registered_at < ? GROUP BY terminal_id', [FROM, TO]);
    expect(section('terminal')).toEqual(Object.fromEntries(byTerminal.map((r) => [r.key, Number(r.n)])));

    // One office only: the figures follow.
    await page.locator('[name=department]').selectOption('341321-zj');
    const zj = byOffice.find((r) => r.key === '341321-zj')!;
    await page.locator('[data-figure=total] .big').filter({ hasText: new RegExp(`^${Number(zj.n)}$`) }).waitFor({ timeout: 10_000 });
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
