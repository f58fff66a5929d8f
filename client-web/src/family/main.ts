// Family app (migrant workers' phones and PCs): the households they belong to with the home
// devices' online status, one tap to call home (video, or audio only on a poor network), a
// view-only look-in where the household allows it, several family members in one call (a second
// caller joins the open call), and the missed calls. The backend decides every permission; the
// page shows its refusals in plain words. A call from home (or an SOS) rings loudly with answer
// and decline; managers see the access log and the consent record and can withdraw consent.
import { ApiError, type Api } from '../lib/api.ts';
import { CallSession } from '../lib/call-session.ts';
import { LANGUAGES, otherLanguage, startLanguage, t, toggleLanguage, viewContext } from '../lib/i18n.ts';
import { PageElement, define } from '../lib/page.ts';
import type { Message } from '../widgets/banner.ts';
import { Sounds, type PersonSession, errorDetail, personSession, ringsMe, type Call, type CallEndReason, type LookIn, type RoomTicket } from '../household/common.ts';
import { draftOf, familyView, settingsOfDraft, type FamilyState, type RoomInfo, type SettingsDraft } from './view-model.ts';
import { familyTemplate, type FamilyActions } from './view.ts';

const REFUSALS = { 'no-consent': 'family.e_no_consent', 'privacy-mode': 'family.e_privacy_mode', 'privacy-schedule': 'family.e_privacy_schedule', 'look-in-disabled': 'family.e_look_in_disabled', 'device-offline': 'family.e_device_offline' } as const;

class FamilyPage extends PageElement<FamilyState> {
  static override properties = { ...PageElement.properties, session: { state: true }, message: { state: true } };
  declare session: CallSession | null;
  declare message: Message | undefined;

