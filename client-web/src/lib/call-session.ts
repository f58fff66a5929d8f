// A client's presence in one room: signalling, the mediasoup-client Device, one send and one
// recv transport, local camera/microphone producers and the consumers of every remote producer.
// Every role-specific UI (terminal, official desk, home device, family app) builds on this.
import { Device, type types } from 'mediasoup-client';
import { parseRoomId } from '../../../server/protocol/room-id.ts';
import type { MediaSource, PeerInfo, PermissionInfo, ProducerInfo, RejoinReason, TransportOptions } from '../../../server/protocol/signalling.ts';
import { callStatus, deviceFailure, poorNetwork, sameStatus, type CallStatus, type DeviceSource, type DeviceStatus, type RemotePublisher } from './call-state.ts';
import { CAMERA_CODEC_OPTIONS, CAMERA_CONSTRAINTS, CAMERA_ENCODINGS, MICROPHONE_CODEC_OPTIONS, MICROPHONE_CONSTRAINTS } from './media-settings.ts';
import { FINAL_REFUSALS, SignallingClient, SignallingError } from './signalling-client.ts';
import { warmDevice } from './warm-device.ts';

/** Tries of one consume before the failure is reported (backoff 1, 2, 4, 4 s between them). */
const CONSUME_ATTEMPTS = 5;

/** How long a node gets to answer before the call tries the next one. */
const REACH_MS = 2_000;

export type CallState = 'connecting' | 'joined' | 'reconnecting' | 'closed' | 'failed';

export interface RemoteTrack {
  peerId: string;
  consumerId: string;
  source: MediaSource;
  track: MediaStreamTrack;
  paused: boolean;
}

export interface CallSessionEvents {
  state: (s: CallState, detail?: string) => void;
  peers: (peers: ReadonlyMap<string, PeerInfo>) => void;
  trackadded: (t: RemoteTrack) => void;
  trackremoved: (t: RemoteTrack) => void;
  trackpaused: (t: RemoteTrack) => void;
  /** The session is (not) being recorded. */
  recording: (active: boolean) => void;
  /** Transport-level connection state, for the connection indicator. */
  connection: (direction: 'send' | 'recv', state: string) => void;
  /** What this participant may do here changed (privacy mode on: the camera was stopped). */
  permissions: (p: PermissionInfo) => void;
  error: (err: Error) => void;
  /** The call-state model (`call-state.ts`) changed: what pages show about the call. */
  status: (s: CallStatus) => void;
}

/** A participant who sends nothing this long after it was first seen is missing that device. */
const SETTLE_MS = 6_000;

export interface CallSessionOptions {
  url?: string;
  token: string;
  roomId: string;
  /**
   * Text of your own shown beside your name, labelled as your note. Your name itself is the
   * directory's (your token's) and is not yours to set.
   */
  note?: string;
  /**
   * A fresh room token for the same room, fetched before the current one expires and swapped in
   * without dropping media. Default: the endpoint that issues this room's tokens, called with the
   * current room token (petition sessions; a family member's household call).
   */
  renewToken?: () => Promise<string>;
  /** Publish these local sources once joined (default camera + microphone, when granted). */
  publish?: MediaSource[];
  /** Audio-only fallback for poor networks: no camera is published or consumed. */
  audioOnly?: boolean;
  videoConstraints?: MediaTrackConstraints;
  /**
   * `relay`: media only through the TURN servers the join gave (diagnosing a firewall, tests);
   * default `all`: direct first, TURN when nothing direct gets through.
   */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Turns the captured camera into what is sent (the home device blacks out its privacy masks). */
  cameraFilter?: (track: MediaStreamTrack) => MediaStreamTrack;
}

type Listener<E extends keyof CallSessionEvents> = CallSessionEvents[E];

export class CallSession {
  signalling: SignallingClient;
  readonly peers = new Map<string, PeerInfo>();
  readonly remote = new Map<string, RemoteTrack>();
  localStream = new MediaStream();
  state: CallState = 'connecting';
  peerId = '';
  recording = false;
  status: CallStatus = { phase: 'connecting', degraded: [] };

