// Village terminal kiosk (视频接访终端): one tap on a big category button starts a petition; the
// screen then shows the case number, the place in the queue and an honest wait, offers a
// reception-day appointment or a call-back when waiting makes no sense, runs the call once an
// official accepts (audio-only fallback), asks for a rating with big buttons and ends on a
// receipt with the case number. Chinese for every petitioner (an English switch in the header),
// ≥24px text, nothing to type unless a helper (代办员) wants to fill in details.
import { Api } from '../lib/api.ts';
import { CallSession } from '../lib/call-session.ts';
import { LANGUAGES, language, otherLanguage, setLanguage, startLanguage, t, toggleLanguage, viewContext } from '../lib/i18n.ts';
import { LiveClient } from '../lib/live.ts';
import { formatTime } from '../lib/time.ts';
import { PageElement, define } from '../lib/page.ts';
import { pageToken, readClaims } from '../lib/token.ts';
import { DeviceCredential } from '../lib/device-credential.ts';
import { pairingScreen } from '../widgets/pairing.ts';
import type { Pairing } from '../../../server/protocol/http/identity-shapes.ts';
import { plainError, type CaseLookup, type Rating, type StartedPetition, type WaitInfo } from '../petition-ui/common.ts';
import type { Message } from '../widgets/banner.ts';
import '../widgets/banner.ts';
import { EMPTY_ENTRY, caseIdOf, pressKey, regionCovers, type KeypadEntry } from './life-view-model.ts';
import { DEFAULT_KIOSK_POLICY, IN_ROOM, NO_DETAILS, initialTerminalState, terminalView, type Flag, type Screen, type TerminalState, type TerminalView } from './view-model.ts';
import { terminalTemplate, type TerminalActions } from './view.ts';

/** Helper-entered details do not linger for the next person: cleared after a while untouched. */
const IDLE_CLEAR_MS = 3 * 60_000;

class TerminalPage extends PageElement<TerminalState> {
  static override properties = { ...PageElement.properties, session: { state: true }, toast: { state: true } };
  declare session: CallSession | null;
  declare toast: Message | undefined;

  /** The pairing screen while the terminal has no credential: null until the first code arrives. */
  #pairing: Pairing | null | undefined;
  #credential: DeviceCredential | undefined;
  #api: Api | undefined;
  #live: LiveClient | undefined;
  #terminalId: string | undefined;
  #region = '';
  #caseKey = 'terminal.caseId.';
  #room: { roomId: string; token: string } | null = null;
  #joining = false;
  #hadPeers = false;
  /** The petitioner hung up: do not pull them back into the call on the next push. */
  #hungUp = false;
  #resetTimer: ReturnType<typeof setTimeout> | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Walk-away safety while waiting: 还在吗? after a while untouched, then give the place up. */
  #awayTimer: ReturnType<typeof setTimeout> | undefined;
  #view: TerminalView | undefined;
  #lastSaid = '';

  constructor() {
    super(initialTerminalState(localStorage.getItem('terminal.voice') !== 'off'));
    this.session = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#boot();
  }

