// The short-lived tickets between sign-in steps (a password accepted, a second factor or a new
// password still owed; a passkey ceremony under way). Stored hashed, with an expiry and an
// attempt count, in the shared store so any node can take the next step.
import type { Kysely } from 'kysely';
import { AppError } from '../core/errors.ts';
import type { IdentityTables } from './repository.ts';
import { secretToken, sha256 } from './secrets.ts';

export type ChallengeKind = 'second-factor' | 'change-password' | 'enrol-totp' | 'passkey-sign-in' | 'passkey-register' | 'oidc';

export interface Challenge<D> {
  accountId: string | null;
  data: D;
  attempts: number;
}

/** Wrong answers to one challenge before it is spent (the account's lock-out counts them too). */
const MAX_ATTEMPTS = 5;

export class Challenges {
  constructor(
    private readonly db: Kysely<IdentityTables>,
    private readonly now: () => number,
    private readonly ttlMs: number,
  ) {}

  async issue<D>(kind: ChallengeKind, accountId: string | null, data: D): Promise<string> {
    const token = secretToken();
    const now = this.now();
    await this.db.deleteFrom('identity_challenges').where('expires_at', '<', now).execute();
    await this.db
      .insertInto('identity_challenges')
      .values({ id_hash: sha256(token), account_id: accountId, kind, data_json: JSON.stringify(data), attempts: 0, expires_at: now + this.ttlMs })
      .execute();
    return token;
  }

  /** The live challenge of this kind; `unauthorized` when unknown, used up or expired. */
  async get<D>(kind: ChallengeKind, token: string): Promise<Challenge<D>> {
    const row = await this.db.selectFrom('identity_challenges').selectAll().where('id_hash', '=', sha256(token)).executeTakeFirst();
    if (!row || row.kind !== kind || row.expires_at <= this.now() || row.attempts >= MAX_ATTEMPTS) {
      throw new AppError('unauthorized', 'this sign-in step has expired; start again', { reason: 'challenge_expired' });
    }
    return { accountId: row.account_id, data: JSON.parse(row.data_json) as D, attempts: row.attempts };
  }

  async failed(token: string): Promise<void> {
    await this.db.updateTable('identity_challenges').set((eb) => ({ attempts: eb('attempts', '+', 1) })).where('id_hash', '=', sha256(token)).execute();
  }

  /** Spends the challenge; false when another request spent it first. */
  async consume(token: string): Promise<boolean> {
    const r = await this.db.deleteFrom('identity_challenges').where('id_hash', '=', sha256(token)).executeTakeFirst();
    return r.numDeletedRows === 1n;
  }
}
