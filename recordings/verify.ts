// Integrity check of the archive, or of one evidence package on its own: re-hash every segment
// (SHA-256 and SM3) against its manifest, check each manifest against the hashes sealed in the
// audit log, walk the audit chain (both hash chains), check every signature against the
// published archive keys and every trusted timestamp against its statement and the TSA's CA,
// and name exactly what was altered or is missing.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AuditLog, auditEntrySchema, sha256Hex, sm3Hex, verifyAuditChain, type AuditEntry } from '../server/core/audit-chain.ts';
import { PUBLISHED_KEYS_FILE, publishedKeysSchema, readPublishedKeys, verifySignature, type PublicKeyRecord } from './archive-keys.ts';
import { checkEvidence, evidenceOf } from './evidence-check.ts';
import { BOOKMARKS_FILE, MANIFEST_FILE, allSegments, hashFile, manifestSchema, segmentPath, type Manifest } from './manifest.ts';
import { statementBytes, statementFileName } from './statements.ts';
import { hashTarEntry, listTar, readTarEntry, type TarEntry } from './tar.ts';
import { verifyTimestamp } from './tsa.ts';
import type { ProblemKind, VerifyProblem } from '../server/protocol/http/archive-shapes.ts';

export type { ProblemKind, VerifyProblem };

export interface VerifyReport {
  ok: boolean;
  sessionsChecked: number;
  segmentsChecked: number;
  auditEntries: number;
  /** Sessions deleted under retention: their tombstones are in the audit log. */
  deleted: string[];
  /** Signed statements (seals, audit checkpoints) whose signatures were checked. */
  signaturesChecked?: number;
  /** Trusted timestamp tokens checked. */
  timestampsChecked?: number;
  /** What the check trusted: compare these fingerprints with the ones the records office published. */
  trust?: { keys: { keyId: string; alg: string; fingerprintSha256: string }[]; tsaCa?: { source: 'package' | 'given' | 'configured'; fingerprintSha256: string } };
  problems: VerifyProblem[];
}

function report(problems: VerifyProblem[], counts: Omit<VerifyReport, 'ok' | 'problems'>): VerifyReport {
  return { ok: !problems.some((p) => p.severity === 'error'), ...counts, problems };
}

/** What the seal entry recorded about a manifest. */
export interface Seal {
  sha256: string;
  sm3?: string;
}

/** The seal a recording-stop / recording-interrupted entry carries. */
export function sealOf(e: AuditEntry): Seal | undefined {
  if (e.type !== 'recording-stop' && e.type !== 'recording-interrupted') return undefined;
  if (typeof e.details.manifestSha256 !== 'string') return undefined;
  return { sha256: e.details.manifestSha256, ...(typeof e.details.manifestSm3 === 'string' ? { sm3: e.details.manifestSm3 } : {}) };
}

/** Segment hashes the audit chain recorded while the session was recording, by file. */
export type Checkpointed = Map<string, { sha256: string; bytes: number; sm3?: string }>;

/** Adds the segments of a `segments-checkpoint` entry to `into` (ignores malformed ones). */
export function collectCheckpoint(into: Checkpointed, details: Record<string, unknown>): void {
  const parsed = z.array(z.object({ file: z.string(), sha256: z.string(), sm3: z.string().optional(), bytes: z.number() })).safeParse(details.segments);
  if (parsed.success) for (const s of parsed.data) into.set(s.file, { sha256: s.sha256, bytes: s.bytes, ...(s.sm3 ? { sm3: s.sm3 } : {}) });
}

/** The manifest must agree with every segment hash the chain recorded during the session. */
function checkAgainstCheckpoints(m: Manifest, sessionId: string, checkpointed: Checkpointed, where: string): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  const listed = new Map(allSegments(m).map(({ segment }) => [segment.file, segment]));
  for (const [file, cp] of checkpointed) {
    const seg = listed.get(file);
    if (!seg) {
      problems.push({ severity: 'error', kind: 'segment-missing', sessionId, file, message: `${where}: segment ${file} is in the audit log's checkpoints but not in the manifest` });
    } else if (seg.sha256 !== cp.sha256 || seg.bytes !== cp.bytes || (cp.sm3 !== undefined && seg.sm3 !== cp.sm3)) {
      problems.push({ severity: 'error', kind: 'manifest-altered', sessionId, file, message: `${where}: the manifest's hash of segment ${file} differs from the one checkpointed in the audit log (${cp.sha256})` });
    }
  }
  return problems;
}

