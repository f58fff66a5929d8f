import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { startLossyRelay, type LossyRelay } from '../../scripts/harness/lossy-relay.ts';
import { freePort } from '../../scripts/harness/product-node.ts';

async function echoServer(): Promise<{ port: number; received: () => number; close(): void }> {
  // Large buffers, as the relay's own: the relay, not a socket between it and the test, drops.
  const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  let received = 0;
  sock.on('message', (m, from) => {
    received++;
    sock.send(m, from.port, from.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  return { port: (sock.address() as { port: number }).port, received: () => received, close: () => sock.close() };
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setImmediate(r));
  }
}

describe('the lossy UDP relay (weak-network harness)', () => {
  let relay: LossyRelay | undefined;
  const closers: (() => void)[] = [];
  afterEach(() => {
    relay?.close();
    for (const c of closers.splice(0)) c();
  });

  it('drops about the configured share of packets each way, and echoes come back through it', async () => {
    const echo = await echoServer();
    closers.push(echo.close);
    const port = await freePort('127.0.0.2');
    relay = await startLossyRelay({ listen: { address: '127.0.0.2', port }, target: { address: '127.0.0.1', port: echo.port }, up: { loss: 0.1, delayMs: 5, rateBps: 0 }, seed: 7 });
    const client = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
    closers.push(() => client.close());
    let back = 0;
    client.on('message', () => back++);
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
    // In bursts the relay has taken before the next: a loopback socket buffer overflows otherwise.
    for (let sent = 0; sent < 2000; ) {
      for (let i = 0; i < 20; i++, sent++) client.send(Buffer.alloc(100, sent % 256), port, '127.0.0.2');
      await until(() => relay!.stats().up.forwarded + relay!.stats().up.dropped === sent);
    }
    const up = relay.stats().up;
    expect(up.dropped / 2000).toBeGreaterThan(0.07);
    expect(up.dropped / 2000).toBeLessThan(0.13);
    // Every packet through (none still waiting out its delay either way), every echo back.
    await until(() => {
      const s = relay!.stats();
      return s.up.delayed === 0 && s.down.delayed === 0 && s.down.forwarded + s.down.dropped === echo.received() && back === s.down.forwarded;
    });
    expect(echo.received()).toBeGreaterThan(0.95 * up.forwarded);
    expect(back / echo.received()).toBeGreaterThan(0.87);
  });

  it('never passes more than the rate limit allows', async () => {
    const echo = await echoServer();
    closers.push(echo.close);
    const port = await freePort('127.0.0.2');
    const rateBps = 300_000;
    relay = await startLossyRelay({ listen: { address: '127.0.0.2', port }, target: { address: '127.0.0.1', port: echo.port }, up: { loss: 0, delayMs: 0, rateBps, queueMs: 100 } });
    const client = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
    closers.push(() => client.close());
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
    const started = performance.now();
    // 1 Mbit offered in 1000-byte packets as fast as the socket takes them.
    for (let sent = 0; sent < 125; ) {
      for (let i = 0; i < 25; i++, sent++) client.send(Buffer.alloc(1000), port, '127.0.0.2');
      await until(() => relay!.stats().up.forwarded + relay!.stats().up.dropped + relay!.stats().up.queued === sent);
    }
    await until(() => relay!.stats().up.forwarded + relay!.stats().up.dropped === 125);
    const elapsed = (performance.now() - started) / 1000;
    const passedBits = relay.stats().up.forwarded * 8000;
    // Budget: the rate over the elapsed time plus the 50 ms burst.
    expect(passedBits).toBeLessThanOrEqual(rateBps * elapsed + rateBps * 0.05 + 8000);
    expect(relay.stats().up.dropped).toBeGreaterThan(0);
  });
});
