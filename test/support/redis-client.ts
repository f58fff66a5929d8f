// Every Redis connection a test opens of its own. ioredis emits 'error' on each failed
// (re)connect while Redis is down; unheard, ioredis prints "[ioredis] Unhandled error event" with
// a stack for every retry (a plain EventEmitter would throw and end the test process). Here it
// is heard: kept for the test to look at and, with TEST_LOG_LEVEL=debug, printed.
import { Redis, type RedisOptions } from 'ioredis';

export interface TestRedis extends Redis {
  /** What the client reported since it was made (connection refused, reset…). */
  readonly reportedErrors: Error[];
}

export function testRedis(url: string, options: RedisOptions = {}): TestRedis {
  const client = new Redis(url, options) as TestRedis;
  const reported: Error[] = [];
  Object.defineProperty(client, 'reportedErrors', { value: reported });
  client.on('error', (err: Error) => {
    if (reported.length < 100) reported.push(err);
    if (process.env.TEST_LOG_LEVEL === 'debug') console.warn(`test redis client ${url}: ${err.message}`);
  });
  return client;
}