/**
 * Defective recordings are kept, and said to be: a segment ffmpeg was killed while writing
 * (flagged truncated: no trailer, it plays up to where it stops) and an empty one are warnings,
 * with how much media each holds.
 */
function defectWarnings(m: Manifest, sessionId: string, where: string): VerifyProblem[] {
  return allSegments(m).flatMap(({ segment }): VerifyProblem[] => {
    const seconds = `${segment.durationSeconds.toFixed(3)} s`;
    if (segment.bytes === 0) return [{ severity: 'warning', kind: 'segment-empty', sessionId, file: segment.file, message: `${where}: segment ${segment.file} is empty (0 bytes, ${seconds} of media): its recorder died before writing` }];
    if (segment.truncated) return [{ severity: 'warning', kind: 'segment-truncated', sessionId, file: segment.file, message: `${where}: segment ${segment.file} is truncated (its recorder died while writing it): ${seconds} of media in ${segment.bytes} bytes` }];
    return [];
  });
}

/** The manifest's bytes against the seal: SHA-256, and SM3 when the seal has it. */
function sealMismatch(seal: Seal, bytes: Buffer): string | undefined {
  const sha = sha256Hex(bytes);
  if (seal.sha256 !== sha) return `sealed sha256 ${seal.sha256}, found ${sha}`;
  if (seal.sm3 !== undefined && seal.sm3 !== sm3Hex(bytes)) return `sealed sm3 ${seal.sm3}, found ${sm3Hex(bytes)}`;
  return undefined;
}

