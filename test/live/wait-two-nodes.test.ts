// Queue places across nodes: each node pushes the terminals connected to it, after a queue moved
// on any node. Two nodes on one PostgreSQL and one Redis; three petitions queued through A; the
// second's terminal on B, the third's on A. A claim on A tells the terminal on B its new place,
// a claim on B tells the one on A; each terminal hears its own case only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import type { Actor } from '../../server/petition/types.ts';
import { until } from '../support/evidence.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

const TERMINALS = ['T341321102201', 'T341321102202', 'T341321102203']; // 砀山县 villages: one queue
const terminal = (id: string): Actor => ({ id: `device-${id}`, name: '终端', role: 'terminal', terminalId: id });
const official = (id: string): Actor => ({ id, name: id, role: 'official' });

describe('queue places on two nodes', () => {
  let a: TestPlatform;
  let b: TestPlatform;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    const env = { DATABASE_URL: await createTestDatabase('wait_two_nodes') };
    const redisPrefix = `t${process.pid}-wait-two-nodes-${Date.now()}:`;
    [a, b] = await Promise.all([startTestPlatform(env, { redisPrefix }), startTestPlatform(env, { redisPrefix })]);
  }, 120_000);
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await Promise.all([a?.close(), b?.close()]);
  });

  /** A terminal's live socket on `node`, watching its case; what it is told, in order. */
  const watch = async (node: TestPlatform, terminalId: string, caseId: string) => {
    const token = node.tokens.issue({ sub: `device-${terminalId}`, name: '终端', role: 'terminal', grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [] }, attributes: { terminalId } });
    const s = io(`${node.url}/live`, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false });
    sockets.push(s);
    const told: { caseId: string; position: number | null }[] = [];
    for (const event of ['petition:wait', 'petition:place']) s.on(event, (w: { caseId: string; position: number | null }) => told.push(w));
    expect(await s.timeout(10_000).emitWithAck('watchCase', { caseId })).toEqual({ ok: true, data: {} });
    return told;
  };

  it('a claim on either node tells the terminals on both their new places, each only its own', async () => {
    const cases: string[] = [];
    for (const id of TERMINALS) cases.push((await a.services.petition.startPetition(terminal(id), { terminalId: id, category: 'wages' })).case.id);
    const onB = await watch(b, TERMINALS[1]!, cases[1]!);
    const onA = await watch(a, TERMINALS[2]!, cases[2]!);

    await a.services.petition.heartbeat(official('O341321-rs-1'), 'available');
    await b.services.petition.heartbeat(official('O341321-rs-2'), 'available');
    expect((await a.services.petition.claimNext(official('O341321-rs-1')))?.case.id).toBe(cases[0]);
    await until('the terminal on B told place 1', () => onB.some((w) => w.position === 1));
    await until('the terminal on A told place 2', () => onA.some((w) => w.position === 2));

    expect((await b.services.petition.claimNext(official('O341321-rs-2')))?.case.id).toBe(cases[1]);
    await until('the terminal on A told place 1', () => onA.some((w) => w.position === 1));

    expect(onB.every((w) => w.caseId === cases[1])).toBe(true);
    expect(onA.every((w) => w.caseId === cases[2])).toBe(true);
  });
});
