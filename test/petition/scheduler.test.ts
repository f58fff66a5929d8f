import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../server/core/errors.ts';
import { RoutingRuleBook } from '../../server/scheduler/routing-rules.ts';
import { DbRoutingRules } from '../../server/petition/routing-rules-store.ts';
import { DIALECTS } from '../support/stores.ts';
import { DANGSHAN_RS, DANGSHAN_ZJ, officialActor, openHarness, rows, RULES_FILE, startAt, terminalActor, VILLAGE_TERMINAL, type Harness } from './support.ts';

describe('leases', () => {
  let h: Harness;
  const t = terminalActor(VILLAGE_TERMINAL);
  const rs = officialActor('O341321-rs-1');
  beforeAll(async () => {
    h = await openHarness({ name: 'leases', leaseMs: 200 });
  });
  afterAll(async () => {
    await h.close();
  });

  it('an offer not accepted in time goes back to the same place in the queue', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await startAt(h, i, { category: 'wages' })).ticketId);
    const offer = await h.service.offerNext(rs);
    expect(offer?.ticketId).toBe(ids[0]);
    expect((await h.service.queue.entries(DANGSHAN_RS)).map((e) => e.ticketId)).toEqual(ids.slice(1));
    expect(await h.service.queue.reapExpired()).toEqual([]); // not expired yet
    await new Promise((r) => setTimeout(r, 250));
    await h.service.sweep();
    expect((await h.service.queue.entries(DANGSHAN_RS)).map((e) => e.ticketId)).toEqual(ids);
    await expect(h.service.acceptOffer(rs, offer!)).rejects.toMatchObject({ code: 'conflict', details: { reason: 'lease_lost' } });
    expect((await h.service.timeline(t, offer!.case!.id)).map((e) => e.type)).toEqual(['registered', 'queued', 'claim_released']);
    expect((await h.service.queue.getTicket(ids[0]!))?.releases).toBe(1);
  });

  it('a declined offer keeps its place; an accepted one is assigned once', async () => {
    const [first] = (await h.service.queue.entries(DANGSHAN_RS)).map((e) => e.ticketId);
    const offer = await h.service.offerNext(rs);
    expect(offer?.ticketId).toBe(first);
    expect(await h.service.declineOffer(rs, offer!)).toBe(true);
    expect(await h.service.declineOffer(rs, offer!)).toBe(false);
    expect((await h.service.queue.entries(DANGSHAN_RS))[0]?.ticketId).toBe(first);
    const again = await h.service.offerNext(rs);
    const a = await h.service.acceptOffer(rs, again!);
    expect(a.ticketId).toBe(first);
    await expect(h.service.acceptOffer(rs, again!)).rejects.toBeInstanceOf(AppError);
    expect(await h.store.repo.assignmentsOf(a.case.id)).toHaveLength(1);
  });

  it('extends the handling deadline once, by 30 days, with the reason and the head’s approval', async () => {
    const [c] = await h.store.repo.listCases(['in_session']);
    await h.service.writeOpinion(rs, c!.id, '受理，调查取证中。', true);
    const before = (await h.service.life.view(c!.id)).clocks.find((k) => k.kind === 'handling')!;
    await h.service.extendDeadline(rs, c!.id, '需跨部门调查取证');
    // Nothing changes until the head decides; a second request waits for the first.
    expect((await h.service.life.view(c!.id)).clocks.find((k) => k.kind === 'handling')!.dueAt).toBe(before.dueAt);
    await expect(h.service.extendDeadline(rs, c!.id, '再次')).rejects.toMatchObject({ code: 'conflict', details: { reason: 'already_requested' } });
    const [approval] = (await h.service.life.view(c!.id)).approvals;
    // Only the department's head decides; an official, or the head of another office, cannot.
    await expect(h.service.life.decide(rs, approval!.id, true, null)).rejects.toMatchObject({ code: 'forbidden', details: { reason: 'not_head' } });
    await expect(h.service.life.decide({ id: 'H341321-zj', name: '住建局长', role: 'head' }, approval!.id, true, null)).rejects.toMatchObject({ details: { reason: 'not_head_of_department' } });
    const extended = await h.service.life.decide({ id: 'H341321-rs', name: '人社局长', role: 'head' }, approval!.id, true, '同意延期30日');
    const after = (await h.service.life.view(c!.id)).clocks.find((k) => k.kind === 'handling')!;
    expect(after.extensionDays).toBe(30);
    expect(extended.handleDeadline).toBe(after.dueAt);
    expect(Date.parse(after.dueAt!) - Date.parse(before.dueAt!)).toBeGreaterThanOrEqual(28 * 24 * 3600 * 1000);
    expect(extended.extensionReason).toBe('需跨部门调查取证');
    await expect(h.service.extendDeadline(rs, c!.id, '再次')).rejects.toMatchObject({ code: 'conflict', details: { reason: 'already_extended' } });
    expect((await h.service.timeline(rs, c!.id)).filter((e) => e.type.startsWith('extension') || e.type === 'deadline_extended').map((e) => `${e.type}:${e.actorId}`)).toEqual([
      'extension_requested:O341321-rs-1',
      'extension_decided:H341321-rs',
      'deadline_extended:H341321-rs',
    ]);
  });
});

