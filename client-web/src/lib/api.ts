// HTTP API client: bearer token, JSON in and out, the server's typed error as ApiError.
// `call(name, { params, query, body })` is typed by the endpoint tables in server/protocol/http:
// the arguments and the answer come from the table, so a page cannot call a path that does not
// exist or expect a shape the server does not send.
import type { ErrorBody, Reply } from '../../../server/protocol/signalling.ts';
import { fillPath, queryString, type AnswerData, type CallArgs, type Endpoint } from '../../../server/protocol/http/contract.ts';
import { HTTP_API, type EndpointName, type HttpApi, type JsonEndpoint } from '../../../server/protocol/http/index.ts';

export type { EndpointName, JsonEndpoint };
export type ApiArgs<N extends EndpointName> = CallArgs<HttpApi[N]>;
export type ApiResult<N extends JsonEndpoint> = AnswerData<HttpApi[N]>;
/** The arguments may be left out when nothing in them is required. */
type ArgList<N extends EndpointName> = {} extends ApiArgs<N> ? [args?: ApiArgs<N>] : [args: ApiArgs<N>];
type AnyArgs = { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
    this.name = 'ApiError';
  }
  get code(): ErrorBody['code'] {
    return this.body.code;
  }
}

/** The path (and query) of an endpoint, e.g. for a link or a `<video src>` of a raw endpoint. */
export function apiUrl<N extends EndpointName>(name: N, ...rest: ArgList<N>): string {
  const e = HTTP_API[name];
  // Read through unknown[]: destructuring the argument tuple of every endpoint is too big a union for tsc.
  const a = ((rest as unknown[])[0] ?? {}) as AnyArgs;
  return `${e.base}${fillPath(e.path, a.params)}${queryString(a.query)}`;
}

export class Api {
  /** `token` may be a getter: a page whose session refreshes its token (lib/session.ts). */
  constructor(private readonly token: string | (() => string)) {}

  /** Calls a JSON endpoint by name: `api.call('petition.getCase', { params: { caseId } })`. */
  call<N extends JsonEndpoint>(name: N, ...[args]: ArgList<N>): Promise<ApiResult<N>> {
    const e: Endpoint = HTTP_API[name];
    const a = (args ?? {}) as AnyArgs;
    return this.#send<ApiResult<N>>(e.method, apiUrl(name, ...([args] as ArgList<N>)), e.body ? (a.body ?? {}) : undefined);
  }

  /** The bytes of a raw endpoint (a segment, a package); failures are the server's typed errors. */
  async bytes(url: string, signal?: AbortSignal): Promise<Blob> {
    const res = await this.#fetch(url, { ...(signal ? { signal } : {}) });
    if (!res.ok) throw await errorOf(res);
    return res.blob();
  }

  async #send<T>(method: string, url: string, body?: unknown): Promise<T> {
    const res = await this.#fetch(url, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    if (!res.ok) throw await errorOf(res);
    let reply: Reply<T>;
    try {
      reply = (await res.json()) as Reply<T>;
    } catch {
      throw statusError(res);
    }
    if (!reply.ok) throw new ApiError(res.status, reply.error);
    return reply.data;
  }

  /** The one authenticated fetch; a network failure is ApiError `unavailable` (an abort stays an abort). */
  async #fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${typeof this.token === 'function' ? this.token() : this.token}` } });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new ApiError(0, { code: 'unavailable', message: 'network error' });
    }
  }
}

/** The server's typed error from a failed answer, or one made from the status when it sent none. */
async function errorOf(res: Response): Promise<ApiError> {
  try {
    const reply = (await res.json()) as Reply<unknown>;
    if (!reply.ok) return new ApiError(res.status, reply.error);
  } catch {
    // not JSON: fall through
  }
  return statusError(res);
}

const statusError = (res: Response) => new ApiError(res.status, { code: res.status >= 500 ? 'internal' : 'bad_request', message: res.statusText });
