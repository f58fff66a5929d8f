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

  /** Resolves on the first successful connect; rejects with the server's typed refusal. */
  connected(): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onError = (err: Error & { data?: ErrorBody }) => {
        cleanup();
        this.socket.disconnect();
        reject(new SignallingError(err.data ?? { code: 'unavailable', message: err.message }));
      };
      const onConnect = () => {
        cleanup();
        resolve();
      };
      const cleanup = () => {
        this.socket.off('connect', onConnect);
        this.socket.off('connect_error', onError);
      };
      this.socket.on('connect', onConnect);
      this.socket.on('connect_error', onError);
    });
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
