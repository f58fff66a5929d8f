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
  notices: [], ringing: null, answering: false, cameraLookIns: [], ...s,
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
    expect(deviceView(state({ ringing: call }), [], ctx())).toMatchObject({ bodyState: 'ringing', incoming: { who: '社工 陈静\n来电', answer: '接 听', disabled: false } });
    expect(deviceView(state({ ringing: call, answering: true }), [], ctx()).incoming).toMatchObject({ answer: '正在接通…', disabled: true });
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
});
