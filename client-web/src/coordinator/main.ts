// Coordinator overview (综治中心): every queue with its length and oldest wait, terminals online by
// county (offline alerts on top), live sessions and who is in them (watch one unseen), overdue cases, any case's
// timeline, and the routing rules (view and edit, validated by the server).
import { Api } from '../lib/api.ts';
import { CallSession } from '../lib/call-session.ts';
import { LANGUAGES, otherLanguage, startLanguage, t, toggleLanguage, viewContext } from '../lib/i18n.ts';
import { LiveClient } from '../lib/live.ts';
import { PageElement, define } from '../lib/page.ts';
import { debounce, plainError } from '../petition-ui/common.ts';
import { deskSignIn } from '../petition-ui/desk.ts';
import type { PageSession } from '../lib/session.ts';
import { coordinatorView, draftOf, rulesOfDraft, type CoordinatorState, type RulesDraft } from './view-model.ts';
import { coordinatorTemplate, type CoordinatorActions } from './view.ts';

const TOKEN_KEY = 'coordinator.token';
const REFRESH_MS = 15_000;

class CoordinatorPage extends PageElement<CoordinatorState> {
  static override properties = { ...PageElement.properties, watchingSession: { state: true } };
  /** Watching a session: a hidden, receive-only token for the room (the server's grant for coordinators). */
  declare watchingSession: CallSession | null;

  #api: Api | undefined;
  #session: PageSession | undefined;
  readonly #refreshSoon = debounce(() => void this.#refresh(), 1500);

  constructor() {
    super({
      phase: 'booting',
      overview: null,
      updatedAt: null,
      refreshError: null,
      officeNames: {},
      rules: null,
      rulesError: null,
      draft: null,
      draftError: null,
      lookupInput: '',
      lookup: null,
      watching: null,
    });
    this.watchingSession = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#boot();
  }

  protected override render(): unknown {
    return coordinatorTemplate(coordinatorView(this.state, viewContext()), this.#actions, this.watchingSession, LANGUAGES[otherLanguage()].name);
  }

  protected override updated(): void {
    document.title = t('coordinator.title');
  }

  async #refresh(): Promise<void> {
    const api = this.#api;
    if (!api) return;
    // Apart from the overview: an archive that does not answer must not blank the queues.
    api.call('archive.status').then(
      (archiveStatus) => this.set({ archiveStatus }),
      () => undefined,
    );
    try {
      const [queues, sessions, terminals, overdue] = await Promise.all([
        api.call('petition.queues'),
        api.call('petition.liveSessions'),
        api.call('petition.terminals'),
        api.call('petition.overdue'),
      ]);
      const officeNames = { ...this.state.officeNames };
      for (const q of queues) officeNames[q.departmentId] = q.name;
      for (const x of sessions) for (const p of x.participants) officeNames[p.departmentId] = p.departmentName;
      this.set({ overview: { queues, sessions, terminals, overdue }, officeNames, updatedAt: Date.now(), refreshError: null });
    } catch (err) {
      this.set({ refreshError: plainError(err) });
    }
  }

  async #showCase(id: string): Promise<void> {
    const api = this.#api;
    if (!api) return;
    try {
      const params = { caseId: id };
      const [c, timeline] = await Promise.all([api.call('petition.getCase', { params }), api.call('petition.timeline', { params })]);
      this.set({ lookup: { case: c, timeline } });
    } catch (err) {
      this.set({ lookup: { error: plainError(err) } });
    }
  }

  async #watch(caseId: string): Promise<void> {
    this.#stopWatching();
    this.set({ watching: { caseId, error: null } });
    try {
      const room = await this.#api!.call('petition.roomToken', { params: { caseId } });
      const s = new CallSession({ token: room.token, roomId: room.roomId, publish: [] });
      this.watchingSession = s;
      (window as unknown as { callSession: CallSession }).callSession = s;
      await s.start();
    } catch (err) {
      this.#stopWatching();
      this.set({ watching: { caseId, error: plainError(err) } });
    }
  }

  #stopWatching(): void {
    this.watchingSession?.close();
    this.watchingSession = null;
    this.set({ watching: null });
  }

  async #loadRules(): Promise<void> {
    try {
      this.set({ rules: await this.#api!.call('petition.routingRules'), rulesError: null });
    } catch (err) {
      this.set({ rulesError: plainError(err) });
    }
  }

  async #saveRules(): Promise<void> {
    const { rules, draft } = this.state;
    if (!rules || !draft) return;
    const next = rulesOfDraft(rules, draft, viewContext());
    if ('error' in next) return this.set({ draftError: next.error });
    try {
      this.set({ rules: await this.#api!.call('petition.replaceRoutingRules', { body: next.rules }), draft: null, draftError: null });
    } catch (err) {
      this.set({ draftError: plainError(err) });
    }
  }

  #editDraft(fn: (d: RulesDraft) => RulesDraft): void {
    if (this.state.draft) this.set({ draft: fn(this.state.draft) });
  }

  readonly #actions: CoordinatorActions = {
    showCase: (id) => void this.#showCase(id),
    setLookup: (value) => this.set({ lookupInput: value }),
    watch: (caseId) => void this.#watch(caseId),
    stopWatching: () => this.#stopWatching(),
    editRules: () => this.state.rules && this.set({ draft: draftOf(this.state.rules), draftError: null }),
    cancelRules: () => this.set({ draft: null, draftError: null }),
    saveRules: () => void this.#saveRules(),
    setDraft: (field, value) => this.#editDraft((d) => ({ ...d, [field]: value })),
    setRow: (key, field, value) => this.#editDraft((d) => ({ ...d, rows: d.rows.map((r) => (r.key === key ? { ...r, [field]: value } : r)) })),
    toggleOffice: (key, kind, on) =>
      this.#editDraft((d) => ({
        ...d,
        rows: d.rows.map((r) => (r.key === key ? { ...r, departments: on ? [...r.departments, kind] : r.departments.filter((k) => k !== kind) } : r)),
      })),
    addRow: () =>
      this.#editDraft((d) => ({
        ...d,
        rows: [...d.rows, { key: Math.max(-1, ...d.rows.map((r) => r.key)) + 1, code: '', name: '', icon: 'doc', departments: [], level: 'county', existing: false }],
      })),
    removeRow: (key) => this.#editDraft((d) => ({ ...d, rows: d.rows.filter((r) => r.key !== key) })),
    signOut: () => void this.#session?.signOut(),
    toggleLanguage: () => toggleLanguage(),
  };

  async #boot(): Promise<void> {
    startLanguage();
    const signedIn = (this.#session = (await deskSignIn(TOKEN_KEY, ['coordinator'])) ?? undefined);
    if (!signedIn) return this.set({ phase: 'signed-out' });
    this.#api = signedIn.api;
    this.set({ phase: 'ready' });
    await this.#loadRules();
    await this.#refresh();
    const live = new LiveClient(signedIn.token);
    signedIn.watch(live.socket);
    signedIn.onEnded(() => {
      live.close();
      this.#api = undefined;
      this.set({ phase: 'signed-out' });
    });
    live.on('petition:queue-changed', this.#refreshSoon);
    live.on('petition:case-changed', this.#refreshSoon);
    // A terminal's offline alert raised or cleared: shown at once, not at the next refresh.
    live.on('petition:terminals-changed', () => void this.#refresh());
    live.onConnect(this.#refreshSoon);
    setInterval(() => void this.#refresh(), REFRESH_MS);
  }
}

define('coordinator-page', CoordinatorPage);
