// Counsellor / social worker desk: assigned households with their residents' care notes and the
// home devices' online status, device-offline alerts (pushed when raised and resolved), weekly
// check-in schedules with a prompt when one falls due, calls home (counsellor calls always
// ring), and notices to one household or to every household in a region, shown on the devices.
import { ApiError, type Api } from '../lib/api.ts';
import { CallSession } from '../lib/call-session.ts';
import { LANGUAGES, otherLanguage, startLanguage, t, toggleLanguage, viewContext } from '../lib/i18n.ts';
import { PageElement, define } from '../lib/page.ts';
import type { Message } from '../widgets/banner.ts';
import { Sounds, type PersonSession, personSession, ringsMe, type Call, type CallEndReason, type CheckInSchedule, type HouseholdAlert } from '../household/common.ts';
import { NEW_CHECK_IN, NEW_NOTICE, NEW_VISIT, counsellorView, homeName, noticeTarget, type CounsellorState } from './view-model.ts';
import { counsellorTemplate, type CounsellorActions } from './view.ts';

class CounsellorPage extends PageElement<CounsellorState> {
  static override properties = { ...PageElement.properties, session: { state: true }, message: { state: true } };
  declare session: CallSession | null;
  declare message: Message | undefined;

  #api: Api | undefined;
  #person: PersonSession | undefined;

  constructor() {
    super({ phase: 'running', who: '', households: [], alerts: [], checkIns: [], due: [], recent: [], room: null, incoming: null, visit: null, history: null, checkInForm: NEW_CHECK_IN, noticeForm: NEW_NOTICE });
    this.session = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#boot();
  }

  protected override render(): unknown {
    return counsellorTemplate(counsellorView(this.state, viewContext()), this.#actions, this.session, LANGUAGES[otherLanguage()].name, this.message);
  }

  protected override updated(): void {
    document.title = t('counsellor.title');
  }

  #show(text: string, kind: 'info' | 'error' = 'info'): void {
    this.message = { content: text, kind, ms: 0 };
  }

