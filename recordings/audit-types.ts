// What the archive's audit log records (server/core/audit-chain.ts is the chain itself).
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
  /** An archive signing key came into use (its public key, so the chain names every key). */
  'key-published',
  /** The chain's head up to the entry before, signed by the archive keys (hourly). */
  'audit-checkpoint',
  /** An RFC 3161 token from the TSA for a sealed manifest or an audit checkpoint. */
  'timestamp',
  /** A transcript of one track was made (its hash). */
  'transcript',
  /** A composite video was rendered for an export (its hash). */
  'composite',
  /** An export was cancelled before its package was built. */
  'export-cancelled',
  /** An export failed (its node died or shut down, or its package could not be built): the node that marked it, and why. */
  'export-failed',
] as const;
export type AuditType = (typeof AUDIT_TYPES)[number];