  #api: Api | undefined;
  #person: PersonSession | undefined;
  readonly #sounds = new Sounds();
  #countdown: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super({ phase: 'running', who: '', loaded: false, households: [], missed: {}, room: null, drafts: {}, incoming: null, fromHome: [], accessLog: {} });
    this.session = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#boot();
  }

  protected override render(): unknown {
    const conn = (navigator as unknown as { connection?: { effectiveType?: string } }).connection;
    const weak = !!conn?.effectiveType && ['slow-2g', '2g', '3g'].includes(conn.effectiveType);
    return familyTemplate(familyView(this.state, weak, viewContext()), this.#actions, this.session, LANGUAGES[otherLanguage()].name, this.message);
  }

  protected override updated(): void {
    document.title = t('family.title');
    const room = this.state.room;
    if (room) document.body.dataset.room = room.kind;
    else delete document.body.dataset.room;
  }

  #show(text: string, kind: 'error' | 'info' = 'error', reason?: string): void {
    this.message = { content: text, kind, ...(reason ? { reason } : {}), ms: 20_000 };
  }

  #error(err: unknown): void {
    if (err instanceof ApiError) {
      const reason = errorDetail(err, 'reason');
      if (err.code === 'forbidden' && reason && reason in REFUSALS) return this.#show(t(REFUSALS[reason as keyof typeof REFUSALS]), 'error', reason);
      if (err.code === 'rate_limited') return this.#show(t('family.e_rate'), 'error', 'rate-limited');
    }
    this.#show(t('family.e_generic', { m: err instanceof Error ? err.message : String(err) }), 'error', (err as { code?: string }).code);
  }

  async refresh(): Promise<void> {
    const api = this.#api;
    if (!api) return;
    try {
      const households = await api.call('household.list');
      const missed: Record<string, Call[]> = {};
      const accessLog: FamilyState['accessLog'] = {};
      await Promise.all(
        households.map(async (h) => {
          // The household's own missed list holds calls to home; calls from home come from my calls.
          missed[h.household.id] = (await api.call('household.missedCalls', { params: { householdId: h.household.id }, query: { limit: 10 } }).catch(() => [])).filter((c) => c.direction !== 'from-home');
          if (h.myPermission === 'manage') accessLog[h.household.id] = await api.call('household.accessLog', { params: { householdId: h.household.id }, query: { limit: 30 } }).catch(() => []);
        }),
      );
      const fromHome = await api.call('household.myCalls', { query: { limit: 20 } }).catch(() => [] as Call[]);
      this.set({ households, missed, accessLog, fromHome, loaded: true });
      const ringing = fromHome.find((c) => ringsMe(c, this.#me));
      if (ringing && !this.state.room) this.#ring(ringing);
      else if (!ringing && this.state.incoming) this.#stopRinging();
    } catch (err) {
      this.#error(err);
    }
  }

  // ---- settings (managers only; the backend checks) ----------------------------------------

  #editSettings(householdId: string, edit: (d: SettingsDraft) => SettingsDraft): void {
    const v = this.state.households.find((h) => h.household.id === householdId);
    if (!v) return;
    this.set({ drafts: { ...this.state.drafts, [householdId]: edit(this.state.drafts[householdId] ?? draftOf(v)) } });
  }

  async #saveSettings(householdId: string): Promise<void> {
    const v = this.state.households.find((h) => h.household.id === householdId);
    if (!v || !this.#api) return;
    try {
      await this.#api.call('household.updateSettings', { params: { householdId }, body: settingsOfDraft(this.state.drafts[householdId] ?? draftOf(v)) });
      const { [householdId]: _saved, ...drafts } = this.state.drafts;
      this.set({ drafts });
      this.#show(t('family.saved'), 'info');
      await this.refresh();
    } catch (err) {
      this.#error(err);
    }
  }

  async #setPrivacy(householdId: string, on: boolean): Promise<void> {
    try {
      await this.#api?.call('household.setPrivacy', { params: { householdId }, body: { on } });
      await this.refresh();
    } catch (err) {
      this.#error(err);
    }
  }

  // ---- calls from home ------------------------------------------------------------------------

  #me = '';

  #ring(call: Call): void {
    if (this.state.incoming?.id === call.id) return;
    this.set({ incoming: call });
    this.#sounds.startRing('loud');
  }

  #stopRinging(): void {
    this.#sounds.stopRing();
    this.set({ incoming: null });
  }

  async #answer(callId: string): Promise<void> {
    const call = this.state.incoming;
    if (!call || call.id !== callId || !this.#api || this.state.room) return;
    this.#stopRinging();
    try {
      const ticket = await this.#api.call('household.answerCall', { params: { callId } });
      this.#open({ kind: 'call', id: call.id, householdId: call.householdId, isCaller: true, audioOnly: call.audioOnly, phase: 'in', endsAt: null }, ticket.token, ticket.roomId);
    } catch (err) {
      // Someone else answered first: the call goes on without me (I can still join from the card).
      if (err instanceof ApiError && err.code === 'gone') this.#show(t('family.answeredElsewhere'), 'info');
      else this.#error(err);
      void this.refresh();
    }
  }

  async #decline(callId: string): Promise<void> {
    this.#stopRinging();
    await this.#api?.call('household.declineCall', { params: { callId } }).catch((err: unknown) => this.#error(err));
    void this.refresh();
  }

  async #setConsent(householdId: string, memberId: string, grant: boolean): Promise<void> {
    try {
      await this.#api?.call('household.changeConsent', { params: { householdId }, body: { memberId, source: '*', action: grant ? 'granted' : 'withdrawn' } });
      this.#show(t(grant ? 'family.consentGrantedNow' : 'family.consentWithdrawnNow'), 'info');
      await this.refresh();
    } catch (err) {
      this.#error(err);
    }
  }

  // ---- calls and look-ins ------------------------------------------------------------------

  async call(householdId: string, audioOnly: boolean): Promise<void> {
    const api = this.#api;
    if (this.state.room || !api) return;
    this.message = undefined;
    let ticket: { call: Call } & RoomTicket;
    let isCaller = true;
    try {
      ticket = await api.call('household.startCall', { params: { householdId }, body: { audioOnly } });
    } catch (err) {
      const callId = errorDetail(err, 'callId');
      if (err instanceof ApiError && err.code === 'conflict' && callId) {
        // Home is already in a call (another family member): join it — several cities, one call.
        try {
          ticket = await api.call('household.joinCall', { params: { callId } });
          isCaller = false;
        } catch (e) {
          this.#error(e);
          return;
        }
      } else {
        if (err instanceof ApiError && err.code === 'unavailable') this.#show(t('family.e_offline'));
        else this.#error(err);
        void this.refresh();
        return;
      }
    }
    const { call } = ticket;
    const phase = call.state === 'ringing' && isCaller ? 'ringing' : isCaller ? 'in' : 'joined';
    this.#open({ kind: 'call', id: call.id, householdId, isCaller, audioOnly: call.audioOnly, phase, endsAt: null }, ticket.token, ticket.roomId);
  }

  /** 求助 for a home whose device cannot press it: rings the rest of the family and the counsellors, and the home camera joins. */
  async sos(householdId: string): Promise<void> {
    if (this.state.room || !this.#api) return;
    this.message = undefined;
    try {
      const { call, token, roomId } = await this.#api.call('household.raiseSos', { params: { householdId } });
      this.#open({ kind: 'call', id: call.id, householdId, isCaller: true, audioOnly: false, phase: 'sos', endsAt: null }, token, roomId);
    } catch (err) {
      this.#error(err);
      void this.refresh();
    }
  }

  /** `source`: the home device (null) or one of the household's IP cameras. */
  async lookIn(householdId: string, source: string | null): Promise<void> {
    if (this.state.room || !this.#api) return;
    this.message = undefined;
    try {
      const l = await this.#api.call('household.startLookIn', { params: { householdId }, body: source ? { source } : {} });
      // The server ends a look-in by itself at endsAt; show what is left (from its own duration,
      // so a skewed phone clock does not matter).
      const endsAt = Date.now() + (Date.parse(l.lookIn.endsAt) - Date.parse(l.lookIn.startedAt));
      this.#open({ kind: 'lookin', id: l.lookIn.id, householdId, isCaller: true, audioOnly: false, phase: 'lookin', endsAt }, l.token, l.roomId);
      this.#countdown = setInterval(() => this.requestUpdate(), 1000);
    } catch (err) {
      this.#error(err);
      void this.refresh();
    }
  }

  #open(r: Omit<RoomInfo, 'home'>, token: string, roomId: string): void {
    const home = this.state.households.find((h) => h.household.id === r.householdId)?.household.name ?? '';
    const session = new CallSession({
      token,
      roomId,
      audioOnly: r.audioOnly,
      // A look-in is view only: nothing of ours goes into the home.
      ...(r.kind === 'lookin' ? { publish: [] } : {}),
    });
    const room: RoomInfo = { ...r, home };
    this.#setRoom(room);
    this.session = session;
    (window as unknown as { callSession: CallSession }).callSession = session;
    session.on('state', (s) => {
      // Deferred: the hang-up button closes the session first and then fires leave.
      if (s === 'closed' || s === 'failed') setTimeout(() => this.session === session && this.#leave(false), 0);
    });
    session.start().catch((err: unknown) => {
      // A call that ended while we were joining already said why; do not cover that message.
      if (this.session !== session) return;
      this.#error(err);
      this.#leave(false);
    });
  }

  /** The room's phase; ringback while the home has not answered. */
  #setRoom(room: RoomInfo | null): void {
    if (room?.phase === 'ringing') this.#sounds.startRing('soft');
    else this.#sounds.stopRing();
    this.set({ room });
  }

  /** Back to the list; `hangUp` tells the backend (the caller ends the call, the viewer the look-in). */
  #leave(hangUp: boolean): void {
    const r = this.state.room;
    const session = this.session;
    if (!r) return;
    this.session = null;
    this.#setRoom(null);
    clearInterval(this.#countdown);
    session?.close();
    if (hangUp && r.kind === 'call' && r.isCaller) void this.#api?.call('household.endCall', { params: { callId: r.id } }).catch(() => undefined);
    if (hangUp && r.kind === 'lookin') void this.#api?.call('household.endLookIn', { params: { lookInId: r.id } }).catch(() => undefined);
    void this.refresh();
  }

  /** The session ended under the page: out of the room, no more requests, the sign-in notice. */
  #signedOut(): void {
    this.#leave(false);
    this.#api = undefined;
    this.set({ phase: 'no-token' });
  }

  #onEvent(type: string, p: Record<string, unknown>): void {
    const r = this.state.room;
    switch (type) {
      case 'call:ringing': {
        const call = p.call as Call;
        if (ringsMe(call, this.#me) && !this.state.room) this.#ring(call);
        break;
      }
      case 'call:answered':
        if (r?.kind === 'call' && (p.call as Call).id === r.id) this.#setRoom({ ...r, phase: 'in' });
        if (this.state.incoming?.id === (p.call as Call).id) {
          this.#stopRinging();
          this.#show(t('family.answeredBy', { who: (p.call as Call).answeredBy?.name ?? '' }), 'info');
        }
        break;
      case 'call:ended': {
        const call = p.call as Call;
        if (this.state.incoming?.id === call.id) this.#stopRinging();
        if (r?.kind === 'call' && call.id === r.id) {
          const reason = p.reason as CallEndReason;
          this.#show(t(reason === 'missed' ? 'family.end_missed' : reason === 'declined' ? 'family.end_declined' : reason === 'cancelled' ? 'family.end_cancelled' : 'family.end_hungup'), 'info');
          this.#leave(false);
        } else void this.refresh();
        break;
      }
      case 'lookin:ended': {
        const l = p.lookIn as LookIn;
        if (r?.kind === 'lookin' && l.id === r.id) {
          const reason = String(p.reason);
          this.#show(t(reason === 'privacy' ? 'family.end_lookin_privacy' : reason === 'time-limit' ? 'family.end_lookin_time' : 'family.end_lookin'), reason === 'privacy' ? 'error' : 'info');
          this.#leave(false);
        }
        break;
      }
      case 'privacy:changed':
      case 'settings:changed':
      case 'consent:changed':
      case 'alert:raised':
      case 'alert:resolved':
        void this.refresh();
        break;
      default:
        break;
    }
  }

  readonly #actions: FamilyActions = {
    call: (hid, audioOnly) => void this.call(hid, audioOnly),
    sos: (hid) => void this.sos(hid),
    lookIn: (hid, source) => void this.lookIn(hid, source),
    leave: () => this.#leave(true),
    editSettings: (hid, edit) => this.#editSettings(hid, edit),
    saveSettings: (hid) => void this.#saveSettings(hid),
    setPrivacy: (hid, on) => void this.#setPrivacy(hid, on),
    answer: (id) => void this.#answer(id),
    decline: (id) => void this.#decline(id),
    setConsent: (hid, mid, grant) => void this.#setConsent(hid, mid, grant),
    signOut: () => void this.#person?.signOut(),
    toggleLanguage: () => toggleLanguage(),
  };

  async #boot(): Promise<void> {
    startLanguage();
    const signedIn = await personSession(
      'household-family-token',
      'family',
      (type, payload) => this.#onEvent(type, payload),
      () => void this.refresh(),
      () => this.#signedOut(),
    );
    if (!signedIn) return this.set({ phase: 'no-token' });
    this.#person = signedIn;
    this.#api = signedIn.api;
    this.set({ who: signedIn.name });
    this.#me = signedIn.sub;
    setInterval(() => void this.refresh(), 30_000);
    (window as unknown as { familyApp: FamilyPage }).familyApp = this;
    void this.refresh();
  }
}

define('family-page', FamilyPage);