  #device: Device | undefined;
  #send: types.Transport | undefined;
  #recv: types.Transport | undefined;
  /** The server has not yet been told what this device can receive (the join's recv transport). */
  #recvCapsPending = false;
  readonly #producers = new Map<MediaSource, types.Producer>();
  readonly #consumers = new Map<string, types.Consumer>();
  /** Producers being consumed right now: a newProducer push can race the join's own loop. */
  readonly #consuming = new Set<string>();
  readonly #listeners = new Map<keyof CallSessionEvents, Set<(...a: never[]) => void>>();
  #closed = false;
  #joining: Promise<void> | undefined;
  /**
   * Room pushes (peers, producers) that arrived while a join request was out: the server may send
   * them before the join reply whose snapshot they come after, so they are applied on top of it.
   */
  #earlyPushes: (() => void)[] | undefined;
  #rejoining: Promise<void> | undefined;
  /** The cluster's nodes (from the last join reply): where the call goes when its node stops answering. */
  #nodes: string[] = [];
  /** The room token held now (the first, or the latest refreshed one). */
  #token: string;
  #renewTimer: ReturnType<typeof setTimeout> | undefined;
  #detail: string | undefined;
  readonly #devices: Record<DeviceSource, DeviceStatus> = { camera: 'unwanted', microphone: 'unwanted' };
  readonly #transportStates: Partial<Record<'send' | 'recv', string>> = {};
  #permission: PermissionInfo | undefined;
  /** Video off by choice (the option, or `setAudioOnly` on a poor network). */
  #audioOnly: boolean;
  /** The server's latest score of each own producer (`p:<id>`) and consumer (`c:<id>`), 0–10. */
  readonly #linkScores = new Map<string, number>();
  #poorNetwork = false;
  /** TURN servers with credentials issued with the current room token. */
  #iceServers: RTCIceServer[] = [];
  /** When each remote peer was first seen, to tell a device that is missing from one still starting. */
  readonly #peerSeen = new Map<string, number>();
  #settleTimer: ReturnType<typeof setTimeout> | undefined;
  /** A device plugged in (or a permission granted) later is picked up. */
  readonly #retryDevices = () => void this.#acquireDevices('unavailable');
  /**
   * A page being closed leaves the call. Chromium ends the page's capture tracks while it
   * unloads, and an `ended` seen then is not an unplugged device: handled as one, it closed the
   * producer before the socket went, and the recording showed a gap where the person simply left.
   */
  readonly #leavePage = () => this.close();

