// The archive's proofs beyond its own hashes (最高法 2018 互联网法院规定 Art. 11: hash check, trusted
// timestamp, e-signature, chained log): every sealed manifest and an hourly audit checkpoint are
// signed by the node's archive keys and get an RFC 3161 token from the configured TSA.
//
// Signatures and tokens live in the audit chain itself: the seal entry carries its statement and
// signatures, an `audit-checkpoint` entry signs the head before it, and a `timestamp` entry
// carries the token once the TSA answered. What still lacks a token is therefore read from the
// chain at start: a TSA that is down delays tokens, never loses them. While it is down (or not
// configured) the state is an alarm — metric, /healthz, the archive and coordinator pages — and
// requests are retried with back-off until it answers.
import fs from 'node:fs';
import { SafeEmitter } from '../server/core/safe-emitter.ts';
import type { Logger } from '../server/core/log.ts';
import { SYSTEM_ACTOR, sha256Hex, sm3Hex, type AppendInput, type AuditActor, type AuditEntry, type AuditLog } from '../server/core/audit-chain.ts';
import { ArchiveKeys, signatureSchema, type PublicKeyRecord, type SigningAlgorithm } from './archive-keys.ts';
import { STATEMENT_FORMAT, statementBytes, statementSchema, type CheckpointStatement, type SealStatement, type Statement } from './statements.ts';
import { requestTimestamp, type TsaConfig } from './tsa.ts';
import type { TimestampStatus } from '../server/protocol/http/archive-shapes.ts';
import { z } from 'zod';

export type { TimestampStatus };

export interface EvidenceOptions {
  /** Private key folder (default DATA_DIR/keys). */
  keyDir: string;
  /** Default both. */
  algorithms?: readonly SigningAlgorithm[];
  /** Unset: no tokens are requested and the state is `unconfigured` (an alarm too). */
  tsa?: TsaConfig;
  /** Back-off between TSA attempts while it fails (default 5 s doubling to 5 min). */
  retryMs?: { min: number; max: number };
  nodeId?: string;
  log?: Logger;
}

export interface EvidenceEvents {
  /** The timestamping state changed (ok ↔ unreachable, pending count). */
  state: [TimestampStatus];
  /** A token was received and appended to the chain. */
  stamped: [{ entry: AuditEntry }];
  /** A session's manifest was sealed (its seal entry is durable). */
  sealed: [{ sessionId: string; entry: AuditEntry }];
}

/** The part of a seal or checkpoint entry's details this module writes and reads. */
export const statementDetailsSchema = z.object({ statement: statementSchema, signatures: z.array(signatureSchema) });

export const timestampDetailsSchema = z.object({
  /** seq of the entry whose statement this token stamps. */
  subjectSeq: z.number().int(),
  kind: z.enum(['manifest-seal', 'audit-checkpoint']),
  statementSha256: z.string(),
  token: z.string(),
  genTime: z.string(),
  serial: z.string(),
  tsa: z.string(),
});
export type TimestampDetails = z.infer<typeof timestampDetailsSchema>;

interface Pending {
  seq: number;
  sessionId?: string;
  statement: Statement;
}

export class ArchiveEvidence extends SafeEmitter<EvidenceEvents> {
  readonly keys: ArchiveKeys;
  readonly #audit: AuditLog;
  readonly #o: EvidenceOptions;
  readonly #pending = new Map<number, Pending>();
  #status: TimestampStatus;
  /** Set once the chain names every current key (checked before the first signature). */
  #keysAnnounced: Promise<void> | undefined;
  #worker: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #closed = false;

  constructor(audit: AuditLog, publishDir: string, o: EvidenceOptions) {
    super();
    this.#audit = audit;
    this.#o = o;
    this.keys = ArchiveKeys.open({ keyDir: o.keyDir, publishDir, algorithms: o.algorithms ?? ['sm2', 'ed25519'], ...(o.nodeId ? { nodeId: o.nodeId } : {}) });
    this.#status = { state: o.tsa ? 'ok' : 'unconfigured', pending: 0, ...(o.tsa ? { tsaUrl: o.tsa.url } : {}) };
    this.#collectPending();
    this.#kick();
  }

