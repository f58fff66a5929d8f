// Pushes domain events to connected clients through socket.io rooms named after who should
// hear them: `user:<sub>`, `role:<role>`, `department:<code>`, `household:<id>`, `case:<id>`.
// With the Redis adapter a publish on any node reaches sockets on every node.
import type { Namespace, Server } from 'socket.io';
import type { Claims, TokenIssuer } from '../auth/grants.ts';
import { revocationApplies, type Revocation } from '../auth/revocations.ts';
import { AppError, toErrorBody } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { SafeEmitter } from '../core/safe-emitter.ts';
import { liveRequestSchemas, type LiveEventName, type LiveEvents, type LiveServerToClient } from '../protocol/live.ts';
import type { Reply } from '../protocol/signalling.ts';

export const liveRoom = {
  user: (sub: string) => `user:${sub}`,
  role: (role: string) => `role:${role}`,
  department: (code: string) => `department:${code}`,
  household: (id: string) => `household:${id}`,
  case: (id: string) => `case:${id}`,
  /** A petition terminal point (from its token's terminalId): a video call-back rings there. */
  terminal: (id: string) => `terminal:${id}`,
};

export interface LiveChannelDeps {
  tokens: TokenIssuer;
  log: Logger;
  /** May this caller follow this case? Throws a typed AppError when not. */
  authorizeCaseWatch?: (claims: Claims, caseId: string) => Promise<void> | void;
  /** Revocations taking effect on this node: their connections are told and closed. */
  revocations?: Pick<SafeEmitter<{ revoked: [Revocation] }>, 'on'>;
}

export class LiveChannel {
  readonly #nsp: Namespace<Record<string, never>, LiveServerToClient, Record<string, never>, { claims: Claims }>;

  constructor(io: Server, private readonly deps: LiveChannelDeps) {
    this.#nsp = io.of('/live');
    this.#nsp.use((socket, next) => {
      try {
        socket.data.claims = deps.tokens.verify(socket.handshake.auth?.token);
        next();
      } catch (err) {
        const body = toErrorBody(err);
        next(Object.assign(new Error(body.message), { data: body }));
      }
    });
    this.#nsp.on('connection', (socket) => {
      const { claims } = socket.data;
      const rooms = [liveRoom.user(claims.sub), liveRoom.role(claims.role)];
      if (claims.attributes.department) rooms.push(liveRoom.department(claims.attributes.department));
      if (claims.attributes.householdId) rooms.push(liveRoom.household(claims.attributes.householdId));
      if (claims.attributes.terminalId) rooms.push(liveRoom.terminal(claims.attributes.terminalId));
      void socket.join(rooms);
      socket.on('watchCase', (payload: unknown, ack: unknown) => void this.#watch(socket, payload, ack, true));
      socket.on('unwatchCase', (payload: unknown, ack: unknown) => void this.#watch(socket, payload, ack, false));
    });
    // The same token refused at connect (TokenIssuer.verify) is cut off where it is connected.
    deps.revocations?.on('revoked', (r) => {
      for (const socket of this.#nsp.sockets.values()) {
        if (!revocationApplies(r, socket.data.claims)) continue;
        socket.emit('access:revoked', { reason: r.reason });
        socket.disconnect(true);
      }
    });
  }

  publish<E extends LiveEventName>(rooms: string[], event: E, payload: LiveEvents[E]): void {
    if (rooms.length === 0) return;
    // socket.io's typed emit cannot follow the generic E; the signature above checks it.
    (this.#nsp.to(rooms).emit as (ev: string, p: unknown) => boolean)(event, payload);
  }

  async #watch(
    socket: { data: { claims: Claims }; join(r: string): unknown; leave(r: string): unknown },
    payload: unknown,
    ack: unknown,
    watch: boolean,
  ): Promise<void> {
    if (typeof ack !== 'function') return;
    let reply: Reply<Record<string, never>>;
    try {
      const parsed = liveRequestSchemas[watch ? 'watchCase' : 'unwatchCase'].safeParse(payload);
      if (!parsed.success) throw new AppError('bad_request', 'invalid case id');
      const room = liveRoom.case(parsed.data.caseId);
      if (watch) {
        if (!this.deps.authorizeCaseWatch) throw new AppError('forbidden', 'case watching is not available');
        await this.deps.authorizeCaseWatch(socket.data.claims, parsed.data.caseId);
        await socket.join(room);
      } else {
        await socket.leave(room);
      }
      reply = { ok: true, data: {} };
    } catch (err) {
      if (!(err instanceof AppError)) this.deps.log.error({ err }, 'live watch | failed');
      reply = { ok: false, error: toErrorBody(err) };
    }
    (ack as (r: typeof reply) => void)(reply);
  }
}
