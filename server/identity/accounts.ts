// Accounts of people, kept by the security administrator (三员分立 ②): create with a one-time
// password, change, disable (ends every session at once), unlock, reset password or second factor.
// The account itself (any role): change its password, set up TOTP. Each change is audited.
import type { Kysely, Selectable } from 'kysely';
import type { Claims } from '../auth/grants.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { AuditActor } from '../core/audit-chain.ts';
import { actorOf, type SystemAudit } from '../core/system-audit.ts';
import { DIRECTORY_ROLES, type Account, type AccountPatch, type InitialPassword, type NewAccount, type PersonRole, type TotpSetup } from '../protocol/http/identity-shapes.ts';
import { assertPasswordRules, generatePassword, passwordMatches } from './password.ts';
import { accountView, type AccountRow, type IdentityTables } from './repository.ts';
import type { Sessions } from './sessions.ts';
import type { SignIn } from './sign-in.ts';
import { checkTotp, newTotpSecret, totpSetup } from './totp.ts';
import type { Challenges } from './challenges.ts';
import type { TokenRevoker } from './revoker.ts';

/** Roles whose tokens carry a directory id as `sub`; the directory must know it. */
export interface SubjectCheck {
  exists(role: PersonRole, subject: string): Promise<boolean>;
}


export interface AccountsDeps {
  db: Kysely<IdentityTables>;
  sessions: Sessions;
  signIn: SignIn;
  challenges: Challenges;
  audit: SystemAudit;
  subjects: SubjectCheck;
  /** Disabling voids every token of the account's subject, not only its sessions' (room tokens too). */
  revoker: TokenRevoker;
  /** The longest any token of a person can live: a disabling's revocation is kept that long. */
  tokenLifetimeSeconds: number;
  now: () => number;
}

export class Accounts {
  constructor(private readonly d: AccountsDeps) {}

  /** Whether anyone can administer accounts yet (the first start prints the bootstrap command otherwise). */
  async hasSecurityAdministrator(): Promise<boolean> {
    return (await this.d.db.selectFrom('identity_accounts').select('id').where('role', '=', 'security-admin').where('disabled', '=', 0).executeTakeFirst()) !== undefined;
  }

  async list(): Promise<Account[]> {
    const rows = await this.d.db.selectFrom('identity_accounts').selectAll().orderBy('username').execute();
    const passkeys = await this.#passkeyCounts();
    return rows.map((r) => accountView(r, passkeys.get(r.id) ?? 0, this.d.now()));
  }

  async get(id: string): Promise<Account> {
    const r = await this.#row(id);
    return accountView(r, (await this.#passkeyCounts(id)).get(id) ?? 0, this.d.now());
  }

  /**
   * Whom a sign-in name names in the audit trail: entries name people by their subject (and display
   * name), not by the name they sign in with. Case-insensitive, as the search is.
   */
  async subjectOfUsername(username: string): Promise<string | undefined> {
    const r = await this.d.db.selectFrom('identity_accounts').select('subject').where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase())).executeTakeFirst();
    return r?.subject;
  }

  /** The account behind verified claims (people only; devices have none). */
  async ofClaims(c: Claims): Promise<Selectable<AccountRow>> {
    const r = await this.d.db.selectFrom('identity_accounts').selectAll().where('subject', '=', c.sub).where('role', '=', c.role as PersonRole).executeTakeFirst();
    if (!r) throw forbidden('this token belongs to no account');
    return r;
  }

