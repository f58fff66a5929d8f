// The terminal's view-model: what the petitioner sees and hears on each screen.
import { describe, expect, it } from 'vitest';
import { translator, type Lang, type ViewContext } from '../../client-web/src/lib/i18n.ts';
import { NO_DETAILS, initialTerminalState, spokenCaseNumber, terminalView, type TerminalState } from '../../client-web/src/terminal/view-model.ts';
import type { Case, WaitInfo } from '../../client-web/src/petition-ui/common.ts';

const NOW = Date.parse('2026-11-26T07:00:00Z'); // 15:00 in 宿州
const ctx = (lang: Lang = 'zh'): ViewContext => ({ t: translator(lang), lang, now: NOW });
const CASE: Case = {
  id: 'XF20261126-000042',
  terminalId: 'T1',
  regionCode: '341321001001',
  category: 'wages',
  petitionerName: null,
  idNumberMasked: null,
  phone: null,
  description: null,
  flags: { elderly: false, disabled: false, urgent: false },
  state: 'queued',
  routedDepartmentIds: ['341321-rs'],
  departmentId: null,
  officialId: null,
  registeredAt: '2026-11-26T06:50:00Z',
  acceptDeadline: '2026-12-11T06:50:00Z',
  handleDeadline: '2027-01-25T06:50:00Z',
  handleExtended: false,
  extensionReason: null,
  acceptedAt: null,
  opinion: null,
  opinionAt: null,
  rating: null,
  ratedAt: null,
  appointment: null,
  updatedAt: '2026-11-26T06:50:00Z',
  stage: 'intake',
  acceptance: null,
  acceptanceBody: null,
  resultRating: null,
  resultRatedAt: null,
};
const wait = (w: Partial<WaitInfo>): WaitInfo => ({ caseId: CASE.id, state: 'queued', position: 1, availableOfficials: 1, freeOfficials: 0, estimatedWaitSeconds: null, waitedSeconds: 0, offer: null, ...w });
const state = (s: Partial<TerminalState>): TerminalState => ({
  ...initialTerminalState(true),
  place: '关帝庙村接访点',
  screen: 'start',
  categories: [
    { code: 'wages', name: '拖欠工资', icon: 'wallet', departments: ['rs'], level: 'county' },
    { code: 'land', name: '土地纠纷', icon: 'field', departments: ['zrzy'], level: 'township' },
  ] as TerminalState['categories'],
  waitReadAt: NOW,
  ...s,
});

