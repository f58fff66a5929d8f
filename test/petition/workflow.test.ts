import { dueAt, startClock } from '../../server/petition/clocks.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDirectory } from '../../server/petition/seed.ts';
import { petitionRoomId } from '../../server/petition/service.ts';
import { personalQueue } from '../../server/scheduler/keys.ts';
import {
  dangshanTerminal,
  startAt,
  CITY_RS,
  coordinatorActor,
  DANGSHAN_RS,
  DANGSHAN_ZJ,
  DANGSHAN_ZRZY,
  idNumber,
  officialActor,
  openHarness,
  terminalActor,
  VILLAGE_TERMINAL,
  VILLAGE_TERMINAL_2,
  XIAO_RS,
  type Harness,
  rows,
} from './support.ts';

const DAY = 24 * 3600 * 1000;

describe('seed directory', () => {
  it('holds a 宿州-like region tree with about 500 terminals and offices at every level above the village', () => {
    const d = buildDirectory({ now: new Date('2026-11-26T00:00:00Z') });
    const levels = (l: string) => d.regions.filter((r) => r.level === l).map((r) => r.name);
    expect(levels('city')).toEqual(['宿州市']);
    expect(levels('county')).toEqual(['埇桥区', '砀山县', '萧县', '灵璧县', '泗县']);
    expect(levels('township').length).toBe(70);
    expect(d.terminals.length).toBeGreaterThanOrEqual(480);
    expect(d.terminals.length).toBeLessThanOrEqual(520);
    expect(new Set(d.terminals.map((t) => t.id)).size).toBe(d.terminals.length);
    for (const kind of ['rs', 'zrzy', 'zj', 'ga', 'mz', 'xfj']) {
      expect(d.departments.some((x) => x.kind === kind && x.level === 'city')).toBe(true);
      expect(d.departments.filter((x) => x.kind === kind && x.level === 'county').length).toBe(5);
    }
    expect(d.departments.some((x) => x.level === 'township' && x.kind === 'mz')).toBe(true);
    expect(d.receptionDays.every((r) => Date.parse(r.startsAt) > Date.parse('2026-11-26T00:00:00Z'))).toBe(true);
  });
});

