// UDP ports for the ffmpeg side of a recording PlainTransport, and a way to see when ffmpeg has
// bound them (so the consumer is resumed only once nothing sent can be lost).
import dgram from 'node:dgram';
import fs from 'node:fs';

// Handed out but maybe not yet bound by ffmpeg: never give the same pair twice meanwhile.
const reserved = new Map<number, number>();
const RESERVATION_MS = 30_000;

function bindOnce(port: number): Promise<dgram.Socket | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(undefined);
    });
    s.bind(port, '127.0.0.1', () => resolve(s));
  });
}

/** An even RTP port whose odd neighbour (RTCP) is free too, as RTP convention expects. */
export async function allocateRtpPortPair(): Promise<{ rtpPort: number; rtcpPort: number }> {
  const now = Date.now();
  for (const [p, at] of reserved) if (now - at > RESERVATION_MS) reserved.delete(p);
  for (let attempt = 0; attempt < 50; attempt++) {
    const a = await bindOnce(0);
    if (!a) continue;
    const port = a.address().port;
    if (port % 2 !== 0 || port >= 65535 || reserved.has(port)) {
      a.close();
      continue;
    }
    const b = await bindOnce(port + 1);
    a.close();
    if (!b) continue;
    b.close();
    reserved.set(port, now);
    return { rtpPort: port, rtcpPort: port + 1 };
  }
  throw new Error('no free UDP port pair for a recording');
}

export function releasePortPair(rtpPort: number): void {
  reserved.delete(rtpPort);
}

/** True once some socket on this host has bound the UDP port (Linux /proc; false elsewhere). */
export function udpPortBound(port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const f of ['/proc/net/udp', '/proc/net/udp6']) {
    try {
      // Columns: sl, local_address (ADDR:PORT in hex), rem_address, …
      const lines = fs.readFileSync(f, 'utf8').split('\n');
      if (lines.some((l) => l.trim().split(/\s+/)[1]?.endsWith(hex))) return true;
    } catch {
      /* not Linux */
    }
  }
  return false;
}

export async function waitForUdpBind(port: number, timeoutMs: number, isAlive: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && isAlive()) {
    if (udpPortBound(port)) return true;
    await new Promise((r) => setTimeout(r, 15));
  }
  return false;
}
