// Single sign-on against the city's identity provider (OpenID Connect, authorization code with
// PKCE, via openid-client). The provider vouches for the person and for their second factor;
// the claims say who they are in the directory and in which role (claim → role mapping from the
// configuration). A person signs in to an account linked to (issuer, sub): made on first sign-in
// for the directory roles, linked to the account the security administrator prepared for the
// same directory entry, or refused. Administrator roles are never made from claims (三员分立: the
// security administrator creates those accounts). Role changes at the provider are applied and
// audited at the next sign-in.
import * as oidc from 'openid-client';
import type { Kysely, Selectable } from 'kysely';
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { SystemAudit } from '../core/system-audit.ts';
import { ADMIN_ROLES, DIRECTORY_ROLES, PERSON_ROLES, type PersonRole, type SignedIn } from '../protocol/http/identity-shapes.ts';
import type { Accounts, SubjectCheck } from './accounts.ts';
import type { Challenges } from './challenges.ts';
import type { AccountRow, IdentityTables } from './repository.ts';
import type { ClientInfo, Sessions } from './sessions.ts';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The button's words on the sign-in page, e.g. 宿州市统一身份认证. */
  label: string;
  scopes: string;
  /** The claim holding the role (a string or an array of strings). */
  roleClaim: string;
  /** Provider role value → our role; values not listed are ignored. */
  roleMap: Record<string, PersonRole>;
  /** The claim holding the directory id (an official's or counsellor's id). */
  subjectClaim: string;
}

/** The provider's claims as far as we read them. */
export type OidcClaims = Record<string, unknown> & { sub: string };

export interface MappedPerson {
  role: PersonRole;
  /** The directory id for directory roles, else undefined. */
  directoryId: string | undefined;
  displayName: string;
  username: string;
}

const refused = (message: string, reason: string) => new AppError('forbidden', message, { reason });

/** `role:role,…` from the configuration; each target must be a person role. */
export function parseRoleMap(text: string): Record<string, PersonRole> {
  const map: Record<string, PersonRole> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [from, to] = pair.split(':').map((s) => s.trim());
    if (!from || !to || !(PERSON_ROLES as readonly string[]).includes(to)) throw new Error(`OIDC_ROLE_MAP: "${pair}" is not provider-value:role with a known role`);
    map[from] = to as PersonRole;
  }
  return map;
}

/** Who the claims name, in which role; refused when they name no role we map. */
export function mapClaims(claims: OidcClaims, s: Pick<OidcSettings, 'roleClaim' | 'roleMap' | 'subjectClaim'>): MappedPerson {
  const raw = claims[s.roleClaim];
  const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
  const roles = [...new Set(values.map((v) => s.roleMap[v]).filter((r): r is PersonRole => r !== undefined))];
  if (roles.length === 0) throw refused('the identity provider names no role of this system for you', 'no_role');
  // 三员分立: one role per person; a provider granting two is a configuration error there.
  if (roles.length > 1) throw refused(`the identity provider grants several roles (${roles.join(', ')}); one person holds one role`, 'several_roles');
  const role = roles[0]!;
  const id = claims[s.subjectClaim];
  const directoryId = DIRECTORY_ROLES.includes(role) ? (typeof id === 'string' && /^[\w.\-]{1,128}$/.test(id) ? id : undefined) : undefined;
  if (DIRECTORY_ROLES.includes(role) && !directoryId) throw refused(`the identity provider sends no ${s.subjectClaim} for a ${role}`, 'no_directory_id');
  const name = [claims.name, claims.preferred_username, claims.sub].find((v): v is string => typeof v === 'string' && v.trim() !== '')!;
  const login = typeof claims.preferred_username === 'string' ? claims.preferred_username : claims.sub;
  return { role, directoryId, displayName: name.trim().slice(0, 100), username: `sso.${login}`.toLowerCase().replace(/[^\w.\-@]/g, '_').slice(0, 64) };
}

interface OidcChallenge {
  state: string;
  nonce: string;
  verifier: string;
}

export interface SingleSignOnDeps {
  settings: OidcSettings;
  db: Kysely<IdentityTables>;
  accounts: Accounts;
  sessions: Sessions;
  challenges: Challenges;
  subjects: SubjectCheck;
  audit: SystemAudit;
}

export class SingleSignOn {
  #config: Promise<oidc.Configuration> | undefined;

  constructor(private readonly d: SingleSignOnDeps) {}

  get label(): string {
    return this.d.settings.label;
  }

  /** Discovery happens at the first sign-in (and again after a failure), not at start-up. */
  #discover(): Promise<oidc.Configuration> {
    const { issuer, clientId, clientSecret } = this.d.settings;
    const url = new URL(issuer);
    // Plain HTTP only to a provider on this machine (tests, a local proxy); anything else is TLS.
    const local = url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    const p = oidc.discovery(url, clientId, clientSecret, undefined, local ? { execute: [oidc.allowInsecureRequests] } : undefined);
    this.#config = p;
    p.catch(() => {
      if (this.#config === p) this.#config = undefined;
    });
    return p;
  }

  /** Where to send the browser, and the ticket (a cookie) the callback must bring back. */
  async start(redirectUri: string): Promise<{ url: string; ticket: string }> {
    const config = await (this.#config ?? this.#discover()).catch((err: unknown) => {
      throw new AppError('unavailable', `the identity provider cannot be reached: ${(err as Error).message}`, { reason: 'provider_unreachable' });
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const ticket = await this.d.challenges.issue<OidcChallenge>('oidc', null, { state, nonce, verifier });
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: this.d.settings.scopes,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, ticket };
  }

