// The petition repository on both dialects: the directory, case numbers from the shared
// counter, compare-and-set updates and slot bookings that hold under concurrency — on
// PostgreSQL from two nodes (two stores, two pools) at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store, type StoreLocation } from '../../server/core/db.ts';
import { petitionMigrations } from '../../server/petition/migrations.ts';
import { CaseLife } from '../../server/petition/case-life.ts';
import { loadHolidayCalendar } from '../../server/petition/holidays.ts';
import { CaseLifeRepository } from '../../server/petition/life-repository.ts';
import { DbPetitionRepository, type AssignmentWrite, type NewCase, type NewEvent } from '../../server/petition/repository.ts';
import { RoutingRuleBook } from '../../server/scheduler/routing-rules.ts';
import { buildDirectory } from '../../server/petition/seed.ts';
import { DIALECTS } from '../support/stores.ts';

const TERMINAL = 'T341321101201';

function newCase(registeredAt: string): NewCase {
  return {
    terminalId: TERMINAL,
    regionCode: '341321101201',
    category: 'wages',
    petitionerName: '王秀英',
    idNumberMasked: null,
    phone: null,
    description: null,
    flags: { elderly: true, urgent: false, disabled: false },
    state: 'registered',
    routedDepartmentIds: ['341321-rs'],
    departmentId: null,
    officialId: null,
    registeredAt,
    acceptDeadline: registeredAt,
    handleDeadline: registeredAt,
    handleExtended: false,
    extensionReason: null,
    acceptedAt: null,
    opinion: null,
    opinionAt: null,
    rating: null,
    ratedAt: null,
    appointment: null,
  };
}
const event = (type: NewEvent['type'], at: string, actorId = `device-${TERMINAL}`): NewEvent => ({ at, actorId, actorRole: 'terminal', type, data: { n: 1 } });

