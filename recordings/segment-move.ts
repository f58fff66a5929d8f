// A finished segment leaves the node's spool for the archive store. ffmpeg writes to a local
// disk (a network mount under a live media stream is the fragile part); what reaches the shared
// archive is only ever complete: copied under a temp name, fsync'd, hashed again *there* and
// compared with the hash taken in the spool, then renamed into place. The spool copy goes only
// after that. On the same file system it is a rename (the same inode: its size is checked).
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fsyncDirAsync, sha256File } from './manifest.ts';

export class SegmentMoveError extends Error {
  readonly code = 'EHASH';
}

/**
 * Moves `src` to `dst` and proves the bytes arrived: resolves once `dst` has `sha256`/`bytes`
 * and `src` is gone. On any failure `dst` does not exist and `src` is kept.
 */
export async function moveSegment(src: string, dst: string, expect: { sha256: string; bytes: number }): Promise<void> {
  await fs.promises.mkdir(path.dirname(dst), { recursive: true });
  if (fs.existsSync(dst)) {
    // Moved before, and the node died before the spool copy went: never overwrite evidence.
    const [sha256, bytes] = await sha256File(dst);
    if (sha256 !== expect.sha256 || bytes !== expect.bytes) throw new SegmentMoveError(`${dst} exists with other content (sha256 ${sha256})`);
    await fs.promises.rm(src, { force: true });
    return;
  }
  const [srcStat, dirStat] = await Promise.all([fs.promises.stat(src), fs.promises.stat(path.dirname(dst))]);
  if (srcStat.dev === dirStat.dev) {
    // A rename moves the inode the spool hash was taken of, so its bytes are not read again; the
    // size still catches a writer that appended after the hash.
    await fs.promises.rename(src, dst);
    const { size } = await fs.promises.stat(dst);
    if (size !== expect.bytes) {
      await fs.promises.rename(dst, src).catch(() => undefined);
      throw new SegmentMoveError(`${dst}: ${size} bytes after the move, ${expect.bytes} when hashed in the spool`);
    }
    await fsyncDirAsync(path.dirname(dst));
    return;
  }
  const tmp = `${dst}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.promises.copyFile(src, tmp, fs.constants.COPYFILE_EXCL);
    const fh = await fs.promises.open(tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    const [sha256, bytes] = await sha256File(tmp);
    if (sha256 !== expect.sha256 || bytes !== expect.bytes) {
      throw new SegmentMoveError(`${dst}: sha256 ${sha256} / ${bytes} bytes after the copy, ${expect.sha256} / ${expect.bytes} in the spool`);
    }
    await fs.promises.rename(tmp, dst);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
  await fsyncDirAsync(path.dirname(dst));
  await fs.promises.rm(src, { force: true });
}
