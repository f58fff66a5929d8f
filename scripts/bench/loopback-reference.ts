// How fast this machine is at the work the benches are made of — wake-ups and loopback
// syscalls — printed in each bench's header. This shared box's speed at it moves two- to
// threefold between days (docs/bench-sessions.md, 2026-12-07), so absolute figures ("% of a
// core per track", "p99 ms") of runs on different days are compared through it.
import dgram from 'node:dgram';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';

/** UDP round trips per second between two sockets of this process, one in flight; median of `runs` windows of `ms`. */
export async function loopbackRoundTrips(runs = 3, ms = 300): Promise<number> {
  const a = dgram.createSocket('udp4');
  const b = dgram.createSocket('udp4');
  try {
    a.bind(0, '127.0.0.1');
    b.bind(0, '127.0.0.1');
    await Promise.all([once(a, 'listening'), once(b, 'listening')]);
    const payload = Buffer.alloc(1000);
    b.on('message', (m) => b.send(m, a.address().port, '127.0.0.1'));
    const rates: number[] = [];
    for (let r = 0; r < runs; r++) {
      rates.push(
        await new Promise<number>((resolve) => {
          const start = performance.now();
          let trips = 0;
          const end = () => {
            clearTimeout(stalled);
            a.off('message', onReply);
            resolve((trips * 1000) / (performance.now() - start));
          };
          // A datagram lost under load would stop the ping-pong: the window ends anyway.
          const stalled = setTimeout(end, ms * 5);
          const onReply = () => {
            trips++;
            if (performance.now() - start >= ms) end();
            else a.send(payload, b.address().port, '127.0.0.1');
          };
          a.on('message', onReply);
          a.send(payload, b.address().port, '127.0.0.1');
        }),
      );
    }
    return rates.sort((x, y) => x - y)[Math.floor(rates.length / 2)]!;
  } finally {
    a.close();
    b.close();
  }
}

/** The header line's part: "loopback reference 23,400 UDP round trips/s". */
export async function loopbackReference(): Promise<string> {
  return `loopback reference ${Math.round(await loopbackRoundTrips()).toLocaleString('en-US')} UDP round trips/s (one in flight)`;
}
