// The manifest's atomic write off the event loop (writeJsonAtomicAsync): the file is the new
// complete JSON or the old one, never a part, and a failed write leaves no temp file behind.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeJsonAtomicAsync } from '../../recordings/manifest.ts';

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const tmpDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-write-'));
  made.push(d);
  return d;
};

describe('writeJsonAtomicAsync', () => {
  it('replaces the file with the whole new JSON; writes started in order land in order', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'manifest.json');
    const big = { segments: Array.from({ length: 5000 }, (_, i) => ({ seq: i, sha256: 'ab'.repeat(32) })) };
    await writeJsonAtomicAsync(file, { version: 0 });
    let chain = Promise.resolve();
    for (let v = 1; v <= 20; v++) chain = chain.then(() => writeJsonAtomicAsync(file, { version: v, ...big }));
    await chain;
    const back = JSON.parse(fs.readFileSync(file, 'utf8')) as { version: number; segments: unknown[] };
    expect(back.version).toBe(20);
    expect(back.segments).toHaveLength(5000);
    expect(fs.readdirSync(dir)).toEqual(['manifest.json']);
  });

  it('a write that cannot be renamed into place throws and leaves what was there, and no temp file', async () => {
    const dir = tmpDir();
    const target = path.join(dir, 'manifest.json');
    fs.mkdirSync(target); // rename(file → directory) fails
    fs.writeFileSync(path.join(target, 'kept'), 'x');
    await expect(writeJsonAtomicAsync(target, { version: 1 })).rejects.toMatchObject({ code: expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST/) });
    expect(fs.readdirSync(dir)).toEqual(['manifest.json']);
    expect(fs.readFileSync(path.join(target, 'kept'), 'utf8')).toBe('x');
  });
});
