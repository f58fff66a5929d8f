// Two nodes on one PostgreSQL and one Redis: the coordinator replaces the routing rules through
// node A, and the next petition started at a terminal through node B is routed by them. Before,
// each node kept the rules in a file of its own DATA_DIR and B routed by its old copy for good.
// B runs no petition sweep here, so only A's message between the nodes can tell it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoutingRules } from '../../server/protocol/http/petition-shapes.ts';
import type { StartedPetition } from '../../server/protocol/http/petition-shapes.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { until } from '../support/evidence.ts';
import { Browser } from '../identity/support.ts';
import { DANGSHAN_ZJ, VILLAGE_TERMINAL } from './support.ts';

describe('routing rules across two nodes', () => {
  let a: TestPlatform;
  let b: TestPlatform;

  beforeAll(async () => {
    const env = { DATABASE_URL: await createTestDatabase('rules_two_nodes') };
    const redisPrefix = `t${process.pid}-rules-two:`;
    a = await startTestPlatform(env, { redisPrefix });
    b = await startTestPlatform(env, { redisPrefix, petition: { sweepIntervalMs: 0 } });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('a change through node A routes the next petition through node B, and is on the system audit trail', async () => {
    const coordinator = a.token('coord-1', 'coordinator', { rooms: [] }, { name: '综治中心' });
    const rules = await new Browser(a).data<RoutingRules>('GET', '/api/petition/routing-rules', { token: coordinator });
    const wages = rules.categories.find((c) => c.code === 'wages')!;
    expect(wages.departments).not.toEqual(['zj']);
    wages.departments = ['zj'];
    await new Browser(a).data('PUT', '/api/petition/routing-rules', { token: coordinator, body: { ...rules, version: rules.version + 1 } });

    const onB = () => new Browser(b).data<RoutingRules>('GET', '/api/petition/routing-rules', { token: b.token('coord-1', 'coordinator', { rooms: [] }) });
    await until('node B uses the new rules', async () => (await onB()).categories.find((c) => c.code === 'wages')?.departments.join() === 'zj', 15_000);
    const terminal = b.token(`kiosk-${VILLAGE_TERMINAL}`, 'terminal', { rooms: [] }, { attributes: { terminalId: VILLAGE_TERMINAL } });
    const started = await new Browser(b).data<StartedPetition>('POST', '/api/petition/cases', { token: terminal, body: { terminalId: VILLAGE_TERMINAL, category: 'wages' } });
    expect(started.case.routedDepartmentIds).toEqual([DANGSHAN_ZJ]);

    const trail = await a.services.audit.search({ type: 'configuration-changed', limit: 10 });
    expect(trail.map((e) => [e.actor.sub, e.details.setting])).toContainEqual(['coord-1', 'routing-rules']);
  }, 120_000);
});
