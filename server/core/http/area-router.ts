// Serves an endpoint table (server/protocol/http) as an express Router: for every entry, the
// Bearer token verified once, the role (and grant) checked before any body is read, path
// parameters, query and body parsed with the entry's schemas, the handler called with typed
// input, its result answered as `{ ok: true, data }` with the entry's status — or, for raw
// entries, left to the handler. One error middleware (failure.ts) answers every failure. The
// handler map is typed by the table: a missing or misnamed handler, or one returning the wrong
// shape, is a type error.
//
// Hand-written rather than an OpenAPI framework: the table is the contract, shared as-is with the
// pages (zod only), and this is the one place that turns it into routes.
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Claims } from '../../protocol/claims.ts';
import type { AnswerData, Area, Endpoint, Parsed, RawAnswer } from '../../protocol/http/contract.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { httpErrors, unknownEndpoint } from './failure.ts';
import { parseInput } from './input.ts';

/** Whatever verifies access tokens (server/auth's TokenIssuer); throws a typed AppError. */
export interface TokenVerifier {
  verify(token: string): Claims;
}

type ClaimsOf<E extends Endpoint> = E['access'] extends 'public' | 'internal' ? undefined : E['access'] extends { readonly ticket: true } ? Claims | undefined : Claims;

/** What a handler gets: verified claims and parsed input; `req`/`res` for what only HTTP knows. */
export interface EndpointCall<E extends Endpoint> {
  /** Absent on public endpoints, and when a `?ticket=` stands in for the token. */
  claims: ClaimsOf<E>;
  params: Parsed<E, 'params'>;
  query: Parsed<E, 'query'>;
  body: Parsed<E, 'body'>;
  req: Request;
  res: Response;
}

type Result<E extends Endpoint> = E['answer'] extends RawAnswer ? void : AnswerData<E>;
export type EndpointHandler<E extends Endpoint> = (call: EndpointCall<E>) => Result<E> | Promise<Result<E>>;
export type AreaHandlers<E extends Record<string, Endpoint>> = { [K in keyof E]: EndpointHandler<E[K]> };

export interface AreaRouterOptions {
  tokens: TokenVerifier;
  log?: Logger;
  /** express.json's limit for the area's bodies (default 32kb). */
  bodyLimit?: string;
  /** For `'internal'` entries: is this caller inside (internal listener, scrape token)? Absent: nobody is. */
  internal?: (req: Request) => boolean;
}

/** The one Bearer parser: `Authorization: Bearer <token>` (scheme case-insensitive). */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
}

function authenticate(e: Endpoint, req: Request, o: AreaRouterOptions): Claims | undefined {
  const access = e.access;
  if (access === 'public') return undefined;
  if (access === 'internal') {
    if (o.internal?.(req)) return undefined;
    if (!bearerToken(req.get('authorization'))) throw new AppError('unauthorized', 'served on the internal listener, or with the scrape token');
    throw new AppError('forbidden', 'not the scrape token', { reason: 'not_internal' });
  }
  const tokens = o.tokens;
  if (access.ticket && typeof req.query.ticket === 'string') return undefined;
  const token = bearerToken(req.get('authorization'));
  if (!token) throw new AppError('unauthorized', 'missing Authorization: Bearer token');
  const claims = tokens.verify(token);
  // A room token opens its room, not the API: only an endpoint that renews it takes one.
  if (claims.use === 'room' && access.roomTokens !== true) {
    throw new AppError('forbidden', 'a room token opens only its room; use your access token here', { reason: 'room_token' });
  }
  if (access.roles !== 'any' && !access.roles.includes(claims.role)) {
    throw new AppError('forbidden', `not for role ${claims.role}`, { reason: 'role_not_allowed', role: claims.role });
  }
  if (access.grant && claims.grant[access.grant] !== true) {
    throw new AppError('forbidden', `needs grant ${access.grant}`, { reason: 'grant_missing', grant: access.grant });
  }
  return claims;
}

export function createAreaRouter<E extends Record<string, Endpoint>>(area: Area<E>, handlers: AreaHandlers<E>, o: AreaRouterOptions): Router {
  const router = express.Router();
  const json = express.json({ limit: o.bodyLimit ?? '32kb' });
  for (const [name, e] of Object.entries(area.endpoints) as [keyof E & string, Endpoint][]) {
    const handler = handlers[name] as (call: EndpointCall<Endpoint>) => unknown;
    // Who is calling is settled before a body is read: a refused caller costs no JSON parse.
    const gate: RequestHandler = (req, res, next) => {
      res.locals.claims = authenticate(e, req, o);
      next();
    };
    const serve: RequestHandler = async (req, res) => {
      const call = {
        claims: res.locals.claims as Claims | undefined,
        params: e.params ? parseInput(e.params, req.params, 'path') : undefined,
        query: e.query ? parseInput(e.query, req.query, 'query') : undefined,
        body: e.body ? parseInput(e.body, req.body ?? {}, 'body') : undefined,
        req,
        res,
      } as EndpointCall<Endpoint>;
      const data = await handler(call);
      if (e.answer.kind === 'json') res.status(e.answer.status).json({ ok: true, data });
    };
    const method = e.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    if (e.body) router[method](e.path, gate, e.bodyLimit ? express.json({ limit: e.bodyLimit }) : json, serve);
    else router[method](e.path, gate, serve);
  }
  // An area with its own base owns every path under it; root-mounted ones let the rest pass.
  if (area.base !== '') router.use(unknownEndpoint);
  router.use(httpErrors(o.log));
  return router;
}
