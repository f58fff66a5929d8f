// What the archive signs and has timestamped: a short statement about a sealed manifest or about
// the audit chain's head, as canonical JSON. Signing a statement (hashes and names) instead of the
// file keeps SM2 — hashed in JavaScript by sm-crypto — to microseconds for any manifest size,
// and binds the hash to the session it is about. The statement's bytes are rebuilt from the
// audit entry that carries it, so the archive stores no separate file; an export writes them out
// so OpenSSL can check signature and token against the very bytes.
import { z } from 'zod';
import { canonicalJson } from '../server/core/audit-chain.ts';

export const STATEMENT_FORMAT = 'suzhou-video-statement/1';
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const sealStatementSchema = z.strictObject({
  format: z.literal(STATEMENT_FORMAT),
  kind: z.literal('manifest-seal'),
  sessionId: z.string(),
  file: z.literal('manifest.json'),
  sha256: hex64,
  sm3: hex64,
  bytes: z.number().int().nonnegative(),
  signedAt: z.string(),
});
export type SealStatement = z.infer<typeof sealStatementSchema>;

export const checkpointStatementSchema = z.strictObject({
  format: z.literal(STATEMENT_FORMAT),
  kind: z.literal('audit-checkpoint'),
  log: z.literal('audit.jsonl'),
  /** The last entry the checkpoint covers (the one right before the checkpoint entry). */
  seq: z.number().int(),
  hash: hex64,
  hashSm3: hex64,
  signedAt: z.string(),
});
export type CheckpointStatement = z.infer<typeof checkpointStatementSchema>;

export const statementSchema = z.discriminatedUnion('kind', [sealStatementSchema, checkpointStatementSchema]);
export type Statement = z.infer<typeof statementSchema>;

/** The bytes that are signed and timestamped. */
export function statementBytes(s: Statement): Buffer {
  return Buffer.from(canonicalJson(s) + '\n');
}

/** Where a statement's files go in an evidence package (beside the SHA256SUMS). */
export function statementFileName(s: Statement): string {
  return s.kind === 'manifest-seal' ? 'evidence/manifest-seal.json' : `evidence/audit-checkpoint-${s.seq}.json`;
}
