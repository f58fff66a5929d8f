// The HTTP role × action tables of docs/security.md, walked against a running node: every
// endpoint of every HTTP table (server/protocol/http) called as nobody and as every role, with
// tokens as the directory issues them (the development sign-in's seeded people and devices).
// A ✓ cell must get past the role gate (whatever the domain answers next, never a 5xx); a — cell
// must be refused by it. An endpoint without a row fails, so does a row without an endpoint:
// a new endpoint needs its rule written down before the suite passes.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../server/protocol/claims.ts';
import { fillPath, type Access } from '../../server/protocol/http/contract.ts';
import { HTTP_API, type EndpointName } from '../../server/protocol/http/index.ts';
import type { DemoIdentity, DemoKind } from '../../server/protocol/http/dev.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { send, type Answer } from './edge-support.ts';

const ANONYMOUS = 'anonymous';
type Caller = Role | typeof ANONYMOUS;

interface Row {
  endpoint: string;
  allowed: Map<Caller, boolean>;
  /** The "and then" column. */
  then: string;
}

/** The rows of every table in docs/security.md whose header starts `| endpoint | anonymous |`. */
function readRules(markdown: string): { columns: string[]; rows: Row[] } {
  const rows: Row[] = [];
  let columns: string[] = [];
  let header: string[] | undefined;
  const cells = (line: string) => line.split('|').slice(1, -1).map((c) => c.trim());
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      header = undefined;
      continue;
    }
    const c = cells(line);
    if (c[0] === 'endpoint' && c[1] === ANONYMOUS) {
      header = c;
      columns = c.slice(1, -1);
      continue;
    }
    const name = /^`([\w.]+)`$/.exec(c[0] ?? '')?.[1];
    if (!header || !name) continue;
    const marks = c.slice(1, header.length - 1);
    if (marks.length !== header.length - 2 || marks.some((m) => m !== '✓' && m !== '—')) throw new Error(`docs/security.md: row ${name} needs one ✓ or — per column`);
    rows.push({ endpoint: name, allowed: new Map(header.slice(1, -1).map((col, i) => [col as Caller, marks[i] === '✓'])), then: c[header.length - 1] ?? '' });
  }
  return { columns, rows };
}

const { columns, rows } = readRules(fs.readFileSync('docs/security.md', 'utf8'));
const GATE_REFUSALS = new Set(['role_not_allowed', 'grant_missing', 'not_internal']);
const reasonOf = (a: Answer) => (a.body?.error?.details as { reason?: string } | undefined)?.reason;

/** Refused by the role gate (server/core/http/area-router.ts), before any domain code. */
// (A 401 with a reason is the domain's: a public endpoint with its own credential, such as the
// session cookie of identity.refresh.)
const refusedByGate = (a: Answer) => (a.status === 401 && !reasonOf(a)) || (a.status === 403 && GATE_REFUSALS.has(reasonOf(a) ?? ''));

let platform: TestPlatform;
const tokens = new Map<Caller, string | undefined>();

async function signIn(identities: DemoIdentity[], kind: DemoKind): Promise<string> {
  const who = identities.find((i) => i.kind === kind);
  if (!who) throw new Error(`no seeded ${kind}`);
  const { body } = await send<{ code: string }>(platform.url, 'POST', '/dev/sign-in', { body: { kind, id: who.id } });
  const redeemed = await send<{ token: string }>(platform.url, 'POST', '/api/session/redeem', { body: { code: body!.data!.code } });
  return redeemed.body!.data!.token;
}

beforeAll(async () => {
  // Development on loopback: the dev rows exist, and the seeded identities sign in.
  platform = await startTestPlatform({ DEV_TOKENS: '1' });
  const identities = (await send<DemoIdentity[]>(platform.url, 'GET', '/dev/identities')).body!.data!;
  const kindOf: Partial<Record<Role, DemoKind>> = {
    terminal: 'terminal', official: 'official', coordinator: 'coordinator', archivist: 'archivist',
    family: 'family', 'home-device': 'device', counsellor: 'counsellor', 'grid-worker': 'grid',
  };
  tokens.set(ANONYMOUS, undefined);
  for (const role of ROLES) {
    const kind = kindOf[role];
    // The directory has no seeded petitioner, audit administrator or administrator: tokens of the same shape.
    tokens.set(role, kind ? await signIn(identities, kind) : platform.token(`${role}-1`, role, { rooms: [], canArchive: role === 'admin' }));
  }
}, 60_000);
afterAll(async () => {
  await platform?.close();
});

