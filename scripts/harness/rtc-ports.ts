// RTC ports for the nodes and worker pools that tests and benches start on this one machine.
// Random, so parallel processes rarely meet; below the kernel's ephemeral range (32768–60999
// here), so a client socket or a port-0 listener (Chromium, an RTSP test camera) never takes the
// WebRtcServer's port from under a node; and that port found free on TCP and UDP when picked.
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';

export interface RtcPorts {
  /** The WebRtcServer's one port (TCP and UDP). */
  base: number;
  /** Per-transport ports (plain transports, pipes): [min, max]. */
  min: number;
  max: number;
}

const LOWEST = 10_000;

function ephemeralStart(): number {
  try {
    const [low] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && low > LOWEST + 2_000) return low;
  } catch {
    // not Linux: the IANA dynamic range
  }
  return 49_152;
}

const tcpFree = (port: number, host: string) =>
  new Promise<boolean>((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });

const udpFree = (port: number, host: string) =>
  new Promise<boolean>((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, host, () => s.close(() => resolve(true)));
  });

/** A range of `span` ports whose base is free now on `host`. */
export async function freeRtcPorts(span = 900, host = '127.0.0.1'): Promise<RtcPorts> {
  const top = ephemeralStart() - span - 1;
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = LOWEST + Math.floor(Math.random() * (top - LOWEST));
    if ((await tcpFree(base, host)) && (await udpFree(base, host))) return { base, min: base + 1, max: base + span };
  }
  throw new Error(`no free RTC port base found below ${top + span + 1}`);
}