  constructor(private readonly o: CallSessionOptions) {
    this.#token = o.token;
    this.#audioOnly = o.audioOnly ?? false;
    this.signalling = this.#connect(o.url);
    // Reads the browser's capabilities while the socket connects (warm-device.ts). Started once
    // the join was out instead, it made the join reply wait for it (join 8–10 → 33–39 ms).
    this.#device = warmDevice();
    navigator.mediaDevices?.addEventListener?.('devicechange', this.#retryDevices);
    globalThis.addEventListener?.('pagehide', this.#leavePage);
    for (const name of ['camera', 'microphone'] as const) {
      void navigator.permissions
        ?.query({ name: name as PermissionName })
        .then((p) => p.addEventListener('change', this.#retryDevices))
        .catch(() => undefined);
    }
  }

  #connect(url: string | undefined): SignallingClient {
    const signalling = new SignallingClient({ url, token: this.#token });
    const s = signalling.socket;
    s.on('peerJoined', (p) => this.#roomPush(() => this.#setPeer(p)));
    s.on('peerLeft', ({ peerId }) =>
      this.#roomPush(() => {
        this.peers.delete(peerId);
        this.#peerSeen.delete(peerId);
        this.#emit('peers', this.peers);
        this.#updateStatus();
      }),
    );
    s.on('newProducer', (p) =>
      this.#roomPush(() => {
        const peer = this.peers.get(p.peerId);
        if (peer && !peer.producers.some((x) => x.producerId === p.producerId)) peer.producers.push(p);
        this.#emit('peers', this.peers);
        this.#updateStatus();
        void this.#consumeRetrying(p);
      }),
    );
    s.on('producerClosed', ({ peerId, producerId }) =>
      this.#roomPush(() => {
        const peer = this.peers.get(peerId);
        if (peer) peer.producers = peer.producers.filter((x) => x.producerId !== producerId);
        this.#emit('peers', this.peers);
        this.#updateStatus();
      }),
    );
    s.on('producerPaused', ({ producerId }) => this.#markPaused(producerId, true));
    s.on('producerResumed', ({ producerId }) => this.#markPaused(producerId, false));
    s.on('consumerClosed', ({ consumerId }) => this.#dropConsumer(consumerId));
    s.on('consumerScore', ({ consumerId, score }) => this.#consumers.has(consumerId) && this.#setLinkScore(`c:${consumerId}`, score));
    s.on('producerScore', ({ producerId, score }) => this.#setLinkScore(`p:${producerId}`, score));
    s.on('rejoin', ({ reason }) => void this.#rejoin(reason));
    s.on('roomClosed', ({ reason }) => this.close(reason));
    s.on('permissions', (p) => void this.#applyPermissions(p));
    s.on('recording', ({ active }) => this.#setRecording(active));
    s.on('replaced', () => {
      this.close('replaced');
    });
    // The server forgets a peer whose socket went (network loss, node stopped or dead): join
    // again — on this node once it answers, else on any other (#reach).
    s.on('disconnect', (reason) => {
      if (this.#closed || signalling !== this.signalling || reason === 'io client disconnect') return;
      void this.#rejoin('connection-lost');
    });
    return signalling;
  }

  on<E extends keyof CallSessionEvents>(event: E, fn: Listener<E>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(fn as (...a: never[]) => void);
    return () => set.delete(fn as (...a: never[]) => void);
  }

  async start(): Promise<void> {
    await this.signalling.connected();
    performance.mark('call:socket');
    await this.#joinHere();
  }

  /** Mute/unmute a local source without renegotiation (producer pause/resume). */
  async setSourceEnabled(source: MediaSource, enabled: boolean): Promise<void> {
    const producer = this.#producers.get(source);
    if (!producer) return;
    if (enabled) {
      producer.resume();
      await this.signalling.request('resumeProducer', { producerId: producer.id });
    } else {
      producer.pause();
      await this.signalling.request('pauseProducer', { producerId: producer.id });
    }
  }

  isSourceEnabled(source: MediaSource): boolean {
    const p = this.#producers.get(source);
    return !!p && !p.paused;
  }

  hasSource(source: MediaSource): boolean {
    return this.#producers.has(source);
  }

  /** Stops sending a source altogether (privacy mode, audio-only fallback). */
  async stopSource(source: MediaSource, status: DeviceStatus = 'unwanted'): Promise<void> {
    if (source !== 'screen') this.#setDevice(source, status);
    const producer = this.#producers.get(source);
    if (!producer) return;
    this.#producers.delete(source);
    producer.close();
    producer.track?.stop();
    for (const t of this.localStream.getTracks()) if (t === producer.track) this.localStream.removeTrack(t);
    await this.signalling.request('closeProducer', { producerId: producer.id }).catch(() => undefined);
  }

  /**
   * Starts (or restarts) sending a local source. A device that cannot be had is recorded as
   * denied, missing or failed (the call-state model says so) and the error is rethrown.
   */
  async startSource(source: MediaSource): Promise<void> {
    if (!this.#send || this.#producers.has(source)) return;
    const device = source === 'screen' ? undefined : source;
    if (device) this.#setDevice(device, 'pending');
    let track: MediaStreamTrack;
    try {
      const captured = await this.#captureTrack(source);
      track = source === 'camera' && this.o.cameraFilter ? this.o.cameraFilter(captured) : captured;
    } catch (err) {
      if (device) this.#setDevice(device, deviceFailure(err));
      throw err;
    }
    try {
      const producer = await this.#send.produce({
        track,
        appData: { source },
        ...(source === 'camera' ? { encodings: CAMERA_ENCODINGS, codecOptions: CAMERA_CODEC_OPTIONS } : {}),
        ...(source === 'microphone' ? { codecOptions: MICROPHONE_CODEC_OPTIONS } : {}),
      });
      this.#producers.set(source, producer);
      this.localStream.addTrack(track);
    } catch (err) {
      track.stop();
      if (device) this.#setDevice(device, err instanceof SignallingError && err.code === 'forbidden' ? 'unwanted' : 'failed');
      throw err;
    }
    // Unplugged: stop sending it and wait for a device to appear again.
    if (device) {
      track.addEventListener('ended', () => {
        if (!this.#closed) void this.stopSource(device, 'missing').then(this.#retryDevices);
      });
      this.#setDevice(device, 'live');
    }
  }

  get audioOnly(): boolean {
    return this.#audioOnly;
  }

  /**
   * Audio-only on a poor network: stops sending the camera and pauses receiving video (the
   * server stops forwarding it), so the sound gets the whole link; off again restores both.
   */
  async setAudioOnly(on: boolean): Promise<void> {
    if (on === this.#audioOnly || this.#closed) return;
    this.#audioOnly = on;
    this.#updateStatus();
    const video = [...this.#consumers.values()].filter((c) => c.kind === 'video');
    if (on) {
      await this.stopSource('camera');
      for (const c of video) {
        c.pause();
        await this.signalling.request('pauseConsumer', { consumerId: c.id }).catch(() => undefined);
      }
      return;
    }
    for (const c of video) {
      c.resume();
      await this.signalling.request('resumeConsumer', { consumerId: c.id }).catch(() => undefined);
    }
    for (const p of [...this.peers.values()]) for (const prod of [...p.producers]) await this.#consumeRetrying({ peerId: p.peerId, ...prod });
    await this.#acquireDevices('all');
  }

  /** WebRTC stats of what this participant sends of a source (diagnostics, tests). */
  async getLocalStats(source: MediaSource): Promise<RTCStatsReport | undefined> {
    return this.#producers.get(source)?.getStats();
  }

  async getRemoteStats(consumerId: string): Promise<RTCStatsReport | undefined> {
    return this.#consumers.get(consumerId)?.getStats();
  }

  /** `detail`: why, when the server ended it (`ended`, `kicked`, `revoked`). */
  close(detail?: string): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#renewTimer);
    clearTimeout(this.#settleTimer);
    navigator.mediaDevices?.removeEventListener?.('devicechange', this.#retryDevices);
    globalThis.removeEventListener?.('pagehide', this.#leavePage);
    for (const t of this.localStream.getTracks()) t.stop();
    this.#send?.close();
    this.#recv?.close();
    this.signalling.close();
    this.#setState('closed', detail);
  }

  // ---- internals ------------------------------------------------------------------------------

  #join(): Promise<void> {
    this.#joining ??= this.#doJoin().finally(() => (this.#joining = undefined));
    return this.#joining;
  }

  /** Joins through the connected node; a node that does not host the room names the one that does. */
  async #joinHere(): Promise<void> {
    for (let hop = 0; ; hop++) {
      try {
        await this.#join();
        return;
      } catch (err) {
        const url = err instanceof SignallingError && err.code === 'conflict' ? (err.body.details as { url?: string } | undefined)?.url : undefined;
        if (!url || hop >= 2) throw err;
        this.#adopt(this.#connect(url));
        await this.signalling.connected();
      }
    }
  }

  #adopt(next: SignallingClient): void {
    const old = this.signalling;
    this.signalling = next;
    old.close();
  }

  /**
   * A connected signalling channel: the current node's, or — when it does not answer within
   * REACH_MS — the first of the entry URL and the cluster's other nodes that does. That node
   * hosts the room, or takes it over from the dead one on `join`.
   */
  async #reach(): Promise<void> {
    try {
      await this.signalling.connected(REACH_MS);
      return;
    } catch (err) {
      if (isFinal(err)) throw err;
    }
    for (const url of this.#alternatives()) {
      const other = this.#connect(url);
      try {
        await other.connected(REACH_MS);
      } catch (err) {
        other.close();
        if (isFinal(err)) throw err;
        continue;
      }
      this.#adopt(other);
      return;
    }
    throw new SignallingError({ code: 'unavailable', message: 'no node answers' });
  }

  /** The entry URL and the known nodes, without the current one. */
  #alternatives(): string[] {
    const origin = (u: string) => new URL(u, location.href).origin;
    const current = origin(this.signalling.url);
    const seen = new Set([current]);
    const out: string[] = [];
    for (const u of [this.o.url ?? '/', ...this.#nodes]) {
      const o = origin(u);
      if (seen.has(o)) continue;
      seen.add(o);
      out.push(u);
    }
    return out;
  }

  async #doJoin(): Promise<void> {
    const { roomId } = this.o;
    // A rejoin keeps saying "reconnecting" until the call is back.
    if (this.state !== 'reconnecting') this.#setState('connecting');
    this.#earlyPushes = [];
    let joined;
    try {
      joined = await this.signalling.request('join', { roomId, ...(this.o.note ? { note: this.o.note } : {}) });
    } catch (err) {
      this.#earlyPushes = undefined;
      throw err;
    }
    performance.mark('call:join');
    this.peerId = joined.peerId;
    this.#permission = joined.permission;
    this.#iceServers = joined.iceServers;
    this.#scheduleRenewal(joined.exp, joined.role);
    this.#setRecording(joined.recording);
    // An empty list (the registry unreadable just now) keeps what was known.
    if (joined.nodes.length > 0) this.#nodes = joined.nodes;
    this.peers.clear();
    for (const p of joined.peers) this.#setPeer(p);
    const early = this.#earlyPushes;
    this.#earlyPushes = undefined;
    for (const apply of early) apply();

    // The router's capabilities come with the join reply. A rejoin keeps the Device it loaded:
    // every node's routers have the same codecs (sfu/media-codecs.ts).
    this.#device ??= new Device();
    if (!this.#device.loaded) {
      await this.#device.load({ routerRtpCapabilities: joined.rtpCapabilities as types.RtpCapabilities });
      performance.mark('call:device');
    }
    // The join's own recv transport: its first consumes tell the server what the device can receive.
    this.#recv = joined.recv ? this.#transport('recv', joined.recv) : await this.#createTransport('recv');
    this.#recvCapsPending = !!joined.recv;
    performance.mark('call:recv');
    // What the participant came for first: remote media is consumed while their own camera and
    // microphone are still being set up. this.peers, not joined.peers: producers announced since
    // the reply came as newProducer pushes before #recv existed and are only recorded there.
    const receiving = Promise.all([...this.peers.values()].flatMap((p) => p.producers.map((prod) => this.#consumeRetrying({ peerId: p.peerId, ...prod }))));
    if (this.#wanted().length > 0) {
      try {
        this.#send = await this.#createTransport('send');
      } catch (err) {
        // A viewer-only grant must not stop the call from being watched.
        if (!(err instanceof SignallingError && err.code === 'forbidden')) this.#emit('error', err as Error);
      }
    }
    await this.#acquireDevices('all');
    this.#setState('joined');
    await receiving;
  }

  async #createTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const opts = await this.signalling.request(
      'createWebRtcTransport',
      direction === 'recv' ? { direction, rtpCapabilities: this.#device!.recvRtpCapabilities as never } : { direction },
    );
    return this.#transport(direction, opts);
  }

  /** The client side of a transport the server opened. */
  #transport(direction: 'send' | 'recv', opts: TransportOptions): types.Transport {
    const params = {
      id: opts.transportId,
      iceParameters: opts.iceParameters as types.IceParameters,
      iceCandidates: opts.iceCandidates as types.IceCandidate[],
      dtlsParameters: opts.dtlsParameters as types.DtlsParameters,
      iceServers: this.#iceServers,
      ...(this.o.iceTransportPolicy ? { iceTransportPolicy: this.o.iceTransportPolicy } : {}),
    };
    const transport = direction === 'send' ? this.#device!.createSendTransport(params) : this.#device!.createRecvTransport(params);
    transport.on('connect', ({ dtlsParameters }, ok, fail) => {
      this.signalling
        .request('connectWebRtcTransport', { transportId: transport.id, dtlsParameters: dtlsParameters as never })
        .then(() => ok(), fail);
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, ok, fail) => {
        this.signalling
          .request('produce', {
            transportId: transport.id,
            kind,
            rtpParameters: rtpParameters as never,
            source: (appData as { source: MediaSource }).source,
          })
          .then(({ producerId }) => ok({ id: producerId }), fail);
      });
    }
    this.#transportStates[direction] = transport.connectionState;
    transport.on('connectionstatechange', (state) => {
      // A transport closed by a rejoin no longer speaks for the call.
      if (transport === (direction === 'send' ? this.#send : this.#recv)) this.#transportStates[direction] = state;
      this.#updateStatus();
      this.#emit('connection', direction, state);
      // ICE can fail on a network change; a restart keeps the call without a full rejoin.
      if (state === 'failed' || state === 'disconnected') void this.#restartIce(transport);
    });
    return transport;
  }

  async #restartIce(transport: types.Transport): Promise<void> {
    if (transport.closed || this.state !== 'joined' || !this.signalling.socket.connected) return;
    try {
      const { iceParameters } = await this.signalling.request('restartIce', { transportId: transport.id });
      await transport.restartIce({ iceParameters: iceParameters as types.IceParameters });
    } catch (err) {
      this.#emit('error', err as Error);
    }
  }

  /**
   * Consumes a producer, retrying a failure that is not final (a request timed out on a loaded
   * node, a transport hiccup) with backoff while the producer is still offered and the recv
   * transport current: one lost answer must not leave a track missing for the rest of the call.
   */
  async #consumeRetrying(p: { peerId: string } & ProducerInfo): Promise<void> {
    const recv = this.#recv;
    // A rejoin replaces the transports: what fails on the old ones (by the dozen) no longer
    // speaks for the call.
    const current = () => !this.#closed && this.state !== 'failed' && this.#recv === recv;
    const offered = () => current() && !!this.peers.get(p.peerId)?.producers.some((x) => x.producerId === p.producerId);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#consume(p);
      } catch (err) {
        if (!current()) return void console.warn('call | consume on a replaced transport failed', err);
        if (isFinal(err) || attempt >= CONSUME_ATTEMPTS || !offered()) return this.#fail(err);
        console.warn(`call | consume ${p.kind} of ${p.peerId} failed (attempt ${attempt}); retrying`, err);
        await new Promise((r) => setTimeout(r, Math.min(4000, 500 * 2 ** attempt)));
        if (!offered()) return;
      }
    }
  }

  async #consume(p: { peerId: string } & ProducerInfo): Promise<void> {
    if (!this.#recv || (this.#audioOnly && p.kind === 'video') || this.#consuming.has(p.producerId)) return;
    for (const c of this.#consumers.values()) if (c.producerId === p.producerId) return;
    this.#consuming.add(p.producerId);
    let consumer: types.Consumer;
    let opts;
    try {
      const caps = this.#recvCapsPending ? { rtpCapabilities: this.#device!.recvRtpCapabilities as never } : {};
      opts = await this.signalling.request('consume', { transportId: this.#recv.id, producerId: p.producerId, ...caps });
      this.#recvCapsPending = false;
      consumer = await this.#recv.consume({
        id: opts.consumerId,
        producerId: opts.producerId,
        kind: opts.kind,
        rtpParameters: opts.rtpParameters as types.RtpParameters,
      });
    } finally {
      this.#consuming.delete(p.producerId);
    }
    this.#consumers.set(consumer.id, consumer);
    const remote: RemoteTrack = { peerId: opts.peerId, consumerId: consumer.id, source: opts.source, track: consumer.track, paused: p.paused };
    this.remote.set(consumer.id, remote);
    this.#emit('trackadded', remote);
    await this.signalling.request('resumeConsumer', { consumerId: consumer.id });
  }

  #dropConsumer(consumerId: string): void {
    const consumer = this.#consumers.get(consumerId);
    consumer?.close();
    this.#consumers.delete(consumerId);
    if (this.#linkScores.delete(`c:${consumerId}`)) this.#updateStatus();
    const remote = this.remote.get(consumerId);
    this.remote.delete(consumerId);
    if (remote) this.#emit('trackremoved', remote);
  }

  #markPaused(producerId: string, paused: boolean): void {
    for (const r of this.remote.values()) {
      if (this.#consumers.get(r.consumerId)?.producerId === producerId) {
        r.paused = paused;
        this.#emit('trackpaused', r);
      }
    }
  }

  /** Full rejoin: the server lost our room (worker died, node stopping or gone, our socket dropped). One at a time. */
  #rejoin(reason: RejoinReason | 'connection-lost'): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#rejoining ??= this.#doRejoin(reason).finally(() => (this.#rejoining = undefined));
    return this.#rejoining;
  }

  async #doRejoin(reason: RejoinReason | 'connection-lost'): Promise<void> {
    this.#setState('reconnecting', reason);
    for (const id of [...this.#consumers.keys()]) this.#dropConsumer(id);
    for (const p of this.#producers.values()) p.close();
    this.#producers.clear();
    this.#devices.camera = this.#devices.microphone = 'unwanted';
    for (const t of this.localStream.getTracks()) t.stop();
    this.localStream = new MediaStream();
    this.#send?.close();
    this.#recv?.close();
    this.#send = this.#recv = undefined;
    for (const d of ['send', 'recv'] as const) delete this.#transportStates[d];
    for (let attempt = 0; !this.#closed; attempt++) {
      try {
        await this.#reach();
        await this.#joinHere();
        return;
      } catch (err) {
        if (isFinal(err)) {
          this.#fail(err);
          return;
        }
        // Not shown: the page says "reconnecting" until the call is back.
        console.warn('call | rejoin attempt failed', err);
        await new Promise((r) => setTimeout(r, Math.min(2000, 250 * 2 ** attempt)));
      }
    }
  }

  /**
   * Swaps in a fresh token a while before this one expires (an expired token opens no transport
   * or consumer, so a participant joining late would stay unseen). Refused renewals are not
   * retried: the server closes a participant who may no longer be here.
   */
  #scheduleRenewal(exp: number, role: string): void {
    clearTimeout(this.#renewTimer);
    const renew = this.o.renewToken ?? defaultRenewal(this.o.roomId, role, () => this.#token);
    if (!renew || this.#closed) return;
    const left = exp * 1000 - Date.now();
    // Ahead by a fifth of what is left (at most 5 min), not sooner than in 5 s — unless the token
    // has less than 10 s left (a short TOKEN_TTL_SECONDS, a slow page load): then halfway to its end.
    const wait = Math.min(2 ** 31 - 1, Math.max(Math.min(5_000, left / 2), left - Math.min(300_000, left / 5)));
    this.#renewTimer = setTimeout(() => {
      renew()
        .then(async (token) => {
          if (this.#closed) return;
          const { exp: next, iceServers } = await this.signalling.request('refreshToken', { token });
          this.#token = token;
          // The TURN credentials expire with the old token; allocations refresh with the new ones.
          this.#iceServers = iceServers;
          for (const t of [this.#send, this.#recv]) if (t && !t.closed) await t.updateIceServers({ iceServers }).catch(() => undefined);
          // A reconnect of this socket presents the new token too.
          this.signalling.socket.auth = { token };
          this.#scheduleRenewal(next, role);
        })
        .catch((err: unknown) => {
          // A network failure or a busy server is worth another try while the token still holds.
          const code = (err as { code?: string }).code;
          const transient = code === undefined || code === 'unavailable' || code === 'rate_limited' || code === 'internal';
          if (transient && exp * 1000 - Date.now() > 10_000) this.#scheduleRenewal(exp, role);
          else this.#emit('error', err instanceof Error ? err : new Error(String(err)));
        });
    }, wait);
  }

  /** The server withdrew sources (privacy mode, audio-only): stop sending them here too. */
  async #applyPermissions(p: PermissionInfo): Promise<void> {
    this.#permission = p;
    for (const source of [...this.#producers.keys()]) {
      if (!p.canPublish || !p.sources.includes(source)) await this.stopSource(source);
    }
    this.#emit('permissions', p);
  }

  async #captureTrack(source: MediaSource): Promise<MediaStreamTrack> {
    if (source === 'screen') {
      const s = await navigator.mediaDevices.getDisplayMedia({ video: true });
      return s.getVideoTracks()[0]!;
    }
    const s = await navigator.mediaDevices.getUserMedia(
      source === 'camera'
        ? { video: this.o.videoConstraints ?? CAMERA_CONSTRAINTS }
        : { audio: MICROPHONE_CONSTRAINTS },
    );
    return (source === 'camera' ? s.getVideoTracks() : s.getAudioTracks())[0]!;
  }

  #setRecording(active: boolean): void {
    if (active === this.recording) return;
    this.recording = active;
    this.#emit('recording', active);
  }

  #roomPush(apply: () => void): void {
    if (this.#earlyPushes) this.#earlyPushes.push(apply);
    else apply();
  }

  #setPeer(p: PeerInfo): void {
    this.peers.set(p.peerId, p);
    if (!this.#peerSeen.has(p.peerId)) this.#peerSeen.set(p.peerId, Date.now());
    this.#emit('peers', this.peers);
    this.#updateStatus();
  }

  #setState(s: CallState, detail?: string): void {
    this.state = s;
    this.#detail = detail;
    this.#emit('state', s, detail);
    this.#updateStatus();
  }

  // ---- local devices and the call-state model -------------------------------------------------

  /** The devices this participant is to send now: asked for, allowed, not switched to audio-only. */
  #wanted(): DeviceSource[] {
    const asked = (this.o.publish ?? ['camera', 'microphone']).filter((s): s is DeviceSource => s !== 'screen');
    const p = this.#permission;
    // The microphone first: a participant the others can hear matters most.
    return (['microphone', 'camera'] as const).filter(
      (s) => asked.includes(s) && !(this.#audioOnly && s === 'camera') && (!p || (p.canPublish && p.sources.includes(s))),
    );
  }

  /**
   * Acquires each wanted device on its own (a missing camera must not take the microphone with
   * it); run at join for all, and for the unavailable ones when devices or permissions change
   * (not for one the page turned off on purpose).
   */
  async #acquireDevices(which: 'all' | 'unavailable'): Promise<void> {
    if (this.#closed || !this.#send) return;
    for (const source of this.#wanted()) {
      const status = this.#devices[source];
      if (this.#producers.has(source) || status === 'live' || status === 'pending' || (which === 'unavailable' && status === 'unwanted')) continue;
      // A failure is recorded as the device's status, which the page shows; nothing to rethrow.
      await this.startSource(source).catch(() => undefined);
    }
    for (const source of ['microphone', 'camera'] as const) {
      if (!this.#wanted().includes(source) && !this.#producers.has(source)) this.#setDevice(source, 'unwanted');
    }
  }

  #setDevice(source: DeviceSource, status: DeviceStatus): void {
    if (this.#devices[source] === status) return;
    this.#devices[source] = status;
    this.#updateStatus();
  }

  /** Remote participants expected to send camera and microphone: everyone in a call but a watching coordinator. */
  #publishers(): RemotePublisher[] {
    if (parseRoomId(this.o.roomId).kind === 'household-look-in') return [];
    const now = Date.now();
    const out: RemotePublisher[] = [];
    let nextSettle = Infinity;
    for (const p of this.peers.values()) {
      if (p.role === 'coordinator') continue;
      const seen = this.#peerSeen.get(p.peerId) ?? now;
      const settled = now - seen >= SETTLE_MS;
      if (!settled) nextSettle = Math.min(nextSettle, seen + SETTLE_MS - now);
      out.push({ peerId: p.peerId, name: p.name, audio: p.producers.some((x) => x.kind === 'audio'), video: p.producers.some((x) => x.kind === 'video'), settled });
    }
    clearTimeout(this.#settleTimer);
    if (nextSettle < Infinity && !this.#closed) this.#settleTimer = setTimeout(() => this.#updateStatus(), nextSettle + 10);
    return out;
  }

  #setLinkScore(key: string, score: number): void {
    this.#linkScores.set(key, score);
    this.#updateStatus();
  }

  #updateStatus(): void {
    // Scores of producers closed since (camera stopped, rejoin) no longer speak for the link.
    const live = new Set([...this.#producers.values()].map((p) => `p:${p.id}`));
    for (const key of this.#linkScores.keys()) if (key.startsWith('p:') && !live.has(key)) this.#linkScores.delete(key);
    const scores = [...this.#linkScores.values()];
    this.#poorNetwork = poorNetwork(this.#poorNetwork, scores.length > 0 ? Math.min(...scores) : undefined);
    const next = callStatus({
      session: this.state,
      detail: this.#detail,
      transports: this.#transportStates,
      devices: this.#devices,
      publishers: this.#closed ? [] : this.#publishers(),
      poorNetwork: this.#poorNetwork,
      audioOnly: this.#audioOnly,
    });
    if (sameStatus(next, this.status)) return;
    this.status = next;
    this.#emit('status', next);
  }

  #fail(err: unknown): void {
    if (isFinal(err)) {
      this.#emit('error', err as Error);
      this.#setState('failed', (err as Error).message);
      return;
    }
    this.#emit('error', err instanceof Error ? err : new Error(String(err)));
  }

  #emit<E extends keyof CallSessionEvents>(event: E, ...args: Parameters<CallSessionEvents[E]>): void {
    for (const fn of this.#listeners.get(event) ?? []) {
      try {
        (fn as unknown as (...a: Parameters<CallSessionEvents[E]>) => void)(...args);
      } catch (err) {
        console.error(`listener for ${event} threw`, err);
      }
    }
  }
}

function isFinal(err: unknown): err is SignallingError {
  return err instanceof SignallingError && FINAL_REFUSALS.includes(err.code);
}

/**
 * Where a fresh room token comes from when the page did not say: the endpoint that issued it.
 * The HTTP client is loaded when the first renewal is due, not with the call page.
 */
function defaultRenewal(roomId: string, role: string, held: () => string): (() => Promise<string>) | undefined {
  const room = parseRoomId(roomId);
  const api = async () => new (await import('./api.ts')).Api(held());
  if (room.kind === 'petition') {
    return async () => (await (await api()).call('petition.roomToken', { params: { caseId: room.caseId } })).token;
  }
  if (room.kind === 'household-call' && role === 'family') {
    return async () => (await (await api()).call('household.joinCall', { params: { callId: room.callId } })).token;
  }
  return undefined;
}
