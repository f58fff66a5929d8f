// The endpoint tables themselves: names, paths and parameters agree, and `api.call` is typed by
// them (the @ts-expect-error lines are checked by tsc in npm test).
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { HTTP_API, HTTP_AREAS } from '../../server/protocol/http/index.ts';
import { fillPath, queryString, type Endpoint } from '../../server/protocol/http/contract.ts';
import type { Api, ApiResult } from '../../client-web/src/lib/api.ts';
import type { Case, Offer } from '../../server/protocol/http/petition-shapes.ts';
import type { SessionDetail } from '../../server/protocol/http/archive-shapes.ts';

const entries = HTTP_AREAS.flatMap((a) => Object.entries(a.endpoints as Record<string, Endpoint>).map(([name, e]) => ({ area: a, name, e })));

describe('the HTTP endpoint tables', () => {
  it('name every endpoint <area>.<action>, once, with one area prefix per area', () => {
    const names = entries.map((x) => x.name);
    expect(new Set(names).size).toBe(names.length);
    for (const a of HTTP_AREAS) {
      const prefixes = new Set(Object.keys(a.endpoints).map((n) => n.split('.')[0]));
      expect(prefixes.size, a.title).toBe(1);
      for (const n of Object.keys(a.endpoints)) expect(n).toMatch(/^[a-z]+\.[a-zA-Z]+$/);
    }
    expect(Object.keys(HTTP_API).sort()).toEqual([...names].sort());
  });

  it('give no two endpoints the same method and path', () => {
    const routes = entries.map(({ area, e }) => `${e.method} ${area.base}${e.path.replace(/:\w+/g, ':')}`);
    expect(routes.filter((r, i) => routes.indexOf(r) !== i)).toEqual([]);
  });

  it('declare a schema key for every :parameter of a path, and no other', () => {
    for (const { name, e } of entries) {
      const inPath = [...e.path.matchAll(/:(\w+)/g)].map((m) => m[1]).sort();
      const inSchema = e.params ? Object.keys((e.params as z.ZodObject).shape).sort() : [];
      expect(inSchema, name).toEqual(inPath);
    }
  });

  it('fill paths with encoded parameters and leave undefined query values out', () => {
    expect(fillPath('/tickets/:ticketId/accept', { ticketId: 'XF20261126-000042:i2' })).toBe('/tickets/XF20261126-000042%3Ai2/accept');
    expect(() => fillPath('/cases/:caseId', {})).toThrow(/caseId/);
    expect(queryString({ limit: 10, resolved: undefined, q: 'a b' })).toBe('?limit=10&q=a+b');
    expect(queryString({})).toBe('');
  });

  it('type api.call by the table: arguments and answers', () => {
    // Never run: tsc checks the calls below against the table.
    const typed = (api: Api) => {
      expectTypeOf(api.call('petition.getCase', { params: { caseId: 'XF20261126-000042' } })).resolves.toEqualTypeOf<Case>();
      expectTypeOf(api.call('petition.offerNext', { body: {} })).resolves.toEqualTypeOf<Offer | null>();
      expectTypeOf<ApiResult<'archive.session'>>().toEqualTypeOf<SessionDetail>();
      void api.call('petition.desk');
      void api.call('household.missedCalls', { params: { householdId: 'hh-1' }, query: { limit: 10 } });
      // @ts-expect-error: the path parameter is required
      void api.call('petition.getCase');
      // @ts-expect-error: no such endpoint
      void api.call('petition.nothing');
      // @ts-expect-error: raw endpoints are not JSON calls (use apiUrl)
      void api.call('archive.segment', { params: { sessionId: 's', segmentId: 'x' } });
      // @ts-expect-error: the body's shape comes from the table
      void api.call('petition.rate', { params: { caseId: 'XF20261126-000042' }, body: { rating: 'great' } });
    };
    expect(typeof typed).toBe('function');
  });
});
