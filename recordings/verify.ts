// Integrity check of the archive, or of one evidence package on its own: re-hash every segment
// against its manifest, check each manifest against the hash sealed in the audit log, walk the
// audit chain, and name exactly what was altered or is missing.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AuditLog, auditEntrySchema, sha256Hex, verifyAuditChain } from './audit-chain.ts';
import { BOOKMARKS_FILE, MANIFEST_FILE, allSegments, hashFile, manifestSchema, segmentPath, type Manifest } from './manifest.ts';
import { hashTarEntry, listTar, readTarEntry } from './tar.ts';
import type { ProblemKind, VerifyProblem } from '../server/protocol/http/archive-shapes.ts';

export type { ProblemKind, VerifyProblem };

export interface VerifyReport {
  ok: boolean;
  sessionsChecked: number;
  segmentsChecked: number;
  auditEntries: number;
  /** Sessions deleted under retention: their tombstones are in the audit log. */
  deleted: string[];
  problems: VerifyProblem[];
}

function report(problems: VerifyProblem[], counts: Omit<VerifyReport, 'ok' | 'problems'>): VerifyReport {
  return { ok: !problems.some((p) => p.severity === 'error'), ...counts, problems };
}

/** Segment hashes the audit chain recorded while the session was recording, by file. */
export type Checkpointed = Map<string, { sha256: string; bytes: number }>;

/** Adds the segments of a `segments-checkpoint` entry to `into` (ignores malformed ones). */
export function collectCheckpoint(into: Checkpointed, details: Record<string, unknown>): void {
  const parsed = z.array(z.object({ file: z.string(), sha256: z.string(), bytes: z.number() })).safeParse(details.segments);
  if (parsed.success) for (const s of parsed.data) into.set(s.file, { sha256: s.sha256, bytes: s.bytes });
}

/** The manifest must agree with every segment hash the chain recorded during the session. */
function checkAgainstCheckpoints(m: Manifest, sessionId: string, checkpointed: Checkpointed, where: string): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  const listed = new Map(allSegments(m).map(({ segment }) => [segment.file, segment]));
  for (const [file, cp] of checkpointed) {
    const seg = listed.get(file);
    if (!seg) {
      problems.push({ severity: 'error', kind: 'segment-missing', sessionId, file, message: `${where}: segment ${file} is in the audit log's checkpoints but not in the manifest` });
    } else if (seg.sha256 !== cp.sha256 || seg.bytes !== cp.bytes) {
      problems.push({ severity: 'error', kind: 'manifest-altered', sessionId, file, message: `${where}: the manifest's hash of segment ${file} differs from the one checkpointed in the audit log (${cp.sha256})` });
    }
  }
  return problems;
}

