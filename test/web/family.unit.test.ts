// The family app's view-model: what each household card offers and why look-in is not offered,
// the room's title, and the settings draft that goes to the backend.
import { describe, expect, it } from 'vitest';
import { translator, type Lang, type ViewContext } from '../../client-web/src/lib/i18n.ts';
import { draftOf, familyView, settingsOfDraft, type FamilyState } from '../../client-web/src/family/view-model.ts';
import type { Call, HouseholdView } from '../../client-web/src/household/common.ts';

const NOW = Date.parse('2026-11-26T04:00:00Z');
const ctx = (lang: Lang = 'zh'): ViewContext => ({ t: translator(lang), lang, now: NOW });
const view = (v: Partial<HouseholdView> & { settings?: Partial<HouseholdView['household']['settings']> } = {}): HouseholdView =>
  ({
    household: {
      id: 'hh-zhang', name: '张家', address: '埇桥区符离镇', region: '341302001', privacyMode: false,
      residents: [{ name: '张秀英' }, { name: '张小宝' }],
      settings: { autoAnswer: { mode: 'selected', memberIds: ['fm-wei'] }, lookInAllowed: true, privacySchedule: [{ days: [0, 1, 2, 3, 4, 5, 6], start: '22:00', end: '07:00' }], recordingAllowed: false, ...v.settings },
    },
    privacy: { active: false, cause: null },
    devices: [{ id: 'd1', name: '客厅终端', online: true }],
    cameras: [],
    family: [{ id: 'fm-wei', name: '张伟', relation: '儿子', city: '杭州', permission: 'manage' }, { id: 'fm-lei', name: '张磊', relation: '儿子', city: '深圳', permission: 'call' }],
    counsellorIds: [],
    alerts: [],
    consents: [],
    myPermission: 'manage',
    ...v,
  }) as unknown as HouseholdView;
const state = (s: Partial<FamilyState> = {}): FamilyState => ({ phase: 'running', who: '张伟', loaded: true, households: [view()], missed: {}, room: null, drafts: {}, incoming: null, fromHome: [], accessLog: {}, ...s });

