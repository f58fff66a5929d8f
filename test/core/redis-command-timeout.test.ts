// The node's Redis connections fail a command that Redis does not answer within the command
// timeout — but not one Redis answered while the node's event loop was busy past it (a burst of
// petition starts): such a request was answered "unavailable" although its reply sat unread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_TIMEOUT_MS, connectRedis, type RedisClients } from '../../server/app/redis-clients.ts';
import { createLogger } from '../../server/core/log.ts';
import { startRedisProcess, type RedisProcess } from '../support/redis-process.ts';

describe("the node's Redis command timeout", () => {
  let redis: RedisProcess;
  let clients: RedisClients;
  beforeAll(async () => {
    redis = await startRedisProcess();
    clients = await connectRedis(redis.url, createLogger('silent'));
  });
  afterAll(async () => {
    await clients?.close();
    await redis?.stop();
  });

  it('keeps a reply that arrived while the event loop was busy past the timeout', async () => {
    const before = redis.served('incr');
    const t0 = performance.now();
    const reply = clients.redis.incr('timeout-test:counter');
    // The auto-pipelined command is written once the loop turns.
    await new Promise<void>((r) => setImmediate(r));
    // Busy (synchronously, as a burst of work is) until Redis has run it, and on past the timeout:
    // its timer falls due before the reply is read.
    while (redis.served('incr') <= before && performance.now() - t0 < 20_000) Math.sqrt(Math.random());
    while (performance.now() - t0 < COMMAND_TIMEOUT_MS + 200) Math.sqrt(Math.random());
    await expect(reply).resolves.toBe(1);
    // …and in a pipeline.
    const t1 = performance.now();
    const piped = clients.redis.pipeline().incr('timeout-test:counter').incr('timeout-test:counter').exec();
    await new Promise<void>((r) => setImmediate(r));
    while (redis.served('incr') < before + 3 && performance.now() - t1 < 20_000) Math.sqrt(Math.random());
    while (performance.now() - t1 < COMMAND_TIMEOUT_MS + 200) Math.sqrt(Math.random());
    expect(await piped).toEqual([[null, 2], [null, 3]]);
  });

  it('still fails a command Redis does not answer (a frozen host), within the timeout', async () => {
    await clients.redis.set('timeout-test:frozen', 'here');
    redis.pause();
    try {
      const t0 = performance.now();
      await expect(clients.redis.get('timeout-test:frozen')).rejects.toThrow(/timed out/);
      const took = performance.now() - t0;
      expect(took).toBeGreaterThanOrEqual(COMMAND_TIMEOUT_MS - 5);
      expect(took).toBeLessThan(COMMAND_TIMEOUT_MS + 1500);
    } finally {
      redis.resume();
    }
    await expect(clients.redis.get('timeout-test:frozen')).resolves.toBe('here');
  });
});
