// socket.io signalling: authenticates at connect, validates every request against the shared
// protocol schemas, and drives the SFU room. Every request is answered through its ack with
// `{ ok: true, data }` or `{ ok: false, error: { code, message } }`; nothing a client sends can
// throw past this layer.
import type { Server, Socket } from 'socket.io';
import type { types } from 'mediasoup';
import { grantAllowsRoom, type Claims, type TokenIssuer } from '../../auth/grants.ts';
import { AppError, forbidden, toErrorBody } from '../../core/errors.ts';
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
import { Peer } from '../../../sfu/peer.ts';
import type { Room } from '../../../sfu/room.ts';
import type { RoomRegistry } from '../../../sfu/rooms.ts';
import type { z } from 'zod';

export interface SocketData {
  claims: Claims;
  /** Request budget: a token bucket refilled at RATE per second up to BURST. */
  budget: { tokens: number; at: number };
  peer?: Peer;
  room?: Room;
}

/** Between server nodes (through the Redis adapter). */
export interface InterServerEvents {
  /** Close this room if you host it: its session is over. */
  'room:end': (roomId: string) => void;
  /** Privacy turned on in this household: stop its home devices' cameras in rooms you host. */
  'household:camera-off': (householdId: string) => void;
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
  /** Domain checks beyond the grant (e.g. the household call is still open); throws AppError. */
  authorizeRoom?: (claims: Claims, roomId: string) => Promise<void>;
}

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

export function attachSignalling(io: SignallingServer, deps: SignallingDeps): void {
  const { tokens, log, metrics } = deps;

  io.use((socket, next) => {
    try {
      socket.data.claims = tokens.verify(socket.handshake.auth?.token);
      socket.data.budget = { tokens: REQUEST_BURST, at: Date.now() };
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
      reply = { ok: false, error: toErrorBody(err) };
    }
    end();
    metrics.requests.inc({ event: name, outcome: reply.ok ? 'ok' : reply.error.code });
    (ack as (r: Reply<unknown>) => void)(reply);
  }

  function requireRoom(socket: SignallingSocket): { peer: Peer; room: Room } {
    const { peer, room } = socket.data;
    if (!peer || !room || room.closed) throw new AppError('conflict', 'join a room first');
    return { peer, room };
  }

  async function roomFor(socket: SignallingSocket, roomId: string): Promise<Room> {
    const claims = socket.data.claims;
    if (!grantAllowsRoom(claims.grant, roomId)) throw forbidden(`token does not grant room ${roomId}`);
    if (claims.exp * 1000 <= Date.now()) throw new AppError('token_expired', 'access token expired; get a new one');
    if (await deps.bans.isBanned(roomId, claims.sub)) throw forbidden('you were removed from this session');
    await deps.authorizeRoom?.(claims, roomId);
    const placement = await deps.routing.claim(roomId);
    if (!placement.local) {
      throw new AppError('conflict', 'room is hosted on another node', { nodeId: placement.nodeId, url: placement.url });
    }
    return deps.rooms.getOrCreate(roomId);
  }

  /** The socket's peer: notifications go out on the socket, and its close frees the socket. */
  function socketPeer(socket: SignallingSocket, displayName: string | undefined): Peer {
    const claims = socket.data.claims;
    const peer = new Peer(claims.sub, displayName ?? claims.name, claims, (event, ...args) => socket.emit(event, ...args));
    peer.once('close', (reason) => {
      if (socket.data.peer === peer) {
        socket.data.peer = undefined;
        socket.data.room = undefined;
      }
      // The same identity is live on a newer connection: this one must not linger or reconnect.
      if (reason === 'duplicate-identity') socket.disconnect(true);
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
      case 'getRouterRtpCapabilities': {
        const { roomId } = p as Parsed<'getRouterRtpCapabilities'>;
        const room = await roomFor(socket, roomId);
        return r({ rtpCapabilities: room.rtpCapabilities });
      }
      case 'join': {
        const { roomId, rtpCapabilities, displayName } = p as Parsed<'join'>;
        if (socket.data.peer) throw new AppError('conflict', 'already in a room; leave first');
        const room = await roomFor(socket, roomId);
        // While the room was being found the socket may have gone, or another join won.
        if (socket.disconnected) throw new AppError('gone', 'connection closed');
        if (socket.data.peer) throw new AppError('conflict', 'already in a room; leave first');
        const peer = socketPeer(socket, displayName);
        room.join(peer, rtpCapabilities as types.RtpCapabilities);
        socket.data.peer = peer;
        socket.data.room = room;
        return r({ peerId: peer.id, peers: room.visiblePeers(peer), recording: room.recording });
      }
      case 'createWebRtcTransport': {
        const { direction, forceTcp } = p as Parsed<'createWebRtcTransport'>;
        const { peer, room } = requireRoom(socket);
        return r(await room.createWebRtcTransport(peer, direction, forceTcp));
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
        const { peer, room } = requireRoom(socket);
        return r({ producerId: await room.produce(peer, transportId, kind, rtpParameters as types.RtpParameters, source) });
      }
      case 'consume': {
        const { transportId, producerId } = p as Parsed<'consume'>;
        const { peer, room } = requireRoom(socket);
        return r(await room.consume(peer, transportId, producerId));
      }
      case 'resumeConsumer': {
        const { peer, room } = requireRoom(socket);
        await room.resumeConsumer(peer, (p as Parsed<'resumeConsumer'>).consumerId);
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
        const { peer, room } = requireRoom(socket);
        const target = (p as Parsed<'kickPeer'>).peerId;
        await room.kick(peer, target, () => deps.bans.ban(room.id, target, peer.id));
        return r({});
      }
      default:
        return assertUnreachable(name);
    }
  }
}

function assertUnreachable(x: never): never {
  throw new Error(`unhandled request ${String(x)}`);
}
