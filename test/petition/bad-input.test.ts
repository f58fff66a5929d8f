import type { AddressInfo } from 'node:net';
import http from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../server/core/errors.ts';
import { createPetitionRouter } from '../../server/petition/routes.ts';
import {
  DANGSHAN_RS,
  officialActor,
  openHarness,
  dangshanTerminal,
  startAt,
  terminalActor,
  VILLAGE_TERMINAL,
  type Harness,
  rows,
} from './support.ts';

/** Runs `fn`, expects a typed AppError with `code` (and reason), returns it. */
async function expectAppError(fn: () => unknown, code: string, reason?: string): Promise<AppError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    expect(e.code).toBe(code);
    if (reason) expect((e.details as { reason?: string } | undefined)?.reason).toBe(reason);
    return e;
  }
  throw new Error(`expected AppError ${code}, nothing was thrown`);
}

describe('bad input gets a typed error and changes nothing', () => {
  let h: Harness;
  let caseId: string;
  const terminal = terminalActor(VILLAGE_TERMINAL);
  const rs = officialActor('O341321-rs-1');
  const zj = officialActor('O341321-zj-1');

  /** What must not change: cases, events, queue contents, assignments. */
  const snapshot = async () => ({
    cases: (await rows<{ n: number }>(h, 'SELECT count(*) AS n FROM petition_cases'))[0]!.n,
    events: (await rows<{ n: number }>(h, 'SELECT count(*) AS n FROM petition_case_events'))[0]!.n,
    assignments: (await rows<{ n: number }>(h, 'SELECT count(*) AS n FROM petition_assignments'))[0]!.n,
    queue: (await h.service.queue.entries(DANGSHAN_RS)).map((e) => e.ticketId),
    log: (await h.service.queue.assignmentLog()).length,
    state: (await h.store.repo.getCase(caseId))?.state,
  });

  beforeAll(async () => {
    h = await openHarness({ name: 'bad-input' });
    // Three waiting cases, at three terminals (one open petition per terminal).
    for (let i = 0; i < 3; i++) {
      const s = await startAt(h, i, { category: 'wages' });
      caseId ??= s.case.id;
    }
  });
  afterAll(async () => {
    await h.close();
  });

  it('unknown terminal', async () => {
    const before = await snapshot();
    await expectAppError(() => h.service.startPetition(terminalActor('T999'), { terminalId: 'T999', category: 'wages' }), 'not_found', 'unknown_terminal');
    expect(await snapshot()).toEqual(before);
  });

  it('a terminal token used for another terminal', async () => {
    const before = await snapshot();
    await expectAppError(() => h.service.startPetition(terminal, { terminalId: 'T341321101202', category: 'wages' }), 'forbidden', 'terminal_mismatch');
    expect(await snapshot()).toEqual(before);
  });

  it('unknown category', async () => {
    const before = await snapshot();
    await expectAppError(() => h.service.startPetition(terminal, { terminalId: VILLAGE_TERMINAL, category: 'ufo' }), 'bad_request', 'unknown_category');
    expect(await snapshot()).toEqual(before);
  });

  it('an invalid ID number', async () => {
    const before = await snapshot();
    await expectAppError(() => h.service.startPetition(terminal, { terminalId: VILLAGE_TERMINAL, category: 'wages', idNumber: '341321195603121230' }), 'bad_request');
    expect(await snapshot()).toEqual(before);
  });

  it('a petitioner trying to claim', async () => {
    const before = await snapshot();
    await expectAppError(() => h.service.claimNext(terminal), 'forbidden', 'not_an_official');
    await expectAppError(() => h.service.claimNext({ id: 'p1', name: '王', role: 'petitioner' }), 'forbidden', 'not_an_official');
    await expectAppError(() => h.service.claimNext(officialActor('O-nobody')), 'forbidden', 'unknown_official');
    expect(await snapshot()).toEqual(before);
  });

  it('a replayed claim (same request id) and a duplicate claim of an assigned ticket', async () => {
    const first = await h.service.claimNext(rs, { requestId: 'req-00000001' });
    expect(first?.case.id).toBe(caseId);
    const before = await snapshot();
    await expectAppError(() => h.service.claimNext(rs, { requestId: 'req-00000001' }), 'conflict', 'replayed_claim');
    await expectAppError(() => h.service.acceptTicket(officialActor('O341321-rs-2'), first!.ticketId), 'conflict', 'already_assigned');
    await expectAppError(() => h.service.acceptTicket(officialActor('O341321-rs-2'), 'XF00000000-000000:q1'), 'not_found');
    expect(await snapshot()).toEqual(before);
    expect(await h.store.repo.assignmentsOf(caseId)).toHaveLength(1);
  });

  it('an official beyond the sessions he may hold', async () => {
    const rs2 = officialActor('O341321-rs-2'); // maxSessions 1
    await h.service.claimNext(rs2);
    const before = await snapshot();
    await expectAppError(() => h.service.claimNext(rs2), 'conflict', 'at_capacity');
    expect(await snapshot()).toEqual(before);
  });

  it('an official of another department joining a session he was not invited to', async () => {
    const before = await snapshot();
    await expectAppError(() => h.service.roomAccess(zj, caseId), 'forbidden', 'not_invited');
    await expectAppError(() => h.service.invite(zj, caseId, { departmentId: '341321-zj' }), 'forbidden', 'not_a_party');
    await expectAppError(() => h.service.writeOpinion(zj, caseId, '越权', true), 'forbidden', 'not_lead');
    // …nor accept a ticket that is queued for another department.
    const queued = (await h.service.queue.entries(DANGSHAN_RS))[0]!;
    await expectAppError(() => h.service.acceptTicket(zj, queued.ticketId), 'forbidden');
    expect(await snapshot()).toEqual(before);
  });

  it('an invite to an unknown department, a duplicate invite, a transfer to nowhere', async () => {
    const before = await snapshot();
    await expectAppError(() => h.service.invite(rs, caseId, { departmentId: '341321-nasa' }), 'not_found', 'unknown_department');
    await expectAppError(() => h.service.transfer(rs, caseId, 'nowhere', '测试'), 'not_found', 'unknown_department');
    await expectAppError(() => h.service.invite(rs, caseId, { departmentId: DANGSHAN_RS }), 'conflict', 'already_in_session');
    expect(await snapshot()).toEqual(before);
    await h.service.invite(rs, caseId, { departmentId: '341321-zj' });
    const after = await snapshot();
    await expectAppError(() => h.service.invite(rs, caseId, { departmentId: '341321-zj' }), 'conflict', 'duplicate_invite');
    expect(await snapshot()).toEqual(after);
  });

  it('ending a session that is not live', async () => {
    const third = (await h.store.repo.listCases(['queued']))[0]!;
    const before = await snapshot();
    await expectAppError(() => h.service.endSession({ id: 'coord', name: 'c', role: 'coordinator' }, third.id), 'conflict', 'no_session');
    expect(await snapshot()).toEqual(before);
  });

  it('rating before handling, or by someone else', async () => {
    const before = await snapshot();
    await expectAppError(() => h.service.rate(terminal, caseId, 'satisfied'), 'conflict', 'wrong_state');
    await expectAppError(() => h.service.rate(terminalActor('T341321101202'), caseId, 'satisfied'), 'forbidden', 'not_petitioner');
    expect(await snapshot()).toEqual(before);
  });

  describe('over HTTP', () => {
    let server: http.Server;
    let base: string;
    const official = () => h.tokens.issue({ sub: 'O341321-rs-1', name: '干部', role: 'official', grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [] } });
    // A terminal with nothing open yet (VILLAGE_TERMINAL's case is in session).
    const FREE_TERMINAL = dangshanTerminal(5);
    const terminalToken = () =>
      h.tokens.issue({ sub: 'device-1', name: '终端', role: 'terminal', grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [] }, attributes: { terminalId: FREE_TERMINAL } });
    const call = async (method: string, path: string, token: string | null, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as { ok: boolean; data?: any; error?: { code: string; message: string } } };
    };

    beforeAll(async () => {
      const app = express();
      app.use('/api/petition', createPetitionRouter({ service: h.service, tokens: h.tokens }));
      server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/petition`;
    });
    afterAll(async () => {
      await new Promise((r) => server.close(r));
    });

    it('answers values the table does not accept with a typed 400, before any domain code runs', async () => {
      const before = await snapshot();
      for (const [path, token, body] of [
        [`/cases/${caseId}/rate`, terminalToken(), { rating: 'great' }],
        [`/cases/${caseId}/opinion`, official(), { opinion: 'x'.repeat(5001), accepted: true }],
        [`/cases/${caseId}/invite`, official(), { level: 'down' }],
        ['/presence', official(), { status: 'asleep' }],
        ['/cases', terminalToken(), { terminalId: FREE_TERMINAL, category: 'wages', flags: { vip: true } }],
        ['/claims', official(), { requestId: 'x' }],
      ] as const) {
        expect(await call('POST', path, token, body), path).toMatchObject({ status: 400, body: { ok: false, error: { code: 'bad_request' } } });
      }
      expect(await snapshot()).toEqual(before);
    });

    it('refuses a request without a valid bearer token', async () => {
      expect(await call('GET', '/desk', null)).toMatchObject({ status: 401, body: { ok: false, error: { code: 'unauthorized' } } });
      expect((await call('GET', '/desk', 'not-a-jwt')).status).toBe(401);
    });

    it('validates bodies and params with typed 400s', async () => {
      const before = await snapshot();
      const r = await call('POST', '/cases', terminalToken(), { terminalId: FREE_TERMINAL, category: 'wages', extra: 1 });
      expect(r).toMatchObject({ status: 400, body: { ok: false, error: { code: 'bad_request' } } });
      expect((await call('POST', '/cases', terminalToken(), '{"terminalId":')).status).toBe(400);
      expect((await call('GET', '/cases/not-a-case', official())).status).toBe(400);
      expect((await call('POST', '/claims', terminalToken(), {})).body.error?.code).toBe('forbidden');
      expect((await call('POST', '/cases', terminalToken(), { terminalId: 'T0', category: 'wages' })).status).toBe(403);
      const coordinator = h.tokens.issue({ sub: 'c1', name: '综治', role: 'coordinator', grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [] } });
      expect(await call('POST', '/cases', coordinator, { terminalId: 'T0', category: 'wages' })).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
      expect(await snapshot()).toEqual(before);
    });

    it('answers 503 unavailable, not 500, while Redis is unreachable', async () => {
      const down = await openHarness({ name: 'redis-down' });
      const app = express();
      app.use('/api/petition', createPetitionRouter({ service: down.service, tokens: down.tokens }));
      const srv = app.listen(0, '127.0.0.1');
      await new Promise((r) => srv.once('listening', r));
      try {
        down.redis.disconnect();
        const res = await fetch(`http://127.0.0.1:${(srv.address() as AddressInfo).port}/api/petition/desk`, { headers: { authorization: `Bearer ${official()}` } });
        expect(res.status).toBe(503);
        expect(await res.json()).toMatchObject({ ok: false, error: { code: 'unavailable' } });
      } finally {
        await new Promise((r) => srv.close(r));
        down.service.close();
        down.store.close();
      }
    });

    it('starts a petition and shows the desk with {ok, data}', async () => {
      const r = await call('POST', '/cases', terminalToken(), { terminalId: FREE_TERMINAL, category: 'wages', flags: { elderly: true } });
      expect(r.status).toBe(200);
      expect(r.body.data.case.state).toBe('queued');
      expect(r.body.data.roomId).toBe(`petition:${r.body.data.case.id}`);
      const desk = await call('GET', '/desk', official());
      expect(desk.body.ok).toBe(true);
      expect(desk.body.data.queue.map((e: { caseId: string }) => e.caseId)).toContain(r.body.data.case.id);
      const wait = await call('GET', `/cases/${r.body.data.case.id}/wait`, terminalToken());
      expect(wait.body.data.position).toBeGreaterThanOrEqual(1);
    });
  });
});
