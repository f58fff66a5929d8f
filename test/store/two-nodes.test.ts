// Two nodes with separate DATA_DIRs on one PostgreSQL and one Redis: the fault that started
// issue 10 was two nodes on separate disks both issuing XF…-000001. Here 50 petitions started
// through both at once get 50 distinct case numbers (and so 50 distinct rooms), and an official
// on B takes a case started on A. (B playing A's recordings needs the shared archive: not here.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/postgres.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

const none = { rooms: [], canPublish: false, canSubscribe: false, sources: [] };

async function call<T>(node: TestPlatform, method: 'GET' | 'POST', path: string, token: string, body?: unknown): Promise<T> {
  const res = await fetch(`${node.url}/api/petition${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json()) as { ok: boolean; data: T; error?: unknown };
  if (!json.ok) throw new Error(`${method} ${path} on ${node.url}: ${res.status} ${JSON.stringify(json.error)}`);
  return json.data;
}

describe('two nodes on one PostgreSQL and one Redis, each with its own DATA_DIR', () => {
  let a: TestPlatform;
  let b: TestPlatform;

  beforeAll(async () => {
    const env = { DATABASE_URL: await createTestDatabase('two_nodes') };
    // One scheduler: the same Redis key prefix on both. Started together: migrations and the
    // demo directory are written once even though both nodes find the store empty.
    const redisPrefix = `t${process.pid}-two-nodes:`;
    [a, b] = await Promise.all([startTestPlatform(env, { redisPrefix }), startTestPlatform(env, { redisPrefix })]);
    expect(a.dataDir).not.toBe(b.dataDir);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('gives 50 petitions started through both nodes at once 50 distinct case numbers, tickets and rooms', async () => {
    const terminals = (await a.services.store.db<{ petition_terminals: { id: string; level: string; region_code: string } }>()
      .selectFrom('petition_terminals')
      .select(['id', 'region_code'])
      .where('level', '=', 'village')
      .where('region_code', 'like', '341321%')
      .orderBy('id')
      .limit(50)
      .execute());
    expect(terminals).toHaveLength(50);
    const started = await Promise.all(
      terminals.map((t, i) => {
        const node = i % 2 === 0 ? a : b;
        const token = node.tokens.issue({ sub: `device-${t.id}`, name: '终端', role: 'terminal', grant: none, attributes: { terminalId: t.id } });
        return call<{ case: { id: string; state: string }; ticketId: string; roomId: string }>(node, 'POST', '/cases', token, { terminalId: t.id, category: 'wages' });
      }),
    );
    const numbers = started.map((s) => s.case.id);
    expect(new Set(numbers).size).toBe(50);
    for (const n of numbers) expect(n).toMatch(/^XF\d{8}-\d{6}$/);
    expect(new Set(started.map((s) => s.ticketId)).size).toBe(50);
    expect(new Set(started.map((s) => s.roomId)).size).toBe(50);
    expect(started.every((s) => s.case.state === 'queued' && s.roomId === `petition:${s.case.id}`)).toBe(true);
    // Every one of them waits in the one shared queue of 砀山县人社局, whichever node is asked.
    expect(await a.services.petition.queue.length('341321-rs')).toBe(50);
    expect(await b.services.petition.queue.length('341321-rs')).toBe(50);
  }, 60_000);

  it('lets an official on B take a case started on A; the petitioner on A then sees it in session', async () => {
    const t = 'T341322101201'; // 萧县: its own office, so the queue holds only this case
    const terminalOnA = a.tokens.issue({ sub: `device-${t}`, name: '终端', role: 'terminal', grant: none, attributes: { terminalId: t } });
    const onA = await call<{ case: { id: string }; ticketId: string; roomId: string }>(a, 'POST', '/cases', terminalOnA, { terminalId: t, category: 'wages' });

    const officialOnB = b.tokens.issue({ sub: 'O341322-rs-1', name: '萧县人社局', role: 'official', grant: none, attributes: { department: '341322-rs' } });
    const desk = await call<{ queue: { caseId: string }[] }>(b, 'GET', '/desk', officialOnB);
    expect(desk.queue.map((e) => e.caseId)).toEqual([onA.case.id]);
    const taken = await call<{ case: { id: string; state: string; officialId: string }; roomId: string }>(b, 'POST', `/tickets/${encodeURIComponent(onA.ticketId)}/accept`, officialOnB, {});
    expect(taken.case).toMatchObject({ id: onA.case.id, state: 'in_session', officialId: 'O341322-rs-1' });
    expect(taken.roomId).toBe(onA.roomId);

    // A reads what B wrote: the case, its timeline, and the petitioner's way into the same room.
    expect(await call<{ state: string }>(a, 'GET', `/cases/${onA.case.id}`, terminalOnA)).toMatchObject({ state: 'in_session' });
    const timeline = await call<{ type: string; actorId: string; actorName: string | null }[]>(a, 'GET', `/cases/${onA.case.id}/timeline`, terminalOnA);
    expect(timeline.map((e) => e.type)).toEqual(['registered', 'queued', 'claimed']);
    expect(timeline.at(-1)).toMatchObject({ actorId: 'O341322-rs-1' });
    expect(await call<{ roomId: string }>(a, 'POST', `/cases/${onA.case.id}/room-token`, terminalOnA, {})).toMatchObject({ roomId: onA.roomId });
    // The ticket is B's now: nobody on A can take it again.
    const otherOnA = a.tokens.issue({ sub: 'O341322-rs-2', name: '萧县人社局', role: 'official', grant: none, attributes: { department: '341322-rs' } });
    await expect(call(a, 'POST', `/tickets/${encodeURIComponent(onA.ticketId)}/accept`, otherOnA, {})).rejects.toThrow(/404|409/);
  }, 60_000);
});
