// The session manifest: the source of truth for one recorded session (with its segment files).
// Written atomically (temp file + fsync + rename) after every change, so a crash leaves either
// the previous or the next complete manifest, never half of one.
import fs from 'node:fs';
import { createHash } from 'node:crypto';
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

export function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, JSON.stringify(value, null, 2) + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
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

/** SHA-256, size and SM3 of a file, in one streamed read (segments can be large). */
export async function hashFile(file: string): Promise<[sha256: string, bytes: number, sm3: string]> {
  const h = createHash('sha256');
  const g = createHash('sm3');
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file)) {
    h.update(chunk as Buffer);
    g.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return [h.digest('hex'), bytes, g.digest('hex')];
}
