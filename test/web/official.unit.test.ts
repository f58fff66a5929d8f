// The official desk's view-model: the queue and the offer's countdown, what the lead and an
// invited office may do, the deadline clocks, and the timeline's details.
import { describe, expect, it } from 'vitest';
import { translator, type Lang, type ViewContext } from '../../client-web/src/lib/i18n.ts';
import { EMPTY_FORM, officialView, targets, type CaseView, type OfficialState } from '../../client-web/src/official/view-model.ts';
import type { Case, Desk, TimelineEvent } from '../../client-web/src/petition-ui/common.ts';

const NOW = Date.parse('2026-11-26T07:00:00Z');
const ctx = (lang: Lang = 'zh'): ViewContext => ({ t: translator(lang), lang, now: NOW });
const official = { id: 'O341321-rs-1', name: '陈建国', departmentId: '341321-rs', level: 'county' as const, regionCode: '341321', maxSessions: 2, post: null };
const offices = [
  { id: '341321-rs', name: '砀山县人社局', regionCode: '341321' },
  { id: '341321-zj', name: '砀山县住建局', regionCode: '341321' },
  { id: '341322-zj', name: '萧县住建局', regionCode: '341322' },
];
const CASE: Case = {
  id: 'XF20261126-000042', terminalId: 'T1', regionCode: '341321', category: 'wages', petitionerName: '李大爷', idNumberMasked: null, phone: null,
  description: '欠薪三个月', flags: { elderly: true, disabled: false, urgent: false }, state: 'in_session', routedDepartmentIds: ['341321-rs'],
  departmentId: '341321-rs', officialId: official.id, registeredAt: '2026-11-26T06:00:00Z', acceptDeadline: '2026-11-28T06:00:00Z',
  handleDeadline: '2027-01-25T06:00:00Z', handleExtended: false, extensionReason: null, acceptedAt: null, opinion: null, opinionAt: null,
  rating: null, ratedAt: null, appointment: null, updatedAt: '2026-11-26T06:00:00Z',
  stage: 'intake', acceptance: null, acceptanceBody: null, resultRating: null, resultRatedAt: null,
};
const desk = (d: Partial<Desk> = {}): Desk => ({ official, queue: [], active: [], presence: 'available', ...d });
const state = (s: Partial<OfficialState> = {}): OfficialState => ({
  phase: 'ready', failure: '', desk: desk(), categories: [{ code: 'wages', name: '拖欠工资', icon: 'wallet', departments: ['rs'], level: 'county' }] as OfficialState['categories'],
  offices, presence: 'available', offer: null, open: null, call: 'none', form: EMPTY_FORM, invite: null, ...s,
});
const work = (s: OfficialState, lang: Lang = 'zh'): CaseView => {
  const b = officialView(s, ctx(lang)).body;
  if (b?.kind !== 'desk' || b.work.kind !== 'case') throw new Error('a case open');
  return b.work;
};
const opened = (c: Partial<Case> = {}, s: Partial<OfficialState> = {}) => state({ open: { case: { ...CASE, ...c }, timeline: [], room: { roomId: 'r', token: 't' }, ended: false }, call: 'live', ...s });

