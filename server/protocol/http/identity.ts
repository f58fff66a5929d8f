// Sign-in, sessions, accounts and the system audit trail over HTTP: /api/identity. Served by
// server/identity/router.ts. The session itself is an http-only cookie scoped to this path; the
// pages hold only the short-lived access token it yields.
import { z } from 'zod';
import { area, json, raw } from './contract.ts';
import {
  accountPatchSchema,
  auditQuery,
  challengeSchema,
  changePasswordBody,
  confirmTotpBody,
  newAccountSchema,
  newPasswordBody,
  refreshBody,
  signInBody,
  totpStepBody,
  type Account,
  type AuditVerifyReport,
  type InitialPassword,
  type SessionInfo,
  type SignedIn,
  type SignInOptions,
  type SignInStep,
  type SystemAuditEntry,
  type TotpSetup,
  acceptInvitationBody,
  invitationCodeBody,
  newInvitationBody,
  type Invitation,
  type InvitationPreview,
  passkeyOptionsBody,
  enrolPasskeyOptionsBody,
  enrolPasskeyBody,
  passkeyRegisterBody,
  passkeySignInBody,
  type Passkey,
  type PasskeyOptions,
} from './identity-shapes.ts';

const accountParams = z.strictObject({ accountId: z.string().min(1).max(64).regex(/^[\w-]+$/) });
const sessionParams = z.strictObject({ sessionId: z.string().min(1).max(64).regex(/^[\w-]+$/) });
const entityId = z.string().min(1).max(64).regex(/^[\w.\-]+$/);
const invitationParams = z.strictObject({ invitationId: entityId });
/** A WebAuthn credential id (base64url). */
const passkeyParams = z.strictObject({ passkeyId: z.string().min(1).max(1024).regex(/^[\w-]+$/) });
const householdParams = z.strictObject({ householdId: entityId });
const memberParams = z.strictObject({ householdId: entityId, memberId: entityId });
/** Who may invite into a household: its manager (family with "manage") or an assigned counsellor; the service checks which. */
const INVITERS = { roles: ['family', 'counsellor'] } as const;
/** What a provider sends back (RFC 6749 §4.1.2, RFC 9207 iss, OIDC session_state); the whole address goes to openid-client, which checks it. */
const oidcParam = z.string().max(2048).optional();
const oidcCallbackQuery = z.strictObject({ code: oidcParam, state: oidcParam, iss: oidcParam, session_state: oidcParam, error: oidcParam, error_description: oidcParam, error_uri: oidcParam });
const totpChallenge = z.strictObject({ challenge: challengeSchema, code: confirmTotpBody.shape.code });

/** 三员分立 ②: accounts, roles, sessions and lock-outs. */
const SECURITY = { roles: ['security-admin'] } as const;
/** 三员分立 ③: reads the audit trail, nothing else. */
const AUDIT = { roles: ['audit-admin'] } as const;
type Nothing = Record<string, never>;