  protected override render(): unknown {
    if (this.#pairing !== undefined) return pairingScreen('terminal', this.#pairing);
    this.#view = terminalView(this.state, viewContext());
    return terminalTemplate(this.#view, this.#actions, this.session, LANGUAGES[otherLanguage()].name, this.toast);
  }

  protected override updated(): void {
    if (this.#pairing !== undefined) {
      document.title = t('pairing.title');
      return;
    }
    const v = this.#view!;
    document.title = v.title;
    document.body.dataset.screen = v.screen;
    if (v.speech) this.#say(v.speech);
  }

  // ---- spoken prompts: many petitioners read little; the terminal says what the screen says ----

  #say(text: string): void {
    if (!this.state.voiceOn || text === this.#lastSaid || !('speechSynthesis' in window)) return;
    this.#lastSaid = text;
    try {
      speechSynthesis.cancel();
      const u = new SpeechSynthesisUtterance(text);
      u.lang = LANGUAGES[language()].tag;
      u.rate = 0.85;
      speechSynthesis.speak(u);
    } catch {
      // No speech on this machine: the screen still says it.
    }
  }

  // ---- screens ------------------------------------------------------------------------------

  #show(screen: Screen, patch: Partial<TerminalState> = {}): void {
    clearTimeout(this.#resetTimer);
    this.set({ screen, rating: false, dialog: null, ...(screen === 'call' ? {} : { ratingOverCall: false }), ...patch });
    this.#armAway();
    const receiptMs = this.state.policy.receiptSeconds * 1000;
    if (screen === 'start') this.#touchIdle();
    if (screen === 'rating') this.#resetTimer = setTimeout(() => this.#receipt(), receiptMs);
    if (screen === 'receipt') this.#resetTimer = setTimeout(() => this.#finish(), receiptMs);
  }

  // ---- walk-away safety: nobody is left queued in front of an empty terminal ------------------

  /** (Re)starts the untouched-while-waiting clock; any other screen has none. */
  #armAway(): void {
    clearTimeout(this.#awayTimer);
    if (this.state.screen !== 'waiting') return;
    const p = this.state.policy;
    const ask = () => {
      if (this.state.screen !== 'waiting') return;
      this.set({ dialog: { kind: 'still-there', until: Date.now() + p.stillThereAnswerSeconds * 1000 } });
      this.#awayTimer = setTimeout(() => void this.#walkedAway(), p.stillThereAnswerSeconds * 1000);
    };
    this.#awayTimer = setTimeout(ask, p.stillThereAfterSeconds * 1000);
  }

  /** A touch while waiting: somebody is there (and 还在吗? is answered). */
  #touchWaiting(): void {
    if (this.state.screen !== 'waiting') return;
    if (this.state.dialog?.kind === 'still-there') this.set({ dialog: null });
    this.#armAway();
  }

  /** Nobody answered 还在吗?: a call-back when there is a phone number to call, else the place is given up. */
  async #walkedAway(): Promise<void> {
    const c = this.state.current;
    if (!c || this.state.screen !== 'waiting') return;
    if (c.phone) await this.#takeOffer('callback');
    else await this.#withdraw('idle');
  }

  async #withdraw(why: 'petitioner' | 'idle'): Promise<void> {
    const c = this.state.current;
    if (!c || !this.#api) return;
    try {
      this.set({ current: await this.#api.call('petition.withdraw', { params: { caseId: c.id }, body: { why } }), dialog: null });
      this.#receipt();
    } catch (err) {
      // Taken up meanwhile (an official is connecting): the screen follows the case instead.
      this.#showToast(plainError(err));
      this.set({ dialog: null });
      void this.#refreshCase();
    }
  }

  #fatal(message: string): void {
    this.#show('error', { fatal: message });
  }

  #showToast(text: string): void {
    this.toast = { content: text, ms: 6000 };
  }

