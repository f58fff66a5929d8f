// The one serving piece of every HTTP area, on a small table of its own: token, role and grant
// checks, edge validation, raw answers, and the one error middleware's answers.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TokenIssuer } from '../../server/auth/grants.ts';
import { createAreaRouter } from '../../server/core/http/area-router.ts';
import { httpErrors, unknownEndpoint } from '../../server/core/http/failure.ts';
import { AppError } from '../../server/core/errors.ts';
import { area, json, raw } from '../../server/protocol/http/contract.ts';

const demo = area({
  base: '/api/demo',
  title: 'demo',
  endpoints: {
    'demo.echo': {
      method: 'POST', path: '/items/:itemId', summary: 'echo', access: { roles: ['official'] },
      params: z.strictObject({ itemId: z.string().regex(/^\d+$/) }), query: z.strictObject({ n: z.coerce.number().int().max(5).optional() }),
      body: z.strictObject({ text: z.string().max(10) }), answer: json<{ itemId: string; n: number | undefined; text: string; sub: string }>('Echo', 201),
    },
    'demo.archive': { method: 'GET', path: '/archive', summary: 'grant', access: { roles: 'any', grant: 'canArchive' }, answer: json<{ ok: true }>('{}') },
    'demo.open': { method: 'GET', path: '/open', summary: 'public', access: 'public', answer: json<null>('null') },
    'demo.bytes': { method: 'GET', path: '/bytes', summary: 'raw', access: { roles: 'any', ticket: true }, answer: raw('text') },
    'demo.down': { method: 'GET', path: '/down', summary: 'store out', access: 'public', answer: json<null>('null') },
    'demo.bug': { method: 'GET', path: '/bug', summary: 'bug', access: 'public', answer: json<null>('null') },
    'demo.gone': { method: 'GET', path: '/gone', summary: 'typed', access: 'public', answer: json<null>('null') },
  },
});

const tokens = new TokenIssuer('unit-test-secret-0123456789', 600);
const token = (role: 'official' | 'family', canArchive = false) =>
  tokens.issue({ sub: `u-${role}`, name: role, role, grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [], canArchive } });

let server: Server;
let base: string;
beforeAll(async () => {
  const app = express();
  app.use(
    demo.base,
    createAreaRouter(
      demo,
      {
        'demo.echo': ({ params, query, body, claims }) => ({ itemId: params.itemId, n: query.n, text: body.text, sub: claims.sub }),
        'demo.archive': () => ({ ok: true as const }),
        'demo.open': () => null,
        'demo.bytes': ({ claims, res }) => void res.type('text/plain').send(claims ? 'bearer' : 'ticket'),
        'demo.down': () => {
          throw new Error('Connection is closed.'); // what ioredis says once it gave up
        },
        'demo.bug': () => {
          throw new Error('/secret/path/app.db exploded');
        },
        'demo.gone': () => {
          throw new AppError('gone', 'it went');
        },
      },
      { tokens, bodyLimit: '1kb' },
    ),
  );
  app.use('/api', unknownEndpoint, httpErrors());
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

async function send(method: string, path: string, opts: { token?: string; body?: unknown } = {}) {
  const res = await fetch(base + path, {
    method,
    headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(opts.body !== undefined ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, text, json: res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as any) : undefined };
}

describe('an area router built from a table', () => {
  it('answers {ok, data} with the entry status and the parsed, typed input', async () => {
    const r = await send('POST', '/api/demo/items/42?n=3', { token: token('official'), body: { text: 'hi' } });
    expect(r).toMatchObject({ status: 201, json: { ok: true, data: { itemId: '42', n: 3, text: 'hi', sub: 'u-official' } } });
  });

  it('refuses a missing or invalid token with 401, a role not listed or a missing grant with 403', async () => {
    expect(await send('POST', '/api/demo/items/42', { body: { text: 'hi' } })).toMatchObject({ status: 401, json: { error: { code: 'unauthorized' } } });
    expect(await send('POST', '/api/demo/items/42', { token: 'nope', body: { text: 'hi' } })).toMatchObject({ status: 401 });
    expect(await send('POST', '/api/demo/items/42', { token: token('family'), body: { text: 'hi' } })).toMatchObject({
      status: 403,
      json: { error: { code: 'forbidden', details: { reason: 'role_not_allowed' } } },
    });
    expect(await send('GET', '/api/demo/archive', { token: token('family') })).toMatchObject({ status: 403, json: { error: { details: { reason: 'grant_missing' } } } });
    expect(await send('GET', '/api/demo/archive', { token: token('family', true) })).toMatchObject({ status: 200 });
    expect(await send('GET', '/api/demo/open')).toMatchObject({ status: 200, json: { ok: true, data: null } });
  });

  it('answers bad params, query, body and malformed JSON with 400 naming the field, and a large body with 413', async () => {
    const t = token('official');
    const param = await send('POST', '/api/demo/items/abc', { token: t, body: { text: 'hi' } });
    expect(param).toMatchObject({ status: 400, json: { error: { code: 'bad_request' } } });
    expect(param.json.error.details).toEqual([expect.stringMatching(/^itemId: /)]);
    expect(await send('POST', '/api/demo/items/1?n=9', { token: t, body: { text: 'hi' } })).toMatchObject({ status: 400 });
    expect(await send('POST', '/api/demo/items/1?x=1', { token: t, body: { text: 'hi' } })).toMatchObject({ status: 400 });
    expect(await send('POST', '/api/demo/items/1', { token: t, body: { text: 'hi', extra: 1 } })).toMatchObject({ status: 400 });
    expect(await send('POST', '/api/demo/items/1', { token: t })).toMatchObject({ status: 400 }); // no body: parsed as {}
    expect(await send('POST', '/api/demo/items/1', { token: t, body: '{"text": tru' })).toMatchObject({ status: 400, json: { error: { code: 'bad_request', message: 'malformed JSON body' } } });
    expect(await send('POST', '/api/demo/items/1', { token: t, body: { text: 'x'.repeat(2000) } })).toMatchObject({ status: 413, json: { error: { code: 'bad_request' } } });
  });

  it('lets raw entries answer themselves, with a ?ticket= standing in for the token where the entry allows it', async () => {
    expect(await send('GET', '/api/demo/bytes', { token: token('family') })).toMatchObject({ status: 200, text: 'bearer' });
    expect(await send('GET', '/api/demo/bytes?ticket=abc')).toMatchObject({ status: 200, text: 'ticket' });
    expect(await send('GET', '/api/demo/bytes')).toMatchObject({ status: 401 });
  });

  it('maps a store outage to 503, a bug to 500 without its message, a typed error to its status, an unknown path to 404', async () => {
    expect(await send('GET', '/api/demo/down')).toMatchObject({ status: 503, json: { ok: false, error: { code: 'unavailable' } } });
    const bug = await send('GET', '/api/demo/bug');
    expect(bug).toMatchObject({ status: 500, json: { ok: false, error: { code: 'internal', message: 'internal error' } } });
    expect(bug.text).not.toMatch(/secret|exploded|at /);
    expect(await send('GET', '/api/demo/gone')).toMatchObject({ status: 410, json: { error: { code: 'gone' } } });
    const unknown = await send('GET', '/api/demo/nothing/here');
    expect(unknown).toMatchObject({ status: 404, json: { ok: false, error: { code: 'not_found' } } });
    expect(unknown.text).not.toContain('/nothing/here');
    expect(await send('GET', '/api/elsewhere')).toMatchObject({ status: 404, json: { error: { code: 'not_found' } } });
  });
});
