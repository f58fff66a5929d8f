// Archivist UI (录像档案): search recorded sessions, replay every participant on one timeline,
// bookmark, verify, place legal holds and export evidence packages. The archive API decides who
// may do any of it (archivists and admins); this page only shows its answers, including refusals.
import { html, nothing, type TemplateResult } from 'lit';
import { ApiError } from '../lib/api.ts';
import { LANGUAGES, otherLanguage, startLanguage, t, toggleLanguage, viewContext } from '../lib/i18n.ts';
import { PageElement, define } from '../lib/page.ts';
import { pageToken, readClaims } from '../lib/token.ts';
import '../widgets/banner.ts';
import { ArchiveClient, type AuditSearch, type SearchParams } from './client.ts';
import { icon } from './icons.ts';
import { ArchiveSession, auditTable } from './session.ts';
import { PAGE_SIZE, archiveView, cleanQuery, toServerQuery, type ArchiveState, type ArchiveView } from './view-model.ts';

const STATUS_REFRESH_MS = 30_000;

class ArchivePage extends PageElement<ArchiveState> {
  #client: ArchiveClient | undefined;
  #session: ArchiveSession | undefined;
  #view: ArchiveView | undefined;

  constructor() {
    super({
      view: 'loading',
      denied: null,
      banner: null,
      claims: null,
      query: JSON.parse(sessionStorage.getItem('archive.query') ?? '{}') as SearchParams,
      results: null,
      searching: false,
      more: false,
      loadingMore: false,
      status: null,
      auditQuery: {},
      auditTrail: null,
      auditing: false,
    });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    startLanguage();
    const token = pageToken('archive.token');
    this.set({ claims: token ? readClaims(token) : null });
    if (!token) return this.#deny({ kind: 'noToken' });
    this.#client = new ArchiveClient(token);
    window.addEventListener('hashchange', () => void this.#route());
    void this.#route();
    void this.#refreshStatus();
    setInterval(() => void this.#refreshStatus(), STATUS_REFRESH_MS);
  }

  /** The trusted-timestamp alarm: shown to everyone who works with the archive. */
  async #refreshStatus(): Promise<void> {
    try {
      this.set({ status: await this.#client!.status() });
    } catch {
      // The page's own calls report refusals; a failed status poll only leaves the last state.
    }
  }

  get #auditor(): boolean {
    return this.state.claims?.role === 'audit-admin';
  }

  protected override render(): unknown {
    this.#view = archiveView(this.state, viewContext());
    return template(this.#view, this, this.#session, LANGUAGES[otherLanguage()].name);
  }

  protected override updated(): void {
    document.title = this.#view!.documentTitle;
    document.body.dataset.view = this.state.view;
  }

  /** Refusals and expired tokens replace the whole page; other errors go to the banner. */
  readonly handleError = (err: unknown): void => {
    // Four eyes: the page stays, the archivist is told a colleague must release the hold.
    if (err instanceof ApiError && (err.body.details as { reason?: unknown } | undefined)?.reason === 'four_eyes') return this.set({ banner: t('archive.fourEyes') });
    if (err instanceof ApiError && (err.status === 403 || err.status === 401)) return this.#deny({ kind: err.status === 403 ? 'forbidden' : 'unauthorized', serverMessage: err.message });
    this.set({ banner: err instanceof ApiError ? `${err.code}: ${err.message}` : (err as Error).message });
  };

  #deny(denied: ArchiveState['denied']): void {
    this.#closeSession();
    this.set({ view: 'denied', denied });
  }

  #closeSession(): void {
    this.#session?.dispose();
    this.#session = undefined;
  }

  async #route(): Promise<void> {
    this.set({ banner: null });
    const m = /^#\/session\/(.+)$/.exec(location.hash);
    this.#closeSession();
    // The audit administrator reads the trail, not the recordings.
    if (location.hash === '#/audit' || this.#auditor) {
      this.set({ view: 'audit' });
      return this.auditSearch();
    }
    if (!m) {
      this.set({ view: 'search' });
      return this.search();
    }
    this.set({ view: 'loading' });
    try {
      const detail = await this.#client!.session(decodeURIComponent(m[1]!));
      this.#session = new ArchiveSession(this.#client!, detail, this.handleError, () => (location.hash = '#/'));
      this.set({ view: 'session' });
    } catch (err) {
      this.handleError(err);
    }
  }

