// How a recording ffmpeg gets its RTP: it is an RTSP client (`-rtsp_transport tcp`) of this
// minimal one-client RTSP server, which answers OPTIONS/DESCRIBE/SETUP/PLAY and then writes RTP
// packets interleaved on the TCP connection (RFC 2326 §10.12: `$`, channel, 16-bit length).
//
// Why TCP from our own process rather than ffmpeg reading the consumer's UDP itself:
//  - the RTP is received by a socket we bound before the consumer existed (rtp-intake.ts), so
//    nothing sent before ffmpeg is up is lost: we hold it and hand it over in order;
//  - the port is the listener's, chosen by the kernel, so ffmpeg binds nothing and nothing can
//    collide;
//  - TCP pushes back when ffmpeg is slow (a CPU-starved ffmpeg's UDP socket drops instead);
//  - packets go in batches, so ffmpeg wakes a few times a second instead of once per packet;
//  - ending is closing the connection: ffmpeg reads EOF, writes the open segment's trailer and
//    its last segment-list line, and exits 0, even when no media flows.
// Hand-written because it is ~100 lines serving one known client; an RTSP server library would
// bring sessions, auth and transports this never uses.
import net from 'node:net';
import { SafeEmitter } from '../server/core/safe-emitter.ts';

export interface RtspFeedEvents {
  /** ffmpeg sent PLAY: from now on written packets reach it. */
  playing: [];
  /** The connection is gone (ended by us, TEARDOWN, or ffmpeg died). */
  closed: [];
}

/** ffmpeg's keep-alive (GET_PARAMETER) comes every timeout/2. */
const SESSION = '1;timeout=60';

export class RtspFeed extends SafeEmitter<RtspFeedEvents> {
  readonly #server: net.Server;
  readonly #sdp: string;
  readonly url: string;
  #socket: net.Socket | undefined;
  #playing = false;
  #closed = false;
  #inbound: Buffer = Buffer.alloc(0);

  static async listen(sdp: string): Promise<RtspFeed> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new RtspFeed(server, sdp);
  }

  private constructor(server: net.Server, sdp: string) {
    super();
    this.#server = server;
    this.#sdp = sdp;
    this.url = `rtsp://127.0.0.1:${(server.address() as net.AddressInfo).port}/recording`;
    server.on('error', () => this.close());
    server.on('connection', (socket) => {
      if (this.#socket || this.#closed) {
        socket.destroy(); // one client: the ffmpeg started for this feed
        return;
      }
      this.#socket = socket;
      server.close(); // accept nobody else
      socket.setNoDelay(true);
      socket.on('data', (d) => this.#onData(d));
      socket.on('error', () => socket.destroy());
      socket.on('close', () => this.close());
    });
  }

  get playing(): boolean {
    return this.#playing && !this.#closed;
  }

  /** Bytes written but not yet taken by ffmpeg (TCP back-pressure). */
  get backlogBytes(): number {
    return this.#socket?.writableLength ?? 0;
  }

  /** Sends RTP packets on interleaved channel 0, as one write. False once the feed is closed. */
  write(packets: readonly Buffer[]): boolean {
    const socket = this.#socket;
    if (!this.playing || !socket || socket.destroyed) return false;
    if (packets.length === 0) return true;
    let total = 0;
    for (const p of packets) total += 4 + p.length;
    const out = Buffer.allocUnsafe(total);
    let at = 0;
    for (const p of packets) {
      out[at] = 0x24;
      out[at + 1] = 0;
      out.writeUInt16BE(p.length, at + 2);
      p.copy(out, at + 4);
      at += 4 + p.length;
    }
    socket.write(out);
    return true;
  }

  /** Ends the stream after what was written: ffmpeg finishes its segment and exits. */
  end(): void {
    if (this.#socket && !this.#socket.destroyed) this.#socket.end();
    else this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket?.destroy();
    this.#server.close();
    this.emit('closed');
  }

  #onData(d: Buffer): void {
    this.#inbound = this.#inbound.length ? Buffer.concat([this.#inbound, d]) : d;
    for (;;) {
      const b = this.#inbound;
      if (b.length === 0) return;
      if (b[0] === 0x24) {
        // ffmpeg's RTCP receiver reports on channel 1: read and dropped.
        if (b.length < 4 || b.length < 4 + b.readUInt16BE(2)) return;
        this.#inbound = b.subarray(4 + b.readUInt16BE(2));
        continue;
      }
      const end = b.indexOf('\r\n\r\n');
      if (end < 0) {
        if (b.length > 16_384) this.close(); // not an RTSP client
        return;
      }
      const head = b.subarray(0, end).toString('latin1');
      const length = Number(/^content-length:\s*(\d+)/im.exec(head)?.[1] ?? 0);
      if (b.length < end + 4 + length) return;
      this.#inbound = b.subarray(end + 4 + length);
      this.#answer(head);
    }
  }

  #answer(head: string): void {
    const [method = '', url = ''] = head.split('\r\n', 1)[0]!.split(' ');
    const cseq = /^cseq:\s*(\S+)/im.exec(head)?.[1] ?? '0';
    let headers = '';
    let body = '';
    switch (method) {
      case 'OPTIONS':
        headers = 'Public: OPTIONS, DESCRIBE, SETUP, PLAY, GET_PARAMETER, TEARDOWN\r\n';
        break;
      case 'DESCRIBE':
        body = this.#sdp;
        headers = `Content-Base: ${url.replace(/\/?$/, '/')}\r\nContent-Type: application/sdp\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
        break;
      case 'SETUP':
        headers = `Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\nSession: ${SESSION}\r\n`;
        break;
      case 'PLAY':
      case 'GET_PARAMETER':
      case 'SET_PARAMETER':
        headers = `Session: ${SESSION}\r\n`;
        break;
      case 'TEARDOWN':
        this.#socket?.end(`RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\n\r\n`);
        return;
      default:
        this.#socket?.write(`RTSP/1.0 405 Method Not Allowed\r\nCSeq: ${cseq}\r\n\r\n`);
        return;
    }
    this.#socket?.write(`RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\n${headers}\r\n${body}`);
    if (method === 'PLAY' && !this.#playing) {
      this.#playing = true;
      this.emit('playing');
    }
  }
}
