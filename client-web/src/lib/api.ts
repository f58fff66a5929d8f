// HTTP API client: bearer token, JSON in and out, the server's typed error as ApiError.
import type { ErrorBody, Reply } from '../../../server/protocol/signalling.ts';

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

export class Api {
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  get<T>(path: string): Promise<T> {
    return this.#send<T>('GET', path);
  }
  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.#send<T>('POST', path, body);
  }
  put<T>(path: string, body: unknown): Promise<T> {
    return this.#send<T>('PUT', path, body);
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.#send<T>('PATCH', path, body);
  }
  delete<T>(path: string): Promise<T> {
    return this.#send<T>('DELETE', path);
  }

  async #send<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, { code: 'unavailable', message: 'network error' });
    }
    let reply: Reply<T>;
    try {
      reply = (await res.json()) as Reply<T>;
    } catch {
      throw new ApiError(res.status, { code: res.status >= 500 ? 'internal' : 'bad_request', message: res.statusText });
    }
    if (!reply.ok) throw new ApiError(res.status, reply.error);
    return reply.data;
  }
}