describe.each(DIALECTS)('the petition repository on %s', (dialect, fresh) => {
  let location: StoreLocation;
  let stores: Store[];
  /** Two nodes on PostgreSQL; SQLite serves one node. */
  let repos: DbPetitionRepository[];
  const repo = () => repos[0]!;

  beforeAll(async () => {
    location = await fresh('petition');
    const first = await Store.open(location);
    await first.migrate(petitionMigrations);
    stores = dialect === 'postgres' ? [first, await Store.open(location)] : [first];
    repos = stores.map((s) => new DbPetitionRepository(s));
    await repo().importDirectory(buildDirectory({ now: new Date('2026-11-20T00:00:00Z') }));
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
  });

  it('loads the directory, and loading it again changes nothing', async () => {
    const before = [(await repo().listTerminals()).length, (await repo().listDepartments()).length, (await repo().listOfficials()).length];
    expect(before[0]).toBe(513);
    await repo().importDirectory(buildDirectory({ now: new Date('2026-11-20T00:00:00Z') }));
    expect([(await repo().listTerminals()).length, (await repo().listDepartments()).length, (await repo().listOfficials()).length]).toEqual(before);
    expect(await repo().getRegion('341321')).toEqual({ code: '341321', name: '砀山县', level: 'county', parentCode: '341300' });
    expect(await repo().findDepartment('rs', '341321')).toMatchObject({ id: '341321-rs', level: 'county', regionCode: '341321' });
    expect(await repo().getOfficial('no-such-official')).toBeUndefined();
  });

  it('answers officials and terminals asked for together (one query) each with its own row, an unknown id with nothing', async () => {
    const officials = await repo().listOfficials();
    const terminals = await repo().listTerminals();
    const ids = [officials[0]!.id, 'no-such-official', officials[1]!.id, officials[0]!.id];
    expect(await Promise.all(ids.map((id) => repo().getOfficial(id)))).toEqual([officials[0], undefined, officials[1], officials[0]]);
    // More than one query's worth (64) at once, in order.
    const many = terminals.slice(0, 150);
    expect(await Promise.all([...many.map((t) => repo().getTerminal(t.id)), repo().getTerminal('T-none')])).toEqual([...many, undefined]);
  });

  it('routes starts asked for together (one statement) each along its own region chain, nearest office first', async () => {
    const village = (await repo().listTerminals()).find((t) => t.regionCode.startsWith('341321') && t.level === 'village')!.regionCode;
    const asks: [string, string[]][] = [
      [village, ['rs']], // no 人社 office below the county: the county's
      ['341321', ['zj', 'rs']],
      [village, ['xfj', 'nope']], // an unknown kind is simply not found
      ['341300', ['rs']],
      ['no-such-region', ['rs']],
    ];
    const together = await Promise.all(asks.map(([code, kinds]) => repo().departmentsAlong(code, kinds)));
    const ids = together.map((along) => along.map((d) => `${d.department.id}@${d.regionLevel}`));
    expect(ids[0]).toEqual(['341321-rs@county', '341300-rs@city']);
    expect(ids[1]).toEqual(['341321-rs@county', '341321-zj@county', '341300-rs@city', '341300-zj@city']);
    expect(ids[2]!.every((x) => x.includes('-xfj@'))).toBe(true);
    expect(ids[2]!.at(-1)).toBe('341300-xfj@city');
    expect(ids[3]).toEqual(['341300-rs@city']);
    expect(ids[4]).toEqual([]);
    // The same answers one by one.
    for (const [i, [code, kinds]] of asks.entries()) expect(await repo().departmentsAlong(code, kinds)).toEqual(together[i]);
  });

  it('numbers cases XF<day>-<n> from one counter per day, with the first event written alongside', async () => {
    const a = await repo().createCase(newCase('2026-11-21T01:00:00.000Z'), event('registered', '2026-11-21T01:00:00.000Z'));
    const b = await repo().createCase(newCase('2026-11-21T02:00:00.000Z'), event('registered', '2026-11-21T02:00:00.000Z'));
    const c = await repo().createCase(newCase('2026-11-22T01:00:00.000Z'), event('registered', '2026-11-22T01:00:00.000Z'));
    // The day is the city's (CST): 00:30 on the 27th there is still the 26th in UTC.
    const d = await repo().createCase(newCase('2026-11-26T16:30:00.000Z'), event('registered', '2026-11-26T16:30:00.000Z'));
    expect([a.id, b.id, c.id, d.id]).toEqual(['XF20261121-000001', 'XF20261121-000002', 'XF20261122-000001', 'XF20261127-000001']);
    expect(a).toMatchObject({ state: 'registered', flags: { elderly: true }, routedDepartmentIds: ['341321-rs'], handleExtended: false, appointment: null });
    expect((await repo().timeline(a.id)).map((e) => [e.type, e.actorId, e.data])).toEqual([['registered', `device-${TERMINAL}`, { n: 1 }]]);
  });

  it('gives 50 cases registered at once through every node 50 distinct, gapless numbers', async () => {
    const at = '2026-11-23T03:00:00.000Z';
    const made = await Promise.all(Array.from({ length: 50 }, (_, i) => repos[i % repos.length]!.createCase(newCase(at), event('registered', at))));
    const numbers = made.map((c) => c.id).sort();
    expect(new Set(numbers).size).toBe(50);
    expect(numbers).toEqual(Array.from({ length: 50 }, (_, i) => `XF20261123-${String(i + 1).padStart(6, '0')}`));
    for (const c of made) expect(await repo().timeline(c.id)).toHaveLength(1);
  });

  it('registers a batch of starts in one transaction: numbers across days, one case per terminal, the open one answered', async () => {
    const [t1, t2, t3] = ['T341321101202', 'T341321101203', 'T341321101204'];
    const start = (terminalId: string, at: string) => ({
      case: { ...newCase(at), terminalId, state: 'queued' as const },
      events: (id: string) => [event('registered', at), event('queued', at, `device-${terminalId}`)].map((e, i) => (i === 1 ? { ...e, data: { ticketId: `${id}:q1` } } : e)),
      openStates: ['registered', 'queued'] as const,
      queryCodeHash: (id: string) => `hash-of-${id}`,
    });
    const open = await repo().createCase({ ...newCase('2026-11-25T01:00:00.000Z'), terminalId: t3, state: 'queued' }, event('registered', '2026-11-25T01:00:00.000Z'));
    const clocked: string[][] = [];
    const out = await repos[repos.length - 1]!.registerCases(
      // A double tap at t1 in the same batch; t2 just before midnight in the city and just after.
      [start(t1, '2026-11-25T02:00:00.000Z'), start(t2, '2026-11-25T15:59:00.000Z'), start(t1, '2026-11-25T02:00:01.000Z'), start(t3, '2026-11-25T03:00:00.000Z'), { ...start(t2, '2026-11-25T16:01:00.000Z'), openStates: [] }],
      async (_trx, created) => void clocked.push(created.map((c) => c.id)),
    );
    expect(out.map((r) => [r.case.id, r.created])).toEqual([
      ['XF20261125-000002', true],
      ['XF20261125-000003', true],
      ['XF20261125-000002', false],
      [open.id, false],
      ['XF20261126-000001', true],
    ]);
    expect(clocked).toEqual([['XF20261125-000002', 'XF20261125-000003', 'XF20261126-000001']]);
    expect(out[0]!.case).toMatchObject({ terminalId: t1, state: 'queued', registeredAt: '2026-11-25T02:00:00.000Z' });
    expect((await repo().timeline('XF20261125-000002')).map((e) => [e.type, e.data])).toEqual([['registered', { n: 1 }], ['queued', { ticketId: 'XF20261125-000002:q1' }]]);
    const hash = await repo().store.db<{ petition_cases: { id: string; query_code_hash: string | null } }>().selectFrom('petition_cases').select('query_code_hash').where('id', '=', 'XF20261126-000001').executeTakeFirst();
    expect(hash?.query_code_hash).toBe('hash-of-XF20261126-000001');
    // Undone while still waiting, not once an official has it.
    expect(await repo().discardRegistration('XF20261125-000003')).toBe(true);
    expect(await repo().getCase('XF20261125-000003')).toBeUndefined();
  });

  it('lets exactly one of many concurrent compare-and-set updates through', async () => {
    const at = '2026-11-24T01:00:00.000Z';
    const c = await repo().createCase(newCase(at), event('registered', at));
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => repos[i % repos.length]!.updateCase(c.id, { state: 'queued' }, event('queued', at), ['registered'])),
    );
    expect(results.filter((r) => r?.state === 'queued')).toHaveLength(1);
    expect(results.filter((r) => r === undefined)).toHaveLength(9);
    expect((await repo().timeline(c.id)).map((e) => e.type)).toEqual(['registered', 'queued']);
  });

  it('records an assignment once per ticket, with the participants in the order they joined', async () => {
    const at = '2026-11-24T02:00:00.000Z';
    const c = await repo().createCase(newCase(at), event('registered', at));
    const assign = (ticketId: string, officialId: string, departmentId: string, role: 'lead' | 'invited') =>
      repos[Number(ticketId.endsWith('2')) % repos.length]!.applyAssignments([{
        assignment: { ticketId, caseId: c.id, officialId, departmentId, kind: role === 'lead' ? 'case' : 'invite', assignedAt: at },
        patchFor: (current) => (role === 'lead' ? { state: 'in_session', officialId, departmentId } : current.state === 'in_session' ? { state: 'joint_session' } : {}),
        event: event(role === 'lead' ? 'claimed' : 'joined', at, officialId),
        participant: { caseId: c.id, officialId, departmentId, role, joinedAt: at },
      }]).then(([updated]) => updated);
    // The lead sorts after the invitee by id; the same millisecond must still keep join order.
    expect(await assign(`${c.id}:q1`, 'O341321-zj-1', '341321-zj', 'lead')).toMatchObject({ state: 'in_session', officialId: 'O341321-zj-1' });
    const replays = await Promise.all([assign(`${c.id}:q1`, 'O341321-zj-1', '341321-zj', 'lead'), assign(`${c.id}:q1`, 'O341321-zj-1', '341321-zj', 'lead')]);
    expect(replays).toEqual([undefined, undefined]);
    expect(await assign(`${c.id}:i2`, 'O341321-rs-1', '341321-rs', 'invited')).toMatchObject({ state: 'joint_session', officialId: 'O341321-zj-1' });
    expect((await repo().listParticipants(c.id)).map((p) => [p.officialId, p.role])).toEqual([
      ['O341321-zj-1', 'lead'],
      ['O341321-rs-1', 'invited'],
    ]);
    expect((await repo().assignmentsOf(c.id)).map((a) => a.ticketId)).toEqual([`${c.id}:i2`, `${c.id}:q1`]);
    expect((await repo().timeline(c.id)).map((e) => e.type)).toEqual(['registered', 'claimed', 'joined']);
  });

  it('records a batch of claims with one statement per table: a new claim and a join of one case, a replayed ticket, a case that is gone', async () => {
    const life = new CaseLife({ repo: repo(), life: new CaseLifeRepository(repo().store), rules: await RoutingRuleBook.inMemory(), calendar: loadHolidayCalendar(), now: () => new Date(), changed: () => {} });
    const at = '2026-11-28T02:00:00.000Z';
    const reg = (terminalId: string) => ({ case: { ...newCase(at), terminalId, state: 'queued' as const }, events: () => [event('registered', at)], openStates: [] });
    const [fresh, replayed] = (await repo().registerCases([reg('T341321101205'), reg('T341321101206')], life.registrationRows)).map((r) => r.case);
    const claim = (caseId: string, ticketId: string, officialId: string, departmentId: string, role: 'lead' | 'invited', when: string): AssignmentWrite => ({
      assignment: { ticketId, caseId, officialId, departmentId, kind: role === 'lead' ? 'case' : 'invite', assignedAt: when },
      patchFor: (current) => (role === 'lead' ? { state: 'in_session', officialId, departmentId } : current.state === 'in_session' ? { state: 'joint_session' } : {}),
      event: event(role === 'lead' ? 'claimed' : 'joined', when, officialId),
      participant: { caseId, officialId, departmentId, role, joinedAt: when },
    });
    const later = '2026-11-28T02:05:00.000Z';
    const [earlier] = await repo().applyAssignments([claim(replayed!.id, `${replayed!.id}:q1`, 'O341321-zj-1', '341321-zj', 'lead', at)], life.leadRows);
    expect(earlier).toMatchObject({ state: 'in_session', officialId: 'O341321-zj-1' });

    const out = await repos[repos.length - 1]!.applyAssignments(
      [
        claim(replayed!.id, `${replayed!.id}:q1`, 'O341321-zj-2', '341321-zj', 'lead', later),
        claim(fresh!.id, `${fresh!.id}:q1`, 'O341321-rs-1', '341321-rs', 'lead', later),
        claim('XF20990101-000001', 'XF20990101-000001:q1', 'O341321-rs-2', '341321-rs', 'lead', later),
        claim(fresh!.id, `${fresh!.id}:i2`, 'O341321-zj-1', '341321-zj', 'invited', later),
        // The same ticket twice in one batch: recorded once.
        claim(fresh!.id, `${fresh!.id}:q1`, 'O341321-rs-1', '341321-rs', 'lead', later),
      ],
      life.leadRows,
    );
    expect(out.map((c) => c && [c.id, c.state, c.officialId, c.updatedAt])).toEqual([
      undefined,
      [fresh!.id, 'in_session', 'O341321-rs-1', later],
      undefined,
      [fresh!.id, 'joint_session', 'O341321-rs-1', later],
      undefined,
    ]);
    // As written: the case rows, participants, timeline, assignments, the lead's clock and handler.
    expect(await repo().getCase(fresh!.id)).toMatchObject({ state: 'joint_session', departmentId: '341321-rs', officialId: 'O341321-rs-1', updatedAt: later });
    expect(await repo().getCase(replayed!.id)).toMatchObject({ state: 'in_session', departmentId: '341321-zj', officialId: 'O341321-zj-1', updatedAt: at });
    expect(await repo().getCase('XF20990101-000001')).toBeUndefined();
    expect((await repo().listParticipants(fresh!.id)).map((p) => [p.officialId, p.role])).toEqual([['O341321-rs-1', 'lead'], ['O341321-zj-1', 'invited']]);
    expect((await repo().listParticipants(replayed!.id)).map((p) => p.officialId)).toEqual(['O341321-zj-1']);
    expect((await repo().timeline(fresh!.id)).map((e) => [e.type, e.actorId])).toEqual([['registered', `device-${TERMINAL}`], ['claimed', 'O341321-rs-1'], ['joined', 'O341321-zj-1']]);
    expect((await repo().timeline(replayed!.id)).map((e) => e.type)).toEqual(['registered', 'claimed']);
    expect((await repo().assignmentsOf(fresh!.id)).map((a) => [a.ticketId, a.officialId])).toEqual([[`${fresh!.id}:i2`, 'O341321-zj-1'], [`${fresh!.id}:q1`, 'O341321-rs-1']]);
    expect((await repo().assignmentsOf(replayed!.id)).map((a) => a.officialId)).toEqual(['O341321-zj-1']);
    expect(await repo().assignmentsOf('XF20990101-000001')).toEqual([]);
    const lifeRows = new CaseLifeRepository(repo().store);
    const clocks = (caseId: string) =>
      repo().store.db<{ petition_clocks: { case_id: string; kind: string; department_id: string | null; stopped_at: string | null } }>().selectFrom('petition_clocks').select(['kind', 'department_id', 'stopped_at']).where('case_id', '=', caseId).execute();
    expect(await clocks(fresh!.id)).toEqual([{ kind: 'acceptance', department_id: '341321-rs', stopped_at: null }]);
    expect(await clocks(replayed!.id)).toEqual([{ kind: 'acceptance', department_id: '341321-zj', stopped_at: null }]);
    expect((await lifeRows.handlers(fresh!.id)).map((h) => [h.departmentId, h.role])).toEqual([['341321-rs', 'lead']]);
    expect((await lifeRows.handlers(replayed!.id)).map((h) => [h.departmentId, h.role])).toEqual([['341321-zj', 'lead']]);
  });

  it('never books a slot beyond its capacity, however many book at once', async () => {
    const day = (await repo().listReceptionDays('2026-11-20T00:00:00Z'))[0]!;
    const at = '2026-11-24T03:00:00.000Z';
    const cases = await Promise.all(Array.from({ length: 8 }, () => repo().createCase(newCase(at), event('registered', at))));
    const booked = await Promise.all(cases.map((c, i) => repos[i % repos.length]!.bookAppointment(c.id, day.id, 3, day.capacityPerSlot, at)));
    expect(booked.filter(Boolean)).toHaveLength(day.capacityPerSlot);
    expect((await repo().slotCounts(day.id)).get(3)).toBe(day.capacityPerSlot);
    const winner = cases[booked.indexOf(true)]!;
    expect(await repo().getAppointment(winner.id)).toMatchObject({ dayId: day.id, slot: 3, admitted: false });
    // Due once the slot has begun; admitted once.
    const start = new Date(Date.parse(day.startsAt) + 3 * day.slotMinutes * 60_000).toISOString();
    expect((await repo().dueAppointments(start)).map((a) => a.caseId).sort()).toEqual(cases.filter((_, i) => booked[i]).map((c) => c.id).sort());
    expect(await Promise.all([repo().markAdmitted(winner.id), repos.at(-1)!.markAdmitted(winner.id)])).toEqual(expect.arrayContaining([true, false]));
    await repo().cancelAppointment(winner.id); // admitted: stays
    expect(await repo().getAppointment(winner.id)).toMatchObject({ admitted: true });
  });
});
