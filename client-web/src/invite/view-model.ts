// The invite page's pure parts. Two people use it: the household's manager (or an assigned
// counsellor) makes an invitation — an open link with a short code and QR for someone new, or one
// addressed to an existing account by sign-in name — and sees the household's invitations; the
// person invited opens the link (`invite.html#code=…`), sees which household and who invites,
// and joins with their name, city, a sign-in name and password.
import { ApiError } from '../lib/api.ts';
import type { ViewContext } from '../lib/i18n.ts';
import type { HouseholdView } from '../../../server/protocol/http/household-shapes.ts';
import type { Invitation, InvitationPreview, NewInvitation } from '../../../server/protocol/http/identity-shapes.ts';

export const INVITE_ROLES = ['family', 'counsellor'] as const;
export const PERMISSIONS = ['call', 'look-in', 'manage'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export interface InviteForm {
  householdId: string;
  relation: string;
  permission: Permission;
  /** Empty: an open link for someone new. */
  username: string;
  validHours: string;
}

export interface JoinForm {
  name: string;
  city: string;
  username: string;
  password: string;
  repeat: string;
}

export interface InviteState {
  /** `join`: opened from an invitation link; `invite`: the household side. */
  mode: 'loading' | 'signed-out' | 'invite' | 'join';
  households: HouseholdView[];
  form: InviteForm;
  /** The invitation just made: its code, link and QR are shown this once. */
  made: Invitation | null;
  invitations: Invitation[];
  code: string;
  preview: InvitationPreview | null;
  join: JoinForm;
  busy: boolean;
  error: string | null;
}

export const EMPTY_INVITE: InviteForm = { householdId: '', relation: '', permission: 'call', username: '', validHours: '72' };
export const EMPTY_JOIN: JoinForm = { name: '', city: '', username: '', password: '', repeat: '' };

export const initialInvite = (): InviteState => ({ mode: 'loading', households: [], form: EMPTY_INVITE, made: null, invitations: [], code: '', preview: null, join: EMPTY_JOIN, busy: false, error: null });

/** Households the caller may invite into: a family member's managed ones, a counsellor's assigned ones. */
export const invitableHouseholds = (role: string, hs: readonly HouseholdView[]) => (role === 'counsellor' ? [...hs] : hs.filter((h) => h.myPermission === 'manage'));

/** The code in an invitation link's fragment (never sent to the server in the address). */
export function codeOfLink(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, '')).get('code')?.trim() ?? '';
}

export function invitationBody(f: InviteForm): NewInvitation | null {
  const hours = Number(f.validHours);
  if (!f.householdId || !f.relation.trim() || !Number.isInteger(hours) || hours < 1 || hours > 168) return null;
  return { householdId: f.householdId, relation: f.relation.trim(), permission: f.permission, validHours: hours, ...(f.username.trim() ? { username: f.username.trim() } : {}) };
}

/** A refusal in the person's words: an unknown (used, withdrawn or mistyped) invitation says so; anything else is passed on. */
export function refusalText(err: unknown, { t }: ViewContext): string {
  if (err instanceof ApiError && err.code === 'not_found') return t('invite.unknown');
  return t('invite.failed', { m: (err as Error).message });
}
