// The home device kiosk (平安心居终端): stays signed in with its device token, shows the time and
// notices, rings loudly with one big answer button (or joins at once when the household chose
// auto-answer — the backend decides and pushes `call:ringing` or `call:answered`), publishes its
// camera into look-ins, shows a red "camera live" indicator whenever its camera is sent, and has
// a privacy button. Reconnects by itself: socket.io retries, and every (re)connect and heartbeat
// re-reads /device/state, so nothing missed while offline is lost.
import { Api, ApiError } from '../lib/api.ts';
import { CallSession } from '../lib/call-session.ts';
import { CallView } from '../lib/call-view.ts';
import { LiveClient } from '../lib/live.ts';
import { currentLang, toggleLang } from '../lib/i18n.ts';
import {
  Sounds,
  dictionary,
  esc,
  fmtTime,
  pageToken,
  type Call,
  type DeviceState,
  type HouseholdSettings,
  type HouseholdView,
  type LookIn,
  type Notice,
  type PrivacyState,
  type RoomTicket,
} from '../household/common.ts';
import type { MediaSource } from '../../../server/protocol/signalling.ts';

const T = dictionary(
  {
    title: '平安心居',
    lang: 'English',
    online: '● 已连接',
    offline: '网络断开，正在自动重新连接…',
    noticesTitle: '通知',
    noNotices: '暂无通知',
    from: '来自 {who}',
    incoming: '{who}\n来电',
    counsellor: '社工',
    privacyPill: '隐私模式',
    answer: '接 听',
    answering: '正在接通…',
    callGone: '来电已结束',
    liveCall: '摄像头直播中 · 正在通话',
    liveLookIn: '摄像头直播中 · {who} 正在看家里',
    liveIpCamera: '{camera}直播中 · {who} 正在看',
    ipCamera: '家里的摄像头',
    liveAudio: '通话中（只有声音）',
    privacyOnBtn: '开启隐私模式',
    privacyOffBtn: '关闭隐私模式',
    privacyButton: '隐私模式已开启：摄像头不会传出画面，家人不能查看。',
    privacySchedule: '现在是隐私时段：摄像头不会传出画面，家人不能查看。',
    privacyOff: '隐私模式未开启。有人看家里时，屏幕上方会亮红灯。',
    noToken: '本设备还没有绑定。请联系家人或社工。',
    revoked: '本设备的登录已失效，请联系家人或社工重新绑定。',
    family: '家人',
  },
  {
    title: 'Safe Home',
    lang: '中文',
    online: '● Connected',
    offline: 'Network lost, reconnecting by itself…',
    noticesTitle: 'Notices',
    noNotices: 'No notices',
    from: 'From {who}',
    incoming: '{who}\nis calling',
    counsellor: 'Counsellor',
    privacyPill: 'Privacy',
    answer: 'Answer',
    answering: 'Connecting…',
    callGone: 'The call has ended',
    liveCall: 'Camera live · in a call',
    liveLookIn: 'Camera live · {who} is looking in',
    liveIpCamera: '{camera} live · {who} is looking',
    ipCamera: 'The home camera',
    liveAudio: 'In a call (audio only)',
    privacyOnBtn: 'Turn privacy on',
    privacyOffBtn: 'Turn privacy off',
    privacyButton: 'Privacy mode is on: the camera sends nothing and nobody can look in.',
    privacySchedule: 'Privacy hours now: the camera sends nothing and nobody can look in.',
    privacyOff: 'Privacy mode is off. A red light shows at the top whenever someone sees home.',
    noToken: 'This device is not set up yet. Please contact your family or counsellor.',
    revoked: 'This device has been signed out. Please ask your family or counsellor to set it up again.',
    family: 'Family',
  },
);

const $ = <E extends HTMLElement = HTMLElement>(id: string): E => document.getElementById(id) as E;

/** A room the device is in: a call (shown full screen) or a look-in (camera only, no view). */
interface Joined {
  kind: 'call' | 'lookin';
  id: string;
  roomId: string;
  since: number;
  who: string;
  session?: CallSession;
  view?: CallView;
}

