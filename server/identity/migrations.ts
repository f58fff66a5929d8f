// Identity tables, for SQLite and PostgreSQL alike (docs/store.md). Times are epoch milliseconds.
// Secrets are never stored: passwords as argon2id hashes, session, refresh, pairing, poll and
// invitation secrets as SHA-256 of random 256-bit values (a hash suffices: they are not guessable).
import { execAll, type Migration } from '../core/db.ts';
import { createSystemAuditTable } from '../core/system-audit.ts';

export const identityMigrations: readonly Migration[] = [
  {
    id: 'identity-001-accounts',
    up: (db) =>
      execAll(db, [
        // One role per account, one account per subject: no person holds two roles (三员分立).
        `CREATE TABLE identity_accounts (
          id TEXT PRIMARY KEY,
          username TEXT NOT NULL UNIQUE,
          display_name TEXT NOT NULL,
          role TEXT NOT NULL,
          subject TEXT NOT NULL UNIQUE,
          attributes_json TEXT NOT NULL,
          password_hash TEXT,
          must_change_password INTEGER NOT NULL DEFAULT 0,
          password_changed_at BIGINT,
          failed_attempts INTEGER NOT NULL DEFAULT 0,
          locked_until BIGINT,
          disabled INTEGER NOT NULL DEFAULT 0,
          totp_secret TEXT,
          totp_enabled INTEGER NOT NULL DEFAULT 0,
          totp_last_step BIGINT,
          oidc_issuer TEXT,
          oidc_subject TEXT,
          created_at BIGINT NOT NULL,
          last_sign_in_at BIGINT,
          UNIQUE (oidc_issuer, oidc_subject)
        )`,
        `CREATE TABLE identity_passkeys (
          id TEXT PRIMARY KEY,
          account_id TEXT NOT NULL REFERENCES identity_accounts(id),
          public_key TEXT NOT NULL,
          counter BIGINT NOT NULL,
          transports_json TEXT NOT NULL,
          name TEXT NOT NULL,
          created_at BIGINT NOT NULL
        )`,
        `CREATE INDEX identity_passkeys_account ON identity_passkeys(account_id)`,
        `CREATE TABLE identity_sessions (
          id TEXT PRIMARY KEY,
          account_id TEXT NOT NULL REFERENCES identity_accounts(id),
          secret_hash TEXT NOT NULL,
          method TEXT NOT NULL,
          created_at BIGINT NOT NULL,
          last_active_at BIGINT NOT NULL,
          max_until BIGINT NOT NULL,
          revoked_at BIGINT,
          revoked_reason TEXT,
          ip TEXT,
          user_agent TEXT,
          -- The access tokens issued from this session that may still be alive: [{jti, exp}].
          access_json TEXT NOT NULL
        )`,
        `CREATE INDEX identity_sessions_account ON identity_sessions(account_id, revoked_at)`,
        // The steps between a password and a session (second factor, forced change, passkey
        // ceremonies): one row per challenge, a few minutes long.
        `CREATE TABLE identity_challenges (
          id_hash TEXT PRIMARY KEY,
          account_id TEXT,
          kind TEXT NOT NULL,
          data_json TEXT NOT NULL,
          attempts INTEGER NOT NULL DEFAULT 0,
          expires_at BIGINT NOT NULL
        )`,
      ]),
  },
  {
    id: 'identity-002-devices',
    up: (db) =>
      execAll(db, [
        `CREATE TABLE identity_devices (
          id TEXT PRIMARY KEY,
          kind TEXT NOT NULL CHECK (kind IN ('terminal', 'home-device')),
          name TEXT NOT NULL,
          terminal_id TEXT,
          household_id TEXT,
          state TEXT NOT NULL CHECK (state IN ('active', 'disabled', 'revoked')),
          refresh_hash TEXT,
          -- The one before: a device whose answer was lost may present it once more.
          previous_refresh_hash TEXT,
          enrolled_at BIGINT NOT NULL,
          enrolled_by TEXT NOT NULL,
          last_refresh_at BIGINT
        )`,
        `CREATE TABLE identity_pairings (
          id TEXT PRIMARY KEY,
          code_hash TEXT NOT NULL UNIQUE,
          poll_hash TEXT NOT NULL,
          kind TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('waiting', 'claimed', 'delivered')),
          device_id TEXT,
          refresh_token TEXT,
          created_at BIGINT NOT NULL,
          expires_at BIGINT NOT NULL
        )`,
      ]),
  },
  {
    id: 'identity-003-invitations',
    up: (db) =>
      execAll(db, [
        `CREATE TABLE identity_invitations (
          id TEXT PRIMARY KEY,
          code_hash TEXT UNIQUE,
          household_id TEXT NOT NULL,
          relation TEXT NOT NULL,
          permission TEXT NOT NULL,
          invited_by TEXT NOT NULL,
          invited_by_name TEXT NOT NULL,
          invitee_account_id TEXT,
          state TEXT NOT NULL,
          created_at BIGINT NOT NULL,
          expires_at BIGINT NOT NULL,
          decided_at BIGINT,
          member_id TEXT
        )`,
        `CREATE INDEX identity_invitations_invitee ON identity_invitations(invitee_account_id, state)`,
        `CREATE INDEX identity_invitations_household ON identity_invitations(household_id, state)`,
      ]),
  },
  {
    // Passkeys (WebAuthn): the table came with identity-001; when each was last used, for the
    // person's own list (a passkey nobody used for months is one to remove).
    id: 'identity-004-passkey-use',
    up: (db) => execAll(db, [`ALTER TABLE identity_passkeys ADD COLUMN last_used_at BIGINT`]),
  },
  {
    // The system audit trail moves from each node's DATA_DIR/audit/system.jsonl into the shared
    // database: one chain for the whole cluster (server/core/system-audit.ts).
    id: 'identity-005-system-audit',
    up: (db) => createSystemAuditTable(db),
  },
];
