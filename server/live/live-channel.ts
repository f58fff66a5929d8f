// Pushes domain events to connected clients through socket.io rooms named after who should
// hear them: `user:<role>:<sub>`, `role:<role>`, `department:<code>`, `household:<id>`, `case:<id>`.
// With the Redis adapter a publish on any node reaches sockets on every node; `publishHere`
// reaches this node's sockets only, for pushes every node computes for itself (queue places:
// server/petition/wait-pushes.ts), and `tellNodes` carries what the other nodes need for that.
import type { Namespace, Server } from 'socket.io';
import type { Claims, TokenIssuer } from '../auth/grants.ts';
import { revocationApplies, type Revocation } from '../auth/revocations.ts';
import { AppError, toErrorBody } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { SafeEmitter } from '../core/safe-emitter.ts';
import { liveRequestSchemas, subjectKey, type LiveEventName, type LiveEvents, type LiveServerToClient, type SubjectKey } from '../protocol/live.ts';
import type { Reply } from '../protocol/signalling.ts';

export const liveRoom = {
  /** One identity's pushes, keyed by kind and id (protocol/live.ts `subjectKey`). */
  user: (key: SubjectKey) => `user:${key}`,
  role: (role: string) => `role:${role}`,
  department: (code: string) => `department:${code}`,
  household: (id: string) => `household:${id}`,
  case: (id: string) => `case:${id}`,
  /** A petition terminal point (from its token's terminalId): a video call-back rings there. */
  terminal: (id: string) => `terminal:${id}`,
};

/** Between the nodes' live channels (the Redis adapter's server-side emit, never to clients). */
export interface LiveNodeEvents {
  /** Queues that moved, cases that left their queue: each node pushes its own watchers' places. */
  'wait:news': (news: { queues: string[]; left: string[] }) => void;
}

export interface LiveChannelDeps {
  tokens: TokenIssuer;
  log: Logger;
  /** May this caller follow this case? Throws a typed AppError when not. */
  authorizeCaseWatch?: (claims: Claims, caseId: string) => Promise<void> | void;
  /** Revocations taking effect on this node: their connections are told and closed. */
  revocations?: Pick<SafeEmitter<{ revoked: [Revocation] }>, 'on'>;
  /**
   * Where terminal presence is kept: a terminal is present while it holds a `/live` connection
   * (socket.io's ping is its heartbeat). The channel refreshes all of this node's terminals in one
   * call every `refreshMs`, so presence expires by itself when the node dies.
   */
  terminals?: TerminalPresence;
  /** The pages' build this node serves: told to every connection (a page of another build reloads when idle). */
  build?: string;
}

export interface TerminalPresence {
  present(terminalIds: readonly string[]): Promise<void>;
  gone(terminalId: string): Promise<void>;
  refreshMs: number;
}

export class LiveChannel {
  readonly #nsp: Namespace<Record<string, never>, LiveServerToClient, LiveNodeEvents, { claims: Claims }>;
  /** Connections per terminal on this node (a reloading page briefly holds two). */
  readonly #terminals = new Map<string, number>();
  readonly #refresh: NodeJS.Timeout | undefined;

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
      const rooms = [liveRoom.user(subjectKey(claims.role, claims.sub)), liveRoom.role(claims.role)];
      if (claims.attributes.department) rooms.push(liveRoom.department(claims.attributes.department));
      if (claims.attributes.householdId) rooms.push(liveRoom.household(claims.attributes.householdId));
      if (claims.attributes.terminalId) rooms.push(liveRoom.terminal(claims.attributes.terminalId));
      void socket.join(rooms);
      if (deps.build) socket.emit('app:version', { build: deps.build });
      const terminalId = claims.role === 'terminal' ? claims.attributes.terminalId : undefined;
      if (terminalId) {
        this.#terminalConnected(terminalId);
        socket.on('disconnect', () => this.#terminalDisconnected(terminalId));
      }
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
    const terminals = deps.terminals;
    if (terminals) {
      this.#refresh = setInterval(() => this.#keep(terminals.present([...this.#terminals.keys()])), terminals.refreshMs);
      this.#refresh.unref();
    }
  }

  /** Terminals connected to this node now. */
  get connectedTerminals(): number {
    return this.#terminals.size;
  }

  close(): void {
    clearInterval(this.#refresh);
  }

  #terminalConnected(terminalId: string): void {
    const n = this.#terminals.get(terminalId) ?? 0;
    this.#terminals.set(terminalId, n + 1);
    if (n === 0 && this.deps.terminals) this.#keep(this.deps.terminals.present([terminalId]));
  }

  #terminalDisconnected(terminalId: string): void {
    const n = (this.#terminals.get(terminalId) ?? 1) - 1;
    if (n > 0) return void this.#terminals.set(terminalId, n);
    this.#terminals.delete(terminalId);
    if (this.deps.terminals) this.#keep(this.deps.terminals.gone(terminalId));
  }

  /** Presence writes are best effort: the next refresh repairs a missed one. */
  #keep(write: Promise<void>): void {
    write.catch((err: unknown) => this.deps.log.warn({ err }, 'live terminal presence | not written'));
  }

  publish<E extends LiveEventName>(rooms: string[], event: E, payload: LiveEvents[E]): void {
    if (rooms.length === 0) return;
    // socket.io's typed emit cannot follow the generic E; the signature above checks it.
    (this.#nsp.to(rooms).emit as (ev: string, p: unknown) => boolean)(event, payload);
  }

  /** The same, to the sockets of these rooms on this node only (no Redis publish). */
  publishHere<E extends LiveEventName>(rooms: string[], event: E, payload: LiveEvents[E]): void {
    if (rooms.length === 0) return;
    (this.#nsp.local.to(rooms).emit as (ev: string, p: unknown) => boolean)(event, payload);
  }

  /** Does a socket on this node sit in the room? */
  inRoomHere(room: string): boolean {
    return this.#nsp.adapter.rooms.has(room);
  }

  /** The last socket on this node left the room (or disconnected). */
  onRoomGoneHere(handler: (room: string) => void): void {
    this.#nsp.adapter.on('delete-room', handler);
  }

  /** To the live channels of the other nodes. */
  tellNodes<E extends keyof LiveNodeEvents>(event: E, ...args: Parameters<LiveNodeEvents[E]>): void {
    this.#nsp.serverSideEmit(event, ...args);
  }

  onNodes<E extends keyof LiveNodeEvents>(event: E, handler: LiveNodeEvents[E]): void {
    this.#nsp.on(event, handler as never);
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
