// Redis killed while petitions are being started (issue 10, item 9): every start is either
// registered and queued, or answered `unavailable` at once with no case left behind; once Redis
// is back, nothing waits in the store without a ticket in the queue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedis } from '../support/redis-client.ts';
import { DbPetitionRepository } from '../../server/petition/repository.ts';
import type { Case } from '../../server/petition/types.ts';
import { CASE_STATES } from '../../server/protocol/http/petition-shapes.ts';
import { startRedisProcess, type RedisProcess } from '../support/redis-process.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { until } from '../support/evidence.ts';

const STARTS = 20;

describe('Redis killed during 20 petition starts', () => {
  let redis: RedisProcess;
  let platform: TestPlatform;

  beforeAll(async () => {
    redis = await startRedisProcess();
    platform = await startTestPlatform({ REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await platform?.close();
    await redis?.stop();
  });

  type Outcome = { terminalId: string; status: number; code?: string; caseId?: string; ms: number };
  const start = async (terminalId: string): Promise<Outcome> => {
    const token = platform.token(`kiosk-${terminalId}`, 'terminal', { rooms: [] }, { attributes: { terminalId } });
    const t0 = performance.now();
    const res = await fetch(`${platform.url}/api/petition/cases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ terminalId, category: 'wages', petitionerName: '李桂兰' }),
    });
    const body = (await res.json()) as { ok: boolean; data?: { case: Case }; error?: { code: string } };
    return { terminalId, status: res.status, code: body.error?.code, caseId: body.data?.case.id, ms: performance.now() - t0 };
  };
  const casesAt = async (terminalIds: string[]) => {
    const repo = new DbPetitionRepository(platform.services.store);
    return (await repo.listCases(CASE_STATES)).filter((c) => terminalIds.includes(c.terminalId));
  };

  it('undoes a start whose enqueue gets no answer, and never hands the ticket that arrives late to an official', async () => {
    const repo = new DbPetitionRepository(platform.services.store);
    // Runs first, on a Redis that has not been killed yet. A terminal of another county than the
    // kill test's: its department's queue is empty.
    const terminal = (await repo.listTerminals()).filter((t) => t.level === 'village').at(-1)!;
    const check = testRedis(redis.url);
    try {
      // Writes (and scripts) held for 4 s: PING answers, the enqueue gets no answer in time. The
      // hold must outlast what comes before the enqueue (the edge limiter's Redis write waits up
      // to 100 ms, then counts on the node), so that the enqueue is sent while it lasts.
      await check.call('CLIENT', 'PAUSE', '4000', 'WRITE');
      const o = await start(terminal.id);
      expect(o).toMatchObject({ status: 503, code: 'unavailable' });
      // Answered by the command timeout, not by the end of the hold.
      expect(o.ms).toBeLessThan(3500);
      expect(await casesAt([terminal.id])).toEqual([]);

      // The pause ends. Redis may run the enqueue it held — a ticket for a case that is not there —
      // or drop it with the connection the timeout gave up on; either way no official may get it.
      const prefix = platform.services.petition.queue.keys.prefix;
      await until('writes go through again', () => check.set(`${prefix}:probe`, '1').then(() => true, () => false));
      let orphan: { id: string; queues: string } | undefined;
      for (const key of await check.keys(`${prefix}:ticket:*`)) {
        const t = await check.hgetall(key);
        if (t.caseId && t.queues && !(await repo.getCase(t.caseId))) orphan = { id: key.slice(`${prefix}:ticket:`.length), queues: t.queues };
      }
      // Wages at this village go to its county's 人社局.
      const departmentId = orphan?.queues.split(',')[0] ?? `${terminal.regionCode.slice(0, 6)}-rs`;
      const official = (await repo.listOfficials(departmentId))[0]!;
      const token = platform.token(official.id, 'official', { rooms: [] });
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${platform.url}/api/petition${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: res.status, body: (await res.json()) as { ok: boolean; data: unknown } };
      };
      await call('POST', '/presence', { status: 'available' });
      // The claim passes over any ticket without its case: nothing to take, no error.
      expect(await call('POST', '/claims', { requestId: `orphan-${Date.now()}` })).toMatchObject({ status: 200, body: { ok: true, data: null } });
      if (orphan) expect((await platform.services.petition.queue.getTicket(orphan.id))?.state).toBe('done');
    } finally {
      check.disconnect();
    }
  });
  it('answers each start queued or unavailable within a second, leaves no case unqueued, and the sweep heals what Redis lost', async () => {
    const repo = new DbPetitionRepository(platform.services.store);
    // One terminal per start: a terminal has one open petition at a time.
    const terminals = (await repo.listTerminals()).filter((t) => t.level === 'village').slice(0, STARTS);
    expect(terminals).toHaveLength(STARTS);

    // Starts arrive one after another, a few in flight at a time; Redis dies after the seventh answer.
    const outcomes: Outcome[] = [];
    let killed: Promise<void> | undefined;
    await Promise.all(
      terminals.map(async (t, i) => {
        await new Promise((r) => setTimeout(r, i * 60));
        const o = await start(t.id);
        outcomes.push(o);
        if (outcomes.length === 7) killed = redis.kill();
      }),
    );
    await killed;

    const queued = outcomes.filter((o) => o.status === 201 || o.status === 200);
    const refused = outcomes.filter((o) => o.status === 503);
    if (process.env.TEST_DUMP) console.log(outcomes.map((o) => `${o.terminalId} ${o.status} ${o.code ?? ''} ${o.ms.toFixed(0)} ms`).join('\n'));
    expect(queued.length + refused.length, JSON.stringify(outcomes)).toBe(STARTS);
    expect(queued.length).toBeGreaterThanOrEqual(7);
    expect(refused.length).toBeGreaterThan(0);
    for (const o of refused) {
      expect(o.code).toBe('unavailable');
      // Fail fast: the command timeout is 800 ms; the rest is HTTP and the store on a busy host.
      expect(o.ms, `${o.terminalId} answered after ${o.ms} ms`).toBeLessThan(1500);
    }

    // No case exists for a refused start; every answered start's case says queued.
    const cases = await casesAt(terminals.map((t) => t.id));
    expect(cases.map((c) => c.id).sort()).toEqual(queued.map((o) => o.caseId).sort());
    expect(cases.every((c) => c.state === 'queued')).toBe(true);

    // Redis back (from its AOF, which may lack the last second): the sweep puts back any ticket
    // it lost, so every queued case is in its department's queue again.
    await redis.start();
    const check = testRedis(redis.url);
    try {
      const queue = platform.services.petition.queue;
      await until('every queued case has its ticket in Redis again', async () => {
        const now = await casesAt(terminals.map((t) => t.id));
        if (now.some((c) => c.state === 'registered')) return false;
        const tickets = await Promise.all(now.map((c) => queue.getTicket(`${c.id}:q1`).catch(() => undefined)));
        return tickets.every((t) => t?.state === 'queued');
      }, 40_000);
      const positions = await Promise.all(queued.map((o) => check.zscore(queue.keys.queue(cases.find((c) => c.id === o.caseId)!.routedDepartmentIds[0]!), `${o.caseId}:q1`)));
      expect(positions.every((p) => p !== null)).toBe(true);
    } finally {
      check.disconnect();
    }
    // And the node answers starts again.
    const again = await until('a start succeeds after Redis is back', async () => {
      const o = await start(terminals[refused.length > 0 ? STARTS - 1 : 0]!.id);
      return o.status < 300 ? o : undefined;
    });
    expect(again.caseId).toMatch(/^XF\d{8}-\d{6}$/);
  });
  it('queues by its sweep a case a dead node left registered, and a queued case whose ticket Redis lost', async () => {
    const repo = new DbPetitionRepository(platform.services.store);
    const villages = (await repo.listTerminals()).filter((t) => t.level === 'village');
    // A node that died between registering and queueing: the case as it wrote it, 11 s ago.
    const terminal = villages.at(-2)!;
    const at = new Date(Date.now() - 11_000).toISOString();
    const stranded = await repo.createCase(
      {
        terminalId: terminal.id, regionCode: terminal.regionCode, category: 'wages', petitionerName: '赵大娘', idNumberMasked: null, phone: null, description: null,
        flags: { elderly: false, urgent: false, disabled: false }, state: 'registered', routedDepartmentIds: (await casesAt(villages.slice(0, 1).map((t) => t.id)))[0]!.routedDepartmentIds,
        departmentId: null, officialId: null, acceptDeadline: at, handleDeadline: at, handleExtended: false, extensionReason: null, acceptedAt: null,
        opinion: null, opinionAt: null, rating: null, ratedAt: null, appointment: null, registeredAt: at,
      },
      { at, actorId: 'kiosk', actorRole: 'terminal', type: 'registered', data: {} },
    );
    // A queued case whose ticket Redis no longer has (restored from an older snapshot).
    const [lost] = (await casesAt(villages.slice(0, STARTS).map((t) => t.id))).filter((c) => c.state === 'queued');
    const queue = platform.services.petition.queue;
    const check = testRedis(redis.url);
    try {
      await check.del(queue.keys.ticket(`${lost!.id}:q1`));
      await check.zrem(queue.keys.queue(lost!.routedDepartmentIds[0]!), `${lost!.id}:q1`);
    } finally {
      check.disconnect();
    }
    await until('both back in their queue', async () => {
      const [a, b] = await Promise.all([queue.getTicket(`${stranded.id}:q1`), queue.getTicket(`${lost!.id}:q1`)]);
      return a?.state === 'queued' && b?.state === 'queued' && (await repo.getCase(stranded.id))?.state === 'queued';
    }, 30_000);
  });
});