/** Checks one session folder against its manifest, and the manifest against its seal and checkpoints. */
export async function verifySessionDir(dir: string, sessionId: string, seal: Seal | undefined, checkpointed: Checkpointed = new Map()): Promise<{ problems: VerifyProblem[]; segments: number }> {
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
  const mismatch = seal && sealMismatch(seal, bytes);
  if (mismatch) {
    problems.push({ severity: 'error', kind: 'manifest-altered', sessionId, file: MANIFEST_FILE, message: `session ${sessionId}: manifest.json altered (${mismatch})` });
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
  problems.push(...defectWarnings(m, sessionId, `session ${sessionId}`));
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
    const [sha, size, sm3] = await hashFile(abs);
    if (sha !== segment.sha256 || size !== segment.bytes || (segment.sm3 !== undefined && sm3 !== segment.sm3)) {
      problems.push({
        severity: 'error',
        kind: 'segment-altered',
        sessionId,
        file: segment.file,
        message: `session ${sessionId}: segment ${segment.file} altered (sha256 ${segment.sha256} / ${segment.bytes} bytes expected, found ${sha} / ${size} bytes${segment.sm3 !== undefined && sm3 !== segment.sm3 ? `; sm3 ${segment.sm3} expected, found ${sm3}` : ''})`,
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

export interface VerifyOptions {
  /** The TSA's CA certificate(s), PEM text: what tokens must chain to. */
  tsaCaPem?: string;
}

const caFingerprint = (pem: string) => sha256Hex(Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));
const trustOf = (keys: readonly PublicKeyRecord[], ca: { source: 'package' | 'given' | 'configured'; pem: string } | undefined): NonNullable<VerifyReport['trust']> => ({
  keys: keys.map((k) => ({ keyId: k.keyId, alg: k.alg, fingerprintSha256: k.fingerprintSha256 })),
  ...(ca ? { tsaCa: { source: ca.source, fingerprintSha256: caFingerprint(ca.pem) } } : {}),
});

/** The whole archive under `root` (DATA_DIR/recordings), or one session of it. */
export async function verifyArchive(root: string, opts: { sessionId?: string } & VerifyOptions = {}): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  const audit = new AuditLog(path.join(root, 'audit.jsonl'));
  const lines = audit.rawLines();
  for (const p of verifyAuditChain(lines, { fromGenesis: true })) {
    problems.push({ severity: 'error', kind: 'audit-chain', file: 'audit.jsonl', message: `audit log line ${p.line}${p.seq !== undefined ? ` (seq ${p.seq})` : ''}: ${p.problem}` });
  }
  const entries = audit.entries();
  const seals = new Map<string, Seal>();
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
    const seal = sealOf(e);
    if (seal) seals.set(e.sessionId, seal);
    if (e.type === 'deletion') tombstoned.add(e.sessionId);
  }

  // Signatures and timestamps: every key the chain introduced must be published.
  let keys: PublicKeyRecord[] = [];
  try {
    keys = readPublishedKeys(path.join(root, PUBLISHED_KEYS_FILE));
  } catch {
    problems.push({ severity: 'error', kind: 'signature-invalid', file: PUBLISHED_KEYS_FILE, message: `archive: ${PUBLISHED_KEYS_FILE} is unreadable` });
  }
  for (const e of entries) {
    const key = e.type === 'key-published' ? (e.details.key as { keyId?: string; fingerprintSha256?: string } | undefined) : undefined;
    if (key && !keys.some((k) => k.keyId === key.keyId && k.fingerprintSha256 === key.fingerprintSha256)) {
      problems.push({ severity: 'error', kind: 'signature-invalid', file: PUBLISHED_KEYS_FILE, message: `archive: key ${key.keyId} published in audit entry ${e.seq} is missing from ${PUBLISHED_KEYS_FILE} or differs there` });
    }
  }
  const evidence = await checkEvidence(lines, { keys, tsaCaPem: opts.tsaCaPem, where: 'archive', auditFile: 'audit.jsonl' });
  problems.push(...evidence.problems.filter((p) => !opts.sessionId || p.sessionId === undefined || p.sessionId === opts.sessionId));

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
  return report(problems, {
    sessionsChecked: sessions,
    segmentsChecked: segments,
    auditEntries: lines.length,
    deleted,
    signaturesChecked: evidence.statements,
    timestampsChecked: opts.tsaCaPem ? evidence.tokens : 0,
    trust: trustOf(keys, opts.tsaCaPem ? { source: 'configured', pem: opts.tsaCaPem } : undefined),
  });
}

export const PACKAGE_INFO_FILE = 'package.json';
export const PACKAGE_HASHES_FILE = 'SHA256SUMS';
export const PACKAGE_SM3_FILE = 'SM3SUMS';
export const PACKAGE_AUDIT_FILE = 'audit-excerpt.jsonl';
export const PACKAGE_KEYS_FILE = `keys/${PUBLISHED_KEYS_FILE}`;
export const PACKAGE_TSA_CA_FILE = 'keys/tsa-ca.pem';
export const PACKAGE_FORMAT = 'suzhou-video-evidence-package/2';

/** A copy made from the originals (composite video, transcript): listed beside them, never instead. */
export const derivedFileSchema = z.object({
  file: z.string(),
  kind: z.enum(['composite', 'transcript']),
  sha256: z.string(),
  sm3: z.string(),
  bytes: z.number().int(),
  /** seq of the audit entry that recorded its making. */
  auditSeq: z.number().int(),
});
export type DerivedFile = z.infer<typeof derivedFileSchema>;

export const packageInfoSchema = z.object({
  format: z.enum(['suzhou-video-evidence-package/1', PACKAGE_FORMAT]),
  packageId: z.string(),
  sessionId: z.string(),
  createdAt: z.string(),
  createdBy: z.object({ sub: z.string(), name: z.string().optional(), role: z.string().optional() }),
  manifestSha256: z.string(),
  manifestSm3: z.string().optional(),
  segments: z.number().int(),
  derived: z.array(derivedFileSchema).default([]),
});

/** The `<sha> <file>` lines of a sums file, with its malformed lines reported. */
function parseSums(text: string, err: (kind: ProblemKind, message: string, f?: string) => void, name: string): [hash: string, file: string][] {
  const out: [string, string][] = [];
  for (const line of text.split('\n').filter(Boolean)) {
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!match) err('package-file', `package: ${name} has a malformed line: ${line.slice(0, 80)}`, name);
    else out.push([match[1]!, match[2]!]);
  }
  return out;
}

/**
 * An evidence package on its own, with no archive at hand: every segment against the manifest,
 * SHA256SUMS and SM3SUMS; the manifest against the seal inside the audit excerpt; the excerpt's
 * two chains; every signature (in the excerpt and as files) against the package's published
 * keys; every timestamp token against its statement and the TSA's CA (the package's copy unless
 * `tsaCaPem` is given); derived copies against the audit entries that recorded them.
 */
export async function verifyPackage(file: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  const err = (kind: ProblemKind, message: string, f?: string) => problems.push({ severity: 'error', kind, message, ...(f ? { file: f } : {}) });
  const empty = { sessionsChecked: 0, segmentsChecked: 0, auditEntries: 0, deleted: [] };
  let entries: TarEntry[];
  try {
    entries = listTar(file);
  } catch (e) {
    err('package-file', `package ${file}: ${(e as Error).message}`);
    return report(problems, empty);
  }
  const byName = new Map(entries.map((e) => [e.name, e]));
  const infoEntry = entries.find((e) => e.name.endsWith(`/${PACKAGE_INFO_FILE}`) && e.name.split('/').length === 2);
  if (!infoEntry) {
    err('package-file', `package ${file}: ${PACKAGE_INFO_FILE} is missing`);
    return report(problems, empty);
  }
  const top = infoEntry.name.split('/')[0]!;
  const read = (rel: string): Buffer | undefined => {
    const e = byName.get(`${top}/${rel}`);
    return e ? readTarEntry(file, e) : undefined;
  };
  const info = packageInfoSchema.safeParse(safeJson(readTarEntry(file, infoEntry).toString('utf8')));
  if (!info.success) err('package-file', `package: ${PACKAGE_INFO_FILE} is unreadable`, PACKAGE_INFO_FILE);
  const sessionId = info.success ? info.data.sessionId : top;
  const v2 = info.success && info.data.format === PACKAGE_FORMAT;

  // Audit excerpt: an unbroken piece of the chain, containing this session's seal.
  const auditBytes = read(PACKAGE_AUDIT_FILE);
  const auditLines = auditBytes ? auditBytes.toString('utf8').split('\n').filter(Boolean) : [];
  if (!auditBytes) err('audit-chain', `package: ${PACKAGE_AUDIT_FILE} is missing`, PACKAGE_AUDIT_FILE);
  for (const p of verifyAuditChain(auditLines, { fromGenesis: false })) {
    err('audit-chain', `audit excerpt line ${p.line}${p.seq !== undefined ? ` (seq ${p.seq})` : ''}: ${p.problem}`, PACKAGE_AUDIT_FILE);
  }
  let seal: Seal | undefined;
  let exportRecorded = false;
  const checkpointed: Checkpointed = new Map();
  const recorded = new Map<number, AuditEntry>();
  for (const line of auditLines) {
    const e = auditEntrySchema.safeParse(safeJson(line));
    if (!e.success) continue;
    recorded.set(e.data.seq, e.data);
    if (e.data.sessionId !== sessionId) continue;
    if (e.data.type === 'segments-checkpoint') collectCheckpoint(checkpointed, e.data.details);
    seal = sealOf(e.data) ?? seal;
    if (e.data.type === 'export' && info.success && e.data.details.packageId === info.data.packageId) exportRecorded = true;
  }
  if (info.success && !exportRecorded) err('audit-chain', `audit excerpt does not record the export of package ${info.data.packageId}`, PACKAGE_AUDIT_FILE);

  // Manifest against the seal.
  const manifestBytes = read(MANIFEST_FILE);
  let m: Manifest | undefined;
  if (!manifestBytes) err('manifest-missing', `package: ${MANIFEST_FILE} is missing`, MANIFEST_FILE);
  else {
    const mismatch = seal && sealMismatch(seal, manifestBytes);
    if (!seal) err('manifest-unsealed', `package: the audit excerpt has no seal for session ${sessionId}`, MANIFEST_FILE);
    else if (mismatch) err('manifest-altered', `package: ${MANIFEST_FILE} altered (${mismatch})`, MANIFEST_FILE);
    try {
      m = manifestSchema.parse(JSON.parse(manifestBytes.toString('utf8')));
    } catch {
      err('manifest-unreadable', `package: ${MANIFEST_FILE} is unreadable`, MANIFEST_FILE);
    }
    if (m) problems.push(...checkAgainstCheckpoints(m, sessionId, checkpointed, 'package'), ...defectWarnings(m, sessionId, 'package'));
  }

  // Every segment against the manifest.
  let segments = 0;
  const hashed = new Map<string, { sha256: string; sm3: string }>();
  const hashOf = async (rel: string, e: TarEntry) => {
    let h = hashed.get(rel);
    if (!h) hashed.set(rel, (h = await hashTarEntry(file, e)));
    return h;
  };
  for (const { segment } of m ? allSegments(m) : []) {
    segments++;
    const e = byName.get(`${top}/${segment.file}`);
    if (!e) {
      err('segment-missing', `package: segment ${segment.file} is missing`, segment.file);
      continue;
    }
    const h = await hashOf(segment.file, e);
    if (h.sha256 !== segment.sha256 || e.size !== segment.bytes || (segment.sm3 !== undefined && h.sm3 !== segment.sm3)) {
      err('segment-altered', `package: segment ${segment.file} altered (sha256 ${segment.sha256} expected, found ${h.sha256})`, segment.file);
    }
  }

  // Derived copies: each recorded in the audit excerpt with the hash it has.
  for (const d of info.success ? info.data.derived : []) {
    const e = byName.get(`${top}/${d.file}`);
    const entry = recorded.get(d.auditSeq);
    if (!e) {
      err('segment-missing', `package: derived file ${d.file} is missing`, d.file);
      continue;
    }
    const h = await hashOf(d.file, e);
    if (h.sha256 !== d.sha256 || h.sm3 !== d.sm3) err('segment-altered', `package: derived file ${d.file} altered (sha256 ${d.sha256} expected, found ${h.sha256})`, d.file);
    if (!entry || entry.sessionId !== sessionId || entry.details.sha256 !== d.sha256) err('audit-chain', `package: derived file ${d.file} is not recorded with this hash in the audit excerpt (entry ${d.auditSeq})`, d.file);
  }

  // SHA256SUMS and SM3SUMS (for people checking with `sha256sum -c` / `gmssl sm3`) must agree with what is there.
  for (const [name, algo] of [[PACKAGE_HASHES_FILE, 'sha256'], [PACKAGE_SM3_FILE, 'sm3']] as const) {
    const sums = read(name);
    if (!sums) {
      if (name === PACKAGE_HASHES_FILE || v2) err('package-file', `package: ${name} is missing`, name);
      continue;
    }
    for (const [sum, rel] of parseSums(sums.toString('utf8'), err, name)) {
      const e = byName.get(`${top}/${rel}`);
      if (!e) {
        err('segment-missing', `package: ${rel} listed in ${name} is missing`, rel);
        continue;
      }
      if ((await hashOf(rel, e))[algo] !== sum) err('segment-altered', `package: ${rel} does not match ${name}`, rel);
    }
  }

  // Signatures and trusted timestamps, in the excerpt and as the files OpenSSL checks.
  let keys: PublicKeyRecord[] = [];
  const keysBytes = read(PACKAGE_KEYS_FILE);
  if (keysBytes) {
    const parsed = publishedKeysSchema.safeParse(safeJson(keysBytes.toString('utf8')));
    if (parsed.success) keys = parsed.data.keys;
    else err('signature-invalid', `package: ${PACKAGE_KEYS_FILE} is unreadable`, PACKAGE_KEYS_FILE);
  } else if (v2) err('package-file', `package: ${PACKAGE_KEYS_FILE} is missing`, PACKAGE_KEYS_FILE);
  const packagedCa = read(PACKAGE_TSA_CA_FILE)?.toString('utf8');
  const ca = opts.tsaCaPem ? { source: 'given' as const, pem: opts.tsaCaPem } : packagedCa ? { source: 'package' as const, pem: packagedCa } : undefined;
  const evidence = await checkEvidence(auditLines, { keys, tsaCaPem: ca?.pem, where: 'package', auditFile: PACKAGE_AUDIT_FILE });
  problems.push(...evidence.problems);
  if (v2) problems.push(...(await checkEvidenceFiles(auditLines, keys, ca?.pem, read, byName, top)));
  return report(problems, {
    sessionsChecked: m ? 1 : 0,
    segmentsChecked: segments,
    auditEntries: auditLines.length,
    deleted: [],
    signaturesChecked: evidence.statements,
    timestampsChecked: ca ? evidence.tokens : 0,
    trust: trustOf(keys, ca),
  });
}

/**
 * The statement, signature and token files an export writes for each signed statement in its
 * excerpt: byte for byte what the excerpt says, and each signature and token valid on its own.
 */
async function checkEvidenceFiles(
  auditLines: readonly string[],
  keys: readonly PublicKeyRecord[],
  caPem: string | undefined,
  read: (rel: string) => Buffer | undefined,
  byName: Map<string, TarEntry>,
  top: string,
): Promise<VerifyProblem[]> {
  const problems: VerifyProblem[] = [];
  const fail = (kind: ProblemKind, file: string, message: string) => problems.push({ severity: 'error', kind, file, message: `package: ${file} ${message}` });
  const { statements, timestamps } = evidenceOf(auditLines);
  const keyById = new Map(keys.map((k) => [k.keyId, k]));
  for (const s of statements.values()) {
    const name = statementFileName(s.statement);
    const bytes = statementBytes(s.statement);
    const onFile = read(name);
    if (!onFile) fail('package-file', name, 'is missing');
    else if (!onFile.equals(bytes)) fail('package-file', name, `differs from the statement in audit entry ${s.entry.seq}`);
    for (const sig of s.signatures) {
      const sigName = `${name}.${sig.alg}.sig`;
      const sigBytes = read(sigName);
      const key = keyById.get(sig.keyId);
      if (!sigBytes) fail('package-file', sigName, 'is missing');
      else if (!key || !verifySignature(bytes, { ...sig, value: sigBytes.toString('base64') }, key)) fail('signature-invalid', sigName, `does not verify with key ${sig.keyId}`);
      else if (sigBytes.toString('base64') !== sig.value) fail('signature-invalid', sigName, `differs from the signature in audit entry ${s.entry.seq}`);
    }
  }
  for (const t of timestamps) {
    const subject = statements.get(t.subjectSeq);
    if (!subject) continue;
    const name = `${statementFileName(subject.statement)}.tsr`;
    const onFile = read(name);
    if (!onFile) {
      fail('package-file', name, 'is missing');
      continue;
    }
    if (caPem) {
      const r = await verifyTimestamp(onFile, statementBytes(subject.statement), caPem);
      if (!r.ok) {
        fail('timestamp-invalid', name, `does not verify (${r.error})`);
        continue;
      }
    }
    if (!onFile.equals(t.token)) fail('timestamp-invalid', name, `differs from the token in audit entry ${t.entry.seq}`);
  }
  // Anything under evidence/ the excerpt does not account for.
  const expected = new Set<string>();
  for (const s of statements.values()) {
    const name = statementFileName(s.statement);
    expected.add(name).add(`${name}.tsr`);
    for (const sig of s.signatures) expected.add(`${name}.${sig.alg}.sig`);
  }
  for (const n of byName.keys()) {
    const rel = n.slice(top.length + 1);
    if (rel.startsWith('evidence/') && !expected.has(rel)) problems.push({ severity: 'warning', kind: 'unlisted-file', file: rel, message: `package: ${rel} is not accounted for by the audit excerpt` });
  }
  return problems;
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