  /** The provider sent the browser back: a session for the person it names. */
  async callback(currentUrl: URL, ticket: string | undefined, client: ClientInfo): Promise<{ cookie: string; signedIn: SignedIn }> {
    if (!ticket) throw new AppError('unauthorized', 'this sign-in was not started here (or its cookie was lost); start again', { reason: 'challenge_expired' });
    const challenge = await this.d.challenges.get<OidcChallenge>('oidc', ticket);
    if (!(await this.d.challenges.consume(ticket))) throw new AppError('unauthorized', 'this sign-in step was already used', { reason: 'challenge_expired' });
    const config = await (this.#config ?? this.#discover());
    let claims: OidcClaims;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: challenge.data.verifier,
        expectedState: challenge.data.state,
        expectedNonce: challenge.data.nonce,
      });
      const id = tokens.claims();
      if (!id) throw new Error('no ID token');
      // Profile claims may come from the userinfo endpoint only (providers that keep ID tokens small).
      const info = await oidc.fetchUserInfo(config, tokens.access_token, id.sub);
      claims = { ...info, ...id } as OidcClaims;
    } catch (err) {
      await this.#failed({ reason: 'provider_refused', message: (err as Error).message, ip: client.ip });
      throw new AppError('unauthorized', `the identity provider's answer was refused: ${(err as Error).message}`, { reason: 'provider_refused' });
    }
    let account: Selectable<AccountRow>;
    try {
      account = await this.#account(claims);
    } catch (err) {
      await this.#failed({ reason: ((err as AppError).details as { reason?: string } | undefined)?.reason ?? 'refused', sub: claims.sub, ip: client.ip });
      throw err;
    }
    if (account.disabled === 1) {
      await this.#failed({ reason: 'account_disabled', accountId: account.id, ip: client.ip });
      throw new AppError('forbidden', 'this account is disabled', { reason: 'account_disabled' });
    }
    return this.d.sessions.create(account, 'oidc', client);
  }

  /** The account linked to (issuer, sub), kept in step with the claims; made or linked on first sign-in. */
  async #account(claims: OidcClaims): Promise<Selectable<AccountRow>> {
    const issuer = this.d.settings.issuer;
    const person = mapClaims(claims, this.d.settings);
    const subject = person.directoryId;
    if (subject && !(await this.d.subjects.exists(person.role, subject))) throw refused(`the directory has no ${person.role} ${subject}`, 'not_in_directory');
    const actor = { kind: 'system' as const, sub: 'single-sign-on' };
    const linked = await this.d.db.selectFrom('identity_accounts').selectAll().where('oidc_issuer', '=', issuer).where('oidc_subject', '=', claims.sub).executeTakeFirst();
    if (linked) {
      const next = { role: person.role, subject: subject ?? linked.id, display_name: person.displayName };
      if (next.role !== linked.role || next.subject !== linked.subject || next.display_name !== linked.display_name) {
        if ((ADMIN_ROLES as readonly string[]).includes(next.role) && next.role !== linked.role) throw refused('administrator roles are given by the security administrator, not by the identity provider', 'admin_role');
        await this.d.db.updateTable('identity_accounts').set(next).where('id', '=', linked.id).execute();
        await this.d.audit.record({ type: next.role !== linked.role ? 'role-changed' : 'account-changed', actor, details: { accountId: linked.id, username: linked.username, from: { role: linked.role, subject: linked.subject }, to: { role: next.role, subject: next.subject }, source: 'oidc' } });
      }
      return (await this.d.db.selectFrom('identity_accounts').selectAll().where('id', '=', linked.id).executeTakeFirstOrThrow());
    }
    // The account the security administrator prepared for this directory entry (or administrator).
    const prepared = subject
      ? await this.d.db.selectFrom('identity_accounts').selectAll().where('subject', '=', subject).where('role', '=', person.role).where('oidc_subject', 'is', null).executeTakeFirst()
      : undefined;
    if (prepared) {
      await this.d.db.updateTable('identity_accounts').set({ oidc_issuer: issuer, oidc_subject: claims.sub }).where('id', '=', prepared.id).execute();
      await this.d.audit.record({ type: 'account-changed', actor, details: { accountId: prepared.id, username: prepared.username, linked: 'oidc', issuer } });
      return (await this.d.db.selectFrom('identity_accounts').selectAll().where('id', '=', prepared.id).executeTakeFirstOrThrow());
    }
    if ((ADMIN_ROLES as readonly string[]).includes(person.role)) throw refused('administrator accounts are created by the security administrator', 'admin_role');
    const id = newId('acc');
    const taken = await this.d.db.selectFrom('identity_accounts').select('id').where('username', '=', person.username).executeTakeFirst();
    const username = taken ? `${person.username.slice(0, 55)}.${id.slice(-8)}` : person.username;
    await this.d.accounts.insert({ id, username, displayName: person.displayName, role: person.role, subject: subject ?? id, oidc: { issuer, subject: claims.sub } });
    await this.d.audit.record({ type: 'account-created', actor, details: { accountId: id, username, role: person.role, subject: subject ?? id, source: 'oidc' } });
    return (await this.d.db.selectFrom('identity_accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
  }

  async #failed(details: Record<string, unknown>): Promise<void> {
    await this.d.audit.record({ type: 'sign-in-failed', actor: { kind: 'system', sub: 'single-sign-on' }, details: { method: 'oidc', ...details } });
  }
}


