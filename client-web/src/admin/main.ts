// The administration page (admin.html) of the three administrators (三员分立): what each sees is
// decided by the role of the signed-in session, and the server refuses the rest anyway. No view
// shows petition content or recordings.
import { ApiError, type Api } from '../lib/api.ts';
import { LANGUAGES, otherLanguage, startLanguage, t, toggleLanguage, viewContext } from '../lib/i18n.ts';
import { PageElement, define } from '../lib/page.ts';
import { PageSession } from '../lib/session.ts';
import type { Message } from '../widgets/banner.ts';
import {
  ADMIN_PAGE_ROLES,
  EMPTY_FORMS,
  TABS,
  auditQueryOf,
  base64Of,
  departmentChanges,
  cameraTarget,
  householdBody,
  initialAdmin,
  regionChanges,
  regionForm,
  routingChange,
  routingForm,
  officialChanges,
  readWithProgress,
  receptionDayChanges,
  reportProblems,
  retentionBody,
  retentionForm,
  terminalChanges,
  type AdminRole,
  type AdminState,
  type FormName,
  type Tab,
} from './view-model.ts';
import { adminTemplate, type AdminActions } from './view.ts';

const TOKEN_KEY = 'admin-token';

class AdminPage extends PageElement<AdminState> {
  static override properties = { ...PageElement.properties, message: { state: true } };
  declare message: Message | undefined;
  #session: PageSession | undefined;

  constructor() {
    super(initialAdmin());
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#boot();
  }

  protected override render(): unknown {
    return adminTemplate(this.state, viewContext(), this.#actions, LANGUAGES[otherLanguage()].name, this.message);
  }

  protected override updated(): void {
    document.title = this.state.role ? t(`admin.title.${this.state.role}`) : t('admin.title.page');
  }

  get #api(): Api {
    return this.#session!.api;
  }

