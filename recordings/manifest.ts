// The session manifest: the source of truth for one recorded session (with its segment files).
// Written atomically (temp file + fsync + rename) after every change, so a crash leaves either
// the previous or the next complete manifest, never half of one.
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';

export const MANIFEST_FILE = 'manifest.json';
export const BOOKMARKS_FILE = 'bookmarks.json';

export const caseInfoSchema = z.object({
  /** petition: 视频接访 (always recorded); household: 平安心居 (only when the household opted in). */
  kind: z.enum(['petition', 'household']),
  roomId: z.string(),
  caseNumber: z.string().optional(),
  terminalId: z.string().optional(),
  region: z.string().optional(),
  departments: z.array(z.string()).default([]),
  officials: z.array(z.object({ id: z.string(), name: z.string(), department: z.string().optional() })).default([]),
  petitioner: z.object({ id: z.string().optional(), name: z.string() }).optional(),
  householdId: z.string().optional(),
});
export type CaseInfo = z.input<typeof caseInfoSchema>;

export const segmentSchema = z.object({
  /** Stable id used in URLs: `<trackId>-r<run>-<seq>`. */
  id: z.string(),
  /** Relative to the session folder. */
  file: z.string(),
  run: z.number().int().nonnegative(),
  seq: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
  durationSeconds: z.number().nonnegative(),
  /** Wall-clock time of the segment's first packet: what players align tracks on. */
  firstPacketAt: z.string(),
  /** Seconds from the session's start to firstPacketAt. */
  offsetSeconds: z.number(),
  closedAt: z.string(),
  /** ffmpeg died while writing it: kept (defective recordings are kept), flagged. */
  truncated: z.boolean().optional(),
});
export type Segment = z.infer<typeof segmentSchema>;

export const GAP_REASONS = [
  'producer-paused',
  'producer-closed',
  'no-packets',
  'recorder-exited',
  'recorder-starting',
] as const;
export const gapSchema = z.object({
  lane: z.string(),
  start: z.string(),
  end: z.string().optional(),
  reason: z.enum(GAP_REASONS),
  detail: z.string().optional(),
});
export type Gap = z.infer<typeof gapSchema>;

export const trackSchema = z.object({
  trackId: z.string(),
  producerId: z.string(),
  lane: z.string(),
  kind: z.enum(['audio', 'video']),
  codec: z.object({
    mimeType: z.string(),
    payloadType: z.number().int(),
    clockRate: z.number().int(),
    channels: z.number().int().optional(),
  }),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  endReason: z.string().optional(),
  runs: z.array(z.object({ run: z.number().int(), startedAt: z.string(), firstPacketAt: z.string().optional(), endedAt: z.string().optional(), exit: z.string().optional() })),
  segments: z.array(segmentSchema),
});
export type Track = z.infer<typeof trackSchema>;

export const participantSchema = z.object({
  participantId: z.string(),
  name: z.string(),
  role: z.string(),
  joinedAt: z.string(),
  leftAt: z.string().optional(),
  tracks: z.array(trackSchema),
  gaps: z.array(gapSchema),
});
export type Participant = z.infer<typeof participantSchema>;

export const timelineEventSchema = z.object({
  at: z.string(),
  type: z.string(),
  participantId: z.string().optional(),
  detail: z.string().optional(),
});
export type TimelineEvent = z.infer<typeof timelineEventSchema>;

export const manifestSchema = z.object({
  version: z.literal(1),
  sessionId: z.string(),
  caseInfo: caseInfoSchema,
  retentionClass: z.string(),
  segmentSeconds: z.number(),
  status: z.enum(['recording', 'stopped', 'interrupted']),
  startedAt: z.string(),
  stoppedAt: z.string().optional(),
  participants: z.array(participantSchema),
  timeline: z.array(timelineEventSchema),
});
export type Manifest = z.infer<typeof manifestSchema>;

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

/** Session ids become folder names: keep them to a safe alphabet. */
export const sessionIdSchema = z.string().min(1).max(128).regex(/^[\w.\-]+$/);

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

/** SHA-256 and size of a file, streamed (segments can be large). */
export async function hashFile(file: string): Promise<[sha256: string, bytes: number]> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file)) {
    h.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return [h.digest('hex'), bytes];
}