  // ---- search (the template's actions) -----------------------------------------------------

  setField(key: keyof SearchParams, value: string): void {
    this.set({ query: { ...this.state.query, [key]: value } });
  }

  async search(): Promise<void> {
    const q = cleanQuery(this.state.query);
    sessionStorage.setItem('archive.query', JSON.stringify(q));
    this.set({ searching: true });
    try {
      const { sessions } = await this.#client!.search(toServerQuery(q), PAGE_SIZE);
      this.set({ results: sessions, more: sessions.length === PAGE_SIZE, searching: false, banner: null });
    } catch (err) {
      this.set({ results: null, searching: false });
      this.handleError(err);
    }
  }

  reset(): void {
    this.set({ query: {} });
    void this.search();
  }

  async loadMore(): Promise<void> {
    const shown = this.state.results ?? [];
    this.set({ loadingMore: true });
    try {
      const { sessions } = await this.#client!.search(toServerQuery(cleanQuery(this.state.query)), PAGE_SIZE, shown.length);
      this.set({ results: [...shown, ...sessions], more: sessions.length === PAGE_SIZE });
    } catch (err) {
      this.handleError(err);
    } finally {
      this.set({ loadingMore: false });
    }
  }

  setAuditField(key: keyof AuditSearch, value: string): void {
    this.set({ auditQuery: { ...this.state.auditQuery, [key]: value } });
  }

