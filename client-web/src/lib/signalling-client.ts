// Typed request/notification wrapper over socket.io-client, using the shared protocol types.
import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  ErrorBody,
  Reply,
  RequestName,
  RequestPayload,
  ResponseData,
  ServerToClientEvents,
} from '../../../server/protocol/signalling.ts';

export type SignallingSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A refused request, carrying the server's typed error. */
export class SignallingError extends Error {
  constructor(readonly body: ErrorBody) {
    super(body.message);
    this.name = 'SignallingError';
  }
  get code(): ErrorBody['code'] {
    return this.body.code;
  }
}

/** Refusals no retry can change: the token is bad, expired or does not allow this. */
export const FINAL_REFUSALS: readonly ErrorBody['code'][] = ['unauthorized', 'forbidden', 'token_expired'];

export interface ConnectOptions {
  url?: string;
  token: string;
  timeoutMs?: number;
}

export class SignallingClient {
  readonly socket: SignallingSocket;
  /** Requests waiting for an answer; close() fails them at once instead of at their timeout. */
  readonly #pending = new Set<(err: SignallingError) => void>();

  constructor(private readonly o: ConnectOptions) {
    this.socket = io(o.url ?? '/', {
      auth: { token: o.token },
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 4000,
    });
  }

  /**
   * Resolves once connected. A final refusal (bad or expired token) rejects at once and stops
   * the socket; anything else — the node down or restarting, a passing `unavailable` — leaves
   * socket.io retrying by itself, and rejects only after `withinMs` (the socket keeps trying:
   * switching it off here once meant no page reconnected after a restart).
   */
  connected(withinMs = 10_000): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let last = 'no answer';
      const onError = (err: Error & { data?: ErrorBody }) => {
        if (err.data && FINAL_REFUSALS.includes(err.data.code)) {
          cleanup();
          this.socket.disconnect();
          reject(new SignallingError(err.data));
          return;
        }
        last = err.data?.message ?? err.message;
      };
      const onConnect = () => {
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new SignallingError({ code: 'unavailable', message: `not connected in ${withinMs} ms: ${last}` }));
      }, withinMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.socket.off('connect', onConnect);
        this.socket.off('connect_error', onError);
      };
      this.socket.on('connect', onConnect);
      this.socket.on('connect_error', onError);
    });
  }

  /** The node this client talks to ('/' for the page's own origin). */
  get url(): string {
    return this.o.url ?? '/';
  }

  async request<N extends RequestName>(name: N, payload: RequestPayload<N>): Promise<ResponseData[N]> {
    const timeout = this.o.timeoutMs ?? 10_000;
    // socket.io's typed emit cannot see through the generic N; the signature above checks it.
    const timed = this.socket.timeout(timeout) as unknown as {
      emitWithAck(ev: N, p: RequestPayload<N>): Promise<Reply<ResponseData[N]>>;
    };
    let reply: Reply<ResponseData[N]>;
    let fail!: (err: SignallingError) => void;
    const closed = new Promise<never>((_, reject) => (fail = reject));
    this.#pending.add(fail);
    try {
      reply = await Promise.race([timed.emitWithAck(name, payload), closed]);
    } catch (err) {
      if (err instanceof SignallingError) throw err;
      throw new SignallingError({ code: 'unavailable', message: `${name}: no answer in ${timeout} ms` });
    } finally {
      this.#pending.delete(fail);
    }
    if (!reply.ok) throw new SignallingError(reply.error);
    return reply.data;
  }

  close(): void {
    this.socket.disconnect();
    for (const fail of this.#pending) fail(new SignallingError({ code: 'gone', message: 'connection closed' }));
    this.#pending.clear();
  }
}