  #touchIdle(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      if (this.state.screen === 'start') this.set({ details: NO_DETAILS });
    }, IDLE_CLEAR_MS);
  }

  #receipt(): void {
    if (!this.state.current) return this.#show('start', { starting: null });
    this.#show('receipt');
  }

  #rating(): void {
    this.#show('rating');
  }

  #ratingOverCall(): void {
    if (this.state.screen !== 'call') return this.#rating();
    this.set({ ratingOverCall: true });
  }

  // ---- the petition --------------------------------------------------------------------------

  async #start(category: string, booking?: { dayId: string; slot: number }): Promise<void> {
    if (!this.#terminalId || !this.#api || this.state.starting) return;
    const d = this.state.details;
    this.set({ starting: category });
    const phone = d.phone.replace(/\s+/g, '');
    const body = {
      terminalId: this.#terminalId,
      category,
      ...(d.petitionerName.trim() ? { petitionerName: d.petitionerName.trim() } : {}),
      ...(phone ? { phone } : {}),
      ...(d.description.trim() ? { description: d.description.trim() } : {}),
      ...(d.elderly || d.disabled || d.urgent ? { flags: { elderly: d.elderly, disabled: d.disabled, urgent: d.urgent } } : {}),
      ...(booking ? { booking } : {}),
    };
    try {
      await this.#began(await this.#api.call('petition.start', { body }));
    } catch (err) {
      this.#showToast(plainError(err));
      this.#show('start', { starting: null });
    }
  }

  /** A petition begun here (a new one, or a 复查 asked for at this terminal): wait for the office, or a booked slot. */
  async #began(started: StartedPetition): Promise<void> {
    const departmentNames = started.departments.map((x) => x.name);
    this.#room = { roomId: started.roomId, token: started.token };
    this.#hungUp = false;
    localStorage.setItem(this.#caseKey, started.case.id);
    localStorage.setItem(`${this.#caseKey}.departments`, JSON.stringify(departmentNames));
    await this.#live?.watchCase(started.case.id).catch(() => undefined);
    const patch = { current: started.case, departmentNames, wait: started.wait, waitReadAt: Date.now(), details: NO_DETAILS, starting: null, queryCode: started.queryCode, chosenSlot: null, found: null };
    if (started.case.state === 'appointment') this.#show('receipt', patch);
    else this.#show('waiting', patch);
  }

  // ---- the case life: lookup by number + query code, reception days, call-backs ------------

  /** The keypad's case number and code, once complete. */
  #entered(): { caseId: string; code: string } | null {
    const caseId = caseIdOf(this.state.entry);
    return caseId && this.state.entry.code.length === 6 ? { caseId, code: this.state.entry.code } : null;
  }

  /** One lookup call at a time; what it answers is shown on the found screen. */
  async #lookupCall(fn: (key: { caseId: string; code: string }) => Promise<CaseLookup | void>): Promise<void> {
    const key = this.#entered();
    if (!key || this.state.rating) return;
    this.set({ rating: true });
    try {
      const found = await fn(key);
      this.#show('found', { ...(found ? { found } : {}) });
    } catch (err) {
      this.#showToast(plainError(err));
      this.set({ rating: false });
    }
  }

  async #requestReview(): Promise<void> {
    const key = this.#entered();
    if (!key || !this.#api) return;
    try {
      await this.#began(await this.#api.call('petition.lookupReview', { body: key }));
    } catch (err) {
      this.#showToast(plainError(err));
    }
  }

  async #openDays(): Promise<void> {
    try {
      this.#show('days', { days: (await this.#api!.call('petition.receptionDays')).filter((d) => regionCovers(d.regionCode, this.#region)), chosenSlot: null });
    } catch (err) {
      this.#showToast(plainError(err));
    }
  }

  /** The official calls back by video: answer, and the call runs with the case on screen. */
  async #answerRinging(): Promise<void> {
    const r = this.state.ringing;
    if (!r || !this.#api) return;
    try {
      this.#room = await this.#api.call('petition.answerCallback', { params: { callbackId: r.callbackId } });
      const current = await this.#api.call('petition.getCase', { params: { caseId: r.caseId } });
      localStorage.setItem(this.#caseKey, current.id);
      await this.#live?.watchCase(current.id).catch(() => undefined);
      this.#hungUp = false;
      this.set({ current, ringing: null, departmentNames: [r.office] });
      this.#show('call');
      await this.#startSession();
    } catch (err) {
      this.#showToast(plainError(err));
      this.#finish();
    }
  }

  /** Takes up the offer instead of waiting: a reception-day slot, or a call-back. */
  async #takeOffer(offer: { dayId: string; slot: number } | 'callback'): Promise<void> {
    const c = this.state.current;
    if (!c || !this.#api) return;
    const params = { caseId: c.id };
    try {
      const current = offer === 'callback' ? await this.#api.call('petition.requestCallback', { params }) : await this.#api.call('petition.bookAppointment', { params, body: offer });
      this.set({ current });
      this.#receipt();
    } catch (err) {
      this.#showToast(plainError(err));
      void this.#refreshWait();
    }
  }

  async #refreshWait(): Promise<void> {
    const c = this.state.current;
    if (!c || !this.#api || this.state.screen !== 'waiting') return;
    try {
      const w = await this.#api.call('petition.wait', { params: { caseId: c.id } });
      this.set({ wait: w, waitReadAt: Date.now() });
      if (w.state !== this.state.current?.state) await this.#refreshCase();
    } catch (err) {
      this.#showToast(plainError(err));
    }
  }

  /** A pushed wait of the case on screen; `next` is null when it cannot be had from the push alone. */
  #pushedWait(caseId: string, next: (shown: WaitInfo | null) => WaitInfo | null): void {
    const c = this.state.current;
    if (this.state.screen !== 'waiting' || !c || caseId !== c.id) return;
    const w = next(this.state.wait?.caseId === c.id ? this.state.wait : null);
    if (!w) return void this.#refreshWait();
    this.set({ wait: w, waitReadAt: Date.now() });
    if (w.state !== c.state) void this.#refreshCase();
  }

  async #refreshCase(): Promise<void> {
    const c = this.state.current;
    if (!c || !this.#api) return;
    try {
      this.set({ current: await this.#api.call('petition.getCase', { params: { caseId: c.id } }) });
    } catch (err) {
      this.#showToast(plainError(err));
      return;
    }
    this.#follow();
  }

  /** Moves the screen to where the case is. */
  #follow(): void {
    const c = this.state.current;
    if (!c) return;
    const s = c.state;
    if (s === 'queued' || s === 'registered') {
      if (this.state.screen !== 'waiting') this.#show('waiting');
      else void this.#refreshWait();
    } else if (IN_ROOM.includes(s)) {
      if (this.session) return;
      if (this.#hungUp) this.#receipt();
      else void this.#joinCall();
    } else if (s === 'handled') {
      if (this.session) this.#ratingOverCall();
      else if (this.state.screen !== 'rating') this.#rating();
    } else {
      this.#leaveCall();
      this.#receipt();
    }
  }

  // ---- the call ------------------------------------------------------------------------------

  async #joinCall(): Promise<void> {
    const c = this.state.current;
    if (!c || !this.#api || this.session || this.#joining) return;
    this.#joining = true;
    try {
      this.#room ??= await this.#api.call('petition.roomToken', { params: { caseId: c.id } });
    } catch (err) {
      this.#showToast(plainError(err));
      return;
    } finally {
      this.#joining = false;
    }
    if (this.session) return;
    this.#show('call');
    await this.#startSession();
  }

  async #startSession(): Promise<void> {
    const room = this.#room;
    const c = this.state.current;
    if (!room || !c) return;
    this.#hadPeers = false;
    const s = new CallSession({ token: room.token, roomId: room.roomId, ...(c.petitionerName ? { note: c.petitionerName } : {}), audioOnly: this.state.audioOnly });
    this.session = s;
    (window as unknown as { callSession: CallSession }).callSession = s;
    this.set({ call: s.status });
    s.on('status', (status) => this.session === s && this.set({ call: status }));
    s.on('peers', (peers) => {
      if (peers.size > 0) this.#hadPeers = true;
      // Everyone left after the opinion: the session is over, time to rate.
      else if (this.#hadPeers && this.state.current?.state === 'handled' && this.state.screen === 'call') this.#ratingOverCall();
    });
    s.on('state', (st) => {
      if (st === 'failed') this.#showToast(t('terminal.videoFailed'));
    });
    try {
      await s.start();
    } catch (err) {
      console.error('terminal call | failed', err);
      this.#showToast(t('terminal.cannotConnect'));
    }
  }

  async #switchAudioOnly(): Promise<void> {
    const old = this.session;
    this.session = null;
    this.set({ audioOnly: !this.state.audioOnly });
    old?.close();
    await this.#startSession();
  }

  /** The call's own hang-up button. */
  #hangUp(): void {
    this.session = null;
    this.#hungUp = true;
    if (this.state.current?.state === 'handled') this.#rating();
    else this.#receipt();
  }

  #leaveCall(): void {
    const s = this.session;
    this.session = null;
    s?.close();
  }

  async #rate(r: Rating): Promise<void> {
    const c = this.state.current;
    if (!c || !this.#api) return;
    this.set({ rating: true });
    try {
      this.set({ current: await this.#api.call('petition.rate', { params: { caseId: c.id }, body: { rating: r } }) });
      this.#leaveCall();
      this.#receipt();
    } catch (err) {
      this.#showToast(plainError(err));
      this.set({ rating: false });
    }
  }

  /** Back to the start screen, in Chinese, for the next person (or to the lookup a receipt's QR code asked for). */
  #finish(lookup: KeypadEntry | null = null): void {
    this.#leaveCall();
    this.#room = null;
    this.#hungUp = false;
    localStorage.removeItem(this.#caseKey);
    localStorage.removeItem(`${this.#caseKey}.departments`);
    setLanguage('zh', { remember: false });
    this.#show(lookup ? 'lookup' : 'start', { current: null, wait: null, audioOnly: false, starting: null, departmentNames: [], queryCode: null, entry: lookup ?? EMPTY_ENTRY, found: null, document: null, chosenSlot: null, ringing: null });
  }

  readonly #actions: TerminalActions = {
    start: (category) => void this.#start(category),
    setDetail: (name, value) => this.set({ details: { ...this.state.details, [name]: value } }),
    toggleFlag: (flag: Flag) => this.set({ details: { ...this.state.details, [flag]: !this.state.details[flag] } }),
    toggleAudioOnly: () => this.set({ audioOnly: !this.state.audioOnly }),
    book: (dayId, slot) => void this.#takeOffer({ dayId, slot }),
    callback: () => void this.#takeOffer('callback'),
    switchAudioOnly: () => void this.#switchAudioOnly(),
    hangUp: () => this.#hangUp(),
    rate: (r) => void this.#rate(r),
    skipRating: () => this.#receipt(),
    // Hung up by mistake while the officials are still there: one tap back in.
    backToCall: () => {
      clearTimeout(this.#resetTimer);
      this.#hungUp = false;
      void this.#joinCall();
    },
    toRating: () => this.#rating(),
    done: () => this.#finish(),
    toggleVoice: () => {
      const voiceOn = !this.state.voiceOn;
      localStorage.setItem('terminal.voice', voiceOn ? 'on' : 'off');
      if (!voiceOn && 'speechSynthesis' in window) speechSynthesis.cancel();
      this.#lastSaid = '';
      this.set({ voiceOn });
    },
    toggleLanguage: () => toggleLanguage({ remember: false }),
    openLookup: () => this.#show('lookup', { entry: EMPTY_ENTRY, found: null, document: null }),
    key: (key) => this.set({ entry: pressKey(this.state.entry, key) }),
    field: (field) => this.set({ entry: { ...this.state.entry, field } }),
    submitLookup: () => void this.#lookupCall((body) => this.#api!.call('petition.lookup', { body })),
    rateResult: (rating) => void this.#lookupCall((key) => this.#api!.call('petition.lookupRate', { body: { ...key, rating } })),
    requestReview: () => void this.#requestReview(),
    requestCallback: () =>
      void this.#lookupCall(async (body) => {
        await this.#api!.call('petition.lookupCallback', { body });
        return this.#api!.call('petition.lookup', { body });
      }),
    openDocument: (documentId) => {
      const key = this.#entered();
      if (!key) return;
      this.#api!.call('petition.lookupDocument', { body: { ...key, documentId } }).then(
        (document) => this.set({ document }),
        (err: unknown) => this.#showToast(plainError(err)),
      );
    },
    closeDocument: () => this.set({ document: null }),
    openDays: () => void this.#openDays(),
    chooseSlot: (dayId, slot) => this.set({ chosenSlot: { dayId, slot } }),
    bookCategory: (category) => {
      const slot = this.state.chosenSlot;
      if (slot) void this.#start(category, slot);
    },
    answerRinging: () => void this.#answerRinging(),
    backToStart: () => this.#finish(),
    askWithdraw: () => this.set({ dialog: { kind: 'withdraw' } }),
    withdraw: () => void this.#withdraw('petitioner'),
    keepWaiting: () => {
      this.set({ dialog: null });
      this.#armAway();
    },
  };

  // ---- boot ----------------------------------------------------------------------------------

  async #boot(): Promise<void> {
    startLanguage({ remember: false });
    setInterval(() => this.requestUpdate(), 1000);
    // A development token (the dev sign-in), else the terminal's own enrolled credential.
    let token: string | (() => string) | null = pageToken('terminal.token');
    if (!token) {
      this.#pairing = null;
      this.requestUpdate();
      const credential = await DeviceCredential.obtain('terminal', (p) => {
        this.#pairing = p;
        this.requestUpdate();
      });
      this.#pairing = undefined;
      // Revoked while running: start over from the pairing screen.
      credential.onLost(() => location.reload());
      this.#credential = credential;
      token = credential.token;
    }
    const claims = readClaims(typeof token === 'function' ? token() : token);
    this.#terminalId = claims?.attributes.terminalId;
    if (!token || !claims || claims.role !== 'terminal' || !this.#terminalId) return this.#fatal(t('terminal.notSignedIn'));
    this.#caseKey = `terminal.caseId.${this.#terminalId}`;
    this.#region = claims.attributes.region ?? '';
    this.set({ place: claims.name });
    for (const type of ['input', 'click', 'pointerdown', 'keydown']) {
      this.addEventListener(type, () => {
        this.#touchIdle();
        this.#touchWaiting();
      });
    }
    const api = (this.#api = new Api(token));
    const live = (this.#live = new LiveClient(token));
    // The server pushes this case's new place in the queue whenever its queues change: the whole
    // wait, or only the place when the offer is unchanged (merged into the wait shown).
    live.on('petition:wait', (w) => this.#pushedWait(w.caseId, () => w as WaitInfo));
    live.on('petition:place', (p) => this.#pushedWait(p.caseId, (shown) => shown && { ...shown, ...p }));
    live.on('petition:case-changed', (p) => {
      if (this.state.current && p.caseId === this.state.current.id) void this.#refreshCase();
    });
    // The day of a slot booked here: the 代办员 sees whom to remind.
    live.on('petition:reminder', (r) => {
      this.toast = { content: t('terminal.reminder', { id: r.caseId, when: formatTime(r.at, 'friendlyTime', language()), leader: r.leaderName, place: r.place }), ms: 60_000 };
    });
    // An official calls this terminal point back by video: it rings like an incoming call.
    live.on('petition:ringing', (r) => {
      if (this.session) return;
      this.#show('ringing', { ringing: r, document: null });
    });
    live.socket.on('disconnect', (reason) => {
      this.set({ offline: true });
      // The server closed it: perhaps the device was revoked (then the credential is lost).
      if (reason === 'io server disconnect') void this.#credential?.check().then((ok) => ok && live.socket.connect());
    });
    live.socket.io.on('reconnect_attempt', () => this.set({ offline: true }));
    live.onConnect(() => {
      this.set({ offline: false });
      const c = this.state.current;
      if (c) void live.watchCase(c.id).then(() => this.#refreshCase(), () => undefined);
    });
    // Presence is this connection (its ping is the heartbeat); wait updates are pushed on it.

    try {
      const rules = await api.call('petition.routingRules');
      const w = rules.waiting;
      this.set({
        categories: rules.categories,
        policy: {
          stillThereAfterSeconds: w?.stillThereAfterSeconds ?? DEFAULT_KIOSK_POLICY.stillThereAfterSeconds,
          stillThereAnswerSeconds: w?.stillThereAnswerSeconds ?? DEFAULT_KIOSK_POLICY.stillThereAnswerSeconds,
          receiptSeconds: w?.receiptSeconds ?? DEFAULT_KIOSK_POLICY.receiptSeconds,
        },
      });
    } catch (err) {
      return this.#fatal(plainError(err));
    }
    // A reload resumes the case on screen (remembered per terminal).
    const saved = localStorage.getItem(this.#caseKey);
    if (saved) {
      try {
        const current = await api.call('petition.getCase', { params: { caseId: saved } });
        const departmentNames = JSON.parse(localStorage.getItem(`${this.#caseKey}.departments`) ?? '[]') as string[];
        if (['rated', 'archived'].includes(current.state)) return this.#finish(lookupAsked());
        const wait = current.state === 'queued' ? await api.call('petition.wait', { params: { caseId: saved } }) : null;
        this.set({ current, departmentNames, wait, waitReadAt: Date.now() });
        this.#follow();
        return;
      } catch {
        localStorage.removeItem(this.#caseKey);
        this.set({ current: null });
      }
    }
    this.#finish(lookupAsked());
  }
}

/** Opened from a receipt's QR code (`?lookup=<case number>`): the keypad with the number filled in, the query code to type. */
function lookupAsked(): KeypadEntry | null {
  const id = new URLSearchParams(location.search).get('lookup');
  return id && /^XF\d{8}-\d{6}$/.test(id) ? { ...EMPTY_ENTRY, caseDigits: id.replace(/\D/g, ''), field: 'code' } : null;
}

define('terminal-page', TerminalPage);
