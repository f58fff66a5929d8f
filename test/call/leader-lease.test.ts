// One node at a time holds a job's lease; when it stops renewing, another takes over.
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { LeaderLease } from '../../server/routing/leader-lease.ts';

describe('leader lease', () => {
  const redis = new Redis(process.env.REDIS_URL!);
  afterAll(() => redis.disconnect());

  it('is held by one node, renewed by it, and taken over after it lapses', async () => {
    const job = `test-job-${Date.now()}`;
    const a = new LeaderLease(redis, job, 'node-a', 300);
    const b = new LeaderLease(redis, job, 'node-b', 300);
    expect(await a.held()).toBe(true);
    expect(await b.held()).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect(await a.held()).toBe(true); // renewed
    await new Promise((r) => setTimeout(r, 200));
    expect(await b.held()).toBe(false); // still within a's renewed lease
    await new Promise((r) => setTimeout(r, 350));
    expect(await b.held()).toBe(true); // a stopped renewing
    expect(await a.held()).toBe(false);
    await b.release();
    expect(await a.held()).toBe(true); // handed over at once
  });
});
