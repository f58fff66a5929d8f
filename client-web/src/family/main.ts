// Family app (migrant workers' phones and PCs): the households they belong to with the home
// devices' online status, one tap to call home (video, or audio only on a poor network), a
// view-only look-in where the household allows it, several family members in one call (a second
// caller joins the open call), and the missed calls. The backend decides every permission; the
// page shows its refusals in plain words.
import { Api, ApiError } from '../lib/api.ts';
import { CallSession } from '../lib/call-session.ts';
import { CallView } from '../lib/call-view.ts';
import { LiveClient } from '../lib/live.ts';
import { toggleLang } from '../lib/i18n.ts';
import {
  Sounds,
  dictionary,
  errorDetail,
  esc,
  fmtTime,
  pageToken,
  tokenClaims,
  type Call,
  type CallEndReason,
  type HouseholdView,
  type LookIn,
  type RoomTicket,
} from '../household/common.ts';

const T = dictionary(
  {
    title: '平安心居 · 家人',
    lang: 'English',
    noToken: '请先登录（缺少访问令牌）。',
    none: '您还没有关联任何家庭。',
    online: '在线',
    offline: '离线',
    noDevice: '家里还没有设备',
    privacy: '隐私模式',
    privacySchedule: '隐私时段',
    call: '视频通话回家',
    audio: '语音通话',
    audioSub: '网络差时用',
    lookIn: '看看家里',
    lookInCamera: '看看{name}',
    lookInNotAllowed: '这户家庭没有开启“看看家里”。',
    lookInNoPermission: '您的权限只能打电话，不能查看家里。',
    weakNet: '当前网络较差，建议用语音通话。',
    missed: '未接来电（{n}）',
    noMissed: '没有未接来电',
    r_missed: '未接听',
    r_declined: '拒接',
    r_cancelled: '已取消',
    ringing: '正在呼叫 {home}，请等家里接听…',
    inCall: '与 {home} 通话中',
    inCallAudio: '与 {home} 语音通话中',
    joinedOther: '家里正在通话，您已加入同一通话',
    lookingIn: '正在查看 {home}（只看不说，还剩 {left}）',
    e_offline: '家里的设备不在线，已记为未接来电。请稍后再打。',
    e_privacy_mode: '家里开启了隐私模式，现在不能查看。',
    e_privacy_schedule: '现在是家里设定的隐私时段，不能查看。',
    e_look_in_disabled: '这户家庭没有开启“看看家里”。',
    e_device_offline: '家里的设备不在线，不能查看。',
    e_rate: '一小时内查看次数已达上限，请稍后再试。',
    e_generic: '操作失败：{m}',
    end_missed: '家里没有接听，已记为未接来电。',
    end_declined: '家里暂时不方便接听。',
    end_hungup: '通话已结束。',
    end_cancelled: '通话已取消。',
    end_lookin_privacy: '家里开启了隐私模式，查看已结束。',
    end_lookin_time: '查看时间到了（每次最长 10 分钟）。',
    end_lookin: '查看已结束。',
    stopLooking: '结束查看',
    settings: '家庭设置（管理员）',
    autoAnswer: '来电自动接听',
    aa_off: '关闭（家里按“接听”才接通）',
    aa_all: '所有家人来电都自动接听',
    aa_selected: '只有勾选的家人自动接听',
    allowLookIn: '允许家人“看看家里”',
    save: '保存设置',
    saved: '设置已保存，家里的设备已更新。',
    privacyOn: '开启隐私模式',
    privacyOff: '关闭隐私模式',
    schedule: '隐私时段：{w}',
    everyDay: '每天',
    windows: '隐私时段（这段时间家人不能查看，摄像头不传画面）',
    addWindow: '添加时段',
    removeWindow: '删除',
    w0: '日', w1: '一', w2: '二', w3: '三', w4: '四', w5: '五', w6: '六',
  },
  {
    title: 'Safe Home · Family',
    lang: '中文',
    noToken: 'Please sign in (no access token).',
    none: 'You are not linked to any household yet.',
    online: 'online',
    offline: 'offline',
    noDevice: 'No device at home yet',
    privacy: 'Privacy mode',
    privacySchedule: 'Privacy hours',
    call: 'Video call home',
    audio: 'Audio call',
    audioSub: 'for a poor network',
    lookIn: 'Look in',
    lookInCamera: 'Look at {name}',
    lookInNotAllowed: 'This household has not allowed look-in.',
    lookInNoPermission: 'Your permission allows calls only, not look-in.',
    weakNet: 'Your network is weak; an audio call is recommended.',
    missed: 'Missed calls ({n})',
    noMissed: 'No missed calls',
    r_missed: 'not answered',
    r_declined: 'declined',
    r_cancelled: 'cancelled',
    ringing: 'Calling {home}, waiting for an answer…',
    inCall: 'In a call with {home}',
    inCallAudio: 'Audio call with {home}',
    joinedOther: 'Home was already in a call; you joined it',
    lookingIn: 'Looking in on {home} (view only, {left} left)',
    e_offline: 'The home device is offline; the call is listed as missed. Please try later.',
    e_privacy_mode: 'The household has turned on privacy mode; look-in is not possible now.',
    e_privacy_schedule: 'It is the household’s privacy hours; look-in is not possible now.',
    e_look_in_disabled: 'This household has not allowed look-in.',
    e_device_offline: 'The home device is offline; look-in is not possible.',
    e_rate: 'Too many look-ins this hour; please try later.',
    e_generic: 'Failed: {m}',
    end_missed: 'Nobody answered; listed as a missed call.',
    end_declined: 'Home cannot take the call right now.',
    end_hungup: 'The call has ended.',
    end_cancelled: 'The call was cancelled.',
    end_lookin_privacy: 'The household turned on privacy mode; the look-in ended.',
    end_lookin_time: 'Look-in time is up (10 minutes at most).',
    end_lookin: 'The look-in has ended.',
    stopLooking: 'Stop looking in',
    settings: 'Household settings (manager)',
    autoAnswer: 'Auto-answer',
    aa_off: 'Off (home presses “Answer”)',
    aa_all: 'Every family member’s call',
    aa_selected: 'Only the members ticked below',
    allowLookIn: 'Allow family to look in',
    save: 'Save settings',
    saved: 'Settings saved; the home device is updated.',
    privacyOn: 'Turn privacy on',
    privacyOff: 'Turn privacy off',
    schedule: 'Privacy hours: {w}',
    everyDay: 'every day',
    windows: 'Privacy hours (no look-in, the camera sends nothing)',
    addWindow: 'Add hours',
    removeWindow: 'Remove',
    w0: 'Sun', w1: 'Mon', w2: 'Tue', w3: 'Wed', w4: 'Thu', w5: 'Fri', w6: 'Sat',
  },
);

