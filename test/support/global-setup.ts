// One real redis-server and one throw-away PostgreSQL cluster for the whole test run (REDIS_URL
// and TEST_POSTGRES_URL are honoured if already set), plus the mediasoup worker binary from the
// project's cached build. Tests that need their own PostgreSQL database create one on the cluster
// (`createTestDatabase` in test/support/postgres.ts).
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../server/core/embedded-redis.ts';
import { createLogger } from '../../server/core/log.ts';
import { recordedWorkerBin } from '../../sfu/worker-bin.ts';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../scripts/harness/postgres.ts';

let redis: EmbeddedRedis | undefined;
let dir: string | undefined;
let postgres: ThrowawayPostgres | undefined;

export async function setup(): Promise<void> {
  // The set-up's recorded build first: a run started without the variable must not start a
  // second build beside the one already made.
  process.env.MEDIASOUP_WORKER_BIN ||= recordedWorkerBin() ?? '';
  if (!process.env.MEDIASOUP_WORKER_BIN) {
    const out = execFileSync('bash', ['scripts/worker/build.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    process.env.MEDIASOUP_WORKER_BIN = path.join(out.trim().split('\n').pop()!, 'mediasoup-worker');
  }
  if (!process.env.REDIS_URL) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-test-redis-'));
    redis = await startEmbeddedRedis(dir, createLogger('warn'));
    process.env.REDIS_URL = redis.url;
  }
  if (!process.env.TEST_POSTGRES_URL) {
    postgres = await startThrowawayPostgres('sv_test');
    process.env.TEST_POSTGRES_URL = postgres.url;
  }
}

export async function teardown(): Promise<void> {
  await redis?.stop();
  await postgres?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
