// Signing in with a password, step by step: the password; then, as the account needs, a new
// password (first sign-in, or after a reset), a second factor (TOTP or a passkey), or setting one
// up when the role requires it and the account has none (an authenticator app, or a passkey of this
// browser in its place). A passkey alone (verified by its PIN or
// fingerprint) stands for the password and the second factor. Each step answers what comes next (`SignInStep`);
// only the last one opens a session. Wrong passwords and wrong codes count against the account:
// after `maxFailures` in a row it is locked for `lockSeconds` (a security administrator can
// unlock it earlier). Every success and failure is in the system audit trail.
import type { Kysely, Selectable } from 'kysely';
import { AppError } from '../core/errors.ts';
import type { SystemAudit } from '../core/system-audit.ts';
import type { SignInMethod, SignInStep } from '../protocol/http/identity-shapes.ts';
import type { Challenges } from './challenges.ts';
import type { PasskeyUse, Passkeys, RelyingParty } from './passkeys.ts';
import { PASSWORD_RULES, assertPasswordRules, decoyHash, hashPassword, passwordMatches } from './password.ts';
import type { IdentityPolicy } from './policy.ts';
import type { AccountRow, IdentityTables } from './repository.ts';
import { accountActor, type ClientInfo, type Sessions } from './sessions.ts';
import { checkTotp, newTotpSecret, totpSetup } from './totp.ts';

export interface SignInDeps {
  db: Kysely<IdentityTables>;
  sessions: Sessions;
  challenges: Challenges;
  passkeys: Passkeys;
  audit: SystemAudit;
  policy: IdentityPolicy;
  now: () => number;
}

/** Where a challenge came from: the password, and which factors were already passed. */
interface StepData {
  method: SignInMethod;
  /** For enrol-totp: the secret the person is scanning, not yet the account's. */
  secret?: string;
  /** A verified passkey alone began the sign-in: no second factor is owed. */
  secondFactorDone?: boolean;
}

type WithCookie = { step: SignInStep; cookie?: string };

const WRONG = 'wrong sign-in name or password';

export class SignIn {
  constructor(private readonly d: SignInDeps) {}

  async password(username: string, password: string, client: ClientInfo): Promise<WithCookie> {
    const now = this.d.now();
    const account = await this.d.db.selectFrom('identity_accounts').selectAll().where('username', '=', username).executeTakeFirst();
    if (!account) {
      await passwordMatches(await decoyHash(), password);
      await this.#failed(null, username, 'unknown-username', client);
      throw new AppError('unauthorized', WRONG, { reason: 'wrong_password' });
    }
    if (account.locked_until !== null && account.locked_until > now) {
      await this.#failed(account, username, 'locked', client);
      throw locked(account.locked_until);
    }
    if (!(await passwordMatches(account.password_hash, password))) {
      const remaining = await this.#countFailure(account, 'wrong-password', client);
      if (remaining === 0) throw locked(now + this.d.policy.lockSeconds * 1000);
      throw new AppError('unauthorized', WRONG, { reason: 'wrong_password', remaining });
    }
    if (account.disabled === 1) {
      await this.#failed(account, username, 'disabled', client);
      throw new AppError('forbidden', 'this account is disabled', { reason: 'account_disabled' });
    }
    await this.d.db.updateTable('identity_accounts').set({ failed_attempts: 0 }).where('id', '=', account.id).execute();
    return this.#next(account, { method: 'password' }, client);
  }

  async totp(challenge: string, code: string, client: ClientInfo): Promise<WithCookie> {
    const c = await this.d.challenges.get<StepData>('second-factor', challenge);
    const account = await this.#account(c.accountId);
    const step = account.totp_secret && account.totp_enabled === 1 ? await checkTotp(account.totp_secret, code, account.totp_last_step, this.d.now()) : undefined;
    if (step === undefined) {
      await this.d.challenges.failed(challenge);
      const remaining = await this.#countFailure(account, 'wrong-code', client);
      if (remaining === 0) throw locked(this.d.now() + this.d.policy.lockSeconds * 1000);
      throw new AppError('unauthorized', 'wrong code', { reason: 'wrong_code', remaining });
    }
    await this.#spend(challenge);
    await this.d.db.updateTable('identity_accounts').set({ totp_last_step: step, failed_attempts: 0 }).where('id', '=', account.id).execute();
    return this.#open(account, 'password+totp', client);
  }

