// The invite page in Chromium: the household's manager makes an invitation and withdraws another;
// the person invited opens the link, sees who invites them where, and joins with their own sign-in
// name and password, which signs her in and sends her on to the family page, which is hers; the
// invitation is then accepted and she is in the household.
import { describe, expect, it } from 'vitest';
import { SEED } from '../../server/household/index.ts';
import { SESSION_COOKIE } from '../../server/identity/router.ts';
import type { HouseholdView } from '../../server/protocol/http/household-shapes.ts';
import type { Invitation } from '../../server/protocol/http/identity-shapes.ts';
import { browserPlatform } from '../support/browser-platform.ts';
import { openSignedIn } from '../petition/ui-support.ts';

describe('the invite page', () => {
  const env = browserPlatform();

  it('a manager invites, the person invited joins through the link, and the invitation shows accepted', async () => {
    const errors: string[] = [];
    const manager = env.platform.token(SEED.family.zhangWei, 'family', { rooms: [] }, { name: '张伟' });
    const desk = await openSignedIn(env.browser, env.platform.url, errors, 'manager', 'invite.html', manager);
    const make = async (relation: string) => {
      await desk.locator('#invite input[name=relation]').fill(relation);
      await desk.locator('#invite #submit').click();
      await desk.locator(`#invitations tr[data-state=open] td:text-is("${relation}")`).waitFor({ timeout: 10_000 });
      return (await desk.locator('#made').getAttribute('data-invitation'))!;
    };
    expect(await desk.locator('#invite select[name=householdId] option:checked').textContent()).toBe('张家');

    // An invitation made and withdrawn.
    const withdrawn = await make('外甥');
    await desk.locator(`tr[data-invitation="${withdrawn}"] [data-act=withdraw]`).click();
    await desk.locator(`tr[data-invitation="${withdrawn}"][data-state=revoked]`).waitFor({ timeout: 10_000 });

    // The one she joins with: its code and link are shown this once.
    const invitation = await make('女儿');
    const code = (await desk.locator('#invite-code').textContent())!.trim();
    const link = (await desk.locator('#invite-link').textContent())!.trim();
    expect(link).toBe(`${env.platform.url}/invite.html#code=${code.replace('-', '')}`);

    // She opens the link on her phone.
    const phone = await env.browser.newPage();
    phone.on('pageerror', (e) => errors.push(`[phone] ${e.message}`));
    await phone.goto(link);
    await expect.poll(() => phone.locator('#preview').textContent(), { timeout: 10_000 }).toBe('张伟 邀请您以“女儿”的身份加入张家（权限：通话）。');
    const form = { name: '张丽', city: '宁波', username: 'zhang.li.web', password: 'Ningbo-Harbour-7', repeat: 'Ningbo-Harbour-8' };
    for (const [field, value] of Object.entries(form)) await phone.locator(`#join input[name=${field}]`).fill(value);
    await phone.locator('#join #submit').click();
    await expect.poll(() => phone.locator('#error').textContent()).toBe('两次输入的密码不一致');
    await phone.locator('#join input[name=repeat]').fill(form.password);
    await phone.locator('#join #submit').click();
    await phone.waitForURL(/\/family\.html$/, { timeout: 15_000 });
    expect((await phone.context().cookies(`${env.platform.url}/api/identity/session`)).map((c) => c.name)).toContain(SESSION_COOKIE);
    // Her session is the cookie the join set, and the family page is hers: her name, and the
    // household she joined.
    await expect.poll(() => phone.locator('#who').textContent(), { timeout: 15_000 }).toBe('张丽');
    await phone.locator(`[data-household-id="${SEED.households.zhang}"] [data-act=call]`).waitFor({ timeout: 15_000 });

    // The manager's side (asked over HTTP: this browser now holds her session, and the page would be hers).
    const get = async <T>(path: string) => ((await (await fetch(env.platform.url + path, { headers: { authorization: `Bearer ${manager}` } })).json()) as { data: T }).data;
    const invitations = await get<Invitation[]>(`/api/identity/households/${SEED.households.zhang}/invitations`);
    expect(invitations.find((i) => i.id === invitation)?.state).toBe('accepted');
    const home = await get<HouseholdView>(`/api/household/households/${SEED.households.zhang}`);
    expect(home.family.find((m) => m.name === '张丽')).toMatchObject({ city: '宁波', relation: '女儿', permission: 'call' });
    expect(errors).toEqual([]);
  });
});
