// Recorded sessions' owners in Redis (recordings/session-lease.ts says why). Key
// (server/core/redis-keys.ts): recording-owner:<sessionId> = nodeId, PX NODE_TTL_MS, renewed with
// the node heartbeat. A session is taken over only when its owner's node heartbeat has expired —
// the same condition under which its room is taken over — so the node that takes the room can
// continue the recording at once, and a node that merely starts finds every live session held.
import type { Redis } from 'ioredis';
import type { Logger } from '../core/log.ts';
import type { RedisKeys } from '../core/redis-keys.ts';
import { HEARTBEAT_MS, NODE_TTL_MS } from './redis-room-routing.ts';

/** What `acquire` tells (the shape recordings/session-lease.ts expects of any lease keeper). */
export interface LeaseOutcome {
  held: boolean;
  holder?: string;
  previous?: string;
}

// KEYS[1] lease; ARGV: me, node key prefix, ttl → {holder, previous}
const ACQUIRE = `
local owner = redis.call('GET', KEYS[1])
if owner and owner ~= ARGV[1] and redis.call('EXISTS', ARGV[2] .. owner) == 1 then
  return {owner, ''}
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return {ARGV[1], owner or ''}`;

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export class RedisSessionLeases {
  readonly #held = new Set<string>();
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    readonly nodeId: string,
    private readonly log: Logger,
  ) {
    this.#timer = setInterval(() => void this.#renew(), HEARTBEAT_MS);
    this.#timer.unref();
  }

  async acquire(sessionId: string): Promise<LeaseOutcome> {
    const [holder, previous] = (await this.redis.eval(ACQUIRE, 1, this.keys.recordingOwner(sessionId), this.nodeId, this.keys.nodePrefix, String(NODE_TTL_MS))) as [string, string];
    const held = holder === this.nodeId;
    if (held) this.#held.add(sessionId);
    return { held, holder, ...(previous && previous !== this.nodeId ? { previous } : {}) };
  }

  held(sessionId: string): boolean {
    return this.#held.has(sessionId);
  }

  async release(sessionId: string): Promise<void> {
    this.#held.delete(sessionId);
    await this.redis.eval(RELEASE, 1, this.keys.recordingOwner(sessionId), this.nodeId);
  }

  close(): void {
    clearInterval(this.#timer);
  }

  async #renew(): Promise<void> {
    for (const sessionId of [...this.#held]) {
      try {
        const renewed = await this.redis.eval(RENEW, 1, this.keys.recordingOwner(sessionId), this.nodeId, String(NODE_TTL_MS));
        if (renewed === 1) continue;
        // Expired (this node stalled longer than the TTL) and perhaps taken: take it back only if free.
        const again = await this.acquire(sessionId);
        if (!again.held) {
          this.#held.delete(sessionId);
          this.log.error({ sessionId, holder: again.holder }, 'recording lease lost to another node');
        }
      } catch (err) {
        // Redis away: keep it (nobody can take it over while Redis is away either); retried next beat.
        this.log.warn({ err, sessionId }, 'recording lease renewal failed');
      }
    }
  }
}
