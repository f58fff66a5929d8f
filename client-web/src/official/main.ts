// Official desk (接访工作台): presence with heartbeats, the office's queue (and the official's own
// reception-day queue), accept next (offer → accept) or join an invitation, the case with its
// deadline clocks and timeline, the call, and the session's actions: invite another office or
// the level above, transfer, escalate, handling opinion, extension, end.
import { Api } from '../lib/api.ts';
import { CallSession } from '../lib/call-session.ts';
import { LANGUAGES, otherLanguage, startLanguage, t, toggleLanguage, viewContext } from '../lib/i18n.ts';
import { LiveClient } from '../lib/live.ts';
import { PageElement, define } from '../lib/page.ts';
import { html, nothing } from 'lit';
import '../property/invitations.ts';
import { debounce, plainError, requestId, type Assignment, type Case, type Desk, type RoomAccess } from '../petition-ui/common.ts';
import { deskSignIn } from '../petition-ui/desk.ts';
import type { PageSession } from '../lib/session.ts';
import type { Message } from '../widgets/banner.ts';
import {
  EMPTY_FORM,
  caseIdOfTicket,
  officeName,
  officialView,
  targets,
  type ActionForm,
  type OfficialState,
  type Presence,
} from './view-model.ts';
import { officialTemplate, type OfficialActions } from './view.ts';

const TOKEN_KEY = 'official.token';
const HEARTBEAT_MS = 10_000;


class OfficialPage extends PageElement<OfficialState> {
  static override properties = { ...PageElement.properties, session: { state: true }, toast: { state: true } };
  declare session: CallSession | null;
  declare toast: Message | undefined;

  #api: Api | undefined;
  #live: LiveClient | undefined;
  #session: PageSession | undefined;
  /** Invitations already announced in the banner. */
  #seenInvites = new Set<string>();
  #busy = false;
  readonly #refreshDeskSoon = debounce(() => void this.#refreshDesk(), 300);
  readonly #refreshOpenSoon = debounce(() => void this.#refreshOpen(), 300);

  constructor() {
    super({ phase: 'booting', failure: '', desk: null, categories: [], offices: [], presence: 'available', offer: null, open: null, call: 'none', form: EMPTY_FORM, invite: null });
    this.session = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#boot();
  }

  protected override render(): unknown {
    const v = officialView(this.state, viewContext());
    // 红色物业: a compound matter this office was invited to rings here with its join button.
    const invitations = this.#session && this.state.phase !== 'signed-out' ? html`<matter-invitations class="floating" .token=${this.#session.token}></matter-invitations>` : nothing;
    return html`${officialTemplate(v, this.#actions, this.session, LANGUAGES[otherLanguage()].name, this.toast)}${invitations}`;
  }

  protected override updated(): void {
    document.title = t('official.title');
  }

