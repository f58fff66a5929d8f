// Request limits at the edge, per client IP and per token identity, counted in Redis so every
// node of a deployment shares one budget (rate-limiter-flexible). A request over either budget
// is answered 429 `rate_limited` with `Retry-After` before any body is read or domain code runs.
//
// While Redis does not answer, the node counts in its own memory (an outage does not lift the
// limits) and does so at once: the limiter waits at most LIMITER_REDIS_WAIT_MS for Redis, and
// once Redis has failed it, counts locally without asking until a background PING is answered.
// So during a Redis stall (host frozen, connection open, nothing answered) only the first request
// pays one short wait at the edge instead of two command timeouts each, and what needs Redis
// behind the edge still answers `unavailable` within a second.
//
// The IP budget is spent first: a flood of junk tokens costs one Redis round trip each, not a
// signature check — and none once the address is over budget, since a spent key is then refused
// from this node's memory until its window ends. The identity is `role:sub` of a token that
// verifies; an invalid token spends only the IP budget and is refused (401) by the area router
// behind. An identity also has at most `concurrentPerIdentity` requests in flight on a node, so
// one client's expensive requests queue behind each other instead of crowding out everybody's,
// and a request costs its identity one point plus one per `costUnitMs` it took to answer: an
// endpoint that is expensive (or made slow by a flood) drains the budget faster, with no table of
// costs to keep.
import type { NextFunction, Request, Response } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { bearerToken, type TokenVerifier } from './area-router.ts';
import type { Tarpit } from './tarpit.ts';

export interface EdgeLimitSettings {
  /** Requests per window and client IP. */
  perIp: number;
  /** Requests per window and token identity (role + subject). */
  perIdentity: number;
  windowSeconds: number;
  /** Requests of one identity in flight at once on this node. */
  concurrentPerIdentity: number;
  /** One more point of the identity budget per this many ms a request took; 0: every request costs one. */
  costUnitMs: number;
}

export interface EdgeLimiter {
  /** Spends one request of `key`'s budget; throws `rate_limited` (with `retryAfterSeconds`) when it is gone. */
  spendIp(ip: string): Promise<void>;
  /**
   * Seconds until an address found over budget may ask again, or undefined: answered from this
   * node's memory, with no Redis and no parsing, so the node can refuse before express runs.
   */
  ipRefusedFor(ip: string): number | undefined;
  spendIdentity(identity: string): Promise<void>;
  /**
   * Express middleware: the IP budget, then the identity budget of a verifying Bearer token. Its
   * 429s go out through `tarpit`: a flooder's connections that are refused wait like those
   * refused before express, instead of spinning on instant refusals and spending the address's
   * budget (and the node's time) in a burst.
   */
  middleware(tokens: TokenVerifier, tarpit: Tarpit): (req: Request, res: Response, next: NextFunction) => void;
}

/** How long a limit waits for Redis before it counts in this node's memory instead. */
export const LIMITER_REDIS_WAIT_MS = 100;
/** While Redis fails the limits, how often the node asks it (PING) whether it answers again. */
export const REDIS_RETRY_MS = 1000;

