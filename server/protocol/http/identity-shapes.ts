// Shapes of sign-in, sessions, accounts, device enrolment, invitations and the system audit
// trail as the HTTP API answers them, and zod schemas of what clients send. Shared by the server
// (server/identity) and the pages (sign-in, admin, enrol, invite).
import { z } from 'zod';
import { attributesSchema, type Attributes, type Role } from '../claims.ts';

// ---- accounts ---------------------------------------------------------------------------------

/** Sign-in names: letters, digits, `_ . - @`; compared case-insensitively (stored lower-case). */
export const usernameSchema = z
  .string()
  .trim()
  .min(3)
  .max(64)
  .regex(/^[\w.\-@]+$/, 'username: letters, digits, _ . - @ only')
  .transform((s) => s.toLowerCase());

/** Long enough for any passphrase, short enough that hashing it is never a denial of service. */
export const passwordSchema = z.string().min(1).max(256);

/** The roles an account may hold: every role except the device ones, which are enrolled. */
export const PERSON_ROLES = ['official', 'coordinator', 'counsellor', 'archivist', 'family', 'grid-worker', 'property', 'resident', 'admin', 'security-admin', 'audit-admin'] as const;
export const personRoleSchema = z.enum(PERSON_ROLES);
export type PersonRole = (typeof PERSON_ROLES)[number];

/**
 * Roles that sign in as an entry of a directory (an official, a counsellor, a family member, a
 * village committee's 网格员, a compound's property office staff or resident): the account names
 * the entry, which must exist.
 */
export const DIRECTORY_ROLES: readonly PersonRole[] = ['official', 'counsellor', 'family', 'grid-worker', 'property', 'resident'];

/** 三员分立: the three administrator roles; no person holds more than one role at all. */
export const ADMIN_ROLES = ['admin', 'security-admin', 'audit-admin'] as const satisfies readonly Role[];

export interface Account {
  id: string;
  username: string;
  displayName: string;
  role: PersonRole;
  /** Who the account signs in as (`sub` of its tokens): an official's, counsellor's or family member's id, else the account id. */
  subject: string;
  attributes: Attributes;
  disabled: boolean;
  /** Locked after repeated wrong passwords until this time (ISO), or null. */
  lockedUntil: string | null;
  failedAttempts: number;
  mustChangePassword: boolean;
  totpEnabled: boolean;
  passkeys: number;
  /** Signed in through the city's identity provider (OIDC), never with a password. */
  singleSignOn: boolean;
  createdAt: string;
  lastSignInAt: string | null;
}

export const newAccountSchema = z.strictObject({
  username: usernameSchema,
  displayName: z.string().trim().min(1).max(100),
  role: personRoleSchema,
  /** For the directory roles (DIRECTORY_ROLES): the directory id they sign in as. */
  subject: z.string().min(1).max(128).regex(/^[\w.\-]+$/).optional(),
  attributes: attributesSchema.optional(),
});
export type NewAccount = z.output<typeof newAccountSchema>;

export const accountPatchSchema = z.strictObject({
  displayName: z.string().trim().min(1).max(100).optional(),
  disabled: z.boolean().optional(),
  attributes: attributesSchema.optional(),
});
export type AccountPatch = z.output<typeof accountPatchSchema>;

/** The page each role works on (the sign-in page goes there). */
export const ROLE_PAGES: Record<PersonRole, string> = {
  official: 'official.html',
  coordinator: 'coordinator.html',
  counsellor: 'counsellor.html',
  archivist: 'archive.html',
  family: 'family.html',
  'grid-worker': 'grid.html',
  property: 'property.html',
  resident: 'property.html',
  admin: 'admin.html',
  'security-admin': 'admin.html',
  'audit-admin': 'admin.html',
};

/** A password the server generated: shown once, to be changed at the first sign-in. */
export interface InitialPassword {
  account: Account;
  initialPassword: string;
}

// ---- sign-in ----------------------------------------------------------------------------------

export const signInBody = z.strictObject({ username: usernameSchema, password: passwordSchema });
/** The short-lived ticket between two sign-in steps (never a session). */
export const challengeSchema = z.string().min(20).max(100).regex(/^[\w-]+$/);
export const totpCodeSchema = z.string().trim().regex(/^\d{6}$/, 'code: 6 digits');
export const totpStepBody = z.strictObject({ challenge: challengeSchema, code: totpCodeSchema });
export const newPasswordBody = z.strictObject({ challenge: challengeSchema, newPassword: passwordSchema });
export const changePasswordBody = z.strictObject({ currentPassword: passwordSchema, newPassword: passwordSchema });
export const refreshBody = z.strictObject({
  /** The person did something since the last refresh (keys, pointer): keeps the session from idling out. */
  active: z.boolean().optional(),
});

/** Who is signed in, for the page (display only; the server decides on the token). */
export interface SignedIn {
  /** Short-lived access token (Bearer); refresh it with the session cookie before `expiresAt`. */
  token: string;
  expiresAt: string;
  account: Pick<Account, 'id' | 'username' | 'displayName' | 'role'>;
  /** The page this role works on. */
  page: string;
}

