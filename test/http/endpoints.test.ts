// Every entry of every endpoint table against a running node: it is served; without a token it
// is 401; with a role the table does not list (or without its grant) 403; with a malformed path
// parameter, query or body a typed 400. Error bodies never carry a stack or a server path.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../server/protocol/claims.ts';
import type { Endpoint } from '../../server/protocol/http/contract.ts';
import { HTTP_AREAS } from '../../server/protocol/http/index.ts';
import { SEED } from '../../server/household/index.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ DEV_TOKENS: '1' });
});
afterAll(async () => {
  await platform?.close();
});

const entries = HTTP_AREAS.flatMap((a) => Object.entries(a.endpoints as Record<string, Endpoint>).map(([name, e]) => ({ base: a.base, name, e })));
const guarded = entries.filter(({ e }) => e.access !== 'public');
const pub = entries.filter(({ e }) => e.access === 'public');

/** A value no parameter schema accepts (spaces, and a slash once decoded). */
const BAD_PARAM = encodeURIComponent(' no/such ');
const goodParams: Record<string, string> = {
  caseId: 'XF20261126-000042',
  caseNumber: 'XF20261126-000042',
  ticketId: 'XF20261126-000042:q1',
  householdId: 'hh-1',
  callId: 'call-1',
  lookInId: 'look-1',
  deviceId: 'dev-1',
  memberId: 'fm-1',
  alertId: 'alert-1',
  sessionId: 'S-1',
  segmentId: 'seg-1',
  jobId: '00000000-0000-4000-8000-000000000000',
  accountId: 'acc-1',
  pairingId: 'pair-1',
  invitationId: 'inv-1',
};
const url = (base: string, e: Endpoint, bad = false) => base + e.path.replace(/:(\w+)/g, (_m, p: string) => (bad ? BAD_PARAM : goodParams[p]!));

function tokenFor(role: Role, canArchive = true): string {
  return platform.token(`u-${role}`, role, { rooms: [], canArchive });
}
function allowedRole(e: Endpoint): Role {
  if (typeof e.access === 'string' || e.access.roles === 'any') return 'admin';
  return e.access.roles[0]!;
}
function refusedRole(e: Endpoint): Role | undefined {
  if (typeof e.access === 'string' || e.access.roles === 'any') return undefined;
  const roles = e.access.roles;
  return ROLES.find((r) => !roles.includes(r));
}

async function send(method: string, target: string, opts: { token?: string; body?: string } = {}) {
  const res = await fetch(platform.url + target, {
    method,
    headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(opts.body !== undefined ? { body: opts.body } : {}),
  });
  const text = await res.text();
  let json: { ok: boolean; error?: { code: string; message: string } } | undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

function expectTypedError(r: Awaited<ReturnType<typeof send>>, status: number, code: string, what: string): void {
  expect({ status: r.status, code: r.json?.error?.code }, what).toEqual({ status, code });
  expect(r.json?.ok, what).toBe(false);
  expect(r.text, what).not.toMatch(/\bat [\w.<>]+ \(|\/work\/|node_modules|\.ts:\d+/);
}

describe('every endpoint of the tables', () => {
  it.each(guarded.map((x) => [x.name, x]))('%s without a token is 401', async (_n, { base, e }) => {
    const r = await send(e.method, url(base, e), e.body ? { body: '{}' } : {});
    expectTypedError(r, 401, 'unauthorized', `${e.method} ${e.path}`);
  });

  it.each(guarded.filter((x) => refusedRole(x.e)).map((x) => [x.name, x]))('%s with a role it does not list is 403', async (_n, { base, e }) => {
    const r = await send(e.method, url(base, e), { token: tokenFor(refusedRole(e)!), ...(e.body ? { body: '{}' } : {}) });
    expectTypedError(r, 403, 'forbidden', `${e.method} ${e.path}`);
  });

  it('refuses an archive role without grant.canArchive with 403 on every archive endpoint', async () => {
    for (const { base, e } of guarded.filter((x) => typeof x.e.access !== 'string' && x.e.access.grant)) {
      const r = await send(e.method, url(base, e), { token: tokenFor(allowedRole(e), false), ...(e.body ? { body: '{}' } : {}) });
      expectTypedError(r, 403, 'forbidden', `${e.method} ${e.path}`);
    }
  });

  const parsing = entries.filter((x) => x.e.params || x.e.query || x.e.body);
  it.each(parsing.map((x) => [x.name, x]))('%s with a malformed parameter, query or body is a typed 400', async (_n, { base, e }) => {
    const token = e.access === 'public' ? undefined : tokenFor(allowedRole(e));
    const auth = token ? { token } : {};
    const cases: [string, string, { body?: string }][] = [];
    if (e.params) cases.push(['path', url(base, e, true), e.body ? { body: '{}' } : {}]);
    if (e.query) cases.push(['query', `${url(base, e)}?__bogus=1`, e.body ? { body: '{}' } : {}]);
    if (e.body) {
      cases.push(['body', url(base, e), { body: JSON.stringify({ __bogus: 1 }) }]);
      cases.push(['json', url(base, e), { body: '{"__bogus": tru' }]);
    }
    for (const [what, target, body] of cases) {
      expectTypedError(await send(e.method, target, { ...auth, ...body }), 400, 'bad_request', `${what}: ${e.method} ${e.path}`);
    }
  });

  it.each(pub.map((x) => [x.name, x]))('%s is served without a token', async (_n, { base, e }) => {
    const r = await send(e.method, url(base, e), e.body ? { body: '{}' } : {});
    expect(r.json?.error?.message, e.path).not.toBe('no such endpoint');
    // Some answer 401 for a credential of their own (the session cookie, a code); none asks for a token.
    expect(r.json?.error?.message ?? '', e.path).not.toMatch(/Bearer/);
  });

  it('answers a path no table lists with a JSON 404, under each area and under /api and /dev', async () => {
    for (const target of ['/api/petition/nothing', '/api/household/nothing', '/api/archive/nothing', '/api/nothing', '/dev/nothing']) {
      const r = await send('GET', target, { token: tokenFor('admin') });
      expectTypedError(r, 404, 'not_found', target);
      expect(r.text).not.toContain('nothing');
    }
  });

  it('answers a household write with 503 unavailable, not 500, while SQLite stays locked past its busy timeout', async () => {
    const other = new Database(path.join(platform.dataDir, 'app.db'));
    other.exec('BEGIN IMMEDIATE');
    try {
      const manager = platform.token(SEED.family.zhangWei, 'family', { rooms: [] });
      const r = await send('POST', `/api/household/households/${SEED.households.zhang}/privacy`, { token: manager, body: JSON.stringify({ on: true }) });
      expectTypedError(r, 503, 'unavailable', 'privacy while locked');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });
});
