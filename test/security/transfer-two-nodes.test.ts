// A transfer decided on one node reaches a room hosted on another: two nodes on one PostgreSQL
// and one Redis, the case's room on B (its lead and petitioner connected there), the transfer
// made through A. The former lead is out of the room on B at once, told `revoked`, and its
// still-valid token opens the room on neither node; the petitioner stays for the next office.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../server/petition/types.ts';
import { until } from '../support/evidence.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { Client, connectAs } from './support.ts';

const TERMINAL = 'T341321101201'; // 砀山县砀城镇 (seed); wages → 砀山县人社局
const LEAD = 'O341321-rs-1';
const terminal: Actor = { id: `device-${TERMINAL}`, name: '砀城镇一号终端', role: 'terminal', terminalId: TERMINAL };
const official = (id: string): Actor => ({ id, name: id, role: 'official' });

describe('a transfer on node A', () => {
  let a: TestPlatform;
  let b: TestPlatform;
  const clients: Client[] = [];
  const on = async (node: TestPlatform, token: string) => {
    const c = await connectAs(node, token);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    const env = { DATABASE_URL: await createTestDatabase('transfer_two_nodes') };
    const redisPrefix = `t${process.pid}-transfer-${Date.now()}:`;
    [a, b] = await Promise.all([startTestPlatform(env, { redisPrefix }), startTestPlatform(env, { redisPrefix })]);
  }, 120_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all([a?.close(), b?.close()]);
  });

  it('takes the former lead, connected to node B, out of the room on B at once; its token opens the room on neither node', async () => {
    const started = await a.services.petition.startPetition(terminal, { terminalId: TERMINAL, category: 'wages', petitionerName: '王秀英' });
    const lead = await a.services.petition.acceptTicket(official(LEAD), started.ticketId);
    const leadOnB = await on(b, lead.token);
    const petitionerOnB = await on(b, started.token);
    for (const c of [leadOnB, petitionerOnB]) expect(await c.join(started.roomId)).toMatchObject({ ok: true });
    expect(b.rooms.get(started.roomId)?.peers.has(LEAD)).toBe(true);
    expect(a.rooms.get(started.roomId)).toBeUndefined();

    await a.services.petition.transfer(official(LEAD), started.case.id, '341321-zj', '属住建职能');
    expect(await leadOnB.told('roomClosed')).toEqual({ reason: 'revoked' });
    await leadOnB.gone();
    await until('the former lead out of the room on B', () => !b.rooms.get(started.roomId)?.peers.has(LEAD));
    expect(b.rooms.get(started.roomId)?.peers.has(terminal.id)).toBe(true);
    expect(petitionerOnB.disconnected).toBe(false);

    // Its token is hours from expiry; the case has moved on, as either node sees it.
    for (const node of [b, a]) {
      const back = await on(node, lead.token);
      const r = await back.join(started.roomId);
      expect(r, node.url).toMatchObject({ ok: false, error: { code: 'forbidden', details: { reason: 'not_in_session' } } });
    }
  });
});
