// Issue 11's sign-in acceptance in Chromium, in production mode (no development door): an
// official's first sign-in (one-time password → own password → authenticator set up) reaches the
// desk; the next sign-in is password + TOTP; the security administrator revokes the session and
// the open desk is thrown out within seconds; five wrong passwords lock the account.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import type { Official } from '../../server/petition/types.ts';
import type { InitialPassword, SessionInfo, SystemAuditEntry } from '../../server/protocol/http/identity-shapes.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { Browser, bootstrapSecurityAdmin, firstSignIn, loadDirectory, totpCode } from './support.ts';

const PASSWORD = 'Suzhou-Desk-2026';

describe('sign-in pages in production mode', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let http: Browser;
  let security: string;
  let officials: Official[];
  let oneTime: string;
  let secret = '';
  const errors: string[] = [];

  beforeAll(async () => {
    platform = await startTestPlatform({ NODE_ENV: 'production', JWT_SECRET: randomBytes(32).toString('hex') });
    browser = await launchBrowser();
    http = new Browser(platform);
    officials = (await loadDirectory(platform)).officials.filter((o) => !o.post);
    // The bootstrap command's security administrator signs in and creates the official's account.
    const sa = await bootstrapSecurityAdmin(platform);
    security = (await firstSignIn(new Browser(platform), sa.account.username, sa.initialPassword)).signedIn.token;
    oneTime = await createOfficial('chen.jg', officials[0]!);
  });
  afterAll(async () => {
    await browser?.cleanup();
    await platform?.close();
  });

  /** The security administrator creates an official's account; answers its one-time password. */
  const createOfficial = async (username: string, o: Official) =>
    (await http.data<InitialPassword>('POST', '/api/identity/accounts', { token: security, body: { username, displayName: o.name, role: 'official', subject: o.id } })).initialPassword;
  const open = async (name: string) => {
    const page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(`[${name}] ${e.message}`));
    await page.goto(`${platform.url}/sign-in.html`);
    return page;
  };
  const step = (page: Page, s: string) => page.locator(`form#sign-in[data-step="${s}"]`).waitFor();
  const fill = async (page: Page, fields: Record<string, string>) => {
    for (const [name, value] of Object.entries(fields)) await page.locator(`input[name=${name}]`).fill(value);
    await page.locator('#submit').click();
  };
  const sessionsOf = async (username: string) => (await http.data<SessionInfo[]>('GET', '/api/identity/sessions', { token: security })).filter((s) => s.username === username);

  it('first sign-in: one-time password → own password → authenticator → the desk; then password + TOTP', async () => {
    const page = await open('official');
    await step(page, 'password');
    expect(await page.locator('h2').textContent()).toBe('登录');
    await fill(page, { username: 'chen.jg', password: oneTime });
    await step(page, 'change-password');
    await fill(page, { newPassword: 'short', repeat: 'short' });
    await expect.poll(() => page.locator('#error').textContent()).toContain('太短');
    await fill(page, { newPassword: PASSWORD, repeat: PASSWORD });
    await step(page, 'enrol-totp');
    expect(await page.locator('img.qr').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    secret = (await page.locator('#totp-secret').textContent())!.trim();
    await fill(page, { code: await totpCode(secret) });
    await page.waitForURL(/official\.html$/);
    await page.locator('#queue-count').waitFor({ timeout: 15_000 });
    // The desk works on a token drawn from the http-only cookie: nothing in the address or storage.
    expect(page.url()).not.toContain('token');
    expect(await page.evaluate(() => ({ cookie: document.cookie, stored: Object.keys(localStorage).filter((k) => k.includes('token')) }))).toEqual({ cookie: '', stored: [] });

    await page.locator('#signout').click();
    await page.waitForURL(/sign-in\.html$/);
    await page.goto(`${platform.url}/official.html`);
    await page.locator('#signed-out').waitFor();

    await page.goto(`${platform.url}/sign-in.html`);
    await fill(page, { username: 'chen.jg', password: PASSWORD });
    await step(page, 'second-factor');
    // A code is taken once: the next time step's code, as an authenticator shows it 30 s later.
    await fill(page, { code: await totpCode(secret, 1) });
    await page.waitForURL(/official\.html$/);
    await page.locator('#queue-count').waitFor({ timeout: 15_000 });
    expect((await sessionsOf('chen.jg')).map((s) => s.method)).toEqual(['password+totp']);
    await page.close();
  });

  it('a session the security administrator revokes is thrown out of the open desk within seconds', async () => {
    // Another official, whose first sign-in (own password, authenticator) was done before.
    const elsewhere = new Browser(platform);
    const { secret: liSecret } = await firstSignIn(elsewhere, 'li.m', await createOfficial('li.m', officials[1]!), PASSWORD);
    await elsewhere.data('POST', '/api/identity/session/sign-out');
    const page = await open('revoked');
    await fill(page, { username: 'li.m', password: PASSWORD });
    await step(page, 'second-factor');
    await fill(page, { code: await totpCode(liSecret, 1) });
    await page.locator('#queue-count').waitFor({ timeout: 15_000 });
    const [live, ...more] = await sessionsOf('li.m');
    expect(more).toEqual([]);
    const revokedAt = Date.now();
    expect(await http.data('POST', `/api/identity/sessions/${live!.id}/revoke`, { token: security })).toEqual({ revoked: true });
    await page.locator('#signed-out').waitFor({ timeout: 5_000 });
    expect(Date.now() - revokedAt).toBeLessThan(5_000);
    expect(await page.locator('#queue-count').count()).toBe(0);
    await page.close();
  });

  it('five wrong passwords lock the account, the right one included, until the security administrator unlocks it', async () => {
    const page = await open('locked');
    for (let i = 1; i <= 4; i++) {
      await fill(page, { username: 'chen.jg', password: `Wrong-Password-${i}` });
      await expect.poll(() => page.locator('#error').textContent()).toContain(`还可尝试 ${5 - i} 次`);
    }
    await fill(page, { username: 'chen.jg', password: 'Wrong-Password-5' });
    await expect.poll(() => page.locator('#error').textContent()).toContain('账号已被锁定');
    await fill(page, { username: 'chen.jg', password: PASSWORD });
    await expect.poll(() => page.locator('#error').textContent()).toContain('账号已被锁定');
    expect(await page.locator('form#sign-in').getAttribute('data-step')).toBe('password');

    const accounts = await http.data<{ id: string; username: string; lockedUntil: string | null }[]>('GET', '/api/identity/accounts', { token: security });
    const chen = accounts.find((a) => a.username === 'chen.jg')!;
    expect(chen.lockedUntil).not.toBeNull();
    await http.data('POST', `/api/identity/accounts/${chen.id}/unlock`, { token: security });
    await fill(page, { username: 'chen.jg', password: PASSWORD });
    await step(page, 'second-factor');
    await page.close();

    const auditor = platform.token('auditor-1', 'audit-admin', { rooms: [] });
    const trail = await http.data<SystemAuditEntry[]>('GET', '/api/identity/audit?limit=200', { token: auditor });
    const types = new Set(trail.map((e) => e.type));
    for (const t of ['sign-in', 'sign-in-failed', 'account-locked', 'session-revoked', 'sign-out', 'account-created']) expect(types, t).toContain(t);
    expect(errors).toEqual([]);
  });
});
