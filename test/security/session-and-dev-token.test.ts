// One request, one identity: in development a browser can hold a sign-in session (the security
// administrator's, say) and a development token of someone else (a page opened with a dev
// sign-in). A request under /api/identity carrying both is refused as ambiguous
// (401 `ambiguous_credentials`) instead of being answered as the token's person; the session's
// own token, or either credential alone, is served as before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoIdentity } from '../../server/protocol/http/dev.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { bootstrapSecurityAdmin, Browser, firstSignIn } from '../identity/support.ts';
import { send } from './edge-support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ DEV_TOKENS: '1' });
});
afterAll(async () => {
  await platform?.close();
});

const reasonOf = (body: unknown) => ((body as { error?: { details?: { reason?: string } } } | undefined)?.error?.details)?.reason;

async function devToken(kind: 'family'): Promise<string> {
  const who = (await send<DemoIdentity[]>(platform.url, 'GET', '/dev/identities')).body!.data!.find((i) => i.kind === kind)!;
  const { body } = await send<{ code: string }>(platform.url, 'POST', '/dev/sign-in', { body: { kind, id: who.id } });
  return (await send<{ token: string }>(platform.url, 'POST', '/api/session/redeem', { body: { code: body!.data!.code } })).body!.data!.token;
}

describe('a sign-in session and a development token in one request', () => {
  it('is refused as ambiguous, whichever role the token has; each credential alone still works', async () => {
    const { initialPassword } = await bootstrapSecurityAdmin(platform);
    const browser = new Browser(platform);
    const { signedIn } = await firstSignIn(browser, 'secadmin', initialPassword);
    expect(browser.cookie).toBeTruthy();
    const family = await devToken('family');

    // The family member's endpoint, asked with the security administrator's cookie alongside.
    const mixed = await browser.send('GET', '/api/identity/me/invitations', { token: family });
    expect({ status: mixed.status, reason: reasonOf(mixed.body) }).toEqual({ status: 401, reason: 'ambiguous_credentials' });
    const mixedMe = await browser.send('GET', '/api/identity/me', { token: family });
    expect(mixedMe.status).toBe(401);

    // The session with its own token: served, as the session's person.
    const own = await browser.send<{ account: { username: string } }>('GET', '/api/identity/me', { token: signedIn.token });
    expect({ status: own.status, username: own.body.ok ? own.body.data.account.username : undefined }).toEqual({ status: 200, username: 'secadmin' });
    // The development token without the cookie: answered as its person, as before (this demo
    // family member has no account yet, so the domain's 403 — never the ambiguity refusal).
    const alone = await send(platform.url, 'GET', '/api/identity/me/invitations', { token: family });
    expect({ status: alone.status, reason: reasonOf(alone.body) }).toEqual({ status: 403, reason: undefined });
  });
});
