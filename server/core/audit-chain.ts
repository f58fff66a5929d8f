// An append-only, hash-chained audit log: one JSON line per event, each carrying the hash of the
// previous line, so removing, reordering or editing any line breaks the chain at a point the
// verifier can name. Two logs use it: the archive's (recording start/stop, view, export, legal
// hold, deletion — recordings/audit-types.ts, `archive:verify`), kept in files by AuditLog here,
// and the system-wide trail (sign-ins, roles, enrolment, directory and configuration changes —
// server/core/system-audit.ts, `audit:verify`), kept in the shared database so every node of a
// cluster appends to one chain. Each log names its own entry types; the chain is the same.
//
// hash = SHA-256(prev + contentHash), contentHash = SHA-256(canonical JSON of the entry's content).
// Beside it runs the same chain in SM3 (GB/T 32905, 国密): hashSm3 = SM3(prevSm3 + contentSm3), so
// the log stands on a Chinese national algorithm as well as on SHA-256. A log written before SM3
// was added starts its SM3 chain at the first entry that has it (prevSm3 = genesis); from there on
// every entry must carry it.
// Hashing content separately lets an evidence package carry only the content hash of entries
// about other sessions (a "stub") and still prove its excerpt is an unbroken piece of the chain,
// without disclosing other people's sessions.
import fs from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { WriteBatches } from './write-batches.ts';

export const GENESIS_HASH = '0'.repeat(64);

/** Entry types are each log's own vocabulary (a short kebab-case word); the chain does not care. */
const auditTypeSchema = z.string().regex(/^[a-z][a-z0-9-]{0,63}$/);

const actorSchema = z.object({
  kind: z.enum(['user', 'system']),
  sub: z.string(),
  name: z.string().optional(),
  role: z.string().optional(),
  /** Where the request came from (client address as the server saw it). */
  from: z.string().optional(),
});
export type AuditActor = z.infer<typeof actorSchema>;