  async auditSearch(): Promise<void> {
    this.set({ auditing: true });
    try {
      const q = toServerQuery(this.state.auditQuery as SearchParams) as AuditSearch;
      this.set({ auditTrail: await this.#client!.auditSearch(q), auditing: false, banner: null });
    } catch (err) {
      this.set({ auditing: false });
      this.handleError(err);
    }
  }

  open(sessionId: string): void {
    location.hash = `#/session/${encodeURIComponent(sessionId)}`;
  }

  toggleLanguage(): void {
    toggleLanguage();
  }
}

define('archive-page', ArchivePage);

function template(v: ArchiveView, a: ArchivePage, session: ArchiveSession | undefined, languageLabel: string): TemplateResult {
  return html`<header class="abar">
      <div class="abar-brand">
        <span class="abar-seal" aria-hidden="true">档</span>
        <div>
          <h1 id="title">${v.title}</h1>
          <div id="subtitle" class="abar-sub">${v.subtitle}</div>
        </div>
      </div>
      <div id="who" class="who">${v.who ? html`<span class="who-label">${v.who.label}</span><strong>${v.who.name}</strong><span class="who-role">${v.who.role}</span>` : nothing}</div>
      <button id="lang" class="lang-btn" type="button" @click=${() => a.toggleLanguage()}>${languageLabel}</button>
    </header>
    <ui-banner id="banner" class="banner" role="alert" .message=${a.state.banner ? { content: a.state.banner, kind: 'error' } : undefined}></ui-banner>
    <ui-banner id="archive-alarm" class="banner" role="alert" .message=${v.alarm ? { content: v.alarm, kind: 'warn', reason: 'timestamps' } : undefined}></ui-banner>
    <main id="app" class="archive-main">${body(v, a, session)}</main>`;
}

function body(v: ArchiveView, a: ArchivePage, session: ArchiveSession | undefined): unknown {
  if (v.denied) {
    const d = v.denied;
    return html`<section class="denied" role="alert" data-kind=${d.kind}>
      <div class="denied-icon">${icon('shield')}</div>
      <h2>${d.title}</h2>
      ${d.detail ? html`<p>${d.detail}</p>` : nothing} ${d.serverMessage ? html`<p class="denied-server">${d.serverMessage}</p>` : nothing}
      <a class="btn primary" href="index.html">${d.home}</a>
    </section>`;
  }
  if (a.state.view === 'session' && session) return session;
  if (a.state.view === 'loading') return html`<p class="muted pad">${t('common.loading')}</p>`;
  if (v.audit) {
    const x = v.audit;
    return html`<form
        class="filters card"
        id="audit-form"
        role="search"
        @submit=${(e: Event) => {
          e.preventDefault();
          void a.auditSearch();
        }}
      >
        <p class="hint">${x.hint}</p>
        ${x.fields.map(
          (f) => html`<label
            ><span>${f.label}</span
            ><input name=${f.key} type=${f.type} .value=${f.value} autocomplete="off" @input=${(e: Event) => a.setAuditField(f.key, (e.target as HTMLInputElement).value)}
          /></label>`,
        )}
        <div class="filter-actions"><button class="btn primary" type="submit" id="audit-search" ?disabled=${x.loading}>${icon('search', x.search)}</button></div>
      </form>
      <section class="card audit" id="audit">
        ${auditTable(x, () => undefined, () => void a.auditSearch())}
      </section>`;
  }
  const s = v.search;
  if (!s) return nothing;
  const r = s.results;
  return html`<form
      class="filters card"
      id="search-form"
      role="search"
      @submit=${(e: Event) => {
        e.preventDefault();
        void a.search();
      }}
    >
      ${s.fields.map(
        (f) => html`<label
          ><span>${f.label}</span
          ><input name=${f.key} type=${f.type} .value=${f.value} placeholder=${f.placeholder ?? nothing} autocomplete="off" @input=${(e: Event) => a.setField(f.key, (e.target as HTMLInputElement).value)}
        /></label>`,
      )}
      <div class="filter-actions">
        <button class="btn primary" type="submit" id="search-btn">${icon('search', s.search)}</button>
        <button class="btn" type="button" @click=${() => a.reset()}>${s.reset}</button>
      </div>
    </form>
    <section class="card results" id="results" aria-live="polite">
      ${r
        ? html`<div class="card-head"><h2>${r.title}</h2><span class="count">${r.count}</span></div>
            ${r.loading
              ? html`<p class="muted">${r.loading}</p>`
              : r.empty
                ? html`<p class="empty">${r.empty}</p>`
                : html`<div class="table-wrap">
                      <table class="sessions">
                        <thead>
                          <tr>
                            ${r.headers.map((h) => html`<th>${h}</th>`)}
                          </tr>
                        </thead>
                        <tbody>
                          ${r.rows.map(
                            (x) => html`<tr data-session=${x.sessionId} tabindex="0" @click=${() => a.open(x.sessionId)} @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && a.open(x.sessionId)}>
                              <td><strong class="mono">${x.caseNumber}</strong><div class="sub mono">${x.sessionId}</div></td>
                              <td>${x.kind}</td>
                              <td>${x.petitioner}</td>
                              <td><span class="mono">${x.terminalId}</span><div class="sub">${x.region}</div></td>
                              <td>${x.started}</td>
                              <td>${x.duration}</td>
                              <td>${x.segments}<div class="sub">${x.bytes}</div></td>
                              <td>
                                <span class="badge" data-status=${x.status.attr}>${x.status.label}</span>${x.gaps ? html`<span class="badge warn">${x.gaps}</span>` : nothing}${x.hold
                                  ? html`<span class="badge hold" title=${x.hold.reason}>${x.hold.label}</span>`
                                  : nothing}
                              </td>
                              <td class="actions"><button class="btn small" type="button">${x.open}</button></td>
                            </tr>`,
                          )}
                        </tbody>
                      </table>
                    </div>
                    <div class="more-row">${r.more ? html`<button class="btn more" type="button" ?disabled=${r.more.busy} @click=${() => void a.loadMore()}>${r.more.label}</button>` : nothing}</div>`}`
        : nothing}
    </section>`;
}