const $ = <E extends HTMLElement = HTMLElement>(id: string): E => document.getElementById(id) as E;

interface Room {
  kind: 'call' | 'lookin';
  id: string;
  householdId: string;
  home: string;
  isCaller: boolean;
  audioOnly: boolean;
  session: CallSession;
  view: CallView;
  title: HTMLElement;
}

class FamilyApp {
  readonly #api: Api;
  readonly #live: LiveClient;
  #households: HouseholdView[] = [];
  readonly #missed = new Map<string, Call[]>();
  #room: Room | undefined;
  readonly #sounds = new Sounds();
  #countdown: ReturnType<typeof setInterval> | undefined;
  #msgTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(token: string) {
    this.#api = new Api('/api/household', token);
    this.#live = new LiveClient(token);
    this.#live.on('household:event', ({ type, payload }) => this.#onEvent(type, payload as Record<string, unknown>));
    this.#live.onConnect(() => void this.refresh());
    $('list').addEventListener('click', (e) => {
      const btn = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-act]');
      const hid = btn?.closest<HTMLElement>('[data-household-id]')?.dataset.householdId;
      if (!btn || !hid) return;
      if (btn.dataset.act === 'add-window') btn.insertAdjacentHTML('beforebegin', windowRow({ days: [0, 1, 2, 3, 4, 5, 6], start: '22:00', end: '07:00' }));
      else if (btn.dataset.act === 'remove-window') btn.closest('[data-window]')?.remove();
      else if (btn.dataset.act === 'privacy') void this.#setPrivacy(hid, btn.dataset.on === 'true');
      else if (btn.dataset.act === 'call') void this.call(hid, false);
      else if (btn.dataset.act === 'audio') void this.call(hid, true);
      else if (btn.dataset.act === 'lookin') void this.lookIn(hid, btn.dataset.source);
    });
    $('list').addEventListener('submit', (e) => {
      e.preventDefault();
      const form = e.target as HTMLFormElement;
      const hid = form.closest<HTMLElement>('[data-household-id]')?.dataset.householdId;
      if (hid) void this.#saveSettings(hid, form);
    });
    setInterval(() => void this.refresh(), 30_000);
  }

  /** Managers only (the backend checks): auto-answer and look-in. */
  async #saveSettings(householdId: string, form: HTMLFormElement): Promise<void> {
    const f = new FormData(form);
    const mode = String(f.get('autoAnswer')) as 'off' | 'all-family' | 'selected';
    try {
      await this.#api.patch(`/households/${encodeURIComponent(householdId)}/settings`, {
        autoAnswer: { mode, memberIds: mode === 'selected' ? f.getAll('member').map(String) : [] },
        lookInAllowed: f.get('lookInAllowed') === 'on',
        privacySchedule: [...form.querySelectorAll<HTMLElement>('[data-window]')].map((row) => ({
          days: [...row.querySelectorAll<HTMLInputElement>('input[type=checkbox]:checked')].map((c) => Number(c.value)).sort((a, b) => a - b),
          start: row.querySelector<HTMLInputElement>('input[name=start]')!.value,
          end: row.querySelector<HTMLInputElement>('input[name=end]')!.value,
        })),
      });
      (document.activeElement as HTMLElement | null)?.blur();
      this.#show(T('saved'), 'info');
      await this.refresh();
    } catch (err) {
      this.#error(err);
    }
  }

  async #setPrivacy(householdId: string, on: boolean): Promise<void> {
    try {
      await this.#api.post(`/households/${encodeURIComponent(householdId)}/privacy`, { on });
      await this.refresh();
    } catch (err) {
      this.#error(err);
    }
  }

  async refresh(): Promise<void> {
    try {
      this.#households = await this.#api.get<HouseholdView[]>('/households');
      await Promise.all(
        this.#households.map(async (h) => {
          this.#missed.set(h.household.id, await this.#api.get<Call[]>(`/households/${encodeURIComponent(h.household.id)}/missed-calls?limit=10`).catch(() => []));
        }),
      );
      this.#render();
    } catch (err) {
      this.#error(err);
    }
  }

  // ---- actions -------------------------------------------------------------------------------

  async call(householdId: string, audioOnly: boolean): Promise<void> {
    if (this.#room) return;
    this.#hideMsg();
    let ticket: { call: Call } & RoomTicket;
    let isCaller = true;
    try {
      ticket = await this.#api.post(`/households/${encodeURIComponent(householdId)}/calls`, { audioOnly });
    } catch (err) {
      const callId = errorDetail(err, 'callId');
      if (err instanceof ApiError && err.code === 'conflict' && callId) {
        // Home is already in a call (another family member): join it — several cities, one call.
        try {
          ticket = await this.#api.post(`/calls/${encodeURIComponent(callId)}/join`);
          isCaller = false;
        } catch (e) {
          this.#error(e);
          return;
        }
      } else {
        if (err instanceof ApiError && err.code === 'unavailable') this.#show(T('e_offline'));
        else this.#error(err);
        void this.refresh();
        return;
      }
    }
    const { call } = ticket;
    this.#open({ kind: 'call', id: call.id, householdId, isCaller, audioOnly: call.audioOnly }, ticket.token, ticket.roomId);
    this.#setRoomTitle(call.state === 'ringing' && isCaller ? 'ringing' : isCaller ? 'in' : 'joined');
  }

  /** `source`: the home device (default) or one of the household's IP cameras. */
  async lookIn(householdId: string, source?: string): Promise<void> {
    if (this.#room) return;
    this.#hideMsg();
    try {
      const t = await this.#api.post<{ lookIn: LookIn } & RoomTicket>(`/households/${encodeURIComponent(householdId)}/look-ins`, source ? { source } : {});
      this.#open({ kind: 'lookin', id: t.lookIn.id, householdId, isCaller: true, audioOnly: false }, t.token, t.roomId);
      // The server ends a look-in by itself at endsAt; show what is left (from its own duration,
      // so a skewed phone clock does not matter).
      const end = Date.now() + (Date.parse(t.lookIn.endsAt) - Date.parse(t.lookIn.startedAt));
      const show = (): void => this.#setRoomTitle('lookin', Math.max(0, end - Date.now()));
      show();
      this.#countdown = setInterval(show, 1000);
    } catch (err) {
      this.#error(err);
      void this.refresh();
    }
  }

  #open(r: Omit<Room, 'session' | 'view' | 'title' | 'home'>, token: string, roomId: string): void {
    const home = this.#households.find((h) => h.household.id === r.householdId)?.household.name ?? '';
    const session = new CallSession({
      token,
      roomId,
      audioOnly: r.audioOnly,
      // A look-in is view only: nothing of ours goes into the home.
      ...(r.kind === 'lookin' ? { publish: [] } : {}),
    });
    const view = new CallView(session, { preview: r.kind === 'call', onLeave: () => this.#leave(true) });
    if (r.kind === 'lookin') view.el.querySelector('[data-act=leave]')!.textContent = T('stopLooking');
    const room: Room = { ...r, home, session, view, title: $('room-title') };
    this.#room = room;
    (window as unknown as { callSession: CallSession }).callSession = session;
    const host = $('room');
    host.replaceChildren(room.title, view.el);
    host.hidden = false;
    $('list').hidden = true;
    document.body.dataset.room = r.kind;
    session.on('state', (s) => {
      // Deferred: the hang-up button closes the session first and then calls onLeave (hangUp).
      if (s === 'closed' || s === 'failed') setTimeout(() => this.#room === room && this.#leave(false), 0);
    });
    session.start().then(
      () => view.refresh(),
      (err: unknown) => {
        // A call that ended while we were joining already said why; do not cover that message.
        if (this.#room !== room) return;
        this.#error(err);
        this.#leave(false);
      },
    );
  }

  /** Back to the list; `hangUp` tells the backend (the caller ends the call, the viewer the look-in). */
  #leave(hangUp: boolean): void {
    const r = this.#room;
    if (!r) return;
    this.#room = undefined;
    this.#sounds.stopRing();
    if (this.#countdown) clearInterval(this.#countdown);
    this.#countdown = undefined;
    r.session.close();
    if (hangUp && r.kind === 'call' && r.isCaller) void this.#api.post(`/calls/${encodeURIComponent(r.id)}/end`).catch(() => undefined);
    if (hangUp && r.kind === 'lookin') void this.#api.post(`/look-ins/${encodeURIComponent(r.id)}/end`).catch(() => undefined);
    $('room').hidden = true;
    $('list').hidden = false;
    delete document.body.dataset.room;
    void this.refresh();
  }

  #onEvent(type: string, p: Record<string, unknown>): void {
    const r = this.#room;
    switch (type) {
      case 'call:answered':
        if (r?.kind === 'call' && (p.call as Call).id === r.id) this.#setRoomTitle('in');
        break;
      case 'call:ended': {
        const call = p.call as Call;
        if (r?.kind === 'call' && call.id === r.id) {
          const reason = p.reason as CallEndReason;
          this.#show(T(reason === 'missed' ? 'end_missed' : reason === 'declined' ? 'end_declined' : reason === 'cancelled' ? 'end_cancelled' : 'end_hungup'), 'info');
          this.#leave(false);
        } else void this.refresh();
        break;
      }
      case 'lookin:ended': {
        const l = p.lookIn as LookIn;
        if (r?.kind === 'lookin' && l.id === r.id) {
          const reason = String(p.reason);
          this.#show(T(reason === 'privacy' ? 'end_lookin_privacy' : reason === 'time-limit' ? 'end_lookin_time' : 'end_lookin'), reason === 'privacy' ? 'error' : 'info');
          this.#leave(false);
        }
        break;
      }
      case 'privacy:changed':
      case 'settings:changed':
        void this.refresh();
        break;
      default:
        break;
    }
  }

  // ---- rendering -----------------------------------------------------------------------------

  #setRoomTitle(kind: 'ringing' | 'in' | 'joined' | 'lookin', leftMs = 0): void {
    const r = this.#room;
    if (!r) return;
    // Ringback while the home has not answered.
    if (kind === 'ringing') this.#sounds.startRing('soft');
    else this.#sounds.stopRing();
    const s = Math.round(leftMs / 1000);
    const vars = { home: r.home, left: `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}` };
    r.title.dataset.phase = kind;
    r.title.textContent =
      kind === 'ringing' ? T('ringing', vars) : kind === 'lookin' ? T('lookingIn', vars) : kind === 'joined' ? T('joinedOther') : T(r.audioOnly ? 'inCallAudio' : 'inCall', vars);
  }

  #render(): void {
    const list = $('list');
    // Do not wipe a settings form someone is filling in.
    if (document.activeElement instanceof HTMLElement && document.activeElement.closest('#list form')) return;
    if (this.#households.length === 0) {
      list.innerHTML = `<p class="card">${esc(T('none'))}</p>`;
      return;
    }
    const conn = (navigator as unknown as { connection?: { effectiveType?: string } }).connection;
    const weak = !!conn?.effectiveType && ['slow-2g', '2g', '3g'].includes(conn.effectiveType);
    list.innerHTML = this.#households.map((v) => this.#card(v, weak)).join('');
  }

  #card(v: HouseholdView, weak: boolean): string {
    const h = v.household;
    const canLook = v.myPermission === 'look-in' || v.myPermission === 'manage';
    const missed = this.#missed.get(h.id) ?? [];
    const privacy = v.privacy.active ? `<span class="badge privacy" data-privacy="${esc(v.privacy.cause)}">${esc(T(v.privacy.cause === 'schedule' ? 'privacySchedule' : 'privacy'))}</span>` : '';
    const devices = v.devices.length
      ? v.devices.map((d) => `<li data-online="${d.online}">${esc(d.name)} · <span class="state">${esc(T(d.online ? 'online' : 'offline'))}</span></li>`).join('')
      : `<li data-online="false">${esc(T('noDevice'))}</li>`;
    const lookHint = !canLook ? T('lookInNoPermission') : !h.settings.lookInAllowed ? T('lookInNotAllowed') : '';
    const reason = (c: Call): string => T(c.state === 'declined' ? 'r_declined' : c.state === 'cancelled' ? 'r_cancelled' : 'r_missed');
    return `<article class="hh" data-household-id="${esc(h.id)}">
      <h2>${esc(h.name)} ${privacy}</h2>
      <p class="addr">${esc(h.address)}</p>
      <p class="residents">${h.residents.map((r) => esc(r.name)).join('、')}</p>
      <ul class="devices">${devices}</ul>
      <div class="actions">
        <button type="button" class="btn" data-act="call">${esc(T('call'))}</button>
        <button type="button" class="btn${weak ? ' suggest' : ''}" data-act="audio">${esc(T('audio'))}<small>${esc(T('audioSub'))}</small></button>
        <button type="button" class="btn" data-act="lookin"${canLook && h.settings.lookInAllowed ? '' : ' disabled'}>${esc(T('lookIn'))}</button>
        ${v.cameras.map((c) => `<button type="button" class="btn" data-act="lookin" data-source="${esc(c.id)}"${canLook && h.settings.lookInAllowed ? '' : ' disabled'}>${esc(T('lookInCamera', { name: c.name }))}</button>`).join('')}
      </div>
      ${weak ? `<p class="hint">${esc(T('weakNet'))}</p>` : ''}
      ${lookHint ? `<p class="hint">${esc(lookHint)}</p>` : ''}
      ${h.settings.privacySchedule.length ? `<p class="hint">${esc(T('schedule', { w: h.settings.privacySchedule.map((w) => `${w.days.length === 7 ? T('everyDay') : w.days.join(',')} ${w.start}–${w.end}`).join('；') }))}</p>` : ''}
      ${v.myPermission === 'manage' ? this.#settings(v) : ''}
      <details class="missed"${missed.length ? ' open' : ''}><summary>${esc(missed.length ? T('missed', { n: missed.length }) : T('noMissed'))}</summary>
        <ol>${missed.map((c) => `<li data-call-id="${esc(c.id)}">${esc(fmtTime(c.createdAt))} · ${esc(c.callerName)}<span class="reason">${esc(reason(c))}</span></li>`).join('')}</ol>
      </details>
    </article>`;
  }

  #settings(v: HouseholdView): string {
    const a = v.household.settings.autoAnswer;
    const opt = (mode: string, key: 'aa_off' | 'aa_all' | 'aa_selected'): string =>
      `<label class="opt"><input type="radio" name="autoAnswer" value="${mode}"${a.mode === mode ? ' checked' : ''} /> ${esc(T(key))}</label>`;
    const buttonOn = v.household.privacyMode;
    return `<details class="settings"><summary>${esc(T('settings'))}</summary>
      <form class="settings-form">
        <fieldset><legend>${esc(T('autoAnswer'))}</legend>${opt('off', 'aa_off')}${opt('all-family', 'aa_all')}${opt('selected', 'aa_selected')}
          <div class="members">${v.family.map((m) => `<label class="opt"><input type="checkbox" name="member" value="${esc(m.id)}"${a.memberIds.includes(m.id) ? ' checked' : ''} /> ${esc(m.name)}（${esc(m.relation)} · ${esc(m.city)}）</label>`).join('')}</div>
        </fieldset>
        <label class="opt"><input type="checkbox" name="lookInAllowed"${v.household.settings.lookInAllowed ? ' checked' : ''} /> ${esc(T('allowLookIn'))}</label>
        <fieldset class="windows"><legend>${esc(T('windows'))}</legend>
          ${v.household.settings.privacySchedule.map(windowRow).join('')}
          <button type="button" class="btn" data-act="add-window">${esc(T('addWindow'))}</button>
        </fieldset>
        <div class="row"><button class="btn primary">${esc(T('save'))}</button>
        <button type="button" class="btn" data-act="privacy" data-on="${!buttonOn}">${esc(T(buttonOn ? 'privacyOff' : 'privacyOn'))}</button></div>
      </form></details>`;
  }

  #error(err: unknown): void {
    if (err instanceof ApiError) {
      const reason = errorDetail(err, 'reason');
      if (err.code === 'forbidden' && reason) {
        const key = ({ 'privacy-mode': 'e_privacy_mode', 'privacy-schedule': 'e_privacy_schedule', 'look-in-disabled': 'e_look_in_disabled', 'device-offline': 'e_device_offline' } as const)[reason as 'privacy-mode'];
        if (key) return this.#show(T(key), 'error', reason);
      }
      if (err.code === 'rate_limited') return this.#show(T('e_rate'), 'error', 'rate-limited');
    }
    this.#show(T('e_generic', { m: err instanceof Error ? err.message : String(err) }), 'error', (err as { code?: string }).code);
  }

  #show(text: string, kind: 'error' | 'info' = 'error', reason?: string): void {
    const el = $('msg');
    el.textContent = text;
    el.dataset.kind = kind;
    if (reason) el.dataset.reason = reason;
    else delete el.dataset.reason;
    el.hidden = false;
    if (this.#msgTimer) clearTimeout(this.#msgTimer);
    this.#msgTimer = setTimeout(() => this.#hideMsg(), 20_000);
  }

  #hideMsg(): void {
    $('msg').hidden = true;
  }
}

/** One editable privacy window: the days it starts on, start and end (an end before the start runs past midnight). */
function windowRow(w: { days: number[]; start: string; end: string }): string {
  const days = [1, 2, 3, 4, 5, 6, 0]
    .map((d) => `<label class="day"><input type="checkbox" value="${d}"${w.days.includes(d) ? ' checked' : ''} />${esc(T(`w${d}` as 'w0'))}</label>`)
    .join('');
  return `<div class="window" data-window>${days}
    <input type="time" name="start" value="${esc(w.start)}" required /> – <input type="time" name="end" value="${esc(w.end)}" required />
    <button type="button" class="btn" data-act="remove-window">${esc(T('removeWindow'))}</button></div>`;
}

document.title = T('title');
$('title').textContent = T('title');
$('lang').textContent = T('lang');
$('lang').addEventListener('click', toggleLang);
const token = pageToken('household-family-token', sessionStorage);
if (!token) {
  $('list').innerHTML = `<p class="card">${esc(T('noToken'))}</p>`;
} else {
  const c = tokenClaims(token);
  $('who').textContent = c.name ?? '';
  const app = new FamilyApp(token);
  (window as unknown as { familyApp: FamilyApp }).familyApp = app;
  void app.refresh();
}
