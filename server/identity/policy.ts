// How long things live and how many tries a person gets (docs/identity.md; the settings in
// docs/configuration.md). One object, read from the configuration at start-up.
import type { PersonRole } from '../protocol/http/identity-shapes.ts';

export interface IdentityPolicy {
  /** Access tokens (Bearer): minutes, refreshed from the session cookie. */
  accessTokenSeconds: number;
  /** A session with no activity for this long ends. */
  sessionIdleSeconds: number;
  /** A session ends this long after sign-in whatever happens. */
  sessionMaxSeconds: number;
  /** Wrong passwords (or codes) in a row before the account locks. */
  maxFailures: number;
  lockSeconds: number;
  /** Roles that must have a second factor (TOTP or a passkey). */
  secondFactorRoles: readonly PersonRole[];
  /** A sign-in step (second factor, forced change) must be finished within this. */
  challengeSeconds: number;
  /** Device access tokens; their refresh token lives until revoked. */
  deviceAccessSeconds: number;
  pairingSeconds: number;
  /** Cookies with the Secure flag (behind TLS). */
  secureCookies: boolean;
  /** The address links and QR codes point at (invitations, pairing). */
  publicUrl: string;
}

export const DEFAULT_POLICY: IdentityPolicy = {
  accessTokenSeconds: 300,
  sessionIdleSeconds: 30 * 60,
  sessionMaxSeconds: 12 * 3600,
  maxFailures: 5,
  lockSeconds: 15 * 60,
  secondFactorRoles: ['official', 'coordinator', 'counsellor', 'grid-worker', 'property', 'archivist', 'admin', 'security-admin', 'audit-admin'],
  challengeSeconds: 5 * 60,
  deviceAccessSeconds: 15 * 60,
  pairingSeconds: 15 * 60,
  secureCookies: false,
  publicUrl: 'http://127.0.0.1:3000',
};