  #show(content: string, kind: Message['kind'] = 'info'): void {
    this.message = { content, kind };
  }

  #error(err: unknown): void {
    // A watched compound camera: say what to do instead, in the page's language.
    if (err instanceof ApiError && (err.body.details as { reason?: unknown } | undefined)?.reason === 'camera_has_history') return this.#show(t('admin.cameraHasHistory'), 'error');
    this.#show(t('admin.error', { m: err instanceof ApiError ? err.message : String((err as Error).message ?? err) }), 'error');
  }

  /** Loads what the current tab shows. */
  async #load(): Promise<void> {
    const api = this.#api;
    try {
      switch (this.state.role) {
        case 'admin': {
          const [directory, households, devices, rules, counsellors, compoundList, retention] = await Promise.all([
            api.call('admin.directory'), api.call('household.list'), api.call('enrol.devices'), api.call('petition.routingRules'), api.call('household.counsellors'), api.call('property.compounds'), api.call('admin.retention'),
          ]);
          const compounds = await Promise.all(compoundList.map(async (compound) => ({ compound, cameras: await api.call('property.cameras', { params: { compoundId: compound.id } }) })));
          this.set({ directory, households, devices, rules, counsellors, compounds, retention, forms: { ...this.state.forms, retention: retentionForm(retention) } });
          break;
        }
        case 'security-admin': {
          const [accounts, sessions] = await Promise.all([api.call('identity.listAccounts'), api.call('identity.listSessions')]);
          this.set({ accounts, sessions });
          break;
        }
        case 'audit-admin':
          this.set({ audit: await api.call('identity.searchAudit', { query: auditQueryOf(this.state.forms.audit) }) });
          break;
        default:
          break;
      }
    } catch (err) {
      this.#error(err);
    }
  }

  async #save(form: FormName): Promise<void> {
    const d = this.state.directory;
    this.set({ formError: null });
    try {
      if (form === 'audit') return await this.#load();
      if (form === 'retention') {
        const built = retentionBody(this.state.forms.retention);
        if (!built.ok) return this.set({ formError: built.error });
        await this.#api.call('admin.setRetention', { body: built.value });
        this.#show(t('admin.retention.saved'));
        return await this.#load();
      }
      if (form === 'accounts') {
        const f = this.state.forms.accounts;
        const issued = await this.#api.call('identity.createAccount', { body: { username: f.username, displayName: f.displayName, role: f.role, ...(f.subject.trim() ? { subject: f.subject.trim() } : {}) } });
        this.set({ issued, forms: { ...this.state.forms, accounts: EMPTY_FORMS.accounts } });
        return await this.#load();
      }
      if (form === 'routing') {
        if (!this.state.rules) return;
        const built = routingChange(this.state.rules, this.state.forms.routing);
        if (!built.ok) return this.set({ formError: built.error });
        await this.#api.call('admin.replaceRoutingRules', { body: built.value });
        this.#show(t('admin.saved', { what: this.state.forms.routing.name }));
      } else if (form === 'cameras') {
        const target = cameraTarget(this.state.forms.cameras);
        if (!target) return this.set({ formError: t('admin.incomplete') });
        const c = target.kind === 'household'
          ? await this.#api.call('household.addCamera', { params: { householdId: target.householdId }, body: target.body })
          : await this.#api.call('property.addCamera', { params: { compoundId: target.compoundId }, body: target.body });
        this.#show(t('admin.saved', { what: c.name }));
      } else if (form === 'counsellors') {
        const f = this.state.forms.counsellors;
        if (!f.householdId || !f.counsellorId) return this.set({ formError: t('admin.incomplete') });
        await this.#api.call('household.assignCounsellor', { params: { householdId: f.householdId }, body: { counsellorId: f.counsellorId } });
        this.#show(t('admin.done'));
        this.set({ filter: f.householdId });
      } else if (form === 'households') {
        const body = householdBody(this.state.forms.households);
        if (!body) return this.set({ formError: t('admin.incomplete') });
        const h = await this.#api.call('household.create', { body });
        this.#show(t('admin.saved', { what: h.name }));
        this.set({ filter: h.id });
      } else {
        if (!d) return;
        const f = this.state.forms;
        const built =
          form === 'regions' ? regionChanges(f.regions, d)
          : form === 'departments' ? departmentChanges(f.departments, d)
          : form === 'terminals' ? terminalChanges(f.terminals, d)
          : form === 'officials' ? officialChanges(f.officials, d)
          : receptionDayChanges(f.receptionDays, d);
        if (!built.ok) return this.set({ formError: built.error });
        const report = await this.#api.call('admin.saveDirectory', { body: { changes: built.value, dryRun: false } });
        if (!report.applied) return this.set({ formError: reportProblems(report) || t('admin.notApplied') });
        const keys = report.changes[form].create.concat(report.changes[form].update);
        this.#show(t('admin.saved', { what: keys.join(t('common.listSeparator')) }));
        // The saved row is shown at once, whatever the length of the list.
        this.set({ filter: keys[0] ?? '' });
      }
      this.set({ forms: { ...this.state.forms, [form]: EMPTY_FORMS[form] } });
      await this.#load();
    } catch (err) {
      this.set({ formError: err instanceof ApiError ? err.message : String(err) });
    }
  }

  // ---- import ------------------------------------------------------------------------------------

  async #importFile(file: File | null): Promise<void> {
    const kind = this.state.import.kind;
    if (!file) return this.set({ import: { ...initialAdmin().import, kind } });
    const read = { bytes: 0, total: file.size, lines: 0 };
    this.set({ import: { kind, fileName: file.name, content: null, phase: 'reading', read, report: null, error: null } });
    try {
      const content = base64Of(await readWithProgress(file, (p) => this.set({ import: { ...this.state.import, read: p } })));
      this.set({ import: { ...this.state.import, content, phase: 'checking' } });
      const report = await this.#api.call('admin.importCsv', { body: { kind, content, dryRun: true } });
      this.set({ import: { ...this.state.import, phase: 'checked', report } });
    } catch (err) {
      this.set({ import: { ...this.state.import, phase: 'failed', error: err instanceof ApiError ? err.message : String(err) } });
    }
  }

  async #applyImport(): Promise<void> {
    const im = this.state.import;
    if (im.phase !== 'checked' || !im.content) return;
    this.set({ import: { ...im, phase: 'applying' } });
    try {
      const report = await this.#api.call('admin.importCsv', { body: { kind: im.kind, content: im.content, dryRun: false } });
      this.set({ import: { ...this.state.import, phase: report.applied ? 'applied' : 'checked', report } });
      await this.#load();
    } catch (err) {
      this.set({ import: { ...this.state.import, phase: 'failed', error: err instanceof ApiError ? err.message : String(err) } });
    }
  }

  // ---- devices, accounts, sessions ---------------------------------------------------------------

  async #device(deviceId: string, action: 'disable' | 'enable' | 'revoke'): Promise<void> {
    if (action === 'revoke' && !confirm(t('admin.confirmRevoke'))) return;
    const name = action === 'disable' ? 'enrol.disableDevice' : action === 'enable' ? 'enrol.enableDevice' : 'enrol.revokeDevice';
    await this.#run(() => this.#api.call(name, { params: { deviceId } }));
  }

  async #account(accountId: string, action: Parameters<AdminActions['account']>[1]): Promise<void> {
    const params = { accountId };
    switch (action) {
      case 'unlock': return this.#run(() => this.#api.call('identity.unlockAccount', { params }));
      case 'disable':
        if (!confirm(t('admin.confirmDisable'))) return;
        return this.#run(() => this.#api.call('identity.updateAccount', { params, body: { disabled: true } }));
      case 'enable': return this.#run(() => this.#api.call('identity.updateAccount', { params, body: { disabled: false } }));
      case 'reset-second-factor': return this.#run(() => this.#api.call('identity.resetSecondFactor', { params }));
      case 'reset-password':
        return this.#run(async () => this.set({ issued: await this.#api.call('identity.resetPassword', { params }) }));
      case 'end-sessions':
        return this.#run(() => Promise.all(this.state.sessions.filter((s) => s.accountId === accountId && !s.current).map((s) => this.#api.call('identity.revokeSession', { params: { sessionId: s.id } }))));
    }
  }

  /** One administrative action, then the fresh list (the answer's own state is the server's). */
  async #run(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
      this.#show(t('admin.done'));
    } catch (err) {
      this.#error(err);
    }
    await this.#load();
  }

  async #verify(): Promise<void> {
    try {
      this.set({ verify: await this.#api.call('identity.verifyAudit') });
    } catch (err) {
      this.#error(err);
    }
  }

  readonly #actions: AdminActions = {
    tab: (tab: Tab) => {
      // Opening a tab shows the state of now (a lock-out, a new session since the page opened).
      this.set({ tab, filter: '', formError: null });
      void this.#load();
    },
    filter: (filter) => this.set({ filter }),
    setForm: (form, patch) => this.set({ forms: { ...this.state.forms, [form]: { ...this.state.forms[form], ...patch } } }),
    save: (form) => void this.#save(form),
    importKind: (kind) => this.set({ import: { ...initialAdmin().import, kind } }),
    importFile: (file) => void this.#importFile(file),
    applyImport: () => void this.#applyImport(),
    device: (id, action) => void this.#device(id, action),
    editRegion: (code) => {
      const r = this.state.directory?.regions.find((x) => x.code === code);
      if (r) this.set({ forms: { ...this.state.forms, regions: regionForm(r) }, formError: null });
    },
    editRule: (code) => {
      const c = this.state.rules?.categories.find((x) => x.code === code);
      if (c) this.set({ forms: { ...this.state.forms, routing: routingForm(c) }, formError: null });
    },
    removeCamera: (owner, cameraId) => {
      if (!confirm(t('admin.confirmRemoveCamera'))) return;
      const [kind, id] = owner.split(':', 2) as [string, string];
      void this.#run(() =>
        kind === 'household'
          ? this.#api.call('household.removeCamera', { params: { householdId: id, cameraId } })
          : this.#api.call('property.removeCamera', { params: { compoundId: id, cameraId } }),
      );
    },
    retireCamera: (compoundId, cameraId) => {
      if (!confirm(t('admin.confirmRetireCamera'))) return;
      void this.#run(() => this.#api.call('property.retireCamera', { params: { compoundId, cameraId } }));
    },
    unassign: (householdId, counsellorId) => void this.#run(() => this.#api.call('household.unassignCounsellor', { params: { householdId, counsellorId } })),
    account: (id, action) => void this.#account(id, action),
    revokeSession: (sessionId) => void this.#run(() => this.#api.call('identity.revokeSession', { params: { sessionId } })),
    searchAudit: () => void this.#load(),
    verifyAudit: () => void this.#verify(),
    dismissIssued: () => this.set({ issued: null }),
    signOut: () => void this.#session?.signOut(),
    toggleLanguage: () => toggleLanguage(),
  };

  async #boot(): Promise<void> {
    startLanguage();
    const session = await PageSession.start(TOKEN_KEY, ADMIN_PAGE_ROLES);
    if (!session) return this.set({ phase: 'signed-out' });
    this.#session = session;
    const role = session.claims.role as AdminRole;
    session.onEnded(() => this.set({ phase: 'signed-out' }));
    this.set({ phase: 'ready', role, who: session.claims.name ?? session.claims.sub, tab: TABS[role][0] });
    await this.#load();
  }
}

define('admin-page', AdminPage);