describe('petition workflow', () => {
  let h: Harness;
  let now = new Date('2026-11-26T02:00:00Z');
  const rsOfficial = officialActor('O341321-rs-1');
  const rsOfficial2 = officialActor('O341321-rs-2');
  const zjOfficial = officialActor('O341321-zj-1');
  const cityRsOfficial = officialActor('O341300-rs-1');

  beforeAll(async () => {
    h = await openHarness({ name: 'workflow', now: () => now });
  });
  afterAll(async () => {
    await h.close();
  });

  it('routes a village petition about unpaid wages to the county 人社局 with deadlines and a masked ID', async () => {
    const started = await h.service.startPetition(terminalActor(VILLAGE_TERMINAL), {
      terminalId: VILLAGE_TERMINAL,
      category: 'wages',
      petitionerName: '王秀英',
      idNumber: idNumber(),
      phone: '13905571234',
      description: '在外务工被拖欠工资八个月',
      flags: { elderly: true },
    });
    const c = started.case;
    expect(c.id).toMatch(/^XF20261126-\d{6}$/);
    expect(c.state).toBe('queued');
    expect(c.routedDepartmentIds).toEqual([DANGSHAN_RS]);
    expect(c.idNumberMasked).toBe(`341321********${idNumber().slice(14)}`);
    expect(JSON.stringify(await rows(h, 'SELECT * FROM petition_cases WHERE id = ?', [c.id]))).not.toContain(idNumber());
    // 24:00 China time of the 15th / 60th day after registration, moved off rest days (clocks.ts).
    expect(c.acceptDeadline).toBe(dueAt(startClock('acceptance', c.registeredAt), h.service.life.calendar));
    expect(c.handleDeadline).toBe(dueAt(startClock('handling', c.registeredAt), h.service.life.calendar));
    expect(Date.parse(c.acceptDeadline) - Date.parse(c.registeredAt)).toBeGreaterThan(15 * DAY - 86_400_000);
    expect(started.roomId).toBe(petitionRoomId(c.id));
    const claims = h.tokens.verify(started.token);
    expect(claims.grant.rooms).toEqual([`petition:${c.id}`]);
    expect(started.wait.position).toBe(1);
  });

  it('serves invites first, then appointments, then elderly/urgent, then arrival order', async () => {
    const h2 = await openHarness({ name: 'order', now: () => now });
    try {
      // Each case at a terminal of its own: a terminal holds one open petition at a time.
      let n = 0;
      const start = async (flags?: { urgent?: boolean; elderly?: boolean }, category = 'wages') => {
        const at = terminalActor(dangshanTerminal(10 + n++));
        return { ...(await h2.service.startPetition(at, { terminalId: at.terminalId!, category, ...(flags ? { flags } : {}) })), at };
      };
      const a = await start();
      const b = await start({ urgent: true });
      const c = await start();
      const d = await start({ elderly: true });
      const desk = await h2.service.desk(rsOfficial);
      expect(desk.queue.map((e) => e.caseId)).toEqual([b.case.id, d.case.id, a.case.id, c.case.id]);
      expect((await h2.service.wait(c.at, c.case.id)).position).toBe(4);

      // A 住建 official in session with another case invites 人社: the invite jumps the queue.
      const zjCase = await start(undefined, 'housing');
      const zj = await h2.service.claimNext(zjOfficial);
      expect(zj?.case.id).toBe(zjCase.case.id);
      await h2.service.invite(zjOfficial, zjCase.case.id, { departmentId: DANGSHAN_RS });
      const order: string[] = [];
      for (const o of [rsOfficial, rsOfficial, rsOfficial2]) {
        const got = await h2.service.claimNext(o);
        order.push(`${got?.kind}:${got?.case.id}`);
      }
      expect(order).toEqual([`invite:${zjCase.case.id}`, `case:${b.case.id}`, `case:${d.case.id}`]);
    } finally {
      await h2.close();
    }
  });

  it('runs a joint session: claim, invite 住建, accept, opinion, rating, archive, with every step on the timeline', async () => {
    const terminal = terminalActor(VILLAGE_TERMINAL);
    const [queued] = await h.store.repo.listCases(['queued']);
    expect(queued).toBeDefined();
    const caseId = queued!.id;
    await h.service.heartbeat(rsOfficial, 'available');

    now = new Date(now.getTime() + 30_000);
    const a = await h.service.claimNext(rsOfficial, { requestId: 'claim-0001-abcdef' });
    expect(a?.case.id).toBe(caseId);
    expect(a?.case.state).toBe('in_session');
    expect(a?.roomId).toBe(`petition:${caseId}`);
    expect(h.tokens.verify(a!.token).grant.roomAdmin).toBe(true);

    // 住建 cannot join before it is invited.
    await expect(h.service.roomAccess(zjOfficial, caseId)).rejects.toThrowError(/not invited/);

    const ticket = await h.service.invite(rsOfficial, caseId, { departmentId: DANGSHAN_ZJ });
    expect(ticket.kind).toBe('invite');
    const desk = await h.service.desk(zjOfficial);
    expect(desk.queue[0]).toMatchObject({ ticketId: ticket.id, kind: 'invite', priority: 'handover' });

    const joined = await h.service.acceptTicket(zjOfficial, ticket.id);
    expect(joined.case.state).toBe('joint_session');
    expect(joined.roomId).toBe(`petition:${caseId}`);
    expect((await h.service.roomAccess(zjOfficial, caseId)).roomId).toBe(`petition:${caseId}`);
    expect((await h.service.roomAccess(terminal, caseId)).roomId).toBe(`petition:${caseId}`);
    const watch = h.tokens.verify((await h.service.roomAccess(coordinatorActor, caseId)).token);
    expect(watch.grant).toMatchObject({ rooms: [`petition:${caseId}`], canPublish: false, canSubscribe: true, hidden: true });

    // The level above joins too (砀山县人社 → 宿州市人社).
    const up = await h.service.invite(rsOfficial, caseId, { level: 'up' });
    expect(up.departmentIds).toEqual([CITY_RS]);
    await h.service.claimNext(cityRsOfficial);
    const live = (await h.service.liveSessions(coordinatorActor)).find((l) => l.case.id === caseId)!;
    expect(live.case.state).toBe('joint_session');
    expect(live.participants.map((p) => p.officialId)).toEqual([rsOfficial.id, zjOfficial.id, cityRsOfficial.id]);
    expect((await h.store.repo.listParticipants(caseId)).map((p) => `${p.departmentId}:${p.role}`)).toEqual([
      `${DANGSHAN_RS}:lead`,
      `${DANGSHAN_ZJ}:invited`,
      `${CITY_RS}:invited`,
    ]);

    now = new Date(now.getTime() + 20 * 60_000);
    const handled = await h.service.writeOpinion(rsOfficial, caseId, '责令用工单位十五日内结清欠薪，人社局跟踪督办。', true);
    expect(handled.state).toBe('handled');
    // Accepted in the opinion: the 受理告知书 is issued and the 60 days run from now.
    expect(handled).toMatchObject({ stage: 'handling', acceptance: 'accepted' });
    expect(handled.handleDeadline).toBe(dueAt(startClock('handling', handled.acceptedAt!), h.service.life.calendar));
    await h.service.endSession(rsOfficial, caseId);
    expect(await h.service.queue.activeTickets(rsOfficial.id)).toEqual([]);
    // Once the session has ended, having taken part is no longer enough for a room token.
    await expect(h.service.roomAccess(zjOfficial, caseId)).rejects.toThrowError(/no longer in the session/);
    expect(await h.service.queue.avgSessionSeconds(DANGSHAN_RS)).toBe(20 * 60);

    const rated = await h.service.rate(terminal, caseId, 'satisfied');
    expect(rated.state).toBe('rated');

    const timeline = await h.service.timeline(terminal, caseId);
    expect(timeline.map((e) => e.type)).toEqual([
      'registered', 'queued', 'claimed', 'invited', 'joined', 'invited', 'joined', 'opinion_written', 'acceptance_notified', 'session_ended', 'rated',
    ]);
    expect(timeline.map((e) => e.actorId)).toEqual([
      terminal.id, terminal.id, rsOfficial.id, rsOfficial.id, zjOfficial.id, rsOfficial.id, cityRsOfficial.id, rsOfficial.id, rsOfficial.id, rsOfficial.id, terminal.id,
    ]);
    expect(timeline.every((e) => !Number.isNaN(Date.parse(e.at)))).toBe(true);
  });

  it('transfers and escalates through the same queues, ahead of new cases', async () => {
    const t = terminalActor(VILLAGE_TERMINAL);
    const fresh = await h.service.startPetition(t, { terminalId: VILLAGE_TERMINAL, category: 'land' });
    expect(fresh.case.routedDepartmentIds).toEqual([DANGSHAN_ZRZY, '341321-nync']);
    const waiting = await startAt(h, 20, { category: 'wages' });
    const zr = await h.service.claimNext(officialActor('O341321-zrzy-1'));
    expect(zr?.case.id).toBe(fresh.case.id);
    // The same case is no longer waiting in the 农业农村局 queue it was also routed to.
    expect(await h.service.queue.length('341321-nync')).toBe(0);

    const transferred = await h.service.transfer(officialActor('O341321-zrzy-1'), fresh.case.id, DANGSHAN_RS, '属于劳动报酬争议');
    expect(transferred.state).toBe('transferred');
    await expect(h.service.roomAccess(officialActor('O341321-zrzy-1'), fresh.case.id)).rejects.toThrowError(/no longer in the session/);
    const next = await h.service.claimNext(rsOfficial2);
    expect(next?.kind).toBe('transfer');
    expect(next?.case.id).toBe(fresh.case.id);
    expect(next?.case.officialId).toBe(rsOfficial2.id);
    // The office that handed the case over may be invited back into the session.
    const back = await h.service.invite(rsOfficial2, fresh.case.id, { departmentId: DANGSHAN_ZRZY });
    expect(back.departmentIds).toEqual([DANGSHAN_ZRZY]);
    await h.service.queue.cancel([back.id]);

    const escalated = await h.service.escalate(rsOfficial2, fresh.case.id, '涉及跨县用工单位');
    expect(escalated.state).toBe('escalated');
    expect(escalated.departmentId).toBe(CITY_RS);
    const city = await h.service.claimNext(cityRsOfficial);
    expect(city?.kind).toBe('escalate');
    expect(city?.case.state).toBe('in_session');
    expect((await h.service.queue.entries(DANGSHAN_RS)).map((e) => e.caseId)).toEqual([waiting.case.id]);
  });

  it('offers an appointment or a call-back when nobody is available, and books a leader reception slot', async () => {
    const t = terminalActor('T341322101201'); // 萧县 village
    const s = await h.service.startPetition(t, { terminalId: 'T341322101201', category: 'wages', phone: '13800000000' });
    expect(s.case.routedDepartmentIds).toEqual([XIAO_RS]);
    expect(s.wait.offer).toBeNull();
    // config/routing-rules.json: waiting.offerAfterSeconds = 120.
    now = new Date(now.getTime() + 119_000);
    expect((await h.service.wait(t, s.case.id)).offer).toBeNull();
    now = new Date(now.getTime() + 2_000);
    const w = await h.service.wait(t, s.case.id);
    expect(w.availableOfficials).toBe(0);
    expect(w.estimatedWaitSeconds).toBeNull();
    expect(w.offer?.callback).toBe(true);
    const offer = w.offer!.appointments[0]!;
    expect(['341322', '341300']).toContain((await h.store.repo.getReceptionDay(offer.dayId))!.regionCode);

    const booked = await h.service.bookAppointment(t, s.case.id, offer.dayId, offer.slot);
    expect(booked.state).toBe('appointment');
    expect(booked.appointment).toMatchObject({ kind: 'reception_day', dayId: offer.dayId, slot: offer.slot });
    expect(await h.service.queue.length(XIAO_RS)).toBe(0);

    // The day before: no reminder. On the day, before the slot: one reminder, once, to the terminal point.
    const reminders: { caseId: string; terminalId: string }[] = [];
    h.service.on('appointment-reminder', (r) => reminders.push(r));
    now = new Date(Date.parse(offer.slotStartsAt) - 86_400_000);
    expect(await h.service.remindAppointments()).toBe(0);
    now = new Date(Date.parse(offer.slotStartsAt) - 30 * 60_000);
    expect(await h.service.remindAppointments()).toBe(1);
    expect(await h.service.remindAppointments()).toBe(0);
    expect(reminders).toEqual([expect.objectContaining({ caseId: s.case.id, terminalId: 'T341322101201', at: offer.slotStartsAt })]);
    expect((await h.service.timeline(t, s.case.id)).filter((e) => e.type === 'appointment_reminded')).toHaveLength(1);
    expect(await h.service.admitDueAppointments()).toBe(0);

    // On the day, the case joins the leader's department queue with appointment priority.
    now = new Date(Date.parse(offer.slotStartsAt) + 1000);
    expect(await h.service.admitDueAppointments()).toBe(1);
    const day = (await h.store.repo.getReceptionDay(offer.dayId))!;
    const entries = await h.service.queue.entries(personalQueue(day.officialId));
    expect(entries.map((e) => [e.caseId, e.kind, e.priority])).toEqual([[s.case.id, 'appointment', 'appointment']]);
    expect(await h.service.admitDueAppointments()).toBe(0);
    // The slot is with the leader: another official of the same office does not get it.
    const colleague = (await h.store.repo.listOfficials(day.departmentId)).find((o) => o.id !== day.officialId)!;
    expect(await h.service.claimNext(officialActor(colleague))).toBeNull();
    const leader = officialActor(day.officialId);
    expect((await h.service.desk(leader)).queue.map((e) => e.caseId)).toEqual([s.case.id]);
    const met = await h.service.claimNext(leader);
    expect(met).toMatchObject({ kind: 'appointment', case: { id: s.case.id, state: 'in_session', officialId: day.officialId } });

    // The first case is in session at that terminal: the call-back is asked for at the next village's.
    const t2 = terminalActor('T341322101202');
    const cb = await h.service.startPetition(t2, { terminalId: 'T341322101202', category: 'wages', phone: '13800000001' });
    const after = await h.service.requestCallback(t2, cb.case.id);
    expect(after.appointment?.kind).toBe('callback');
    expect(await h.service.queue.length(XIAO_RS)).toBe(0);
  });

  it('gives an estimate from officials present and measured session length', async () => {
    const h3 = await openHarness({ name: 'estimate', now: () => now, defaultSessionSeconds: 600 });
    try {
      const t = terminalActor(dangshanTerminal(3)); // where the fourth case waits
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push((await startAt(h3, i, { category: 'wages' })).case.id);
      await h3.service.heartbeat(rsOfficial, 'available');
      await h3.service.heartbeat(rsOfficial2, 'available');
      const w = await h3.service.wait(t, ids[3]!);
      expect(w.position).toBe(4);
      expect(w.availableOfficials).toBe(2);
      // Both officials are free: they take places 1 and 2 now, so place 4 waits one round of two.
      expect(w.freeOfficials).toBe(2);
      expect(w.estimatedWaitSeconds).toBe(1 * 600);
      await h3.service.heartbeat(rsOfficial2, 'away');
      // One free official: place 1 now, then three sessions of hers before place 4.
      expect((await h3.service.wait(t, ids[3]!)).estimatedWaitSeconds).toBe(3 * 600);

      // After a claim, every waiting petitioner of that office gets a fresh position to show.
      let changed: string[] = [];
      h3.service.on('queue-changed', (e) => (changed = e.departmentIds));
      await h3.service.claimNext(rsOfficial);
      await h3.service.heartbeat(rsOfficial, 'busy'); // her desk reports the session
      const updates = await h3.service.waitUpdates(changed);
      expect(updates.map((u) => [u.caseId, u.position, u.estimatedWaitSeconds])).toEqual([
        [ids[1], 1, 600],
        [ids[2], 2, 1200],
        [ids[3], 3, 1800],
      ]);
    } finally {
      await h3.close();
    }
  });
  it('shows the coordinator queues, overdue cases and terminals online by county', async () => {
    const h4 = await openHarness({ name: 'coordinator', now: () => now });
    try {
      const t = terminalActor(VILLAGE_TERMINAL);
      const s = await h4.service.startPetition(t, { terminalId: VILLAGE_TERMINAL, category: 'wages' });
      await h4.service.presence.terminalsPresent([VILLAGE_TERMINAL]);
      const dangshan = (await h4.service.terminals(coordinatorActor)).find((g) => g.regionCode === '341321')!;
      expect(dangshan).toMatchObject({ name: '砀山县', total: 88, online: 1 });
      expect(dangshan.offline.map((x) => x.id)).not.toContain(VILLAGE_TERMINAL);
      expect(await h4.service.queues(coordinatorActor)).toEqual([expect.objectContaining({ departmentId: DANGSHAN_RS, length: 1, online: 0 })]);
      expect(await h4.service.overdue(coordinatorActor)).toEqual([]);
      // Past the acceptance deadline wherever rest days move it (the clock starts on the day the
      // earlier tests left `now` at), well before the 60-day handling one.
      now = new Date(now.getTime() + 25 * DAY);
      expect((await h4.service.overdue(coordinatorActor)).map((o) => [o.case.id, o.overdue])).toEqual([[s.case.id, ['acceptance']]]);
      await expect(h4.service.overdue(t)).rejects.toThrowError(/coordinators only/);
    } finally {
      await h4.close();
    }
  });
  it('survives an event listener that throws: the step is done and stays done', async () => {
    const h5 = await openHarness({ name: 'listener', now: () => now });
    try {
      h5.service.on('queue-changed', () => {
        throw new Error('listener bug');
      });
      const s = await h5.service.startPetition(terminalActor(VILLAGE_TERMINAL), { terminalId: VILLAGE_TERMINAL, category: 'wages' });
      expect(s.case.state).toBe('queued');
      expect(await h5.service.queue.length(DANGSHAN_RS)).toBe(1);
    } finally {
      await h5.close();
    }
  });

  it('withdraws waiting invitations when the case is transferred or its session ends', async () => {
    const h3 = await openHarness({ name: 'withdraw', now: () => now });
    try {
      const t = terminalActor(VILLAGE_TERMINAL_2);
      const zjQueue = async () => (await h3.service.desk(zjOfficial)).queue.map((e) => e.caseId);

      const a = await h3.service.startPetition(t, { terminalId: VILLAGE_TERMINAL_2, category: 'wages' });
      expect((await h3.service.claimNext(rsOfficial))?.case.id).toBe(a.case.id);
      await h3.service.invite(rsOfficial, a.case.id, { departmentId: DANGSHAN_ZJ });
      expect(await zjQueue()).toContain(a.case.id);
      await h3.service.transfer(rsOfficial, a.case.id, DANGSHAN_ZRZY, '属自然资源部门职责');
      expect(await zjQueue()).not.toContain(a.case.id);

      // The transferred case still occupies its terminal; the next petitioner uses another.
      const b = await startAt(h3, 30, { category: 'wages' });
      expect((await h3.service.claimNext(rsOfficial))?.case.id).toBe(b.case.id);
      await h3.service.invite(rsOfficial, b.case.id, { departmentId: DANGSHAN_ZJ });
      expect(await zjQueue()).toContain(b.case.id);
      await h3.service.endSession(rsOfficial, b.case.id);
      expect(await zjQueue()).not.toContain(b.case.id);
    } finally {
      await h3.close();
    }
  });
});
