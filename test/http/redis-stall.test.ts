// Redis frozen (SIGSTOP: connections open, nothing answered) and then killed, under a running
// node (issue 10, item 9): requests are not held up by the edge limiter's Redis round trips — one
// needing Redis answers `unavailable` within a second, one that does not is served as usual — the
// limits still hold, counted on the node; and every Redis connection of the node reports its
// errors through its own listener (logged, counted in `sv_redis_errors_total`), none of them
// unhandled.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DbPetitionRepository } from '../../server/petition/repository.ts';
import { CASE_STATES } from '../../server/protocol/http/petition-shapes.ts';
import { startRedisProcess, type RedisProcess } from '../support/redis-process.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { until } from '../support/evidence.ts';
import { personToken, send } from '../security/edge-support.ts';

describe('a frozen Redis', () => {
  let redis: RedisProcess;
  let platform: TestPlatform;
  const unhandled: string[] = [];

  beforeAll(async () => {
    // ioredis prints an 'error' event nobody listens to with console.error.
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void unhandled.push(args.map(String).join(' ')));
    redis = await startRedisProcess();
    // A small identity budget: the limits must hold while they are counted on the node.
    platform = await startTestPlatform({ REDIS_URL: redis.url, RATE_LIMIT_IDENTITY: '8', RATE_LIMIT_WINDOW_SECONDS: '60' });
  });
  afterAll(async () => {
    redis?.resume();
    await platform?.close();
    await redis?.stop();
    vi.restoreAllMocks();
  });

  const terminalStart = async (terminalId: string) => {
    const token = platform.token(`kiosk-${terminalId}`, 'terminal', { rooms: [] }, { attributes: { terminalId } });
    const t0 = performance.now();
    const a = await send<{ case: { id: string } }>(platform.url, 'POST', '/api/petition/cases', { token, body: { terminalId, category: 'wages', petitionerName: '刘桂芝' } });
    return { status: a.status, code: a.body?.error?.code, caseId: a.body?.data?.case.id, ms: performance.now() - t0 };
  };

  it('answers a petition start `unavailable` within a second, and serves what needs no Redis at once', async () => {
    const repo = new DbPetitionRepository(platform.services.store);
    const terminals = (await repo.listTerminals()).filter((t) => t.level === 'village').slice(0, 4).map((t) => t.id);
    // Served normally first: Redis answers.
    const official = personToken(platform, 'O341321-rs-1', 'official', { department: '341321-rs' });
    expect((await send(platform.url, 'GET', '/api/petition/departments', { token: official })).status).toBe(200);

    redis.pause();
    const starts = [];
    for (const t of terminals.slice(0, 3)) starts.push(await terminalStart(t));
    if (process.env.TEST_DUMP) console.log(starts.map((o) => `${o.status} ${o.code} ${o.ms.toFixed(0)} ms`).join('\n'));
    for (const o of starts) {
      expect(o).toMatchObject({ status: 503, code: 'unavailable' });
      // The queue's reachability check gives up after 500 ms; the edge adds at most one short wait.
      expect(o.ms, `answered after ${o.ms.toFixed(0)} ms`).toBeLessThan(1000);
    }
    expect((await repo.listCases(CASE_STATES)).filter((c) => terminals.includes(c.terminalId))).toEqual([]);

    // The directory comes from the store: the frozen Redis costs it nothing.
    const t0 = performance.now();
    const departments = await send(platform.url, 'GET', '/api/petition/departments', { token: personToken(platform, 'O341321-rs-2', 'official', { department: '341321-rs' }) });
    const ms = performance.now() - t0;
    expect(departments.status).toBe(200);
    expect(ms, `answered after ${ms.toFixed(0)} ms`).toBeLessThan(300);
  });

  it('still limits an identity while Redis is frozen, counting on the node', async () => {
    const token = personToken(platform, 'O341321-rs-3', 'official', { department: '341321-rs' });
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) statuses.push((await send(platform.url, 'GET', '/api/petition/departments', { token })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 429]);
  });

  it('starts petitions again once Redis answers', async () => {
    redis.resume();
    const repo = new DbPetitionRepository(platform.services.store);
    const terminal = (await repo.listTerminals()).filter((t) => t.level === 'village')[5]!.id;
    const o = await until('a start succeeds after the freeze', async () => {
      const r = await terminalStart(terminal);
      return r.status < 300 ? r : undefined;
    });
    expect(o.caseId).toMatch(/^XF\d{8}-\d{6}$/);
  });

  it('counts every connection\'s errors while Redis is down, with none unhandled', async () => {
    await redis.kill();
    const errorsBy = async () => {
      const text = await (await fetch(`${platform.internalUrl}/metrics`)).text();
      return Object.fromEntries([...text.matchAll(/^sv_redis_errors_total\{connection="([^"]+)"\} (\d+)$/gm)].map((m) => [m[1]!, Number(m[2])]));
    };
    // Every connection the node holds: commands, the adapter's pair, the revocations subscriber.
    const seen = await until('every Redis connection reported the outage', async () => {
      const e = await errorsBy();
      return ['commands', 'adapter-pub', 'adapter-sub', 'revocations'].every((c) => (e[c] ?? 0) > 0) ? e : undefined;
    }, 15_000);
    expect(Object.keys(seen).length).toBeGreaterThanOrEqual(4);
    expect(unhandled.filter((l) => l.includes('Unhandled error event'))).toEqual([]);
    await redis.start();
  });
});