  get status(): TimestampStatus {
    return { ...this.#status };
  }

  get publicKeys(): PublicKeyRecord[] {
    return this.keys.current;
  }

  /** The TSA's CA (PEM) as configured, for exports; undefined without a TSA. */
  tsaCaPem(): string | undefined {
    return this.#o.tsa ? fs.readFileSync(this.#o.tsa.caFile, 'utf8') : undefined;
  }

  /**
   * Appends a seal (recording-stop, recording-interrupted): the manifest's SHA-256 and SM3, a
   * signed statement about it, and queues its timestamp. Resolves once the entry is durable.
   */
  async seal(input: { type: 'recording-stop' | 'recording-interrupted'; sessionId: string; actor?: AuditActor; manifestBytes: Buffer; details?: Record<string, unknown> }): Promise<AuditEntry> {
    const manifestSha256 = sha256Hex(input.manifestBytes);
    const manifestSm3 = sm3Hex(input.manifestBytes);
    const statement: SealStatement = {
      format: STATEMENT_FORMAT,
      kind: 'manifest-seal',
      sessionId: input.sessionId,
      file: 'manifest.json',
      sha256: manifestSha256,
      sm3: manifestSm3,
      bytes: input.manifestBytes.length,
      signedAt: new Date().toISOString(),
    };
    await this.#announceKeys();
    const entry = await this.#audit.append({
      type: input.type,
      sessionId: input.sessionId,
      actor: input.actor ?? SYSTEM_ACTOR,
      details: { ...input.details, manifestSha256, manifestSm3, statement, signatures: this.keys.sign(statementBytes(statement)) },
    });
    this.#enqueue({ seq: entry.seq, sessionId: input.sessionId, statement });
    this.emit('sealed', { sessionId: input.sessionId, entry });
    return entry;
  }

  /**
   * Signs the chain's head: an `audit-checkpoint` entry whose statement names the entry right
   * before it. Nothing is written when the chain has not moved since the last checkpoint.
   */
  async checkpoint(): Promise<AuditEntry | undefined> {
    const last = this.#audit.entries().at(-1);
    if (!last || last.type === 'audit-checkpoint' || (last.type === 'timestamp' && last.details.kind === 'audit-checkpoint')) return undefined;
    let statement: CheckpointStatement | undefined;
    const input: AppendInput = {
      type: 'audit-checkpoint',
      actor: SYSTEM_ACTOR,
      details: (head) => {
        statement = { format: STATEMENT_FORMAT, kind: 'audit-checkpoint', log: 'audit.jsonl', seq: head.seq, hash: head.hash, hashSm3: head.hashSm3, signedAt: new Date().toISOString() };
        return { statement, signatures: this.keys.sign(statementBytes(statement)) };
      },
    };
    await this.#announceKeys();
    const entry = await this.#audit.append(input);
    this.#enqueue({ seq: entry.seq, statement: statement! });
    return entry;
  }

  /** checkpoint() every `everyMs` (default hourly); returns a function that stops it. */
  scheduleCheckpoints(everyMs = 3_600_000): () => void {
    const timer = setInterval(() => void this.checkpoint().catch((err: unknown) => this.#o.log?.error({ err }, 'audit checkpoint failed')), everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Resolves when nothing is waiting for a token (tests; shutdown with a reachable TSA). */
  async settled(): Promise<void> {
    while (this.#worker) await this.#worker;
  }

  close(): void {
    this.#closed = true;
    this.#wake?.();
  }

  /** A `key-published` entry for each current key the chain does not name yet, before its first use. */
  #announceKeys(): Promise<void> {
    this.#keysAnnounced ??= (async () => {
      const named = new Set(this.#audit.entries().flatMap((e) => (e.type === 'key-published' ? [(e.details.key as { keyId?: string } | undefined)?.keyId] : [])));
      for (const key of this.keys.current) if (!named.has(key.keyId)) await this.#audit.append({ type: 'key-published', actor: SYSTEM_ACTOR, details: { key } });
    })().catch((err: unknown) => {
      this.#keysAnnounced = undefined;
      throw err;
    });
    return this.#keysAnnounced;
  }

  #collectPending(): void {
    const stamped = new Set<number>();
    const subjects: Pending[] = [];
    for (const e of this.#audit.entries()) {
      if (e.type === 'timestamp') {
        const t = timestampDetailsSchema.safeParse(e.details);
        if (t.success) stamped.add(t.data.subjectSeq);
        continue;
      }
      const d = statementDetailsSchema.safeParse(e.details);
      if (d.success) subjects.push({ seq: e.seq, ...(e.sessionId ? { sessionId: e.sessionId } : {}), statement: d.data.statement });
    }
    for (const s of subjects) if (!stamped.has(s.seq)) this.#pending.set(s.seq, s);
    this.#setStatus({ pending: this.#pending.size });
  }

  #enqueue(p: Pending): void {
    this.#pending.set(p.seq, p);
    this.#setStatus({ pending: this.#pending.size });
    this.#kick();
  }

  #setStatus(patch: Partial<TimestampStatus>): void {
    const next = { ...this.#status, ...patch };
    const changed = next.state !== this.#status.state || next.pending !== this.#status.pending;
    this.#status = next;
    if (changed) this.emit('state', this.status);
  }

  #kick(): void {
    if (this.#worker || !this.#o.tsa || this.#pending.size === 0 || this.#closed) return;
    this.#worker = this.#drain().finally(() => {
      this.#worker = undefined;
    });
  }

  /** One request at a time, oldest first; on failure the alarm is raised and the wait doubles. */
  async #drain(): Promise<void> {
    const tsa = this.#o.tsa!;
    const { min, max } = this.#o.retryMs ?? { min: 5_000, max: 300_000 };
    let wait = min;
    while (!this.#closed && this.#pending.size > 0) {
      const p = [...this.#pending.values()].sort((a, b) => a.seq - b.seq)[0]!;
      const bytes = statementBytes(p.statement);
      try {
        const t = await requestTimestamp(tsa, bytes);
        const details: TimestampDetails = {
          subjectSeq: p.seq,
          kind: p.statement.kind,
          statementSha256: sha256Hex(bytes),
          token: t.token.toString('base64'),
          genTime: t.genTime,
          serial: t.serial,
          tsa: tsa.url,
        };
        const entry = await this.#audit.append({ type: 'timestamp', ...(p.sessionId ? { sessionId: p.sessionId } : {}), actor: SYSTEM_ACTOR, details });
        this.#pending.delete(p.seq);
        wait = min;
        const { lastError: _cleared, since: _since, ...rest } = this.#status;
        this.#status = rest;
        this.#setStatus({ state: 'ok', pending: this.#pending.size, lastTokenAt: t.genTime });
        this.emit('stamped', { entry });
      } catch (err) {
        const message = (err as Error).message;
        if (this.#status.state !== 'unreachable') this.#o.log?.error({ err: message, pending: this.#pending.size }, 'trusted timestamp authority unreachable: tokens are pending');
        this.#setStatus({ state: 'unreachable', lastError: message, since: this.#status.state === 'unreachable' ? this.#status.since : new Date().toISOString() });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          timer.unref();
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = undefined;
        wait = Math.min(wait * 2, max);
      }
    }
  }
}
