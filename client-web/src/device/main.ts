// The home device kiosk (平安心居终端): stays signed in with its device token, shows the time and
// notices, rings loudly with one big answer button (or joins at once when the household chose
// auto-answer — the backend decides and pushes `call:ringing` or `call:answered`), publishes its
// camera into look-ins, shows a red "camera live" indicator whenever its camera is sent, and has
// a privacy button. Reconnects by itself: socket.io retries, and every (re)connect and heartbeat
// re-reads /device/state, so nothing missed while offline is lost.
import { Api, ApiError } from '../lib/api.ts';
import { CallSession } from '../lib/call-session.ts';
import { LANGUAGES, otherLanguage, startLanguage, t, toggleLanguage, viewContext } from '../lib/i18n.ts';
import { LiveClient } from '../lib/live.ts';
import { PageElement, define } from '../lib/page.ts';
import { pageToken } from '../lib/token.ts';
import type { CallTiles } from '../widgets/call-tiles.ts';
import {
  Sounds,
  type Call,
  type DeviceState as ServerDeviceState,
  type LookIn,
  type Notice,
  type PrivacyState,
} from '../household/common.ts';
import type { MediaSource } from '../../../server/protocol/signalling.ts';
import { deviceView, type DeviceState, type RoomSummary } from './view-model.ts';
import { deviceTemplate, type DeviceActions } from './view.ts';

/** A room the device is in: a call (shown full screen) or a look-in (camera only, no view). */
interface Joined {
  kind: 'call' | 'lookin';
  id: string;
  roomId: string;
  since: number;
  who: string;
  session?: CallSession;
}

class DevicePage extends PageElement<DeviceState> {
  #api: Api | undefined;
  #live: LiveClient | undefined;
  readonly #sounds = new Sounds();
  readonly #rooms = new Map<string, Joined>();
  #household: ServerDeviceState['household'] | undefined;
  #cameraNames = new Map<string, string>();
  #flashTimer: ReturnType<typeof setTimeout> | undefined;
  #wasRinging = false;

  constructor() {
    super({
      phase: 'running',
      householdName: '',
      online: false,
      flash: null,
      privacy: { active: false, cause: null },
      privacyBusy: false,
      notices: [],
      ringing: null,
      answering: false,
      cameraLookIns: [],
    });
  }

  /** The live channel (exposed for diagnostics and the reconnect test). */
  get live(): LiveClient | undefined {
    return this.#live;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#boot();
  }