  /**
   * Creates an account with a one-time password to be changed at the first sign-in. `by` is the
   * security administrator, or the system for the bootstrap command (`npm run admin:create`).
   */
  async create(by: AuditActor, a: NewAccount): Promise<InitialPassword> {
    const id = newId('acc');
    let subject = id;
    if (DIRECTORY_ROLES.includes(a.role)) {
      if (!a.subject) throw badRequest(`a ${a.role} account names the directory entry it signs in as (subject)`, { reason: 'subject_required' });
      if (!(await this.d.subjects.exists(a.role, a.subject))) throw notFound(`no ${a.role} ${a.subject} in the directory`);
      subject = a.subject;
    } else if (a.subject) {
      throw badRequest(`a ${a.role} account signs in as itself; leave subject out`, { reason: 'subject_not_allowed' });
    }
    if (await this.d.db.selectFrom('identity_accounts').select('id').where('username', '=', a.username).executeTakeFirst()) {
      throw conflict(`the sign-in name ${a.username} is taken`);
    }
    // One account per subject: a person never holds two roles (三员分立), nor two accounts.
    if (await this.d.db.selectFrom('identity_accounts').select('id').where('subject', '=', subject).executeTakeFirst()) {
      throw new AppError('conflict', `${subject} already has an account; one person holds one role`, { reason: 'subject_has_account' });
    }
    const initialPassword = generatePassword();
    await this.insert({ id, username: a.username, displayName: a.displayName, role: a.role, subject, attributes: a.attributes ?? {} });
    await this.d.signIn.setPassword({ id }, initialPassword, true);
    await this.d.audit.record({ type: 'account-created', actor: by, details: { accountId: id, username: a.username, role: a.role, subject } });
    return { account: await this.get(id), initialPassword };
  }

  /** The row itself, for the bootstrap command, invitations and single sign-on. */
  async insert(a: { id: string; username: string; displayName: string; role: PersonRole; subject: string; attributes?: object; oidc?: { issuer: string; subject: string } }): Promise<void> {
    await this.d.db
      .insertInto('identity_accounts')
      .values({
        id: a.id,
        username: a.username,
        display_name: a.displayName,
        role: a.role,
        subject: a.subject,
        attributes_json: JSON.stringify(a.attributes ?? {}),
        password_hash: null,
        must_change_password: 0,
        password_changed_at: null,
        failed_attempts: 0,
        locked_until: null,
        disabled: 0,
        totp_secret: null,
        totp_enabled: 0,
        totp_last_step: null,
        oidc_issuer: a.oidc?.issuer ?? null,
        oidc_subject: a.oidc?.subject ?? null,
        created_at: this.d.now(),
        last_sign_in_at: null,
      })
      .execute();
  }

  async patch(by: Claims, id: string, p: AccountPatch): Promise<Account> {
    const before = await this.#row(id);
    if (p.disabled !== undefined && before.subject === by.sub) throw forbidden('an administrator does not disable their own account');
    await this.d.db
      .updateTable('identity_accounts')
      .set({
        ...(p.displayName !== undefined ? { display_name: p.displayName } : {}),
        ...(p.disabled !== undefined ? { disabled: p.disabled ? 1 : 0 } : {}),
        ...(p.attributes !== undefined ? { attributes_json: JSON.stringify(p.attributes) } : {}),
      })
      .where('id', '=', id)
      .execute();
    await this.d.audit.record({ type: 'account-changed', actor: actorOf(by), details: { accountId: id, username: before.username, ...p } });
    if (p.disabled === true) {
      await this.d.sessions.revokeAll(id, 'account-disabled', actorOf(by));
      // Room tokens and tokens from any other issuer path carry no session: void the subject's
      // tokens issued up to now, which also closes its signalling and /live connections on every node.
      await this.d.revoker.revokeSubject({ sub: before.subject, reason: 'account-disabled', lifetimeSeconds: this.d.tokenLifetimeSeconds });
    }
    return this.get(id);
  }

  async unlock(by: Claims, id: string): Promise<Account> {
    const a = await this.#row(id);
    await this.d.db.updateTable('identity_accounts').set({ locked_until: null, failed_attempts: 0 }).where('id', '=', id).execute();
    await this.d.audit.record({ type: 'account-changed', actor: actorOf(by), details: { accountId: id, username: a.username, unlocked: true } });
    return this.get(id);
  }

