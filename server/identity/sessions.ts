// Sessions of people: an http-only, same-site cookie (`<id>.<secret>`, the secret stored hashed)
// from which the page draws short-lived access tokens (minutes). A session ends by sign-out, by
// an administrator's revocation, after SESSION_IDLE minutes without activity, or SESSION_MAX
// hours after sign-in. Every access token drawn from it is remembered for the session's life, so a
// revocation voids exactly those tokens on every node (the revocation channel) at once.
import type { Kysely, Selectable } from 'kysely';
import type { Store } from '../core/db.ts';
import type { TokenIssuer } from '../auth/grants.ts';
import { AppError, notFound } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { AuditActor } from '../core/audit-chain.ts';
import type { SystemAudit } from '../core/system-audit.ts';
import type { Attributes, Grant } from '../protocol/claims.ts';
import { ROLE_PAGES, type SessionInfo, type SignInMethod, type SignedIn } from '../protocol/http/identity-shapes.ts';
import type { IdentityPolicy } from './policy.ts';
import type { AccountRow, IdentityTables, SessionRow } from './repository.ts';
import type { RevocationReason, TokenRevoker } from './revoker.ts';
import { sameHash, secretToken, sha256 } from './secrets.ts';

/** Where the directory knows more about a subject than the account does (an official's department). */
export interface SubjectDirectory {
  attributesOf(role: AccountRow['role'], subject: string): Promise<Attributes | undefined>;
}

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

export interface SessionDeps {
  store: Store;
  db: Kysely<IdentityTables>;
  tokens: TokenIssuer;
  revoker: TokenRevoker;
  audit: SystemAudit;
  directory: SubjectDirectory;
  policy: IdentityPolicy;
  now: () => number;
}

interface IssuedAccess {
  jti: string;
  exp: number;
}

/** 12 hours of refreshes every 4 minutes in a few tabs; older tokens' connections are long gone. */
const MAX_LISTED_TOKENS = 600;

const NO_ROOMS: Grant = { rooms: [], canPublish: false, canSubscribe: false, sources: [] };

const expired = () => new AppError('unauthorized', 'the session has ended; sign in again', { reason: 'session_ended' });

export class Sessions {
  constructor(private readonly d: SessionDeps) {}

