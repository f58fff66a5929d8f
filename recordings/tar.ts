// Minimal POSIX ustar writer and reader: evidence packages are plain .tar files any archiver
// opens, built without a dependency. Regular files only; names up to 255 bytes (prefix+name).
import fs from 'node:fs';
import { createHash } from 'node:crypto';

const BLOCK = 512;

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function splitName(name: string): { prefix: string; base: string } {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', base: name };
  const cut = name.lastIndexOf('/', 155);
  const prefix = cut > 0 ? name.slice(0, cut) : '';
  const base = cut > 0 ? name.slice(cut + 1) : name;
  if (!prefix || Buffer.byteLength(prefix) > 155 || Buffer.byteLength(base) > 100) throw new Error(`tar: name too long: ${name}`);
  return { prefix, base };
}

export function tarHeader(name: string, size: number, mtime: Date): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  const { prefix, base } = splitName(name);
  h.write(base, 0, 100, 'utf8');
  h.write(octal(0o644, 8), 100, 8, 'ascii');
  h.write(octal(0, 8), 108, 8, 'ascii');
  h.write(octal(0, 8), 116, 8, 'ascii');
  h.write(octal(size, 12), 124, 12, 'ascii');
  h.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 12, 'ascii');
  h.write('        ', 148, 8, 'ascii');
  h.write('0', 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 8, 'ascii');
  return h;
}

/** Writes a tar sequentially to a file, hashing everything written (the package's own hash). */
export class TarWriter {
  readonly #fd: number;
  readonly #hash = createHash('sha256');
  #bytes = 0;

  constructor(readonly file: string) {
    this.#fd = fs.openSync(file, 'w');
  }

  get bytesWritten(): number {
    return this.#bytes;
  }

  #write(buf: Buffer): void {
    fs.writeSync(this.#fd, buf);
    this.#hash.update(buf);
    this.#bytes += buf.length;
  }

  #pad(size: number): void {
    const rest = size % BLOCK;
    if (rest) this.#write(Buffer.alloc(BLOCK - rest, 0));
  }

  addBuffer(name: string, data: Buffer, mtime = new Date()): void {
    this.#write(tarHeader(name, data.length, mtime));
    this.#write(data);
    this.#pad(data.length);
  }

  /** Copies a file in chunks, reporting bytes copied so far; yields to the event loop between chunks. */
  async addFile(name: string, source: string, onProgress?: (bytes: number) => void): Promise<void> {
    const st = fs.statSync(source);
    this.#write(tarHeader(name, st.size, st.mtime));
    let copied = 0;
    for await (const chunk of fs.createReadStream(source, { highWaterMark: 256 * 1024 })) {
      this.#write(chunk as Buffer);
      copied += (chunk as Buffer).length;
      onProgress?.((chunk as Buffer).length);
    }
    if (copied !== st.size) throw new Error(`tar: ${source} changed size while being packed`);
    this.#pad(st.size);
  }

  /** Two zero blocks end the archive. Returns the SHA-256 of the whole file. */
  finish(): { sha256: string; bytes: number } {
    this.#write(Buffer.alloc(BLOCK * 2, 0));
    fs.fsyncSync(this.#fd);
    fs.closeSync(this.#fd);
    return { sha256: this.#hash.digest('hex'), bytes: this.#bytes };
  }

  abort(): void {
    try {
      fs.closeSync(this.#fd);
    } catch {
      /* already closed */
    }
  }
}

export interface TarEntry {
  name: string;
  size: number;
  /** Offset of the data in the tar file. */
  offset: number;
}

/** Lists regular-file entries; throws on a header whose checksum is wrong (damaged archive). */
export function listTar(file: string): TarEntry[] {
  const fd = fs.openSync(file, 'r');
  const entries: TarEntry[] = [];
  try {
    const size = fs.fstatSync(fd).size;
    const h = Buffer.alloc(BLOCK);
    let pos = 0;
    while (pos + BLOCK <= size) {
      fs.readSync(fd, h, 0, BLOCK, pos);
      if (h.every((b) => b === 0)) break;
      const stored = parseInt(h.toString('ascii', 148, 156).replace(/\0.*$/, '').trim(), 8);
      let sum = 0;
      for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
      if (stored !== sum) throw new Error(`tar: damaged header at byte ${pos}`);
      const str = (a: number, b: number) => h.toString('utf8', a, b).replace(/\0.*$/s, '');
      const base = str(0, 100);
      const prefix = str(345, 500);
      const entrySize = parseInt(str(124, 136).trim() || '0', 8);
      const type = str(156, 157) || '0';
      if (type === '0') entries.push({ name: prefix ? `${prefix}/${base}` : base, size: entrySize, offset: pos + BLOCK });
      pos += BLOCK + Math.ceil(entrySize / BLOCK) * BLOCK;
    }
  } finally {
    fs.closeSync(fd);
  }
  return entries;
}

export function readTarEntry(file: string, e: TarEntry): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(e.size);
    fs.readSync(fd, buf, 0, e.size, e.offset);
    return buf;
  } finally {
    fs.closeSync(fd);
  }
}

/** SHA-256 and SM3 of one entry's bytes, streamed. */
export async function hashTarEntry(file: string, e: TarEntry): Promise<{ sha256: string; sm3: string }> {
  const h = createHash('sha256');
  const g = createHash('sm3');
  if (e.size > 0) {
    for await (const chunk of fs.createReadStream(file, { start: e.offset, end: e.offset + e.size - 1 })) {
      h.update(chunk as Buffer);
      g.update(chunk as Buffer);
    }
  }
  return { sha256: h.digest('hex'), sm3: g.digest('hex') };
}
