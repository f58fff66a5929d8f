// The live channel client: domain pushes (queue changes, ringing calls, notices, alerts).
import { io, type Socket } from 'socket.io-client';
import type { LiveEventName, LiveEvents, LiveServerToClient } from '../../../server/protocol/live.ts';
import type { Reply } from '../../../server/protocol/signalling.ts';
import { buildAnnounced } from './page-version.ts';

export class LiveClient {
  readonly socket: Socket<LiveServerToClient>;

  /** `token` may be a getter, read at every (re)connect: a refreshed token after a reconnect. */
  constructor(token: string | (() => string), url = '') {
    const auth = typeof token === 'function' ? (cb: (a: { token: string }) => void) => cb({ token: token() }) : { token };
    this.socket = io(`${url}/live`, { auth, transports: ['websocket'], reconnectionDelayMax: 4000 });
    // The node was upgraded under this page: it reloads (when idle) to the new build's pages.
    this.on('app:version', ({ build }) => buildAnnounced(build));
  }

  on<E extends LiveEventName>(event: E, fn: (payload: LiveEvents[E]) => void): () => void {
    // socket.io's typed `on` cannot follow the generic E; the signature above checks it.
    const s = this.socket as unknown as { on(e: string, f: (p: unknown) => void): void; off(e: string, f: (p: unknown) => void): void };
    const listener = (p: unknown) => fn(p as LiveEvents[E]);
    s.on(event, listener);
    return () => s.off(event, listener);
  }

  /** Called after every (re)connect, e.g. to refresh state missed while offline. */
  onConnect(fn: () => void): void {
    this.socket.on('connect', fn);
  }

  async watchCase(caseId: string): Promise<void> {
    const timed = this.socket.timeout(5000) as unknown as { emitWithAck(e: 'watchCase', p: { caseId: string }): Promise<Reply<unknown>> };
    const reply = await timed.emitWithAck('watchCase', { caseId });
    if (!reply.ok) throw new Error(reply.error.message);
  }

  close(): void {
    this.socket.disconnect();
  }
}
