// The home device kiosk (平安心居终端): stays signed in with its device token, shows the time and
// notices, rings loudly with one big answer button (or joins at once when the household chose
// auto-answer — the backend decides and pushes `call:ringing` or `call:answered`), publishes its
// camera into look-ins, shows a red "camera live" indicator whenever its camera is sent, and has
// a privacy button. The home calls out with a picture button per family member and counsellor,
// asks for help with the always-visible 求助 button (the screen shows whom it is ringing, step by
// step), measures activity on its own camera without sending a picture, and blacks out the
// privacy masks the household drew before its camera leaves it. Reconnects by itself: socket.io retries, and every (re)connect and heartbeat
// re-reads /device/state, so nothing missed while offline is lost.
import { Api, ApiError } from '../lib/api.ts';
import { CallSession } from '../lib/call-session.ts';
import { LANGUAGES, otherLanguage, startLanguage, t, toggleLanguage, viewContext } from '../lib/i18n.ts';
import { LiveClient } from '../lib/live.ts';
import { PageElement, define } from '../lib/page.ts';
import { pageToken } from '../lib/token.ts';
import { DeviceCredential } from '../lib/device-credential.ts';
import { pairingScreen } from '../widgets/pairing.ts';
import type { Pairing } from '../../../server/protocol/http/identity-shapes.ts';
import type { CallTiles } from '../widgets/call-tiles.ts';
import {
  Sounds,
  type Call,
  type DeviceState as ServerDeviceState,
  type LookIn,
  type Notice,
  type MaskRect,
  type PrivacyState,
} from '../household/common.ts';
import type { MediaSource } from '../../../server/protocol/signalling.ts';
import { ActivityMeter } from './activity.ts';
import { maskedCamera, rectBetween } from './masks.ts';
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
  /** The pairing screen while the device has no credential: null until the first code arrives. */
  #pairing: Pairing | null | undefined;
  readonly #sounds = new Sounds();
  readonly #rooms = new Map<string, Joined>();
  #household: ServerDeviceState['household'] | undefined;
  #cameraNames = new Map<string, string>();
  #flashTimer: ReturnType<typeof setTimeout> | undefined;
  #wasRinging = false;
  #quiet = false;
  readonly #meter = new ActivityMeter();
  #maskPreview: MediaStream | undefined;
  #drawFrom: { x: number; y: number } | undefined;

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
      contacts: [],
      missedIn: [],
      outgoing: null,
      placing: null,
      masks: [],
      maskDraft: null,
      consents: [],
      lookInRules: { allowed: false, schedule: [] },
      cameraNames: {},
      consentsOpen: false,
    });
  }

  /** The live channel (exposed for diagnostics and the reconnect test). */
  get live(): LiveClient | undefined {
    return this.#live;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#boot();
  }

  protected override render(): unknown {
    if (this.#pairing !== undefined) return pairingScreen('home-device', this.#pairing);
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
    if (this.#pairing !== undefined) {
      document.title = t('pairing.title');
      return;
    }
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
      this.set({ cameraNames: Object.fromEntries(this.#cameraNames) });
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

  #beatTimer: ReturnType<typeof setInterval> | undefined;
  #beatSeconds = 0;

  /** Beats at the server's pace: four times inside its offline-alert time (15 s by default). */
  #beatEvery(seconds: number): void {
    if (seconds === this.#beatSeconds) return;
    this.#beatSeconds = seconds;
    clearInterval(this.#beatTimer);
    this.#beatTimer = setInterval(() => void this.#heartbeat(), seconds * 1000);
  }

  #apply(s: ServerDeviceState, askedAt: number): void {
    this.#beatEvery(s.heartbeatSeconds);
    this.#household = s.household;
    this.#quiet = s.quiet;
    const outgoing = s.openCalls.find((c) => c.state === 'ringing' && c.direction === 'from-home') ?? null;
    this.set({
      householdName: s.household.name, notices: s.notices, contacts: s.contacts, missedIn: s.missedIn, masks: s.device.masks, consents: s.consents,
      lookInRules: { allowed: s.household.settings.lookInAllowed, schedule: s.household.settings.privacySchedule },
      ...(this.state.placing ? {} : { outgoing }),
    });
    this.#deviceId = s.device.id;
    this.#setPrivacy(s.privacy);
    this.#syncActivityWatch();
    const ringing = s.openCalls.find((c) => c.state === 'ringing' && c.direction === 'to-home');
    if (ringing && !this.#rooms.has(ringing.roomId)) this.#showIncoming(ringing);
    else if (!ringing && this.state.ringing) this.#hideIncoming();
    for (const c of s.openCalls) if (c.state === 'active') void this.#joinCall(c);
    // The viewer by name (the push says it too; whichever comes first names the red light).
    const viewer = (l: LookIn) => s.contacts.find((c) => c.id === l.memberId)?.name ?? t('device.family');
    for (const l of s.openLookIns) void this.#joinLookIn(l, viewer(l));
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
      case 'call:updated': {
        const call = p.call as Call;
        if (this.state.outgoing?.id === call.id) this.set({ outgoing: call });
        break;
      }
      case 'call:answered': {
        const call = p.call as Call;
        if (this.state.ringing?.id === call.id) this.#hideIncoming();
        if (this.state.outgoing?.id === call.id) this.#endOutgoing();
        void this.#joinCall(call);
        break;
      }
      case 'call:ended': {
        const call = p.call as Call;
        if (this.state.ringing?.id === call.id) this.#hideIncoming();
        if (this.state.outgoing?.id === call.id) {
          this.#endOutgoing();
          if (p.reason === 'missed' || p.reason === 'declined') this.#flash(t(p.reason === 'missed' ? 'device.outMissed' : 'device.outDeclined'));
        }
        this.#leave(call.roomId);
        // The missed-call list follows: a call just missed joins it, a call back answered clears it.
        void this.#heartbeat();
        break;
      }
      case 'masks:changed':
        if (p.deviceId === this.#deviceId) this.set({ masks: p.masks as MaskRect[] });
        break;
      case 'lookin:started': {
        const l = p.lookIn as LookIn;
        const who = String(p.viewerName ?? t('device.family'));
        if (!this.#quiet) this.#sounds.chime();
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
        if (this.#household) {
          this.#household = { ...this.#household, settings: p.settings as ServerDeviceState['household']['settings'] };
          this.set({ lookInRules: { allowed: this.#household.settings.lookInAllowed, schedule: this.#household.settings.privacySchedule } });
        }
        this.#syncActivityWatch();
        break;
      case 'consent:changed':
        // The heartbeat answers with the consents in force.
        void this.#heartbeat();
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
    // Quiet hours: the household chose a soft ring at night.
    this.#sounds.startRing(call.quiet ? 'soft' : 'loud');
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

  /** The decline button: the caller is told at once instead of ringing on until it counts as missed. */
  async #decline(): Promise<void> {
    const call = this.state.ringing;
    if (!call || !this.#api) return;
    this.set({ answering: true });
    this.#hideIncoming();
    try {
      await this.#api.call('household.declineCall', { params: { callId: call.id } });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'gone')) this.#apiError(err);
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
    const session = new CallSession({
      token, roomId: j.roomId, publish, audioOnly,
      // The masks are painted into the picture here, before it is encoded: masked pixels never leave.
      cameraFilter: (track) => maskedCamera(track, () => this.state.masks),
    });
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
    this.#syncActivityWatch();
  }

  // ---- calling out and 求助 ------------------------------------------------------------------

  async #callOut(contactId: string): Promise<void> {
    if (!this.#api || this.state.placing || this.state.outgoing) return;
    this.set({ placing: 'call' });
    try {
      const { call } = await this.#api.call('household.callOut', { body: { calleeId: contactId } });
      // Answered before this returned: the call:answered push already took us in.
      this.set({ outgoing: call.state === 'ringing' ? call : null });
      if (call.state === 'ringing') this.#sounds.startRing('soft');
    } catch (err) {
      if (err instanceof ApiError && err.code === 'conflict') this.#flash(t('device.busy'));
      else this.#apiError(err);
    } finally {
      this.set({ placing: null });
    }
  }

  /** Always accepted by the server; a call in progress ends so help can come. */
  async #sos(): Promise<void> {
    if (!this.#api || this.state.placing === 'sos') return;
    this.set({ placing: 'sos' });
    this.#hideIncoming();
    try {
      const { call } = await this.#api.call('household.sos');
      this.set({ outgoing: call.state === 'ringing' ? call : null });
    } catch (err) {
      this.#apiError(err);
      this.#flash(t('device.sosFailed'));
    } finally {
      this.set({ placing: null });
    }
  }

  #endOutgoing(): void {
    this.#sounds.stopRing();
    this.set({ outgoing: null });
  }

  #cancelOutgoing(): void {
    const call = this.state.outgoing;
    if (!call) return;
    this.#endOutgoing();
    void this.#api?.call('household.endCall', { params: { callId: call.id } }).catch(() => undefined);
  }

  // ---- the no-activity watch (numbers only leave the device) ----------------------------------

  #deviceId = '';
  #reportTimer: ReturnType<typeof setInterval> | undefined;

  /** Measures while the household's watch is on and privacy is off (privacy means no camera at all). */
  #syncActivityWatch(): void {
    const want = this.state.phase === 'running' && !!this.#household?.settings.activityWatch.enabled && !this.state.privacy.active;
    if (want && !this.#meter.running) {
      this.#meter.start().catch((err: unknown) => console.warn('activity watch: no camera', err));
      this.#reportTimer ??= setInterval(() => void this.#reportActivity(), reportEveryMs());
    } else if (!want && this.#meter.running) {
      this.#meter.stop();
      void this.#reportActivity();
    }
  }

  async #reportActivity(): Promise<void> {
    const minutes = this.#meter.take();
    if (!this.#api || minutes.length === 0) return;
    try {
      await this.#api.call('household.reportActivity', { body: { minutes } });
    } catch (err) {
      this.#meter.putBack(minutes);
      this.#apiError(err);
    }
  }

  // ---- privacy masks -------------------------------------------------------------------------

  async #openMasks(): Promise<void> {
    if (this.state.maskDraft) return;
    this.set({ maskDraft: [...this.state.masks] });
    await this.updateComplete;
    // A local preview to draw on: shown on this screen only, nothing is sent.
    try {
      this.#maskPreview = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 360 } } });
      const v = this.querySelector<HTMLVideoElement>('#mask-preview');
      if (v && this.state.maskDraft) v.srcObject = this.#maskPreview;
      else this.#closeMasks();
    } catch (err) {
      console.warn('mask editor: no camera', err);
    }
  }

  #maskPointer(e: PointerEvent): void {
    const draft = this.state.maskDraft;
    const stage = e.currentTarget as HTMLElement;
    if (!draft) return;
    const box = stage.getBoundingClientRect();
    const at = { x: e.clientX - box.left, y: e.clientY - box.top };
    if (e.type === 'pointerdown') {
      this.#drawFrom = at;
      stage.setPointerCapture?.(e.pointerId);
    } else if (e.type === 'pointerup' && this.#drawFrom) {
      const r = rectBetween(this.#drawFrom, at, box);
      this.#drawFrom = undefined;
      if (r && draft.length < 8) this.set({ maskDraft: [...draft, r] });
    }
  }

  async #saveMasks(): Promise<void> {
    const rects = this.state.maskDraft;
    if (!rects || !this.#api) return;
    try {
      const d = await this.#api.call('household.setMasks', { params: { deviceId: this.#deviceId }, body: { rects } });
      this.set({ masks: d.masks });
      this.#closeMasks();
      this.#flash(t('device.masksSaved'));
    } catch (err) {
      this.#apiError(err);
    }
  }

  #closeMasks(): void {
    for (const tr of this.#maskPreview?.getTracks() ?? []) tr.stop();
    this.#maskPreview = undefined;
    this.#drawFrom = undefined;
    this.set({ maskDraft: null });
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
    callOut: (id) => void this.#callOut(id),
    sos: () => void this.#sos(),
    cancelOutgoing: () => this.#cancelOutgoing(),
    openMasks: () => void this.#openMasks(),
    maskPointer: (e) => this.#maskPointer(e),
    clearMasks: () => this.set({ maskDraft: [] }),
    saveMasks: () => void this.#saveMasks(),
    closeMasks: () => this.#closeMasks(),
    toggleConsents: () => this.set({ consentsOpen: !this.state.consentsOpen }),
    decline: () => void this.#decline(),
    togglePrivacy: () => void this.#togglePrivacy(),
    hangUp: () => {
      const j = this.#shownCall;
      if (!j) return;
      void this.#api?.call('household.endCall', { params: { callId: j.id } }).catch(() => undefined);
      this.#drop(j);
    },
    toggleLanguage: () => toggleLanguage(),
  };

  async #boot(): Promise<void> {
    startLanguage();
    // A development token (the dev sign-in), else the device's own enrolled credential.
    let token: string | (() => string) | null = pageToken('household-device-token');
    let credential: DeviceCredential | undefined;
    if (!token) {
      this.#pairing = null;
      this.requestUpdate();
      credential = await DeviceCredential.obtain('home-device', (p) => {
        this.#pairing = p;
        this.requestUpdate();
      });
      this.#pairing = undefined;
      // Revoked while running: its calls have ended; start over from the pairing screen.
      credential.onLost(() => location.reload());
      token = credential.token;
    }
    this.#api = new Api(token);
    const live = (this.#live = new LiveClient(token));
    live.socket.on('disconnect', (reason) => {
      if (reason === 'io server disconnect') void credential?.check().then((ok) => ok && live.socket.connect());
    });
    live.on('household:event', ({ type, payload }) => this.#onEvent(type, payload));
    live.onConnect(() => {
      this.set({ online: true });
      void this.#heartbeat();
    });
    live.socket.on('disconnect', () => this.set({ online: false }));
    live.socket.on('connect_error', () => this.set({ online: false }));
    window.addEventListener('online', () => void this.#heartbeat());
    this.#beatEvery(15);
    // The clock, and the live indicator (a camera paused by its button sends nothing).
    setInterval(() => this.requestUpdate(), 1000);
    void this.#heartbeat();
    void this.#loadCameraNames();
    (window as unknown as { deviceApp: DevicePage }).deviceApp = this;
  }
}

/** How often the activity numbers are sent (`?activityReportSeconds=`, 1–300; a minute by default). */
function reportEveryMs(): number {
  const v = Number(new URLSearchParams(location.search).get('activityReportSeconds'));
  return Number.isFinite(v) && v >= 1 ? Math.min(300, Math.max(1, v)) * 1000 : 60_000;
}

/** Keep the screen on: the kiosk is a clock and a phone that must be seen ringing. */
async function keepAwake(): Promise<void> {
  const wl = (navigator as unknown as { wakeLock?: { request(kind: 'screen'): Promise<unknown> } }).wakeLock;
  await wl?.request('screen').catch(() => undefined);
}
document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && void keepAwake());
void keepAwake();

define('device-page', DevicePage);