/** Each answer of a sign-in step says what comes next. */
export type SignInStep =
  | ({ step: 'signed-in' } & SignedIn)
  | { step: 'second-factor'; challenge: string; methods: ('totp' | 'passkey')[] }
  | { step: 'change-password'; challenge: string; rules: PasswordRules }
  /** The role needs a second factor and the account has none yet: scan this, then answer a code. */
  | { step: 'enrol-totp'; challenge: string; secret: string; uri: string; qr: string };

export interface PasswordRules {
  minLength: number;
  /** Of lower-case, upper-case, digits and symbols, at least this many kinds. */
  minClasses: number;
}

/** A fresh TOTP secret for the signed-in person; confirmed by one code. */
export interface TotpSetup {
  secret: string;
  uri: string;
  /** The URI as a QR code (data: URL, PNG). */
  qr: string;
}
export const confirmTotpBody = z.strictObject({ code: totpCodeSchema });

// ---- sessions ---------------------------------------------------------------------------------

export const SIGN_IN_METHODS = ['password', 'password+totp', 'password+passkey', 'passkey', 'oidc', 'invitation'] as const;
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];

export interface SessionInfo {
  id: string;
  accountId: string;
  username: string;
  role: PersonRole;
  method: SignInMethod;
  createdAt: string;
  lastActiveAt: string;
  /** Ends by itself at this time (idle timeout or the absolute limit, whichever comes first). */
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
  /** This request's own session. */
  current?: boolean;
}

// ---- passkeys (WebAuthn) ------------------------------------------------------------------------

/** What @simplewebauthn/browser produced; its inner shape is checked by @simplewebauthn/server. */
export const webauthnResponseSchema = z.looseObject({ id: z.string().min(1).max(1024), type: z.literal('public-key') });
/** The ceremony an options answer named: the server's challenge for the authenticator, kept hashed. */
export const ceremonySchema = challengeSchema;
export const passkeyRegisterBody = z.strictObject({ ceremony: ceremonySchema, response: webauthnResponseSchema, name: z.string().trim().min(1).max(60).optional() });
/** With the challenge of a second-factor step: the passkey is the second factor of that password. Without: a passkey-only sign-in. */
export const passkeyOptionsBody = z.strictObject({ challenge: challengeSchema.optional() });
export const passkeySignInBody = z.strictObject({ ceremony: ceremonySchema, response: webauthnResponseSchema, challenge: challengeSchema.optional() });
/** An enrol-totp step's challenge: a passkey registered in its place is the account's second factor. */
export const enrolPasskeyOptionsBody = z.strictObject({ challenge: challengeSchema });
export const enrolPasskeyBody = z.strictObject({ challenge: challengeSchema, ceremony: ceremonySchema, response: webauthnResponseSchema, name: z.string().trim().min(1).max(60).optional() });

/** Options for navigator.credentials (JSON form, as @simplewebauthn/browser takes them). */
export interface PasskeyOptions {
  /** Names this ceremony in the answer that follows. */
  ceremony: string;
  options: Record<string, unknown>;
}

/** A passkey of the signed-in person (never its key). */
export interface Passkey {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

// ---- single sign-on -----------------------------------------------------------------------------

export interface SignInOptions {
  /** OIDC is configured: the page offers "sign in with the city's account". */
  singleSignOn: { label: string } | null;
  passwordRules: PasswordRules;
}

// ---- enrolled devices -------------------------------------------------------------------------

export const DEVICE_KINDS = ['terminal', 'home-device'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];
export const DEVICE_STATES = ['active', 'disabled', 'revoked'] as const;
export type DeviceCredentialState = (typeof DEVICE_STATES)[number];

/** A device's own first step: a pairing code to show, and the secret it polls with. */
export interface Pairing {
  id: string;
  /** What the installer types: 8 characters from an alphabet without look-alikes, shown as XXXX-XXXX. */
  code: string;
  /** Only the device knows it: it proves the poll comes from the screen that shows the code. */
  pollSecret: string;
  expiresAt: string;
  /** The code and where to enter it, as a QR code (data: URL). */
  qr: string;
}

export type PairingPoll =
  | { state: 'waiting'; expiresAt: string }
  /** Delivered once: the device keeps the refresh token; nobody else ever sees it. */
  | { state: 'enrolled'; deviceId: string; refreshToken: string };

export const pairingCodeSchema = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase().replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^[A-HJ-NP-Z2-9]{8}$/, 'code: 8 characters'));
export const newPairingBody = z.strictObject({ kind: z.enum(DEVICE_KINDS) });
export const pollBody = z.strictObject({ pollSecret: z.string().min(20).max(100) });
const deviceName = z.string().trim().min(1).max(100);
const entityId = z.string().min(1).max(64).regex(/^[\w.\-]+$/);
export const claimPairingBody = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('terminal'), code: pairingCodeSchema, terminalId: entityId, name: deviceName }),
  z.strictObject({
    kind: z.literal('home-device'),
    code: pairingCodeSchema,
    householdId: entityId,
    name: deviceName,
    place: z.enum(['living-room', 'entrance', 'kitchen', 'dining-room', 'yard', 'study']),
  }),
]);
export type ClaimPairing = z.output<typeof claimPairingBody>;
export const deviceRefreshBody = z.strictObject({ deviceId: entityId, refreshToken: z.string().min(20).max(200) });

