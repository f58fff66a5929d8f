// socket.io signalling: authenticates at connect, validates every request against the shared
// protocol schemas, and drives the SFU room. Every request is answered through its ack with
// `{ ok: true, data }` or `{ ok: false, error: { code, message } }`; nothing a client sends can
// throw past this layer.
//
// Who may be in a room is decided by the room's domain (RoomAuthorizer) at every join, produce,
// kick and token refresh, and again whenever the domain announces a change (`recheck`, on every
// node): a peer no longer allowed is closed with `revoked`, a narrower permission stops what it
// no longer covers. A revoked token (auth/revocations.ts) closes its connections on every node.
import type { Server, Socket } from 'socket.io';
import type { types } from 'mediasoup';
import { grantAllowsRoom, type Claims, type TokenIssuer } from '../../auth/grants.ts';
import { revocationApplies, type Revocation } from '../../auth/revocations.ts';
import { permissionInfo, type RoomAuthorizer, type RoomPermission } from '../../auth/room-access.ts';
import { turnCredentials } from '../../auth/turn-credentials.ts';
import type { TurnConfig } from '../../core/config.ts';
import { AppError, conflict, forbidden, toErrorBody } from '../../core/errors.ts';
import type { SafeEmitter } from '../../core/safe-emitter.ts';
import { householdOfRoom } from '../../protocol/room-id.ts';
import type { Logger } from '../../core/log.ts';
import { storeUnavailable } from '../../core/http/failure.ts';
import type { SignallingMetrics } from '../metrics.ts';
import {
  requestSchemas,
  type ClientToServerEvents,
  type Reply,
  type RequestName,
  type ResponseData,
  type ServerToClientEvents,
} from '../../protocol/signalling.ts';
import type { RoomRouting } from '../../routing/room-routing.ts';
import type { RoomBans } from './room-bans.ts';
import { SEAT_LEASE_MS, type RoomSeats } from './room-seats.ts';
import { Peer } from '../../../sfu/peer.ts';
import type { Room } from '../../../sfu/room.ts';
import type { RoomRegistry } from '../../../sfu/rooms.ts';
import type { z } from 'zod';

export interface SocketData {
  /** The claims of the token the connection holds now (the handshake's, or a refreshed one). */
  claims: Claims;
  /** Request budget: a token bucket refilled at RATE per second up to BURST. */
  budget: { tokens: number; at: number };
  peer?: Peer;
  room?: Room;
  /** Permission evaluations started and the newest applied: a slower, older one never wins. */
  evaluations: { started: number; applied: number };
  /** A join under way; `stale` once a recheck of its room arrived before the peer was in it. */
  joining?: { roomId: string; stale: boolean };
}

/** Rooms whose access a domain change may have altered: one room, or every room of a household. */
export type RoomScope = { roomId: string } | { householdId: string };

/** Between server nodes (through the Redis adapter). */
export interface InterServerEvents {
  /** Close this room if you host it: its session is over. */
  'room:end': (roomId: string) => void;
  /** A camera was added to a matter: the node hosting its session room pulls it in. */
  'camera:added': (roomId: string, cameraId: string) => void;
  /** A compound camera was retired: out of the rooms of every node. */
  'camera:retired': (cameraId: string) => void;
  /** Re-evaluate who may be in these rooms, if you host them (transfer, privacy on, link removed). */
  'rooms:recheck': (scope: RoomScope) => void;
  /** The routing rules were replaced: take the store's new revision. */
  'rules:changed': (revision: number) => void;
}

export type SignallingServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type SignallingSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface SignallingDeps {
  tokens: TokenIssuer;
  rooms: RoomRegistry;
  routing: RoomRouting;
  log: Logger;
  metrics: SignallingMetrics;
  bans: RoomBans;
  /** The rooms each identity occupies, across nodes: at most `ROOMS_PER_IDENTITY`. */
  seats: RoomSeats;
  /** The room's domain: who may be here and with what permission now; throws AppError when not. */
  access: RoomAuthorizer;
  /** TURN for clients behind NAT and firewalls: credentials are issued with each join and refresh. */
  turn?: TurnConfig;
  /** Revocations taking effect on this node; their connections are closed. */
  revocations?: Pick<SafeEmitter<{ revoked: [Revocation] }>, 'on'>;
}

export interface SignallingNode {
  /** A domain change: every node re-evaluates the peers of the rooms in scope that it hosts. */
  recheck(scope: RoomScope): void;
  /** Stops renewing this node's seats (the node is shutting down). */
  close(): void;
}