/** Checks one session folder against its manifest, and the manifest against its seal and checkpoints. */
export async function verifySessionDir(dir: string, sessionId: string, seal: string | undefined, checkpointed: Checkpointed = new Map()): Promise<{ problems: VerifyProblem[]; segments: number }> {
  const problems: VerifyProblem[] = [];
  const manifestFile = path.join(dir, MANIFEST_FILE);
  if (!fs.existsSync(manifestFile)) {
    problems.push({ severity: 'error', kind: 'manifest-missing', sessionId, file: MANIFEST_FILE, message: `session ${sessionId}: manifest.json is missing` });
    return { problems, segments: 0 };
  }
  const bytes = fs.readFileSync(manifestFile);
  let m: Manifest;
  try {
    m = manifestSchema.parse(JSON.parse(bytes.toString('utf8')));
  } catch {
    problems.push({ severity: 'error', kind: 'manifest-unreadable', sessionId, file: MANIFEST_FILE, message: `session ${sessionId}: manifest.json is unreadable` });
    return { problems, segments: 0 };
  }
  const actual = sha256Hex(bytes);
  if (seal && seal !== actual) {
    problems.push({ severity: 'error', kind: 'manifest-altered', sessionId, file: MANIFEST_FILE, message: `session ${sessionId}: manifest.json altered (sealed sha256 ${seal}, found ${actual})` });
  } else if (!seal) {
    problems.push({
      severity: m.status === 'recording' ? 'warning' : 'error',
      kind: 'manifest-unsealed',
      sessionId,
      file: MANIFEST_FILE,
      message: `session ${sessionId}: manifest has no seal in the audit log (${m.status === 'recording' ? 'still recording or interrupted' : 'seal missing'})`,
    });
  }
  problems.push(...checkAgainstCheckpoints(m, sessionId, checkpointed, `session ${sessionId}`));
  const listed = new Set<string>([MANIFEST_FILE, BOOKMARKS_FILE]);
  const segs = allSegments(m);
  for (const { segment } of segs) {
    listed.add(segment.file);
    let abs: string;
    try {
      abs = segmentPath(dir, segment.file);
    } catch {
      problems.push({ severity: 'error', kind: 'manifest-unreadable', sessionId, file: segment.file, message: `session ${sessionId}: segment path ${segment.file} escapes the session folder` });
      continue;
    }
    if (!fs.existsSync(abs)) {
      problems.push({ severity: 'error', kind: 'segment-missing', sessionId, file: segment.file, message: `session ${sessionId}: segment ${segment.file} is missing` });
      continue;
    }
    const [sha, size] = await hashFile(abs);
    if (sha !== segment.sha256 || size !== segment.bytes) {
      problems.push({
        severity: 'error',
        kind: 'segment-altered',
        sessionId,
        file: segment.file,
        message: `session ${sessionId}: segment ${segment.file} altered (sha256 ${segment.sha256} / ${segment.bytes} bytes expected, found ${sha} / ${size} bytes)`,
      });
    } else if (segment.bytes === 0) {
      problems.push({ severity: 'warning', kind: 'segment-empty', sessionId, file: segment.file, message: `session ${sessionId}: segment ${segment.file} is empty (0 bytes, 0 s of media): its recorder died before writing` });
    } else if (segment.truncated) {
      problems.push({
        severity: 'warning',
        kind: 'segment-truncated',
        sessionId,
        file: segment.file,
        message: `session ${sessionId}: segment ${segment.file} is truncated (its recorder died while writing it): ${segment.durationSeconds.toFixed(3)} s of media, ${segment.bytes} bytes kept`,
      });
    }
  }
  for (const rel of walk(dir)) {
    if (!listed.has(rel) && !rel.endsWith('.tmp')) {
      problems.push({ severity: 'warning', kind: 'unlisted-file', sessionId, file: rel, message: `session ${sessionId}: file ${rel} is not in the manifest` });
    }
  }
  return { problems, segments: segs.length };
}

function walk(dir: string, base = ''): string[] {
  return fs.readdirSync(path.join(dir, base), { withFileTypes: true }).flatMap((d) => {
    const rel = base ? `${base}/${d.name}` : d.name;
    // Symlinks are a live recorder's spare-ffmpeg output slots, never evidence.
    if (d.isSymbolicLink()) return [];
    return d.isDirectory() ? walk(dir, rel) : [rel];
  });
}

