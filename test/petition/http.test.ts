// The whole joint-session workflow through the HTTP router, as the web clients will drive it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../server/auth/grants.ts';
import { createPetitionRouter } from '../../server/petition/routes.ts';
import { DANGSHAN_ZJ, openHarness, VILLAGE_TERMINAL, type Harness } from './support.ts';

describe('petition HTTP API', () => {
  let h: Harness;
  let server: http.Server;
  let base: string;

  const token = (sub: string, role: Role, terminalId?: string) =>
    h.tokens.issue({ sub, name: sub, role, grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [] }, ...(terminalId ? { attributes: { terminalId } } : {}) });
  const call = async (tok: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as { ok: boolean; data: any; error?: { code: string } };
    if (!json.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json.error)}`);
    return json.data;
  };

  beforeAll(async () => {
    h = await openHarness({ name: 'http' });
    const app = express();
    app.use('/api/petition', createPetitionRouter({ service: h.service, tokens: h.tokens }));
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/petition`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await h.close();
  });

  it('runs start → claim → invite → accept → opinion → end → rate, with the timeline to show for it', async () => {
    const terminal = token('kiosk-1', 'terminal', VILLAGE_TERMINAL);
    const rs = token('O341321-rs-1', 'official');
    const zj = token('O341321-zj-1', 'official');
    const coordinator = token('coord-1', 'coordinator');

    // Presence is the terminal's /live connection (test/live covers it); this harness has none.
    await h.service.presence.terminalsPresent([VILLAGE_TERMINAL]);
    await call(rs, 'POST', '/presence', { status: 'available' });
    const started = await call(terminal, 'POST', '/cases', { terminalId: VILLAGE_TERMINAL, category: 'wages', petitionerName: '李桂兰', flags: { elderly: true } });
    const caseId: string = started.case.id;
    expect(started.wait).toMatchObject({ position: 1, availableOfficials: 1 });

    const desk = await call(rs, 'GET', '/desk');
    expect(desk.queue.map((e: { caseId: string }) => e.caseId)).toEqual([caseId]);
    const claimed = await call(rs, 'POST', '/claims', { requestId: 'desk-rs-0001' });
    expect(claimed).toMatchObject({ kind: 'case', roomId: `petition:${caseId}`, case: { state: 'in_session' } });

    const invite = await call(rs, 'POST', `/cases/${caseId}/invite`, { departmentId: DANGSHAN_ZJ });
    const zjDesk = await call(zj, 'GET', '/desk');
    expect(zjDesk.queue[0]).toMatchObject({ ticketId: invite.id, kind: 'invite', priority: 'handover' });
    const joined = await call(zj, 'POST', `/tickets/${encodeURIComponent(invite.id)}/accept`, {});
    expect(joined.case.state).toBe('joint_session');
    expect((await call(zj, 'POST', `/cases/${caseId}/room-token`, {})).roomId).toBe(`petition:${caseId}`);

    const sessions = await call(coordinator, 'GET', '/sessions');
    expect(sessions.find((s: { case: { id: string } }) => s.case.id === caseId).participants).toHaveLength(2);

    await call(rs, 'POST', `/cases/${caseId}/opinion`, { opinion: '督促用工单位限期支付欠薪。', accepted: true });
    await call(rs, 'POST', `/cases/${caseId}/end`, {});
    const rated = await call(terminal, 'POST', `/cases/${caseId}/rate`, { rating: 'satisfied' });
    expect(rated.state).toBe('rated');

    const timeline = await call(terminal, 'GET', `/cases/${caseId}/timeline`);
    expect(timeline.map((e: { type: string; actorId: string }) => `${e.type}:${e.actorId}`)).toEqual([
      'registered:kiosk-1',
      'queued:kiosk-1',
      'claimed:O341321-rs-1',
      'invited:O341321-rs-1',
      'joined:O341321-zj-1',
      'opinion_written:O341321-rs-1',
      'acceptance_notified:O341321-rs-1',
      'session_ended:O341321-rs-1',
      'rated:kiosk-1',
    ]);
    const terminals = await call(coordinator, 'GET', '/terminals');
    expect(terminals.find((g: { regionCode: string }) => g.regionCode === '341321').online).toBe(1);
  });
});