export const identityArea = area({
  base: '/api/identity',
  title: 'Sign-in, sessions and accounts',
  shapes: 'server/protocol/http/identity-shapes.ts',
  notes:
    'Each sign-in step answers the next (`SignInStep`): `second-factor` (TOTP or passkey), `change-password`, `enrol-totp` or ' +
    '`signed-in`, which also sets the session cookie (http-only, SameSite=Strict, path /api/identity). ' +
    'Wrong passwords answer `unauthorized` with `details.remaining`; the last one locks the account ' +
    '(`forbidden`, `details.reason: account_locked`). Access tokens live minutes: `session.refresh` draws ' +
    'the next one from the cookie and answers `unauthorized` (`session_ended`) once the session is revoked, ' +
    'idle too long or past its limit.',
  endpoints: {
    'identity.options': {
      method: 'GET', path: '/options', summary: 'What the sign-in page offers: single sign-on, the password rules',
      access: 'public', answer: json<SignInOptions>('SignInOptions'),
    },
    'identity.oidcStart': {
      method: 'GET', path: '/oidc/start', summary: "Single sign-on: redirects to the city's identity provider (authorization code + PKCE)",
      access: 'public', answer: raw('302 to the provider, with a short-lived http-only ticket cookie'),
    },
    'identity.oidcCallback': {
      method: 'GET', path: '/oidc/callback', summary: "The provider's redirect back: opens a session and goes on to the role's page (or back to the sign-in page naming the refusal)",
      access: 'public', query: oidcCallbackQuery, answer: raw('302 to the role page (session cookie set) or to sign-in.html?sso=<reason>'),
    },
    'identity.signIn': {
      method: 'POST', path: '/sign-in', summary: 'Sign-in name and password; answers the next step',
      access: 'public', body: signInBody, answer: json<SignInStep>('SignInStep'),
    },
    'identity.signInTotp': {
      method: 'POST', path: '/sign-in/totp', summary: 'The authenticator code of a second-factor step',
      access: 'public', body: totpStepBody, answer: json<SignInStep>('SignInStep'),
    },
    'identity.signInNewPassword': {
      method: 'POST', path: '/sign-in/new-password', summary: 'The new password a change-password step asks for',
      access: 'public', body: newPasswordBody, answer: json<SignInStep>('SignInStep'),
    },
    'identity.signInEnrolTotp': {
      method: 'POST', path: '/sign-in/enrol-totp', summary: 'The first code from the authenticator an enrol-totp step showed',
      access: 'public', body: totpChallenge, answer: json<SignInStep>('SignInStep'),
    },
    'identity.enrolPasskeyOptions': {
      method: 'POST', path: '/sign-in/enrol-passkey/options', summary: 'Instead of the authenticator app an enrol-totp step offers: start registering a passkey of this browser',
      access: 'public', body: enrolPasskeyOptionsBody, answer: json<PasskeyOptions>('PasskeyOptions'),
    },
    'identity.signInEnrolPasskey': {
      method: 'POST', path: '/sign-in/enrol-passkey', summary: "The authenticator's attestation for that registration: the passkey becomes the second factor and the sign-in completes",
      access: 'public', body: enrolPasskeyBody, bodyLimit: '32kb', answer: json<SignInStep>('SignInStep'),
    },
    'identity.passkeySignInOptions': {
      method: 'POST', path: '/sign-in/passkey/options', summary: "A passkey ceremony: the account's passkeys after its password (with the second-factor step's challenge), or any passkey alone",
      access: 'public', body: passkeyOptionsBody, answer: json<PasskeyOptions>('PasskeyOptions'),
    },
    'identity.signInPasskey': {
      method: 'POST', path: '/sign-in/passkey', summary: "The authenticator's signed answer: the second factor of a password step, or a whole sign-in (user verification required)",
      access: 'public', body: passkeySignInBody, answer: json<SignInStep>('SignInStep'),
    },
    'identity.refresh': {
      method: 'POST', path: '/session/refresh', summary: 'A fresh access token from the session cookie',
      access: 'public', body: refreshBody, answer: json<SignedIn>('SignedIn'),
    },
    'identity.signOut': {
      method: 'POST', path: '/session/sign-out', summary: "Ends this browser's session (cookie) and voids its tokens",
      access: 'public', answer: json<Nothing>('{}'),
    },
    'identity.signOutEverywhere': {
      method: 'POST', path: '/me/sign-out-everywhere', summary: 'Ends every session of the caller, on every device',
      access: { roles: 'any' }, answer: json<{ ended: number }>('{ ended: number }'),
    },
    'identity.me': {
      method: 'GET', path: '/me', summary: "The caller's own account and live sessions",
      access: { roles: 'any' }, answer: json<{ account: Account; sessions: SessionInfo[] }>('{ account: Account; sessions: SessionInfo[] }'),
    },
    'identity.changePassword': {
      method: 'POST', path: '/me/password', summary: 'Change the own password (other sessions end)',
      access: { roles: 'any' }, body: changePasswordBody, answer: json<Nothing>('{}'),
    },
    'identity.myPasskeys': {
      method: 'GET', path: '/me/passkeys', summary: "The caller's passkeys",
      access: { roles: 'any' }, answer: json<Passkey[]>('Passkey[]'),
    },
    'identity.passkeyRegisterOptions': {
      method: 'POST', path: '/me/passkeys/options', summary: 'Start registering a passkey on this browser (discoverable, user verification required)',
      access: { roles: 'any' }, answer: json<PasskeyOptions>('PasskeyOptions'),
    },
    'identity.registerPasskey': {
      method: 'POST', path: '/me/passkeys', summary: "Finish the registration: the authenticator's attestation is verified and its public key kept",
      access: { roles: 'any' }, body: passkeyRegisterBody, bodyLimit: '32kb', answer: json<Passkey>('Passkey', 201),
    },
    'identity.removePasskey': {
      method: 'DELETE', path: '/me/passkeys/:passkeyId', summary: 'Remove one of the own passkeys',
      access: { roles: 'any' }, params: passkeyParams, answer: json<Nothing>('{}'),
    },
    'identity.beginTotp': {
      method: 'POST', path: '/me/totp', summary: 'A new authenticator secret to scan (replaces the current one once confirmed)',
      access: { roles: 'any' }, answer: json<TotpSetup & { challenge: string }>('TotpSetup & { challenge: string }'),
    },
    'identity.confirmTotp': {
      method: 'POST', path: '/me/totp/confirm', summary: 'Confirm the new authenticator with one code',
      access: { roles: 'any' }, body: totpChallenge, answer: json<Nothing>('{}'),
    },

    // ---- invitations (平安心居 family members)
    'identity.createInvitation': {
      method: 'POST', path: '/invitations', summary: 'Invite into a household: an open link with a short code for someone new, or addressed to an existing account by sign-in name',
      access: INVITERS, body: newInvitationBody, answer: json<Invitation>('Invitation', 201),
    },
    'identity.previewInvitation': {
      method: 'POST', path: '/invitations/preview', summary: 'What an open invitation is for (household, who invites, permission), by its code',
      access: 'public', body: invitationCodeBody, answer: json<InvitationPreview>('InvitationPreview'),
    },
    'identity.acceptInvitation': {
      method: 'POST', path: '/invitations/accept', summary: 'Someone new accepts: their name and city, a sign-in name and password; answers a signed-in step',
      access: 'public', body: acceptInvitationBody, answer: json<SignInStep>('SignInStep'),
    },
    'identity.myInvitations': {
      method: 'GET', path: '/me/invitations', summary: 'Open invitations addressed to the caller',
      access: { roles: ['family'] }, answer: json<InvitationPreview[]>('InvitationPreview[]'),
    },
    'identity.answerInvitation': {
      method: 'POST', path: '/me/invitations/:invitationId', summary: 'Accept or decline an invitation addressed to the caller (only then is the household told who they are)',
      access: { roles: ['family'] }, params: invitationParams, body: z.strictObject({ accept: z.boolean() }), answer: json<InvitationPreview>('InvitationPreview'),
    },
    'identity.householdInvitations': {
      method: 'GET', path: '/households/:householdId/invitations', summary: "The household's invitations (never naming an invitee before they accept)",
      access: INVITERS, params: householdParams, answer: json<Invitation[]>('Invitation[]'),
    },
    'identity.withdrawInvitation': {
      method: 'POST', path: '/invitations/:invitationId/withdraw', summary: 'Withdraw an open invitation',
      access: INVITERS, params: invitationParams, answer: json<Invitation>('Invitation'),
    },
    'identity.removeMember': {
      method: 'POST', path: '/households/:householdId/members/:memberId/remove', summary: 'Remove a family member (a manager, or the member leaving): their household rooms stop at once',
      access: { roles: ['family'] }, params: memberParams, answer: json<Nothing>('{}'),
    },

    // ---- the security administrator
    'identity.listAccounts': {
      method: 'GET', path: '/accounts', summary: 'Every account (security administrators)',
      access: SECURITY, answer: json<Account[]>('Account[]'),
    },
    'identity.createAccount': {
      method: 'POST', path: '/accounts', summary: 'Create an account; answers its one-time password (changed at the first sign-in)',
      access: SECURITY, body: newAccountSchema, answer: json<InitialPassword>('InitialPassword', 201),
    },
    'identity.updateAccount': {
      method: 'PATCH', path: '/accounts/:accountId', summary: 'Rename, disable (every session ends at once) or re-enable an account',
      access: SECURITY, params: accountParams, body: accountPatchSchema, answer: json<Account>('Account'),
    },
    'identity.unlockAccount': {
      method: 'POST', path: '/accounts/:accountId/unlock', summary: 'Lift a lock-out before it lapses',
      access: SECURITY, params: accountParams, answer: json<Account>('Account'),
    },
    'identity.resetPassword': {
      method: 'POST', path: '/accounts/:accountId/reset-password', summary: 'A new one-time password; every session of the account ends',
      access: SECURITY, params: accountParams, answer: json<InitialPassword>('InitialPassword'),
    },
    'identity.resetSecondFactor': {
      method: 'POST', path: '/accounts/:accountId/reset-second-factor', summary: 'Remove the authenticator and passkeys (a lost phone)',
      access: SECURITY, params: accountParams, answer: json<Account>('Account'),
    },
    'identity.listSessions': {
      method: 'GET', path: '/sessions', summary: 'Every live session',
      access: SECURITY, answer: json<SessionInfo[]>('SessionInfo[]'),
    },
    'identity.revokeSession': {
      method: 'POST', path: '/sessions/:sessionId/revoke', summary: 'End a session; its tokens stop working everywhere at once',
      access: SECURITY, params: sessionParams, answer: json<{ revoked: boolean }>('{ revoked: boolean }'),
    },

    // ---- the audit administrator
    'identity.searchAudit': {
      method: 'GET', path: '/audit', summary: 'Search the system audit trail, newest first',
      access: AUDIT, query: auditQuery, answer: json<SystemAuditEntry[]>('SystemAuditEntry[]'),
    },
    'identity.verifyAudit': {
      method: 'GET', path: '/audit/verify', summary: 'Walk the whole chain; names every entry that was altered, removed or reordered',
      access: AUDIT, answer: json<AuditVerifyReport>('AuditVerifyReport'),
    },
  },
});
