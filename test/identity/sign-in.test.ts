// Accounts, sign-in and sessions against a running node over HTTP: the one-time password forces
// a new one and an authenticator; an official's password + TOTP yields a token the desk's API
// accepts; five wrong passwords lock the account; a revoked session yields no more tokens; the
// audit administrator finds all of it in a chain that verifies — and names an entry altered in the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InitialPassword, SessionInfo, SignedIn, SystemAuditEntry } from '../../server/protocol/http/identity-shapes.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { Browser, NEW_PASSWORD, bootstrapSecurityAdmin, firstSignIn, totpCode } from './support.ts';

let platform: TestPlatform;
let security: SignedIn;
const OFFICIAL = 'O341302-rs-1';

beforeAll(async () => {
  platform = await startTestPlatform();
  const { initialPassword } = await bootstrapSecurityAdmin(platform);
  security = (await firstSignIn(new Browser(platform), 'secadmin', initialPassword)).signedIn;
});
afterAll(async () => {
  await platform?.close();
});

async function createAccount(body: Record<string, unknown>): Promise<InitialPassword> {
  return new Browser(platform).data<InitialPassword>('POST', '/api/identity/accounts', { token: security.token, body });
}

describe('sign-in with password and TOTP', () => {
  it('takes an official from the one-time password to the desk, with a second factor every time after', async () => {
    const { initialPassword } = await createAccount({ username: 'zhang.rs', displayName: '张干部', role: 'official', subject: OFFICIAL });
    const b = new Browser(platform);
    const { signedIn, secret } = await firstSignIn(b, 'zhang.rs', initialPassword);
    expect(signedIn.page).toBe('official.html');
    expect(b.cookie).toMatch(/^sv_session=ses-/);
    const claims = platform.tokens.verify(signedIn.token);
    expect(claims).toMatchObject({ sub: OFFICIAL, role: 'official', attributes: { department: '341302-rs' } });
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(300);
    // The desk's own API takes the token.
    const desk = await b.send<{ queues: unknown[] }>('GET', '/api/petition/desk', { token: signedIn.token });
    expect(desk.status).toBe(200);

    // Next time: password, then a code; a code already used is refused.
    const again = new Browser(platform);
    const s1 = await again.step('/sign-in', { username: 'zhang.rs', password: NEW_PASSWORD });
    expect(s1).toMatchObject({ step: 'second-factor', methods: ['totp'] });
    if (s1.step !== 'second-factor') throw new Error('unreachable');
    const wrong = await again.send('POST', '/api/identity/sign-in/totp', { body: { challenge: s1.challenge, code: '000000' } });
    expect(wrong.body).toMatchObject({ ok: false, error: { code: 'unauthorized', details: { reason: 'wrong_code' } } });
    const s2 = await again.step('/sign-in/totp', { challenge: s1.challenge, code: await totpCode(secret, 1) });
    expect(s2.step).toBe('signed-in');
  });

  it('locks an account after five wrong passwords, refuses even the right one, and an unlock lifts it', async () => {
    const { account, initialPassword } = await createAccount({ username: 'li.mz', displayName: '李干部', role: 'official', subject: 'O341302-mz-1' });
    const b = new Browser(platform);
    const remaining: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      const a = await b.send('POST', '/api/identity/sign-in', { body: { username: 'li.mz', password: 'not-the-password' } });
      remaining.push(a.body.ok ? 'ok' : (a.body.error.details?.remaining ?? a.body.error.details?.reason));
    }
    expect(remaining).toEqual([4, 3, 2, 1, 'account_locked']);
    const right = await b.send('POST', '/api/identity/sign-in', { body: { username: 'li.mz', password: initialPassword } });
    expect(right.status).toBe(403);
    expect(right.body).toMatchObject({ ok: false, error: { details: { reason: 'account_locked' } } });
    await b.data('POST', `/api/identity/accounts/${account.id}/unlock`, { token: security.token });
    expect(await b.step('/sign-in', { username: 'li.mz', password: initialPassword })).toMatchObject({ step: 'change-password' });
  });

  it('answers the same for an unknown name as for a wrong password', async () => {
    const a = await new Browser(platform).send('POST', '/api/identity/sign-in', { body: { username: 'nobody', password: 'whatever-1A' } });
    expect(a.status).toBe(401);
    expect(a.body).toMatchObject({ ok: false, error: { code: 'unauthorized', message: 'wrong sign-in name or password' } });
  });

  it('refuses a password that breaks the rules at the forced change', async () => {
    const { initialPassword } = await createAccount({ username: 'wang.coord', displayName: '王值班', role: 'coordinator' });
    const b = new Browser(platform);
    const s1 = await b.step('/sign-in', { username: 'wang.coord', password: initialPassword });
    if (s1.step !== 'change-password') throw new Error('unreachable');
    for (const [pw, reason] of [['short1A', 'too_short'], ['alllowercase-letters', 'too_simple'], ['Wang.Coord-2026', 'contains_username']] as const) {
      const a = await b.send('POST', '/api/identity/sign-in/new-password', { body: { challenge: s1.challenge, newPassword: pw } });
      expect(a.body).toMatchObject({ ok: false, error: { code: 'bad_request', details: { reason } } });
    }
  });
});

