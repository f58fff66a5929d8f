// One real redis-server for the whole test run (REDIS_URL is honoured if already set), plus the
// mediasoup worker binary from the project's cached build.
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../server/core/embedded-redis.ts';
import { createLogger } from '../../server/core/log.ts';

let redis: EmbeddedRedis | undefined;
let dir: string | undefined;

export async function setup(): Promise<void> {
  if (!process.env.MEDIASOUP_WORKER_BIN) {
    const out = execFileSync('bash', ['scripts/worker/build.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    process.env.MEDIASOUP_WORKER_BIN = path.join(out.trim().split('\n').pop()!, 'mediasoup-worker');
  }
  if (!process.env.REDIS_URL) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-test-redis-'));
    redis = await startEmbeddedRedis(dir, createLogger('warn'));
    process.env.REDIS_URL = redis.url;
  }
}

export async function teardown(): Promise<void> {
  await redis?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