describe('official desk view-model', () => {
  it('names the official and the presence chosen', () => {
    const v = officialView(state({ presence: 'busy' }), ctx());
    expect(v.header.who).toBe('陈建国 · 砀山县人社局 · 县区级');
    expect(v.header.presence.map((p) => [p.value, p.pressed])).toEqual([['available', false], ['busy', true], ['away', false]]);
  });

  it('lists the queue with waits and joins for invitations, and counts the offer down', () => {
    const queue = [
      { ticketId: 'XF20261126-000042:case:1', score: 1, caseId: 'XF20261126-000042', kind: 'case' as const, enqueuedAt: '2026-11-26T06:55:00Z', priority: 'priority' as const },
      { ticketId: 'XF20261126-000043:invite:1', score: 2, caseId: 'XF20261126-000043', kind: 'invite' as const, enqueuedAt: '2026-11-26T06:59:30Z', priority: 'normal' as const },
    ];
    const v = officialView(state({ desk: desk({ queue }), offer: { ticketId: queue[0]!.ticketId, leaseToken: 'l', kind: 'case', expiresInMs: 30_000, case: CASE, until: NOW + 12_400 } }), ctx());
    if (v.body?.kind !== 'desk') throw new Error('desk');
    expect(v.body.queue.count).toBe('2 人等待');
    expect(v.body.queue.entries.map((e) => [e.kindLabel, e.priority, e.waited, e.join])).toEqual([
      ['新案件', '优先', '等了 5 分钟', null],
      ['会商邀请', null, '等了 不到 1 分钟', '加入会商'],
    ]);
    expect(v.body.queue.offer).toMatchObject({ title: CASE.id, left: '13 秒内确认', summary: '拖欠工资 · 李大爷 · 老人', description: '欠薪三个月' });
    expect(officialView(state(), ctx()).body).toMatchObject({ queue: { empty: '现在没有人排队' }, work: { kind: 'idle' } });
  });

  it('gives the lead every action, an invited office only the invitation, and offers offices of its own region', () => {
    const lead = work(opened()).actions;
    expect(lead.invite?.options.map((o) => [o.value, o.selected])).toEqual([['341321-zj', true], ['up', false]]);
    expect(lead.lead?.transfer.options.map((o) => o.value)).toEqual(['341321-zj']);
    expect(lead.end).toEqual({ act: 'end', label: '结束接访', danger: true });
    expect(lead.extend).not.toBeNull();
    const invited = work(opened({ officialId: 'O341321-zj-1', departmentId: '341321-zj' })).actions;
    expect(invited).toMatchObject({ lead: null, extend: null, note: '您是会商部门：可以邀请其他部门；办理意见、转办和结束由主办干部操作。', end: { act: 'leave' } });
    const handled = work(opened({ state: 'handled' })).actions;
    expect(handled).toMatchObject({ invite: null, lead: null, note: '案件状态：已出具办理意见，等待信访人评价', end: { act: 'end' } });
    const ended = work(opened({}, { open: { case: CASE, timeline: [], room: null, ended: true } })).actions;
    expect(ended).toMatchObject({ note: '本次接访已结束。', end: { act: 'close' } });
  });

  it('keeps what is typed, and the targets follow the selects', () => {
    const s = opened({ opinion: '旧意见' }, { form: { ...EMPTY_FORM, invite: 'up', transferReason: '涉及房屋质量' } });
    expect(work(s).actions.lead).toMatchObject({ transfer: { reason: '涉及房屋质量' }, opinion: { text: '旧意见', accepted: true } });
    expect(targets(s, ctx())).toEqual({ invite: 'up', transfer: '341321-zj' });
    expect(work({ ...s, form: { ...s.form, opinion: '' } }).actions.lead?.opinion.text).toBe('');
  });

  it('shows the deadline clocks: amber in the last days, the handling clock from registration until accepted', () => {
    const w = work(opened());
    expect(w.deadlines.clocks[0]).toMatchObject({ level: 'lvl-soon', value: '剩 2 天', label: '受理告知（15 日）' });
    expect(w.deadlines.clocks[1]!.date).toContain('（暂按登记日计算）');
    const accepted = work(opened({ acceptedAt: '2026-11-26T06:30:00Z', handleExtended: true }));
    expect(accepted.deadlines.clocks[0]).toMatchObject({ level: 'lvl-done', value: '已受理', percent: 100 });
    expect(accepted.deadlines.clocks[1]!.label).toBe('办理（60 日 + 延长 30 日）');
    expect(accepted.facts.rows.find((r) => r.term === '优先')?.value).toBe('老年人');
  });

  it('puts every timeline event with its actor and detail', () => {
    const ev = (seq: number, type: TimelineEvent['type'], data: Record<string, unknown>): TimelineEvent => ({ seq, caseId: CASE.id, at: '2026-11-26T07:00:05Z', actorId: official.id, actorRole: 'official', type, data, actorName: '陈建国' });
    const w = work(opened({}, { open: { case: CASE, room: null, ended: false, timeline: [ev(1, 'claimed', { departmentId: '341321-rs' }), ev(2, 'invited', { departmentName: '砀山县住建局', level: 'same' }), ev(3, 'transferred', { toName: '砀山县住建局', reason: '涉及房屋质量' })] } }));
    expect(w.timeline.map((e) => [e.type, e.time, e.title, e.actor, e.detail])).toEqual([
      ['claimed', '15:00:05', '干部接访', '接访干部 陈建国', '砀山县人社局'],
      ['invited', '15:00:05', '邀请部门会商', '接访干部 陈建国', '→ 砀山县住建局'],
      ['transferred', '15:00:05', '转办', '接访干部 陈建国', '→ 砀山县住建局：涉及房屋质量'],
    ]);
    expect(work(opened(), 'en').timeline).toEqual([]);
  });
});
