import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../server/core/errors.ts';
import { RoutingRuleBook } from '../../server/scheduler/routing-rules.ts';
import { DANGSHAN_RS, DANGSHAN_ZJ, officialActor, openHarness, RULES_FILE, startAt, terminalActor, VILLAGE_TERMINAL, type Harness } from './support.ts';

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

describe('routing rules the coordinator edits', () => {
  let h: Harness;
  let file: string;
  beforeAll(async () => {
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sv-rules-')), 'routing-rules.json');
    fs.copyFileSync(RULES_FILE, file);
    h = await openHarness({ name: 'rules', rules: RoutingRuleBook.fromFile(file) });
  });
  afterAll(async () => {
    await h.close();
  });

  it('rejects an invalid rule set and keeps the file and the rules in use', async () => {
    const before = fs.readFileSync(file, 'utf8');
    const rules = structuredClone(h.service.routingRules());
    const coordinator = { id: 'c', name: 'c', role: 'coordinator' as const };
    const dup = { ...rules, categories: [...rules.categories, rules.categories[0]!] };
    expect(() => h.service.replaceRoutingRules(coordinator, dup)).toThrowError(/invalid routing rules/);
    expect(() => h.service.replaceRoutingRules(coordinator, { ...rules, extra: true } as never)).toThrowError(/invalid routing rules/);
    expect(() => h.service.replaceRoutingRules(officialActor('O341321-rs-1'), rules)).toThrowError(/coordinators only/);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(h.service.routingRules()).toEqual(rules);
  });

  it('another process sees a change through the file; a broken file is not taken', async () => {
    const other = RoutingRuleBook.fromFile(file); // as a second server process would hold it
    const rules = structuredClone(h.service.routingRules());
    rules.categories.find((c) => c.code === 'medical')!.level = 'city';
    h.service.replaceRoutingRules({ id: 'c', name: 'c', role: 'coordinator' }, rules);
    expect(other.category('medical').level).toBe('city');
    fs.writeFileSync(file, '{ "version": 1, "categories": [] }');
    expect(other.category('medical').level).toBe('city');
    expect(other.lastError).toMatch(/invalid routing rules/);
    h.service.replaceRoutingRules({ id: 'c', name: 'c', role: 'coordinator' }, rules);
  });

  it('routes new petitions by the changed rules and writes them to the file', async () => {
    const rules = structuredClone(h.service.routingRules());
    const wages = rules.categories.find((c) => c.code === 'wages')!;
    wages.departments = ['zj'];
    h.service.replaceRoutingRules({ id: 'c', name: 'c', role: 'coordinator' }, { ...rules, version: rules.version + 1 });
    const s = await h.service.startPetition(terminalActor(VILLAGE_TERMINAL), { terminalId: VILLAGE_TERMINAL, category: 'wages' });
    expect(s.case.routedDepartmentIds).toEqual([DANGSHAN_ZJ]);
    expect(RoutingRuleBook.fromFile(file).category('wages').departments).toEqual(['zj']);
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