/** Refusals that mean "no longer allowed here"; anything else (Redis down) keeps the peer as it is. */
const REFUSALS = new Set(['unauthorized', 'forbidden', 'not_found', 'gone']);

const inScope = (roomId: string, scope: RoomScope) => ('roomId' in scope ? scope.roomId === roomId : householdOfRoom(roomId) === scope.householdId);

type Parsed<N extends RequestName> = z.output<(typeof requestSchemas)[N]>;

// Joining a room of n peers takes about 8 + 4n requests, then a few per minute; a client far above this
// is broken or hostile, and answering it must not starve everyone else on the node.
const REQUEST_RATE = 50;
const REQUEST_BURST = 200;

function spend(budget: SocketData['budget'], now: number): boolean {
  budget.tokens = Math.min(REQUEST_BURST, budget.tokens + ((now - budget.at) / 1000) * REQUEST_RATE);
  budget.at = now;
  if (budget.tokens < 1) return false;
  budget.tokens -= 1;
  return true;
}

export function attachSignalling(io: SignallingServer, deps: SignallingDeps): SignallingNode {
  const { tokens, log, metrics } = deps;
  /** The connection behind each peer this layer made (server-side peers have none). */
  const peerSockets = new Map<Peer, SignallingSocket>();

  io.use((socket, next) => {
    try {
      // Verified once per handshake: the node's connection cap (platform.ts) may have done it.
      socket.data.claims ??= tokens.verify(socket.handshake.auth?.token);
      socket.data.budget = { tokens: REQUEST_BURST, at: Date.now() };
      socket.data.evaluations = { started: 0, applied: 0 };
      next();
    } catch (err) {
      const body = toErrorBody(err);
      metrics.connectRefused.inc({ code: body.code });
      next(Object.assign(new Error(body.message), { data: body }));
    }
  });

  io.on('connection', (socket) => {
    metrics.connections.inc();
    const slog = log.child({ sub: socket.data.claims.sub, sid: socket.id });
    slog.debug('socket connected');
    for (const name of Object.keys(requestSchemas) as RequestName[]) {
      socket.on(name, (payload: unknown, ack: unknown) => {
        void respond(socket, name, payload, ack, slog);
      });
    }
    socket.on('disconnect', (reason) => {
      metrics.connections.dec();
      slog.debug({ reason }, 'socket disconnected');
      leaveRoom(socket, 'disconnected');
    });
  });

  async function respond(socket: SignallingSocket, name: RequestName, payload: unknown, ack: unknown, slog: Logger) {
    if (typeof ack !== 'function') {
      metrics.requests.inc({ event: name, outcome: 'no_ack' });
      return; // nowhere to answer; the client library always sends an ack
    }
    const end = metrics.requestSeconds.startTimer({ event: name });
    let reply: Reply<unknown>;
    try {
      if (!spend(socket.data.budget, Date.now())) throw new AppError('rate_limited', 'too many requests; slow down');
      const parsed = requestSchemas[name].safeParse(payload);
      if (!parsed.success) {
        throw new AppError('bad_request', `invalid ${name} payload`, parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
      }
      reply = { ok: true, data: await handle(socket, name, parsed.data as never) };
    } catch (err) {
      if (!(err instanceof AppError)) {
        // mediasoup rejects bad RTP dictionaries with TypeError: that is the client's fault.
        if (err instanceof TypeError) err = new AppError('bad_request', `${name}: ${err.message}`);
        else if (storeUnavailable(err)) err = new AppError('unavailable', 'the service is unavailable, try again shortly');
        else slog.error({ err, event: name }, `${name}() | failed`);
      }
      // A client's mistake is worth a line for whoever supports that client, not an alarm.
      if (err instanceof AppError && err.code === 'bad_request') slog.warn({ event: name, error: err.message }, `${name}() | refused: bad request`);
      reply = { ok: false, error: toErrorBody(err) };
    }
    end();
    metrics.requests.inc({ event: name, outcome: reply.ok ? 'ok' : reply.error.code });
    (ack as (r: Reply<unknown>) => void)(reply);
  }

  function requireRoom(socket: SignallingSocket, otherwise?: string): { peer: Peer; room: Room } {
    const { peer, room } = socket.data;
    if (!peer || !room || room.closed) throw otherwise ? new AppError('gone', otherwise) : new AppError('conflict', 'join a room first');
    return { peer, room };
  }

  /**
   * What these claims may do in the room now: the grant names it, the domain allows it, and no
   * ban keeps the identity out (a ban never applies to the case's own lead or petitioner).
   */
  async function permit(claims: Claims, roomId: string): Promise<RoomPermission> {
    if (!grantAllowsRoom(claims.grant, roomId)) throw forbidden(`token does not grant room ${roomId}`);
    // Both reads at once: the ban is only looked at for a participant who is not a principal.
    const banned = deps.bans.isBanned(roomId, claims.sub);
    banned.catch(() => undefined);
    const permission = await deps.access.authorize(claims, roomId);
    if (!permission.principal && (await banned)) throw forbidden('you were removed from this session');
    return permission;
  }

  function assertCurrent(claims: Claims): void {
    if (claims.exp * 1000 <= Date.now()) throw new AppError('token_expired', 'access token expired; get a new one');
  }

  async function roomFor(socket: SignallingSocket, roomId: string): Promise<{ room: Room; permission: RoomPermission }> {
    const claims = socket.data.claims;
    assertCurrent(claims);
    const permission = await permit(claims, roomId);
    const placement = await deps.routing.claim(roomId);
    if (!placement.local) {
      throw new AppError('conflict', 'room is hosted on another node', { nodeId: placement.nodeId, url: placement.url });
    }
    // Only now does the room cost anything: a seat first, so one identity cannot open many.
    await deps.seats.take(seatOf(claims), roomId);
    return { room: await deps.rooms.getOrCreate(roomId), permission };
  }

  /**
   * Asks the room's domain again and applies the answer: a peer no longer allowed is closed with
   * `revoked`, a changed permission is applied (producers it no longer covers close). Evaluations
   * overlap (a produce and a recheck); only one started later than the last applied counts.
   */
  async function reevaluate(socket: SignallingSocket): Promise<void> {
    const { peer, room } = socket.data;
    if (!peer || !room) return;
    const ev = socket.data.evaluations;
    const seq = ++ev.started;
    let permission: RoomPermission;
    try {
      permission = await permit(socket.data.claims, room.id);
    } catch (err) {
      if (!(err instanceof AppError) || !REFUSALS.has(err.code)) {
        log.warn({ err, sub: peer.id, roomId: room.id }, 'reevaluate() | could not ask the domain; permission kept');
        return;
      }
      if (seq < ev.applied || socket.data.peer !== peer) return;
      ev.applied = seq;
      log.info({ sub: peer.id, roomId: room.id, code: err.code, reason: err.message }, 'reevaluate() | no longer allowed; removed');
      room.revoke(peer);
      return;
    }
    if (seq < ev.applied || socket.data.peer !== peer) return;
    ev.applied = seq;
    room.updatePeer(peer, socket.data.claims, permission);
  }

  function recheckLocal(scope: RoomScope): void {
    for (const socket of io.of('/').sockets.values()) {
      const joining = socket.data.joining;
      if (joining && inScope(joining.roomId, scope)) joining.stale = true;
    }
    for (const room of deps.rooms.values()) {
      if (!inScope(room.id, scope)) continue;
      for (const peer of [...room.peers.values()]) {
        const socket = peerSockets.get(peer);
        if (socket) void reevaluate(socket).catch((err: unknown) => log.error({ err, roomId: room.id }, 'recheck | failed'));
      }
    }
  }
  io.on('rooms:recheck', recheckLocal);

  /** A revoked token's connections on this node: out of their rooms (told why), then cut. */
  deps.revocations?.on('revoked', (r) => {
    for (const socket of io.of('/').sockets.values()) {
      if (!revocationApplies(r, socket.data.claims)) continue;
      const { peer, room } = socket.data;
      if (peer && room) room.revoke(peer);
      log.info({ sub: socket.data.claims.sub, reason: r.reason }, 'revocation | connection closed');
      socket.disconnect(true);
    }
  });

  /** The socket's peer: notifications go out on the socket, and its close frees the socket. */
  function socketPeer(socket: SignallingSocket, roomId: string, permission: RoomPermission, note: string | undefined): Peer {
    const claims = socket.data.claims;
    // The name is the directory's (the token's), whatever the client would like to be called.
    const peer = new Peer(claims.sub, claims.name, claims, (event, ...args) => socket.emit(event, ...args), permission, note);
    peerSockets.set(peer, socket);
    peer.once('close', (reason) => {
      peerSockets.delete(peer);
      if (socket.data.peer === peer) {
        socket.data.peer = undefined;
        socket.data.room = undefined;
      }
      // The same identity is live on a newer connection, or this one may no longer be here: it
      // must not linger or reconnect.
      if (reason === 'duplicate-identity' || reason === 'revoked') socket.disconnect(true);
      // A newer connection of the same identity holds the seat now; any other end frees it.
      if (reason !== 'duplicate-identity') {
        deps.seats.release(seatOf(claims), roomId).catch((err: unknown) => log.warn({ err, sub: claims.sub }, 'seat release failed; it lapses with its lease'));
      }
    });
    return peer;
  }

  function leaveRoom(socket: SignallingSocket, reason: 'left' | 'disconnected'): void {
    const { peer, room } = socket.data;
    socket.data.peer = undefined;
    socket.data.room = undefined;
    if (peer && room) room.leave(peer, reason);
  }

  async function handle<N extends RequestName>(socket: SignallingSocket, name: N, p: Parsed<N>): Promise<ResponseData[N]> {
    // Each case narrows `p` by `name`; the casts only restate what the switch established.
    const r = async <T>(v: T) => v as unknown as ResponseData[N];
    switch (name) {
      case 'join': {
        const { roomId, note } = p as Parsed<'join'>;
        if (socket.data.peer || socket.data.joining) throw new AppError('conflict', 'already in a room; leave first');
        const joining = (socket.data.joining = { roomId, stale: false });
        let found: { room: Room; permission: RoomPermission };
        let nodes: string[];
        // Read alongside the room's checks and placement, and before the peer is in the room: from
        // room.join on, pushes reach this socket, and nothing should be awaited between the
        // reply's snapshot of the room and the reply.
        const live = deps.routing.liveNodes().then(
          (ns) => ns.map((n) => n.url),
          () => [],
        );
        try {
          found = await roomFor(socket, roomId);
          nodes = await live;
        } finally {
          socket.data.joining = undefined;
        }
        const { room, permission } = found;
        // While the room was being found the socket may have gone, or another join won.
        if (socket.disconnected) throw new AppError('gone', 'connection closed');
        if (socket.data.peer) throw new AppError('conflict', 'already in a room; leave first');
        const peer = socketPeer(socket, roomId, permission, note);
        room.join(peer);
        socket.data.peer = peer;
        socket.data.room = room;
        // The domain changed while this join was being decided: decide again, now with the peer in.
        if (joining.stale) void reevaluate(socket);
        // The recv transport comes with the reply. Pushes sent while it is made arrive before the
        // reply, and the client applies them on top of it; without it (the worker refused) the
        // client asks for one itself.
        const recv = peer.permission.canSubscribe
          ? await room.createWebRtcTransport(peer, 'recv').catch((err: unknown) => {
              log.warn({ err, sub: peer.id, roomId }, 'join() | no recv transport with the reply');
              return undefined;
            })
          : undefined;
        return r({
          rtpCapabilities: room.rtpCapabilities,
          peerId: peer.id,
          role: peer.role,
          exp: peer.claims.exp,
          permission: permissionInfo(peer.permission),
          peers: room.visiblePeers(peer),
          recording: room.recording,
          iceServers: turnCredentials(deps.turn, peer.claims.sub, peer.claims.exp),
          // Only a client with a valid token learns the other nodes (the public /healthz says only `{ ok }`).
          nodes,
          ...(recv ? { recv } : {}),
        });
      }
      case 'createWebRtcTransport': {
        const o = p as Parsed<'createWebRtcTransport'>;
        const { peer, room } = requireRoom(socket);
        peer.assertTokenCurrent();
        const caps = o.direction === 'recv' ? (o.rtpCapabilities as types.RtpCapabilities) : undefined;
        return r(await room.createWebRtcTransport(peer, o.direction, o.forceTcp, caps));
      }
      case 'connectWebRtcTransport': {
        const { transportId, dtlsParameters } = p as Parsed<'connectWebRtcTransport'>;
        const { peer, room } = requireRoom(socket);
        await room.connectWebRtcTransport(peer, transportId, dtlsParameters as types.DtlsParameters);
        return r({});
      }
      case 'restartIce': {
        const { transportId } = p as Parsed<'restartIce'>;
        const { peer, room } = requireRoom(socket);
        return r({ iceParameters: await room.restartIce(peer, transportId) });
      }
      case 'produce': {
        const { transportId, kind, rtpParameters, source } = p as Parsed<'produce'>;
        requireRoom(socket).peer.assertTokenCurrent();
        // Whatever the token says, the domain decides now (privacy mode turned on a second ago).
        await reevaluate(socket);
        const { peer, room } = requireRoom(socket, 'you are no longer allowed in this room');
        return r({ producerId: await room.produce(peer, transportId, kind, rtpParameters as types.RtpParameters, source) });
      }
      case 'consume': {
        const { transportId, producerId, rtpCapabilities } = p as Parsed<'consume'>;
        const { peer, room } = requireRoom(socket);
        peer.assertTokenCurrent();
        if (rtpCapabilities) peer.rtpCapabilities = rtpCapabilities as types.RtpCapabilities;
        return r(await room.consume(peer, transportId, producerId));
      }
      case 'resumeConsumer': {
        const { peer, room } = requireRoom(socket);
        await room.resumeConsumer(peer, (p as Parsed<'resumeConsumer'>).consumerId);
        return r({});
      }
      case 'pauseConsumer': {
        const { peer, room } = requireRoom(socket);
        await room.pauseConsumer(peer, (p as Parsed<'pauseConsumer'>).consumerId);
        return r({});
      }
      case 'pauseProducer':
      case 'resumeProducer': {
        const { peer, room } = requireRoom(socket);
        await room.setProducerPaused(peer, (p as Parsed<'pauseProducer'>).producerId, name === 'pauseProducer');
        return r({});
      }
      case 'closeProducer': {
        const { peer, room } = requireRoom(socket);
        room.closeProducer(peer, (p as Parsed<'closeProducer'>).producerId);
        return r({});
      }
      case 'leave': {
        leaveRoom(socket, 'left');
        return r({});
      }
      case 'kickPeer': {
        const { peerId } = p as Parsed<'kickPeer'>;
        requireRoom(socket).peer.assertTokenCurrent();
        // Both sides as the domain sees them now: who leads the case, who is its petitioner.
        const named = socket.data.room?.peers.get(peerId);
        const targetSocket = named && peerSockets.get(named);
        await Promise.all([reevaluate(socket), targetSocket ? reevaluate(targetSocket) : undefined]);
        const { peer, room } = requireRoom(socket, 'you are no longer allowed in this room');
        // Whether someone is here is not told to those who may not remove them.
        peer.assertRoomAdmin();
        const target = room.assertPeer(peerId);
        await room.kick(peer, target, () => deps.bans.ban(room.id, target.id, peer.id));
        return r({});
      }
      case 'refreshToken': {
        const claims = tokens.verify((p as Parsed<'refreshToken'>).token);
        const held = socket.data.claims;
        if (claims.sub !== held.sub || claims.role !== held.role) throw forbidden('a refreshed token must be for the same identity and role');
        const { peer, room } = socket.data;
        if (!peer || !room) {
          socket.data.claims = claims;
          return r({ exp: claims.exp, iceServers: turnCredentials(deps.turn, claims.sub, claims.exp) });
        }
        if ((claims.grant.hidden === true) !== peer.hidden) throw conflict('a refreshed token cannot change whether you are shown; leave and join again');
        const ev = socket.data.evaluations;
        const seq = ++ev.started;
        // Checked like a fresh join; a refusal leaves the connection on its old token.
        const permission = await permit(claims, room.id);
        if (socket.data.peer !== peer) throw new AppError('gone', 'left the room meanwhile');
        socket.data.claims = claims;
        if (seq > ev.applied) {
          ev.applied = seq;
          room.updatePeer(peer, claims, permission);
        } else {
          peer.update(claims, peer.permission);
        }
        return r({ exp: claims.exp, iceServers: turnCredentials(deps.turn, claims.sub, claims.exp) });
      }
      default:
        return assertUnreachable(name);
    }
  }

  // The seats of the peers this node hosts stay taken while they are in their rooms.
  const renewal = setInterval(() => {
    const held = [...peerSockets.entries()].flatMap(([peer, socket]) => (socket.data.room ? [{ who: seatOf(peer.claims), roomId: socket.data.room.id }] : []));
    deps.seats.renew(held).catch((err: unknown) => log.warn({ err }, 'seat renewal failed'));
  }, SEAT_LEASE_MS / 3);
  renewal.unref();

  return {
    recheck(scope) {
      recheckLocal(scope);
      io.serverSideEmit('rooms:recheck', scope);
    },
    close() {
      clearInterval(renewal);
    },
  };
}

/** The identity a seat belongs to: role and subject, as the edge limits count it. */
const seatOf = (c: Pick<Claims, 'role' | 'sub'>) => `${c.role}:${c.sub}`;

function assertUnreachable(x: never): never {
  throw new Error(`unhandled request ${String(x)}`);
}