export interface DeviceSession {
  token: string;
  expiresAt: string;
  /** The next refresh token: the one just used no longer works. */
  refreshToken: string;
  device: { id: string; kind: DeviceKind; name: string };
}

export interface EnrolledDevice {
  id: string;
  kind: DeviceKind;
  name: string;
  /** The terminal point (terminals) or the household (home devices) it serves. */
  terminalId: string | null;
  householdId: string | null;
  state: DeviceCredentialState;
  enrolledAt: string;
  enrolledBy: string;
  lastRefreshAt: string | null;
}

export const devicePatchSchema = z.strictObject({
  name: deviceName.optional(),
  /** Move a terminal to another terminal point, or a home device to another household. */
  terminalId: entityId.optional(),
  householdId: entityId.optional(),
});
export type DevicePatch = z.output<typeof devicePatchSchema>;

// ---- invitations ------------------------------------------------------------------------------

export const INVITATION_STATES = ['open', 'accepted', 'declined', 'revoked', 'expired'] as const;
export type InvitationState = (typeof INVITATION_STATES)[number];

export const newInvitationBody = z.strictObject({
  householdId: entityId,
  relation: z.string().trim().min(1).max(30),
  permission: z.enum(['call', 'look-in', 'manage']),
  /** An existing person, by their sign-in name: they accept in their own app. Absent: an open link for someone new. */
  username: usernameSchema.optional(),
  validHours: z.number().int().min(1).max(7 * 24).default(72),
});
export type NewInvitation = z.output<typeof newInvitationBody>;

/** What the household side sees: never the invitee's name or city before they accept. */
export interface Invitation {
  id: string;
  householdId: string;
  relation: string;
  permission: 'call' | 'look-in' | 'manage';
  state: InvitationState;
  /** For an open link: the short code and the link to send (shown once, at creation). */
  code?: string;
  link?: string;
  qr?: string;
  /** Addressed to an existing person (who is not named here). */
  addressed: boolean;
  invitedBy: string;
  createdAt: string;
  expiresAt: string;
  /** After acceptance only. */
  memberId: string | null;
}

/** What the invitee sees before deciding. */
export interface InvitationPreview {
  id: string;
  householdName: string;
  invitedBy: string;
  relation: string;
  permission: 'call' | 'look-in' | 'manage';
  expiresAt: string;
}

export const invitationCodeBody = z.strictObject({ code: pairingCodeSchema });
export const acceptInvitationBody = z.strictObject({
  code: pairingCodeSchema,
  name: z.string().trim().min(1).max(50),
  city: z.string().trim().min(1).max(50),
  username: usernameSchema,
  /** A password, or none when the person registers a passkey right after (the page does both). */
  password: passwordSchema,
});

// ---- the system audit trail ---------------------------------------------------------------------

/**
 * People's actions on recordings, written to the archive's own chain (recordings/audit-types.ts)
 * and mirrored into the system trail as `archive-<type>`, so one search finds them beside the
 * sign-ins and account changes (recordings/audit-mirror.ts).
 */
export const ARCHIVE_MIRRORED_TYPES = [
  'view',
  'view-segment',
  'search',
  'verify',
  'bookmark',
  'export',
  'export-completed',
  'export-download',
  'export-cancelled',
  'legal-hold',
  'legal-hold-release',
  'deletion',
] as const;

/** Everything the system-wide trail records (server/core/system-audit.ts). */
export const SYSTEM_AUDIT_TYPES = [
  'sign-in',
  'sign-in-failed',
  'account-locked',
  'sign-out',
  'session-revoked',
  'password-changed',
  'second-factor-changed',
  'account-created',
  'account-changed',
  'role-changed',
  'device-enrolled',
  'device-changed',
  'device-revoked',
  'invitation-created',
  'invitation-accepted',
  'invitation-declined',
  'invitation-revoked',
  'member-removed',
  'directory-changed',
  'directory-imported',
  'camera-added',
  'camera-removed',
  'camera-retired',
  'counsellor-assigned',
  'counsellor-unassigned',
  'case-viewed',
  'configuration-changed',
  'export',
  ...ARCHIVE_MIRRORED_TYPES.map((t) => `archive-${t}` as const),
] as const;
export type SystemAuditType = (typeof SYSTEM_AUDIT_TYPES)[number];

export interface SystemAuditEntry {
  seq: number;
  at: string;
  type: string;
  actor: { kind: 'user' | 'system'; sub: string; name?: string; role?: string };
  details: Record<string, unknown>;
  hash: string;
}

export const auditQuery = z.strictObject({
  type: z.enum(SYSTEM_AUDIT_TYPES).optional(),
  /** Who acted (sub, name, or the sign-in name of their account) or whom it concerned (any detail), case-insensitive substring. */
  text: z.string().trim().min(1).max(100).optional(),
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export interface AuditVerifyReport {
  ok: boolean;
  entries: number;
  problems: { line: number; seq?: number; problem: string }[];
}
