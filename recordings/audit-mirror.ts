// The archive's people's actions — views, searches, exports, legal holds, deletions — are written
// to the archive's own hash chain (the evidence packages carry excerpts of it), and the audit
// administrator searches the system trail. So each such entry, once durable in the archive's
// chain, is recorded once more through the system trail's one writer (server/core/system-audit.ts)
// as `archive-<type>`, naming the archive entry (seq and hash) it mirrors: one search finds every
// action, and the archive chain stays the evidence.
import type { AuditEntry, AuditObserver } from '../server/core/audit-chain.ts';
import type { SystemAudit } from '../server/core/system-audit.ts';
import { ARCHIVE_MIRRORED_TYPES, type SystemAuditType } from '../server/protocol/http/identity-shapes.ts';
import { BULKY_DETAILS } from './audit-trail.ts';

const MIRRORED = new Set<string>(ARCHIVE_MIRRORED_TYPES);

export function mirrorIntoSystemTrail(system: SystemAudit): AuditObserver {
  return async (e: AuditEntry) => {
    if (!MIRRORED.has(e.type)) return;
    const { from, ...actor } = e.actor;
    const details = Object.fromEntries(Object.entries(e.details).filter(([k]) => !BULKY_DETAILS.has(k)));
    await system.record({
      type: `archive-${e.type}` as SystemAuditType,
      actor,
      details: { ...details, ...(e.sessionId ? { sessionId: e.sessionId } : {}), ...(from ? { ip: from } : {}), archiveSeq: e.seq, archiveHash: e.hash },
    });
  };
}