/** The whole archive under `root` (DATA_DIR/recordings), or one session of it. */
export async function verifyArchive(root: string, opts: { sessionId?: string } = {}): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  const audit = new AuditLog(path.join(root, 'audit.jsonl'));
  const lines = audit.rawLines();
  for (const p of verifyAuditChain(lines, { fromGenesis: true })) {
    problems.push({ severity: 'error', kind: 'audit-chain', file: 'audit.jsonl', message: `audit log line ${p.line}${p.seq !== undefined ? ` (seq ${p.seq})` : ''}: ${p.problem}` });
  }
  const entries = audit.entries();
  const seals = new Map<string, string>();
  const started = new Set<string>();
  const tombstoned = new Set<string>();
  const checkpoints = new Map<string, Checkpointed>();
  for (const e of entries) {
    if (!e.sessionId) continue;
    if (e.type === 'segments-checkpoint') {
      const cp = checkpoints.get(e.sessionId) ?? new Map();
      collectCheckpoint(cp, e.details);
      checkpoints.set(e.sessionId, cp);
    }
    if (e.type === 'recording-start') started.add(e.sessionId);
    if ((e.type === 'recording-stop' || e.type === 'recording-interrupted') && typeof e.details.manifestSha256 === 'string') seals.set(e.sessionId, e.details.manifestSha256);
    if (e.type === 'deletion') tombstoned.add(e.sessionId);
  }
  const onDisk = fs.existsSync(root)
    ? fs.readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name)
    : [];
  let ids = [...new Set([...onDisk, ...started])].sort();
  if (opts.sessionId) ids = ids.filter((id) => id === opts.sessionId);
  const deleted: string[] = [];
  let sessions = 0;
  let segments = 0;
  for (const id of ids) {
    const dir = path.join(root, id);
    if (!fs.existsSync(dir)) {
      if (tombstoned.has(id)) deleted.push(id);
      else if (fs.existsSync(path.join(root, '.quarantine', id))) {
        // Set aside by recovery (archive.ts): damaged, but not gone.
        problems.push({ severity: 'error', kind: 'manifest-unreadable', sessionId: id, file: MANIFEST_FILE, message: `session ${id}: quarantined in .quarantine/${id} because its manifest could not be read` });
      } else problems.push({ severity: 'error', kind: 'session-missing', sessionId: id, message: `session ${id}: folder is missing and the audit log has no deletion tombstone for it` });
      continue;
    }
    if (tombstoned.has(id)) {
      problems.push({ severity: 'warning', kind: 'unlisted-file', sessionId: id, message: `session ${id}: folder still exists although the audit log records its deletion` });
    }
    sessions++;
    const r = await verifySessionDir(dir, id, seals.get(id), checkpoints.get(id));
    segments += r.segments;
    problems.push(...r.problems);
  }
  return report(problems, { sessionsChecked: sessions, segmentsChecked: segments, auditEntries: lines.length, deleted });
}

export const PACKAGE_INFO_FILE = 'package.json';
export const PACKAGE_HASHES_FILE = 'SHA256SUMS';
export const PACKAGE_AUDIT_FILE = 'audit-excerpt.jsonl';

export const packageInfoSchema = z.object({
  format: z.literal('suzhou-video-evidence-package/1'),
  packageId: z.string(),
  sessionId: z.string(),
  createdAt: z.string(),
  createdBy: z.object({ sub: z.string(), name: z.string().optional(), role: z.string().optional() }),
  manifestSha256: z.string(),
  segments: z.number().int(),
});

/**
 * An evidence package on its own, with no archive at hand: every segment against the manifest
 * and SHA256SUMS, the manifest against the seal inside the audit excerpt, and the excerpt's chain.
 */
