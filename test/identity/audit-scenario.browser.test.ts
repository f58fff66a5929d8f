// The audit administrator's one search, in Chromium, production mode: after a scenario of account
// changes, sign-ins (one failed), an archivist viewing a petition recording, placing a legal hold
// and exporting an evidence package, the audit page finds every one of those actions with one
// search over the day — the archive's own actions mirrored from its chain — with who, what about
// and from where; and the archivist's sign-in name finds just what the archivist did.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { writeSession } from '../support/archive-session.ts';
import { until } from '../support/evidence.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { Browser, bootstrapSecurityAdmin, createAccount, firstSignIn, loadDirectory, signInFirstTime } from './support.ts';

const SESSION = 'S-scenario-1';

describe('the audit administrator finds the whole scenario', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let auditorPassword: string;
  const errors: string[] = [];

  beforeAll(async () => {
    platform = await startTestPlatform({ NODE_ENV: 'production', JWT_SECRET: randomBytes(32).toString('hex') });
    const officials = (await loadDirectory(platform)).officials.filter((o) => !o.post);
    await writeSession(platform.services.archive, SESSION, { caseNumber: 'XF20261202-000009', startedAt: new Date(Date.now() - 3600_000).toISOString() });

    // Account changes: the security administrator opens an official's, an archivist's and an auditor's account, and disables the official's.
    const sa = await bootstrapSecurityAdmin(platform, 'sec.he');
    const security = (await firstSignIn(new Browser(platform), 'sec.he', sa.initialPassword)).signedIn.token;
    await createAccount(platform, security, { username: 'chen.jg', displayName: officials[0]!.name, role: 'official', subject: officials[0]!.id });
    const accounts = await new Browser(platform).data<{ id: string; username: string }[]>('GET', '/api/identity/accounts', { token: security });
    await new Browser(platform).data('PATCH', `/api/identity/accounts/${accounts.find((a) => a.username === 'chen.jg')!.id}`, { token: security, body: { disabled: true } });
    const archivistPassword = await createAccount(platform, security, { username: 'arch.li', displayName: '李档案', role: 'archivist' });
    auditorPassword = await createAccount(platform, security, { username: 'audit.sun', displayName: '孙审计', role: 'audit-admin' });

    // Sign-ins: one failed, then the archivist's own.
    await new Browser(platform).send('POST', '/api/identity/sign-in', { body: { username: 'arch.li', password: 'Not-The-Password-1' } });
    const archivist = (await firstSignIn(new Browser(platform), 'arch.li', archivistPassword)).signedIn.token;

    // The archivist views the petition recording, places a legal hold and exports the package.
    const api = new Browser(platform);
    await api.data('GET', `/api/archive/sessions/${SESSION}`, { token: archivist });
    await api.data('POST', `/api/archive/sessions/${SESSION}/legal-hold`, { token: archivist, body: { reason: '纪检调阅期间保全' } });
    const { job } = await api.data<{ job: { jobId: string } }>('POST', `/api/archive/sessions/${SESSION}/exports`, { token: archivist, body: {} });
    await until('the evidence package', async () => (await api.data<{ job: { state: string } }>('GET', `/api/archive/exports/${job.jobId}`, { token: archivist })).job.state === 'done');
    browser = await launchBrowser('none');
  });
  afterAll(async () => {
    await browser?.cleanup();
    await platform?.close();
  });

  it('one search over the day shows every action, and the sign-in name shows the archivist’s', async () => {
    const page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setViewportSize({ width: 1024, height: 600 });
    await signInFirstTime(page, platform.url, 'audit.sun', auditorPassword);
    await page.waitForURL(/admin\.html$/);
    await page.locator('#panel[data-panel=audit]').waitFor({ timeout: 15_000 });

    const form = page.locator('#form-audit');
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    await form.locator('input[name=from]').fill(today);
    await form.locator('input[name=to]').fill(today);
    await form.locator('[data-act=save]').click();
    const types = () => page.locator('#audit tr[data-type]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-type')));
    const scenario = ['account-created', 'account-changed', 'sign-in-failed', 'sign-in', 'archive-view', 'archive-legal-hold', 'archive-export', 'archive-export-completed'];
    await expect.poll(async () => {
      const shown = await types();
      return scenario.filter((x) => !shown.includes(x));
    }, { timeout: 10_000 }).toEqual([]);

    // The legal hold as the auditor reads it: the action in words, who, which recording, from where.
    const hold = await page.locator('#audit tr[data-type=archive-legal-hold] td').allTextContents();
    expect(hold[1]).toBe('设置法律保全');
    expect(hold[2]).toContain('李档案');
    expect(hold[3]).toBe(SESSION);
    expect(hold[4]).toMatch(/127\.0\.0\.1/);
    expect(await page.locator('#audit tr[data-type=archive-view] td').nth(1).textContent()).toBe('查看录像');

    // By sign-in name: the archivist's sign-in and archive actions (which name them by subject),
    // nobody else's — the official's account change goes. (Until the filtered answer is drawn the
    // day's full list is still on screen, so wait for both at once.)
    await form.locator('input[name=text]').fill('arch.li');
    await form.locator('[data-act=save]').click();
    await expect.poll(async () => {
      const shown = await types();
      return [...['sign-in', 'archive-view', 'archive-legal-hold', 'archive-export'].filter((x) => !shown.includes(x)), ...shown.filter((x) => x === 'account-changed')];
    }, { timeout: 10_000 }).toEqual([]);
    const who = await page.locator('#audit tr[data-type=sign-in] td:nth-child(3)').allTextContents();
    expect(who.every((w) => w.includes('李档案'))).toBe(true);

    await page.locator('#verify').click();
    expect(await page.locator('#verify-result').getAttribute('data-ok', { timeout: 10_000 })).toBe('true');
    expect(errors).toEqual([]);
  });
});
