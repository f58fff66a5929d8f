// "Only one node does this": a lease in Redis that its holder renews and others wait out.
// Periodic jobs (household alerts, check-ins due) ask `held()` before each run, so a push is
// sent once however many nodes run, and another node takes over within one lease if the
// holder dies.
//
// Key: leader:<job> = nodeId, PX = leaseMs (server/core/redis-keys.ts).
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../core/redis-keys.ts';

// Take the lease if free, renew it if ours; 1 when held by us afterwards.
const ACQUIRE = `
local v = redis.call('GET', KEYS[1])
if v == false or v == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export class LeaderLease {
  readonly #key: string;

  constructor(
    private readonly redis: Redis,
    keys: RedisKeys,
    job: string,
    private readonly nodeId: string,
    private readonly leaseMs: number,
  ) {
    this.#key = keys.leader(job);
  }

  async held(): Promise<boolean> {
    return (await this.redis.eval(ACQUIRE, 1, this.#key, this.nodeId, String(this.leaseMs))) === 1;
  }

  /** Hands the job over at once (shutdown) instead of after the lease lapses. */
  async release(): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.#key, this.nodeId);
  }
}
