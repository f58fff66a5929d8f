// The audit trail as people read it: every view, play, export, hold, release and deletion of a
// session or a case, or everything one person did in a period (the audit administrator's
// search), with who, when and from where — and whether the chain holding it is intact.
import fs from 'node:fs';
import { verifyAuditChain, type AuditEntry, type AuditLog } from '../server/core/audit-chain.ts';
import { verifySignature, type PublicKeyRecord } from './archive-keys.ts';
import { statementDetailsSchema, timestampDetailsSchema } from './evidence.ts';
import { statementBytes } from './statements.ts';
import type { AuditTrail, AuditTrailEntry, ChainStatus } from '../server/protocol/http/archive-shapes.ts';

export interface AuditTrailQuery {
  /** Entries about these sessions (a session's or a case's trail). */
  sessionIds?: readonly string[];
  /** A person: their id exactly, or part of their name. */
  person?: string;
  from?: string;
  to?: string;
  types?: readonly string[];
  limit?: number;
  offset?: number;
}

// Proofs and file lists are for verify, not for reading: the trail names them, without the bytes.
export const BULKY_DETAILS: ReadonlySet<string> = new Set(['signatures', 'statement', 'token', 'segments', 'key']);

function view(e: AuditEntry): AuditTrailEntry {
  const { from, ...actor } = e.actor;
  const details = Object.fromEntries(Object.entries(e.details).filter(([k]) => !BULKY_DETAILS.has(k)));
  return { seq: e.seq, at: e.at, type: e.type, ...(e.sessionId ? { sessionId: e.sessionId } : {}), actor, ...(from ? { from } : {}), details };
}

function matches(e: AuditEntry, q: AuditTrailQuery): boolean {
  if (q.sessionIds && (!e.sessionId || !q.sessionIds.includes(e.sessionId))) return false;
  if (q.person && e.actor.sub !== q.person && !(e.actor.name ?? '').includes(q.person)) return false;
  if (q.from && e.at < q.from) return false;
  if (q.to && e.at > q.to) return false;
  if (q.types && !q.types.includes(e.type)) return false;
  return true;
}

/** Newest first, one page. */
export function readAuditTrail(audit: AuditLog, keys: readonly PublicKeyRecord[], q: AuditTrailQuery): AuditTrail {
  const all = audit.entries().filter((e) => matches(e, q));
  const offset = Math.max(0, q.offset ?? 0);
  const limit = Math.min(Math.max(q.limit ?? 200, 1), 1000);
  const page = all.reverse().slice(offset, offset + limit).map(view);
  return { entries: page, total: all.length, chain: chainStatus(audit, keys) };
}

let cached: { file: string; size: number; mtimeMs: number; status: ChainStatus } | undefined;

/** The chain walked from genesis (both hashes) and its last checkpoint's signatures; cached until the file changes. */
export function chainStatus(audit: AuditLog, keys: readonly PublicKeyRecord[]): ChainStatus {
  const st = fs.existsSync(audit.file) ? fs.statSync(audit.file) : undefined;
  if (cached && st && cached.file === audit.file && cached.size === st.size && cached.mtimeMs === st.mtimeMs) return cached.status;
  const lines = audit.rawLines();
  const problems = verifyAuditChain(lines, { fromGenesis: true });
  const entries = audit.entries();
  const checkpoint = [...entries].reverse().find((e) => e.type === 'audit-checkpoint');
  let lastCheckpoint: ChainStatus['lastCheckpoint'];
  const parsed = checkpoint ? statementDetailsSchema.safeParse(checkpoint.details) : undefined;
  if (checkpoint && parsed?.success && parsed.data.statement.kind === 'audit-checkpoint') {
    const bytes = statementBytes(parsed.data.statement);
    const token = entries.find((e) => e.type === 'timestamp' && timestampDetailsSchema.safeParse(e.details).data?.subjectSeq === checkpoint.seq);
    lastCheckpoint = {
      seq: checkpoint.seq,
      at: checkpoint.at,
      coversSeq: parsed.data.statement.seq,
      signatures: parsed.data.signatures.map((sig) => {
        const key = keys.find((k) => k.keyId === sig.keyId);
        return { alg: sig.alg, keyId: sig.keyId, ok: key !== undefined && verifySignature(bytes, sig, key) };
      }),
      ...(token ? { timestampedAt: String(token.details.genTime) } : {}),
    };
  }
  const status: ChainStatus = {
    ok: problems.length === 0 && (lastCheckpoint?.signatures.every((s) => s.ok) ?? true),
    entries: lines.length,
    checkedAt: new Date().toISOString(),
    problems: problems.slice(0, 5).map((p) => `line ${p.line}${p.seq !== undefined ? ` (seq ${p.seq})` : ''}: ${p.problem}`),
    ...(lastCheckpoint ? { lastCheckpoint } : {}),
  };
  if (st) cached = { file: audit.file, size: st.size, mtimeMs: st.mtimeMs, status };
  return status;
}
