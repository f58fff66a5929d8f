// Two nodes on one PostgreSQL: the system audit trail is one chain in the shared database, not a
// file per node. Actions taken through both nodes at once land in that one chain, the audit
// administrator on either node finds all of them, the chain verifies, and `npm run audit:verify`
// names the one row whose byte was altered.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SystemAuditEntry } from '../../server/protocol/http/identity-shapes.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { Browser } from './support.ts';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../..');

describe('the system audit trail of two nodes on one PostgreSQL', () => {
  let a: TestPlatform;
  let b: TestPlatform;
  let databaseUrl: string;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('audit_two_nodes');
    const redisPrefix = `t${process.pid}-audit-two:`;
    [a, b] = await Promise.all([startTestPlatform({ DATABASE_URL: databaseUrl }, { redisPrefix }), startTestPlatform({ DATABASE_URL: databaseUrl }, { redisPrefix })]);
    expect(a.dataDir).not.toBe(b.dataDir);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  const verifyCli = (...args: string[]) =>
    run(path.join(REPO, 'node_modules/.bin/tsx'), ['server/identity/cli/audit-verify.ts', '--database-url', databaseUrl, ...args], { cwd: REPO }).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
    );

  it('chains the actions of both nodes, taken at once, into one trail that either node shows and that verifies', async () => {
    // Accounts made through both nodes at the same moment: each node's appends race the other's.
    const made = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const node = i % 2 === 0 ? a : b;
        const security = node.token(`sec-${i % 2 === 0 ? 'a' : 'b'}`, 'security-admin', { rooms: [] });
        return new Browser(node).data<{ account: { id: string } }>('POST', '/api/identity/accounts', {
          token: security,
          body: { username: `two.node.${i}`, displayName: `两节点${i}`, role: 'archivist' },
        });
      }),
    );
    expect(made).toHaveLength(20);
    // A failed sign-in on each node too.
    for (const node of [a, b]) await new Browser(node).send('POST', '/api/identity/sign-in', { body: { username: 'two.node.0', password: 'not-the-password' } });

    for (const node of [a, b]) {
      const auditor = node.token('audit-two', 'audit-admin', { rooms: [] });
      const created = await new Browser(node).data<SystemAuditEntry[]>('GET', '/api/identity/audit?type=account-created&text=two.node&limit=100', { token: auditor });
      // Every account, whichever node made it, and made by both security administrators.
      expect(created.map((e) => e.details.username).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `two.node.${i}`).sort());
      expect(new Set(created.map((e) => e.actor.sub))).toEqual(new Set(['sec-a', 'sec-b']));
      const failed = await new Browser(node).data<SystemAuditEntry[]>('GET', '/api/identity/audit?type=sign-in-failed&text=two.node.0', { token: auditor });
      expect(failed).toHaveLength(2);
      // One chain: consecutive numbers, no two entries at one place.
      const all = await new Browser(node).data<SystemAuditEntry[]>('GET', '/api/identity/audit?limit=1000', { token: auditor });
      expect(all.map((e) => e.seq)).toEqual(Array.from({ length: all.length }, (_, i) => all.length - 1 - i));
      expect(await new Browser(node).data('GET', '/api/identity/audit/verify', { token: auditor })).toMatchObject({ ok: true, problems: [] });
    }
    const cli = await verifyCli();
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/^OK: .* \d+ entries, 0 problem\(s\)/m);
  }, 60_000);

  it('names the one row whose byte was altered, in the node’s report and in npm run audit:verify', async () => {
    await Promise.all([a.services.audit.flushed(), b.services.audit.flushed()]);
    const db = a.services.store.db<{ system_audit: { seq: number; type: string; details_json: string } }>();
    const row = await db.selectFrom('system_audit').select(['seq', 'details_json']).where('type', '=', 'account-created').where('details_json', 'like', '%"two.node.7"%').executeTakeFirstOrThrow();
    const setDetails = (details_json: string) => db.updateTable('system_audit').set({ details_json }).where('seq', '=', row.seq).execute();
    try {
      await setDetails(row.details_json.replace('two.node.7', 'two.node.8'));
      const auditor = b.token('audit-two', 'audit-admin', { rooms: [] });
      const report = await new Browser(b).data<{ ok: boolean; problems: { seq?: number; problem: string }[] }>('GET', '/api/identity/audit/verify', { token: auditor });
      expect(report).toMatchObject({ ok: false, problems: [{ seq: row.seq, problem: expect.stringContaining('altered') }] });
      expect(report.problems).toHaveLength(1);
      const cli = await verifyCli();
      expect(cli.code).toBe(1);
      expect(cli.stdout).toContain(`(seq ${row.seq}): entry content does not match its hash (entry altered)`);
      expect(cli.stdout.match(/^FAIL  /gm)).toHaveLength(1);
      const json = JSON.parse((await verifyCli('--json')).stdout) as { ok: boolean; problems: { seq: number }[] };
      expect(json).toMatchObject({ ok: false, problems: [{ seq: row.seq }] });
    } finally {
      await setDetails(row.details_json);
    }
    expect((await verifyCli()).code).toBe(0);
  }, 60_000);
});