  #info(text: string, ms = 5000): void {
    this.toast = { content: text, kind: 'info', ms };
  }

  #error(err: unknown): void {
    this.toast = { content: plainError(err), kind: 'error', ms: 8000 };
  }

  // ---- presence, queue and offers -----------------------------------------------------------

  async #heartbeat(): Promise<void> {
    try {
      await this.#api?.call('petition.heartbeat', { body: { status: this.state.presence } });
    } catch (err) {
      this.#error(err);
    }
  }

  async #refreshDesk(): Promise<void> {
    if (!this.#api) return;
    try {
      this.#setDesk(await this.#api.call('petition.desk'));
    } catch (err) {
      this.#error(err);
    }
  }

  /** A new invitation is announced in the banner; the banner goes when its invitation does. */
  #setDesk(desk: Desk): void {
    const invites = desk.queue.filter((e) => e.kind === 'invite');
    let invite = this.state.invite && invites.some((i) => i.ticketId === this.state.invite!.ticketId) ? this.state.invite : null;
    for (const inv of invites) {
      if (this.#seenInvites.has(inv.ticketId)) continue;
      this.#seenInvites.add(inv.ticketId);
      invite = inv;
    }
    this.#seenInvites = new Set([...this.#seenInvites].filter((id) => invites.some((i) => i.ticketId === id)));
    this.set({ desk, invite });
  }

  async #takeNext(): Promise<void> {
    if (this.state.offer || !this.#api) return;
    try {
      const o = await this.#api.call('petition.offerNext', { body: { requestId: requestId() } });
      if (!o || !o.ticketId) return this.#info(t('official.nobodyWaitingNow'), 4000);
      this.set({ offer: { ...o, until: Date.now() + o.expiresInMs } });
    } catch (err) {
      this.#error(err);
    }
  }

  async #acceptOffer(): Promise<void> {
    const o = this.state.offer;
    if (!o || !this.#api) return;
    this.set({ offer: null });
    try {
      await this.#openAssignment(await this.#api.call('petition.acceptOffer', { body: { ticketId: o.ticketId, leaseToken: o.leaseToken } }));
    } catch (err) {
      this.#error(err);
    }
    void this.#refreshDesk();
  }

  async #declineOffer(): Promise<void> {
    const o = this.state.offer;
    if (!o || !this.#api) return;
    this.set({ offer: null });
    await this.#api.call('petition.declineOffer', { body: { ticketId: o.ticketId, leaseToken: o.leaseToken } }).catch((err: unknown) => this.#error(err));
    void this.#refreshDesk();
  }

  async #acceptTicket(ticketId: string): Promise<void> {
    if (!this.#api) return;
    this.set({ invite: null });
    try {
      await this.#openAssignment(await this.#api.call('petition.acceptTicket', { params: { ticketId }, body: { requestId: requestId() } }));
    } catch (err) {
      this.#error(err);
    }
    void this.#refreshDesk();
  }

  /** Offers count down; one that runs out goes back to the queue. */
  #tick(): void {
    const o = this.state.offer;
    if (o && o.until <= Date.now()) {
      this.set({ offer: null });
      this.#info(t('official.offerExpired'), 4000);
      this.#refreshDeskSoon();
    } else this.requestUpdate();
  }

  // ---- the case workspace ------------------------------------------------------------------

  async #openAssignment(a: Assignment): Promise<void> {
    await this.#openCase(a.case.id, { roomId: a.roomId, token: a.token });
  }

  async #resume(caseId: string): Promise<void> {
    try {
      const room = await this.#api!.call('petition.roomToken', { params: { caseId } });
      await this.#openCase(caseId, room);
    } catch (err) {
      this.#error(err);
    }
  }

  async #openCase(caseId: string, room: RoomAccess | null): Promise<void> {
    const api = this.#api!;
    const other = this.state.open && this.state.open.case.id !== caseId;
    if (other) this.#leaveCall();
    const [c, timeline] = await Promise.all([api.call('petition.getCase', { params: { caseId } }), api.call('petition.timeline', { params: { caseId } })]);
    this.set({ open: { case: c, timeline, room, ended: false }, ...(other || !this.state.open ? { form: EMPTY_FORM } : {}) });
    void this.#live?.watchCase(caseId).catch(() => undefined);
    if (room) this.#startCall(room);
  }

  async #refreshOpen(): Promise<void> {
    const open = this.state.open;
    if (!open || !this.#api) return;
    const id = open.case.id;
    try {
      const params = { caseId: open.case.id };
      const [c, timeline] = await Promise.all([this.#api.call('petition.getCase', { params }), this.#api.call('petition.timeline', { params })]);
      const now = this.state.open;
      if (now?.case.id === id) this.set({ open: { ...now, case: c, timeline } });
    } catch (err) {
      this.#error(err);
    }
  }

  #setCase(c: Case): void {
    if (this.state.open) this.set({ open: { ...this.state.open, case: c } });
  }

  /** One action at a time; afterwards the case and the queue are read again. */
  async #run(fn: () => Promise<unknown>): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      await fn();
      await this.#refreshOpen();
    } catch (err) {
      this.#error(err);
    } finally {
      this.#busy = false;
      void this.#refreshDesk();
    }
  }

  #act(action: Parameters<OfficialActions['act']>[0]): void {
    const open = this.state.open;
    if (!open || !this.#api) return;
    const api = this.#api;
    const params = { caseId: open.case.id };
    const f = this.state.form;
    const need = (v: string, key: 'official.needTransferReason' | 'official.needEscalateReason' | 'official.needOpinion' | 'official.needExtendReason') => {
      if (!v.trim()) throw new Error(t(key));
      return v.trim();
    };
    const to = targets(this.state, viewContext());
    const actions: Record<typeof action, () => Promise<unknown>> = {
      invite: async () => {
        const v = to.invite ?? '';
        const ticket = await api.call('petition.invite', { params, body: v === 'up' ? { level: 'up' } : { departmentId: v } });
        await this.#refreshOpen();
        // The timeline's invitation carries the office's full name.
        const ev = this.state.open?.timeline.filter((e) => e.type === 'invited' && e.data.ticketId === ticket.id).pop();
        const name = typeof ev?.data.departmentName === 'string' ? ev.data.departmentName : ticket.departmentIds.map((d) => officeName(this.state, d)).join(t('common.listSeparator'));
        this.#info(t('official.invitedSent', { office: name }));
      },
      transfer: async () => {
        const reason = need(f.transferReason, 'official.needTransferReason');
        await api.call('petition.transfer', { params, body: { departmentId: to.transfer ?? '', reason } });
        this.#info(t('official.transferred'));
        this.#endLocally();
      },
      escalate: async () => {
        const reason = need(f.escalateReason, 'official.needEscalateReason');
        await api.call('petition.escalate', { params, body: { reason } });
        this.#info(t('official.escalated'));
        this.#endLocally();
      },
      opinion: async () => {
        const opinion = need(f.opinion ?? open.case.opinion ?? '', 'official.needOpinion');
        this.#setCase(await api.call('petition.writeOpinion', { params, body: { opinion, accepted: f.accepted !== 'no' } }));
        this.#info(t('official.opinionSaved'));
      },
      extend: async () => {
        const reason = need(f.extendReason, 'official.needExtendReason');
        this.#setCase(await api.call('petition.extendDeadline', { params, body: { reason } }));
      },
      end: async () => {
        await api.call('petition.endSession', { params });
        this.#endLocally();
      },
      leave: async () => this.#endLocally(),
      close: async () => {
        this.#leaveCall();
        this.set({ open: null, call: 'none' });
      },
    };
    void this.#run(actions[action]);
  }

  #endLocally(): void {
    this.#leaveCall();
    if (this.state.open) this.set({ open: { ...this.state.open, ended: true } });
  }

  // ---- the call ----------------------------------------------------------------------------

  #startCall(room: RoomAccess): void {
    this.#leaveCall();
    const s = new CallSession({ token: room.token, roomId: room.roomId });
    this.session = s;
    this.set({ call: 'live' });
    (window as unknown as { callSession: CallSession }).callSession = s;
    s.start().catch((err: unknown) => this.#error(err));
  }

  #leaveCall(): void {
    const s = this.session;
    this.session = null;
    s?.close();
    if (s || this.state.call === 'left') this.set({ call: 'ended' });
  }

  readonly #actions: OfficialActions = {
    setPresence: (p: Presence) => {
      this.set({ presence: p });
      void this.#heartbeat();
    },
    next: () => void this.#takeNext(),
    acceptOffer: () => void this.#acceptOffer(),
    declineOffer: () => void this.#declineOffer(),
    join: (ticketId) => void this.#acceptTicket(ticketId),
    resume: (caseId) => void this.#resume(caseId),
    setForm: (field: keyof ActionForm, value: string) => this.set({ form: { ...this.state.form, [field]: value } }),
    act: (action) => this.#act(action),
    // Hung up by mistake, or to step out: the session goes on; offer the way back in.
    hungUp: () => {
      this.session = null;
      this.set({ call: this.state.open && !this.state.open.ended ? 'left' : 'ended' });
    },
    rejoin: () => {
      if (this.state.open) void this.#resume(this.state.open.case.id);
    },
    signOut: () => void this.#session?.signOut(),
    toggleLanguage: () => toggleLanguage(),
  };

  // ---- boot --------------------------------------------------------------------------------

  async #boot(): Promise<void> {
    startLanguage();
    const signedIn = (this.#session = (await deskSignIn(TOKEN_KEY, ['official'])) ?? undefined);
    if (!signedIn) return this.set({ phase: 'signed-out' });
    // A revoked or lapsed session stops the desk at once: the call, the pushes, every request.
    signedIn.onEnded(() => {
      this.#leaveCall();
      this.#live?.close();
      this.#api = this.#live = undefined;
      this.set({ phase: 'signed-out' });
    });
    const api = (this.#api = signedIn.api);
    let desk: Desk;
    try {
      const [rules, d, offices] = await Promise.all([api.call('petition.routingRules'), api.call('petition.desk'), api.call('petition.departments')]);
      desk = d;
      this.set({ categories: rules.categories, offices, phase: 'ready', ...(desk.presence !== 'offline' ? { presence: desk.presence } : {}) });
      this.#setDesk(desk);
    } catch (err) {
      return this.set({ phase: 'failed', failure: plainError(err) });
    }
    const o = desk.official;
    void this.#heartbeat();
    setInterval(() => void this.#heartbeat(), HEARTBEAT_MS);

    const live = (this.#live = new LiveClient(signedIn.token));
    signedIn.watch(live.socket);
    const mine = (ids: string[]) => ids.includes(o.departmentId) || ids.includes(`official:${o.id}`);
    live.on('petition:queue-changed', (p) => {
      if (mine(p.departmentIds)) this.#refreshDeskSoon();
    });
    live.on('petition:assigned', () => this.#refreshDeskSoon());
    live.on('petition:case-changed', (p) => {
      if (this.state.open && p.caseId === this.state.open.case.id) this.#refreshOpenSoon();
    });
    live.onConnect(() => {
      this.#refreshDeskSoon();
      if (this.state.open) void live.watchCase(this.state.open.case.id).catch(() => undefined);
    });
    // Offers count down; waits and deadline clocks move on while the desk stays open.
    setInterval(() => this.#tick(), 1000);
    // Resume the session this official holds (page reload, reconnect).
    const active = [...new Set(desk.active.map(caseIdOfTicket))];
    if (active.length === 1) void this.#resume(active[0]!);
  }
}

define('official-page', OfficialPage);
