// Family members join a household by invitation. The household's manager (or its counsellor)
// either makes an open invitation — a short code, a link and a QR, expiring — for someone new,
// who opens it on a phone, gives their name and city, chooses a sign-in name and password and is
// linked at the level the manager chose; or addresses it to a person who already has an account
// (by sign-in name), who accepts or declines in their own app. Nothing about that person (name,
// city, whether the name exists at all) reaches the household before they accept (issue 9.10).
// Removing a member unlinks them and voids their tokens for that household at once.
import type { Kysely, Selectable } from 'kysely';
import QRCode from 'qrcode';
import type { Claims } from '../auth/grants.ts';
import { AppError, notFound } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { actorOf, type SystemAudit } from '../core/system-audit.ts';
import type { Invitation, InvitationPreview, NewInvitation, SignInStep } from '../protocol/http/identity-shapes.ts';
import type { Accounts } from './accounts.ts';
import { assertPasswordRules } from './password.ts';
import type { IdentityTables, InvitationRow } from './repository.ts';
import type { TokenRevoker } from './revoker.ts';
import { displayCode, sha256, shortCode } from './secrets.ts';
import type { ClientInfo, Sessions } from './sessions.ts';
import type { SignIn } from './sign-in.ts';

/** The household side of invitations, behind a port (server/household through the app). */
export interface InvitationTargets {
  /** Throws unless the actor may invite into the household (its manager, or an assigned counsellor). */
  assertCanInvite(actor: Claims, householdId: string): Promise<void>;
  householdName(householdId: string): Promise<string>;
  linkMember(householdId: string, m: { memberId: string; name?: string; city?: string; relation: string; permission: Invitation['permission'] }): Promise<void>;
  /** Unlinks (a manager, or the member leaving); false when the member was not linked. */
  removeMember(actor: Claims, householdId: string, memberId: string): Promise<boolean>;
}

export interface InvitationDeps {
  db: Kysely<IdentityTables>;
  targets: InvitationTargets;
  accounts: Accounts;
  signIn: SignIn;
  sessions: Sessions;
  revoker: TokenRevoker;
  audit: SystemAudit;
  now: () => number;
}

const gone = () => new AppError('gone', 'this invitation is no longer open (used, withdrawn or expired)', { reason: 'invitation_closed' });

export class Invitations {
  constructor(private readonly d: InvitationDeps) {}

  async create(actor: Claims, n: NewInvitation, origin: string): Promise<Invitation> {
    await this.d.targets.assertCanInvite(actor, n.householdId);
    const now = this.d.now();
    const id = newId('inv');
    let code: string | undefined;
    let invitee: string | null = null;
    if (n.username) {
      // Addressed: the invitee is looked up, but whether the name exists is never answered.
      const a = await this.d.db.selectFrom('identity_accounts').select(['id', 'role', 'subject']).where('username', '=', n.username).executeTakeFirst();
      invitee = a && a.role === 'family' ? a.id : null;
    } else {
      code = shortCode();
    }
    const row: InvitationRow = {
      id,
      code_hash: code ? sha256(code) : null,
      household_id: n.householdId,
      relation: n.relation,
      permission: n.permission,
      invited_by: actor.sub,
      invited_by_name: actor.name,
      invitee_account_id: invitee,
      state: 'open',
      created_at: now,
      expires_at: now + n.validHours * 3600_000,
      decided_at: null,
      member_id: null,
    };
    await this.d.db.insertInto('identity_invitations').values(row).execute();
    await this.d.audit.record({ type: 'invitation-created', actor: actorOf(actor), details: { invitationId: id, householdId: n.householdId, permission: n.permission, addressed: !!n.username } });
    const view = this.#view(row);
    if (!code) return view;
    const link = `${origin}/invite.html#code=${code}`;
    return { ...view, code: displayCode(code), link, qr: await QRCode.toDataURL(link, { margin: 1, width: 280 }) };
  }

  /** What the person holding the code sees before deciding. */
  async preview(code: string): Promise<InvitationPreview> {
    return this.#preview(await this.#openByCode(code));
  }

