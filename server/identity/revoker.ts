// What identity asks of the revocation channel (server/auth/revocations.ts: a revocation written
// to Redis and published, so every node refuses the token on REST, signalling and /live and
// closes its open connections within seconds; the app passes that channel in). The command-line
// tools, which start no node, use `unwiredRevoker`: refresh is refused at once, and any access
// token lapses at its expiry (minutes).
import type { Logger } from '../core/log.ts';

export type RevocationReason = 'device-rebound' | 'device-revoked' | 'link-removed' | 'account-disabled' | 'token-revoked';

export interface TokenRevoker {
  /** Voids one token until it would have expired (`exp`, seconds). */
  revokeToken(jti: string, exp: number, reason?: RevocationReason): Promise<void>;
  /** Voids every token of `sub` issued up to now (only those of one household with `householdId`). */
  revokeSubject(o: { sub: string; reason: RevocationReason; lifetimeSeconds: number; householdId?: string }): Promise<void>;
}

export function unwiredRevoker(log: Logger): TokenRevoker {
  return {
    async revokeToken(jti, exp, reason) {
      log.warn({ jti, exp, reason }, 'revocation | no revocation channel: the token lapses at its expiry');
    },
    async revokeSubject(o) {
      log.warn({ ...o }, 'revocation | no revocation channel: tokens lapse at their expiry');
    },
  };
}
