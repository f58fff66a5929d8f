// The tests' own Redis connections (test/support/redis-client.ts) survive a Redis restart: the
// client's connection errors are heard by its listener — not left to ioredis's "Unhandled error
// event" print — and it reconnects.
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { startRedisProcess, type RedisProcess } from '../support/redis-process.ts';
import { testRedis, type TestRedis } from '../support/redis-client.ts';
import { until } from '../support/evidence.ts';

describe('a test Redis client across a Redis restart', () => {
  let redis: RedisProcess;
  let client: TestRedis;

  beforeAll(async () => {
    redis = await startRedisProcess();
    client = testRedis(redis.url);
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it('reports the lost connection to its listener and answers again once Redis is back', async () => {
    const printed: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(' ')));
    onTestFinished(() => spy.mockRestore());
    await client.set('k', 'before');
    await redis.kill();
    await until('the client reported the refused reconnect', () => client.reportedErrors.length > 0, 15_000);
    expect(client.reportedErrors.map((e) => e.message).join('\n')).toMatch(/ECONNREFUSED|ECONNRESET|Connection is closed/);
    await redis.start();
    await until('the client answers again', async () => (await client.ping().catch(() => undefined)) === 'PONG', 15_000);
    // AOF everysec: the key written a moment before the kill may or may not have survived; the client itself is fine.
    await client.set('k', 'after');
    expect(await client.get('k')).toBe('after');
    expect(printed.filter((l) => l.includes('Unhandled error event'))).toEqual([]);
  });
});
