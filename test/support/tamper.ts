// Damage on purpose: a copy of an evidence package with one byte of one entry flipped, to show
// that verification names the file.
import fs from 'node:fs';
import { listTar } from '../../recordings/tar.ts';

/** Copies `pkg` to `out` and flips one bit of `entryName`'s byte at `at` (clamped to the entry). */
export function tamper(pkg: string, out: string, entryName: string, at = 0): void {
  fs.copyFileSync(pkg, out);
  const e = listTar(out).find((x) => x.name === entryName);
  if (!e) throw new Error(`no entry ${entryName}`);
  const fd = fs.openSync(out, 'r+');
  const b = Buffer.alloc(1);
  const pos = e.offset + Math.min(at, e.size - 1);
  fs.readSync(fd, b, 0, 1, pos);
  b[0] = b[0]! ^ 0x01;
  fs.writeSync(fd, b, 0, 1, pos);
  fs.closeSync(fd);
}