  protected override render(): unknown {
    const rooms: RoomSummary[] = [...this.#rooms.values()].map((j) => ({
      kind: j.kind,
      who: j.who,
      sendingCamera: !!j.session && j.session.state !== 'closed' && j.session.isSourceEnabled('camera'),
    }));
    const v = deviceView(this.state, rooms, viewContext());
    this.#shownCall = [...this.#rooms.values()].find((j) => j.kind === 'call' && j.session);
    this.#view = v;
    return deviceTemplate(v, this.#actions, this.#shownCall?.session ?? null, LANGUAGES[otherLanguage()].name);
  }

  #view: ReturnType<typeof deviceView> | undefined;
  /** The call whose tiles are on screen (its hang-up button ends that call). */
  #shownCall: Joined | undefined;

  protected override updated(): void {
    const v = this.#view!;
    document.title = v.title;
    const body = document.body;
    body.dataset.state = v.bodyState;
    body.dataset.privacy = v.privacy.attr;
    body.dataset.live = String(v.live !== null);
    body.classList.toggle('is-live', v.live !== null);
    // The answer button has the focus while it rings.
    if (v.incoming && !this.#wasRinging) this.querySelector<HTMLButtonElement>('#answer')?.focus();
    this.#wasRinging = v.incoming !== null;
  }

  // ---- state from the backend --------------------------------------------------------------

  #cameraName(id: string): string {
    return this.#cameraNames.get(id) ?? t('device.ipCamera');
  }

  /** Names of the household's IP cameras, for the live indicator. */
  async #loadCameraNames(): Promise<void> {
    try {
      const [view] = await this.#api!.call('household.list');
      this.#cameraNames = new Map((view?.cameras ?? []).map((c) => [c.id, c.name]));
    } catch {
      // Names are a nicety; the indicator falls back to a generic name.
    }
  }

  /** Heartbeat: tells the backend we are alive, answers with the full state to redraw from. */
  async #heartbeat(): Promise<void> {
    if (this.state.phase !== 'running' || !this.#api) return;
    const asked = Date.now();
    try {
      this.#apply(await this.#api.call('household.deviceHeartbeat'), asked);
      this.set({ online: !!this.#live?.socket.connected });
    } catch (err) {
      this.#apiError(err);
    }
  }

  #apply(s: ServerDeviceState, askedAt: number): void {
    this.#household = s.household;
    this.set({ householdName: s.household.name, notices: s.notices });
    this.#setPrivacy(s.privacy);
    const ringing = s.openCalls.find((c) => c.state === 'ringing');
    if (ringing && !this.#rooms.has(ringing.roomId)) this.#showIncoming(ringing);
    else if (!ringing && this.state.ringing) this.#hideIncoming();
    for (const c of s.openCalls) if (c.state === 'active') void this.#joinCall(c);
    for (const l of s.openLookIns) void this.#joinLookIn(l, t('device.family'));
    const openCameraLookIns = s.openLookIns.filter((l) => l.source !== 'device');
    const known = new Map(this.state.cameraLookIns.map((c) => [c.id, c]));
    this.set({ cameraLookIns: openCameraLookIns.map((l) => known.get(l.id) ?? { id: l.id, who: t('device.family'), camera: this.#cameraName(l.source) }) });
    // Rooms that are over (ended while we were offline); only those joined before we asked,
    // so an answer that raced this request is not undone.
    const open = new Set([...s.openCalls.filter((c) => c.state === 'active').map((c) => c.roomId), ...s.openLookIns.map((l) => l.roomId)]);
    for (const j of [...this.#rooms.values()]) if (!open.has(j.roomId) && j.since < askedAt) this.#leave(j.roomId);
  }

  #onEvent(type: string, payload: unknown): void {
    const p = payload as Record<string, unknown>;
    switch (type) {
      case 'call:ringing':
        this.#showIncoming(p.call as Call);
        break;
      case 'call:answered': {
        const call = p.call as Call;
        if (this.state.ringing?.id === call.id) this.#hideIncoming();
        void this.#joinCall(call);
        break;
      }
      case 'call:ended': {
        const call = p.call as Call;
        if (this.state.ringing?.id === call.id) this.#hideIncoming();
        this.#leave(call.roomId);
        break;
      }
      case 'lookin:started': {
        const l = p.lookIn as LookIn;
        const who = String(p.viewerName ?? t('device.family'));
        this.#sounds.chime();
        if (l.source === 'device') void this.#joinLookIn(l, who);
        else {
          this.set({ cameraLookIns: [...this.state.cameraLookIns.filter((c) => c.id !== l.id), { id: l.id, who, camera: this.#cameraName(l.source) }] });
          // A camera added since we started: fetch its name.
          if (!this.#cameraNames.has(l.source)) {
            void this.#loadCameraNames().then(() =>
              this.set({ cameraLookIns: this.state.cameraLookIns.map((c) => (c.id === l.id ? { ...c, camera: this.#cameraName(l.source) } : c)) }),
            );
          }
        }
        break;
      }
      case 'lookin:ended': {
        const l = p.lookIn as LookIn;
        this.set({ cameraLookIns: this.state.cameraLookIns.filter((c) => c.id !== l.id) });
        this.#leave(l.roomId);
        break;
      }
      case 'privacy:changed':
        this.#setPrivacy(p.privacy as PrivacyState);
        break;
      case 'settings:changed':
        if (this.#household) this.#household = { ...this.#household, settings: p.settings as ServerDeviceState['household']['settings'] };
        break;
      case 'notice': {
        const n = p.notice as Notice;
        if (!this.state.notices.some((x) => x.id === n.id)) this.set({ notices: [n, ...this.state.notices] });
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
    this.set({ ringing: call, answering: false });
    this.#sounds.startRing();
  }

  #hideIncoming(): void {
    this.#sounds.stopRing();
    this.set({ ringing: null, answering: false });
  }

  async #answer(): Promise<void> {
    const call = this.state.ringing;
    if (!call || !this.#api) return;
    this.set({ answering: true });
    this.#sounds.stopRing();
    // Reserved before asking, so the `call:answered` push that follows does not join a second time.
    const j: Joined = { kind: 'call', id: call.id, roomId: call.roomId, since: Date.now(), who: call.callerName };
    this.#rooms.set(call.roomId, j);
    try {
      const ticket = await this.#api.call('household.answerCall', { params: { callId: call.id } });
      this.#hideIncoming();
      await this.#enter(j, ticket.token, call.audioOnly);
    } catch (err) {
      this.#drop(j);
      this.#hideIncoming();
      if (err instanceof ApiError && err.code === 'gone') this.#flash(t('device.callGone'));
      else this.#apiError(err);
    }
  }

  async #joinCall(call: Call): Promise<void> {
    if (this.#rooms.has(call.roomId) || !this.#api) return;
    const j: Joined = { kind: 'call', id: call.id, roomId: call.roomId, since: Date.now(), who: call.callerName };
    this.#rooms.set(call.roomId, j);
    try {
      const ticket = await this.#api.call('household.deviceRoomToken', { body: { roomId: call.roomId } });
      await this.#enter(j, ticket.token, call.audioOnly);
    } catch (err) {
      this.#drop(j);
      this.#apiError(err);
    }
  }

  async #joinLookIn(lookIn: LookIn, viewerName: string): Promise<void> {
    if (this.#rooms.has(lookIn.roomId) || lookIn.source !== 'device' || !this.#api) return;
    const j: Joined = { kind: 'lookin', id: lookIn.id, roomId: lookIn.roomId, since: Date.now(), who: viewerName };
    this.#rooms.set(lookIn.roomId, j);
    try {
      const ticket = await this.#api.call('household.deviceRoomToken', { body: { roomId: lookIn.roomId } });
      await this.#enter(j, ticket.token, false);
    } catch (err) {
      this.#drop(j);
      this.#apiError(err);
    }
  }

  /** Joins the room. Calls get the full-screen call tiles; look-ins send the camera only. */
  async #enter(j: Joined, token: string, audioOnly: boolean): Promise<void> {
    this.#rooms.set(j.roomId, j);
    const camera = !this.state.privacy.active && !audioOnly;
    const publish: MediaSource[] = j.kind === 'lookin' ? (camera ? ['camera'] : []) : camera ? ['camera', 'microphone'] : ['microphone'];
    const session = new CallSession({ token, roomId: j.roomId, publish, audioOnly });
    j.session = session;
    (window as unknown as { callSession: CallSession }).callSession = session;
    session.on('state', (s) => {
      if (s === 'closed' || s === 'failed') this.#drop(j);
      this.requestUpdate();
    });
    this.requestUpdate();
    try {
      await session.start();
      // Privacy may have turned on while we were joining.
      if (this.state.privacy.active) await session.stopSource('camera');
      this.#refreshTiles();
    } catch {
      session.close();
    }
    this.requestUpdate();
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
    this.requestUpdate();
  }

  /** The tiles re-read the session after a change it does not announce (a source stopped). */
  #refreshTiles(): void {
    this.querySelector<CallTiles>('call-tiles')?.refresh();
    this.requestUpdate();
  }

  // ---- privacy -----------------------------------------------------------------------------

  async #togglePrivacy(): Promise<void> {
    const h = this.#household;
    if (!h || !this.#api) return;
    const on = this.state.privacy.cause !== 'button';
    this.set({ privacyBusy: true });
    // Act locally first: the camera stops the moment the button is pressed.
    if (on) await this.#stopCameras();
    try {
      this.#setPrivacy(await this.#api.call('household.setPrivacy', { params: { householdId: h.id }, body: { on } }));
    } catch (err) {
      this.#apiError(err);
    } finally {
      this.set({ privacyBusy: false });
    }
  }

  #setPrivacy(p: PrivacyState): void {
    const was = this.state.privacy.active;
    this.set({ privacy: p });
    if (p.active) void this.#stopCameras();
    else if (was) void this.#resumeCameras();
  }

  async #stopCameras(): Promise<void> {
    await Promise.all([...this.#rooms.values()].map((j) => j.session?.stopSource('camera').catch(() => undefined)));
    this.#refreshTiles();
  }

  /** Privacy off during a call: send the camera again (a token issued in privacy may refuse it). */
  async #resumeCameras(): Promise<void> {
    for (const j of this.#rooms.values()) {
      if (j.kind !== 'call' || !j.session || j.session.state !== 'joined') continue;
      await j.session.startSource('camera').catch(() => undefined);
    }
    this.#refreshTiles();
  }

  // ---- the rest ----------------------------------------------------------------------------

  #flash(text: string): void {
    clearTimeout(this.#flashTimer);
    this.set({ flash: text });
    this.#flashTimer = setTimeout(() => this.set({ flash: null, online: !!this.#live?.socket.connected }), 4000);
  }

  #apiError(err: unknown): void {
    if (err instanceof ApiError && err.code === 'unauthorized') {
      this.set({ phase: 'revoked' });
      return;
    }
    if (err instanceof ApiError && err.status === 0) this.set({ online: false });
    console.warn('device api', err);
  }

  readonly #actions: DeviceActions = {
    answer: () => void this.#answer(),
    togglePrivacy: () => void this.#togglePrivacy(),
    hangUp: () => {
      const j = this.#shownCall;
      if (!j) return;
      void this.#api?.call('household.endCall', { params: { callId: j.id } }).catch(() => undefined);
      this.#drop(j);
    },
    toggleLanguage: () => toggleLanguage(),
  };

  #boot(): void {
    startLanguage();
    const token = pageToken('household-device-token');
    if (!token) return this.set({ phase: 'no-token' });
    this.#api = new Api(token);
    const live = (this.#live = new LiveClient(token));
    live.on('household:event', ({ type, payload }) => this.#onEvent(type, payload));
    live.onConnect(() => {
      this.set({ online: true });
      void this.#heartbeat();
    });
    live.socket.on('disconnect', () => this.set({ online: false }));
    live.socket.on('connect_error', () => this.set({ online: false }));
    window.addEventListener('online', () => void this.#heartbeat());
    setInterval(() => void this.#heartbeat(), 15_000);
    // The clock, and the live indicator (a camera paused by its button sends nothing).
    setInterval(() => this.requestUpdate(), 1000);
    void this.#heartbeat();
    void this.#loadCameraNames();
    (window as unknown as { deviceApp: DevicePage }).deviceApp = this;
  }
}

/** Keep the screen on: the kiosk is a clock and a phone that must be seen ringing. */
async function keepAwake(): Promise<void> {
  const wl = (navigator as unknown as { wakeLock?: { request(kind: 'screen'): Promise<unknown> } }).wakeLock;
  await wl?.request('screen').catch(() => undefined);
}
document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && void keepAwake());
void keepAwake();

define('device-page', DevicePage);
