// The system administrator's pages in Chromium, in production mode (no development door; the
// administrator signs in on the sign-in page with password and authenticator): a department and a
// terminal point made on admin.html appear on the coordinator's overview; a fresh terminal is
// enrolled by typing its pairing code on enrol.html and passes to its start screen; 500 terminal
// points are imported from a CSV file through the page (dry run with per-row errors for a bad
// file, progress, result table), and counted in SQL.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { Browser, bootstrapSecurityAdmin, createAccount, firstSignIn, loadDirectory, signInFirstTime } from './support.ts';

const COUNTY = '341398';

describe('the system administrator’s pages', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let admin: Page;
  const errors: string[] = [];

  const open = async (name: string, url: string) => {
    const page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(`[${name}] ${e.message}`));
    await page.setViewportSize({ width: 1024, height: 600 });
    await page.goto(url);
    return page;
  };
  const tab = async (name: string) => {
    await admin.locator(`[data-tab=${name}]`).click();
    await admin.locator(`#panel[data-panel=${name}]`).waitFor();
  };

  beforeAll(async () => {
    platform = await startTestPlatform({ NODE_ENV: 'production', JWT_SECRET: randomBytes(32).toString('hex') });
    browser = await launchBrowser();
    await loadDirectory(platform);
    const sa = await bootstrapSecurityAdmin(platform);
    const security = (await firstSignIn(new Browser(platform), sa.account.username, sa.initialPassword)).signedIn.token;
    const oneTime = await createAccount(platform, security, { username: 'sys.wang', displayName: '王系统', role: 'admin' });
    admin = await browser.newPage();
    admin.on('pageerror', (e) => errors.push(`[admin] ${e.message}`));
    await admin.setViewportSize({ width: 1024, height: 600 });
    await signInFirstTime(admin, platform.url, 'sys.wang', oneTime);
    await admin.waitForURL(/admin\.html$/);
    await admin.locator('#panel[data-panel=regions]').waitFor({ timeout: 15_000 });
  });
  afterAll(async () => {
    await browser?.cleanup();
    await platform?.close();
  });

  it('is in Chinese, shows only the system administrator’s tabs, and fits 1024×600', async () => {
    expect(await admin.locator('h1').textContent()).toContain('系统管理员');
    expect(await admin.locator('[data-tab]').evaluateAll((els) => els.map((e) => e.getAttribute('data-tab')))).toEqual(['regions', 'departments', 'terminals', 'officials', 'receptionDays', 'routing', 'households', 'cameras', 'counsellors', 'import', 'devices']);
    const size = await admin.evaluate(() => ({ w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight }));
    expect(size.w).toBeLessThanOrEqual(1024);
    expect(size.h).toBeLessThanOrEqual(600);
  });

  it('a terminal point and a department made on the page appear on the coordinator’s overview', async () => {
    await tab('terminals');
    const form = admin.locator('#form-terminals');
    await form.locator('input[name=name]').fill('测试新县视频接访中心');
    await form.locator('input[name=regionCode]').fill(COUNTY);
    await form.locator('input[name=regionName]').fill('测试新县');
    await form.locator('select[name=parentCode]').selectOption('341300');
    await form.locator('[data-act=save]').click();
    // The saved row is shown at once (the list is filtered to it).
    await admin.locator(`tr[data-terminal=T${COUNTY}]`).waitFor({ timeout: 10_000 });

    await tab('departments');
    const dept = admin.locator('#form-departments');
    await dept.locator('input[name=kind]').fill('rs');
    await dept.locator('input[name=name]').fill('测试新县人社局');
    await dept.locator('select[name=regionCode]').selectOption(COUNTY);
    await dept.locator('[data-act=save]').click();
    await admin.locator(`tr[data-department="${COUNTY}-rs"]`).waitFor({ timeout: 10_000 });
    expect(await admin.locator('#message').textContent()).toContain(`${COUNTY}-rs`);

    // A petition at the new point about wages waits in the new office's queue.
    const terminal = { id: 'tdev-new', name: '终端', role: 'terminal', terminalId: `T${COUNTY}` } as const;
    const started = await platform.services.petition.startPetition(terminal, { terminalId: `T${COUNTY}`, category: 'wages' });
    expect(started.case.routedDepartmentIds).toEqual([`${COUNTY}-rs`]);

    const coordinator = platform.token('coord-1', 'coordinator', { rooms: [] }, { name: '综治中心' });
    const overview = await open('coordinator', `${platform.url}/coordinator.html?token=${encodeURIComponent(coordinator)}`);
    await overview.locator(`#queues tr[data-queue="${COUNTY}-rs"]`).waitFor({ timeout: 15_000 });
    expect(await overview.locator(`#queues tr[data-queue="${COUNTY}-rs"]`).textContent()).toContain('测试新县人社局');
    expect(await overview.locator(`#terminals tr[data-region="${COUNTY}"]`).textContent()).toContain('测试新县');
    await overview.close();
  });

  it('enrols a fresh terminal by the code it shows; the terminal passes to its start screen', async () => {
    const kiosk = await open('kiosk', `${platform.url}/terminal.html`);
    const code = (await kiosk.locator('#pairing-code').getAttribute('data-code', { timeout: 15_000 }))!;

    await admin.locator('#to-enrol').click();
    await admin.waitForURL(/enrol\.html$/);
    const form = admin.locator('form#enrol[data-kind=terminal]');
    await form.waitFor({ timeout: 10_000 });
    expect(await form.locator('h2').textContent()).toBe('登记接访终端');
    // Typed as read off the screen: lower case, no dash.
    await form.locator('input[name=code]').pressSequentially(code.replace('-', '').toLowerCase());
    expect(await form.locator('input[name=code]').inputValue()).toBe(code);
    await form.locator('input[name=terminalId]').fill(`T${COUNTY}`);
    await form.locator('#submit').click();
    const device = (await admin.locator('#enrolled').getAttribute('data-device', { timeout: 10_000 }))!;

    await kiosk.locator('[data-category=wages]').waitFor({ timeout: 15_000 });
    const stored = await kiosk.evaluate(() => JSON.parse(localStorage.getItem('enrol.terminal') ?? 'null') as { deviceId: string } | null);
    expect(stored?.deviceId).toBe(device);

    // A wrong code is told plainly, and enrols nothing.
    await form.locator('input[name=code]').fill('ABCD-EFGH');
    await form.locator('input[name=terminalId]').fill(`T${COUNTY}`);
    await form.locator('#submit').click();
    await expect.poll(() => admin.locator('#error').textContent()).toContain('没有设备显示这个配对码');

    await admin.goto(`${platform.url}/admin.html`);
    await tab('devices');
    expect(await admin.locator(`tr[data-device="${device}"]`).getAttribute('data-state')).toBe('active');
    await kiosk.close();
  });

  it('imports 500 terminal points from a CSV file through the page: per-row errors first, then the import', async () => {
    await tab('import');
    const bad = ['接访点名称,区划代码,区划名称,级别,上级区划代码', `好村视频接访点,${COUNTY}101201,好村,村,${COUNTY}101`, '坏码村视频接访点,12345,坏码村,村,341300', '无名村,,无名村,村,341300', ''].join('\r\n');
    await admin.locator('#import-file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await admin.locator('#import-problems').waitFor({ timeout: 15_000 });
    const lines = await admin.locator('#import-problems tr[data-line]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-line')));
    // Each bad row by its line (the good row is not listed); nothing is written.
    expect(new Set(lines)).toEqual(new Set(['3', '4']));
    expect(await admin.locator('#import-problems').textContent()).toContain('12345');
    expect(await admin.locator('#import-apply').isDisabled()).toBe(true);

    const rows = ['接访点名称,区划代码,区划名称,级别,上级区划代码', `测试新县第一镇视频接访点,${COUNTY}101,第一镇,乡镇,${COUNTY}`];
    for (let v = 0; v < 499; v++) rows.push(`"测试新县${v + 1}村视频接访点",${COUNTY}101${String(201 + v).padStart(3, '0')},${v + 1}村,村,${COUNTY}101`);
    await admin.locator('#import-file').setInputFiles({ name: 'terminals.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\r\n')) });
    await admin.locator('#import-progress[data-phase=checked]').waitFor({ timeout: 30_000 });
    expect(await admin.locator('#import-counts tr[data-entity=terminals] [data-create]').textContent()).toBe('500');
    expect(await admin.locator('#import-problems').count()).toBe(0);
    const db = new Database(path.join(platform.dataDir, 'app.db'), { readonly: true });
    const count = () => (db.prepare('SELECT count(*) AS n FROM petition_terminals WHERE region_code LIKE ?').get(`${COUNTY}101%`) as { n: number }).n;
    expect(count()).toBe(0);

    await admin.locator('#import-apply').click();
    await admin.locator('#import-progress[data-phase=applied]').waitFor({ timeout: 60_000 });
    expect(count()).toBe(500);
    db.close();
    await tab('terminals');
    await admin.locator('#filter').fill(`${COUNTY}101`);
    expect(await admin.locator('#count').getAttribute('data-total')).toBe('500');
    expect(errors).toEqual([]);
  });
});
