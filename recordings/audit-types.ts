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
] as const;
export type AuditType = (typeof AUDIT_TYPES)[number];
