// The case life's view-models: the terminal's keypad and what a lookup shows, the reception days
// a terminal offers, the work-list clocks in words, and the statistics month and CSV.
import { describe, expect, it } from 'vitest';
import { translator, type Lang, type ViewContext } from '../../client-web/src/lib/i18n.ts';
import { EMPTY_ENTRY, caseIdOf, daysView, foundView, keypadView, pressKey, regionCovers, type KeypadEntry } from '../../client-web/src/terminal/life-view-model.ts';
import { clockWords, lifeActions } from '../../client-web/src/cases/view-model.ts';
import { monthOf, monthRange, statsCsv } from '../../client-web/src/stats/view-model.ts';
import type { CaseLife, CaseLookup, ClockView, ReceptionDayWithBookings, Stats } from '../../client-web/src/petition-ui/common.ts';

const NOW = Date.parse('2026-12-02T02:00:00Z'); // 10:00 in 宿州
const ctx = (lang: Lang = 'zh'): ViewContext => ({ t: translator(lang), lang, now: NOW });
const keys = (e: KeypadEntry, s: string) => [...s].reduce(pressKey, e);

describe('the terminal keypad', () => {
  it('fills the 14 digits of the case number, then moves on to the 6-digit code', () => {
    const e = keys(EMPTY_ENTRY, '20261126000042');
    expect(e).toEqual({ caseDigits: '20261126000042', code: '', field: 'code' });
    expect(caseIdOf(e)).toBe('XF20261126-000042');
    const full = keys(e, '12345678');
    expect(full.code).toBe('123456');
    expect(keypadView(full, false, ctx()).submit.disabled).toBe(false);
    expect(keypadView(e, false, ctx()).submit.disabled).toBe(true);
    expect(keypadView(full, true, ctx()).submit.disabled).toBe(true);
  });

  it('takes digits back across the fields with ⌫ and starts over with 清空; other keys do nothing', () => {
    const e = keys(EMPTY_ENTRY, '20261126000042');
    expect(pressKey(e, 'back')).toEqual({ caseDigits: '2026112600004', code: '', field: 'case' });
    expect(pressKey(keys(e, '12'), 'back').code).toBe('1');
    expect(pressKey(e, 'clear')).toEqual(EMPTY_ENTRY);
    expect(pressKey(e, 'x')).toBe(e);
    expect(keypadView(keys(EMPTY_ENTRY, '2026'), false, ctx()).caseShown).toBe('XF 2026____-______');
    expect(caseIdOf(keys(EMPTY_ENTRY, '2026'))).toBeNull();
  });
});

const clock = (c: Partial<ClockView>): ClockView => ({
  kind: 'handling',
  startedAt: '2026-11-01T02:00:00Z',
  days: 60,
  extensionDays: 0,
  pausedDays: 0,
  pausedAt: null,
  stoppedAt: null,
  state: 'running',
  dueAt: '2026-12-31T16:00:00Z',
  window: false,
  overdue: false,
  onTime: null,
  ...c,
});

describe('what a lookup shows at the terminal', () => {
  const lookup: CaseLookup = {
    caseId: 'XF20261126-000042',
    categoryCode: 'wages',
    category: '拖欠工资',
    state: 'rated',
    stage: 'replied',
    next: 'rate_or_review',
    registeredAt: '2026-11-26T02:00:00Z',
    acceptance: 'accepted',
    acceptanceBody: null,
    office: '砀山县人力资源和社会保障局',
    deadline: null,
    window: clock({ kind: 'review_window', window: true, dueAt: '2026-12-26T16:00:00Z' }),
    answer: { round: 'reply', text: '已责令用工单位十日内结清。', issuedAt: '2026-11-30T02:00:00Z' },
    documents: [],
    resultRating: null,
    canRate: true,
    canRequestReview: true,
    canRequestCallback: true,
    callback: null,
  };

  it('the stage, next step, the answer, and the three things the petitioner may do', () => {
    const v = foundView(lookup, false, ctx());
    expect(v.rows.map((r) => [r.key, r.value])).toEqual([
      ['stage', '已答复'],
      ['next', '可评价结果或申请复查'],
      ['acceptance', '予以受理'],
      ['office', '砀山县人力资源和社会保障局'],
      ['window', '可在12月26日星期六（含）前申请'],
    ]);
    expect(v.category).toBe('拖欠工资');
    expect(v.answer).toMatchObject({ title: '处理意见', text: '已责令用工单位十日内结清。' });
    expect(v.rating?.buttons.map((b) => b.rating)).toEqual(['satisfied', 'basically_satisfied', 'unsatisfied']);
    expect(v.review?.label).toBe('不服，申请复查');
    expect(v.callback).not.toBeNull();
  });

  it('after 复查 answered, the button asks for 复核; nothing is offered that the server refuses', () => {
    const v = foundView({ ...lookup, stage: 'reviewed', answer: { round: 'review', text: '维持。', issuedAt: lookup.answer!.issuedAt }, canRate: false, canRequestCallback: false, resultRating: 'unsatisfied' }, false, ctx('en'));
    expect(v.review?.label).toBe('Disagree: ask for a re-review');
    expect(v.rating).toBeNull();
    expect(v.callback).toBeNull();
    expect(v.rated).toBe('Your rating of the result: Unsatisfied');
    // The category in the page's language, not the rules' Chinese name.
    expect(v.category).toBe('Unpaid wages');
    // A category the rules added later has no English words: its name from the rules.
    expect(foundView({ ...lookup, categoryCode: 'fishery', category: '渔业纠纷' }, false, ctx('en')).category).toBe('渔业纠纷');
  });
});

