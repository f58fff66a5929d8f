// The identity tables behind small typed methods, on the node's store (SQLite or PostgreSQL).
import type { Kysely, Selectable } from 'kysely';
import type { Store } from '../core/db.ts';
import type { Attributes } from '../protocol/claims.ts';
import type { Account, DeviceKind, DeviceCredentialState, EnrolledDevice, InvitationState, PersonRole, SignInMethod } from '../protocol/http/identity-shapes.ts';

export interface IdentityTables {
  identity_accounts: AccountRow;
  identity_passkeys: PasskeyRow;
  identity_sessions: SessionRow;
  identity_challenges: { id_hash: string; account_id: string | null; kind: string; data_json: string; attempts: number; expires_at: number };
  identity_devices: DeviceRow;
  identity_pairings: PairingRow;
  identity_invitations: InvitationRow;
}

export interface AccountRow {
  id: string;
  username: string;
  display_name: string;
  role: PersonRole;
  subject: string;
  attributes_json: string;
  password_hash: string | null;
  must_change_password: number;
  password_changed_at: number | null;
  failed_attempts: number;
  locked_until: number | null;
  disabled: number;
  totp_secret: string | null;
  totp_enabled: number;
  totp_last_step: number | null;
  oidc_issuer: string | null;
  oidc_subject: string | null;
  created_at: number;
  last_sign_in_at: number | null;
}

export interface PasskeyRow {
  id: string;
  account_id: string;
  public_key: string;
  counter: number;
  transports_json: string;
  name: string;
  created_at: number;
  last_used_at: number | null;
}

export interface SessionRow {
  id: string;
  account_id: string;
  secret_hash: string;
  method: SignInMethod;
  created_at: number;
  last_active_at: number;
  max_until: number;
  revoked_at: number | null;
  revoked_reason: string | null;
  ip: string | null;
  user_agent: string | null;
  access_json: string;
}

export interface DeviceRow {
  id: string;
  kind: DeviceKind;
  name: string;
  terminal_id: string | null;
  household_id: string | null;
  state: DeviceCredentialState;
  refresh_hash: string | null;
  previous_refresh_hash: string | null;
  enrolled_at: number;
  enrolled_by: string;
  last_refresh_at: number | null;
}

export interface PairingRow {
  id: string;
  code_hash: string;
  poll_hash: string;
  kind: DeviceKind;
  state: 'waiting' | 'claimed' | 'delivered';
  device_id: string | null;
  /** Held only between the claim and the device's next poll, then cleared. */
  refresh_token: string | null;
  created_at: number;
  expires_at: number;
}

export interface InvitationRow {
  id: string;
  code_hash: string | null;
  household_id: string;
  relation: string;
  permission: 'call' | 'look-in' | 'manage';
  invited_by: string;
  invited_by_name: string;
  invitee_account_id: string | null;
  state: InvitationState;
  created_at: number;
  expires_at: number;
  decided_at: number | null;
  member_id: string | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function accountView(r: Selectable<AccountRow>, passkeys: number, now: number): Account {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    subject: r.subject,
    attributes: JSON.parse(r.attributes_json) as Attributes,
    disabled: r.disabled === 1,
    lockedUntil: r.locked_until !== null && r.locked_until > now ? iso(r.locked_until) : null,
    failedAttempts: r.failed_attempts,
    mustChangePassword: r.must_change_password === 1,
    totpEnabled: r.totp_enabled === 1,
    passkeys,
    singleSignOn: r.oidc_subject !== null,
    createdAt: iso(r.created_at)!,
    lastSignInAt: iso(r.last_sign_in_at),
  };
}

export function deviceView(r: Selectable<DeviceRow>): EnrolledDevice {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    terminalId: r.terminal_id,
    householdId: r.household_id,
    state: r.state,
    enrolledAt: iso(r.enrolled_at)!,
    enrolledBy: r.enrolled_by,
    lastRefreshAt: iso(r.last_refresh_at),
  };
}

/** The store typed with the identity tables. */
export const identityDb = (store: Store): Kysely<IdentityTables> => store.db<IdentityTables>();
