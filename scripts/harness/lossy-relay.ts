// A userspace "bad network" between browsers and the SFU, for the weak-network bench and tests
// (this kernel has no netem). Listens on `listen` (e.g. 127.0.0.2:<port>, announced to clients as
// the worker's address) and relays each client's UDP flow to `target` (the worker's real
// WebRtcServer port) through a socket of its own, so replies find their way back. Each flow (one
// per WebRTC transport: each participant has its own link) gets, in each direction, random loss,
// a fixed delay and a rate limit (token bucket with a bounded queue, drop-tail), as a village
// uplink would apply them.
import dgram from 'node:dgram';

export interface LinkShape {
  /** Fraction of packets dropped, 0..1. */
  loss: number;
  /** One-way delay in ms. */
  delayMs: number;
  /** Rate limit in bits per second (0: unlimited). */
  rateBps: number;
  /** Longest a packet may wait for the rate limit before it is dropped (ms). */
  queueMs?: number;
}

export interface RelayStats {
  forwarded: number;
  dropped: number;
  queued: number;
  /** Forwarded packets still waiting out their delay (not yet sent on). */
  delayed: number;
}

export interface LossyRelay {
  /** Change the shape of both directions at run time. */
  shape(up: LinkShape, down?: LinkShape): void;
  stats(): { up: RelayStats; down: RelayStats };
  close(): void;
}

/** Mulberry32: a seeded PRNG, so a run's loss pattern can be repeated. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Link {
  readonly stats: RelayStats = { forwarded: 0, dropped: 0, queued: 0, delayed: 0 };
  #budgetBits = 0;
  #at = performance.now();
  #queue: { packet: Buffer; send: () => void; deadline: number }[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** Packets waiting out their delay: dropped when the relay closes (their sockets are gone). */
  readonly #delays = new Set<NodeJS.Timeout>();

  constructor(
    public shape: LinkShape,
    private readonly random: () => number,
  ) {}

  push(packet: Buffer, send: () => void): void {
    if (this.random() < this.shape.loss) {
      this.stats.dropped++;
      return;
    }
    const later = () => {
      if (this.shape.delayMs <= 0) return send();
      this.stats.delayed++;
      const timer = setTimeout(() => {
        this.#delays.delete(timer);
        this.stats.delayed--;
        send();
      }, this.shape.delayMs);
      this.#delays.add(timer);
    };
    if (this.shape.rateBps <= 0) {
      this.stats.forwarded++;
      later();
      return;
    }
    this.#queue.push({ packet, send: later, deadline: performance.now() + (this.shape.queueMs ?? 200) });
    this.stats.queued = this.#queue.length;
    this.#drain();
  }

  #drain(): void {
    const now = performance.now();
    const burst = this.shape.rateBps * 0.05; // 50 ms of credit at most
    this.#budgetBits = Math.min(burst, this.#budgetBits + ((now - this.#at) / 1000) * this.shape.rateBps);
    this.#at = now;
    while (this.#queue.length > 0) {
      const head = this.#queue[0]!;
      if (head.deadline < now) {
        this.#queue.shift();
        this.stats.dropped++;
        continue;
      }
      const bits = head.packet.length * 8;
      if (this.#budgetBits < bits) break;
      this.#budgetBits -= bits;
      this.#queue.shift();
      this.stats.forwarded++;
      head.send();
    }
    this.stats.queued = this.#queue.length;
    if (this.#queue.length > 0 && !this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#drain();
      }, 2);
    }
  }

  close(): void {
    clearTimeout(this.#timer);
    for (const t of this.#delays) clearTimeout(t);
    this.#delays.clear();
    this.stats.delayed = 0;
    this.#queue = [];
  }
}

export async function startLossyRelay(o: {
  listen: { address: string; port: number };
  target: { address: string; port: number };
  up: LinkShape;
  down?: LinkShape;
  seed?: number;
}): Promise<LossyRelay> {
  const random = prng(o.seed ?? 1);
  let upShape = o.up;
  let downShape = o.down ?? o.up;
  const links: { up: Link; down: Link }[] = [];
  // Flows closed since still count in the totals.
  const sum = (pick: (l: { up: Link; down: Link }) => Link): RelayStats =>
    links.reduce(
      (t, l) => {
        const s = pick(l).stats;
        return { forwarded: t.forwarded + s.forwarded, dropped: t.dropped + s.dropped, queued: t.queued + s.queued, delayed: t.delayed + s.delayed };
      },
      { forwarded: 0, dropped: 0, queued: 0, delayed: 0 },
    );
  // Large buffers: the relay, not the kernel, is what decides which packets are lost.
  const front = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  // One socket towards the target per client address, so the worker sees distinct peers.
  const flows = new Map<string, dgram.Socket>();
  const ups = new Map<string, Link>();
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.bind(o.listen.port, o.listen.address, () => resolve());
  });
  front.on('message', (packet, from) => {
    const key = `${from.address}:${from.port}`;
    let back = flows.get(key);
    if (!back) {
      const link = { up: new Link(upShape, random), down: new Link(downShape, random) };
      links.push(link);
      ups.set(key, link.up);
      const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
      sock.on('message', (reply) => link.down.push(reply, () => front.send(reply, from.port, from.address)));
      sock.on('error', () => undefined);
      sock.bind(0, o.target.address);
      flows.set(key, sock);
      back = sock;
    }
    const flow = back;
    ups.get(key)!.push(packet, () => flow.send(packet, o.target.port, o.target.address));
  });
  front.on('error', () => undefined);
  return {
    shape(u, d) {
      upShape = u;
      downShape = d ?? u;
      for (const l of links) {
        l.up.shape = upShape;
        l.down.shape = downShape;
      }
    },
    stats: () => ({ up: sum((l) => l.up), down: sum((l) => l.down) }),
    close() {
      for (const l of links) {
        l.up.close();
        l.down.close();
      }
      front.close();
      for (const s of flows.values()) s.close();
      flows.clear();
    },
  };
}