  /** A new session for an account that has passed every sign-in step; answers the cookie and the first token. */
  async create(account: Selectable<AccountRow>, method: SignInMethod, client: ClientInfo): Promise<{ cookie: string; signedIn: SignedIn }> {
    const now = this.d.now();
    const id = newId('ses');
    const secret = secretToken();
    await this.d.db
      .insertInto('identity_sessions')
      .values({
        id,
        account_id: account.id,
        secret_hash: sha256(secret),
        method,
        created_at: now,
        last_active_at: now,
        max_until: now + this.d.policy.sessionMaxSeconds * 1000,
        revoked_at: null,
        revoked_reason: null,
        ip: client.ip?.slice(0, 64) ?? null,
        user_agent: client.userAgent?.slice(0, 300) ?? null,
        access_json: '[]',
      })
      .execute();
    await this.d.db.updateTable('identity_accounts').set({ last_sign_in_at: now }).where('id', '=', account.id).execute();
    await this.d.audit.record({ type: 'sign-in', actor: accountActor(account), details: { method, sessionId: id, ip: client.ip } });
    return { cookie: `${id}.${secret}`, signedIn: await this.#access(id, account) };
  }

  /** A fresh access token from the cookie; `active` moves the idle deadline. */
  async refresh(cookie: string | undefined, active: boolean): Promise<SignedIn> {
    const { session, account } = await this.#live(cookie);
    const now = this.d.now();
    if (account.disabled === 1) throw expired();
    if (active) await this.d.db.updateTable('identity_sessions').set({ last_active_at: now }).where('id', '=', session.id).execute();
    return this.#access(session.id, account);
  }

  /** Signs this browser out (no-op without a live session). */
  async signOut(cookie: string | undefined): Promise<void> {
    const live = await this.#live(cookie).catch(() => undefined);
    if (live) await this.revoke(live.session.id, 'sign-out', accountActor(live.account));
  }

  /** The session behind a cookie ("which session is mine"); undefined when none is live. */
  async idOf(cookie: string | undefined): Promise<string | undefined> {
    try {
      return (await this.#live(cookie)).session.id;
    } catch {
      return undefined;
    }
  }

  /** Whose live session a cookie is (role and subject, as its access tokens name them); undefined when none is live. */
  async holderOf(cookie: string | undefined): Promise<{ role: string; sub: string } | undefined> {
    try {
      const { account } = await this.#live(cookie);
      return { role: account.role, sub: account.subject };
    } catch {
      return undefined;
    }
  }

  /** Ends one session and voids its access tokens everywhere. Idempotent. */
  async revoke(sessionId: string, reason: 'sign-out' | 'revoked' | 'account-disabled' | 'password-changed', actor: AuditActor): Promise<boolean> {
    const now = this.d.now();
    const row = await this.d.db.selectFrom('identity_sessions').selectAll().where('id', '=', sessionId).executeTakeFirst();
    if (!row) throw notFound(`no session ${sessionId}`);
    const r = await this.d.db
      .updateTable('identity_sessions')
      .set({ revoked_at: now, revoked_reason: reason })
      .where('id', '=', sessionId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (r.numUpdatedRows !== 1n) return false;
    const why: RevocationReason = reason === 'account-disabled' ? 'account-disabled' : 'token-revoked';
    // Expired tokens too: a /live or signalling connection opened with one stays open after it
    // lapses, and the revocation closes connections by the token they were opened with.
    const nowS = Math.floor(now / 1000);
    for (const a of JSON.parse(row.access_json) as IssuedAccess[]) await this.d.revoker.revokeToken(a.jti, Math.max(a.exp, nowS + 60), why);
    await this.d.audit.record({
      type: reason === 'sign-out' ? 'sign-out' : 'session-revoked',
      actor,
      details: { sessionId, accountId: row.account_id, reason },
    });
    return true;
  }

  /** Every live session of an account (sign out everywhere, disabling, a password change). */
  async revokeAll(accountId: string, reason: Parameters<Sessions['revoke']>[1], actor: AuditActor, except?: string): Promise<number> {
    let n = 0;
    for (const s of await this.#liveRows(accountId)) if (s.id !== except && (await this.revoke(s.id, reason, actor))) n++;
    return n;
  }

  async list(accountId?: string, currentId?: string): Promise<SessionInfo[]> {
    const rows = await this.#liveRows(accountId);
    const accounts = new Map(
      (await this.d.db.selectFrom('identity_accounts').select(['id', 'username', 'role']).execute()).map((a) => [a.id, a]),
    );
    return rows.map((s) => ({
      id: s.id,
      accountId: s.account_id,
      username: accounts.get(s.account_id)?.username ?? '?',
      role: accounts.get(s.account_id)?.role ?? 'official',
      method: s.method,
      createdAt: new Date(s.created_at).toISOString(),
      lastActiveAt: new Date(s.last_active_at).toISOString(),
      expiresAt: new Date(this.#endsAt(s)).toISOString(),
      ip: s.ip,
      userAgent: s.user_agent,
      ...(currentId === s.id ? { current: true } : {}),
    }));
  }

  async #liveRows(accountId?: string): Promise<Selectable<SessionRow>[]> {
    let q = this.d.db.selectFrom('identity_sessions').selectAll().where('revoked_at', 'is', null);
    if (accountId) q = q.where('account_id', '=', accountId);
    const now = this.d.now();
    return (await q.orderBy('created_at', 'desc').execute()).filter((s) => this.#endsAt(s) > now);
  }

  #endsAt(s: Pick<SessionRow, 'last_active_at' | 'max_until'>): number {
    return Math.min(s.max_until, s.last_active_at + this.d.policy.sessionIdleSeconds * 1000);
  }

  async #live(cookie: string | undefined): Promise<{ session: Selectable<SessionRow>; account: Selectable<AccountRow> }> {
    const m = /^(ses-[\w-]{36})\.([\w-]{43})$/.exec(cookie ?? '');
    if (!m) throw expired();
    const session = await this.d.db.selectFrom('identity_sessions').selectAll().where('id', '=', m[1]!).executeTakeFirst();
    if (!session || !sameHash(session.secret_hash, sha256(m[2]!)) || session.revoked_at !== null || this.#endsAt(session) <= this.d.now()) throw expired();
    const account = await this.d.db.selectFrom('identity_accounts').selectAll().where('id', '=', session.account_id).executeTakeFirstOrThrow();
    return { session, account };
  }

  async #access(sessionId: string, account: Selectable<AccountRow>): Promise<SignedIn> {
    const attributes = (await this.d.directory.attributesOf(account.role, account.subject)) ?? (JSON.parse(account.attributes_json) as Attributes);
    const token = this.d.tokens.issue({
      use: 'access',
      sub: account.subject,
      name: account.display_name,
      role: account.role,
      grant: account.role === 'archivist' ? { ...NO_ROOMS, canArchive: true } : NO_ROOMS,
      attributes,
      ttlSeconds: this.d.policy.accessTokenSeconds,
    });
    const claims = this.d.tokens.verify(token);
    // Locked read-modify-write: two tabs refreshing at once must both leave their token listed,
    // or a revocation would miss one.
    await this.d.store.transaction<IdentityTables, void>(async (trx) => {
      const row = await this.d.store.forUpdate(trx.selectFrom('identity_sessions').select('access_json').where('id', '=', sessionId)).executeTakeFirstOrThrow();
      // Every token of the session is kept (bounded), expired ones too: see revoke().
      const live = [...(JSON.parse(row.access_json) as IssuedAccess[]), { jti: claims.jti, exp: claims.exp }].slice(-MAX_LISTED_TOKENS);
      await trx.updateTable('identity_sessions').set({ access_json: JSON.stringify(live) }).where('id', '=', sessionId).execute();
    });
    return {
      token,
      expiresAt: new Date(claims.exp * 1000).toISOString(),
      account: { id: account.id, username: account.username, displayName: account.display_name, role: account.role },
      page: ROLE_PAGES[account.role],
    };
  }
}

export const accountActor = (a: Pick<AccountRow, 'subject' | 'display_name' | 'role'>): AuditActor => ({ kind: 'user', sub: a.subject, name: a.display_name, role: a.role });
