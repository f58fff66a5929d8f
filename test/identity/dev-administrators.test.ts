// The development sign-in offers the three administrators (三员分立), one each, so admin.html can be
// tried without the bootstrap command; each token carries its own role and nothing else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoIdentity } from '../../server/protocol/http/dev.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { Browser } from './support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ DEV_TOKENS: '1' });
});
afterAll(async () => {
  await platform?.close();
});

describe('development sign-in', () => {
  it('offers a system, a security and an audit administrator, each opening admin.html in its own role', async () => {
    const http = new Browser(platform);
    const identities = await http.data<DemoIdentity[]>('GET', '/dev/identities');
    const admins = identities.filter((i) => ['admin', 'security-admin', 'audit-admin'].includes(i.kind));
    expect(admins.map((i) => i.kind)).toEqual(['admin', 'security-admin', 'audit-admin']);
    for (const who of admins) {
      const { code, page } = await http.data<{ code: string; page: string }>('POST', '/dev/sign-in', { body: { kind: who.kind, id: who.id } });
      expect(page).toBe('admin.html');
      const { token } = await http.data<{ token: string }>('POST', '/api/session/redeem', { body: { code } });
      const claims = platform.tokens.verify(token);
      expect(claims).toMatchObject({ role: who.kind, sub: who.id });
    }
    // A made-up id is not an administrator.
    expect((await http.send('POST', '/dev/sign-in', { body: { kind: 'security-admin', id: 'somebody' } })).status).toBe(404);
  });
});
