// The security and audit administrators' views of admin.html in Chromium, production mode, each
// signed in on the sign-in page: the security administrator opens an account (its one-time
// password shown once), sees a lock-out and lifts it, ends a person's sessions, resets their
// second factor and disables the account; the audit administrator finds those actions by person,
// action and date, with who, when and from where, and verifies the chain. Neither sees the
// other's tabs nor the system administrator's.
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import type { Account } from '../../server/protocol/http/identity-shapes.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { Browser, NEW_PASSWORD, bootstrapSecurityAdmin, createAccount, firstSignIn, loadDirectory, signInFirstTime } from './support.ts';

describe('the security and audit administrators’ views', () => {
  let platform: TestPlatform;
  let security: Awaited<ReturnType<typeof launchBrowser>>;
  let auditor: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let bootstrapToken: string;
  const errors: string[] = [];

  beforeAll(async () => {
    platform = await startTestPlatform({ NODE_ENV: 'production', JWT_SECRET: randomBytes(32).toString('hex') });
    const officials = (await loadDirectory(platform)).officials.filter((o) => !o.post);
    const sa = await bootstrapSecurityAdmin(platform, 'sec.zhao');
    // The official signs in once (a session to end, an authenticator to reset).
    bootstrapToken = (await firstSignIn(new Browser(platform), sa.account.username, sa.initialPassword)).signedIn.token;
    await firstSignIn(new Browser(platform), 'chen.jg', await createAccount(platform, bootstrapToken, { username: 'chen.jg', displayName: officials[0]!.name, role: 'official', subject: officials[0]!.id }));
    // The security administrator's browser: a second account of the same role, signing in on the page.
    security = await launchBrowser('none');
    page = await security.newPage();
    page.on('pageerror', (e) => errors.push(`[security] ${e.message}`));
    // The administrator confirms each disabling when the page asks.
    page.on('dialog', (d) => void d.accept());
    await page.setViewportSize({ width: 1024, height: 600 });
    await signInFirstTime(page, platform.url, 'sec.qian', await createAccount(platform, bootstrapToken, { username: 'sec.qian', displayName: '钱安全', role: 'security-admin' }));
    await page.waitForURL(/admin\.html$/);
    await page.locator('#panel[data-panel=accounts]').waitFor({ timeout: 15_000 });
  });
  afterAll(async () => {
    await security?.cleanup();
    await auditor?.cleanup();
    await platform?.close();
  });

  const row = (username: string) => page.locator(`#accounts tr[data-account="${username}"]`);
  const act = async (username: string, action: string) => {
    await row(username).locator(`[data-act=${action}]`).click();
  };

  it('keeps accounts: opens one, lifts a lock-out, ends sessions, resets the second factor, disables', async () => {
    expect(await page.locator('[data-tab]').evaluateAll((els) => els.map((e) => e.getAttribute('data-tab')))).toEqual(['accounts', 'sessions']);

    const form = page.locator('#form-accounts');
    await form.locator('input[name=username]').fill('audit.sun');
    await form.locator('input[name=displayName]').fill('孙审计');
    await form.locator('select[name=role]').selectOption('audit-admin');
    await form.locator('[data-act=save]').click();
    const oneTime = (await page.locator('#one-time-password').textContent({ timeout: 10_000 }))!.trim();
    expect(oneTime.length).toBeGreaterThanOrEqual(10);
    expect(await row('audit.sun').getAttribute('data-state')).toBe('first');

    // Five wrong passwords lock chen.jg; the page shows it and lifts it.
    const other = new Browser(platform);
    for (let i = 0; i < 5; i++) await other.send('POST', '/api/identity/sign-in', { body: { username: 'chen.jg', password: `Wrong-${i}-Password` } });
    await page.locator('[data-tab=sessions]').click();
    await page.locator('[data-tab=accounts]').click();
    await expect.poll(() => row('chen.jg').getAttribute('data-state')).toBe('locked');
    await act('chen.jg', 'unlock');
    await expect.poll(() => row('chen.jg').getAttribute('data-state')).toBe('active');

    // chen.jg's live session (the first sign-in's) is ended from the page.
    expect(await row('chen.jg').locator('[data-sessions]').textContent()).toBe('1');
    await act('chen.jg', 'end-sessions');
    await expect.poll(() => row('chen.jg').locator('[data-sessions]').textContent()).toBe('0');
    await act('chen.jg', 'reset-second-factor');
    await expect.poll(async () => (await accounts()).find((a) => a.username === 'chen.jg')?.totpEnabled).toBe(false);
    await act('chen.jg', 'disable');
    await expect.poll(() => row('chen.jg').getAttribute('data-state')).toBe('disabled');
    expect((await other.send('POST', '/api/identity/sign-in', { body: { username: 'chen.jg', password: NEW_PASSWORD } })).status).toBe(403);

    // The administrator's own session is listed and cannot be ended from here by mistake.
    await page.locator('[data-tab=sessions]').click();
    await page.locator('#sessions').waitFor();
    expect(await page.locator('#sessions').textContent()).toContain('本会话');

    // The audit administrator just opened signs in on the page (in their own browser) and lands on the trail.
    auditor = await launchBrowser('none');
    const audit = await auditor.newPage();
    audit.on('pageerror', (e) => errors.push(`[audit] ${e.message}`));
    await audit.setViewportSize({ width: 1024, height: 600 });
    await signInFirstTime(audit, platform.url, 'audit.sun', oneTime);
    await audit.waitForURL(/admin\.html$/);
    await audit.locator('#panel[data-panel=audit]').waitFor({ timeout: 15_000 });
    expect(await audit.locator('[data-tab]').evaluateAll((els) => els.map((e) => e.getAttribute('data-tab')))).toEqual(['audit']);
    expect(await audit.locator('h1').textContent()).toContain('审计管理员');

    // By action: the failed sign-ins of chen.jg, each with when and from where.
    const search = audit.locator('#form-audit');
    await search.locator('input[name=text]').fill('chen.jg');
    await search.locator('select[name=type]').selectOption('sign-in-failed');
    await search.locator('[data-act=save]').click();
    await expect.poll(() => audit.locator('#audit tr[data-type=sign-in-failed]').count()).toBeGreaterThanOrEqual(5);
    expect(await audit.locator('#audit tr[data-type]:not([data-type=sign-in-failed])').count()).toBe(0);
    const first = await audit.locator('#audit tr[data-type=sign-in-failed]').first().locator('td').allTextContents();
    expect(first[1]).toBe('登录失败');
    expect(first[4]).toMatch(/127\.0\.0\.1/);

    // By person (who acted, by name): what the security administrator did, today.
    await search.locator('input[name=text]').fill('钱安全');
    await search.locator('select[name=type]').selectOption('');
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    await search.locator('input[name=from]').fill(today);
    await search.locator('input[name=to]').fill(today);
    await search.locator('[data-act=save]').click();
    const types = () => audit.locator('#audit tr[data-type]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-type')));
    await expect.poll(async () => {
      const t = await types();
      return ['sign-in', 'password-changed', 'account-created', 'account-changed', 'second-factor-changed'].filter((x) => !t.includes(x));
    }).toEqual([]);
    expect(await audit.locator('#audit tr[data-type]').first().locator('td').nth(2).textContent()).toContain('钱安全');
    // A day before any of it: nothing.
    await search.locator('input[name=from]').fill('2020-01-01');
    await search.locator('input[name=to]').fill('2020-01-02');
    await search.locator('[data-act=save]').click();
    await expect.poll(() => audit.locator('#audit tr[data-type]').count()).toBe(0);

    await audit.locator('#verify').click();
    expect(await audit.locator('#verify-result').getAttribute('data-ok', { timeout: 10_000 })).toBe('true');
    expect(errors).toEqual([]);
  });

  const accounts = () => new Browser(platform).data<Account[]>('GET', '/api/identity/accounts', { token: bootstrapToken });
});
