// The home device's view-model: what the kiosk is doing, the red live indicator, the ringing
// screen, and what privacy means right now.
import { describe, expect, it } from 'vitest';
import { translator, type Lang, type ViewContext } from '../../client-web/src/lib/i18n.ts';
import { deviceView, type DeviceState, type RoomSummary } from '../../client-web/src/device/view-model.ts';
import type { Call } from '../../client-web/src/household/common.ts';

const NOW = Date.parse('2026-11-26T07:04:00Z');
const ctx = (lang: Lang = 'zh'): ViewContext => ({ t: translator(lang), lang, now: NOW });
const state = (s: Partial<DeviceState> = {}): DeviceState => ({
  phase: 'running', householdName: '张家', online: true, flash: null, privacy: { active: false, cause: null }, privacyBusy: false,
  notices: [], ringing: null, answering: false, cameraLookIns: [], contacts: [], missedIn: [], outgoing: null, placing: null, masks: [], maskDraft: null,
  consents: [], lookInRules: { allowed: true, schedule: [] }, cameraNames: {}, consentsOpen: false, ...s,
});
const call = { id: 'c1', callerRole: 'counsellor', callerName: '陈静' } as Call;

describe('home device view-model', () => {
  it('idles on the clock and the notices', () => {
    const v = deviceView(state(), [], ctx());
    expect(v).toMatchObject({ bodyState: 'idle', household: '平安心居 · 张家', net: { state: 'online', text: '● 已连接' }, live: null, inCall: false });
    expect(v.clock.time).toBe('15:04');
    expect(v.notices.empty).toBe('暂无通知');
  });

  it('rings with the caller named, and says it is connecting once answered', () => {
    expect(deviceView(state({ ringing: call }), [], ctx())).toMatchObject({ bodyState: 'ringing', incoming: { who: '社工 陈静\n来电', answer: '接 听', decline: '不 接', disabled: false } });
    expect(deviceView(state({ ringing: call, answering: true }), [], ctx()).incoming).toMatchObject({ answer: '正在接通…', disabled: true });
  });

  it('lists missed calls with who and when, and a call back to those still among the contacts', () => {
    expect(deviceView(state(), [], ctx()).missed).toBeNull();
    const missed = [
      { id: 'm1', callerId: 'fam-1', callerRole: 'family', callerName: '张伟', createdAt: '2026-11-26T06:30:00Z' },
      { id: 'm2', callerId: 'gone', callerRole: 'counsellor', callerName: '陈静', createdAt: '2026-11-25T01:00:00Z' },
    ] as Call[];
    const contacts = [{ id: 'fam-1', role: 'family' as const, name: '张伟', relation: '儿子', city: '合肥' }];
    expect(deviceView(state({ missedIn: missed, contacts }), [], ctx()).missed).toEqual({
      title: '未接来电',
      callBackLabel: '回电',
      items: [
        { id: 'm1', who: '张伟', when: '11/26 14:30 打来', callBack: 'fam-1' },
        { id: 'm2', who: '社工 陈静', when: '11/25 09:00 打来', callBack: null },
      ],
    });
    expect(deviceView(state({ missedIn: missed, contacts }), [], ctx('en')).missed).toMatchObject({ title: 'Missed calls', callBackLabel: 'Call back' });
  });

  it('shows a common relation word in the page’s language whichever language it was typed in, any other as typed', () => {
    const contacts = [
      { id: 'f1', role: 'family' as const, name: '张伟', relation: '儿媳', city: '苏州' },
      { id: 'f2', role: 'family' as const, name: '李娜', relation: 'Son ', city: '杭州' },
      { id: 'f3', role: 'family' as const, name: '王芳', relation: '干女儿', city: '' },
    ];
    expect(deviceView(state({ contacts }), [], ctx('en')).contacts.items.map((c) => c.sub)).toEqual(['Daughter-in-law · 苏州', 'Son · 杭州', '干女儿']);
    expect(deviceView(state({ contacts }), [], ctx('zh')).contacts.items.map((c) => c.sub)).toEqual(['儿媳 · 苏州', '儿子 · 杭州', '干女儿']);
  });

  it('lights the live indicator whenever the camera is sent, naming who looks in', () => {
    const lookIn: RoomSummary = { kind: 'lookin', who: '李娜', sendingCamera: true };
    const callRoom: RoomSummary = { kind: 'call', who: '张伟', sendingCamera: true };
    expect(deviceView(state(), [lookIn], ctx()).live).toBe('摄像头直播中 · 李娜 正在看家里');
    expect(deviceView(state(), [callRoom], ctx())).toMatchObject({ live: '摄像头直播中 · 正在通话', bodyState: 'in-call', inCall: true });
    expect(deviceView(state(), [{ ...callRoom, sendingCamera: false }], ctx()).live).toBeNull();
    expect(deviceView(state({ cameraLookIns: [{ id: 'l', who: '李娜', camera: '院子摄像头' }] }), [], ctx()).live).toBe('院子摄像头直播中 · 李娜 正在看');
  });

  it('says what privacy means and which way the button goes', () => {
    expect(deviceView(state({ privacy: { active: true, cause: 'button' } }), [], ctx()).privacy).toMatchObject({ attr: 'button', pressed: true, button: '关闭隐私模式' });
    expect(deviceView(state({ privacy: { active: true, cause: 'schedule' } }), [], ctx())).toMatchObject({ privacyPill: '隐私模式', privacy: { attr: 'schedule', pressed: false, text: '现在是隐私时段：摄像头不会传出画面，家人不能查看。' } });
  });

  it('shows a signed-out device as an error, and a flash in place of the connection', () => {
    expect(deviceView(state({ phase: 'revoked' }), [], ctx('en'))).toMatchObject({ bodyState: 'error', fatal: 'This device has been signed out. Please ask your family or counsellor to set it up again.' });
    expect(deviceView(state({ online: false, flash: '来电已结束' }), [], ctx()).net).toEqual({ state: 'offline', text: '来电已结束' });
  });

  it('has a picture button per person to call, disabled while a call is being placed or is on', () => {
    const contacts = [
      { id: 'fm-1', role: 'family' as const, name: '张伟', relation: '儿子', city: '杭州' },
      { id: 'cs-1', role: 'counsellor' as const, name: '陈静', relation: '', city: '埇桥区社会工作服务站' },
    ];
    const v = deviceView(state({ contacts }), [], ctx());
    expect(v.contacts.items).toEqual([
      { id: 'fm-1', initial: '伟', name: '张伟', sub: '儿子 · 杭州', role: 'family' },
      { id: 'cs-1', initial: '静', name: '社工 陈静', sub: '埇桥区社会工作服务站', role: 'counsellor' },
    ]);
    expect(v.contacts.disabled).toBe(false);
    expect(deviceView(state({ contacts, placing: 'call' }), [], ctx()).contacts.disabled).toBe(true);
  });

  it('shows an SOS as its ladder: who each step rang and how they answered', () => {
    const sos = {
      id: 's1', purpose: 'sos', direction: 'from-home', state: 'ringing',
      callees: [
        { id: 'fm-1', role: 'family', name: '张伟', step: 0, state: 'missed' },
        { id: 'cs-1', role: 'counsellor', name: '陈静', step: 1, state: 'declined' },
        { id: 'gw-1', role: 'grid-worker', name: '张庄村村委会 王建华', step: 2, state: 'ringing' },
      ],
    } as unknown as Call;
    const v = deviceView(state({ outgoing: sos }), [], ctx());
    expect(v.outgoing).toMatchObject({ sos: true, title: '正在求助，请稍等' });
    expect(v.outgoing!.steps.map((s) => [s.label, s.people.map((p) => p.text)])).toEqual([
      ['家人', ['未接听']],
      ['社工', ['没空接听']],
      ['村委会 / 网格员', ['正在呼叫']],
    ]);
    expect(deviceView(state({ outgoing: sos }), [], ctx('en')).sos.label).toBe('Help');
  });
  it('shows the consents in force: who may look in on which camera since when, and when nobody may', () => {
    const consent = (id: number, memberName: string, source: string) => ({
      id, householdId: 'h', memberId: `m${id}`, memberName, source, level: 'look-in' as const, action: 'granted' as const, byId: 'fm-1', byName: '张伟', byRole: 'family', at: '2026-11-20T02:00:00Z',
    });
    const consents = [consent(1, '李娜', 'device'), consent(2, '张伟', 'cam-yard'), consent(3, '张强', '*')];
    const closed = deviceView(state({ consents }), [], ctx());
    expect(closed.consents).toEqual({ button: '谁可以看家里（3）', panel: null });
    const v = deviceView(state({ consents, consentsOpen: true, cameraNames: { 'cam-yard': '院子摄像头' }, lookInRules: { allowed: true, schedule: [{ days: [0, 1, 2, 3, 4, 5, 6], start: '22:00', end: '07:00' }, { days: [1, 3], start: '12:00', end: '13:00' }] } }), [], ctx());
    expect(v.consents.panel!.items.map((c) => `${c.who} · ${c.what} · ${c.since}`)).toEqual([
      '李娜 · 本机摄像头 · 11/20 10:00 起 · 张伟 同意',
      '张伟 · 院子摄像头 · 11/20 10:00 起 · 张伟 同意',
      '张强 · 所有摄像头 · 11/20 10:00 起 · 张伟 同意',
    ]);
    expect(v.consents.panel!.when[1]).toBe('这些时间谁都不能看：每天 22:00–07:00；每周一、三 12:00–13:00');
    const off = deviceView(state({ consentsOpen: true, lookInRules: { allowed: false, schedule: [] } }), [], ctx('en')).consents.panel!;
    expect(off).toMatchObject({ empty: 'The household has not agreed that anybody may look in.', when: ['The household does not allow looking in: nobody can look in now.', expect.any(String)] });
  });
});
