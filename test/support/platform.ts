// Starts a real platform node in-process for a test: real Redis (from global setup), real
// mediasoup workers on free ports, HTTP on an ephemeral port.
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/core/config.ts';
import { freeRtcPorts } from '../../scripts/harness/rtc-ports.ts';
import { createLogger } from '../../server/core/log.ts';
import { startPlatform, WEB_DIR, type Platform } from '../../server/app/platform.ts';
import type { Grant, Role, Attributes, TokenUse } from '../../server/auth/grants.ts';
import type { PlatformOptions } from '../../server/app/platform.ts';

export interface TestPlatform extends Platform {
  dataDir: string;
  /** The internal listener (metrics, detailed health): always on in tests. */
  internalUrl: string;
  token(sub: string, role: Role, grant: Partial<Grant> & { rooms: string[] }, extra?: { name?: string; attributes?: Attributes; ttlSeconds?: number; use?: TokenUse }): string;
}

/** One signing secret per test process: every platform of a test (several nodes) shares it. */
export const TEST_JWT_SECRET = randomBytes(32).toString('hex');

/**
 * Generous edge limits for tests (the suite sends hundreds of requests from one address); the
 * tests of the limits themselves pass their own. Every request costs one point, however long it
 * took, so a budget's count never depends on how loaded the machine is.
 */
const TEST_LIMITS = { RATE_LIMIT_IP: '100000', RATE_LIMIT_IDENTITY: '100000', RATE_LIMIT_CONCURRENT: '1000', RATE_LIMIT_SOCKETS: '1000', ROOMS_PER_IDENTITY: '1000', RATE_LIMIT_COST_MS: '0' };

export async function startTestPlatform(
  env: Record<string, string> = {},
  opts: Pick<PlatformOptions, 'household' | 'petition' | 'redisPrefix' | 'recordingSegmentSeconds' | 'webDir'> = {},
): Promise<TestPlatform> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-test-'));
  // Random port bases so parallel test processes on this machine do not collide.
  for (let attempt = 0; ; attempt++) {
    const { base, min, max } = await freeRtcPorts(400);
    const config = loadConfig({
      // The dev endpoints exist only in explicit development on loopback (as in production use).
      NODE_ENV: env.DEV_TOKENS === '1' ? 'development' : 'test',
      JWT_SECRET: TEST_JWT_SECRET,
      ...TEST_LIMITS,
      PORT: '0',
      INTERNAL_PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      NODE_ID: `test-${process.pid}-${base}`,
      MEDIASOUP_WORKERS: '1',
      RTC_LISTEN_IP: '127.0.0.1',
      RTC_PORT_BASE: String(base),
      RTC_MIN_PORT: String(min),
      RTC_MAX_PORT: String(max),
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      REDIS_URL: process.env.REDIS_URL!,
      ...env,
    });
    try {
      const platform = await startPlatform({
        config,
        redisUrl: config.REDIS_URL ?? process.env.REDIS_URL!,
        log: createLogger(config.LOG_LEVEL),
        webDir: opts.webDir ?? WEB_DIR,
        roomEmptyTimeoutMs: 2000,
        // Each test platform gets its own Redis namespace on the shared test Redis.
        redisPrefix: opts.redisPrefix ?? `t${process.pid}-${base}:`,
        ...(opts.household ? { household: opts.household } : {}),
        ...(opts.petition ? { petition: opts.petition } : {}),
        ...(opts.recordingSegmentSeconds ? { recordingSegmentSeconds: opts.recordingSegmentSeconds } : {}),
      });
      return Object.assign(platform, {
        dataDir,
        internalUrl: platform.internalUrl!,
        token(sub: string, role: Role, grant: Partial<Grant> & { rooms: string[] }, extra: { name?: string; attributes?: Attributes; ttlSeconds?: number; use?: TokenUse } = {}) {
          return platform.tokens.issue({
            // Unsaid: naming rooms makes it a room token, which REST refuses (server/auth/grants.ts).
            use: extra.use,
            sub,
            name: extra.name ?? sub,
            role,
            grant: { canPublish: true, canSubscribe: true, sources: ['camera', 'microphone'], ...grant },
            attributes: extra.attributes,
            ttlSeconds: extra.ttlSeconds,
          });
        },
      });
    } catch (err) {
      if (attempt >= 4) throw err;
    }
  }
}