export function createEdgeLimiter(redis: Redis, keyPrefix: (scope: 'ip' | 'identity') => string, s: EdgeLimitSettings, log: Logger): EdgeLimiter {
  const redisState = new RedisAnswering(redis, log);
  const limiter = (scope: 'ip' | 'identity', points: number) =>
    new Budget(
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: keyPrefix(scope),
        points,
        duration: s.windowSeconds,
        // Disconnected: refused at once, so counted in memory at once.
        rejectIfRedisNotReady: true,
        // Over budget: refused from memory until the window ends, without asking Redis again.
        inMemoryBlockOnConsumed: points,
      }),
      new RateLimiterMemory({ points, duration: s.windowSeconds }),
      redisState,
    );
  const ip = limiter('ip', s.perIp);
  const identity = limiter('identity', s.perIdentity);

  const tooMany = (what: string, retryAfterSeconds: number) =>
    new AppError('rate_limited', `too many requests from this ${what}; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
  const spend = async (l: Budget, key: string, what: string, refusedFor?: (ms: number) => void): Promise<void> => {
    try {
      await l.consume(key);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      refusedFor?.(err.msBeforeNext);
      throw tooMany(what, Math.max(1, Math.ceil(err.msBeforeNext / 1000)));
    }
  };
  const inFlight = new OpenCounts(s.concurrentPerIdentity);
  /** Addresses over budget → when their window ends (ms). */
  const refused = new Map<string, number>();
  const spendIp = (key: string): Promise<void> =>
    spend(ip, key, 'address', (ms) => {
      if (refused.size > 100_000) refused.clear(); // many addresses over budget at once must not grow it without bound
      refused.set(key, Date.now() + ms);
    });

  return {
    spendIp,
    ipRefusedFor(key) {
      const until = refused.get(key);
      if (until === undefined) return undefined;
      const left = until - Date.now();
      if (left > 0) return Math.ceil(left / 1000);
      refused.delete(key);
      return undefined;
    },
    spendIdentity: (key) => spend(identity, key, 'account'),
    middleware(tokens, tarpit) {
      return (req, res, next) => {
        const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
        const run = async () => {
          await spendIp(address);
          const token = bearerToken(req.get('authorization'));
          if (!token) return;
          let claims;
          try {
            claims = tokens.verify(token);
          } catch {
            return; // the area router answers 401
          }
          const who = `${claims.role}:${claims.sub}`;
          if (!inFlight.take(who)) throw tooMany('account', 1);
          const started = performance.now();
          let admitted = false;
          // 'close' comes once per response, answered or aborted.
          res.once('close', () => {
            inFlight.release(who);
            const extra = s.costUnitMs > 0 && admitted ? Math.floor((performance.now() - started) / s.costUnitMs) : 0;
            // Charged afterwards, refusing nothing now: the next request pays if the budget is gone.
            if (extra > 0) identity.penalty(who, extra).catch(() => undefined);
          });
          await spend(identity, who, 'account');
          admitted = true;
        };
        // httpErrors (failure.ts) answers the 429 with its Retry-After, after the tarpit's hold.
        run().then(
          () => next(),
          (err: unknown) => (err instanceof AppError && err.code === 'rate_limited' ? tarpit.refuse(address, req, res, () => next(err)) : next(err)),
        );
      };
    },
  };
}

/** One budget: counted in Redis while it answers, in this node's memory while it does not. */
class Budget {
  constructor(
    private readonly shared: RateLimiterRedis,
    private readonly local: RateLimiterMemory,
    private readonly redis: RedisAnswering,
  ) {}

  /** Spends a point; rejects with RateLimiterRes when the budget is gone. */
  consume(key: string): Promise<RateLimiterRes> {
    return this.redis.either(() => this.shared.consume(key), () => this.local.consume(key));
  }

  penalty(key: string, points: number): Promise<RateLimiterRes> {
    return this.redis.either(() => this.shared.penalty(key, points), () => this.local.penalty(key, points));
  }
}

/**
 * Whether Redis answers the limits, shared by both budgets (one Redis): a call Redis does not
 * answer within LIMITER_REDIS_WAIT_MS, or fails, is counted locally, and so is every call after
 * it — no request waits — until a PING sent every REDIS_RETRY_MS in the background is answered.
 */
class RedisAnswering {
  #failing = false;

  constructor(
    private readonly redis: Redis,
    private readonly log: Logger,
  ) {}

  async either(shared: () => Promise<RateLimiterRes>, local: () => Promise<RateLimiterRes>): Promise<RateLimiterRes> {
    if (this.#failing) return local();
    let timer: NodeJS.Timeout | undefined;
    const call = shared();
    try {
      return await Promise.race([call, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new RedisSlow()), LIMITER_REDIS_WAIT_MS)))]);
    } catch (err) {
      // Over budget is an answer: Redis counted it.
      if (err instanceof RateLimiterRes) throw err;
      // The call abandoned may still fail later (its command timeout): nobody waits for it.
      call.catch(() => undefined);
      this.#fail(err);
      return local();
    } finally {
      clearTimeout(timer);
    }
  }

  #fail(err: unknown): void {
    if (this.#failing) return;
    this.#failing = true;
    this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'edge limits | Redis does not answer; counting on this node until it does');
    const probe = (): void => {
      setTimeout(() => {
        // A closed client (the node stopping) is not waited for.
        if (this.redis.status === 'end') return;
        this.redis.ping().then(() => {
          this.#failing = false;
          this.log.info('edge limits | Redis answers again; counting shared budgets');
        }, probe);
      }, REDIS_RETRY_MS).unref();
    };
    probe();
  }
}

class RedisSlow extends Error {
  constructor() {
    super(`no answer within ${LIMITER_REDIS_WAIT_MS} ms`);
  }
}

/** How many of something (requests in flight, open sockets) each identity holds on this node, up to `max`. */
export class OpenCounts {
  readonly #held = new Map<string, number>();
  constructor(readonly max: number) {}

  /** One more for `who`; false (and nothing taken) when it already holds `max`. */
  take(who: string): boolean {
    const n = this.#held.get(who) ?? 0;
    if (n >= this.max) return false;
    this.#held.set(who, n + 1);
    return true;
  }

  release(who: string): void {
    const n = (this.#held.get(who) ?? 1) - 1;
    if (n > 0) this.#held.set(who, n);
    else this.#held.delete(who);
  }
}
