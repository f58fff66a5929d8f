// A participant of one room: its transports, producers and consumers, and the grant it joined
// with. The signalling layer gives it a `notify` sink; the SFU never touches sockets.
import type { types } from 'mediasoup';
import type { Claims } from '../server/auth/grants.ts';
import { AppError, forbidden, notFound } from '../server/core/errors.ts';
import type { MediaSource, PeerInfo, ServerToClientEvents } from '../server/protocol/signalling.ts';

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

export class Peer {
  readonly transports = new Map<string, PeerTransport>();
  readonly producers = new Map<string, types.Producer<ProducerAppData>>();
  readonly consumers = new Map<string, types.Consumer>();
  rtpCapabilities: types.RtpCapabilities | undefined;
  joined = false;
  #closed = false;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly claims: Claims,
    readonly notify: Notify,
  ) {}

  get role(): string {
    return this.claims.role;
  }
  get hidden(): boolean {
    return this.claims.grant.hidden === true;
  }
  get closed(): boolean {
    return this.#closed;
  }

  info(): PeerInfo {
    return {
      peerId: this.id,
      name: this.name,
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
    const g = this.claims.grant;
    if (!g.canPublish || !g.sources.includes(source)) throw forbidden(`not allowed to publish ${source}`);
  }
  assertCanSubscribe(): void {
    if (!this.claims.grant.canSubscribe) throw forbidden('not allowed to subscribe');
  }

  /** Closing transports cascades to their producers and consumers (mediasoup does the rest). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
    this.producers.clear();
    this.consumers.clear();
  }
}
