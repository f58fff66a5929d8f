// Signing out of the household pages in Chromium: a family member who joined by invitation (as
// the household's second manager) and a plain member each have a sign-out on the family page; it
// ends their session on the server (the cookie no longer refreshes), lands on the sign-in page,
// and the family page opened again shows nothing of the household. The page also links to the
// person's passkeys.
import type { BrowserContext } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SEED } from '../../server/household/index.ts';
import type { Invitation } from '../../server/protocol/http/identity-shapes.ts';
import { browserPlatform } from '../support/browser-platform.ts';
import { Browser } from './support.ts';

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

  it('left no page errors', () => {
    expect(errors).toEqual([]);
  });
});