describe('sessions', () => {
  it('refreshes the access token from the cookie until the security administrator revokes the session', async () => {
    const { initialPassword } = await createAccount({ username: 'chen.zj', displayName: '陈干部', role: 'official', subject: 'O341302-zj-1' });
    const b = new Browser(platform);
    await firstSignIn(b, 'chen.zj', initialPassword);
    const fresh = await b.data<SignedIn>('POST', '/api/identity/session/refresh', { body: { active: true } });
    expect(platform.tokens.verify(fresh.token).sub).toBe('O341302-zj-1');

    // The security administrator works from another browser: chen.zj's cookie beside the
    // administrator's token would be refused as ambiguous (test/security/session-and-dev-token.test.ts).
    const admin = new Browser(platform);
    const sessions = await admin.data<SessionInfo[]>('GET', '/api/identity/sessions', { token: security.token });
    const mine = sessions.find((s) => s.username === 'chen.zj')!;
    expect(mine).toMatchObject({ method: 'password+totp', role: 'official' });
    expect(await admin.data('POST', `/api/identity/sessions/${mine.id}/revoke`, { token: security.token })).toEqual({ revoked: true });

    const after = await b.send('POST', '/api/identity/session/refresh', { body: {} });
    expect(after.body).toMatchObject({ ok: false, error: { code: 'unauthorized', details: { reason: 'session_ended' } } });
  });

  it('signs out everywhere: every browser of the account loses its session', async () => {
    const { initialPassword } = await createAccount({ username: 'zhao.ga', displayName: '赵干部', role: 'official', subject: 'O341302-ga-1' });
    const first = new Browser(platform);
    const { secret, signedIn } = await firstSignIn(first, 'zhao.ga', initialPassword);
    const second = new Browser(platform);
    const s1 = await second.step('/sign-in', { username: 'zhao.ga', password: NEW_PASSWORD });
    if (s1.step !== 'second-factor') throw new Error('unreachable');
    await second.step('/sign-in/totp', { challenge: s1.challenge, code: await totpCode(secret, 1) });
    expect(await first.data('POST', '/api/identity/me/sign-out-everywhere', { token: signedIn.token })).toEqual({ ended: 2 });
    for (const b of [first, second]) expect((await b.send('POST', '/api/identity/session/refresh', { body: {} })).status).toBe(401);
  });

  it('keeps one role per person: a second account for the same official is refused', async () => {
    const a = await new Browser(platform).send('POST', '/api/identity/accounts', {
      token: security.token,
      body: { username: 'zhang.again', displayName: '张', role: 'official', subject: OFFICIAL },
    });
    expect(a.body).toMatchObject({ ok: false, error: { code: 'conflict', details: { reason: 'subject_has_account' } } });
  });
});

describe('the system audit trail', () => {
  it('holds every sign-in, failure, lock-out and revocation for the audit administrator, and its chain verifies', async () => {
    const { initialPassword } = await createAccount({ username: 'auditor', displayName: '审计管理员', role: 'audit-admin' });
    const auditor = (await firstSignIn(new Browser(platform), 'auditor', initialPassword)).signedIn;
    const b = new Browser(platform);
    const entries = await b.data<SystemAuditEntry[]>('GET', '/api/identity/audit?limit=1000', { token: auditor.token });
    const types = new Set(entries.map((e) => e.type));
    for (const t of ['account-created', 'sign-in', 'sign-in-failed', 'account-locked', 'session-revoked', 'password-changed', 'second-factor-changed']) expect(types).toContain(t);
    const locked = await b.data<SystemAuditEntry[]>('GET', '/api/identity/audit?type=account-locked&text=li.mz', { token: auditor.token });
    expect(locked).toHaveLength(1);
    expect(await b.data('GET', '/api/identity/audit/verify', { token: auditor.token })).toMatchObject({ ok: true, problems: [] });
    // Neither the security administrator nor an official reads the trail.
    expect((await b.send('GET', '/api/identity/audit', { token: security.token })).status).toBe(403);
  });

  it('names the entry whose bytes were altered', async () => {
    await platform.services.audit.flushed();
    const db = platform.services.store.db<{ system_audit: { seq: number; type: string; details_json: string } }>();
    const row = await db.selectFrom('system_audit').select(['seq', 'details_json']).where('type', '=', 'account-locked').executeTakeFirstOrThrow();
    expect(row.details_json).toContain('"li.mz"');
    const setDetails = (details_json: string) => db.updateTable('system_audit').set({ details_json }).where('seq', '=', row.seq).execute();
    try {
      await setDetails(row.details_json.replace('"li.mz"', '"li.mx"'));
      const auditor = platform.token('auditor-x', 'audit-admin', { rooms: [] });
      const report = await new Browser(platform).data<{ ok: boolean; problems: { line: number; seq?: number; problem: string }[] }>('GET', '/api/identity/audit/verify', { token: auditor });
      expect(report.ok).toBe(false);
      expect(report.problems).toEqual([{ line: row.seq + 1, seq: row.seq, problem: expect.stringContaining('altered') }]);
    } finally {
      await setDetails(row.details_json);
    }
  });
});
