// Counsellor / social worker desk: assigned households with their residents' care notes and the
// home devices' online status, device-offline alerts (pushed when raised and resolved), weekly
// check-in schedules with a prompt when one falls due, calls home (counsellor calls always
// ring), and notices to one household or to every household in a region, shown on the devices.
import { ApiError, type Api } from '../lib/api.ts';
import { CallSession } from '../lib/call-session.ts';
import { LANGUAGES, otherLanguage, startLanguage, t, toggleLanguage, viewContext } from '../lib/i18n.ts';
import { PageElement, define } from '../lib/page.ts';
import type { Message } from '../widgets/banner.ts';
import { personSession, type Call, type CallEndReason, type CheckInSchedule, type DeviceAlert, type Notice } from '../household/common.ts';
import { NEW_CHECK_IN, NEW_NOTICE, counsellorView, homeName, noticeTarget, type CounsellorState } from './view-model.ts';
import { counsellorTemplate, type CounsellorActions } from './view.ts';

class CounsellorPage extends PageElement<CounsellorState> {
  static override properties = { ...PageElement.properties, session: { state: true }, message: { state: true } };
  declare session: CallSession | null;
  declare message: Message | undefined;

  #api: Api | undefined;

  constructor() {
    super({ phase: 'running', who: '', households: [], alerts: [], checkIns: [], due: [], recent: [], room: null, checkInForm: NEW_CHECK_IN, noticeForm: NEW_NOTICE });
    this.session = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#boot();
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
      const [households, alerts, checkIns] = await Promise.all([
        api.call('household.list'),
        api.call('household.alerts'),
        api.call('household.checkIns'),
      ]);
      this.set({ households, alerts, checkIns });
      void this.#loadNotices();
    } catch (err) {
      this.#error(err);
    }
  }

  /** What the assigned households' devices show now (one list, newest first). */
  async #loadNotices(): Promise<void> {
    const api = this.#api!;
    const lists = await Promise.all(this.state.households.map((v) => api.call('household.notices', { params: { householdId: v.household.id } }).catch(() => [])));
    const byId = new Map<string, Notice>();
    for (const n of lists.flat()) byId.set(n.id, n);
    this.set({ recent: [...byId.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, 8) });
  }

  #onEvent(type: string, p: Record<string, unknown>): void {
    switch (type) {
      case 'alert:raised': {
        const a = p.alert as DeviceAlert;
        if (!this.state.alerts.some((x) => x.id === a.id)) this.set({ alerts: [a, ...this.state.alerts] });
        void this.refresh();
        break;
      }
      case 'alert:resolved': {
        const a = p.alert as DeviceAlert;
        this.set({ alerts: this.state.alerts.filter((x) => x.id !== a.id) });
        this.#show(t('counsellor.resolved', { home: homeName(this.state, a.householdId) }));
        void this.refresh();
        break;
      }
      case 'checkin:due': {
        const schedule = p.schedule as CheckInSchedule;
        this.set({ due: [...this.state.due.filter((d) => d.schedule.id !== schedule.id), { schedule, dueAt: String(p.dueAt) }] });
        break;
      }
      case 'call:answered': {
        const room = this.state.room;
        if (room && (p.call as Call).id === room.call.id) this.set({ room: { ...room, answered: true } });
        break;
      }
      case 'call:ended': {
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

  async call(householdId: string): Promise<void> {
    if (this.state.room || !this.#api) return;
    const home = homeName(this.state, householdId);
    try {
      const ticket = await this.#api.call('household.startCall', { params: { householdId } });
      const session = new CallSession({ token: ticket.token, roomId: ticket.roomId });
      this.session = session;
      this.set({ room: { call: ticket.call, home, answered: false } });
      (window as unknown as { callSession: CallSession }).callSession = session;
      session.on('state', (s) => {
        if (s === 'closed' || s === 'failed') setTimeout(() => this.session === session && this.#closeRoom(false), 0);
      });
      await session.start();
    } catch (err) {
      // A call that ended while we were joining already said why.
      if (this.state.room === null && !(err instanceof ApiError)) return;
      if (err instanceof ApiError && err.code === 'unavailable') this.#show(t('counsellor.e_offline', { home }), 'error');
      else this.#error(err);
      this.#closeRoom(false);
    }
  }

  #closeRoom(hangUp: boolean): void {
    const r = this.state.room;
    const session = this.session;
    this.session = null;
    this.set({ room: null });
    session?.close();
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

  readonly #actions: CounsellorActions = {
    call: (householdId, scheduleId) => {
      if (scheduleId) this.set({ due: this.state.due.filter((d) => d.schedule.id !== scheduleId) });
      void this.call(householdId);
    },
    ack: (id) => void this.#ack(id),
    hangUp: () => this.#closeRoom(true),
    setCheckIn: (patch) => this.set({ checkInForm: { ...this.state.checkInForm, ...patch } }),
    toggleDay: (day, on) => {
      const days = this.state.checkInForm.days.filter((d) => d !== day);
      this.set({ checkInForm: { ...this.state.checkInForm, days: on ? [...days, day] : days } });
    },
    addCheckIn: () => void this.#addCheckIn(),
    setNotice: (patch) => this.set({ noticeForm: { ...this.state.noticeForm, ...patch } }),
    sendNotice: () => void this.#sendNotice(),
    toggleLanguage: () => toggleLanguage(),
  };

  #boot(): void {
    startLanguage();
    const signedIn = personSession('household-counsellor-token', (type, payload) => this.#onEvent(type, payload), () => void this.refresh());
    if (!signedIn) return this.set({ phase: 'no-token' });
    this.#api = signedIn.api;
    this.set({ who: signedIn.name });
    // Online status comes from heartbeats; redraw it now and then.
    setInterval(() => void this.refresh(), 20_000);
    (window as unknown as { counsellorApp: CounsellorPage }).counsellorApp = this;
    void this.refresh();
  }
}

define('counsellor-page', CounsellorPage);