  /** Someone new accepts an open invitation: their own account and membership, and a session. */
  async acceptNew(code: string, p: { name: string; city: string; username: string; password: string }, client: ClientInfo): Promise<{ step: SignInStep; cookie?: string }> {
    const inv = await this.#openByCode(code);
    assertPasswordRules(p.password, p.username);
    if (await this.d.db.selectFrom('identity_accounts').select('id').where('username', '=', p.username).executeTakeFirst()) {
      throw new AppError('conflict', `the sign-in name ${p.username} is taken; choose another`, { reason: 'username_taken' });
    }
    if (!(await this.#close(inv.id, 'accepted', null))) throw gone();
    const memberId = newId('fm');
    await this.d.targets.linkMember(inv.household_id, { memberId, name: p.name, city: p.city, relation: inv.relation, permission: inv.permission });
    const accountId = newId('acc');
    await this.d.accounts.insert({ id: accountId, username: p.username, displayName: p.name, role: 'family', subject: memberId });
    await this.d.signIn.setPassword({ id: accountId }, p.password, false);
    await this.d.db.updateTable('identity_invitations').set({ member_id: memberId }).where('id', '=', inv.id).execute();
    const actor = { kind: 'user' as const, sub: memberId, name: p.name, role: 'family' };
    await this.d.audit.record({ type: 'account-created', actor, details: { accountId, username: p.username, role: 'family', subject: memberId, invitationId: inv.id } });
    await this.d.audit.record({ type: 'invitation-accepted', actor, details: { invitationId: inv.id, householdId: inv.household_id, memberId, permission: inv.permission } });
    const account = await this.d.db.selectFrom('identity_accounts').selectAll().where('id', '=', accountId).executeTakeFirstOrThrow();
    const { cookie, signedIn } = await this.d.sessions.create(account, 'invitation', client);
    return { step: { step: 'signed-in', ...signedIn }, cookie };
  }

  /** Invitations addressed to the caller, still open. */
  async mine(c: Claims): Promise<InvitationPreview[]> {
    const a = await this.d.accounts.ofClaims(c);
    const rows = await this.d.db
      .selectFrom('identity_invitations')
      .selectAll()
      .where('invitee_account_id', '=', a.id)
      .where('state', '=', 'open')
      .where('expires_at', '>', this.d.now())
      .orderBy('created_at')
      .execute();
    return Promise.all(rows.map((r) => this.#preview(r)));
  }

  /** The invitee's answer; only then does the household learn who they are. */
  async answer(c: Claims, invitationId: string, accept: boolean): Promise<InvitationPreview> {
    const a = await this.d.accounts.ofClaims(c);
    const inv = await this.#row(invitationId);
    if (inv.invitee_account_id !== a.id) throw notFound(`no invitation ${invitationId}`);
    if (inv.state !== 'open' || inv.expires_at <= this.d.now()) throw gone();
    if (!(await this.#close(inv.id, accept ? 'accepted' : 'declined', accept ? a.subject : null))) throw gone();
    if (accept) await this.d.targets.linkMember(inv.household_id, { memberId: a.subject, relation: inv.relation, permission: inv.permission });
    await this.d.audit.record({ type: accept ? 'invitation-accepted' : 'invitation-declined', actor: actorOf(c), details: { invitationId, householdId: inv.household_id, ...(accept ? { memberId: a.subject } : {}) } });
    return this.#preview(inv);
  }

  async listForHousehold(actor: Claims, householdId: string): Promise<Invitation[]> {
    await this.d.targets.assertCanInvite(actor, householdId);
    const rows = await this.d.db.selectFrom('identity_invitations').selectAll().where('household_id', '=', householdId).orderBy('created_at', 'desc').limit(100).execute();
    return rows.map((r) => this.#view(r));
  }

  async withdraw(actor: Claims, invitationId: string): Promise<Invitation> {
    const inv = await this.#row(invitationId);
    await this.d.targets.assertCanInvite(actor, inv.household_id);
    if (!(await this.#close(inv.id, 'revoked', null))) throw gone();
    await this.d.audit.record({ type: 'invitation-revoked', actor: actorOf(actor), details: { invitationId, householdId: inv.household_id } });
    return this.#view(await this.#row(invitationId));
  }

  /** Unlinks a member; their tokens for this household (room tokens) stop everywhere at once. */
  async removeMember(actor: Claims, householdId: string, memberId: string): Promise<void> {
    if (!(await this.d.targets.removeMember(actor, householdId, memberId))) throw notFound(`${memberId} is not a member of this household`);
    await this.d.revoker.revokeSubject({ sub: memberId, householdId, reason: 'link-removed', lifetimeSeconds: 4 * 3600 + 60 });
    await this.d.audit.record({ type: 'member-removed', actor: actorOf(actor), details: { householdId, memberId } });
  }

  async #openByCode(code: string): Promise<Selectable<InvitationRow>> {
    const inv = await this.d.db.selectFrom('identity_invitations').selectAll().where('code_hash', '=', sha256(code)).executeTakeFirst();
    if (!inv) throw notFound('no invitation has this code');
    if (inv.state !== 'open' || inv.expires_at <= this.d.now()) throw gone();
    return inv;
  }

  /** Open → closed once (two acceptances of one code: the second loses). */
  async #close(id: string, state: 'accepted' | 'declined' | 'revoked', memberId: string | null): Promise<boolean> {
    const r = await this.d.db
      .updateTable('identity_invitations')
      .set({ state, decided_at: this.d.now(), ...(memberId ? { member_id: memberId } : {}) })
      .where('id', '=', id)
      .where('state', '=', 'open')
      .executeTakeFirst();
    return r.numUpdatedRows === 1n;
  }

  async #row(id: string): Promise<Selectable<InvitationRow>> {
    const r = await this.d.db.selectFrom('identity_invitations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw notFound(`no invitation ${id}`);
    return r;
  }

  async #preview(r: Selectable<InvitationRow>): Promise<InvitationPreview> {
    return {
      id: r.id,
      householdName: await this.d.targets.householdName(r.household_id),
      invitedBy: r.invited_by_name,
      relation: r.relation,
      permission: r.permission,
      expiresAt: new Date(r.expires_at).toISOString(),
    };
  }

  #view(r: Selectable<InvitationRow>): Invitation {
    const expired = r.state === 'open' && r.expires_at <= this.d.now();
    return {
      id: r.id,
      householdId: r.household_id,
      relation: r.relation,
      permission: r.permission,
      state: expired ? 'expired' : r.state,
      addressed: r.code_hash === null,
      invitedBy: r.invited_by_name,
      createdAt: new Date(r.created_at).toISOString(),
      expiresAt: new Date(r.expires_at).toISOString(),
      // Who accepted is the household's to know once they did; never before.
      memberId: r.state === 'accepted' ? r.member_id : null,
    };
  }
}
