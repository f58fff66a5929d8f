// Where the server may connect to pull a household camera (SSRF guard). A camera URL is
// `rtsp://` or `rtsps://`, on an allowed port, and every address its host resolves to is inside
// the allowed networks (CAMERA_ALLOWED_NETWORKS; by default private ranges, never loopback or
// link-local). Whatever the networks say, the server's own ports on its own addresses are
// refused. The check runs at registration and again before every connection, and the URL handed
// to ffmpeg is pinned to the address just checked, so a DNS answer that changes between the check
// and the connection (rebinding) cannot redirect it.
import dns from 'node:dns/promises';
import net from 'node:net';
import os from 'node:os';
import { AppError } from './errors.ts';
import { isLoopbackAddress, type CidrList } from './cidr.ts';

export interface CameraNetworkRules {
  networks: CidrList;
  ports: readonly number[];
  /** Ports this node listens on (HTTP, internal, RTC, Redis), asked at each check: never a camera on one of its own addresses. */
  ownPorts: () => readonly (number | { min: number; max: number })[];
}

export interface CameraAddressCheck {
  /** The URL to connect to, its host replaced by the vetted address; throws `bad_request` (reason `camera_address`). */
  vet(url: string): Promise<string>;
}

type Lookup = (host: string) => Promise<string[]>;
const systemLookup: Lookup = async (host) => (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);

const DEFAULT_PORT: Record<string, number> = { 'rtsp:': 554, 'rtsps:': 322 };

export function cameraAddressCheck(rules: CameraNetworkRules, lookup: Lookup = systemLookup): CameraAddressCheck {
  const refuse = (why: string): never => {
    throw new AppError('bad_request', `camera url: ${why}`, { reason: 'camera_address' });
  };
  const own = (port: number) => rules.ownPorts().some((p) => (typeof p === 'number' ? p === port : port >= p.min && port <= p.max));
  return {
    async vet(raw) {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        return refuse('not a URL');
      }
      const defaultPort = DEFAULT_PORT[url.protocol];
      if (defaultPort === undefined) return refuse('only rtsp:// and rtsps:// cameras');
      const port = url.port ? Number(url.port) : defaultPort;
      if (!rules.ports.includes(port)) return refuse(`port ${port} is not an allowed camera port`);
      const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
      if (!host) return refuse('no host');
      let addresses: string[];
      try {
        addresses = net.isIP(host) ? [host] : await lookup(host);
      } catch {
        return refuse(`host ${host} does not resolve`);
      }
      if (addresses.length === 0) return refuse(`host ${host} does not resolve`);
      for (const ip of addresses) {
        if (!rules.networks.contains(ip)) return refuse(`${ip} is outside the networks cameras may be in`);
        if (own(port) && isOwnAddress(ip)) return refuse(`port ${port} on ${ip} is this server's own`);
      }
      const pinned = addresses[0]!;
      url.hostname = net.isIPv6(pinned) ? `[${pinned}]` : pinned;
      return url.toString();
    },
  };
}

/** Loopback, "this host", or an address of one of this machine's interfaces. */
function isOwnAddress(ip: string): boolean {
  if (isLoopbackAddress(ip)) return true;
  const bare = ip.replace(/^::ffff:/i, '');
  return Object.values(os.networkInterfaces()).some((list) => list?.some((a) => a.address === bare));
}
