// Drains a UDP socket many datagrams per call (recvmmsg, recordings/native/datagram-reader.c),
// so that a recorder intake costs Node a few calls per round instead of one 'message' event per
// packet. The addon is built by scripts/setup.sh into .cache/native/; without it (no compiler on
// the machine, a build that failed) this is undefined and the intake reads packet by packet.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

interface Addon {
  read(fd: number, lengths: Uint32Array): Buffer | null;
}

const SLOTS = 64;

function load(): Addon | undefined {
  const file = fileURLToPath(new URL('../.cache/native/datagram-reader.node', import.meta.url));
  try {
    const addon = createRequire(import.meta.url)(file) as Partial<Addon>;
    return typeof addon.read === 'function' ? (addon as Addon) : undefined;
  } catch {
    return undefined;
  }
}

const addon = load();
const lengths = new Uint32Array(SLOTS + 1);

export interface DatagramReader {
  /** Reads every datagram queued on `fd` now, oldest first; throws when the socket is gone. */
  drain(fd: number, onDatagram: (datagram: Buffer) => void): number;
}

export const datagramReader: DatagramReader | undefined = addon && {
  drain(fd, onDatagram) {
    let read = 0;
    for (;;) {
      const all = addon.read(fd, lengths);
      if (!all) return read;
      const n = lengths[0]!;
      for (let i = 1, at = 0; i <= n; i++) {
        const size = lengths[i]!;
        onDatagram(all.subarray(at, at + size));
        at += size;
      }
      read += n;
      if (n < SLOTS) return read;
    }
  },
};
