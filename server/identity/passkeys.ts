// Passkeys (WebAuthn) with @simplewebauthn/server: a signed-in person registers one (the
// authenticator's public key is kept, never a secret), and signs in with it — as the second factor
// after the password, or alone (a discoverable credential with user verification: possession and
// the PIN or fingerprint that unlocks it). Each ceremony's challenge lives as a sign-in challenge
// (hashed, minutes, any node); the relying party is the page's own origin (PUBLIC_URL, else the
// request's), so a credential made for this site cannot be used anywhere else.
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Kysely, Selectable } from 'kysely';
import { AppError, forbidden, notFound } from '../core/errors.ts';
import type { SystemAudit } from '../core/system-audit.ts';
import type { AuditActor } from '../core/audit-chain.ts';
import type { Passkey, PasskeyOptions } from '../protocol/http/identity-shapes.ts';
import type { Challenges } from './challenges.ts';
import type { AccountRow, IdentityTables, PasskeyRow } from './repository.ts';

/** Who the authenticator is talking to: the site's host name and the origin its pages come from. */
export interface RelyingParty {
  id: string;
  origin: string;
}

export const relyingPartyOf = (origin: string): RelyingParty => ({ id: new URL(origin).hostname, origin });

/** The name authenticators show next to the account. */
const RP_NAME = '宿州视频接访 · 平安心居';
const CEREMONY_MS = 120_000;
/** One person, a handful of authenticators (phone, security key, a desk's built-in one). */
const MAX_PASSKEYS = 10;

interface Ceremony {
  expected: string;
  rp: RelyingParty;
  /** The account whose passkeys were offered (a second factor, a registration); null: any (passkey-only). */
  accountId: string | null;
}

export interface PasskeyUse {
  account: Selectable<AccountRow>;
  passkeyId: string;
  userVerified: boolean;
}

export interface PasskeysDeps {
  db: Kysely<IdentityTables>;
  challenges: Challenges;
  audit: SystemAudit;
  now: () => number;
}

const refused = (why: string) => new AppError('unauthorized', `passkey refused: ${why}`, { reason: 'passkey_refused' });

export class Passkeys {
  constructor(private readonly d: PasskeysDeps) {}

  async list(accountId: string): Promise<Passkey[]> {
    const rows = await this.d.db.selectFrom('identity_passkeys').selectAll().where('account_id', '=', accountId).orderBy('created_at').execute();
    return rows.map(view);
  }

  async count(accountId: string): Promise<number> {
    return (await this.d.db.selectFrom('identity_passkeys').select('id').where('account_id', '=', accountId).execute()).length;
  }