// On both stores: the rules live in the store every node shares, one revision per change.
describe.each(DIALECTS)('routing rules the coordinator edits (%s)', (dialect, fresh) => {
  let h: Harness;
  const coordinator = { id: 'c', name: 'c', role: 'coordinator' as const };
  beforeAll(async () => {
    h = await openHarness({ name: `rules-${dialect}`, location: await fresh(`rules_${dialect}`) });
  });
  afterAll(async () => {
    await h.close();
  });
  const revisions = () => rows<{ revision: number; changed_by: string }>(h, 'SELECT revision, changed_by FROM petition_routing_rules ORDER BY revision');

  it('a new store starts with the shipped rules as revision 1', async () => {
    expect(h.service.routingRules()).toEqual(JSON.parse(fs.readFileSync(RULES_FILE, 'utf8')));
    expect((await revisions()).map((r) => [Number(r.revision), r.changed_by])).toEqual([[1, 'system']]);
  });

  it('rejects an invalid rule set and keeps the rules in use and in the store', async () => {
    const rules = structuredClone(h.service.routingRules());
    const dup = { ...rules, categories: [...rules.categories, rules.categories[0]!] };
    await expect(h.service.replaceRoutingRules(coordinator, dup)).rejects.toThrowError(/invalid routing rules/);
    await expect(h.service.replaceRoutingRules(coordinator, { ...rules, extra: true } as never)).rejects.toThrowError(/invalid routing rules/);
    await expect(h.service.replaceRoutingRules(officialActor('O341321-rs-1'), rules)).rejects.toThrowError(/coordinators only/);
    expect(await revisions()).toHaveLength(1);
    expect(h.service.routingRules()).toEqual(rules);
  });

  it('another node takes a change from the store; a revision that does not validate is not taken', async () => {
    const other = await RoutingRuleBook.open(new DbRoutingRules(h.store.store)); // as a second node holds it
    const rules = structuredClone(h.service.routingRules());
    rules.categories.find((c) => c.code === 'medical')!.level = 'city';
    await h.service.replaceRoutingRules(coordinator, rules);
    expect(other.category('medical').level).toBe('county');
    await other.refresh();
    expect(other.category('medical').level).toBe('city');
    expect(other.revision).toBe(Number((await revisions()).at(-1)!.revision));
    // Edited by hand in the database: the rules in use stay, and the book says why.
    await h.store.store.db<{ petition_routing_rules: { revision: number; rules_json: string; changed_by: string; changed_at: string } }>()
      .insertInto('petition_routing_rules')
      .values({ revision: other.revision + 1, rules_json: '{ "version": 1, "categories": [] }', changed_by: 'dba', changed_at: new Date().toISOString() })
      .execute();
    await other.refresh();
    expect(other.category('medical').level).toBe('city');
    expect(other.lastError).toMatch(/invalid routing rules/);
    // The next change goes past the broken revision, and both nodes take it.
    await h.service.replaceRoutingRules(coordinator, rules);
    await other.refresh();
    expect(other.lastError).toBeNull();
    expect(other.revision).toBe(Number((await revisions()).at(-1)!.revision));
  });

  it('routes new petitions by the changed rules, and a node started later on the store uses them', async () => {
    const rules = structuredClone(h.service.routingRules());
    const wages = rules.categories.find((c) => c.code === 'wages')!;
    wages.departments = ['zj'];
    await h.service.replaceRoutingRules(coordinator, { ...rules, version: rules.version + 1 });
    const s = await h.service.startPetition(terminalActor(VILLAGE_TERMINAL), { terminalId: VILLAGE_TERMINAL, category: 'wages' });
    expect(s.case.routedDepartmentIds).toEqual([DANGSHAN_ZJ]);
    expect((await RoutingRuleBook.open(new DbRoutingRules(h.store.store))).category('wages').departments).toEqual(['zj']);
    expect((await revisions()).at(-1)?.changed_by).toBe('c');
  });
});

describe('leaving the queue', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness({ name: 'leave' });
  });
  afterAll(async () => {
    await h.close();
  });

  it('refuses an appointment while an official is being offered the case, and books nothing', async () => {
    const t = terminalActor(VILLAGE_TERMINAL);
    const rs = officialActor('O341321-rs-1');
    const s = await h.service.startPetition(t, { terminalId: VILLAGE_TERMINAL, category: 'wages', phone: '13900000000' });
    const day = (await h.service.receptionDays())[0]!;
    const offer = await h.service.offerNext(rs);
    expect(offer?.case?.id).toBe(s.case.id);
    await expect(h.service.bookAppointment(t, s.case.id, day.id, 0)).rejects.toMatchObject({ code: 'conflict', details: { reason: 'being_claimed' } });
    await expect(h.service.requestCallback(t, s.case.id)).rejects.toMatchObject({ code: 'conflict', details: { reason: 'being_claimed' } });
    expect((await h.service.receptionDays()).find((d) => d.id === day.id)!.booked[0]).toBe(0);
    expect((await h.service.getCase(t, s.case.id)).state).toBe('queued');

    await h.service.declineOffer(rs, offer!);
    const booked = await h.service.bookAppointment(t, s.case.id, day.id, 0);
    expect(booked.state).toBe('appointment');
    expect((await h.service.receptionDays()).find((d) => d.id === day.id)!.booked[0]).toBe(1);
    expect(await h.service.queue.length(DANGSHAN_RS)).toBe(0);
    expect(await h.service.offerNext(rs)).toBeNull();
  });
});
