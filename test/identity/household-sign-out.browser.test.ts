// Signing out of the household pages in Chromium: a family member who joined by invitation (as
// the household's second manager) and a plain member each have a sign-out on the family page; it
// ends their session on the server (the cookie no longer refreshes), lands on the sign-in page,
// and the family page opened again shows nothing of the household. The page also links to the
// person's passkeys. A counsellor's desk, a grid worker's page and the 红色物业 page of a
// property office's staff and of a resident sign out the same way.
import type { BrowserContext } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SEED } from '../../server/household/index.ts';
import { PROPERTY_SEED as P } from '../../server/property/index.ts';
import type { Invitation } from '../../server/protocol/http/identity-shapes.ts';
import { browserPlatform } from '../support/browser-platform.ts';
import { Browser, bootstrapSecurityAdmin, createAccount, firstPasswordSignIn, firstSignIn } from './support.ts';

describe('sign-out on the household pages', () => {
  const env = browserPlatform();
  const errors: string[] = [];

  /** Joins by invitation over HTTP, then hands the session cookie to the env.browser. */
  async function joined(username: string, permission: 'manage' | 'call'): Promise<{ phone: Browser; context: BrowserContext }> {
    const manager = env.platform.token(SEED.family.zhangWei, 'family', { rooms: [] }, { name: '张伟' });
    const inv = await new Browser(env.platform).data<Invitation>('POST', '/api/identity/invitations', { token: manager, body: { householdId: SEED.households.zhang, relation: '女儿', permission } });
    const phone = new Browser(env.platform);
    const step = await phone.step('/invitations/accept', { code: inv.code, name: `成员${username}`, city: '宁波', username, password: 'Ningbo-Harbour-7' });
    expect(step.step).toBe('signed-in');
    const [name, value] = phone.cookie!.split('=', 2) as [string, string];
    // The one env.browser context: this person's cookie replaces the one before.
    const context: BrowserContext = env.browser;
    await context.addCookies([{ name, value, url: env.platform.url, httpOnly: true, sameSite: 'Strict' }]);
    return { phone, context };
  }

  for (const [username, permission] of [['zhang.mgr', 'manage'], ['zhang.mem', 'call']] as const) {
    it(`a ${permission === 'manage' ? 'manager' : 'member'} signs out: the session ends on the server and the page shows the household no more`, async () => {
      const { phone, context } = await joined(username, permission);
      const page = await context.newPage();
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${env.platform.url}/family.html`);
      await page.locator(`article.hh[data-household-id="${SEED.households.zhang}"]`).waitFor({ timeout: 15_000 });
      expect(await page.locator('#signout').textContent()).toBe('退出');
      expect(await page.locator('#to-passkeys').getAttribute('href')).toBe('sign-in.html?passkeys');

      await page.locator('#signout').click();
      await page.waitForURL(/sign-in\.html$/);
      // The cookie the phone still holds is of an ended session.
      expect((await phone.send('POST', '/api/identity/session/refresh', { body: {} })).status).toBe(401);
      await page.goto(`${env.platform.url}/family.html`);
      await page.locator('#list .card').waitFor();
      expect(await page.locator('article.hh').count()).toBe(0);
      expect(await page.locator('#signout').count()).toBe(0);
      await page.close();
    });
  }

  it('a development link opened for another role (an official\'s) does not shadow the signed-in member\'s session', async () => {
    const { context } = await joined('zhang.dev', 'call');
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    const official = env.platform.token('O341321-rs-1', 'official', { rooms: [] }, { name: '人社干部' });
    await page.goto(`${env.platform.url}/family.html?token=${encodeURIComponent(official)}`);
    await page.locator(`article.hh[data-household-id="${SEED.households.zhang}"]`).waitFor({ timeout: 15_000 });
    expect(await page.locator('#signout').textContent()).toBe('退出');
    await page.close();
  });

  // Staff of the household service and of a compound's property office sign in with an account of
  // their own, naming their directory entry, with a second factor (a grid worker answers SOS calls
  // into homes, the office looks at the compound cameras); a resident with a password. Sign-out ends it.
  for (const [role, page, subject, username] of [
    ['counsellor', 'counsellor.html', SEED.counsellors.chen, 'chen.cs'],
    ['grid-worker', 'grid.html', SEED.villageContacts.zhangzhuang, 'wang.gw'],
    ['property', 'property.html', P.staff.liu, 'liu.wy'],
    ['resident', 'property.html', P.residents.chen, 'chen.jm'],
  ] as const) {
    it(`a ${role} signs out of ${page}: the session ends on the server and the page asks for a sign-in`, async () => {
      const sa = await bootstrapSecurityAdmin(env.platform, `sec.${username}`);
      const security = (await firstSignIn(new Browser(env.platform), sa.account.username, sa.initialPassword)).signedIn.token;
      const oneTime = await createAccount(env.platform, security, { username, displayName: `${role}-${username}`, role, subject });
      const desk = new Browser(env.platform);
      if (role === 'resident') await firstPasswordSignIn(desk, username, oneTime);
      else await firstSignIn(desk, username, oneTime);
      const [name, value] = desk.cookie!.split('=', 2) as [string, string];
      await env.browser.addCookies([{ name, value, url: env.platform.url, httpOnly: true, sameSite: 'Strict' }]);
      const tab = await env.browser.newPage();
      tab.on('pageerror', (e) => errors.push(e.message));
      await tab.goto(`${env.platform.url}/${page}`);
      await tab.locator('#who').filter({ hasText: `${role}-${username}` }).waitFor({ timeout: 15_000 });
      expect(await tab.locator('#to-passkeys').getAttribute('href')).toBe('sign-in.html?passkeys');

      await tab.locator('#signout').click();
      await tab.waitForURL(/sign-in\.html$/);
      expect((await desk.send('POST', '/api/identity/session/refresh', { body: {} })).status).toBe(401);
      await tab.goto(`${env.platform.url}/${page}`);
      await tab.locator('#signout').waitFor({ state: 'detached' });
      expect(await tab.locator('#who').textContent()).toBe('');
      await tab.close();
    });
  }

  it('an account names an entry of its own role: a property office account naming a resident, or nobody, is refused', async () => {
    const sa = await bootstrapSecurityAdmin(env.platform, 'sec.kinds');
    const security = (await firstSignIn(new Browser(env.platform), sa.account.username, sa.initialPassword)).signedIn.token;
    for (const subject of [P.residents.sun, 'ps-nobody']) {
      const r = await new Browser(env.platform).send('POST', '/api/identity/accounts', { token: security, body: { username: `wrong.${subject}`, displayName: '冒名', role: 'property', subject } });
      expect(r.status).toBe(404);
    }
  });

  it('left no page errors', () => {
    expect(errors).toEqual([]);
  });
});
