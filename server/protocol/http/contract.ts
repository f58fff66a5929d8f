// The shape of an HTTP endpoint table. Each area (petition, household, archive, …) lists its
// endpoints once — method, path, who may call, zod schemas for path parameters, query and body,
// and what it answers — and everything else is derived from that one table: the server's routers
// (server/core/http), the pages' typed `api.call(name, …)` (client-web/src/lib/api.ts) and
// docs/http-api.md (scripts/docs/http-api.ts). Shared with the pages: zod only, nothing else.
import type { z } from 'zod';
import type { Role } from '../claims.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A JSON answer: `{ ok: true, data: T }` with `status`, or `{ ok: false, error }`. */
export interface JsonAnswer<T> {
  readonly kind: 'json';
  /** The name of T, for the documentation. */
  readonly type: string;
  readonly status: number;
  /** Type-level only (never set): carries T to the handler map and to `api.call`. */
  readonly data?: T;
}

/** Bytes the handler writes itself (a segment with Range, a package download); errors are still JSON. */
export interface RawAnswer {
  readonly kind: 'raw';
  /** What the bytes are, for the documentation. */
  readonly type: string;
}

export const json = <T>(type: string, status = 200): JsonAnswer<T> => ({ kind: 'json', type, status });
export const raw = (description: string): RawAnswer => ({ kind: 'raw', type: description });

/**
 * Who may call. A bearer token whose role is in `roles` (any role: `'any'`), with the grant flag
 * set when `grant` names one; with `ticket`, a `?ticket=` query parameter may stand in for the
 * token (the handler checks it); with `roomTokens`, a room token (claims `use: 'room'`) is let
 * through too — only endpoints that renew a room's token, whose handler checks the token names
 * that very room; every other endpoint refuses room tokens at the gate. `'public'`: no token.
 * `'internal'`: monitoring only — served on the node's internal listener, or on the public one
 * with the scrape token as Bearer.
 */
export type Access =
  | 'public'
  | 'internal'
  | {
      readonly roles: readonly Role[] | 'any';
      readonly grant?: 'canArchive';
      readonly ticket?: true;
      readonly roomTokens?: true;
    };

export interface Endpoint {
  readonly method: HttpMethod;
  /** Relative to the area's base; `:name` segments are path parameters. */
  readonly path: `/${string}`;
  /** One line for the documentation. */
  readonly summary: string;
  readonly access: Access;
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  /** A missing body is parsed as `{}`. Absent: the body is not read. */
  readonly body?: z.ZodType;
  /** express.json's limit for this endpoint when it is larger than the area's (an upload). */
  readonly bodyLimit?: string;
  readonly answer: JsonAnswer<unknown> | RawAnswer;
}

export interface Area<E extends Record<string, Endpoint> = Record<string, Endpoint>> {
  /** Where the area is mounted ('' for the root). */
  readonly base: '' | `/${string}`;
  readonly title: string;
  /** A few sentences for the documentation: conventions of the area. */
  readonly notes?: string;
  /** The file declaring the answer types (for the documentation's links). */
  readonly shapes?: string;
  readonly endpoints: E;
}

/** Declares an area, keeping each endpoint's literal types (schemas, roles, answer). */
export const area = <const E extends Record<string, Endpoint>>(a: Area<E>): Area<E> => a;

// ---- types derived from an endpoint ---------------------------------------------------------

type Part<K extends 'params' | 'query' | 'body', E> = E extends { readonly [P in K]: infer S extends z.ZodType }
  ? {} extends z.input<S>
    ? { [P in K]?: z.input<S> }
    : { [P in K]: z.input<S> }
  : {};

/** What a client passes: `{ params, query, body }`, each present when the endpoint has it. */
export type CallArgs<E extends Endpoint> = E extends Endpoint
  ? // Distributed over E first: for a union of endpoints (a generic call's contextual type) the
    // parts then stay per endpoint instead of multiplying into every combination of all of them.
    Part<'params', E> & Part<'query', E> & Part<'body', E>
  : never;

/** What a handler receives, parsed. */
export type Parsed<E extends Endpoint, K extends 'params' | 'query' | 'body'> = E extends { readonly [P in K]: infer S extends z.ZodType }
  ? z.output<S>
  : undefined;

/** The `data` of a JSON answer; `never` for raw ones. */
export type AnswerData<E extends Endpoint> = E['answer'] extends JsonAnswer<infer T> ? T : never;

/** Names of an area's endpoints that answer JSON (the ones `api.call` serves). */
export type JsonEndpointName<E extends Record<string, Endpoint>> = {
  [K in keyof E]: E[K]['answer'] extends JsonAnswer<unknown> ? K : never;
}[keyof E];

/** `/cases/:caseId` + `{ caseId: 'XF…' }` → `/cases/XF…` (each value URI-encoded). */
export function fillPath(path: string, params: Record<string, unknown> | undefined): string {
  return path.replace(/:(\w+)/g, (_m, name: string) => {
    const v = params?.[name];
    if (v === undefined || v === null) throw new Error(`path parameter ${name} missing for ${path}`);
    return encodeURIComponent(String(v));
  });
}

/** `?a=1&b=x` from a query object; undefined values are left out. */
export function queryString(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
