// Shapes of the archive as its HTTP API answers them — the session manifest, catalog rows,
// bookmarks, export jobs, integrity problems — shared by recordings/ and the archive page (the
// single source: recordings/ imports them from here). The manifest schemas are also the on-disk
// format of manifest.json.
import { z } from 'zod';

export const caseInfoSchema = z.object({
  /** petition: 视频接访 (always recorded); household: 平安心居 (only when the household opted in); property: 红色物业 matter sessions (always; caseNumber is the matter id). */
  kind: z.enum(['petition', 'household', 'property']),
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
  /** SM3 (GB/T 32905) of the same bytes; absent only in recordings made before it was added. */
  sm3: z.string().regex(/^[0-9a-f]{64}$/).optional(),
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
  // Written by recorders before the intake captured from the first packet; kept for old manifests.
  'recorder-starting',
  'worker-died',
  // The node recording the session died; another node took the session over (docs/deployment.md).
  'node-failed',
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

/** Session ids become folder names: keep them to a safe alphabet. */
export const sessionIdSchema = z.string().min(1).max(128).regex(/^[\w.\-]+$/);

// ---- the catalog ------------------------------------------------------------------------------

/** Recordings are kept by class: a petition session, a household call or look-in, a property matter. */
export const RETENTION_CLASSES = ['petition', 'household', 'property'] as const;
export type RetentionClass = (typeof RETENTION_CLASSES)[number];
const retentionDays = z.number().int().min(1).max(100 * 366);
/** Days a recording of each class is kept after it ends (the system administrator's setting; a legal hold suspends deletion). */
export const retentionPeriodsSchema = z.strictObject({ petition: retentionDays, household: retentionDays, property: retentionDays });
export type RetentionPeriods = z.infer<typeof retentionPeriodsSchema>;

export interface SessionRow {
  sessionId: string;
  kind: string;
  roomId: string;
  caseNumber: string | null;
  terminalId: string | null;
  region: string | null;
  petitioner: string | null;
  status: string;
  startedAt: string;
  stoppedAt: string | null;
  durationSeconds: number | null;
  segmentCount: number;
  bytes: number;
  gapCount: number;
  retentionClass: string;
  retainUntil: string | null;
  legalHold: boolean;
  legalHoldReason: string | null;
  manifestSha256: string | null;
  deletedAt: string | null;
}

export interface Bookmark {
  bookmarkId: string;
  sessionId: string;
  offsetSeconds: number;
  note: string;
  authorSub: string;
  authorName: string | null;
  createdAt: string;
}

// ---- integrity and export -------------------------------------------------------------------

export type ProblemKind =
  | 'segment-altered'
  | 'segment-missing'
  /** Warning: the segment open when its ffmpeg died (kept as written; its duration is what survived). */
  | 'segment-truncated'
  /** Warning: a segment of 0 bytes (ffmpeg died before writing anything). */
  | 'segment-empty'
  | 'manifest-missing'
  | 'manifest-unreadable'
  | 'manifest-altered'
  | 'manifest-unsealed'
  | 'session-missing'
  | 'audit-chain'
  | 'unlisted-file'
  | 'package-file'
  /** A signature (seal, audit checkpoint, exported signature file) that fails, or a key that is not what it claims. */
  | 'signature-invalid'
  /** A trusted timestamp token that does not verify or stamps other bytes. */
  | 'timestamp-invalid'
  /** A seal or checkpoint still waiting for its token (warning: the TSA was unreachable). */
  | 'timestamp-missing';

/** The recordings' disks: the archive store (RECORDINGS_DIR) and the node's spool. */
export type StorageArea = 'archive' | 'spool';

/** A raised storage alarm: while any is raised the node starts no new recording. */
export interface StorageAlarm {
  kind: 'disk-low' | 'write-failed' | 'disk-unreadable';
  area: StorageArea;
  detail: string;
  since: string;
  freeBytes?: number;
}

export interface VerifyProblem {
  severity: 'error' | 'warning';
  kind: ProblemKind;
  sessionId?: string;
  /** Path relative to the session folder (or inside the package). */
  file?: string;
  message: string;
}

/** An evidence-package job as clients see it. */
export interface ExportJobView {
  jobId: string;
  packageId: string;
  sessionId: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  /** What the job is doing: rendering the composite video first when asked, then packing. */
  phase: 'composite' | 'packing' | 'finished';
  options: { composite: boolean };
  bytesDone: number;
  bytesTotal: number;
  createdAt: string;
  finishedAt?: string;
  /** SHA-256 of the finished .tar. */
  sha256?: string;
  bytes?: number;
  error?: string;
  /** 0…1 of the whole job. */
  progress: number;
  /** The same in whole percent (0–100). */
  percent: number;
  /** The composite video (when asked for): its rendering progress, then its hashes. */
  composite?: { progress: number; sha256?: string; sm3?: string; bytes?: number; durationSeconds?: number };
}

/**
 * Trusted timestamping (RFC 3161) as the node sees it. Anything but `ok` is an alarm: sealed
 * manifests and audit checkpoints are waiting for tokens (`pending`), requested again until the
 * TSA answers.
 */
export interface TimestampStatus {
  state: 'ok' | 'unreachable' | 'unconfigured';
  pending: number;
  tsaUrl?: string;
  /** Since when the TSA has failed. */
  since?: string;
  lastError?: string;
  /** genTime of the last token received. */
  lastTokenAt?: string;
}

// ---- transcripts ------------------------------------------------------------------------------

export const transcriptLineSchema = z.object({
  /** Seconds from the session's start (the player's clock). */
  start: z.number(),
  end: z.number(),
  text: z.string(),
});
export type TranscriptLine = z.infer<typeof transcriptLineSchema>;

/** One audio track's transcript: speaker-labelled by construction (each participant is recorded alone). */
export const transcriptSchema = z.object({
  format: z.literal('suzhou-video-transcript/1'),
  sessionId: z.string(),
  participantId: z.string(),
  name: z.string(),
  role: z.string(),
  trackId: z.string(),
  lane: z.string(),
  engine: z.string(),
  model: z.string(),
  createdAt: z.string(),
  lines: z.array(transcriptLineSchema),
});
export type Transcript = z.infer<typeof transcriptSchema>;

// ---- the audit trail ----------------------------------------------------------------------------

/** One audit entry as the trail view shows it: who, when, from where, what (bulky proofs left out). */
export interface AuditTrailEntry {
  seq: number;
  at: string;
  type: string;
  sessionId?: string;
  actor: { kind: 'user' | 'system'; sub: string; name?: string; role?: string };
  /** The client address the server saw. */
  from?: string;
  details: Record<string, unknown>;
}

/** The whole chain's state, checked from genesis when the log changed. */
export interface ChainStatus {
  ok: boolean;
  entries: number;
  checkedAt: string;
  /** The first few breaks, named by line and seq. */
  problems: string[];
  lastCheckpoint?: { seq: number; at: string; coversSeq: number; signatures: { alg: string; keyId: string; ok: boolean }[]; timestampedAt?: string };
}

export interface AuditTrail {
  entries: AuditTrailEntry[];
  /** Matching entries in all (entries is one page of them). */
  total: number;
  chain: ChainStatus;
}

/** What an archivist's or coordinator's page warns about. */
export interface ArchiveStatus {
  timestamps: TimestampStatus;
  keys: { keyId: string; alg: string; fingerprintSha256: string }[];
  /** The speech-to-text engine, or null when no model is configured. */
  transcriptEngine: string | null;
  composite: boolean;
  /** The answering node's recordings-storage alarms: while any is raised it starts no recording. */
  storage: StorageAlarm[];
}

// ---- answers ----------------------------------------------------------------------------------

/** A segment as the session answer lists it: with the URL its bytes are fetched from. */
export type SegmentView = Segment & { url: string };
export type TrackView = Omit<Track, 'segments'> & { segments: SegmentView[] };
export type ManifestView = Omit<Manifest, 'participants'> & {
  participants: (Omit<Participant, 'tracks'> & { tracks: TrackView[] })[];
};

export interface SessionDetail {
  session: SessionRow | undefined;
  manifest: ManifestView;
  /**
   * The directory's names now for the region and department ids of `manifest.caseInfo`, to show
   * a person; an id the directory no longer knows is absent (the page shows the id).
   */
  names: { regions: Record<string, string>; departments: Record<string, string> };
  gaps: (Gap & { participantId: string })[];
  timeline: TimelineEvent[];
  bookmarks: Bookmark[];
}

export interface VerifyResult {
  ok: boolean;
  status: Manifest['status'];
  segmentsChecked: number;
  problems: VerifyProblem[];
}
