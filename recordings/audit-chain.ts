// The archive's append-only audit log: one JSON line per event (recording start/stop, view,
// export, legal hold, deletion…), each carrying the hash of the previous line, so removing,
// reordering or editing any line breaks the chain at a point `archive:verify` can name.
//
// hash = SHA-256(prev + contentHash), contentHash = SHA-256(canonical JSON of the entry's content).
// Hashing content separately lets an evidence package carry only the content hash of entries
// about other sessions (a "stub") and still prove its excerpt is an unbroken piece of the chain,
// without disclosing other people's sessions.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const GENESIS_HASH = '0'.repeat(64);

export const AUDIT_TYPES = [
  'recording-start',
  'recording-stop',
  'recording-interrupted',
  'segments-checkpoint',
  'participant-joined',
  'participant-left',
  'view',
  'view-segment',
  'search',
  'bookmark',
  'verify',
  'export',
  'export-completed',
  'export-download',
  'legal-hold',
  'legal-hold-release',
  'deletion',
] as const;
export type AuditType = (typeof AUDIT_TYPES)[number];

const actorSchema = z.object({
  kind: z.enum(['user', 'system']),
  sub: z.string(),
  name: z.string().optional(),
  role: z.string().optional(),
});
export type AuditActor = z.infer<typeof actorSchema>;