class DeviceApp {
  readonly #api: Api;
  readonly #live: LiveClient;
  readonly #sounds = new Sounds();
  readonly #rooms = new Map<string, Joined>();
  #state: DeviceState | undefined;
  #privacy: PrivacyState = { active: false, cause: null };
  #ringing: Call | undefined;
  #revoked = false;
  /** Look-ins at the household's IP cameras (the server pulls them; we only show that they are live). */
  readonly #cameraLookIns = new Map<string, { who: string; camera: string }>();
  #cameraNames = new Map<string, string>();

  /** The live channel (exposed for diagnostics and the reconnect test). */
  get live(): LiveClient {
    return this.#live;
  }

  constructor(token: string) {
    this.#api = new Api('/api/household', token);
    this.#live = new LiveClient(token);
    this.#live.on('household:event', ({ type, payload }) => this.#onEvent(type, payload));
    this.#live.onConnect(() => {
      this.#setNet(true);
      void this.#heartbeat();
    });
    this.#live.socket.on('disconnect', () => this.#setNet(false));
    this.#live.socket.on('connect_error', () => this.#setNet(false));
    window.addEventListener('online', () => void this.#heartbeat());
    $('answer').addEventListener('click', () => void this.#answer());
    $('privacy').addEventListener('click', () => void this.#togglePrivacy());
    setInterval(() => void this.#heartbeat(), 15_000);
    setInterval(() => this.#tick(), 1000);
    this.#tick();
    this.#renderPrivacy();
    this.#renderNotices([]);
    void this.#heartbeat();
    void this.#loadCameraNames();
  }

  // ---- state from the backend ----------------------------------------------------------------

  /** Heartbeat: tells the backend we are alive, answers with the full state to redraw from. */
  #cameraName(id: string): string {
    return this.#cameraNames.get(id) ?? T('ipCamera');
  }

  /** Names of the household's IP cameras, for the live indicator. */
  async #loadCameraNames(): Promise<void> {
    try {
      const [view] = await this.#api.get<HouseholdView[]>('/households');
      this.#cameraNames = new Map((view?.cameras ?? []).map((c) => [c.id, c.name]));
    } catch {
      // Names are a nicety; the indicator falls back to a generic name.
    }
  }

  async #heartbeat(): Promise<void> {
    if (this.#revoked) return;
    const asked = Date.now();
    try {
      this.#apply(await this.#api.post<DeviceState>('/device/heartbeat'), asked);
      this.#setNet(this.#live.socket.connected);
    } catch (err) {
      this.#handleApiError(err);
    }
  }

  #apply(s: DeviceState, askedAt: number): void {
    this.#state = s;
    $('household').textContent = `${T('title')} · ${s.household.name}`;
    this.#setPrivacy(s.privacy);
    this.#renderNotices(s.notices);
    const ringing = s.openCalls.find((c) => c.state === 'ringing');
    if (ringing && !this.#rooms.has(ringing.roomId)) this.#showIncoming(ringing);
    else if (!ringing && this.#ringing) this.#hideIncoming();
    for (const c of s.openCalls) if (c.state === 'active') void this.#joinCall(c);
    for (const l of s.openLookIns) void this.#joinLookIn(l, T('family'));
    const openCameraLookIns = new Set(s.openLookIns.filter((l) => l.source !== 'device').map((l) => l.id));
    for (const l of s.openLookIns) if (l.source !== 'device' && !this.#cameraLookIns.has(l.id)) this.#cameraLookIns.set(l.id, { who: T('family'), camera: this.#cameraName(l.source) });
    for (const id of [...this.#cameraLookIns.keys()]) if (!openCameraLookIns.has(id)) this.#cameraLookIns.delete(id);
    // Rooms that are over (ended while we were offline); only those joined before we asked,
    // so an answer that raced this request is not undone.
    const open = new Set([...s.openCalls.filter((c) => c.state === 'active').map((c) => c.roomId), ...s.openLookIns.map((l) => l.roomId)]);
    for (const j of [...this.#rooms.values()]) if (!open.has(j.roomId) && j.since < askedAt) this.#leave(j.roomId);
    this.#setBodyState();
  }

  #onEvent(type: string, payload: unknown): void {
    const p = payload as Record<string, unknown>;
    switch (type) {
      case 'call:ringing':
        this.#showIncoming(p.call as Call);
        break;
      case 'call:answered': {
        const call = p.call as Call;
        if (this.#ringing?.id === call.id) this.#hideIncoming();
        void this.#joinCall(call);
        break;
      }
      case 'call:ended': {
        const call = p.call as Call;
        if (this.#ringing?.id === call.id) this.#hideIncoming();
        this.#leave(call.roomId);
        break;
      }
      case 'lookin:started': {
        const l = p.lookIn as LookIn;
        const who = String(p.viewerName ?? T('family'));
        this.#sounds.chime();
        if (l.source === 'device') void this.#joinLookIn(l, who);
        else {
          this.#cameraLookIns.set(l.id, { who, camera: this.#cameraName(l.source) });
          this.#renderLive();
          // A camera added since we started: fetch its name.
          if (!this.#cameraNames.has(l.source)) {
            void this.#loadCameraNames().then(() => {
              const entry = this.#cameraLookIns.get(l.id);
              if (entry) entry.camera = this.#cameraName(l.source);
              this.#renderLive();
            });
          }
        }
        break;
      }
      case 'lookin:ended':
        this.#cameraLookIns.delete((p.lookIn as LookIn).id);
        this.#leave((p.lookIn as LookIn).roomId);
        this.#renderLive();
        break;
      case 'privacy:changed':
        this.#setPrivacy(p.privacy as PrivacyState);
        break;
      case 'settings:changed':
        if (this.#state) this.#state.household.settings = p.settings as HouseholdSettings;
        break;
      case 'notice': {
        const n = p.notice as Notice;
        const list = this.#state?.notices ?? [];
        if (!list.some((x) => x.id === n.id)) list.unshift(n);
        if (this.#state) this.#state.notices = list;
        this.#renderNotices(list);
        this.#sounds.chime();
        break;
      }
      default:
        break;
    }
  }

  // ---- calls -------------------------------------------------------------------------------

  #showIncoming(call: Call): void {
    if (this.#rooms.has(call.roomId)) return;
    this.#ringing = call;
    const who = call.callerRole === 'counsellor' ? `${T('counsellor')} ${call.callerName}` : call.callerName;
    $('incoming-who').textContent = T('incoming', { who });
    const btn = $<HTMLButtonElement>('answer');
    btn.disabled = false;
    btn.textContent = T('answer');
    $('incoming').hidden = false;
    this.#sounds.startRing();
    this.#setBodyState();
    btn.focus();
  }

  #hideIncoming(): void {
    this.#ringing = undefined;
    this.#sounds.stopRing();
    $('incoming').hidden = true;
    this.#setBodyState();
  }

  async #answer(): Promise<void> {
    const call = this.#ringing;
    if (!call) return;
    const btn = $<HTMLButtonElement>('answer');
    btn.disabled = true;
    btn.textContent = T('answering');
    this.#sounds.stopRing();
    // Reserved before asking, so the `call:answered` push that follows does not join a second time.
    const j: Joined = { kind: 'call', id: call.id, roomId: call.roomId, since: Date.now(), who: call.callerName };
    this.#rooms.set(call.roomId, j);
    try {
      const ticket = await this.#api.post<{ call: Call } & RoomTicket>(`/calls/${encodeURIComponent(call.id)}/answer`);
      this.#hideIncoming();
      await this.#enter(j, ticket.token, call.audioOnly);
    } catch (err) {
      this.#drop(j);
      this.#hideIncoming();
      if (err instanceof ApiError && err.code === 'gone') this.#flash(T('callGone'));
      else this.#handleApiError(err);
    }
  }

  async #joinCall(call: Call): Promise<void> {
    if (this.#rooms.has(call.roomId)) return;
    const j: Joined = { kind: 'call', id: call.id, roomId: call.roomId, since: Date.now(), who: call.callerName };
    this.#rooms.set(call.roomId, j);
    try {
      const ticket = await this.#api.post<RoomTicket>('/device/room-token', { roomId: call.roomId });
      await this.#enter(j, ticket.token, call.audioOnly);
    } catch (err) {
      this.#drop(j);
      this.#handleApiError(err);
    }
  }

  async #joinLookIn(lookIn: LookIn, viewerName: string): Promise<void> {
    if (this.#rooms.has(lookIn.roomId) || lookIn.source !== 'device') return;
    const j: Joined = { kind: 'lookin', id: lookIn.id, roomId: lookIn.roomId, since: Date.now(), who: viewerName };
    this.#rooms.set(lookIn.roomId, j);
    try {
      const ticket = await this.#api.post<RoomTicket>('/device/room-token', { roomId: lookIn.roomId });
      await this.#enter(j, ticket.token, false);
    } catch (err) {
      this.#drop(j);
      this.#handleApiError(err);
    }
  }

  /** Joins the room. Calls get the full-screen call view; look-ins send the camera only. */
  async #enter(j: Joined, token: string, audioOnly: boolean): Promise<void> {
    this.#rooms.set(j.roomId, j);
    const camera = !this.#privacy.active && !audioOnly;
    const publish: MediaSource[] = j.kind === 'lookin' ? (camera ? ['camera'] : []) : camera ? ['camera', 'microphone'] : ['microphone'];
    const session = new CallSession({ token, roomId: j.roomId, publish, audioOnly });
    j.session = session;
    (window as unknown as { callSession: CallSession }).callSession = session;
    session.on('state', (s) => {
      if (s === 'closed' || s === 'failed') this.#drop(j);
      this.#renderLive();
    });
    if (j.kind === 'call') {
      j.view = new CallView(session, {
        kiosk: true,
        onLeave: () => {
          void this.#api.post(`/calls/${encodeURIComponent(j.id)}/end`).catch(() => undefined);
          this.#drop(j);
        },
      });
      const host = $('call');
      host.replaceChildren(j.view.el);
      host.hidden = false;
      $('idle').hidden = true;
      this.#setBodyState();
    }
    try {
      await session.start();
      // Privacy may have turned on while we were joining.
      if (this.#privacy.active) await session.stopSource('camera');
      j.view?.refresh();
    } catch {
      session.close();
    }
    this.#renderLive();
  }

  #leave(roomId: string): void {
    const j = this.#rooms.get(roomId);
    if (!j) return;
    j.session?.close();
    this.#drop(j);
  }

  #drop(j: Joined): void {
    if (this.#rooms.get(j.roomId) !== j) return;
    this.#rooms.delete(j.roomId);
    j.session?.close();
    if (j.kind === 'call' && ![...this.#rooms.values()].some((r) => r.kind === 'call')) {
      $('call').hidden = true;
      $('call').replaceChildren();
      $('idle').hidden = false;
    }
    this.#setBodyState();
    this.#renderLive();
  }

  // ---- privacy -------------------------------------------------------------------------------

  async #togglePrivacy(): Promise<void> {
    if (!this.#state) return;
    const on = this.#privacy.cause !== 'button';
    const btn = $<HTMLButtonElement>('privacy');
    btn.disabled = true;
    // Act locally first: the camera stops the moment the button is pressed.
    if (on) await this.#stopCameras();
    try {
      this.#setPrivacy(await this.#api.post<PrivacyState>(`/households/${encodeURIComponent(this.#state.household.id)}/privacy`, { on }));
    } catch (err) {
      this.#handleApiError(err);
    } finally {
      btn.disabled = false;
    }
  }

  #setPrivacy(p: PrivacyState): void {
    const was = this.#privacy.active;
    this.#privacy = p;
    this.#renderPrivacy();
    if (p.active) void this.#stopCameras();
    else if (was) void this.#resumeCameras();
  }

  async #stopCameras(): Promise<void> {
    await Promise.all([...this.#rooms.values()].map((j) => j.session?.stopSource('camera').catch(() => undefined)));
    for (const j of this.#rooms.values()) j.view?.refresh();
    this.#renderLive();
  }

  /** Privacy off during a call: send the camera again (a token issued in privacy may refuse it). */
  async #resumeCameras(): Promise<void> {
    for (const j of this.#rooms.values()) {
      if (j.kind !== 'call' || !j.session || j.session.state !== 'joined') continue;
      await j.session.startSource('camera').catch(() => undefined);
      j.view?.refresh();
    }
    this.#renderLive();
  }

  // ---- rendering -----------------------------------------------------------------------------

  #renderPrivacy(): void {
    const p = this.#privacy;
    const el = $('privacy-state');
    el.dataset.active = String(p.active);
    el.textContent = p.cause === 'button' ? T('privacyButton') : p.cause === 'schedule' ? T('privacySchedule') : T('privacyOff');
    const btn = $('privacy');
    btn.textContent = p.cause === 'button' ? T('privacyOffBtn') : T('privacyOnBtn');
    btn.setAttribute('aria-pressed', String(p.cause === 'button'));
    document.body.dataset.privacy = p.active ? (p.cause ?? 'on') : 'off';
    const pill = $('privacy-pill');
    pill.hidden = !p.active;
    pill.textContent = T('privacyPill');
  }

  /** Red indicator whenever the camera is being sent into any room (paused by the camera button: off). */
  #renderLive(): void {
    const sending = [...this.#rooms.values()].filter((j) => j.session?.isSourceEnabled('camera') && j.session.state !== 'closed');
    const lookIn = sending.find((j) => j.kind === 'lookin');
    const camera = [...this.#cameraLookIns.values()][0];
    const live = sending.length > 0 || camera !== undefined;
    $('live').hidden = !live;
    $('live-text').textContent = lookIn
      ? T('liveLookIn', { who: lookIn.who })
      : sending.length > 0
        ? T('liveCall')
        : camera
          ? T('liveIpCamera', { camera: camera.camera, who: camera.who })
          : '';
    document.body.classList.toggle('is-live', live);
    document.body.dataset.live = String(live);
  }

  #renderNotices(list: Notice[]): void {
    const ol = $('notices');
    $('notices-title').textContent = T('noticesTitle');
    if (list.length === 0) {
      ol.innerHTML = `<li class="empty">${esc(T('noNotices'))}</li>`;
      return;
    }
    ol.innerHTML = list
      .slice(0, 6)
      .map(
        (n) => `<li data-notice-id="${esc(n.id)}"><div class="n-title">${esc(n.title)}</div><div class="n-body">${esc(n.body)}</div>` +
          `<div class="n-meta">${esc(T('from', { who: n.senderName }))} · ${esc(fmtTime(n.createdAt))}</div></li>`,
      )
      .join('');
  }

  #tick(): void {
    const now = new Date();
    const en = currentLang() === 'en';
    $('time').textContent = now.toLocaleTimeString(en ? 'en-GB' : 'zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hour12: false });
    $('date').textContent = now.toLocaleDateString(en ? 'en-GB' : 'zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'long', day: 'numeric', weekday: 'long' });
    this.#renderLive();
  }

  #setNet(online: boolean): void {
    const el = $('net');
    el.dataset.state = online ? 'online' : 'offline';
    el.textContent = online ? T('online') : T('offline');
  }

  #setBodyState(): void {
    document.body.dataset.state = this.#ringing ? 'ringing' : [...this.#rooms.values()].some((r) => r.kind === 'call') ? 'in-call' : 'idle';
  }

  #flash(text: string): void {
    $('net').textContent = text;
    setTimeout(() => this.#setNet(this.#live.socket.connected), 4000);
  }

  #handleApiError(err: unknown): void {
    if (err instanceof ApiError && err.code === 'unauthorized') {
      this.#revoked = true;
      fatal(T('revoked'));
      return;
    }
    if (err instanceof ApiError && err.status === 0) this.#setNet(false);
    console.warn('device api', err);
  }
}

function fatal(text: string): void {
  document.body.dataset.state = 'error';
  document.body.innerHTML = `<main class="dev-idle" style="grid-template-columns:1fr"><p class="clock-date">${esc(text)}</p></main>`;
}

/** Keep the screen on: the kiosk is a clock and a phone that must be seen ringing. */
async function keepAwake(): Promise<void> {
  const wl = (navigator as unknown as { wakeLock?: { request(kind: 'screen'): Promise<unknown> } }).wakeLock;
  await wl?.request('screen').catch(() => undefined);
}
document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && void keepAwake());
void keepAwake();

document.title = T('title');
$('lang').textContent = T('lang');
$('lang').addEventListener('click', toggleLang);
const token = pageToken('household-device-token');
if (!token) fatal(T('noToken'));
else (window as unknown as { deviceApp: DeviceApp }).deviceApp = new DeviceApp(token);
