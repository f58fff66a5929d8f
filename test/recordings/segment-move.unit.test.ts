// A segment reaches the archive whole or not at all: the rename on one file system and the
// checked copy across file systems (/dev/shm is a tmpfs, the temp dir usually is not).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { moveSegment, SegmentMoveError } from '../../recordings/segment-move.ts';

const made: string[] = [];
const dir = (root: string) => {
  const d = fs.mkdtempSync(path.join(root, 'segmove-'));
  made.push(d);
  return d;
};
afterEach(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function segment(at: string): { file: string; bytes: Buffer; expect: { sha256: string; bytes: number } } {
  const bytes = Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 7) & 0xff));
  const file = path.join(at, 'seg-000001.mkv');
  fs.writeFileSync(file, bytes);
  return { file, bytes, expect: { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length } };
}

const shm = fs.existsSync('/dev/shm') && fs.statSync('/dev/shm').dev !== fs.statSync(os.tmpdir()).dev;

describe('moveSegment', () => {
  it('renames on one file system: the bytes arrive and the spool copy is gone', async () => {
    const spool = dir(os.tmpdir());
    const s = segment(spool);
    const dst = path.join(dir(os.tmpdir()), 'sess', 'seg-000001.mkv');
    await moveSegment(s.file, dst, s.expect);
    expect(fs.readFileSync(dst).equals(s.bytes)).toBe(true);
    expect(fs.existsSync(s.file)).toBe(false);
  });

  it('keeps the spool copy when the segment grew after it was hashed', async () => {
    const s = segment(dir(os.tmpdir()));
    fs.appendFileSync(s.file, 'late bytes');
    const dst = path.join(dir(os.tmpdir()), 'seg-000001.mkv');
    await expect(moveSegment(s.file, dst, s.expect)).rejects.toBeInstanceOf(SegmentMoveError);
    expect(fs.existsSync(dst)).toBe(false);
    expect(fs.statSync(s.file).size).toBe(s.expect.bytes + 'late bytes'.length);
  });

  it.runIf(shm)('copies across file systems, checking the hash there', async () => {
    const s = segment(dir('/dev/shm'));
    const dst = path.join(dir(os.tmpdir()), 'seg-000001.mkv');
    await moveSegment(s.file, dst, s.expect);
    expect(fs.readFileSync(dst).equals(s.bytes)).toBe(true);
    expect(fs.existsSync(s.file)).toBe(false);
    // Hashed in the spool as something else: nothing arrives, the spool copy stays.
    const t = segment(dir('/dev/shm'));
    const dst2 = path.join(dir(os.tmpdir()), 'seg-000001.mkv');
    await expect(moveSegment(t.file, dst2, { ...t.expect, sha256: '0'.repeat(64) })).rejects.toBeInstanceOf(SegmentMoveError);
    expect(fs.existsSync(dst2)).toBe(false);
    expect(fs.readdirSync(path.dirname(dst2))).toEqual([]);
    expect(fs.existsSync(t.file)).toBe(true);
  });

  it('never overwrites a segment already in the archive with other content', async () => {
    const s = segment(dir(os.tmpdir()));
    const dst = path.join(dir(os.tmpdir()), 'seg-000001.mkv');
    fs.writeFileSync(dst, 'other evidence');
    await expect(moveSegment(s.file, dst, s.expect)).rejects.toBeInstanceOf(SegmentMoveError);
    expect(fs.readFileSync(dst, 'utf8')).toBe('other evidence');
    expect(fs.existsSync(s.file)).toBe(true);
  });
});
