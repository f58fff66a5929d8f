// Checks the signatures and trusted timestamps carried by audit entries (recordings/evidence.ts),
// for the whole archive and for an evidence package alike: every signature against the
// published key it names, every statement against the entry it describes, every token against
// its statement and the TSA's CA. Names the entry (seq) of any that fails.
import { auditEntrySchema, type AuditEntry } from '../server/core/audit-chain.ts';
import { keyRecordConsistent, verifySignature, type PublicKeyRecord, type Signature } from './archive-keys.ts';
import { statementDetailsSchema, timestampDetailsSchema } from './evidence.ts';
import { statementBytes, type Statement } from './statements.ts';
import { sha256Hex } from '../server/core/audit-chain.ts';
import { verifyTimestamp } from './tsa.ts';
import type { VerifyProblem } from '../server/protocol/http/archive-shapes.ts';

export interface SignedStatement {
  entry: AuditEntry;
  statement: Statement;
  signatures: Signature[];
}

export interface TimestampRecord {
  entry: AuditEntry;
  subjectSeq: number;
  token: Buffer;
  statementSha256: string;
}

/** Entries that carry a signed statement, and the timestamp entries, of a list of lines. */
export function evidenceOf(lines: readonly string[]): { statements: Map<number, SignedStatement>; timestamps: TimestampRecord[]; entries: Map<number, AuditEntry> } {
  const statements = new Map<number, SignedStatement>();
  const timestamps: TimestampRecord[] = [];
  const entries = new Map<number, AuditEntry>();
  for (const line of lines) {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      continue;
    }
    const e = auditEntrySchema.safeParse(json);
    if (!e.success) continue;
    entries.set(e.data.seq, e.data);
    const s = statementDetailsSchema.safeParse(e.data.details);
    if (s.success) statements.set(e.data.seq, { entry: e.data, statement: s.data.statement, signatures: s.data.signatures });
    if (e.data.type === 'timestamp') {
      const t = timestampDetailsSchema.safeParse(e.data.details);
      if (t.success) timestamps.push({ entry: e.data, subjectSeq: t.data.subjectSeq, token: Buffer.from(t.data.token, 'base64'), statementSha256: t.data.statementSha256 });
    }
  }
  return { statements, timestamps, entries };
}

export interface EvidenceCheckOptions {
  keys: readonly PublicKeyRecord[];
  /** The TSA's CA, PEM; without it tokens are reported as not checked. */
  tsaCaPem: string | undefined;
  /** Prefix of messages: "archive" or "package". */
  where: string;
  /** Where the audit lines are, for messages and `file`. */
  auditFile: string;
}

/** What a statement claims must be what its entry (or the chain) says. */
function statementMismatch(s: SignedStatement, entries: Map<number, AuditEntry>): string | undefined {
  const { statement, entry } = s;
  if (statement.kind === 'manifest-seal') {
    if (statement.sessionId !== entry.sessionId || statement.sha256 !== entry.details.manifestSha256 || statement.sm3 !== entry.details.manifestSm3) {
      return 'its statement does not match the seal it belongs to';
    }
    return undefined;
  }
  if (entry.type !== 'audit-checkpoint' || statement.seq !== entry.seq - 1) return 'its statement does not name the entry right before it';
  const covered = entries.get(statement.seq);
  // In an excerpt the covered entry may be a stub; its hashes are still what the chain says.
  if (covered && (covered.hash !== statement.hash || (covered.hashSm3 ?? statement.hashSm3) !== statement.hashSm3)) return `its statement's head differs from entry ${statement.seq}`;
  if (!covered && entry.prev !== statement.hash) return `its statement's head differs from the chain before it`;
  return undefined;
}

export async function checkEvidence(lines: readonly string[], o: EvidenceCheckOptions): Promise<{ problems: VerifyProblem[]; statements: number; tokens: number }> {
  const problems: VerifyProblem[] = [];
  const { statements, timestamps, entries } = evidenceOf(lines);
  const keys = new Map(o.keys.map((k) => [k.keyId, k]));
  for (const k of o.keys) {
    if (!keyRecordConsistent(k)) problems.push({ severity: 'error', kind: 'signature-invalid', message: `${o.where}: published key ${k.keyId} does not match its fingerprint (key file altered)` });
  }
  for (const s of statements.values()) {
    const at = `${o.where}: ${o.auditFile} entry ${s.entry.seq} (${s.entry.type}${s.entry.sessionId ? `, session ${s.entry.sessionId}` : ''})`;
    const sessionId = s.entry.sessionId;
    const base = { file: o.auditFile, ...(sessionId ? { sessionId } : {}) };
    const mismatch = statementMismatch(s, entries);
    if (mismatch) problems.push({ severity: 'error', kind: 'signature-invalid', ...base, message: `${at}: ${mismatch}` });
    if (s.signatures.length === 0) problems.push({ severity: 'error', kind: 'signature-invalid', ...base, message: `${at}: not signed` });
    const bytes = statementBytes(s.statement);
    for (const sig of s.signatures) {
      const key = keys.get(sig.keyId);
      if (!key) problems.push({ severity: 'error', kind: 'signature-invalid', ...base, message: `${at}: signed by key ${sig.keyId}, which is not published` });
      else if (!verifySignature(bytes, sig, key)) problems.push({ severity: 'error', kind: 'signature-invalid', ...base, message: `${at}: ${sig.alg} signature by key ${sig.keyId} does not verify` });
    }
  }
  const stamped = new Set<number>();
  for (const t of timestamps) {
    const at = `${o.where}: ${o.auditFile} entry ${t.entry.seq} (timestamp of entry ${t.subjectSeq})`;
    const base = { file: o.auditFile, ...(t.entry.sessionId ? { sessionId: t.entry.sessionId } : {}) };
    const subject = statements.get(t.subjectSeq);
    if (!subject) {
      // Outside this excerpt: the token's subject cannot be checked here.
      if (o.where === 'archive') problems.push({ severity: 'error', kind: 'timestamp-invalid', ...base, message: `${at}: stamps an entry that carries no signed statement` });
      continue;
    }
    const bytes = statementBytes(subject.statement);
    if (sha256Hex(bytes) !== t.statementSha256) {
      problems.push({ severity: 'error', kind: 'timestamp-invalid', ...base, message: `${at}: stamps other bytes than entry ${t.subjectSeq}'s statement` });
      continue;
    }
    stamped.add(t.subjectSeq);
    if (!o.tsaCaPem) continue;
    const r = await verifyTimestamp(t.token, bytes, o.tsaCaPem);
    if (!r.ok) problems.push({ severity: 'error', kind: 'timestamp-invalid', ...base, message: `${at}: token does not verify (${r.error})` });
  }
  // Without the TSA's CA there is no TSA to expect tokens from (the node's alarm says so).
  for (const s of o.tsaCaPem ? statements.values() : []) {
    if (stamped.has(s.entry.seq)) continue;
    problems.push({
      severity: 'warning',
      kind: 'timestamp-missing',
      file: o.auditFile,
      ...(s.entry.sessionId ? { sessionId: s.entry.sessionId } : {}),
      message: `${o.where}: ${o.auditFile} entry ${s.entry.seq} (${s.entry.type}) has no trusted timestamp yet`,
    });
  }
  if (!o.tsaCaPem && timestamps.length > 0) {
    problems.push({ severity: 'warning', kind: 'timestamp-missing', message: `${o.where}: ${timestamps.length} timestamp token(s) not checked: no TSA CA certificate given (--tsa-ca FILE, or TSA_CA_FILE)` });
  }
  return { problems, statements: statements.size, tokens: timestamps.length };
}