export async function verifyPackage(file: string): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  const err = (kind: ProblemKind, message: string, f?: string) => problems.push({ severity: 'error', kind, message, ...(f ? { file: f } : {}) });
  let entries;
  try {
    entries = listTar(file);
  } catch (e) {
    err('package-file', `package ${file}: ${(e as Error).message}`);
    return report(problems, { sessionsChecked: 0, segmentsChecked: 0, auditEntries: 0, deleted: [] });
  }
  const byName = new Map(entries.map((e) => [e.name, e]));
  const infoEntry = entries.find((e) => e.name.endsWith(`/${PACKAGE_INFO_FILE}`) && e.name.split('/').length === 2);
  if (!infoEntry) {
    err('package-file', `package ${file}: ${PACKAGE_INFO_FILE} is missing`);
    return report(problems, { sessionsChecked: 0, segmentsChecked: 0, auditEntries: 0, deleted: [] });
  }
  const top = infoEntry.name.split('/')[0]!;
  const info = packageInfoSchema.safeParse(JSON.parse(readTarEntry(file, infoEntry).toString('utf8')));
  if (!info.success) err('package-file', `package: ${PACKAGE_INFO_FILE} is unreadable`, PACKAGE_INFO_FILE);
  const sessionId = info.success ? info.data.sessionId : top;

  // Audit excerpt: an unbroken piece of the chain, containing this session's seal.
  const auditEntry = byName.get(`${top}/${PACKAGE_AUDIT_FILE}`);
  const auditLines = auditEntry ? readTarEntry(file, auditEntry).toString('utf8').split('\n').filter(Boolean) : [];
  if (!auditEntry) err('audit-chain', `package: ${PACKAGE_AUDIT_FILE} is missing`, PACKAGE_AUDIT_FILE);
  for (const p of verifyAuditChain(auditLines, { fromGenesis: false })) {
    err('audit-chain', `audit excerpt line ${p.line}${p.seq !== undefined ? ` (seq ${p.seq})` : ''}: ${p.problem}`, PACKAGE_AUDIT_FILE);
  }
  let seal: string | undefined;
  let exportRecorded = false;
  const checkpointed: Checkpointed = new Map();
  for (const line of auditLines) {
    const e = auditEntrySchema.safeParse(safeJson(line));
    if (!e.success || e.data.sessionId !== sessionId) continue;
    if (e.data.type === 'segments-checkpoint') collectCheckpoint(checkpointed, e.data.details);
    if ((e.data.type === 'recording-stop' || e.data.type === 'recording-interrupted') && typeof e.data.details.manifestSha256 === 'string') seal = e.data.details.manifestSha256;
    if (e.data.type === 'export' && info.success && e.data.details.packageId === info.data.packageId) exportRecorded = true;
  }
  if (info.success && !exportRecorded) err('audit-chain', `audit excerpt does not record the export of package ${info.data.packageId}`, PACKAGE_AUDIT_FILE);

  // Manifest against the seal.
  const manifestEntry = byName.get(`${top}/${MANIFEST_FILE}`);
  let m: Manifest | undefined;
  if (!manifestEntry) err('manifest-missing', `package: ${MANIFEST_FILE} is missing`, MANIFEST_FILE);
  else {
    const bytes = readTarEntry(file, manifestEntry);
    const sha = sha256Hex(bytes);
    if (!seal) err('manifest-unsealed', `package: the audit excerpt has no seal for session ${sessionId}`, MANIFEST_FILE);
    else if (seal !== sha) err('manifest-altered', `package: ${MANIFEST_FILE} altered (sealed sha256 ${seal}, found ${sha})`, MANIFEST_FILE);
    try {
      m = manifestSchema.parse(JSON.parse(bytes.toString('utf8')));
    } catch {
      err('manifest-unreadable', `package: ${MANIFEST_FILE} is unreadable`, MANIFEST_FILE);
    }
    if (m) problems.push(...checkAgainstCheckpoints(m, sessionId, checkpointed, 'package'));
  }

  // Every segment against the manifest.
  let segments = 0;
  const hashed = new Map<string, string>();
  for (const { segment } of m ? allSegments(m) : []) {
    segments++;
    const e = byName.get(`${top}/${segment.file}`);
    if (!e) {
      err('segment-missing', `package: segment ${segment.file} is missing`, segment.file);
      continue;
    }
    const sha = await hashTarEntry(file, e);
    hashed.set(segment.file, sha);
    if (sha !== segment.sha256 || e.size !== segment.bytes) {
      err('segment-altered', `package: segment ${segment.file} altered (sha256 ${segment.sha256} expected, found ${sha})`, segment.file);
    }
  }

  // SHA256SUMS (for people checking with `sha256sum -c`) must agree with what is there.
  const sumsEntry = byName.get(`${top}/${PACKAGE_HASHES_FILE}`);
  if (!sumsEntry) err('package-file', `package: ${PACKAGE_HASHES_FILE} is missing`, PACKAGE_HASHES_FILE);
  else {
    for (const line of readTarEntry(file, sumsEntry).toString('utf8').split('\n').filter(Boolean)) {
      const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
      if (!match) {
        err('package-file', `package: ${PACKAGE_HASHES_FILE} has a malformed line: ${line.slice(0, 80)}`, PACKAGE_HASHES_FILE);
        continue;
      }
      const [, sha, rel] = match as unknown as [string, string, string];
      const e = byName.get(`${top}/${rel}`);
      if (!e) {
        err('segment-missing', `package: ${rel} listed in ${PACKAGE_HASHES_FILE} is missing`, rel);
        continue;
      }
      const actual = hashed.get(rel) ?? (await hashTarEntry(file, e));
      if (actual !== sha) err('segment-altered', `package: ${rel} does not match ${PACKAGE_HASHES_FILE}`, rel);
    }
  }
  return report(problems, { sessionsChecked: m ? 1 : 0, segmentsChecked: segments, auditEntries: auditLines.length, deleted: [] });
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