  /** A new one-time password; every session of the account ends. */
  async resetPassword(by: Claims, id: string): Promise<InitialPassword> {
    const a = await this.#row(id);
    if (a.oidc_subject !== null) throw badRequest('this account signs in through single sign-on and has no password', { reason: 'single_sign_on' });
    const initialPassword = generatePassword();
    await this.d.signIn.setPassword(a, initialPassword, true);
    await this.d.sessions.revokeAll(id, 'password-changed', actorOf(by));
    await this.d.audit.record({ type: 'password-changed', actor: actorOf(by), details: { accountId: id, username: a.username, reset: true } });
    return { account: await this.get(id), initialPassword };
  }

  /** Removes the second factor (a lost phone); the next sign-in sets one up again where the role needs it. */
  async resetSecondFactor(by: Claims, id: string): Promise<Account> {
    const a = await this.#row(id);
    await this.d.db.updateTable('identity_accounts').set({ totp_secret: null, totp_enabled: 0, totp_last_step: null }).where('id', '=', id).execute();
    await this.d.db.deleteFrom('identity_passkeys').where('account_id', '=', id).execute();
    await this.d.sessions.revokeAll(id, 'revoked', actorOf(by));
    await this.d.audit.record({ type: 'second-factor-changed', actor: actorOf(by), details: { accountId: id, username: a.username, reset: true } });
    return this.get(id);
  }

  // ---- the account itself ----------------------------------------------------------------------

  async changeOwnPassword(c: Claims, current: string, next: string, keepSession: string | undefined): Promise<void> {
    const a = await this.ofClaims(c);
    if (!(await passwordMatches(a.password_hash, current))) throw new AppError('unauthorized', 'the current password is wrong', { reason: 'wrong_password' });
    assertPasswordRules(next, a.username);
    if (current === next) throw badRequest('choose a password other than the current one', { reason: 'same_password' });
    await this.d.signIn.setPassword(a, next, false);
    // Other sessions (a forgotten browser elsewhere) end; this one stays.
    await this.d.sessions.revokeAll(a.id, 'password-changed', actorOf(c), keepSession);
    await this.d.audit.record({ type: 'password-changed', actor: actorOf(c), details: { accountId: a.id } });
  }

  /** A new TOTP secret to scan; it replaces the current one only when a code from it is confirmed. */
  async beginTotp(c: Claims): Promise<TotpSetup & { challenge: string }> {
    const a = await this.ofClaims(c);
    const secret = newTotpSecret();
    return { ...(await totpSetup(secret, a.username)), challenge: await this.d.challenges.issue('enrol-totp', a.id, { method: 'password', secret }) };
  }

  async confirmTotp(c: Claims, challenge: string, code: string): Promise<void> {
    const a = await this.ofClaims(c);
    const ch = await this.d.challenges.get<{ secret: string }>('enrol-totp', challenge);
    if (ch.accountId !== a.id) throw forbidden('not your set-up');
    const step = await checkTotp(ch.data.secret, code, null, this.d.now());
    if (step === undefined) {
      await this.d.challenges.failed(challenge);
      throw badRequest('wrong code', { reason: 'wrong_code' });
    }
    await this.d.challenges.consume(challenge);
    await this.d.db.updateTable('identity_accounts').set({ totp_secret: ch.data.secret, totp_enabled: 1, totp_last_step: step }).where('id', '=', a.id).execute();
    await this.d.audit.record({ type: 'second-factor-changed', actor: actorOf(c), details: { accountId: a.id, totp: 'enrolled' } });
  }

  async #row(id: string): Promise<Selectable<AccountRow>> {
    const r = await this.d.db.selectFrom('identity_accounts').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw notFound(`no account ${id}`);
    return r;
  }

  async #passkeyCounts(accountId?: string): Promise<Map<string, number>> {
    let q = this.d.db.selectFrom('identity_passkeys').select(['account_id', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('account_id');
    if (accountId) q = q.where('account_id', '=', accountId);
    return new Map((await q.execute()).map((r) => [r.account_id, Number(r.n)]));
  }
}
