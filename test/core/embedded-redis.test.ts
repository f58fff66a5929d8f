// The embedded redis-server on a port another process took between the pick and the bind: a
// real redis-server (the run's test Redis) or any other listener. It must start on another port,
// and never hand out the other server's address as its own.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startEmbeddedRedis, type EmbeddedRedis } from '../../server/core/embedded-redis.ts';
import { createLogger } from '../../server/core/log.ts';

const log = createLogger('silent');
const started: EmbeddedRedis[] = [];
afterAll(async () => {
  for (const r of started) await r.stop();
});

async function dirOf(url: string): Promise<string> {
  const c = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    return ((await c.config('GET', 'dir')) as string[])[1]!;
  } finally {
    c.disconnect();
  }
}

describe('the embedded redis-server on a port taken meanwhile', () => {
  it('another redis-server listens there: it starts on another port, its own', async () => {
    const taken = Number(new URL(process.env.REDIS_URL!).port);
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-embedded-'));
    let picks = 0;
    const redis = await startEmbeddedRedis(data, log, async () => (picks++ === 0 ? taken : freePort()));
    started.push(redis);
    expect(picks).toBe(2);
    expect(Number(new URL(redis.url).port)).not.toBe(taken);
    expect(await dirOf(redis.url)).toBe(fs.realpathSync(path.join(data, 'redis')));
  });

  it('any other listener there: it starts on another port', async () => {
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', () => r()));
    const taken = (squatter.address() as net.AddressInfo).port;
    try {
      const data = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-embedded-'));
      let picks = 0;
      const redis = await startEmbeddedRedis(data, log, async () => (picks++ === 0 ? taken : freePort()));
      started.push(redis);
      expect(Number(new URL(redis.url).port)).not.toBe(taken);
      expect(await dirOf(redis.url)).toBe(fs.realpathSync(path.join(data, 'redis')));
    } finally {
      squatter.close();
    }
  });
});
