// The enrol page (enrol.html): the installer types the pairing code a device shows on its first
// start. A system administrator enrols a petition terminal at a terminal point; a household's
// manager enrols a home device in their household. The device's next poll brings its credential
// (docs/identity.md "Devices: enrolment"); nobody here ever sees it.
import { html, nothing } from 'lit';
import { LANGUAGES, otherLanguage, startLanguage, t, toggleLanguage, viewContext } from '../lib/i18n.ts';
import { PageElement, define } from '../lib/page.ts';
import { PageSession } from '../lib/session.ts';
import { signInCard } from '../petition-ui/desk.ts';
import { DEVICE_PLACES } from '../../../server/protocol/http/household-shapes.ts';
import { EMPTY_FORM, ENROL_ROLES, claimOf, displayCode, initialEnrol, managedHouseholds, refusalText, type EnrolForm, type EnrolState, type Installer } from './view-model.ts';

class EnrolPage extends PageElement<EnrolState> {
  #session: PageSession | undefined;

  constructor() {
    super(initialEnrol());
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#boot();
  }

  async #boot(): Promise<void> {
    startLanguage();
    const session = (this.#session = (await PageSession.start('enrol-token', ENROL_ROLES)) ?? undefined);
    if (!session) return this.set({ phase: 'signed-out' });
    session.onEnded(() => this.set({ phase: 'signed-out' }));
    const role = session.claims.role as Installer;
    try {
      if (role === 'admin') this.set({ terminals: (await session.api.call('admin.directory')).terminals });
      else {
        const households = managedHouseholds(await session.api.call('household.list'));
        this.set({ households, form: { ...this.state.form, householdId: households[0]?.household.id ?? '' } });
      }
    } catch (err) {
      this.set({ error: (err as Error).message });
    }
    this.set({ phase: 'ready', role });
    const code = new URLSearchParams(location.hash.slice(1)).get('code');
    if (code) this.#patch({ code: displayCode(code) });
  }

  #patch(patch: Partial<EnrolForm>): void {
    this.set({ form: { ...this.state.form, ...patch }, error: null });
  }

  async #submit(): Promise<void> {
    const s = this.state;
    if (!s.role || s.busy) return;
    const c = claimOf(s.role, s.form, s.terminals);
    if (!c.ok) return this.set({ error: t(`enrol.missing.${c.missing}`) });
    this.set({ busy: true, error: null });
    try {
      const enrolled = await this.#session!.api.call('enrol.claim', { body: c.claim });
      this.set({ busy: false, enrolled, form: { ...EMPTY_FORM, householdId: s.form.householdId } });
    } catch (err) {
      this.set({ busy: false, error: refusalText(err, viewContext()) });
    }
  }

  #field(name: keyof EnrolForm, label: string, extra: { list?: string; placeholder?: string } = {}) {
    return html`<label>${label}<input name=${name} list=${extra.list ?? nothing} placeholder=${extra.placeholder ?? ''} .value=${this.state.form[name]}
      @input=${(e: Event) => this.#patch({ [name]: name === 'code' ? displayCode((e.target as HTMLInputElement).value) : (e.target as HTMLInputElement).value })} /></label>`;
  }

  protected override render(): unknown {
    const s = this.state;
    return html`<header class="abar">
        <h1>${t('enrol.title')}</h1>
        <div class="abar-right">
          ${s.role === 'admin' ? html`<a class="btn lang" href="admin.html">${t('enrol.back.admin')}</a>` : s.role === 'family' ? html`<a class="btn lang" href="family.html">${t('enrol.back.family')}</a>` : nothing}
          <button type="button" class="btn lang" id="lang" @click=${() => toggleLanguage()}>${LANGUAGES[otherLanguage()].name}</button>
        </div>
      </header>
      <main class="admin-main">${this.#body()}</main>`;
  }

  #body(): unknown {
    const s = this.state;
    if (s.phase === 'loading') return html`<p class="muted">${t('common.loading')}</p>`;
    if (s.phase === 'signed-out' || !s.role) return signInCard(t('enrol.who'), t);
    if (s.role === 'family' && !s.households.length) return html`<div class="card"><p>${t('enrol.noHousehold')}</p></div>`;
    return html`<form
      class="card"
      id="enrol"
      data-kind=${s.role === 'admin' ? 'terminal' : 'home-device'}
      @submit=${(e: Event) => {
        e.preventDefault();
        void this.#submit();
      }}
    >
      <h2>${t(s.role === 'admin' ? 'enrol.heading.terminal' : 'enrol.heading.homeDevice')}</h2>
      <p class="note">${t(s.role === 'admin' ? 'enrol.hint.terminal' : 'enrol.hint.homeDevice')}</p>
      <label>${t('enrol.code')}<input name="code" class="big-code" autocomplete="off" autocapitalize="characters" placeholder="XXXX-XXXX" .value=${s.form.code}
        @input=${(e: Event) => this.#patch({ code: displayCode((e.target as HTMLInputElement).value) })} /></label>
      ${s.role === 'admin'
        ? html`${this.#field('terminalId', t('enrol.terminal'), { list: 'terminal-points', placeholder: t('enrol.terminalHint') })}
            <datalist id="terminal-points">${s.terminals.map((x) => html`<option value=${x.id}>${x.name}</option>`)}</datalist>
            ${this.#field('name', t('enrol.name'), { placeholder: t('enrol.nameHint') })}`
        : html`<label>${t('enrol.household')}<select name="householdId" .value=${s.form.householdId} @change=${(e: Event) => this.#patch({ householdId: (e.target as HTMLSelectElement).value })}>
              ${s.households.map((h) => html`<option value=${h.household.id} ?selected=${h.household.id === s.form.householdId}>${h.household.name}</option>`)}
            </select></label>
            ${this.#field('name', t('enrol.name'), { placeholder: t('enrol.deviceNameHint') })}
            <label>${t('enrol.place')}<select name="place" .value=${s.form.place} @change=${(e: Event) => this.#patch({ place: (e.target as HTMLSelectElement).value as EnrolForm['place'] })}>
              ${DEVICE_PLACES.map((p) => html`<option value=${p} ?selected=${p === s.form.place}>${t(`enrol.places.${p}`)}</option>`)}
            </select></label>
            <p class="note">${t('enrol.privacy')}</p>`}
      <output id="error" role="alert" class="late">${s.error ?? nothing}</output>
      <button class="btn primary" id="submit" ?disabled=${s.busy}>${t('enrol.submit')}</button>
      ${s.enrolled ? html`<p class="ok" id="enrolled" data-device=${s.enrolled.id}>${t('enrol.done', { name: s.enrolled.name })}</p>` : nothing}
    </form>`;
  }

  protected override updated(): void {
    document.title = t('enrol.title');
  }
}

define('enrol-page', EnrolPage);
