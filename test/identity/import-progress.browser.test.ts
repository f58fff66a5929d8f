// The system administrator's page in Chromium with a large directory file: while the page reads a
// CSV of five thousand terminal points its progress figure moves — bytes read of the
// file's size and rows — and ends at the whole file, then gives the rows the server checked. And
// the retention periods on the devices view: shown as in force, changed there, and stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

const COUNTY = '341321'; // 砀山县 (seed)
const TOWNSHIPS = 5;
const VILLAGES = 999;

/** As many rows as one file may have (5 000), with names as long as they may be: about 1.4 MB. */
function largeCsv(): Buffer {
  const rows = ['接访点名称,区划代码,区划名称,级别,上级区划代码'];
  const long = (s: string) => `${s}${'视频接访点'.repeat(9)}`.slice(0, 50);
  for (let t = 0; t < TOWNSHIPS; t++) {
    const town = `${COUNTY}${500 + t}`;
    rows.push(`"${long(`测试${t + 1}镇`)}",${town},${long(`测试${t + 1}镇`)},乡镇,${COUNTY}`);
    for (let v = 1; v <= VILLAGES; v++) rows.push(`"${long(`测试${t + 1}镇${v}村`)}",${town}${String(v).padStart(3, '0')},${long(`测试${t + 1}镇${v}村`)},村,${town}`);
  }
  return Buffer.from(rows.join('\r\n'));
}

describe('the system administrator’s page with a large file', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let admin: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    platform = await startTestPlatform();
    browser = await launchBrowser('none');
    admin = await browser.newPage();
    admin.on('pageerror', (e) => errors.push(e.message));
    await admin.setViewportSize({ width: 1024, height: 600 });
    await admin.goto(`${platform.url}/admin.html?token=${encodeURIComponent(platform.token('sysadmin-imp', 'admin', { rooms: [] }, { name: '王系统' }))}`);
    await admin.locator('#panel[data-panel=regions]').waitFor({ timeout: 15_000 });
  });
  afterAll(async () => {
    await browser?.cleanup();
    await platform?.close();
  });

  it('shows the bytes and rows read rising while it reads, then the rows checked', { timeout: 120_000 }, async () => {
    await admin.locator('[data-tab=import]').click();
    await admin.locator('#panel[data-panel=import]').waitFor();
    // Every figure the page shows, as it shows it.
    await admin.evaluate(() => {
      const seen: { bytes: number; rows: number; phase: string }[] = [];
      (window as unknown as { seen: typeof seen }).seen = seen;
      new MutationObserver(() => {
        const el = document.getElementById('import-progress');
        const last = seen.at(-1);
        const now = { bytes: Number(el?.dataset.bytes), rows: Number(el?.dataset.rows), phase: el?.dataset.phase ?? '' };
        if (el && (!last || last.bytes !== now.bytes || last.rows !== now.rows || last.phase !== now.phase)) seen.push(now);
      }).observe(document.body, { subtree: true, attributes: true, childList: true, characterData: true });
    });
    const file = largeCsv();
    await admin.locator('#import-file').setInputFiles({ name: 'terminals-large.csv', mimeType: 'text/csv', buffer: file });
    await admin.locator('#import-progress:is([data-phase=checked], [data-phase=failed])').waitFor({ timeout: 90_000 });
    expect(await admin.locator('#import-error').count(), (await admin.locator('#import-error').textContent().catch(() => '')) ?? '').toBe(0);
    const seen = await admin.evaluate(() => (window as unknown as { seen: { bytes: number; rows: number; phase: string }[] }).seen);

    const reading = seen.filter((s) => s.phase === 'reading' && s.bytes > 0);
    // More than one figure between nothing and the whole file, each further than the last.
    expect(reading.length).toBeGreaterThan(2);
    expect(reading.filter((s) => s.bytes < file.length).length).toBeGreaterThan(1);
    for (let i = 1; i < reading.length; i++) {
      expect(reading[i]!.bytes).toBeGreaterThan(reading[i - 1]!.bytes);
      expect(reading[i]!.rows).toBeGreaterThanOrEqual(reading[i - 1]!.rows);
    }
    expect(reading.at(-1)!.bytes).toBe(file.length);
    expect(reading[0]!.rows).toBeLessThan(reading.at(-1)!.rows);
    // Checked: every row of the file, one terminal point each, as the server counted them.
    const rows = TOWNSHIPS * (VILLAGES + 1);
    expect(await admin.locator('#import-counts tr[data-entity=terminals] [data-create]').textContent()).toBe(String(rows));
    expect(Number(await admin.locator('#import-progress').getAttribute('data-rows'))).toBe(rows);
    expect(await admin.locator('#import-figure').textContent()).toContain(`已核对 ${rows} 行`);
    expect(errors).toEqual([]);
  });

  it('shows the retention periods in force on the devices view and saves a change', async () => {
    await admin.locator('[data-tab=devices]').click();
    const form = admin.locator('#form-retention');
    await expect.poll(() => form.locator('input[name=household]').inputValue()).toBe('30');
    expect(await form.locator('input[name=petition]').inputValue()).toBe('1095');
    await form.locator('input[name=household]').fill('14');
    await form.locator('[data-act=save]').click();
    // The page says it was saved once the server answered; then the catalog holds it.
    await expect.poll(() => admin.locator('#message').textContent()).toContain('保存期限已更新');
    expect(await platform.services.archive.catalog.retentionSettings()).toEqual({ petition: 1095, household: 14, property: 1095 });
    const size = await admin.evaluate(() => ({ w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight }));
    expect(size.w).toBeLessThanOrEqual(1024);
    expect(errors).toEqual([]);
  });
});