export const SYSTEM_ACTOR: AuditActor = { kind: 'system', sub: 'recorder' };

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const auditEntrySchema = z.object({
  seq: z.number().int().nonnegative(),
  at: z.string(),
  type: z.enum(AUDIT_TYPES),
  sessionId: z.string().optional(),
  actor: actorSchema,
  details: z.record(z.string(), z.unknown()),
  prev: hex64,
  hash: hex64,
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** An entry about another session inside an excerpt: enough to carry the chain, nothing more. */
export const auditStubSchema = z.object({
  seq: z.number().int().nonnegative(),
  redacted: z.literal(true),
  contentHash: hex64,
  prev: hex64,
  hash: hex64,
});
export type AuditStub = z.infer<typeof auditStubSchema>;
export type AuditLine = AuditEntry | AuditStub;

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with object keys sorted at every level, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function contentHashOf(entry: Omit<AuditEntry, 'prev' | 'hash'>): string {
  const { seq, at, type, sessionId, actor, details } = entry;
  return sha256Hex(canonicalJson({ seq, at, type, sessionId, actor, details }));
}

export function chainHash(prev: string, contentHash: string): string {
  return sha256Hex(prev + contentHash);
}

export interface AppendInput {
  type: AuditType;
  sessionId?: string;
  actor: AuditActor;
  details?: Record<string, unknown>;
}

export class AuditLog {
  readonly #lockFile: string;

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.#lockFile = `${file}.lock`;
  }

  /**
   * Appends synchronously under a lock file, re-reading the tail each time, so a CLI (retention
   * sweep) and the server can both append without forking the chain. fsync'd: an entry the
   * caller saw returned survives a power cut.
   */
  append(input: AppendInput): AuditEntry {
    return this.#withLock(() => {
      const last = this.#lastLine();
      const base = {
        seq: last ? last.seq + 1 : 0,
        at: new Date().toISOString(),
        type: input.type,
        ...(input.sessionId !== undefined ? { sessionId: input.sessionId } : {}),
        actor: input.actor,
        details: input.details ?? {},
      };
      const prev = last ? last.hash : GENESIS_HASH;
      const entry: AuditEntry = { ...base, prev, hash: chainHash(prev, contentHashOf(base)) };
      const fd = fs.openSync(this.file, 'a');
      try {
        fs.writeSync(fd, JSON.stringify(entry) + '\n');
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      return entry;
    });
  }

  /** Every well-formed entry, in file order. Malformed lines are reported by verifyAuditChain. */
  entries(): AuditEntry[] {
    const out: AuditEntry[] = [];
    for (const line of this.rawLines()) {
      const parsed = auditEntrySchema.safeParse(safeJson(line));
      if (parsed.success) out.push(parsed.data);
    }
    return out;
  }

  rawLines(): string[] {
    if (!fs.existsSync(this.file)) return [];
    return fs.readFileSync(this.file, 'utf8').split('\n').filter((l) => l.length > 0);
  }

  /**
   * The contiguous piece of the chain from the session's first entry to its last, with entries
   * about other sessions reduced to stubs.
   */
  excerptFor(sessionId: string): AuditLine[] {
    const all = this.entries();
    const first = all.findIndex((e) => e.sessionId === sessionId);
    if (first < 0) return [];
    let last = first;
    all.forEach((e, i) => {
      if (e.sessionId === sessionId) last = i;
    });
    return all.slice(first, last + 1).map((e): AuditLine =>
      e.sessionId === sessionId
        ? e
        : { seq: e.seq, redacted: true, contentHash: contentHashOf(e), prev: e.prev, hash: e.hash },
    );
  }

  #lastLine(): { seq: number; hash: string } | undefined {
    if (!fs.existsSync(this.file)) return undefined;
    const fd = fs.openSync(this.file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      if (size === 0) return undefined;
      // Entries are small; 64 KiB always holds the last complete line.
      const len = Math.min(size, 64 * 1024);
      const buf = Buffer.alloc(len);
      fs.readSync(fd, buf, 0, len, size - len);
      const lines = buf.toString('utf8').split('\n').filter((l) => l.length > 0);
      const parsed = z.object({ seq: z.number(), hash: hex64 }).safeParse(safeJson(lines[lines.length - 1] ?? ''));
      if (!parsed.success) throw new Error(`audit log ${this.file}: last line is unreadable; refusing to extend a broken chain`);
      return parsed.data;
    } finally {
      fs.closeSync(fd);
    }
  }

  #withLock<T>(fn: () => T): T {
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        fs.closeSync(fs.openSync(this.#lockFile, 'wx'));
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        // A holder that died leaves the lock behind; appends take milliseconds, so 10 s is stale.
        try {
          if (Date.now() - fs.statSync(this.#lockFile).mtimeMs > 10_000) fs.rmSync(this.#lockFile, { force: true });
        } catch {
          /* removed meanwhile */
        }
        if (Date.now() > deadline) throw new Error(`audit log ${this.file}: lock busy`);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      }
    }
    try {
      return fn();
    } finally {
      fs.rmSync(this.#lockFile, { force: true });
    }
  }
}

export interface ChainProblem {
  line: number;
  seq?: number;
  problem: string;
}

/**
 * Walks lines (full entries or stubs) and names every break. `startPrev` is the hash the first
 * line must point at: the genesis hash for a whole log; for an excerpt, whatever its first line
 * says (an excerpt proves continuity from there on, not from genesis).
 */
export function verifyAuditChain(lines: readonly string[], opts: { fromGenesis: boolean }): ChainProblem[] {
  const problems: ChainProblem[] = [];
  let prevHash: string | undefined = opts.fromGenesis ? GENESIS_HASH : undefined;
  let prevSeq: number | undefined;
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const json = safeJson(raw);
    const full = auditEntrySchema.safeParse(json);
    const stub = full.success ? undefined : auditStubSchema.safeParse(json);
    if (!full.success && !stub?.success) {
      problems.push({ line: lineNo, problem: 'unreadable audit entry (not valid JSON or wrong shape)' });
      prevHash = undefined;
      prevSeq = undefined;
      return;
    }
    const e: AuditLine = full.success ? full.data : stub!.data!;
    const content = 'redacted' in e ? e.contentHash : contentHashOf(e);
    if (prevSeq !== undefined && e.seq !== prevSeq + 1) {
      problems.push({ line: lineNo, seq: e.seq, problem: `sequence jumps from ${prevSeq} to ${e.seq} (entries removed or reordered)` });
    }
    if (prevHash !== undefined && e.prev !== prevHash) {
      problems.push({ line: lineNo, seq: e.seq, problem: 'prev hash does not match the previous entry (chain broken: an entry before it was removed, inserted or altered)' });
    }
    if (chainHash(e.prev, content) !== e.hash) {
      problems.push({ line: lineNo, seq: e.seq, problem: 'entry content does not match its hash (entry altered)' });
    }
    prevHash = e.hash;
    prevSeq = e.seq;
  });
  return problems;
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
