// What a failed HTTP request is answered with, for every area: an AppError with its status;
// body-parser's errors as 400 (malformed) or 413 (too large); Redis, SQLite or PostgreSQL out of
// reach as 503 `unavailable`; anything else as 500 `internal`. Never a stack trace or a server path.
import type { NextFunction, Request, Response } from 'express';
import { AppError, toErrorBody, type ErrorBody } from '../errors.ts';
import type { Logger } from '../log.ts';

/**
 * PostgreSQL's SQLSTATEs for a server out of reach: class 08 (connection exception) and 57P01–03
 * (terminated by the administrator, crashed, still starting up); 53300 too many connections.
 */
const PG_UNAVAILABLE = /^(08...|57P0[123]|53300)$/;

/**
 * Redis unreachable (ioredis gave up retrying, or no answer within its command timeout), SQLite locked past its busy timeout, or
 * PostgreSQL down, restarting or cutting the connection (node-postgres says "Connection
 * terminated …", or "…encountered a connection error…" on a client whose connection broke
 * earlier; its pool "timeout exceeded when trying to connect").
 */
export function storeUnavailable(err: unknown): boolean {
  if (!(err instanceof Error) || err instanceof AppError) return false;
  const code = (err as { code?: unknown }).code;
  return (
    err.name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|ECONNREFUSED|LOADING|Command timed out|stream isn't writeable|Connection terminated|encountered a connection error|timeout exceeded when trying to connect/i.test(err.message) ||
    code === 'SQLITE_BUSY' ||
    (typeof code === 'string' && PG_UNAVAILABLE.test(code))
  );
}

/** body-parser (through http-errors) marks its errors with a `type` and a 4xx `status`. */
function bodyParserStatus(err: unknown): number | undefined {
  const e = err as { type?: unknown; status?: unknown } | null;
  return typeof e?.type === 'string' && typeof e.status === 'number' && e.status >= 400 && e.status < 500 ? e.status : undefined;
}

/**
 * Other client errors a library passes on: http-errors marked `expose` (the static server), and
 * the router's URIError for a path parameter that is not valid percent-encoding (status 400).
 */
function clientErrorStatus(err: unknown): number | undefined {
  const e = err as { status?: unknown; expose?: unknown } | null;
  const client = e?.expose === true || err instanceof URIError;
  return client && typeof e?.status === 'number' && e.status >= 400 && e.status < 500 ? e.status : undefined;
}

export interface HttpFailure {
  status: number;
  error: ErrorBody;
  /** Worth a log line: ours, not the client's. */
  serverSide: boolean;
}

export function httpFailure(err: unknown): HttpFailure {
  if (err instanceof AppError) return { status: err.status, error: toErrorBody(err), serverSide: err.status >= 500 };
  const parser = bodyParserStatus(err);
  if (parser === 413) return { status: 413, error: { code: 'bad_request', message: 'request body too large' }, serverSide: false };
  if (parser !== undefined) {
    const malformed = (err as { type: string }).type === 'entity.parse.failed' ? 'malformed JSON body' : 'malformed request body';
    return { status: 400, error: { code: 'bad_request', message: malformed }, serverSide: false };
  }
  const client = clientErrorStatus(err);
  if (client !== undefined) {
    const code = client === 404 ? 'not_found' : client === 403 ? 'forbidden' : 'bad_request';
    // Only the status: a library's message can name a file or a path on the server.
    return { status: client, error: { code, message: code === 'not_found' ? 'not found' : code === 'forbidden' ? 'forbidden' : 'bad request' }, serverSide: false };
  }
  if (storeUnavailable(err)) return { status: 503, error: { code: 'unavailable', message: 'the service is unavailable, try again shortly' }, serverSide: true };
  return { status: 500, error: toErrorBody(err), serverSide: true };
}

/** The error middleware of every router (and of the app, for paths no router knows). */
export function httpErrors(log?: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const f = httpFailure(err);
    if (f.serverSide) log?.error({ err, method: req.method, path: req.path, status: f.status }, 'http | failed');
    if (res.headersSent) {
      // A stream broke half-way: the client sees a cut connection, not a JSON tail on the bytes.
      res.destroy();
      return;
    }
    const retryAfter = (f.error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    if (f.status === 429 && typeof retryAfter === 'number') res.set('Retry-After', String(retryAfter));
    res.status(f.status).json({ ok: false, error: f.error });
  };
}

export function unknownEndpoint(_req: Request, _res: Response, next: NextFunction): void {
  next(new AppError('not_found', 'no such endpoint'));
}
