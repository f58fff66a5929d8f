// CIDR lists ("10.0.0.0/8,fc00::/7") on node's own BlockList, which also matches IPv4-mapped
// IPv6 addresses (::ffff:10.1.2.3) against IPv4 ranges.
import net from 'node:net';

export interface CidrList {
  readonly text: string;
  contains(ip: string): boolean;
}

export function parseCidrList(text: string): CidrList {
  const list = new net.BlockList();
  for (const entry of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [address, bits, ...rest] = entry.split('/');
    const family = net.isIP(address ?? '');
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
    if (!family || rest.length > 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) {
      throw new Error(`${entry} is not a CIDR range`);
    }
    list.addSubnet(address!, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return {
    text,
    contains(ip) {
      const family = net.isIP(ip);
      return family !== 0 && list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
    },
  };
}

const LOOPBACK = parseCidrList('127.0.0.0/8,::1/128,0.0.0.0/8,::/128');
const LINK_LOCAL = parseCidrList('169.254.0.0/16,fe80::/10');

/** Loopback (and the "this host" 0.0.0.0/8 and ::, which connect to it). */
export const isLoopbackAddress = (ip: string): boolean => LOOPBACK.contains(ip);
export const isLinkLocalAddress = (ip: string): boolean => LINK_LOCAL.contains(ip);
