// Tokens that are no longer good although their signature and expiry are: a re-bound or revoked
// device, a removed family link, a disabled account, one withdrawn token. A revocation is written
// to a Redis sorted set (so a node that starts later knows it) and published on one channel (so
// every node acts at once); each node keeps the live entries in memory, which keeps
// `TokenIssuer.verify` synchronous — REST, signalling and /live all ask it the same question.
//
// An entry lives as long as the tokens it voids can (its `until`), then it is pruned. A node whose
// subscriber connection dropped reloads the whole set when it is back, so a missed message costs
// at most the time Redis was out of reach.
//
// Keys (server/core/redis-keys.ts): revocations ZSET (member = the entry's JSON, score = until ms)
// and the pub/sub channel revocationsChannel.
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../core/log.ts';
import type { RedisKeys } from '../core/redis-keys.ts';
import { SafeEmitter } from '../core/safe-emitter.ts';
import { REVOCATION_REASONS, type Claims, type RevocationReason } from '../protocol/claims.ts';

export { REVOCATION_REASONS, type RevocationReason };

const revocationSchema = z.discriminatedUnion('kind', [
  /** One token, by its `jti`. */
  z.strictObject({ kind: z.literal('token'), jti: z.string().min(1), reason: z.enum(REVOCATION_REASONS), until: z.number() }),
  /**
   * Every token of `sub` issued before `issuedBefore` (seconds to the millisecond, exclusive:
   * `iat < issuedBefore`); with `householdId`, only those scoped to that household
   * (`attributes.householdId`).
   */
  z.strictObject({
    kind: z.literal('subject'),
    sub: z.string().min(1),
    issuedBefore: z.number(),
    householdId: z.string().optional(),
    reason: z.enum(REVOCATION_REASONS),
    until: z.number(),
  }),
]);
export type Revocation = z.infer<typeof revocationSchema>;

/** Does this revocation void a token with these claims? */
export function revocationApplies(r: Revocation, claims: Pick<Claims, 'sub' | 'jti' | 'iat' | 'attributes'>): boolean {
  if (r.kind === 'token') return claims.jti === r.jti;
  return claims.sub === r.sub && claims.iat < r.issuedBefore && (r.householdId === undefined || claims.attributes.householdId === r.householdId);
}

/** What TokenIssuer asks before it accepts a token. */
export interface RevocationCheck {
  revocationOf(claims: Claims): Revocation | undefined;
}

export interface RevocationEvents {
  /** A revocation took effect on this node (made here or received from another node). */
  revoked: [Revocation];
}

export interface RevokeSubject {
  sub: string;
  reason: RevocationReason;
  /** The longest any of the subject's tokens can live: the entry is kept that long. */
  lifetimeSeconds: number;
  /** Void tokens issued before this time (seconds, to the millisecond; default: now). */
  issuedBefore?: number;
  householdId?: string;
}

export class Revocations extends SafeEmitter<RevocationEvents> implements RevocationCheck {
  readonly #byJti = new Map<string, Revocation>();
  readonly #bySub = new Map<string, Revocation[]>();
  #closed = false;

  private constructor(
    private readonly redis: Redis,
    private readonly sub: Redis,
    private readonly keys: RedisKeys,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {
    super();
  }

  /**
   * Loads the live entries and subscribes on `sub` (a connection of its own, from
   * server/app/redis-clients.ts); resolves once this node enforces every revocation.
   */
  static async start(redis: Redis, sub: Redis, keys: RedisKeys, log: Logger, now: () => number = Date.now): Promise<Revocations> {
    const r = new Revocations(redis, sub, keys, log, now);
    sub.on('message', (channel: string, message: string) => {
      if (channel === keys.revocationsChannel) r.#receive(message);
    });
    // Every (re)connect of the subscriber: whatever was published while it was away is in the set.
    sub.on('ready', () => {
      if (!r.#closed) void r.#reload().catch((err: unknown) => log.warn({ err }, 'revocations | reload failed'));
    });
    // A client without an offline queue (server/app/redis-clients.ts) refuses commands until connected.
    if (sub.status !== 'ready') await new Promise((resolve) => sub.once('ready', resolve));
    await sub.subscribe(keys.revocationsChannel);
    await r.#reload();
    return r;
  }

  /** Voids one token until it would have expired anyway (`exp`, seconds). */
  async revokeToken(jti: string, exp: number, reason: RevocationReason = 'token-revoked'): Promise<void> {
    await this.#publish({ kind: 'token', jti, reason, until: exp * 1000 });
  }

  /** Voids a subject's tokens (all of them, or those of one household). */
  async revokeSubject(o: RevokeSubject): Promise<void> {
    const issuedBefore = o.issuedBefore ?? this.now() / 1000;
    await this.#publish({
      kind: 'subject',
      sub: o.sub,
      issuedBefore,
      ...(o.householdId !== undefined ? { householdId: o.householdId } : {}),
      reason: o.reason,
      until: Math.ceil(issuedBefore * 1000 + o.lifetimeSeconds * 1000),
    });
  }

  revocationOf(claims: Claims): Revocation | undefined {
    const now = this.now();
    const byJti = this.#byJti.get(claims.jti);
    if (byJti && byJti.until > now) return byJti;
    return this.#bySub.get(claims.sub)?.find((r) => r.until > now && revocationApplies(r, claims));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.sub.disconnect();
  }

  /** In force on this node at once (before the caller answers anyone), then on every other. */
  async #publish(r: Revocation): Promise<void> {
    this.#apply(r);
    const json = JSON.stringify(r);
    await this.redis.multi().zadd(this.keys.revocations, r.until, json).publish(this.keys.revocationsChannel, json).exec();
  }

  #receive(message: string): void {
    let parsed: Revocation;
    try {
      parsed = revocationSchema.parse(JSON.parse(message));
    } catch (err) {
      this.log.warn({ err }, 'revocations | ignored a malformed message');
      return;
    }
    this.#apply(parsed);
  }

  async #reload(): Promise<void> {
    const now = this.now();
    await this.redis.zremrangebyscore(this.keys.revocations, '-inf', now);
    for (const json of await this.redis.zrangebyscore(this.keys.revocations, now, '+inf')) this.#receive(json);
  }

  /** Idempotent: the same entry arriving twice (own publish, then the channel) acts once. */
  #apply(r: Revocation): void {
    this.#prune();
    if (r.until <= this.now()) return;
    if (r.kind === 'token') {
      if (this.#byJti.has(r.jti)) return;
      this.#byJti.set(r.jti, r);
    } else {
      const list = this.#bySub.get(r.sub) ?? [];
      const same = (x: Revocation) => x.kind === 'subject' && x.issuedBefore === r.issuedBefore && x.householdId === r.householdId;
      if (list.some(same)) return;
      list.push(r);
      this.#bySub.set(r.sub, list);
    }
    this.log.info({ revocation: r }, 'revocation in force');
    this.emit('revoked', r);
  }

  #prune(): void {
    const now = this.now();
    for (const [jti, r] of this.#byJti) if (r.until <= now) this.#byJti.delete(jti);
    for (const [sub, list] of this.#bySub) {
      const live = list.filter((r) => r.until > now);
      if (live.length === 0) this.#bySub.delete(sub);
      else if (live.length !== list.length) this.#bySub.set(sub, live);
    }
  }
}
