// Generated identifiers: UUIDv7 (RFC 9562 §5.7) — 48 bits of Unix milliseconds, then 74 random
// bits. Unique across nodes without coordination, and time-ordered, so index inserts stay local.
// Hand-written because Node 20's crypto has only v4 and the installed `uuid` (9.x) predates v7;
// it is these few lines. Readable case numbers are not these: see petition/repository.ts.
import { randomFillSync } from 'node:crypto';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function uuidv7(nowMs: number = Date.now()): string {
  const b = randomFillSync(new Uint8Array(16));
  let ms = Math.floor(nowMs);
  for (let i = 5; i >= 0; i--) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b[6] = 0x70 | (b[6]! & 0x0f); // version 7
  b[8] = 0x80 | (b[8]! & 0x3f); // variant 10
  const h = Array.from(b, (x) => HEX[x]!).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A generated id with a readable kind prefix, e.g. `call-0192f7c1-…`. */
export const newId = (prefix: string): string => `${prefix}-${uuidv7()}`;
