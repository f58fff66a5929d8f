// The session manifest: the source of truth for one recorded session (with its segment files).
// Written atomically (temp file written in full + fsync + rename + folder fsync) after every
// change, so a crash or a full disk leaves either the previous or the next complete manifest,
// never half of one.
import fs from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { manifestSchema, type Manifest, type Participant, type Segment, type Track } from '../server/protocol/http/archive-shapes.ts';

export const MANIFEST_FILE = 'manifest.json';
export const BOOKMARKS_FILE = 'bookmarks.json';

// The manifest's shape is also what the archive API answers: it lives in
// server/protocol/http/archive-shapes.ts, shared with the archive page.
export {
  GAP_REASONS,
  caseInfoSchema,
  gapSchema,
  manifestSchema,
  participantSchema,
  segmentSchema,
  sessionIdSchema,
  timelineEventSchema,
  trackSchema,
} from '../server/protocol/http/archive-shapes.ts';
export type { CaseInfo, Gap, Manifest, Participant, Segment, TimelineEvent, Track } from '../server/protocol/http/archive-shapes.ts';

/**
 * Writes `value` as JSON so that `file` is always either the previous complete file or the new
 * one: a temp file beside it, written in full (a short write is continued, never renamed over
 * the good file), fsync'd, then renamed into place and the folder fsync'd so the rename itself
 * survives a power cut. Any failure (ENOSPC, EIO, a read-only mount) removes the temp file and
 * throws; `file` is untouched. Blocks the thread on both fsyncs: for writes made once (at start,
 * a session's final manifest, by a CLI); what is written while media flows uses
 * writeJsonAtomicAsync.
 */
export function writeJsonAtomic(file: string, value: unknown): void {
  const { tmp, data } = atomicWrite(file, value);
  try {
    const fd = fs.openSync(tmp, 'wx');
    try {
      for (let off = 0; off < data.length; ) {
        const n = fs.writeSync(fd, data, off, data.length - off);
        if (n <= 0) throw Object.assign(new Error(`${tmp}: write made no progress`), { code: 'EIO' });
        off += n;
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    checkSize(tmp, fs.statSync(tmp).size, data);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(path.dirname(file));
}

/**
 * writeJsonAtomic with the same guarantees, its file work (the two fsyncs above all, several
 * milliseconds each on a real disk) on libuv's threads instead of the event loop's: the session
 * manifest is rewritten at every change of every recorded session, and a loop blocked there
 * delays every room's signalling and every intake round.
 */
export async function writeJsonAtomicAsync(file: string, value: unknown): Promise<void> {
  const { tmp, data } = atomicWrite(file, value);
  try {
    const fh = await fs.promises.open(tmp, 'wx');
    try {
      await fh.writeFile(data); // continues short writes itself
      await fh.sync();
      checkSize(tmp, (await fh.stat()).size, data);
    } finally {
      await fh.close();
    }
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
  await fsyncDirAsync(path.dirname(file));
}

function atomicWrite(file: string, value: unknown): { tmp: string; data: Buffer } {
  return { tmp: `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`, data: Buffer.from(JSON.stringify(value, null, 2) + '\n') };
}

function checkSize(tmp: string, size: number, data: Buffer): void {
  if (size !== data.length) throw Object.assign(new Error(`${tmp}: size after write differs`), { code: 'EIO' });
}

/** Makes a rename or a new file in `dir` durable (best effort where directories cannot be opened). */
function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the data itself was fsync'd.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** fsyncDir off the event loop. */
export async function fsyncDirAsync(dir: string): Promise<void> {
  const fh = await fs.promises.open(dir, 'r').catch(() => undefined);
  if (!fh) return;
  // Some file systems refuse fsync on a directory; the data itself was fsync'd.
  await fh.sync().catch(() => undefined);
  await fh.close();
}

export function readManifest(sessionDir: string): Manifest {
  const raw = fs.readFileSync(path.join(sessionDir, MANIFEST_FILE), 'utf8');
  return manifestSchema.parse(JSON.parse(raw));
}

export function allSegments(m: Manifest): { participant: Participant; track: Track; segment: Segment }[] {
  return m.participants.flatMap((participant) =>
    participant.tracks.flatMap((track) => track.segments.map((segment) => ({ participant, track, segment }))),
  );
}


/** Resolves a manifest-relative path and refuses anything that escapes the session folder. */
export function segmentPath(sessionDir: string, rel: string): string {
  const abs = path.resolve(sessionDir, rel);
  if (!abs.startsWith(path.resolve(sessionDir) + path.sep)) throw new Error(`segment path escapes session folder: ${rel}`);
  return abs;
}

/** A name safe as a file or folder name (ids come from the room and may contain anything). */
export function safeName(s: string): string {
  return s.replace(/[^\w.\-]/g, '_').slice(0, 64) || 'x';
}

/** The folder of a participant's segments inside the session folder. */
export function participantDirName(participantId: string): string {
  return `p-${safeName(participantId)}`;
}

/** A session id for a room's recording: the room id made folder-safe plus the UTC start time. */
export function newSessionId(roomId: string, at = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z'); // 20261126T062522Z
  return `${safeName(roomId).slice(0, 100)}-${stamp}`;
}

/**
 * Digests of a file in one streamed read, in the stream's default 64 KiB chunks: 1 MiB chunks
 * (fewer thread-pool round trips) made V8 run a full mark-compact about every second while
 * recording — large external buffers count as memory pressure — and cost Node more than they saved.
 */
async function digestFile(file: string, algorithms: readonly string[]): Promise<[digests: string[], bytes: number]> {
  const hashes = algorithms.map((a) => createHash(a));
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file)) {
    for (const h of hashes) h.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return [hashes.map((h) => h.digest('hex')), bytes];
}

/** SHA-256, size and SM3 of a file, in one streamed read (segments can be large). */
export async function hashFile(file: string): Promise<[sha256: string, bytes: number, sm3: string]> {
  const [[sha256, sm3], bytes] = await digestFile(file, ['sha256', 'sm3']);
  return [sha256!, bytes, sm3!];
}

/**
 * SHA-256 and size only: enough to check that a copy has the bytes already hashed (both
 * digests were taken of them); SM3 costs three times SHA-256 here (SHA-NI), and recording
 * hashed every segment twice with both (docs/bench-sessions.md).
 */
export async function sha256File(file: string): Promise<[sha256: string, bytes: number]> {
  const [[sha256], bytes] = await digestFile(file, ['sha256']);
  return [sha256!, bytes];
}