describe('leader reception days at a terminal', () => {
  const day: ReceptionDayWithBookings = {
    id: 'RD1',
    officialId: 'L341321-1',
    leaderName: '张建国',
    post: '县长',
    portfolio: '全面工作',
    departmentId: '341321-xfj',
    regionCode: '341321',
    place: '砀山县信访接待中心',
    startsAt: '2026-12-03T01:00:00Z',
    slotMinutes: 30,
    slots: 3,
    capacityPerSlot: 2,
    booked: [2, 1, 0],
  };

  it('a day is offered in its region and below, not beside it', () => {
    expect(regionCovers('341321', 'T341321101201'.slice(1))).toBe(true);
    expect(regionCovers('341300', '341321101201')).toBe(true);
    expect(regionCovers('341322', '341321101201')).toBe(false);
  });

  it('full slots cannot be chosen; a chosen slot asks for the category', () => {
    const v = daysView([day], { dayId: 'RD1', slot: 1 }, [{ code: 'wages', name: '拖欠工资', icon: 'wallet', departments: ['rs'], level: 'county' }], ctx());
    expect(v.days[0]!.slots.map((s) => [s.label, s.free, s.chosen])).toEqual([
      ['09:00', false, false],
      ['09:30', true, true],
      ['10:00', true, false],
    ]);
    expect(v.days[0]!.head).toBe('县长 张建国 · 分管：全面工作');
    expect(v.categories?.items.map((c) => c.code)).toEqual(['wages']);
    expect(v.categories?.chosen).toBe('县长 张建国 · 分管：全面工作 · 12月3日星期四 上午9:30');
    expect(daysView([], null, [], ctx()).empty).toBe('近期没有安排领导接访日。');
  });
});

describe('work-list clocks', () => {
  it('in words, with the server deciding what is over', () => {
    expect(clockWords(clock({}), ctx())).toMatchObject({ level: 'ok', text: '办理答复（60日） · 剩 29 天（截至12月31日星期四）' });
    expect(clockWords(clock({ dueAt: '2026-12-05T16:00:00Z' }), ctx()).level).toBe('soon');
    // The server's clock says over (a moved clock, a skewed desk PC): over it is.
    expect(clockWords(clock({ overdue: true }), ctx())).toMatchObject({ level: 'over' });
    expect(clockWords(clock({ dueAt: '2026-11-30T16:00:00Z', overdue: true }), ctx()).text).toContain('已超期 2 天');
    expect(clockWords(clock({ state: 'stopped', stoppedAt: '2026-11-20T02:00:00Z', onTime: true }), ctx()).level).toBe('done');
    expect(clockWords(clock({ state: 'paused', pausedAt: '2026-11-20T02:00:00Z', dueAt: null }), ctx()).text).toContain('中止计算');
  });

  it('an official may ask for the one extension only while handling and before any other', () => {
    const life = (patch: Partial<CaseLife>): CaseLife => ({ case: {} as CaseLife['case'], clocks: [clock({})], handlers: [], approvals: [], documents: [], attachments: [], callbacks: [], next: 'handle_and_reply', ...patch });
    expect(lifeActions('official', life({}))).toMatchObject({ handling: true, extension: true, pause: 'pause', acceptance: false });
    expect(lifeActions('official', life({ clocks: [clock({ extensionDays: 20 })] })).extension).toBe(false);
    expect(lifeActions('head', life({})).handling).toBe(false);
    expect(lifeActions('official', life({ next: 'notify_acceptance', clocks: [] }))).toMatchObject({ acceptance: true, extension: false });
    expect(lifeActions('coordinator', life({ next: 'archive' })).archive).toBe(true);
  });
});

describe('statistics', () => {
  it('a month is counted in China time', () => {
    expect(monthRange('2026-12')).toEqual({ from: '2026-11-30T16:00:00.000Z', to: '2026-12-31T16:00:00.000Z' });
    expect(monthRange('2026-01').from).toBe('2025-12-31T16:00:00.000Z');
    expect(monthOf(Date.parse('2026-11-30T17:00:00Z'))).toBe('2026-12');
  });

  it('the CSV holds every series, quoted where needed, with a BOM for spreadsheet programs', () => {
    const s: Stats = {
      from: 'a',
      to: 'b',
      departmentId: null,
      total: 3,
      byCategory: [{ key: 'wages', n: 3 }],
      byLevel: [{ key: 'village', n: 3 }],
      byDepartment: [{ key: '341321-rs', name: '砀山县人社局, 城区', n: 3 }],
      byMonth: [{ key: '2026-11', n: 3 }],
      onTime: [{ kind: 'acceptance', stopped: 3, onTime: 2, rate: 2 / 3 }],
      satisfaction: [{ key: 'satisfied', n: 1 }],
      avgWaitSeconds: 30,
      avgSessionSeconds: null,
      busiestTerminals: [{ key: 'T1', name: '村', n: 3 }],
    };
    const csv = statsCsv(s, (c) => (c === 'wages' ? '拖欠工资' : c));
    expect(csv.startsWith('\ufeffsection,key,name,n\r\n')).toBe(true);
    expect(csv).toContain('category,wages,拖欠工资,3\r\n');
    expect(csv).toContain('department,341321-rs,"砀山县人社局, 城区",3\r\n');
    expect(csv).toContain('on_time,acceptance,2/3,2\r\n');
    expect(csv).toContain('avg_session_seconds,,,\r\n');
  });
});
