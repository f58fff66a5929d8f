// One room = one mediasoup router on one worker (mediasoup-demo's Room/Peer split). The room
// owns its peers, enforces each peer's permission (grant ∩ domain, auth/room-access.ts) on every
// media operation and applies it when it narrows, and tells peers what changed
// through their notify sinks. Every way out of the room — leave, lost socket, replacement, kick,
// room close — goes through one path that closes the peer with a CloseReason (the peer tells its
// client what that means). The room closes when its worker dies (peers are told to rejoin), when
// it is ended or the node stops, or when it has stayed empty for `emptyTimeoutMs`, so a
// reconnecting last peer keeps it (LiveKit's empty/departure timeout).
import type { types } from 'mediasoup';
import type { Claims } from '../server/auth/grants.ts';
import { permissionInfo, samePermission, type RoomPermission } from '../server/auth/room-access.ts';
import type { Logger } from '../server/core/log.ts';
import { SafeEmitter } from '../server/core/safe-emitter.ts';
import { AppError, badRequest, forbidden, notFound } from '../server/core/errors.ts';
import type {
  ConsumerOptions,
  MediaSource,
  PeerCloseReason,
  RoomCloseReason,
  TransportOptions,
} from '../server/protocol/signalling.ts';
import { nextLayerCap, type LayerCap } from './consumer-layers.ts';
import { MEDIA_CODECS } from './media-codecs.ts';
import { asClientRequest } from './media-errors.ts';
import { Peer, type PeerTransport, type ProducerAppData, type TransportAppData } from './peer.ts';
import type { WorkerPool, WorkerSlot } from './worker-pool.ts';

export type { RoomCloseReason } from '../server/protocol/signalling.ts';

export interface RoomEvents {
  /** A producer now exists in the room (recorders follow this). */
  producer: [{ peer: Peer; producer: types.Producer<ProducerAppData> }];
  /** A peer joined (also a replacement for an older peer of the same identity). */
  peerjoined: [Peer];
  /** A peer is leaving in good order; fires before its producers close (not on a worker death). */
  peerleft: [Peer];
  /** The room is closed, its peers closed and its router gone. Fires once. */
  close: [reason: RoomCloseReason];
}

export interface RoomOptions {
  roomId: string;
  pool: WorkerPool;
  log: Logger;
  emptyTimeoutMs?: number;
  /** Bitrate cap for each WebRTC transport's incoming media. */
  maxIncomingBitrate?: number;
}

export class Room extends SafeEmitter<RoomEvents> {
  readonly peers = new Map<string, Peer>();
  /** Which peer owns each producer, so consume() is not a scan of the room. */
  readonly #producerOwners = new Map<string, Peer>();
  #closed = false;
  #recording = false;
  #emptyTimer: NodeJS.Timeout | undefined;
  /** Simulcast consumers' layer caps (consumer-layers.ts), with their producer's highest layer. */
  readonly #layerCaps = new Map<types.Consumer, { cap: LayerCap; maxSpatial: number }>();
  /** Scores only come when they change: a steady good one is looked at here, to raise the layer. */
  readonly #layerTimer: NodeJS.Timeout;

