// Case work after the call (案件办理), one page for the three desks that carry a case's life: the
// official (受理告知, notes, attachments, an extension asked for, the written reply, call-backs by
// video or phone), the department head (approvals of extensions and replies, the office's cases
// near or over a deadline) and the coordinator (overdue cases across offices, escalations and
// reviews not taken up, missed call-backs; closing and archiving). docs/case-life.md.
import { Api } from '../lib/api.ts';
import { CallSession } from '../lib/call-session.ts';
import { LANGUAGES, otherLanguage, startLanguage, t, toggleLanguage, viewContext } from '../lib/i18n.ts';
import { LiveClient } from '../lib/live.ts';
import { PageElement, define } from '../lib/page.ts';
import { PageSession } from '../lib/session.ts';
import { debounce, plainError } from '../petition-ui/common.ts';
import { caseTimeline } from '../petition-ui/timeline.ts';
import type { Message } from '../widgets/banner.ts';
import { EMPTY_LIFE_FORM, caseLifeView, workLists, type CasesState, type WorkRole } from './view-model.ts';
import { casesTemplate, type CasesActions, type CasesPageView, type LifeAct } from './view.ts';

const TOKEN_KEY = 'cases.token';
/** The desks this page is reached from: their remembered sign-in serves here too. */
const DESK_KEYS = ['official.token', 'coordinator.token'];
// No administrator: 三员分立 keeps the system administrator out of case content.
const ROLES: WorkRole[] = ['official', 'head', 'coordinator'];
const REFRESH_MS = 30_000;

/** The signed-in session: the cookie's, else (development) a token this page or a desk remembers. */
async function signIn(): Promise<PageSession | null> {
  for (const key of [TOKEN_KEY, ...DESK_KEYS]) {
    const session = await PageSession.start(key, ROLES);
    if (session) return session;
  }
  return null;
}

/** A file as base64 (the attachment endpoint takes JSON). */
function base64Of(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error ?? new Error('read failed'));
    r.readAsDataURL(file);
  });
}

class CasesPage extends PageElement<CasesState> {
  static override properties = { ...PageElement.properties, session: { state: true }, toast: { state: true } };
  declare session: CallSession | null;
  declare toast: Message | undefined;

  #api: Api | undefined;
  #session: PageSession | undefined;
  #busy = false;
  readonly #refreshSoon = debounce(() => void this.#refresh(), 400);

  constructor() {
    super({ phase: 'booting', failure: '', role: 'official', who: '', work: null, open: null, form: EMPTY_LIFE_FORM, calling: null, categories: {}, offices: [] });
    this.session = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#boot();
  }

  protected override render(): unknown {
    const ctx = viewContext();
    const s = this.state;
    const links = [
      ...(s.role === 'official' ? [{ href: 'official.html', label: t('cases.toDesk') }] : []),
      ...(s.role === 'coordinator' ? [{ href: 'coordinator.html', label: t('cases.toOverview') }] : []),
      { href: 'stats.html', label: t('cases.toStats') },
    ];
    const body: CasesPageView['body'] =
      s.phase === 'signed-out'
        ? { kind: 'signed-out', text: t('desk.signInHint', { role: t('cases.roles') }) }
        : s.phase === 'failed'
          ? { kind: 'failed', text: s.failure }
          : { kind: 'ready', lists: workLists(s, ctx), life: caseLifeView(s, ctx), timeline: s.open ? caseTimeline(s.open.timeline, ctx, (id) => id, 'dateTime') : [], form: s.form };
    return casesTemplate({ title: t(`cases.title.${s.role}`), who: s.who, links, body }, this.#actions, this.session, LANGUAGES[otherLanguage()].name, this.toast);
  }

  protected override updated(): void {
    document.title = t(`cases.title.${this.state.role}`);
  }

  #error(err: unknown): void {
    this.toast = { content: plainError(err), kind: 'error', ms: 8000 };
  }