describe('terminal view-model', () => {
  it('starts on one big button per category and says what to do', () => {
    const v = terminalView(state({}), ctx());
    expect(v.header.clock).toBe('15:00');
    expect(v.body).toMatchObject({ kind: 'start', prompt: '请点一下您要反映的问题' });
    if (v.body?.kind !== 'start') throw new Error('start screen');
    expect(v.body.categories.map((c) => [c.code, c.disabled])).toEqual([['wages', false], ['land', false]]);
    expect(v.body.helper.open).toBe(false);
    expect(v.speech).toBe('请点一下您要反映的问题');
  });

  it('disables every category while one is being started, and opens the helper panel once something was typed', () => {
    const v = terminalView(state({ starting: 'land', details: { ...NO_DETAILS, phone: '138' } }), ctx());
    if (v.body?.kind !== 'start') throw new Error('start screen');
    expect(v.body.categories.map((c) => [c.code, c.busy, c.disabled])).toEqual([['wages', false, true], ['land', true, true]]);
    expect(v.body.helper.open).toBe(true);
  });

  it('tells the place in the queue honestly, counts the wait and says when nobody can answer', () => {
    const waiting = (w: Partial<WaitInfo>, s: Partial<TerminalState> = {}) => terminalView(state({ screen: 'waiting', current: CASE, departmentNames: ['砀山县人社局'], wait: wait(w), ...s }), ctx());
    const next = waiting({ position: 1, waitedSeconds: 30 }, { waitReadAt: NOW - 90_000 });
    expect(next.body).toMatchObject({ kind: 'waiting', caseId: CASE.id, contacting: '正在为您联系：砀山县人社局', position: '下一位就是您', estimate: '正在估算等待时间…', positionAttr: '1' });
    expect(next.body?.kind === 'waiting' && next.body.waited).toBe('已经等了 2 分钟 · 在线工作人员 1 位');
    expect(waiting({ position: 4, availableOfficials: 0 }).body).toMatchObject({ position: '前面还有 3 位', estimate: '现在暂时没有工作人员在线，无法估计要等多久。' });
    expect(waiting({ position: 2, estimatedWaitSeconds: 900 }).body).toMatchObject({ estimate: '预计大约等 15 分钟（按最近的接访用时估算）' });
    expect(waiting({ position: 0 }).speech).toBe('马上为您接通。工作人员正在查看您的事项，请看着屏幕稍等。');
    // An official of the office is free: this place is about to be taken, whatever the estimate says.
    expect(waiting({ position: 1, freeOfficials: 1, estimatedWaitSeconds: 0 }).body).toMatchObject({ position: '马上为您接通' });
    expect(waiting({ position: 2, freeOfficials: 1, availableOfficials: 2, estimatedWaitSeconds: 600 }).body).toMatchObject({ position: '前面还有 1 位' });
  });

  it('offers a reception day and a call-back only with a phone on the case', () => {
    const offer = { appointments: [{ dayId: 'd1', leaderName: '王县长', post: '副县长', portfolio: '', place: '县信访局', slot: 2, slotStartsAt: '2026-11-27T01:00:00Z' }], callback: true as const };
    const without = terminalView(state({ screen: 'waiting', current: CASE, wait: wait({ offer }) }), ctx());
    if (without.body?.kind !== 'waiting' || !without.body.offer) throw new Error('an offer');
    expect(without.body.offer.appointments[0]).toEqual({ dayId: 'd1', slot: 2, label: '预约 11月27日星期五 上午9:00', detail: '副县长 王县长 接访 · 县信访局' });
    expect(without.body.offer.callback).toEqual({ kind: 'hint', text: '如需工作人员回电，请代办员在登记时填写电话。' });
    expect(without.speech).toContain('可以预约，或者请工作人员回电');
    const withPhone = terminalView(state({ screen: 'waiting', current: { ...CASE, phone: '13800000000' }, wait: wait({ offer }) }), ctx());
    expect(withPhone.body?.kind === 'waiting' && withPhone.body.offer?.callback).toEqual({ kind: 'button', label: '请工作人员打电话给我', phone: '13800000000' });
  });

  it('in the call: a banner for the state, the audio switch, and the rating under the call once asked', () => {
    const moving = terminalView(state({ screen: 'call', current: { ...CASE, state: 'transferred' } }), ctx());
    expect(moving.body).toMatchObject({ kind: 'call', banner: '正在为您转接其他部门，请不要离开', caseChip: `案件编号 ${CASE.id}`, rating: null });
    expect(moving.speech).toBe('正在为您转接其他部门，请不要离开');
    const rating = terminalView(state({ screen: 'call', current: { ...CASE, state: 'handled' }, ratingOverCall: true, audioOnly: true }), ctx());
    expect(rating.body).toMatchObject({ audioSwitch: { label: '恢复视频', pressed: true }, rating: { buttons: [{ rating: 'satisfied', label: '满意', disabled: false }, { rating: 'basically_satisfied' }, { rating: 'unsatisfied' }] } });
    expect(rating.speech).toBe('您对这次接访满意吗？请点一下：满意，基本满意，还是不满意。');
  });

  it('in the call: the banner says the call is still connecting, and never asks to talk into a microphone nobody hears', () => {
    const connecting = terminalView(state({ screen: 'call', current: { ...CASE, state: 'in_session' }, call: { phase: 'connecting', degraded: [] } }), ctx());
    expect(connecting.body).toMatchObject({ banner: '正在连接…' });
    const noMic = terminalView(
      state({ screen: 'call', current: { ...CASE, state: 'in_session' }, call: { phase: 'media-degraded', degraded: [{ kind: 'local', source: 'microphone', status: 'missing' }] } }),
      ctx(),
    );
    expect(noMic.body).toMatchObject({ banner: '对方听不到您的声音：没有找到麦克风。请插好麦克风，或请工作人员帮忙。' });
    expect(noMic.speech).toBe('对方听不到您的声音：没有找到麦克风。请插好麦克风，或请工作人员帮忙。');
    const up = terminalView(state({ screen: 'call', current: { ...CASE, state: 'in_session' }, call: { phase: 'connected', degraded: [] } }), ctx());
    expect(up.body).toMatchObject({ banner: '工作人员已接通，请对着屏幕说话' });
  });

  it('ends on a receipt with the case number, what happens next and the way back into a running call', () => {
    const rated = terminalView(state({ screen: 'receipt', current: { ...CASE, state: 'rated', rating: 'satisfied', opinion: '责成十日内结清。', acceptedAt: '2026-11-26T07:00:00Z' } }), ctx());
    expect(rated.body).toMatchObject({ kind: 'receipt', title: '接访完成，谢谢您的评价', caseId: CASE.id, state: '当前状态：已评价', backToCall: null, toRating: null });
    expect(rated.body?.kind === 'receipt' && rated.body.lines).toEqual(['办理意见：责成十日内结清。', '您的评价：满意，谢谢！', '已受理，2027年1月25日星期一前办理完毕。']);
    expect(rated.speech).toBe(`接访完成，谢谢您的评价。您的案件编号是：${spokenCaseNumber(CASE.id, 'zh')}。请记下来，以后查询要用。`);
    const hungUp = terminalView(state({ screen: 'receipt', current: { ...CASE, state: 'in_session' } }), ctx());
    expect(hungUp.body).toMatchObject({ title: '已为您登记', backToCall: '回到通话', lines: ['12月11日星期五前会告诉您是否受理。'] });
  });

  it('reads the case number out in groups', () => {
    expect(spokenCaseNumber('XF20261126-000042', 'zh')).toBe('X   F ， 2 0 2 6 ， 1 1 2 6 ， 0 0 0 0 4 2');
  });

  it('says it all in English when switched', () => {
    const v = terminalView(state({ screen: 'waiting', current: CASE, wait: wait({ position: 3 }), offline: true }), ctx('en'));
    expect(v.header).toMatchObject({ netLost: 'Network lost, reconnecting…', voice: { label: 'Voice prompts: on' } });
    expect(v.body).toMatchObject({ position: '2 ahead of you', contacting: 'Contacting: the offices concerned' });
  });
});
