// Single sign-on in Chromium, production mode, against a real OpenID Connect provider the test
// starts (oidc-provider v8, its development login and consent pages): the sign-in page's button
// → the provider's login → consent → back through the callback → the official's desk, on a
// session of method `oidc` whose account was made from the claims (role and directory id). A
// person the provider gives no role of ours is sent back to the sign-in page saying so.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import type { Official } from '../../server/petition/types.ts';
import type { Account, SessionInfo, SystemAuditEntry } from '../../server/protocol/http/identity-shapes.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { Browser, bootstrapSecurityAdmin, firstSignIn, loadDirectory } from './support.ts';

const CLIENT = { id: 'suzhou-video', secret: randomBytes(24).toString('hex') };

describe('single sign-on through the city identity provider', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let idp: http.Server;
  let security: string;
  let official: Official;
  const people: Record<string, Record<string, unknown>> = {};
  const errors: string[] = [];

  beforeAll(async () => {
    // The provider's address must be known to the node's configuration, and the node's callback
    // to the provider's client: listen first, attach the provider once both are known.
    idp = http.createServer();
    await new Promise<void>((r) => idp.listen(0, '127.0.0.1', r));
    const issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
    platform = await startTestPlatform({
      NODE_ENV: 'production',
      JWT_SECRET: randomBytes(32).toString('hex'),
      OIDC_ISSUER: issuer,
      OIDC_CLIENT_ID: CLIENT.id,
      OIDC_CLIENT_SECRET: CLIENT.secret,
      OIDC_LABEL: '宿州市统一身份认证',
    });
    const provider = new Provider(issuer, {
      clients: [{ client_id: CLIENT.id, client_secret: CLIENT.secret, redirect_uris: [`${platform.url}/api/identity/oidc/callback`], grant_types: ['authorization_code'], response_types: ['code'] }],
      claims: { openid: ['sub'], profile: ['name', 'preferred_username', 'roles', 'directory_id'] },
      pkce: { required: () => true },
      cookies: { keys: [randomBytes(16).toString('hex')] },
      async findAccount(_ctx, sub) {
        return { accountId: sub, claims: async () => ({ sub, ...(people[sub] ?? {}) }) };
      },
    });
    idp.on('request', provider.callback());
    browser = await launchBrowser();

    official = (await loadDirectory(platform)).officials.find((o) => !o.post)!;
    people['chen'] = { name: official.name, preferred_username: 'chen', roles: ['official'], directory_id: official.id };
    people['visitor'] = { name: '访客', preferred_username: 'visitor', roles: ['guest'] };
    const sa = await bootstrapSecurityAdmin(platform);
    security = (await firstSignIn(new Browser(platform), sa.account.username, sa.initialPassword)).signedIn.token;
  });
  afterAll(async () => {
    await browser?.cleanup();
    await platform?.close();
    await new Promise((r) => idp?.close(r));
  });

  /** The sign-on button; then, unless the provider still knows the browser, its development pages: any login, then consent. */
  async function viaProvider(login: string | null): Promise<Page> {
    const page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${platform.url}/sign-in.html`);
    await page.locator('#sso').filter({ hasText: '使用宿州市统一身份认证登录' }).click();
    if (login === null) return page;
    await page.locator('input[name=login]').fill(login);
    await page.locator('input[name=password]').fill('anything');
    await page.locator('button[type=submit]').click();
    await page.locator('button[type=submit]', { hasText: 'Continue' }).click();
    return page;
  }

  it('the sign-in button → provider login → consent → the desk, on an oidc session of an account made from the claims', async () => {
    const page = await viaProvider('chen');
    await page.waitForURL(/\/official\.html$/, { timeout: 15_000 });
    await page.locator('#queue-count').waitFor({ timeout: 15_000 });

    const http = new Browser(platform);
    const accounts = await http.data<Account[]>('GET', '/api/identity/accounts', { token: security });
    const chen = accounts.find((a) => a.subject === official.id)!;
    expect(chen).toMatchObject({ role: 'official', singleSignOn: true, displayName: official.name, username: 'sso.chen' });
    const sessions = await http.data<SessionInfo[]>('GET', '/api/identity/sessions', { token: security });
    expect(sessions.filter((s) => s.accountId === chen.id).map((s) => s.method)).toEqual(['oidc']);

    // The same person again, still signed in at the provider (no login asked): the same account.
    await page.close();
    const again = await viaProvider(null);
    await again.waitForURL(/\/official\.html$/, { timeout: 15_000 });
    expect((await http.data<Account[]>('GET', '/api/identity/accounts', { token: security })).filter((a) => a.subject === official.id)).toHaveLength(1);
    await again.close();

    const auditor = platform.token('auditor-1', 'audit-admin', { rooms: [] });
    const trail = await http.data<SystemAuditEntry[]>('GET', '/api/identity/audit?type=sign-in', { token: auditor });
    expect(trail.filter((e) => e.details.method === 'oidc' && e.actor.sub === official.id)).toHaveLength(2);
  });

  it('someone the provider gives no role of this system comes back to the sign-in page, told why', async () => {
    await browser.clearCookies();
    const page = await viaProvider('visitor');
    await page.waitForURL(/\/sign-in\.html/, { timeout: 15_000 });
    await expect.poll(() => page.locator('#error').textContent()).toContain('未授予您本系统的岗位');
    expect(page.url()).not.toContain('sso=');
    await page.close();
    expect(errors).toEqual([]);
  });
});