  #info(text: string): void {
    this.toast = { content: text, kind: 'info', ms: 5000 };
  }

  async #refresh(): Promise<void> {
    const api = this.#api;
    if (!api) return;
    try {
      const role = this.state.role;
      const work = role === 'official' ? await api.call('petition.workList') : role === 'head' ? await api.call('petition.headWork') : await api.call('petition.coordinatorWork');
      this.set({ work });
      const open = this.state.open;
      if (open) await this.#open(open.life.case.id, false);
    } catch (err) {
      this.#error(err);
    }
  }

  async #open(caseId: string, fresh = true): Promise<void> {
    const api = this.#api!;
    try {
      const params = { caseId };
      const [life, timeline] = await Promise.all([api.call('petition.life', { params }), api.call('petition.timeline', { params })]);
      this.set({ open: { life, timeline }, ...(fresh && this.state.open?.life.case.id !== caseId ? { form: EMPTY_LIFE_FORM } : {}) });
    } catch (err) {
      this.#error(err);
    }
  }

  /** One action at a time; then the work list and the open case are read again. */
  async #run(fn: () => Promise<unknown>, done?: string): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      await fn();
      if (done) this.#info(done);
    } catch (err) {
      this.#error(err);
    } finally {
      this.#busy = false;
      await this.#refresh();
    }
  }

  #act(act: LifeAct): void {
    const api = this.#api!;
    const open = this.state.open;
    if (!open) return;
    const params = { caseId: open.life.case.id };
    const f = this.state.form;
    const need = (v: string) => {
      if (!v.trim()) throw new Error(t('cases.needText'));
      return v.trim();
    };
    const steps: Record<LifeAct, () => Promise<unknown>> = {
      acceptance: () => api.call('petition.notifyAcceptance', { params, body: { decision: f.decision, reason: need(f.reason), ...(f.decision === 'not_in_scope' ? { body: need(f.body) } : {}) } }),
      note: async () => {
        await api.call('petition.addNote', { params, body: { text: need(f.note) } });
        this.set({ form: { ...this.state.form, note: '' } });
      },
      'co-handler': () => api.call('petition.addCoHandler', { params, body: { departmentId: need(f.coHandler) } }),
      assign: () => api.call('petition.assignHandler', { params, body: { officialId: need(f.handler) } }),
      extend: () => api.call('petition.extendDeadline', { params, body: { reason: need(f.extendReason), days: Math.min(30, Math.max(1, Math.round(Number(f.extendDays) || 30))) } }),
      reply: async () => {
        await api.call('petition.submitReply', { params, body: { text: need(f.reply) } });
        this.set({ form: { ...this.state.form, reply: '' } });
      },
      pause: () => api.call('petition.pauseClock', { params, body: { reason: need(f.pauseReason) } }),
      resume: () => api.call('petition.resumeClock', { params }),
      close: () => api.call('petition.closeCase', { params }),
      archive: () => api.call('petition.archive', { params }),
      'end-call': async () => {
        this.#hangUp();
        await api.call('petition.endSession', { params });
      },
    };
    void this.#run(steps[act], act === 'end-call' ? undefined : t('cases.saved'));
  }

  #hangUp(): void {
    const s = this.session;
    this.session = null;
    s?.close();
    this.set({ calling: null });
  }

  readonly #actions: CasesActions = {
    open: (caseId) => void this.#open(caseId),
    decide: (approvalId, approve) => void this.#run(() => this.#api!.call('petition.decideApproval', { params: { approvalId }, body: { approve } }), t(approve ? 'cases.approved' : 'cases.rejected')),
    callBack: (callbackId, channel) =>
      void this.#run(async () => {
        const r = await this.#api!.call('petition.callBack', { params: { callbackId }, body: { channel, ...(channel === 'phone' && this.state.form.phoneNote.trim() ? { note: this.state.form.phoneNote.trim() } : {}) } });
        await this.#open(r.callback.caseId);
        if (r.assignment) {
          // A video call-back: the terminal point rings; this desk is in the room already.
          this.#hangUp();
          const s = new CallSession({ token: r.assignment.token, roomId: r.assignment.roomId });
          this.session = s;
          (window as unknown as { callSession: CallSession }).callSession = s;
          this.set({ calling: { caseId: r.callback.caseId } });
          s.start().catch((err: unknown) => this.#error(err));
        }
      }),
    setForm: (field, value) => this.set({ form: { ...this.state.form, [field]: value } }),
    act: (a) => this.#act(a),
    attach: (file) =>
      void this.#run(async () => {
        const open = this.state.open;
        if (!open) return;
        const mime = file.type as 'image/jpeg' | 'image/png' | 'application/pdf';
        await this.#api!.call('petition.addAttachment', { params: { caseId: open.life.case.id }, body: { name: file.name.slice(0, 120), mime, base64: await base64Of(file) } });
      }, t('cases.saved')),
    signOut: () => void this.#session?.signOut(),
    toggleLanguage: () => toggleLanguage(),
  };

  async #boot(): Promise<void> {
    startLanguage();
    const signed = (this.#session = (await signIn()) ?? undefined);
    if (!signed) return this.set({ phase: 'signed-out' });
    this.#api = signed.api;
    this.set({ role: signed.claims.role as WorkRole, who: signed.claims.name, phase: 'ready' });
    const [rules, offices] = await Promise.all([this.#api.call('petition.routingRules').catch(() => null), this.#api.call('petition.departments').catch(() => [])]);
    this.set({ offices, ...(rules ? { categories: Object.fromEntries(rules.categories.map((c) => [c.code, c.name])) } : {}) });
    await this.#refresh();
    const live = new LiveClient(signed.token);
    // A revoked or lapsed session stops the page at once: the pushes and every request.
    signed.onEnded(() => {
      live.close();
      this.#api = undefined;
      this.set({ phase: 'signed-out' });
    });
    live.on('petition:work-changed', () => this.#refreshSoon());
    live.on('petition:case-changed', (p) => {
      if (this.state.open?.life.case.id === p.caseId) this.#refreshSoon();
    });
    live.on('petition:assigned', () => this.#refreshSoon());
    live.onConnect(() => this.#refreshSoon());
    setInterval(() => this.#refreshSoon(), REFRESH_MS);
    // Deep link from a desk: cases.html?case=XF…
    const caseId = new URL(location.href).searchParams.get('case');
    if (caseId) void this.#open(caseId);
  }
}

define('cases-page', CasesPage);
