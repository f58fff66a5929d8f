// A participant of one room: its transports, producers and consumers, the claims it holds now and
// what it may do (its permission: the token's grant and the room's domain both agreeing, kept
// current by the signalling layer). The signalling layer gives it a `notify` sink and listens for
// its `close`; the SFU never touches sockets.
import type { types } from 'mediasoup';
import type { Claims } from '../server/auth/grants.ts';
import { assertMayPublish, grantOnly, intersect, type RoomPermission } from '../server/auth/room-access.ts';
import { AppError, forbidden, notFound } from '../server/core/errors.ts';
import { SafeEmitter } from '../server/core/safe-emitter.ts';
import {
  closeNotice,
  type MediaSource,
  type PeerCloseReason,
  type PeerInfo,
  type ServerToClientEvents,
} from '../server/protocol/signalling.ts';

export type Notify = <E extends keyof ServerToClientEvents>(event: E, ...args: Parameters<ServerToClientEvents[E]>) => void;

/** What the server, never the client, decides about a producer. */
export interface ProducerAppData extends types.AppData {
  peerId: string;
  source: MediaSource;
}
export interface TransportAppData extends types.AppData {
  peerId: string;
  direction: 'send' | 'recv';
}

/** WebRTC transports for browsers; plain RTP transports for server-side peers (ingest, recording, bench). */
export type PeerTransport = types.WebRtcTransport<TransportAppData> | types.PlainTransport<TransportAppData>;

export interface PeerEvents {
  /**
   * The peer is out of its room, for `reason`. Fires exactly once however it closed (left, socket
   * gone, replaced, kicked, room closed); its client has been told (closeNotice) and its
   * transports, producers and consumers are closed by then.
   */
  close: [reason: PeerCloseReason];
}

export class Peer extends SafeEmitter<PeerEvents> {
  readonly transports = new Map<string, PeerTransport>();
  readonly producers = new Map<string, types.Producer<ProducerAppData>>();
  readonly consumers = new Map<string, types.Consumer>();
  rtpCapabilities: types.RtpCapabilities | undefined;
  joined = false;
  #closed = false;
  #claims: Claims;
  #permission: RoomPermission;
  /** Visibility is fixed for the peer's life: announcing or un-announcing mid-room is not done. */
  readonly hidden: boolean;

  /**
   * `name` is the directory's (the token's `name`), never the client's; `note` is client-chosen
   * text shown apart from it, labelled as such. Without `permission` the grant alone decides.
   */
  constructor(
    readonly id: string,
    readonly name: string,
    claims: Claims,
    readonly notify: Notify,
    permission: RoomPermission = intersect(claims.grant, grantOnly(claims.grant)),
    readonly note?: string,
  ) {
    super();
    this.#claims = claims;
    this.#permission = permission;
    this.hidden = permission.hidden;
  }

  get claims(): Claims {
    return this.#claims;
  }
  get permission(): RoomPermission {
    return this.#permission;
  }
  get role(): string {
    return this.#claims.role;
  }

  /**
   * New claims (a refreshed token) and what they now allow. The room applies the permission's
   * consequences (Room.applyPermission); this only records them.
   */
  update(claims: Claims, permission: RoomPermission): void {
    this.#claims = claims;
    this.#permission = { ...permission, hidden: this.hidden };
  }
  get closed(): boolean {
    return this.#closed;
  }

  info(): PeerInfo {
    return {
      peerId: this.id,
      name: this.name,
      ...(this.note ? { note: this.note } : {}),
      role: this.role,
      producers: [...this.producers.values()].map((p) => ({
        producerId: p.id,
        kind: p.kind,
        source: p.appData.source,
        paused: p.paused,
      })),
    };
  }

  assertTransport(transportId: string): PeerTransport {
    const t = this.transports.get(transportId);
    if (!t) throw notFound(`transport ${transportId} not found`);
    return t;
  }
  assertWebRtcTransport(transportId: string): types.WebRtcTransport<TransportAppData> {
    const t = this.assertTransport(transportId);
    if (!('iceParameters' in t)) throw notFound(`WebRTC transport ${transportId} not found`);
    return t;
  }
  assertProducer(producerId: string): types.Producer<ProducerAppData> {
    const p = this.producers.get(producerId);
    if (!p) throw notFound(`producer ${producerId} not found`);
    return p;
  }
  assertConsumer(consumerId: string): types.Consumer {
    const c = this.consumers.get(consumerId);
    if (!c) throw notFound(`consumer ${consumerId} not found`);
    return c;
  }
  assertJoined(): void {
    if (!this.joined) throw new AppError('conflict', 'join the room first');
  }
  assertCanPublish(source: MediaSource): void {
    assertMayPublish(this.#permission, source);
  }
  assertRoomAdmin(): void {
    if (!this.#permission.roomAdmin) throw forbidden('only the lead of the session or a coordinator can remove participants');
  }
  assertCanSubscribe(): void {
    if (!this.#permission.canSubscribe) throw forbidden('not allowed to subscribe');
  }
  /** The token it holds now has not expired (an open connection must refresh, not coast on it). */
  assertTokenCurrent(now = Date.now()): void {
    if (this.#claims.exp * 1000 <= now) throw new AppError('token_expired', 'access token expired; refresh it (refreshToken)');
  }

  /**
   * Called by its room only (leave, replacement, kick, room close), after the room has let it go.
   * Tells the client what `reason` means for it, closes the transports (mediasoup closes their
   * producers and consumers with them), then emits `close`. Idempotent.
   */
  close(reason: PeerCloseReason): void {
    if (this.#closed) return;
    this.#closed = true;
    const notice = closeNotice(reason);
    // The union pairs each event with its payload; Notify's generic cannot follow a union.
    if (notice) (this.notify as (event: string, payload: unknown) => void)(notice.event, notice.payload);
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
    this.producers.clear();
    this.consumers.clear();
    this.emit('close', reason);
  }
}