  /** Options for the authenticator: the account's passkeys after its password (`challenge`), or any passkey alone. */
  async passkeyOptions(challenge: string | undefined, rp: RelyingParty) {
    const accountId = challenge ? (await this.d.challenges.get<StepData>('second-factor', challenge)).accountId : null;
    return this.d.passkeys.signInOptions(accountId, rp);
  }

  /** A passkey answered: the second factor of the password step `challenge`, or the whole sign-in without one. */
  async passkey(ceremony: string, response: { id: string }, challenge: string | undefined, client: ClientInfo): Promise<WithCookie> {
    if (challenge) {
      const c = await this.d.challenges.get<StepData>('second-factor', challenge);
      const account = await this.#account(c.accountId);
      let use: PasskeyUse;
      try {
        use = await this.d.passkeys.verify(ceremony, response);
        if (use.account.id !== account.id) throw new AppError('unauthorized', 'passkey refused: not a passkey of this account', { reason: 'passkey_refused' });
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== 'unauthorized') throw err;
        await this.d.challenges.failed(challenge);
        const remaining = await this.#countFailure(account, 'passkey-refused', client);
        if (remaining === 0) throw locked(this.d.now() + this.d.policy.lockSeconds * 1000);
        throw new AppError('unauthorized', err.message, { reason: 'passkey_refused', remaining });
      }
      await this.#spend(challenge);
      await this.d.db.updateTable('identity_accounts').set({ failed_attempts: 0 }).where('id', '=', account.id).execute();
      return this.#open(account, 'password+passkey', client);
    }
    let use: PasskeyUse;
    try {
      use = await this.d.passkeys.verify(ceremony, response);
    } catch (err) {
      if (err instanceof AppError && err.code === 'unauthorized') await this.#failed(null, '(passkey)', 'passkey-refused', client);
      throw err;
    }
    const { account } = use;
    if (account.locked_until !== null && account.locked_until > this.d.now()) {
      await this.#failed(account, account.username, 'locked', client);
      throw locked(account.locked_until);
    }
    if (account.disabled === 1) {
      await this.#failed(account, account.username, 'disabled', client);
      throw new AppError('forbidden', 'this account is disabled', { reason: 'account_disabled' });
    }
    return this.#next(account, { method: 'passkey', secondFactorDone: true }, client);
  }

  async newPassword(challenge: string, newPassword: string, client: ClientInfo): Promise<WithCookie> {
    const c = await this.d.challenges.get<StepData>('change-password', challenge);
    const account = await this.#account(c.accountId);
    assertPasswordRules(newPassword, account.username);
    if (await passwordMatches(account.password_hash, newPassword)) {
      throw new AppError('bad_request', 'choose a password other than the current one', { reason: 'same_password' });
    }
    await this.#spend(challenge);
    await this.setPassword(account, newPassword, false);
    await this.d.audit.record({ type: 'password-changed', actor: accountActor(account), details: { accountId: account.id, forced: true } });
    return this.#next({ ...account, must_change_password: 0 }, c.data, client);
  }

  async enrolTotp(challenge: string, code: string, client: ClientInfo): Promise<WithCookie> {
    const c = await this.d.challenges.get<StepData>('enrol-totp', challenge);
    const account = await this.#account(c.accountId);
    const step = c.data.secret ? await checkTotp(c.data.secret, code, null, this.d.now()) : undefined;
    if (step === undefined) {
      await this.d.challenges.failed(challenge);
      throw new AppError('bad_request', 'wrong code: check the authenticator app shows this account and try the next code', { reason: 'wrong_code' });
    }
    await this.#spend(challenge);
    await this.d.db
      .updateTable('identity_accounts')
      .set({ totp_secret: c.data.secret!, totp_enabled: 1, totp_last_step: step })
      .where('id', '=', account.id)
      .execute();
    await this.d.audit.record({ type: 'second-factor-changed', actor: accountActor(account), details: { accountId: account.id, totp: 'enrolled' } });
    return this.#open(account, 'password+totp', client);
  }

  /** Options to register a passkey in place of the authenticator app the enrol-totp step `challenge` offered. */
  async enrolPasskeyOptions(challenge: string, rp: RelyingParty) {
    const c = await this.d.challenges.get<StepData>('enrol-totp', challenge);
    return this.d.passkeys.registrationOptions(await this.#account(c.accountId), rp);
  }

  /**
   * A passkey registered at the enrol-totp step: it is the account's second factor from now on
   * (no authenticator app is set up), and, verified with the PIN or fingerprint that unlocks
   * it, it completes this sign-in as the factor after the password.
   */
  async enrolPasskey(challenge: string, ceremony: string, response: unknown, name: string | undefined, client: ClientInfo): Promise<WithCookie> {
    const c = await this.d.challenges.get<StepData>('enrol-totp', challenge);
    const account = await this.#account(c.accountId);
    await this.d.passkeys.register(account, ceremony, response, name, accountActor(account));
    await this.#spend(challenge);
    return this.#open(account, 'password+passkey', client);
  }

  async setPassword(account: Pick<AccountRow, 'id'>, password: string, mustChange: boolean): Promise<void> {
    await this.d.db
      .updateTable('identity_accounts')
      .set({ password_hash: await hashPassword(password), must_change_password: mustChange ? 1 : 0, password_changed_at: this.d.now(), failed_attempts: 0, locked_until: null })
      .where('id', '=', account.id)
      .execute();
  }

  /** What the account still owes after the steps in `data`. */
  async #next(account: Selectable<AccountRow>, data: StepData, client: ClientInfo): Promise<WithCookie> {
    if (account.must_change_password === 1) {
      return { step: { step: 'change-password', challenge: await this.d.challenges.issue('change-password', account.id, data), rules: PASSWORD_RULES } };
    }
    if (data.secondFactorDone) return this.#open(account, data.method, client);
    const passkeys = await this.d.passkeys.count(account.id);
    if (account.totp_enabled === 1 || passkeys > 0) {
      const methods = [...(account.totp_enabled === 1 ? ['totp' as const] : []), ...(passkeys > 0 ? ['passkey' as const] : [])];
      return { step: { step: 'second-factor', challenge: await this.d.challenges.issue('second-factor', account.id, data), methods } };
    }
    if (this.d.policy.secondFactorRoles.includes(account.role)) {
      const secret = newTotpSecret();
      const setup = await totpSetup(secret, account.username);
      return { step: { step: 'enrol-totp', challenge: await this.d.challenges.issue('enrol-totp', account.id, { ...data, secret }), ...setup } };
    }
    return this.#open(account, data.method, client);
  }

  async #open(account: Selectable<AccountRow>, method: SignInMethod, client: ClientInfo): Promise<WithCookie> {
    const fresh = await this.#account(account.id);
    if (fresh.disabled === 1) throw new AppError('forbidden', 'this account is disabled', { reason: 'account_disabled' });
    const { cookie, signedIn } = await this.d.sessions.create(fresh, method, client);
    return { step: { step: 'signed-in', ...signedIn }, cookie };
  }

  async #spend(challenge: string): Promise<void> {
    if (!(await this.d.challenges.consume(challenge))) throw new AppError('unauthorized', 'this sign-in step was already used', { reason: 'challenge_expired' });
  }

  async #account(id: string | null): Promise<Selectable<AccountRow>> {
    const a = id ? await this.d.db.selectFrom('identity_accounts').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
    if (!a) throw new AppError('unauthorized', 'this sign-in step has expired; start again', { reason: 'challenge_expired' });
    return a;
  }

  /** One more failure in a row; locks at the limit. Answers the tries left (0: now locked). */
  async #countFailure(account: Selectable<AccountRow>, why: string, client: ClientInfo): Promise<number> {
    const row = await this.d.db
      .updateTable('identity_accounts')
      .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
      .where('id', '=', account.id)
      .returning('failed_attempts')
      .executeTakeFirstOrThrow();
    await this.#failed(account, account.username, why, client);
    const remaining = Math.max(0, this.d.policy.maxFailures - row.failed_attempts);
    if (remaining === 0) {
      const until = this.d.now() + this.d.policy.lockSeconds * 1000;
      await this.d.db.updateTable('identity_accounts').set({ locked_until: until, failed_attempts: 0 }).where('id', '=', account.id).execute();
      await this.d.audit.record({
        type: 'account-locked',
        actor: { kind: 'system', sub: 'sign-in' },
        details: { accountId: account.id, username: account.username, until: new Date(until).toISOString(), failures: row.failed_attempts, ip: client.ip },
      });
    }
    return remaining;
  }

  async #failed(account: Selectable<AccountRow> | null, username: string, reason: string, client: ClientInfo): Promise<void> {
    await this.d.audit.record({
      type: 'sign-in-failed',
      actor: { kind: 'system', sub: 'sign-in' },
      details: { username, ...(account ? { accountId: account.id } : {}), reason, ip: client.ip },
    });
  }
}

const locked = (until: number) =>
  new AppError('forbidden', 'too many wrong attempts: the account is locked for now', { reason: 'account_locked', until: new Date(until).toISOString() });