  async registrationOptions(account: Selectable<AccountRow>, rp: RelyingParty): Promise<PasskeyOptions> {
    const existing = await this.d.db.selectFrom('identity_passkeys').select(['id', 'transports_json']).where('account_id', '=', account.id).execute();
    if (existing.length >= MAX_PASSKEYS) throw new AppError('conflict', `at most ${MAX_PASSKEYS} passkeys per account; remove one first`, { reason: 'too_many_passkeys' });
    const options = await generateRegistrationOptions({
      rpName: RP_NAME,
      rpID: rp.id,
      userName: account.username,
      userDisplayName: account.display_name,
      // The account id as the user handle: a passkey-only sign-in finds the account by credential id anyway.
      userID: new TextEncoder().encode(account.id),
      timeout: CEREMONY_MS,
      attestationType: 'none',
      excludeCredentials: existing.map((p) => ({ id: p.id, transports: JSON.parse(p.transports_json) as string[] })),
      // Discoverable and verified: the same passkey serves as a second factor and on its own.
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    const ceremony = await this.d.challenges.issue<Ceremony>('passkey-register', account.id, { expected: options.challenge, rp, accountId: account.id });
    return { ceremony, options: options as unknown as Record<string, unknown> };
  }

  async register(account: Selectable<AccountRow>, ceremony: string, response: unknown, name: string | undefined, actor: AuditActor): Promise<Passkey> {
    const c = await this.d.challenges.get<Ceremony>('passkey-register', ceremony);
    if (c.accountId !== account.id) throw forbidden('this passkey ceremony is not yours');
    let result;
    try {
      result = await verifyRegistrationResponse({
        response: response as RegistrationResponseJSON,
        expectedChallenge: c.data.expected,
        expectedOrigin: c.data.rp.origin,
        expectedRPID: c.data.rp.id,
        requireUserVerification: true,
      });
    } catch (err) {
      await this.d.challenges.failed(ceremony);
      throw refused((err as Error).message);
    }
    if (!result.verified) {
      await this.d.challenges.failed(ceremony);
      throw refused('not verified');
    }
    if (!(await this.d.challenges.consume(ceremony))) throw refused('this ceremony was already used');
    const cred = result.registrationInfo.credential;
    if (await this.d.db.selectFrom('identity_passkeys').select('id').where('id', '=', cred.id).executeTakeFirst()) {
      throw new AppError('conflict', 'this passkey is registered already', { reason: 'passkey_exists' });
    }
    const row = {
      id: cred.id,
      account_id: account.id,
      public_key: Buffer.from(cred.publicKey).toString('base64url'),
      counter: cred.counter,
      transports_json: JSON.stringify(cred.transports ?? []),
      name: name ?? `${account.display_name} · ${new Date(this.d.now()).toISOString().slice(0, 10)}`,
      created_at: this.d.now(),
      last_used_at: null,
    };
    await this.d.db.insertInto('identity_passkeys').values(row).execute();
    await this.d.audit.record({ type: 'second-factor-changed', actor, details: { accountId: account.id, username: account.username, passkey: 'registered', passkeyName: row.name } });
    return view(row);
  }

  async remove(account: Selectable<AccountRow>, passkeyId: string, actor: AuditActor): Promise<void> {
    const r = await this.d.db.deleteFrom('identity_passkeys').where('id', '=', passkeyId).where('account_id', '=', account.id).executeTakeFirst();
    if (r.numDeletedRows !== 1n) throw notFound('no such passkey of yours');
    await this.d.audit.record({ type: 'second-factor-changed', actor, details: { accountId: account.id, username: account.username, passkey: 'removed' } });
  }

  /** Options to sign in: the account's passkeys (a second factor), or any discoverable one (accountId null). */
  async signInOptions(accountId: string | null, rp: RelyingParty): Promise<PasskeyOptions> {
    const allow = accountId ? await this.d.db.selectFrom('identity_passkeys').select(['id', 'transports_json']).where('account_id', '=', accountId).execute() : [];
    if (accountId && allow.length === 0) throw new AppError('bad_request', 'this account has no passkey', { reason: 'no_passkey' });
    const options = await generateAuthenticationOptions({
      rpID: rp.id,
      timeout: CEREMONY_MS,
      allowCredentials: allow.map((p) => ({ id: p.id, transports: JSON.parse(p.transports_json) as string[] })),
      // Alone, the passkey must prove the person (PIN, fingerprint) as well as the device.
      userVerification: accountId ? 'preferred' : 'required',
    });
    const ceremony = await this.d.challenges.issue<Ceremony>('passkey-sign-in', accountId, { expected: options.challenge, rp, accountId });
    return { ceremony, options: options as unknown as Record<string, unknown> };
  }

  /** Checks the authenticator's signature over this ceremony's challenge; spends the ceremony. */
  async verify(ceremony: string, response: { id: string }): Promise<PasskeyUse> {
    const c = await this.d.challenges.get<Ceremony>('passkey-sign-in', ceremony);
    const fail = async (why: string): Promise<never> => {
      await this.d.challenges.failed(ceremony);
      throw refused(why);
    };
    const row = await this.d.db.selectFrom('identity_passkeys').selectAll().where('id', '=', response.id).executeTakeFirst();
    if (!row) return fail('unknown passkey');
    if (c.data.accountId !== null && row.account_id !== c.data.accountId) return fail('not a passkey of this account');
    let result;
    try {
      result = await verifyAuthenticationResponse({
        response: response as AuthenticationResponseJSON,
        expectedChallenge: c.data.expected,
        expectedOrigin: c.data.rp.origin,
        expectedRPID: c.data.rp.id,
        credential: { id: row.id, publicKey: Buffer.from(row.public_key, 'base64url'), counter: row.counter, transports: JSON.parse(row.transports_json) as string[] },
        requireUserVerification: c.data.accountId === null,
      });
    } catch (err) {
      return fail((err as Error).message);
    }
    if (!result.verified) return fail('not verified');
    if (!(await this.d.challenges.consume(ceremony))) throw refused('this ceremony was already used');
    await this.d.db.updateTable('identity_passkeys').set({ counter: result.authenticationInfo.newCounter, last_used_at: this.d.now() }).where('id', '=', row.id).execute();
    const account = await this.d.db.selectFrom('identity_accounts').selectAll().where('id', '=', row.account_id).executeTakeFirstOrThrow();
    return { account, passkeyId: row.id, userVerified: result.authenticationInfo.userVerified };
  }
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const view = (r: Selectable<PasskeyRow>): Passkey => ({ id: r.id, name: r.name, createdAt: iso(r.created_at)!, lastUsedAt: iso(r.last_used_at) });