describe('family view-model', () => {
  it('offers call, audio call and look-in, and lists the privacy hours', () => {
    const [card] = familyView(state(), false, ctx()).cards;
    expect(card).toMatchObject({ name: '张家', residents: '张秀英、张小宝', devices: [{ online: true, name: '客厅终端', state: '在线' }] });
    expect(card!.lookIns).toEqual([{ source: null, label: '看看家里', disabled: false }]);
    expect(card!.hints).toEqual(['隐私时段：每天 22:00–07:00']);
    expect(card!.settings?.autoAnswer.options.find((o) => o.checked)?.mode).toBe('selected');
  });

  it('offers 为家里求助 only for a home with a camera and no device on', () => {
    const camera = { id: 'cam-1', householdId: 'hh-zhang', name: '院子摄像头', place: 'yard' };
    const sos = (v: Partial<HouseholdView>) => familyView(state({ households: [view(v)] }), false, ctx()).cards[0]!.sos;
    expect(sos({ cameras: [camera] as HouseholdView['cameras'] })).toBeNull();
    expect(sos({ cameras: [camera] as HouseholdView['cameras'], devices: [] })).toBe('为家里求助');
    expect(sos({ devices: [] })).toBeNull();
    expect(familyView(state({ room: { kind: 'call', id: 'sos-1', householdId: 'hh-zhang', home: '张家', isCaller: true, audioOnly: false, phase: 'sos', endsAt: null } }), false, ctx()).room?.title).toMatch(/^已为 张家 求助/);
  });

  it('says why look-in is not offered, and suggests audio on a weak network', () => {
    const callOnly = familyView(state({ households: [view({ myPermission: 'call' })] }), true, ctx()).cards[0]!;
    expect(callOnly.lookIns[0]!.disabled).toBe(true);
    expect(callOnly.settings).toBeNull();
    expect(callOnly.audio.suggest).toBe(true);
    expect(callOnly.hints.slice(0, 2)).toEqual(['当前网络较差，建议用语音通话。', '您的权限只能打电话，不能查看家里。']);
    const notAllowed = familyView(state({ households: [view({ settings: { lookInAllowed: false } })] }), false, ctx()).cards[0]!;
    expect(notAllowed.hints[0]).toBe('这户家庭没有开启“看看家里”。');
  });

  it('lists missed calls with the reason', () => {
    const missed = { 'hh-zhang': [{ id: 'c1', state: 'declined', callerName: '张伟', createdAt: '2026-11-26T02:05:00Z' } as Call] };
    expect(familyView(state({ missed }), false, ctx()).cards[0]!.missed).toMatchObject({ open: true, summary: '未接来电（1）', items: [{ id: 'c1', reason: '拒接' }] });
  });

  it('titles the room by its phase, with the look-in time left', () => {
    const room = { kind: 'lookin' as const, id: 'l1', householdId: 'hh-zhang', home: '张家', isCaller: true, audioOnly: false, phase: 'lookin' as const, endsAt: NOW + 125_000 };
    expect(familyView(state({ room }), false, ctx()).room).toEqual({ kind: 'lookin', phase: 'lookin', title: '正在查看 张家（只看不说，还剩 02:05）', leaveLabel: '结束查看', preview: false });
    expect(familyView(state({ room: { ...room, kind: 'call', phase: 'ringing', endsAt: null } }), false, ctx('en')).room?.title).toBe('Calling 张家, waiting for an answer…');
  });

  it('sends the draft as settings: members only for "selected", days in order', () => {
    const d = draftOf(view());
    expect(settingsOfDraft({ ...d, mode: 'off' })).toEqual({ autoAnswer: { mode: 'off', memberIds: [] }, lookInAllowed: true, privacySchedule: [{ days: [0, 1, 2, 3, 4, 5, 6], start: '22:00', end: '07:00' }] });
    expect(settingsOfDraft({ ...d, windows: [{ key: 0, days: [5, 1], start: '12:00', end: '13:00' }] }).privacySchedule).toEqual([{ days: [1, 5], start: '12:00', end: '13:00' }]);
  });

  it('says when nobody is signed in or no household is linked', () => {
    expect(familyView(state({ phase: 'no-token' }), false, ctx()).notice).toBe('请先登录（缺少访问令牌）。');
    expect(familyView(state({ households: [] }), false, ctx()).notice).toBe('您还没有关联任何家庭。');
    expect(familyView(state({ households: [], loaded: false }), false, ctx()).notice).toBeNull();
  });

  it('rings loudly for a call from home, and says so when it is an SOS', () => {
    const sos = { id: 'sos-1', householdId: 'hh-zhang', purpose: 'sos', direction: 'from-home', callerName: '张家', callees: [] } as unknown as Call;
    expect(familyView(state({ incoming: sos }), false, ctx()).incoming).toEqual({ id: 'sos-1', sos: true, title: '张家 求助！', answer: '接 听', decline: '拒 接' });
    expect(familyView(state({ incoming: { ...sos, purpose: 'call' } }), false, ctx('en')).incoming?.title).toBe('张家 is calling');
  });

  it('shows a no-activity alert with how it was decided, and the manager the consent record and access log', () => {
    const alert = {
      id: 'a1', kind: 'no-activity', householdId: 'hh-zhang', raisedAt: '2026-11-26T07:00:00Z', resolvedAt: null,
      activity: { rule: { start: '08:00', end: '20:00', inactiveHours: 3, threshold: 0.02 }, from: '2026-11-26T04:00:00Z', to: '2026-11-26T07:00:00Z', measuredMinutes: 170, spanMinutes: 180, maxLevel: 0.001, lastActiveAt: null, sources: [] },
    };
    const consents = [{ memberId: 'fm-wei', source: '*', action: 'granted', byName: '张家', at: '2026-11-20T02:00:00Z' }];
    const card = familyView(
      state({
        households: [view({ alerts: [alert], consents } as never)],
        accessLog: { 'hh-zhang': [{ id: 1, actorId: 'fm-wei', actorName: '张伟', outcome: 'granted', reason: null, at: '2026-11-26T03:00:00Z', seconds: 95 }] as never },
      }),
      false,
      ctx(),
    ).cards[0]!;
    expect(card.alerts[0]?.text).toMatch(/^家里 .*12:00 到 .*15:00 没有检测到活动（测到 170\/180 分钟，都低于 2%）/);
    expect(card.privacyRecord?.consents.map((c) => [c.memberId, c.granted, c.button])).toEqual([['fm-wei', true, '撤回同意']]);
    expect(card.privacyRecord?.log[0]?.text).toMatch(/^张伟 在 .*11:00 看了家里（95 秒）$/);
  });
});