  #error(err: unknown): void {
    this.#show(t('counsellor.error', { m: (err as Error).message }), 'error');
  }

  async refresh(): Promise<void> {
    const api = this.#api;
    if (!api) return;
    try {
      const [households, alerts, checkIns, mine] = await Promise.all([
        api.call('household.list'),
        api.call('household.alerts'),
        api.call('household.checkIns'),
        api.call('household.myCalls', { query: { limit: 10 } }),
      ]);
      // Due and overdue check-ins come from the schedules and the visit records, so none is
      // lost while nobody was signed in.
      const due = await api.call('household.dueCheckIns').catch(() => this.state.due);
      this.set({ due });
      const ringing = mine.find((c) => ringsMe(c, this.#me)) ?? null;
      this.set({ households, alerts, checkIns, incoming: ringing });
      this.#syncRing();
      void this.#loadNotices();
    } catch (err) {
      this.#error(err);
    }
  }

  /** The notices I sent, newest first, with which households have read them. */
  async #loadNotices(): Promise<void> {
    const recent = await this.#api!.call('household.sentNotices', { query: { limit: 8 } }).catch(() => this.state.recent);
    this.set({ recent });
  }

  #onEvent(type: string, p: Record<string, unknown>): void {
    switch (type) {
      case 'call:ringing': {
        const call = p.call as Call;
        if (ringsMe(call, this.#me)) {
          this.set({ incoming: call });
          this.#syncRing();
        }
        break;
      }
      case 'alert:raised': {
        const a = p.alert as HouseholdAlert;
        if (!this.state.alerts.some((x) => x.id === a.id)) this.set({ alerts: [a, ...this.state.alerts] });
        void this.refresh();
        break;
      }
      case 'alert:resolved': {
        const a = p.alert as HouseholdAlert;
        // Resolved is not acknowledged: it stays listed (marked recovered) until someone acknowledges it.
        this.set({ alerts: this.state.alerts.map((x) => (x.id === a.id ? a : x)) });
        this.#show(t('counsellor.resolved', { home: homeName(this.state, a.householdId) }));
        void this.refresh();
        break;
      }
      case 'notice:read':
        void this.#loadNotices();
        break;
      case 'checkin:due': {
        const schedule = p.schedule as CheckInSchedule;
        this.set({ due: [...this.state.due.filter((d) => d.schedule.id !== schedule.id), { schedule, dueAt: String(p.dueAt) }] });
        break;
      }
      case 'call:answered': {
        if (this.state.incoming?.id === (p.call as Call).id) this.#clearIncoming();
        const room = this.state.room;
        if (room && (p.call as Call).id === room.call.id) this.set({ room: { ...room, answered: true } });
        break;
      }
      case 'call:ended': {
        if (this.state.incoming?.id === (p.call as Call).id) this.#clearIncoming();
        const room = this.state.room;
        if (room && (p.call as Call).id === room.call.id) {
          const reason = p.reason as CallEndReason;
          const key = reason === 'missed' ? 'counsellor.end_missed' : reason === 'declined' ? 'counsellor.end_declined' : reason === 'cancelled' ? 'counsellor.end_cancelled' : 'counsellor.end_hungup';
          this.#show(t(key, { home: room.home }));
          this.#closeRoom(false);
        }
        break;
      }
      default:
        break;
    }
  }

  // ---- actions -----------------------------------------------------------------------------

  // ---- calls from home (and SOS) that ring me --------------------------------------------------

  #me = '';
  readonly #sounds = new Sounds();

  #syncRing(): void {
    if (this.state.incoming && !this.state.room) this.#sounds.startRing('loud');
    else this.#sounds.stopRing();
  }

  #clearIncoming(): void {
    this.set({ incoming: null });
    this.#syncRing();
  }

  async #answer(callId: string): Promise<void> {
    const call = this.state.incoming;
    if (!call || call.id !== callId || this.state.room || !this.#api) return;
    this.#clearIncoming();
    const home = homeName(this.state, call.householdId);
    try {
      await this.#enter(await this.#api.call('household.answerCall', { params: { callId } }), home);
    } catch (err) {
      this.#error(err);
      this.#closeRoom(false);
    }
  }

  async #decline(callId: string): Promise<void> {
    this.#clearIncoming();
    await this.#api?.call('household.declineCall', { params: { callId } }).catch((err: unknown) => this.#error(err));
  }

  async #enter(ticket: { call: Call; token: string; roomId: string }, home: string): Promise<void> {
    const session = new CallSession({ token: ticket.token, roomId: ticket.roomId });
    this.session = session;
    this.set({ room: { call: ticket.call, home, answered: ticket.call.state === 'active' } });
    (window as unknown as { callSession: CallSession }).callSession = session;
    session.on('state', (s) => {
      if (s === 'closed' || s === 'failed') setTimeout(() => this.session === session && this.#closeRoom(false), 0);
    });
    await session.start();
  }

  async call(householdId: string): Promise<void> {
    await this.#start(householdId, (api) => api.call('household.startCall', { params: { householdId } }));
  }

  /** 求助 for a home without a device on to press it: rings its family (and other counsellors); the home camera joins. */
  async sos(householdId: string): Promise<void> {
    await this.#start(householdId, (api) => api.call('household.raiseSos', { params: { householdId } }));
  }

  async #start(householdId: string, open: (api: Api) => Promise<{ call: Call; token: string; roomId: string }>): Promise<void> {
    if (this.state.room || !this.#api) return;
    const home = homeName(this.state, householdId);
    try {
      const ticket = await open(this.#api);
      await this.#enter(ticket, home);
    } catch (err) {
      // A call that ended while we were joining already said why.
      if (this.state.room === null && !(err instanceof ApiError)) return;
      if (err instanceof ApiError && err.code === 'unavailable') this.#show(t('counsellor.e_offline', { home }), 'error');
      else this.#error(err);
      this.#closeRoom(false);
    }
  }

  /** The session ended under the page: out of the room, no more requests, the sign-in notice. */
  #signedOut(): void {
    this.#closeRoom(false);
    this.#api = undefined;
    this.set({ phase: 'no-token' });
  }

  #closeRoom(hangUp: boolean): void {
    const r = this.state.room;
    const session = this.session;
    this.session = null;
    this.set({ room: null });
    session?.close();
    // An answered check-in call is followed by its visit record.
    if (r?.answered) this.set({ visit: { ...NEW_VISIT, householdId: r.call.householdId, callId: r.call.id, ...this.#visitFor } });
    this.#visitFor = {};
    if (r && hangUp) void this.#api?.call('household.endCall', { params: { callId: r.call.id } }).catch(() => undefined);
  }

  async #ack(alertId: string): Promise<void> {
    try {
      const a = await this.#api!.call('household.acknowledgeAlert', { params: { alertId } });
      this.set({ alerts: this.state.alerts.map((x) => (x.id === a.id ? a : x)) });
    } catch (err) {
      this.#error(err);
    }
  }

  async #sendNotice(): Promise<void> {
    const target = noticeTarget(this.state);
    const f = this.state.noticeForm;
    if (!target) return;
    try {
      const r = await this.#api!.call('household.sendNotice', { body: { ...target, title: f.title.trim(), body: f.body.trim() } });
      this.#show(t('counsellor.sent', { n: r.householdIds.length }));
      this.set({ noticeForm: NEW_NOTICE });
      void this.#loadNotices();
    } catch (err) {
      this.#error(err);
    }
  }

  async #addCheckIn(): Promise<void> {
    const f = this.state.checkInForm;
    const household = f.household || this.state.households[0]?.household.id;
    if (!household) return;
    try {
      await this.#api!.call('household.scheduleCheckIn', { params: { householdId: household }, body: { days: f.days, time: f.time, note: f.note } });
      this.#show(t('counsellor.saved'));
      await this.refresh();
    } catch (err) {
      this.#error(err);
    }
  }

  // ---- visit records and history ------------------------------------------------------------

  /** The due check-in a call is for, carried into the visit record that follows it. */
  #visitFor: { scheduleId?: string; dueAt?: string } = {};

  async #saveVisit(): Promise<void> {
    const v = this.state.visit;
    if (!v || !this.#api) return;
    const { householdId, ...body } = v;
    try {
      await this.#api.call('household.recordVisit', { params: { householdId }, body: { ...body, concerns: body.concerns.trim(), followUp: body.followUp.trim() } });
      this.set({ visit: null });
      this.#show(t('counsellor.visitSaved', { home: homeName(this.state, householdId) }));
      await this.refresh();
      if (this.state.history?.householdId === householdId) await this.#showHistory(householdId);
    } catch (err) {
      this.#error(err);
    }
  }

  async #showHistory(householdId: string): Promise<void> {
    try {
      this.set({ history: await this.#api!.call('household.history', { params: { householdId } }) });
    } catch (err) {
      this.#error(err);
    }
  }

  readonly #actions: CounsellorActions = {
    sos: (householdId) => void this.sos(householdId),
    call: (householdId, scheduleId) => {
      const due = scheduleId ? this.state.due.find((d) => d.schedule.id === scheduleId) : undefined;
      this.#visitFor = due ? { scheduleId: due.schedule.id, dueAt: due.dueAt } : {};
      void this.call(householdId);
    },
    recordVisit: (householdId, scheduleId, dueAt) =>
      this.set({ visit: { ...NEW_VISIT, householdId, ...(scheduleId ? { scheduleId } : {}), ...(dueAt ? { dueAt } : {}) } }),
    setVisit: (patch) => this.state.visit && this.set({ visit: { ...this.state.visit, ...patch } }),
    saveVisit: () => void this.#saveVisit(),
    cancelVisit: () => this.set({ visit: null }),
    showHistory: (id) => void this.#showHistory(id),
    closeHistory: () => this.set({ history: null }),
    ack: (id) => void this.#ack(id),
    answer: (id) => void this.#answer(id),
    decline: (id) => void this.#decline(id),
    hangUp: () => this.#closeRoom(true),
    setCheckIn: (patch) => this.set({ checkInForm: { ...this.state.checkInForm, ...patch } }),
    toggleDay: (day, on) => {
      const days = this.state.checkInForm.days.filter((d) => d !== day);
      this.set({ checkInForm: { ...this.state.checkInForm, days: on ? [...days, day] : days } });
    },
    addCheckIn: () => void this.#addCheckIn(),
    setNotice: (patch) => this.set({ noticeForm: { ...this.state.noticeForm, ...patch } }),
    sendNotice: () => void this.#sendNotice(),
    signOut: () => void this.#person?.signOut(),
    toggleLanguage: () => toggleLanguage(),
  };

  async #boot(): Promise<void> {
    startLanguage();
    const signedIn = await personSession(
      'household-counsellor-token',
      'counsellor',
      (type, payload) => this.#onEvent(type, payload),
      () => void this.refresh(),
      () => this.#signedOut(),
    );
    if (!signedIn) return this.set({ phase: 'no-token' });
    this.#person = signedIn;
    this.#api = signedIn.api;
    this.set({ who: signedIn.name });
    this.#me = signedIn.sub;
    // Online status comes from heartbeats; redraw it now and then.
    setInterval(() => void this.refresh(), 20_000);
    (window as unknown as { counsellorApp: CounsellorPage }).counsellorApp = this;
    void this.refresh();
  }
}

define('counsellor-page', CounsellorPage);
