// PostgreSQL out of reach is answered like Redis or SQLite out of reach: 503 `unavailable`, not
// 500. Real outages on a cluster of this file's own (the run's shared one must stay up): a
// backend the administrator terminates, a query in flight when the server goes down, and a new
// connection refused once it is down.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenIssuer } from '../../server/auth/grants.ts';
import { createAreaRouter } from '../../server/core/http/area-router.ts';
import { area, json } from '../../server/protocol/http/contract.ts';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../scripts/harness/postgres.ts';

const probe = area({
  base: '/api/probe',
  title: 'probe',
  endpoints: {
    'probe.query': { method: 'GET', path: '/query', summary: 'one query on the held connection', access: 'public', answer: json<{ n: number }>('{ n }') },
    'probe.sleep': { method: 'GET', path: '/sleep', summary: 'a long query on the held connection', access: 'public', answer: json<null>('null') },
    'probe.fresh': { method: 'GET', path: '/fresh', summary: 'one query on a new connection', access: 'public', answer: json<{ n: number }>('{ n }') },
  },
});

let cluster: ThrowawayPostgres;
async function connected(url: string): Promise<pg.Client> {
  const c = new pg.Client(url);
  c.on('error', () => undefined); // the outage also arrives as an event; the query's rejection is what is answered
  await c.connect();
  return c;
}
let held: pg.Client;
let server: Server;
let base: string;

beforeAll(async () => {
  cluster = await startThrowawayPostgres('outage');
  held = await connected(cluster.url);
  const app = express();
  app.use(
    probe.base,
    createAreaRouter(
      probe,
      {
        'probe.query': async () => ({ n: Number((await held.query('SELECT 1 AS n')).rows[0].n) }),
        'probe.sleep': async () => {
          await held.query('SELECT pg_sleep(60)');
          return null;
        },
        'probe.fresh': async () => {
          const c = await connected(cluster.url);
          try {
            return { n: Number((await c.query('SELECT 1 AS n')).rows[0].n) };
          } finally {
            await c.end().catch(() => undefined);
          }
        },
      },
      { tokens: new TokenIssuer('unit-test-secret-0123456789', 600) },
    ),
  );
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await held?.end().catch(() => undefined);
  await cluster?.stop();
});

async function get(path: string) {
  const res = await fetch(base + path);
  return { status: res.status, body: (await res.json()) as { ok: boolean; data?: unknown; error?: { code: string; message: string } } };
}
const unavailable = { status: 503, body: { ok: false, error: { code: 'unavailable' } } };

describe('PostgreSQL out of reach', () => {
  it('answers 503 unavailable when the administrator terminated the backend', async () => {
    expect(await get('/api/probe/query')).toMatchObject({ status: 200, body: { ok: true, data: { n: 1 } } });
    const admin = new pg.Client(cluster.url);
    await admin.connect();
    try {
      await admin.query('SELECT pg_terminate_backend($1)', [(held as unknown as { processID: number }).processID]);
    } finally {
      await admin.end();
    }
    try {
      expect(await get('/api/probe/query')).toMatchObject(unavailable);
    } finally {
      held = await connected(cluster.url);
    }
  });

  it('answers 503 unavailable for a query in flight when the server goes down, and for new connections after', async () => {
    expect(await get('/api/probe/fresh')).toMatchObject({ status: 200, body: { data: { n: 1 } } });
    const sleeping = get('/api/probe/sleep');
    // Evidence that the query is running on the server before it is stopped under it.
    const admin = new pg.Client(cluster.url);
    await admin.connect();
    try {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const r = await admin.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%' AND state = 'active'");
        if (r.rows[0].n > 0) break;
        if (Date.now() > deadline) throw new Error('the long query never started');
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      await admin.end();
    }
    await cluster.stop();
    expect(await sleeping).toMatchObject(unavailable);
    expect(await get('/api/probe/fresh')).toMatchObject(unavailable);
  });
});