function call(name: EndpointName, token: string | undefined): Promise<Answer> {
  const e = HTTP_API[name];
  const params = Object.fromEntries([...e.path.matchAll(/:(\w+)/g)].map((m) => [m[1]!, 'x1']));
  return send(platform.url, e.method, e.base + fillPath(e.path, params), { ...(token ? { token } : {}), ...('body' in e && e.body ? { body: {} } : {}) });
}

describe('the HTTP role × action tables (docs/security.md)', () => {
  it('have one row per endpoint and one column per role', () => {
    expect(columns).toEqual([ANONYMOUS, ...ROLES]);
    const documented = rows.map((r) => r.endpoint);
    expect(documented.filter((n, i) => documented.indexOf(n) !== i), 'rows listed twice').toEqual([]);
    expect(Object.keys(HTTP_API).filter((n) => !documented.includes(n)), 'endpoints without a row').toEqual([]);
    expect(documented.filter((n) => !(n in HTTP_API)), 'rows without an endpoint').toEqual([]);
  });

  it('hold on a running node for every endpoint, as nobody and as every role', async () => {
    const wrong: string[] = [];
    for (const row of rows) {
      if (!(row.endpoint in HTTP_API)) continue;
      await Promise.all(
        columns.map(async (who) => {
          const a = await call(row.endpoint as EndpointName, tokens.get(who as Caller));
          const allowed = row.allowed.get(who as Caller)!;
          const said = `${row.endpoint} as ${who}: ${a.status} ${a.body?.error?.code ?? ''} ${reasonOf(a) ?? ''}`.trim();
          if (a.status >= 500) wrong.push(`${said} (a server error)`);
          else if (allowed && refusedByGate(a)) wrong.push(`${said}, but the table says ✓`);
          else if (!allowed && who === ANONYMOUS && a.status !== 401) wrong.push(`${said}, but the table says — (401 expected)`);
          else if (!allowed && who !== ANONYMOUS && !(a.status === 403 && GATE_REFUSALS.has(reasonOf(a) ?? ''))) wrong.push(`${said}, but the table says —`);
        }),
      );
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it('refuse a room token, as every role, on every endpoint but the ones that renew it', async () => {
    // A room token names a room in its grant (use: room); only `roomTokens` endpoints take one.
    const renewers = Object.entries(HTTP_API).filter(([, e]) => typeof e.access === 'object' && (e.access as Access & object).roomTokens === true).map(([n]) => n);
    expect(renewers.sort()).toEqual(['household.joinCall', 'petition.roomToken']);
    const wrong: string[] = [];
    for (const [name, e] of Object.entries(HTTP_API) as [EndpointName, (typeof HTTP_API)[EndpointName]][]) {
      if (typeof e.access !== 'object') continue; // public (no token read) or internal (the scrape token)
      await Promise.all(
        ROLES.map(async (role) => {
          const a = await call(name, platform.token(`${role}-room`, role, { rooms: ['test:a-room'] }));
          const refused = a.status === 403 && reasonOf(a) === 'room_token';
          if (a.status >= 500) wrong.push(`${name} as a ${role} room token: ${a.status} (a server error)`);
          else if (renewers.includes(name) === refused) wrong.push(`${name} as a ${role} room token: ${a.status} ${reasonOf(a) ?? ''}`);
        }),
      );
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it('rows that say they need `canArchive` refuse an archivist token without it', async () => {
    const archiveRows = rows.filter((r) => /needs (the token's )?`canArchive`/.test(r.then) && r.endpoint in HTTP_API);
    expect(archiveRows.length).toBeGreaterThan(0);
    const bare = platform.token('archivist-no-grant', 'archivist', { rooms: [] });
    for (const row of archiveRows) {
      const a = await call(row.endpoint as EndpointName, bare);
      expect({ endpoint: row.endpoint, status: a.status, reason: reasonOf(a) }).toEqual({ endpoint: row.endpoint, status: 403, reason: 'grant_missing' });
    }
  });
});
