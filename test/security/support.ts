// Signalling and /live clients for the trust-boundary tests: a socket.io client per identity that
// connects with a token, joins a room the way the web client does, opens transports, produces
// RTP parameters (no real media: what is checked is who may do what) and records what the
// server pushed to it, so a test can wait for a notification with a deadline.
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll } from 'vitest';
import type { Reply } from '../../server/protocol/signalling.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { until } from '../support/evidence.ts';

let ssrc = 10_000_000;

/** VP8 RTP parameters with an SSRC of their own (or the one given, to make a clash on purpose). */
export function vp8(withSsrc = ssrc++): Record<string, unknown> {
  return {
    codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'ccm', parameter: 'fir' }] }],
    encodings: [{ ssrc: withSsrc }],
    headerExtensions: [],
    rtcp: { cname: `c${withSsrc}` },
  };
}
export function opus(withSsrc = ssrc++): Record<string, unknown> {
  return { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: withSsrc }], headerExtensions: [], rtcp: { cname: `c${withSsrc}` } };
}

export interface Pushed {
  event: string;
  payload: unknown;
}

export class Client {
  readonly socket: Socket;
  /** Every server push, in order. */
  readonly pushed: Pushed[] = [];
  /** The router capabilities of the last join reply: what this client's recv transports say it receives. */
  rtpCapabilities: unknown;
  #disconnected = false;

  constructor(url: string, token: unknown, namespace = '') {
    this.socket = io(url + namespace, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    this.socket.onAny((event: string, payload: unknown) => this.pushed.push({ event, payload }));
    this.socket.on('disconnect', () => (this.#disconnected = true));
  }

  /** Resolves on connect; rejects with the server's typed refusal (`err.data`). */
  connected(): Promise<this> {
    return new Promise((resolve, reject) => {
      if (this.socket.connected) return resolve(this);
      this.socket.once('connect', () => resolve(this));
      this.socket.once('connect_error', (e: Error & { data?: unknown }) => reject(Object.assign(new Error(e.message), { data: e.data })));
    });
  }

  get disconnected(): boolean {
    return this.#disconnected;
  }

  async call<T = unknown>(event: string, payload: unknown): Promise<Reply<T>> {
    return (await this.socket.timeout(10_000).emitWithAck(event, payload)) as Reply<T>;
  }

  async ok<T = Record<string, unknown>>(event: string, payload: unknown): Promise<T> {
    const r = await this.call<T>(event, payload);
    if (!r.ok) throw new Error(`${event} refused: ${r.error.code} ${r.error.message}`);
    return r.data;
  }

  /** join, as the web client does; the raw join reply. */
  async join(roomId: string, extra: Record<string, unknown> = {}): Promise<Reply<{ rtpCapabilities: unknown; peerId: string; peers: { peerId: string; name: string; note?: string }[]; permission: { sources: string[]; roomAdmin: boolean } }>> {
    const reply = await this.call<{ rtpCapabilities: unknown; peerId: string; peers: { peerId: string; name: string; note?: string }[]; permission: { sources: string[]; roomAdmin: boolean } }>('join', { roomId, ...extra });
    if (reply.ok) this.rtpCapabilities = reply.data.rtpCapabilities;
    return reply;
  }

  async sendTransport(): Promise<string> {
    return (await this.ok<{ transportId: string }>('createWebRtcTransport', { direction: 'send' })).transportId;
  }
  async recvTransport(): Promise<string> {
    return (await this.ok<{ transportId: string }>('createWebRtcTransport', { direction: 'recv', rtpCapabilities: this.rtpCapabilities })).transportId;
  }

  produce(transportId: string, source: 'camera' | 'microphone' | 'screen', rtpParameters = source === 'microphone' ? opus() : vp8()) {
    return this.call<{ producerId: string }>('produce', { transportId, kind: source === 'microphone' ? 'audio' : 'video', rtpParameters, source });
  }

  /** The first push of `event` (matching `where`) at or after index `from`, waited for. */
  async told<T = unknown>(event: string, where: (p: T) => boolean = () => true, from = 0): Promise<T> {
    const hit = await until(`${event} pushed`, () => this.pushed.slice(from).find((p) => p.event === event && where(p.payload as T)), 15_000);
    return hit.payload as T;
  }

  async gone(): Promise<void> {
    await until('the server closed the connection', () => this.#disconnected, 15_000);
  }

  close(): void {
    this.socket.disconnect();
  }
}

/** Connects and fails the test when refused. */
export async function connectAs(platform: Pick<TestPlatform, 'url'>, token: string, namespace = ''): Promise<Client> {
  return new Client(platform.url, token, namespace).connected();
}

/**
 * A node for the enclosing block's tests and the clients they open through it, all closed after
 * them. `node.platform` is set once the block's tests start.
 */
export function testNode() {
  const node = {
    platform: undefined as unknown as TestPlatform,
    clients: [] as Client[],
    async connect(token: string, namespace = ''): Promise<Client> {
      const c = await connectAs(node.platform, token, namespace);
      node.clients.push(c);
      return c;
    },
  };
  beforeAll(async () => {
    node.platform = await startTestPlatform();
  });
  afterAll(async () => {
    for (const c of node.clients.splice(0)) c.close();
    await node.platform?.close();
  });
  return node;
}

/** The typed refusal of a connect. */
export async function refusedConnect(platform: Pick<TestPlatform, 'url'>, token: unknown, namespace = ''): Promise<{ code: string; message: string; details?: unknown }> {
  const c = new Client(platform.url, token, namespace);
  try {
    await c.connected();
  } catch (e) {
    return (e as { data: { code: string; message: string } }).data;
  } finally {
    c.close();
  }
  throw new Error('the connection was accepted');
}

/** A REST call with a bearer token: status and body. */
export async function rest(platform: Pick<TestPlatform, 'url'>, method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(platform.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as { ok: boolean; data?: unknown; error?: { code: string; message: string; details?: unknown } } };
}