  private constructor(
    readonly id: string,
    readonly router: types.Router,
    readonly slot: WorkerSlot,
    private readonly log: Logger,
    private readonly emptyTimeoutMs: number,
    private readonly maxIncomingBitrate: number,
  ) {
    super();
    router.once('workerclose', () => this.close('worker-died'));
    this.#armEmptyTimer();
    this.#layerTimer = setInterval(() => {
      for (const consumer of this.#layerCaps.keys()) this.#applyLayerCap(consumer, consumer.score.score);
    }, 2_000);
    this.#layerTimer.unref();
  }

  static async create(o: RoomOptions): Promise<Room> {
    const { router, slot } = await o.pool.createRouter(MEDIA_CODECS);
    const log = o.log.child({ roomId: o.roomId });
    log.info({ worker: slot.index }, 'room created');
    return new Room(o.roomId, router, slot, log, o.emptyTimeoutMs ?? 20_000, o.maxIncomingBitrate ?? 1_500_000);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Whether the session is being recorded; participants are told whenever it changes. */
  get recording(): boolean {
    return this.#recording;
  }
  set recording(active: boolean) {
    if (active === this.#recording) return;
    this.#recording = active;
    for (const peer of this.peers.values()) peer.notify('recording', { active });
  }

  get rtpCapabilities(): types.RtpCapabilities {
    return this.router.rtpCapabilities;
  }

  /**
   * Adds a peer; a peer with the same identity is replaced (it is told so and closed).
   * `rtpCapabilities`: what it can receive, when known now (a server-side peer); a browser's
   * come with its first consume or its own recv transport (signalling).
   */
  join(peer: Peer, rtpCapabilities?: types.RtpCapabilities): void {
    this.#assertOpen();
    const old = this.peers.get(peer.id);
    if (old && old !== peer) {
      this.log.info({ peerId: peer.id }, 'join() | same identity joined again; replacing the older peer');
      this.#remove(old, 'duplicate-identity');
    }
    if (rtpCapabilities) peer.rtpCapabilities = rtpCapabilities;
    peer.joined = true;
    this.peers.set(peer.id, peer);
    clearTimeout(this.#emptyTimer);
    if (!peer.hidden) for (const other of this.#others(peer)) other.notify('peerJoined', peer.info());
    this.emit('peerjoined', peer);
  }

  /** The peer asked to leave (`left`) or its connection is gone (`disconnected`). */
  leave(peer: Peer, reason: Extract<PeerCloseReason, 'left' | 'disconnected'> = 'left'): void {
    this.#remove(peer, reason);
  }

  /** The participant named, visible to others; `not_found` otherwise. */
  assertPeer(peerId: string): Peer {
    const target = this.peers.get(peerId);
    if (!target || target.hidden) throw notFound(`participant ${peerId} not found in this room`);
    return target;
  }

  /**
   * A room admin removes a participant; a principal of the room (the case's lead or petitioner)
   * cannot be removed. The caller brings both peers' permissions up to date first. `keepOut`
   * runs after the checks and before the removal, so a ban is in place before the removed client
   * could try to come back.
   */
  async kick(by: Peer, target: Peer, keepOut: () => Promise<void>): Promise<void> {
    by.assertRoomAdmin();
    if (target === by) throw badRequest('use leave to leave');
    if (this.peers.get(target.id) !== target) throw notFound(`participant ${target.id} not found in this room`);
    if (target.permission.principal) throw forbidden('the lead and the petitioner of a case cannot be removed from it');
    await keepOut();
    this.log.info({ by: by.id, peerId: target.id }, 'kick() | participant removed');
    this.#remove(target, 'kicked');
  }

  /** The peer may no longer be here (handed over, link removed, token revoked): out, told so. */
  revoke(peer: Peer): void {
    this.log.info({ peerId: peer.id }, 'revoke() | participant no longer allowed in the room');
    this.#remove(peer, 'revoked');
  }

  /**
   * New claims and permission for a peer (a refreshed token, a domain change). What the new
   * permission no longer covers stops at once — producers of withdrawn sources close, consumers
   * close when subscribing is withdrawn — and the client is told what it may do now.
   */
  updatePeer(peer: Peer, claims: Claims, permission: RoomPermission): void {
    const before = peer.permission;
    peer.update(claims, permission);
    const now = peer.permission;
    if (samePermission(before, now) && before.narrowedBy === now.narrowedBy) return;
    for (const producer of [...peer.producers.values()]) {
      if (!now.canPublish || !now.sources.includes(producer.appData.source)) {
        this.log.info({ peerId: peer.id, source: producer.appData.source, reason: now.narrowedBy }, 'updatePeer() | producer no longer allowed; closed');
        producer.close();
      }
    }
    if (!now.canSubscribe) for (const consumer of [...peer.consumers.values()]) consumer.close();
    peer.notify('permissions', permissionInfo(now));
  }

  /** Visible peers other than `peer`, with their producers, for a joining client. */
  visiblePeers(peer: Peer) {
    return [...this.#others(peer)].filter((p) => !p.hidden).map((p) => p.info());
  }

  /** `rtpCapabilities` (a recv transport's): what the peer's device can receive; its consumers are made for them. */
  async createWebRtcTransport(peer: Peer, direction: 'send' | 'recv', forceTcp = false, rtpCapabilities?: types.RtpCapabilities): Promise<TransportOptions> {
    peer.assertJoined();
    if (direction === 'send' && !peer.permission.canPublish) throw forbidden('not allowed to publish');
    if (peer.transports.size >= 4) throw badRequest('too many transports');
    const transport = await this.router.createWebRtcTransport<TransportAppData>({
      webRtcServer: this.slot.webRtcServer,
      enableUdp: !forceTcp,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: 1_000_000,
      appData: { peerId: peer.id, direction },
    });
    if (direction === 'send') await transport.setMaxIncomingBitrate(this.maxIncomingBitrate).catch(() => undefined);
    // The peer may have left while the worker made it (a socket gone during the join or the request).
    if (peer.closed || this.peers.get(peer.id) !== peer) {
      transport.close();
      throw new AppError('gone', 'left the room meanwhile');
    }
    if (rtpCapabilities) peer.rtpCapabilities = rtpCapabilities;
    this.#track(peer, transport);
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') this.log.warn({ peerId: peer.id, state }, 'transport dtls state');
    });
    return {
      transportId: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  /**
   * A plain RTP transport for a server-side peer (camera ingest, recorder, benchmark sink). The
   * caller connects it; grants apply exactly as for a browser's transport.
   */
  async createPlainTransport(
    peer: Peer,
    direction: 'send' | 'recv',
    options: Omit<types.PlainTransportOptions, 'appData'>,
  ): Promise<types.PlainTransport<TransportAppData>> {
    peer.assertJoined();
    const transport = await this.router.createPlainTransport<TransportAppData>({ ...options, appData: { peerId: peer.id, direction } });
    this.#track(peer, transport);
    return transport;
  }

  async connectWebRtcTransport(peer: Peer, transportId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    await peer.assertWebRtcTransport(transportId).connect({ dtlsParameters });
  }

  async restartIce(peer: Peer, transportId: string): Promise<types.IceParameters> {
    return peer.assertWebRtcTransport(transportId).restartIce();
  }

  async produce(
    peer: Peer,
    transportId: string,
    kind: types.MediaKind,
    rtpParameters: types.RtpParameters,
    source: MediaSource,
  ): Promise<string> {
    peer.assertJoined();
    peer.assertCanPublish(source);
    if ((source === 'microphone') !== (kind === 'audio')) throw badRequest(`source ${source} does not carry ${kind}`);
    const transport = peer.assertTransport(transportId);
    if (transport.appData.direction !== 'send') throw badRequest('produce needs a send transport');
    for (const p of peer.producers.values()) {
      if (p.appData.source === source) throw new AppError('conflict', `already publishing ${source}; close it first`);
    }
    const producer = await asClientRequest('produce', () =>
      (transport as types.Transport).produce<ProducerAppData>({ kind, rtpParameters, appData: { peerId: peer.id, source } }),
    );
    // The peer may have left, or its permission narrowed (privacy on), while the worker produced.
    if (peer.closed || this.peers.get(peer.id) !== peer) {
      producer.close();
      throw new AppError('gone', 'left the room meanwhile');
    }
    try {
      peer.assertCanPublish(source);
    } catch (err) {
      producer.close();
      throw err;
    }
    this.addProducer(peer, producer);
    return producer.id;
  }

  /** Registers a producer made elsewhere (WebRTC produce, camera ingest) and announces it. */
  addProducer(peer: Peer, producer: types.Producer<ProducerAppData>): void {
    peer.producers.set(producer.id, producer);
    // The publisher's own uplink: its page shows a poor network from this.
    let lastScore = 10;
    producer.on('score', (scores) => {
      const score = scores.length > 0 ? Math.min(...scores.map((x) => x.score)) : 10;
      if (score === lastScore || peer.closed) return;
      lastScore = score;
      peer.notify('producerScore', { producerId: producer.id, score });
    });
    this.#producerOwners.set(producer.id, peer);
    producer.observer.once('close', () => {
      peer.producers.delete(producer.id);
      this.#producerOwners.delete(producer.id);
      if (!peer.hidden) for (const other of this.#others(peer)) other.notify('producerClosed', { peerId: peer.id, producerId: producer.id });
    });
    if (!peer.hidden) {
      for (const other of this.#others(peer)) {
        other.notify('newProducer', {
          peerId: peer.id,
          producerId: producer.id,
          kind: producer.kind,
          source: producer.appData.source,
          paused: producer.paused,
        });
      }
    }
    this.emit('producer', { peer, producer });
  }

  async setProducerPaused(peer: Peer, producerId: string, paused: boolean): Promise<void> {
    const producer = peer.assertProducer(producerId);
    if (paused) await producer.pause();
    else await producer.resume();
    const event = paused ? 'producerPaused' : 'producerResumed';
    for (const other of this.#others(peer)) other.notify(event, { peerId: peer.id, producerId });
  }

  closeProducer(peer: Peer, producerId: string): void {
    peer.assertProducer(producerId).close();
  }

  /** Creates the consumer paused; the client resumes it once its track is wired up. */
  async consume(peer: Peer, transportId: string, producerId: string): Promise<ConsumerOptions> {
    peer.assertJoined();
    peer.assertCanSubscribe();
    const transport = peer.assertTransport(transportId);
    if (transport.appData.direction !== 'recv') throw badRequest('consume needs a recv transport');
    // Only producers of this room are visible: an id from another room is simply not found.
    const owner = this.#producerOwners.get(producerId);
    if (!owner || owner === peer || owner.hidden || this.peers.get(owner.id) !== owner) {
      throw notFound(`producer ${producerId} not found in this room`);
    }
    const producer = owner.producers.get(producerId)!;
    if (!peer.rtpCapabilities || !this.router.canConsume({ producerId, rtpCapabilities: peer.rtpCapabilities })) {
      throw badRequest('your device cannot receive this codec');
    }
    for (const c of peer.consumers.values()) {
      if (c.producerId === producerId) throw new AppError('conflict', 'already consuming this producer');
    }
    const consumer = await asClientRequest('consume', () =>
      (transport as types.Transport).consume({
        producerId,
        rtpCapabilities: peer.rtpCapabilities!,
        paused: true,
        appData: { peerId: owner.id, source: producer.appData.source },
      }),
    );
    peer.consumers.set(consumer.id, consumer);
    const gone = () => {
      peer.consumers.delete(consumer.id);
      if (!peer.closed) peer.notify('consumerClosed', { consumerId: consumer.id, producerId });
    };
    consumer.on('transportclose', () => peer.consumers.delete(consumer.id));
    consumer.on('producerclose', gone);
    consumer.observer.once('close', () => this.#layerCaps.delete(consumer));
    consumer.on('score', ({ score, producerScore }) => {
      if (!peer.closed) peer.notify('consumerScore', { consumerId: consumer.id, score, producerScore });
      this.#applyLayerCap(consumer, score);
    });
    const layers = producer.rtpParameters.encodings?.length ?? 1;
    if (consumer.type === 'simulcast' && layers > 1) this.#layerCaps.set(consumer, { cap: { spatial: layers - 1, goodSince: undefined }, maxSpatial: layers - 1 });
    return {
      consumerId: consumer.id,
      producerId,
      peerId: owner.id,
      source: producer.appData.source,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
    };
  }

  async resumeConsumer(peer: Peer, consumerId: string): Promise<void> {
    const consumer = peer.assertConsumer(consumerId);
    await consumer.resume();
    // Start the picture at once rather than at the publisher's next periodic key frame.
    if (consumer.kind === 'video') await consumer.requestKeyFrame().catch(() => undefined);
  }

  async pauseConsumer(peer: Peer, consumerId: string): Promise<void> {
    await peer.assertConsumer(consumerId).pause();
  }

  /** Moves a simulcast consumer's preferred layer as its receiver's score says (consumer-layers.ts). */
  #applyLayerCap(consumer: types.Consumer, score: number): void {
    const entry = this.#layerCaps.get(consumer);
    if (!entry || consumer.closed) return;
    const next = nextLayerCap(entry.cap, score, entry.maxSpatial, Date.now());
    const changed = next.spatial !== entry.cap.spatial;
    entry.cap = next;
    if (changed) {
      this.log.debug({ consumerId: consumer.id, score, spatialLayer: next.spatial }, 'consumer layer cap moved');
      consumer.setPreferredLayers({ spatialLayer: next.spatial }).catch(() => undefined);
    }
  }

  /** Closes the room for everyone in it; `empty` is the room's own decision, never a caller's. */
  close(reason: Exclude<RoomCloseReason, 'empty'>): void {
    this.#teardown(reason);
  }

  #teardown(reason: RoomCloseReason): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#emptyTimer);
    clearInterval(this.#layerTimer);
    this.log.info({ reason, peers: this.peers.size }, 'room closed');
    if (reason !== 'empty') {
      for (const peer of this.peers.values()) {
        // Everyone leaves an orderly close (a recording shows no interruption); a dead worker is
        // an interruption, so its peers simply vanish with their producers.
        if (reason !== 'worker-died') this.emit('peerleft', peer);
        peer.close(reason);
      }
    }
    this.peers.clear();
    if (!this.router.closed) this.router.close();
    this.emit('close', reason);
  }

  /** The one way a peer leaves while the room stays open. */
  #remove(peer: Peer, reason: PeerCloseReason): void {
    if (this.peers.get(peer.id) !== peer) return;
    this.peers.delete(peer.id);
    // Before the producers close: a recorder then ends the tracks as a departure, not a gap.
    this.emit('peerleft', peer);
    peer.close(reason);
    if (!peer.hidden) for (const other of this.peers.values()) other.notify('peerLeft', { peerId: peer.id });
    if (this.peers.size === 0) this.#armEmptyTimer();
  }

  #assertOpen(): void {
    if (this.#closed) throw new AppError('gone', 'room closed; reconnect');
  }

  *#others(peer: Peer): Iterable<Peer> {
    for (const p of this.peers.values()) if (p !== peer) yield p;
  }

  #track(peer: Peer, transport: PeerTransport): void {
    peer.transports.set(transport.id, transport);
    (transport as types.Transport).observer.once('close', () => peer.transports.delete(transport.id));
  }

  #armEmptyTimer(): void {
    clearTimeout(this.#emptyTimer);
    this.#emptyTimer = setTimeout(() => {
      if (this.peers.size === 0) this.#teardown('empty');
    }, this.emptyTimeoutMs);
    this.#emptyTimer.unref();
  }
}
