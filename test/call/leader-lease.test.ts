// One node at a time holds a job's lease; when it stops renewing, another takes over. Time is
// moved on by shortening the lease in Redis, so nothing waits out a real lease.
import { afterAll, describe, expect, it } from 'vitest';
import { testRedis } from '../support/redis-client.ts';
import { redisKeys } from '../../server/core/redis-keys.ts';
import { LeaderLease } from '../../server/routing/leader-lease.ts';
import { waitFor } from '../support/media.ts';

describe('leader lease', () => {
  const redis = testRedis(process.env.REDIS_URL!);
  afterAll(() => redis.disconnect());

  it('is held by one node, renewed by it, and taken over after it lapses', async () => {
    const keys = redisKeys(`t${process.pid}-lease:`);
    const job = `test-job-${Date.now()}`;
    const key = keys.leader(job);
    const a = new LeaderLease(redis, keys, job, 'node-a', 10_000);
    const b = new LeaderLease(redis, keys, job, 'node-b', 10_000);
    expect(await a.held()).toBe(true);
    expect(await b.held()).toBe(false);

    // Most of a's lease has run out; asking again renews it to a full lease.
    await redis.pexpire(key, 200);
    expect(await a.held()).toBe(true);
    expect(await redis.pttl(key)).toBeGreaterThan(5_000);
    expect(await b.held()).toBe(false); // still within a's renewed lease

    // a stops renewing: once its lease lapses, b takes over.
    await redis.pexpire(key, 50);
    await waitFor(() => b.held(), (held) => held, { what: 'b takes the lapsed lease', timeoutMs: 5_000 });
    expect(await a.held()).toBe(false);
    await b.release();
    expect(await a.held()).toBe(true); // handed over at once
    await a.release();
  });
});