export const SYSTEM_ACTOR: AuditActor = { kind: 'system', sub: 'recorder' };

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const auditEntrySchema = z.object({
  seq: z.number().int().nonnegative(),
  at: z.string(),
  type: auditTypeSchema,
  sessionId: z.string().optional(),
  actor: actorSchema,
  details: z.record(z.string(), z.unknown()),
  prev: hex64,
  hash: hex64,
  prevSm3: hex64.optional(),
  hashSm3: hex64.optional(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** An entry about another session inside an excerpt: enough to carry the chain, nothing more. */
export const auditStubSchema = z.object({
  seq: z.number().int().nonnegative(),
  redacted: z.literal(true),
  contentHash: hex64,
  prev: hex64,
  hash: hex64,
  contentSm3: hex64.optional(),
  prevSm3: hex64.optional(),
  hashSm3: hex64.optional(),
});
export type AuditStub = z.infer<typeof auditStubSchema>;
export type AuditLine = AuditEntry | AuditStub;

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SM3 (GB/T 32905-2016) from Node's OpenSSL. */
export function sm3Hex(data: string | Buffer): string {
  return createHash('sm3').update(data).digest('hex');
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

type EntryContent = Pick<AuditEntry, 'seq' | 'at' | 'type' | 'sessionId' | 'actor' | 'details'>;

function contentOf(entry: EntryContent): string {
  const { seq, at, type, sessionId, actor, details } = entry;
  return canonicalJson({ seq, at, type, sessionId, actor, details });
}

export function contentHashOf(entry: EntryContent): string {
  return sha256Hex(contentOf(entry));
}

export function contentSm3Of(entry: EntryContent): string {
  return sm3Hex(contentOf(entry));
}

export function chainHash(prev: string, contentHash: string): string {
  return sha256Hex(prev + contentHash);
}

export function chainSm3(prev: string, contentSm3: string): string {
  return sm3Hex(prev + contentSm3);
}

/** Where the chain ends: the last entry's seq and both hashes. */
export interface ChainHead {
  seq: number;
  hash: string;
  hashSm3: string;
}

export interface AppendInput<T extends string = string> {
  type: T;
  sessionId?: string;
  actor: AuditActor;
  /**
   * A function is called under the lock with the head the entry will follow (an audit
   * checkpoint signs exactly the chain before it). It runs on the loop: keep it short.
   */
  details?: Record<string, unknown> | ((head: ChainHead) => Record<string, unknown>);
}

/** The genesis head: where an empty log's first entry chains on. */
export const EMPTY_HEAD: ChainHead = { seq: -1, hash: GENESIS_HASH, hashSm3: GENESIS_HASH };

/**
 * The entries `inputs` become when chained on `head`, all stamped `at`: the one place a log's
 * next entries are made, whatever stores them (a file here, a table for the system trail). The
 * caller holds whatever lock makes `head` the true end of its log.
 */
export function chainOn(head: ChainHead, inputs: readonly AppendInput[], at: string): AuditEntry[] {
  let { seq, hash, hashSm3 } = head;
  return inputs.map((input) => {
    const details = typeof input.details === 'function' ? input.details({ seq, hash, hashSm3 }) : (input.details ?? {});
    const base = {
      seq: ++seq,
      at,
      type: input.type,
      ...(input.sessionId !== undefined ? { sessionId: input.sessionId } : {}),
      actor: input.actor,
      details,
    };
    const entry: AuditEntry = {
      ...base,
      prev: hash,
      hash: chainHash(hash, contentHashOf(base)),
      prevSm3: hashSm3,
      hashSm3: chainSm3(hashSm3, contentSm3Of(base)),
    };
    hash = entry.hash;
    hashSm3 = entry.hashSm3!;
    return entry;
  });
}

/** Where the chain ends, as this process last wrote it, and the file as it was then. */
interface Head extends ChainHead {
  size: number;
  ino: number;
  mtimeMs: number;
}

const LOCK_WAIT_MS = 10_000;
/** A holder that died leaves the lock file behind; a batch takes milliseconds, so 10 s is stale. */
const LOCK_STALE_MS = 10_000;
// Hashing is on the loop (~15–40 µs an entry here): a cap keeps one batch from stalling it.
const MAX_BATCH = 100;

/**
 * The one writer of one log file in this process. Appends queue in memory; a drain writes
 * whatever has queued as one batch — one write, one fdatasync — under the cross-process lock
 * file, and resolves each append once its batch is durable. The chain head (seq, hash) stays in
 * memory; the tail is re-read only when the file is not as this writer left it (size, inode or
 * mtime changed), i.e. when another process (the retention sweep CLI) appended meanwhile.
 * Nothing here blocks the event loop: no sync I/O, no spin-wait.
 */
class AuditWriter {
  #head: Head | undefined;
  // On a failed batch, whatever reached the file is read back next time.
  readonly #batches = new WriteBatches<AppendInput, AuditEntry>((inputs) => this.#write(inputs), MAX_BATCH, () => (this.#head = undefined));

  constructor(readonly file: string) {}

  append(input: AppendInput): Promise<AuditEntry> {
    return this.#batches.add(input);
  }

  /** Resolves when everything queued so far has been written (or has failed). */
  flushed(): Promise<void> {
    return this.#batches.flushed();
  }

  async #write(inputs: readonly AppendInput[]): Promise<AuditEntry[]> {
    const unlock = await this.#lock();
    try {
      const fh = await fsp.open(this.file, 'a+');
      try {
        const before = await fh.stat();
        const known = this.#head;
        const unchanged = known && known.size === before.size && known.ino === before.ino && known.mtimeMs === before.mtimeMs;
        // One time for the batch, taken under the lock: `at` never goes backwards along the chain.
        const entries = chainOn(unchanged ? known : await this.#readHead(fh, before.size), inputs, new Date().toISOString());
        const { seq, hash } = entries.at(-1)!;
        const hashSm3 = entries.at(-1)!.hashSm3!;
        const data = Buffer.from(entries.map((e) => JSON.stringify(e) + '\n').join(''));
        try {
          const { bytesWritten } = await fh.write(data, 0, data.length);
          if (bytesWritten !== data.length) throw new Error(`audit log ${this.file}: short write (${bytesWritten} of ${data.length} bytes)`);
          await fh.datasync();
        } catch (err) {
          // A full disk can leave part of the batch: cut it off, or the chain ends in a broken line.
          await fh.truncate(before.size).catch(() => undefined);
          throw err;
        }
        const after = await fh.stat();
        this.#head = { seq, hash, hashSm3, size: after.size, ino: after.ino, mtimeMs: after.mtimeMs };
        return entries;
      } finally {
        await fh.close();
      }
    } finally {
      await unlock();
    }
  }

  async #readHead(fh: FileHandle, size: number): Promise<ChainHead> {
    if (size === 0) return EMPTY_HEAD;
    // Entries are small; 64 KiB always holds the last complete line.
    const len = Math.min(size, 64 * 1024);
    const { buffer } = await fh.read(Buffer.alloc(len), 0, len, size - len);
    const lines = buffer.toString('utf8').split('\n').filter((l) => l.length > 0);
    const parsed = z.object({ seq: z.number(), hash: hex64, hashSm3: hex64.optional() }).safeParse(safeJson(lines[lines.length - 1] ?? ''));
    if (!parsed.success) throw new Error(`audit log ${this.file}: last line is unreadable; refusing to extend a broken chain`);
    // A log from before SM3 starts its SM3 chain here.
    return { seq: parsed.data.seq, hash: parsed.data.hash, hashSm3: parsed.data.hashSm3 ?? GENESIS_HASH };
  }

  /** The lock file other processes on this host (the CLI) also take; waited for with timers. */
  async #lock(): Promise<() => Promise<void>> {
    const lockFile = `${this.file}.lock`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
      try {
        await (await fsp.open(lockFile, 'wx')).close();
        return () => fsp.rm(lockFile, { force: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const stat = await fsp.stat(lockFile).catch(() => undefined);
        if (stat && Date.now() - stat.mtimeMs > LOCK_STALE_MS) await fsp.rm(lockFile, { force: true });
        if (Date.now() > deadline) throw new Error(`audit log ${this.file}: lock busy`);
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }
}

/** One writer per file in this process, whichever AuditLog instance appends. */
const writers = new Map<string, AuditWriter>();

/** Told of every entry this AuditLog appended, once it is durable; the append waits for it. */
export type AuditObserver = (entry: AuditEntry) => Promise<void>;

export class AuditLog<T extends string = string> {
  readonly #writer: AuditWriter;
  readonly #observer: AuditObserver | undefined;

  /**
   * `observer` is how another trail learns of this one's entries (the archive's people's actions
   * are mirrored into the system trail the audit administrator searches: recordings/audit-mirror.ts).
   */
  constructor(readonly file: string, observer?: AuditObserver) {
    this.#observer = observer;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const key = path.resolve(file);
    let writer = writers.get(key);
    if (!writer) writers.set(key, (writer = new AuditWriter(key)));
    this.#writer = writer;
  }

  /**
   * Queues an entry; resolves with it once it is on disk and fsync'd (an entry the caller saw
   * resolved survives a power cut). Appends from this process are chained in call order; a CLI
   * appending to the same file at the same time takes the lock file between two batches. With an
   * observer, it resolves once the observer has taken the entry too.
   */
  async append(input: AppendInput<T>): Promise<AuditEntry> {
    const entry = await this.#writer.append(input);
    await this.#observer?.(entry);
    return entry;
  }

  /** Resolves once every append made so far in this process is written (or has failed). */
  flushed(): Promise<void> {
    return this.#writer.flushed();
  }

  /** Every well-formed entry on disk, in file order. Malformed lines are reported by verifyAuditChain. */
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

  /** The last entry on disk: where the next append will chain on. */
  head(): ChainHead {
    const last = this.entries().at(-1);
    return last ? { seq: last.seq, hash: last.hash, hashSm3: last.hashSm3 ?? GENESIS_HASH } : EMPTY_HEAD;
  }

  /**
   * The contiguous piece of the chain from the session's first entry to its last, with entries
   * about other sessions reduced to stubs. Audit checkpoints and their timestamps stay whole:
   * they name no one, and they are what anchors the piece in time.
   */
  excerptFor(sessionId: string): AuditLine[] {
    const all = this.entries();
    const first = all.findIndex((e) => e.sessionId === sessionId);
    if (first < 0) return [];
    let last = first;
    all.forEach((e, i) => {
      if (e.sessionId === sessionId) last = i;
    });
    return all.slice(first, last + 1).map((e): AuditLine => (e.sessionId === sessionId || isChainEvidence(e) ? e : stubOf(e)));
  }
}

/** Entries about the chain itself, not about anyone's session. */
export function isChainEvidence(e: AuditEntry): boolean {
  return e.sessionId === undefined && (e.type === 'audit-checkpoint' || e.type === 'timestamp' || e.type === 'key-published');
}

function stubOf(e: AuditEntry): AuditStub {
  return {
    seq: e.seq,
    redacted: true,
    contentHash: contentHashOf(e),
    prev: e.prev,
    hash: e.hash,
    ...(e.hashSm3 ? { contentSm3: contentSm3Of(e), prevSm3: e.prevSm3, hashSm3: e.hashSm3 } : {}),
  };
}

export interface ChainProblem {
  line: number;
  seq?: number;
  problem: string;
}

/**
 * Walks lines (full entries or stubs) one at a time and names every break, so a trail of any
 * length is checked in pages rather than held whole. `fromGenesis`: the first line must point at
 * the genesis hash (a whole log); otherwise at whatever it says (an excerpt proves continuity from
 * there on, not from genesis).
 */
export class AuditChainWalk {
  readonly problems: ChainProblem[] = [];
  #lineNo = 0;
  #prevHash: string | undefined;
  #prevSeq: number | undefined;
  // The previous line's SM3 head: GENESIS while none had one, undefined when unknown (an
  // excerpt's first line, or after an unreadable line).
  #prevSm3: string | undefined;
  #sm3Started = false;

  constructor(opts: { fromGenesis: boolean }) {
    this.#prevHash = opts.fromGenesis ? GENESIS_HASH : undefined;
    this.#prevSm3 = opts.fromGenesis ? GENESIS_HASH : undefined;
  }

  /** Lines walked so far. */
  get lines(): number {
    return this.#lineNo;
  }

  push(raw: string): void {
    const lineNo = ++this.#lineNo;
    const problems = this.problems;
    const json = safeJson(raw);
    const full = auditEntrySchema.safeParse(json);
    const stub = full.success ? undefined : auditStubSchema.safeParse(json);
    if (!full.success && !stub?.success) {
      problems.push({ line: lineNo, problem: 'unreadable audit entry (not valid JSON or wrong shape)' });
      this.#prevHash = undefined;
      this.#prevSeq = undefined;
      this.#prevSm3 = undefined;
      return;
    }
    const e: AuditLine = full.success ? full.data : stub!.data!;
    const content = 'redacted' in e ? e.contentHash : contentHashOf(e);
    const sm3 = sm3State(e, this.#prevSm3, this.#sm3Started);
    if (this.#prevSeq !== undefined && e.seq !== this.#prevSeq + 1) {
      problems.push({ line: lineNo, seq: e.seq, problem: `sequence jumps from ${this.#prevSeq} to ${e.seq} (entries removed or reordered)` });
    }
    const linkBroken = this.#prevHash !== undefined && e.prev !== this.#prevHash;
    if (linkBroken) {
      problems.push({ line: lineNo, seq: e.seq, problem: 'prev hash does not match the previous entry (chain broken: an entry before it was removed, inserted or altered)' });
    } else if (sm3.linkBroken) {
      problems.push({ line: lineNo, seq: e.seq, problem: 'SM3 prev hash does not match the previous entry (chain broken)' });
    }
    // One finding per altered line, whichever of the two chains shows it.
    if (chainHash(e.prev, content) !== e.hash) {
      problems.push({ line: lineNo, seq: e.seq, problem: 'entry content does not match its hash (entry altered)' });
    } else if (sm3.problem) {
      problems.push({ line: lineNo, seq: e.seq, problem: sm3.problem });
    }
    if (e.hashSm3) this.#sm3Started = true;
    this.#prevHash = e.hash;
    this.#prevSeq = e.seq;
    this.#prevSm3 = e.hashSm3 ?? (this.#sm3Started ? undefined : this.#prevSm3);
  }
}

/** The whole of `lines` walked at once (an archive's log, an excerpt). */
export function verifyAuditChain(lines: readonly string[], opts: { fromGenesis: boolean }): ChainProblem[] {
  const walk = new AuditChainWalk(opts);
  for (const line of lines) walk.push(line);
  return walk.problems;
}

/** The SM3 chain of one line: present once started, linked to the line before, matching the content. */
function sm3State(e: AuditLine, prevSm3: string | undefined, started: boolean): { linkBroken: boolean; problem?: string } {
  if (!e.hashSm3 || !e.prevSm3) {
    return started ? { linkBroken: false, problem: 'SM3 chain hash missing after the SM3 chain began (entry altered)' } : { linkBroken: false };
  }
  const content = 'redacted' in e ? e.contentSm3 : contentSm3Of(e);
  // Before any line had SM3 the chain starts at genesis; in an excerpt the first line is taken as given.
  const expectedPrev = started ? prevSm3 : prevSm3 === undefined ? undefined : GENESIS_HASH;
  const linkBroken = expectedPrev !== undefined && e.prevSm3 !== expectedPrev;
  if (!content || chainSm3(e.prevSm3, content) !== e.hashSm3) return { linkBroken, problem: 'entry content does not match its SM3 hash (entry altered)' };
  return { linkBroken };
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
