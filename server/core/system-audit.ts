// The system-wide audit trail (等保 2.0: a security audit of every sign-in, role or permission
// change, enrolment, revocation, directory change, export and configuration change): the same
// hash-chained log as the archive's (audit-chain.ts), in its own file DATA_DIR/audit/system.jsonl.
// Append-only and never pruned by the product, so it is kept for as long as the disk is (at least
// the six months the rule asks; docs/identity.md). `npm run audit:verify` walks the chain.
import path from 'node:path';
import { AuditLog, verifyAuditChain, type AuditActor, type AuditEntry, type ChainProblem } from './audit-chain.ts';
import type { Claims } from '../protocol/claims.ts';
import type { SystemAuditEntry, SystemAuditType } from '../protocol/http/identity-shapes.ts';

export type { SystemAuditType };

export const systemAuditFile = (dataDir: string) => path.join(path.resolve(dataDir), 'audit', 'system.jsonl');

export interface AuditRecord {
  type: SystemAuditType;
  actor: AuditActor;
  details?: Record<string, unknown>;
}

export interface AuditSearch {
  type?: SystemAuditType;
  text?: string;
  /** Subjects whose own actions match as well as `text` does (the person a sign-in name names). */
  actors?: readonly string[];
  from?: string;
  to?: string;
  limit: number;
}

/** The actor of an entry from verified claims (never from a request body). */
export const actorOf = (c: Pick<Claims, 'sub' | 'name' | 'role'>): AuditActor => ({ kind: 'user', sub: c.sub, name: c.name, role: c.role });
export const systemActor = (sub: string): AuditActor => ({ kind: 'system', sub });

export class SystemAudit {
  readonly #log: AuditLog<SystemAuditType>;

  constructor(readonly file: string) {
    this.#log = new AuditLog<SystemAuditType>(file);
  }

  /** Resolves once the entry is on disk (fsync'd): an action is not done before it is recorded. */
  async record(r: AuditRecord): Promise<void> {
    await this.#log.append({ type: r.type, actor: r.actor, details: r.details ?? {} });
  }

  /** Newest first; `text` matches the actor or any detail, case-insensitively, and `actors` match by subject. */
  search(q: AuditSearch): SystemAuditEntry[] {
    const text = q.text?.toLowerCase();
    const out: SystemAuditEntry[] = [];
    const entries = this.#log.entries();
    for (let i = entries.length - 1; i >= 0 && out.length < q.limit; i--) {
      const e = entries[i]!;
      if (q.type && e.type !== q.type) continue;
      if (q.from && e.at < q.from) continue;
      if (q.to && e.at > q.to) continue;
      if (text && !q.actors?.includes(e.actor.sub) && !JSON.stringify([e.actor, e.details]).toLowerCase().includes(text)) continue;
      out.push(view(e));
    }
    return out;
  }

  verify(): { entries: number; problems: ChainProblem[] } {
    const lines = this.#log.rawLines();
    return { entries: lines.length, problems: verifyAuditChain(lines, { fromGenesis: true }) };
  }

  flushed(): Promise<void> {
    return this.#log.flushed();
  }
}

const view = (e: AuditEntry): SystemAuditEntry => ({ seq: e.seq, at: e.at, type: e.type, actor: e.actor, details: e.details, hash: e.hash });
