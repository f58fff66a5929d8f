// The counsellor desk's view-model: due check-ins and alerts with the home and device named,
// households with residents' notes, schedules in words, and where a notice goes.
import { describe, expect, it } from 'vitest';
import { translator, type Lang, type ViewContext } from '../../client-web/src/lib/i18n.ts';
import { NEW_CHECK_IN, NEW_NOTICE, counsellorView, noticeTarget, type CounsellorState } from '../../client-web/src/counsellor/view-model.ts';
import type { CheckInSchedule, HouseholdAlert, HouseholdView } from '../../client-web/src/household/common.ts';

const ctx = (lang: Lang = 'zh'): ViewContext => ({ t: translator(lang), lang, now: Date.parse('2026-11-26T04:00:00Z') });
const hh = (id: string, name: string, region: string): HouseholdView =>
  ({
    household: { id, name, region, address: '符离镇', residents: [{ name: '张秀英', note: '高血压' }, { name: '张小宝', note: '' }] },
    privacy: { active: id === 'hh-wang', cause: 'button' },
    devices: [{ id: `${id}-d`, name: '客厅终端', online: false }],
    cameras: id === 'hh-zhang' ? [{ id: 'cam-1', householdId: id, name: '院子摄像头', place: 'yard' }] : [],
  }) as unknown as HouseholdView;
const schedule: CheckInSchedule = { id: 's1', householdId: 'hh-zhang', counsellorId: 'c', days: [1, 4], time: '10:00', durationMinutes: 15, note: '问问血压', nextAt: '2026-11-27T02:00:00Z' };
const alert: HouseholdAlert = { id: 'a1', kind: 'device-offline', deviceId: 'hh-zhang-d', householdId: 'hh-zhang', lastSeenAt: null, raisedAt: '2026-11-26T03:30:00Z', resolvedAt: null, acknowledgedBy: null, acknowledgedAt: null, activity: null, callId: null };
const state = (s: Partial<CounsellorState> = {}): CounsellorState => ({
  phase: 'running', who: '陈静', households: [hh('hh-zhang', '张家', '341302001'), hh('hh-wang', '王家', '341321002')], alerts: [], checkIns: [], due: [], recent: [], room: null, incoming: null, visit: null, history: null,
  checkInForm: NEW_CHECK_IN, noticeForm: NEW_NOTICE, ...s,
});

describe('counsellor view-model', () => {
  it('puts due check-ins and alerts first, naming the home and the device', () => {
    const v = counsellorView(state({ alerts: [alert], due: [{ schedule, dueAt: '2026-11-26T02:00:00Z' }] }), ctx());
    expect(v.alerts.due).toEqual([
      { scheduleId: 's1', householdId: 'hh-zhang', dueAt: '2026-11-26T02:00:00Z', state: 'due', text: expect.stringMatching(/^该回访了：张家（.*10:00）问问血压$/), call: '现在呼叫', record: '记录回访' },
    ]);
    expect(v.alerts.items[0]).toMatchObject({ acked: false, ack: '已知悉', text: expect.stringMatching(/^张家 的「客厅终端」已离线（最后在线：从未上线，提醒于 .*11:30）$/) });
    expect(counsellorView(state(), ctx()).alerts.empty).toBe('没有需要处理的提醒');
  });

  it('lists households with region, residents\' notes and device state', () => {
    const [zhang, wang] = counsellorView(state(), ctx()).households.rows;
    expect(zhang).toMatchObject({ addr: '埇桥区 · 符离镇', privacy: null, residents: [{ name: '张秀英', note: '（高血压）' }, { name: '张小宝', note: null }], devices: [{ online: false, state: '离线' }] });
    // A camera and no device on: 求助 can be raised for the home from here; not for a home without a camera.
    expect(zhang?.sos).toBe('为家里求助');
    expect(wang?.sos).toBeNull();
    expect(wang!.privacy).toBe('隐私模式中');
  });

  it('says a schedule in words', () => {
    const v = counsellorView(state({ checkIns: [schedule] }), ctx());
    expect(v.checkIns.items[0]).toMatchObject({ home: '张家', text: expect.stringMatching(/^ · 每周 一、四 10:00 · 下次：.* · 问问血压$/) });
    expect(counsellorView(state({ checkIns: [schedule] }), ctx('en')).checkIns.items[0]!.text).toMatch(/^ · Weekly on Mon, Thu 10:00 · next: /);
  });

  it('offers the regions first, then each household, and sends to the one chosen', () => {
    const s = state();
    expect(counsellorView(s, ctx()).notice.targets.map((o) => [o.value, o.label, o.selected])).toEqual([
      ['r:341302', '区域：埇桥区 341302（全部家庭）', true],
      ['r:341321', '区域：砀山县 341321（全部家庭）', false],
      ['h:hh-zhang', '单户：张家', false],
      ['h:hh-wang', '单户：王家', false],
    ]);
    expect(noticeTarget(s)).toEqual({ region: '341302' });
    expect(noticeTarget({ ...s, noticeForm: { ...NEW_NOTICE, target: 'h:hh-wang' } })).toEqual({ householdId: 'hh-wang' });
  });

  it('defaults the check-in form to Wednesday at ten for the first household', () => {
    const f = counsellorView(state(), ctx()).checkInForm;
    expect(f.days.filter((d) => d.checked).map((d) => d.day)).toEqual([3]);
    expect(f.households.find((h) => h.selected)?.value).toBe('hh-zhang');
    expect(f.time).toBe('10:00');
  });

  it('marks overdue check-ins, shows read receipts of sent notices, and the visit form and history', () => {
    const v = counsellorView(
      state({
        due: [{ schedule, dueAt: '2026-11-25T02:00:00Z', state: 'overdue' }],
        recent: [{ notice: { id: 'n1', title: '流感疫苗', householdId: 'hh-zhang', region: null, createdAt: '2026-11-26T01:00:00Z' }, households: [{ householdId: 'hh-zhang', name: '张家', readAt: null }] }] as never,
        visit: { householdId: 'hh-zhang', mood: 'low', concerns: '', followUp: '' },
        history: { householdId: 'hh-zhang', visits: [{ id: 'v1', at: '2026-11-24T02:00:00Z', counsellorName: '陈静', mood: 'low', concerns: '腿疼', followUp: '' }], calls: [], alerts: [] } as never,
      }),
      ctx(),
    );
    expect(v.alerts.due[0]).toMatchObject({ state: 'overdue', text: expect.stringMatching(/^回访已逾期：张家/), record: '记录回访' });
    expect(v.recent.items[0]?.reads).toBe('已读 0/1（未读：张家）');
    expect(v.visit?.moods.find((m) => m.selected)?.label).toBe('低落');
    expect(v.history?.items[0]?.text).toMatch(/陈静 · 情绪：低落 · 问题：腿疼 · 跟进：—$/);
  });
});
