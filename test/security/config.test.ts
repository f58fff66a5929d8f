// Configuration fails closed (issue 9.8), on the real process and the real node: the product
// refuses to start without a real secret outside development on loopback, or with the published
// development secret in production; and a node in test mode has no development endpoints.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVELOPMENT_SECRET } from '../../server/core/config.ts';
import { freePort } from '../../scripts/harness/product-node.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { send } from './edge-support.ts';

/** Runs `server/main.ts` with exactly this environment (plus what any node needs); resolves with its exit. */
async function runNode(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-config-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      PATH: process.env.PATH!,
      REDIS_URL: process.env.REDIS_URL!,
      MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN!,
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // A node that starts does not exit: kill it after its deadline so the test fails, not hangs.
  const deadline = setTimeout(() => child.kill('SIGKILL'), 45_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(deadline);
  fs.rmSync(dataDir, { recursive: true, force: true });
  return { code, stderr };
}

describe('a node refuses to start', () => {
  it('with NODE_ENV unset and no JWT_SECRET (unset means production)', async () => {
    const r = await runNode({});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/JWT_SECRET: required/);
  });

  it('in production with the published development secret', async () => {
    const r = await runNode({ NODE_ENV: 'production', JWT_SECRET: DEVELOPMENT_SECRET });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/published development secret/);
  });

  it('with development tokens asked for on a public interface', async () => {
    const r = await runNode({ NODE_ENV: 'development', HOST: '0.0.0.0', DEV_TOKENS: '1', JWT_SECRET: 'b3f1c09e5d7a46e2a8c4f0d19b6e7a3c' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/DEV_TOKENS: only with NODE_ENV=development and a loopback HOST/);
  });
});

describe('a node in test mode', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform({ NODE_ENV: 'test' });
  });
  afterAll(async () => {
    await platform?.close();
  });

  it('has no development sign-in and mints no tokens', async () => {
    const grant = { rooms: ['*'], canPublish: true, canSubscribe: true, sources: ['camera'] };
    expect((await send(platform.url, 'POST', '/dev/token', { body: { sub: 'x', name: 'x', role: 'admin', grant } })).status).toBe(404);
    expect((await send(platform.url, 'POST', '/dev/sign-in', { body: { kind: 'official', id: 'O341321-rs-1' } })).status).toBe(404);
    expect((await send(platform.url, 'GET', '/dev/identities')).status).toBe(404);
  });
});
