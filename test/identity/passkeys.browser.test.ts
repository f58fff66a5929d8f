// Passkeys (WebAuthn) in Chromium, production mode, with a virtual authenticator (CDP
// WebAuthn.addVirtualAuthenticator): the real ceremony with a real key pair, the server checking
// the attestation and every signature. An official signs in with password + TOTP, adds a passkey
// of this browser, then signs in with password + passkey and with the passkey alone, and reaches
// the desk each time; an answer replayed against another ceremony is refused, and a browser
// without the passkey cannot sign in with it. Pages are opened at http://localhost (WebAuthn takes
// a domain as relying party, never an IP address).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CDPSession, Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import type { PasskeyOptions, SessionInfo, SignInStep, SystemAuditEntry } from '../../server/protocol/http/identity-shapes.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { Browser, bootstrapSecurityAdmin, createAccount, firstSignIn, loadDirectory, signInFirstTime, totpCode } from './support.ts';

const PASSWORD = 'Lingbi-County-2026';

describe('passkeys in Chromium (virtual authenticator)', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let url: string;
  let security: string;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId: string;
  let secret: string;
  const errors: string[] = [];

  let directoryOfficials: () => Promise<{ id: string; name: string; post?: unknown }[]>;

  beforeAll(async () => {
    platform = await startTestPlatform({ NODE_ENV: 'production', JWT_SECRET: randomBytes(32).toString('hex') });
    url = platform.url.replace('127.0.0.1', 'localhost');
    browser = await launchBrowser();
    const officials = (await loadDirectory(platform)).officials.filter((o) => !o.post);
    directoryOfficials = async () => officials;
    const official = officials[0]!;
    const sa = await bootstrapSecurityAdmin(platform);
    security = (await firstSignIn(new Browser(platform), sa.account.username, sa.initialPassword)).signedIn.token;
    const oneTime = await createAccount(platform, security, { username: 'wang.pk', displayName: official.name, role: 'official', subject: official.id });
    page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    authenticatorId = await addAuthenticator(cdp);
    // The first sign-in sets up TOTP (the post needs a second factor) and reaches the desk.
    secret = await signInFirstTime(page, url, 'wang.pk', oneTime, PASSWORD);
    await page.waitForURL(/official\.html$/);
  });
  afterAll(async () => {
    await browser?.cleanup();
    await platform?.close();
  });

  const sessionsOf = async (username: string) => (await new Browser(platform).data<SessionInfo[]>('GET', '/api/identity/sessions', { token: security })).filter((s) => s.username === username);
  const signOut = async () => {
    await page.goto(`${url}/official.html`);
    await page.locator('#signout').click();
    await page.waitForURL(/sign-in\.html$/);
  };

  it('a signed-in official adds a passkey of this browser; the authenticator holds it and the audit trail names it', async () => {
    await page.goto(`${url}/sign-in.html?passkeys`);
    await page.locator('form#sign-in[data-step="passkeys"]').waitFor();
    expect(await page.locator('#passkeys').getAttribute('data-count')).toBe('0');
    await page.locator('input[name=passkeyName]').fill('办公室电脑');
    await page.locator('#add-passkey').click();
    await page.locator('#added').waitFor();
    expect(await page.locator('#added').textContent()).toContain('办公室电脑');
    await expect.poll(() => page.locator('#passkeys').getAttribute('data-count')).toBe('1');
    // The credential really is in the authenticator, discoverable (a passkey), with a signature count.
    const { credentials } = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })) as { credentials: { isResidentCredential: boolean; credentialId: string }[] };
    expect(credentials).toHaveLength(1);
    expect(credentials[0]!.isResidentCredential).toBe(true);
    expect(await page.locator('[data-passkey]').getAttribute('data-passkey')).toBe(Buffer.from(credentials[0]!.credentialId, 'base64').toString('base64url'));

    const auditor = await createAccount(platform, security, { username: 'audit.pk', displayName: '审计员', role: 'audit-admin' });
    const audit = (await firstSignIn(new Browser(platform), 'audit.pk', auditor)).signedIn.token;
    const entries = await new Browser(platform).data<SystemAuditEntry[]>('GET', '/api/identity/audit?type=second-factor-changed&text=wang.pk', { token: audit });
    expect(entries.some((e) => e.details.passkey === 'registered' && e.details.passkeyName === '办公室电脑')).toBe(true);
  });

  it('password, then the passkey as second factor, reaches the desk (method password+passkey)', async () => {
    await signOut();
    await page.locator('input[name=username]').fill('wang.pk');
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('#submit').click();
    await page.locator('form#sign-in[data-step="second-factor"]').waitFor();
    // Both factors are offered: the authenticator code and the passkey.
    await page.locator('input[name=code]').waitFor();
    await page.locator('#passkey').click();
    await page.waitForURL(/official\.html$/);
    await page.locator('#queue-count').waitFor({ timeout: 15_000 });
    expect((await sessionsOf('wang.pk')).map((s) => s.method)).toContain('password+passkey');
  });

  it('the passkey alone signs in (user verified), and its answer cannot be replayed against another ceremony', async () => {
    await signOut();
    let answer: { ceremony: string; response: unknown } | undefined;
    page.on('request', (r) => {
      if (r.url().endsWith('/api/identity/sign-in/passkey') && r.method() === 'POST') answer = r.postDataJSON() as typeof answer;
    });
    await page.locator('#passkey').click();
    await page.waitForURL(/official\.html$/);
    await page.locator('#queue-count').waitFor({ timeout: 15_000 });
    expect((await sessionsOf('wang.pk')).map((s) => s.method)).toContain('passkey');

    // The same signed answer, offered for a fresh ceremony: its signature covers the old challenge.
    const http = new Browser(platform);
    const fresh = await http.data<PasskeyOptions>('POST', '/api/identity/sign-in/passkey/options', { body: {} });
    const replay = await http.send<SignInStep>('POST', '/api/identity/sign-in/passkey', { body: { ceremony: fresh.ceremony, response: answer!.response } });
    expect(replay.status).toBe(401);
    expect(replay.body.ok ? null : replay.body.error.details?.reason).toBe('passkey_refused');
    // And the spent ceremony itself is gone.
    const again = await http.send('POST', '/api/identity/sign-in/passkey', { body: answer });
    expect(again.status).toBe(401);
  });

  it('a browser whose authenticator lacks the passkey is told so and stays on the sign-in page; TOTP still works', async () => {
    await signOut();
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    authenticatorId = await addAuthenticator(cdp);
    await page.locator('#passkey').click();
    await expect.poll(() => page.locator('#error').textContent(), { timeout: 20_000 }).toContain('通行密钥');
    expect(page.url()).toMatch(/sign-in\.html$/);

    await page.locator('input[name=username]').fill('wang.pk');
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('#submit').click();
    await page.locator('form#sign-in[data-step="second-factor"]').waitFor();
    // The code one step ahead (drift is allowed): the first sign-in spent the current one.
    await page.locator('input[name=code]').fill(await totpCode(secret, 1));
    await page.locator('#submit').click();
    await page.waitForURL(/official\.html$/);
    expect(errors).toEqual([]);
  });

  it('at the first sign-in a passkey stands in for the authenticator app: no TOTP is set up, the page links to the passkeys, and the next sign-in asks for the passkey', async () => {
    const other = (await new Browser(platform).data<{ id: string; role: string; username: string | null; subject: string | null }[]>('GET', '/api/identity/accounts', { token: security })).map((a) => a.subject);
    const official = (await directoryOfficials()).find((o) => !other.includes(o.id))!;
    const oneTime = await createAccount(platform, security, { username: 'li.pk', displayName: official.name, role: 'official', subject: official.id });
    const fresh = await browser.newPage();
    fresh.on('pageerror', (e) => errors.push(e.message));
    const freshCdp = await fresh.context().newCDPSession(fresh);
    await freshCdp.send('WebAuthn.enable');
    const freshAuthenticator = await addAuthenticator(freshCdp);
    await fresh.goto(`${url}/sign-in.html`);
    await fresh.locator('input[name=username]').fill('li.pk');
    await fresh.locator('input[name=password]').fill(oneTime);
    await fresh.locator('#submit').click();
    await fresh.locator('form#sign-in[data-step="change-password"]').waitFor();
    await fresh.locator('input[name=newPassword]').fill(PASSWORD);
    await fresh.locator('input[name=repeat]').fill(PASSWORD);
    await fresh.locator('#submit').click();
    await fresh.locator('form#sign-in[data-step="enrol-totp"]').waitFor();
    await fresh.locator('#enrol-passkey').click();
    await fresh.waitForURL(/official\.html$/);
    await fresh.locator('#queue-count').waitFor({ timeout: 15_000 });
    expect((await sessionsOf('li.pk')).map((s) => s.method)).toEqual(['password+passkey']);
    const account = (await new Browser(platform).data<{ username: string; totpEnabled: boolean; passkeys: number }[]>('GET', '/api/identity/accounts', { token: security })).find((a) => a.username === 'li.pk')!;
    expect(account).toMatchObject({ totpEnabled: false, passkeys: 1 });
    const { credentials } = (await freshCdp.send('WebAuthn.getCredentials', { authenticatorId: freshAuthenticator })) as { credentials: unknown[] };
    expect(credentials).toHaveLength(1);

    // The desk links to the person's passkeys.
    await fresh.locator('#to-passkeys').click();
    await fresh.locator('form#sign-in[data-step="passkeys"]').waitFor();
    expect(await fresh.locator('#passkeys').getAttribute('data-count')).toBe('1');

    // Next time the password is followed by the passkey alone: there is no code to type.
    await fresh.locator('#back').click();
    await fresh.waitForURL(/official\.html$/);
    await fresh.locator('#signout').click();
    await fresh.waitForURL(/sign-in\.html$/);
    const step = await new Browser(platform).step('/sign-in', { username: 'li.pk', password: PASSWORD });
    expect(step).toMatchObject({ step: 'second-factor', methods: ['passkey'] });
    await fresh.locator('input[name=username]').fill('li.pk');
    await fresh.locator('input[name=password]').fill(PASSWORD);
    await fresh.locator('#submit').click();
    await fresh.locator('form#sign-in[data-step="second-factor"]').waitFor();
    expect(await fresh.locator('input[name=code]').count()).toBe(0);
    await fresh.locator('#passkey').click();
    await fresh.waitForURL(/official\.html$/);
    expect(errors).toEqual([]);
    await fresh.close();
  });
});

async function addAuthenticator(cdp: CDPSession): Promise<string> {
  const r = (await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  })) as { authenticatorId: string };
  return r.authenticatorId;
}

