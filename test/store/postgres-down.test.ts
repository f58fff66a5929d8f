// A node whose PostgreSQL goes away answers `unavailable` (503) — something a client can retry —
// not a 500, and stays up: a lost idle connection of the pool does not end the process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../scripts/harness/postgres.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

const none = { rooms: [], canPublish: false, canSubscribe: false, sources: [] };

describe('a node whose PostgreSQL is gone', () => {
  let pg: ThrowawayPostgres;
  let node: TestPlatform;

  beforeAll(async () => {
    pg = await startThrowawayPostgres('sv_down');
    node = await startTestPlatform({ DATABASE_URL: pg.url });
  }, 120_000);
  afterAll(async () => {
    await node?.close();
    await pg?.stop();
  });

  it('answers unavailable instead of failing, keeps serving what needs no store, and its store ping fails', async () => {
    const t = 'T341321101201';
    const token = node.tokens.issue({ sub: `device-${t}`, name: '终端', role: 'terminal', grant: none, attributes: { terminalId: t } });
    const start = () =>
      fetch(`${node.url}/api/petition/cases`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ terminalId: t, category: 'wages' }) });
    expect((await start()).status).toBe(200);

    await pg.stop();
    const res = await start();
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    await expect(node.services.store.ping()).rejects.toThrow();
    // The lost idle connections did not take the process down (vitest also fails the run on
    // the unhandled 'error' event a pool without a listener would raise).
    expect((await fetch(`${node.internalUrl}/metrics`)).status).toBe(200);
  }, 60_000);
});
