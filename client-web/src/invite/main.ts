// The invite page (invite.html). Signed in as a household's manager or an assigned counsellor:
// make an invitation and see the household's invitations (withdraw an open one). Opened from an
// invitation link (`#code=…`, no session needed): see the household and who invites, then join
// with a sign-in name and password; the answer is a session, and the page goes on to the family
// page.
import { html, nothing, type TemplateResult } from 'lit';
import { Api } from '../lib/api.ts';
import { LANGUAGES, otherLanguage, startLanguage, t, toggleLanguage, viewContext } from '../lib/i18n.ts';
import { PageElement, define } from '../lib/page.ts';
import { PageSession } from '../lib/session.ts';
import { kinshipWord } from '../lib/kinship.ts';
import { formatTime } from '../lib/time.ts';
import { signInCard } from '../petition-ui/desk.ts';
import { EMPTY_INVITE, INVITE_ROLES, PERMISSIONS, codeOfLink, initialInvite, invitableHouseholds, invitationBody, refusalText, type InviteForm, type InviteState, type JoinForm } from './view-model.ts';

const publicApi = new Api('');

class InvitePage extends PageElement<InviteState> {
  #session: PageSession | undefined;

  constructor() {
    super(initialInvite());
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#boot();
  }

  async #boot(): Promise<void> {
    startLanguage();
    const code = codeOfLink(location.hash);
    if (code) {
      this.set({ mode: 'join', code });
      try {
        this.set({ preview: await publicApi.call('identity.previewInvitation', { body: { code } }) });
      } catch (err) {
        this.set({ error: refusalText(err, viewContext()) });
      }
      return;
    }
    const session = (this.#session = (await PageSession.start('invite-token', INVITE_ROLES)) ?? undefined);
    if (!session) return this.set({ mode: 'signed-out' });
    session.onEnded(() => this.set({ mode: 'signed-out' }));
    try {
      const households = invitableHouseholds(session.claims.role, await session.api.call('household.list'));
      this.set({ mode: 'invite', households, form: { ...EMPTY_INVITE, householdId: households[0]?.household.id ?? '' } });
      await this.#loadInvitations();
    } catch (err) {
      this.set({ mode: 'invite', error: refusalText(err, viewContext()) });
    }
  }

  async #loadInvitations(): Promise<void> {
    const householdId = this.state.form.householdId;
    if (!householdId || !this.#session) return this.set({ invitations: [] });
    this.set({ invitations: await this.#session.api.call('identity.householdInvitations', { params: { householdId } }) });
  }

  async #invite(): Promise<void> {
    const body = invitationBody(this.state.form);
    if (!body) return this.set({ error: t('invite.incomplete') });
    this.set({ busy: true, error: null });
    try {
      const made = await this.#session!.api.call('identity.createInvitation', { body });
      this.set({ busy: false, made, form: { ...EMPTY_INVITE, householdId: this.state.form.householdId } });
      await this.#loadInvitations();
    } catch (err) {
      this.set({ busy: false, error: refusalText(err, viewContext()) });
    }
  }

  async #withdraw(invitationId: string): Promise<void> {
    try {
      await this.#session!.api.call('identity.withdrawInvitation', { params: { invitationId } });
      await this.#loadInvitations();
    } catch (err) {
      this.set({ error: refusalText(err, viewContext()) });
    }
  }

  async #join(): Promise<void> {
    const j = this.state.join;
    if (j.password !== j.repeat) return this.set({ error: t('invite.mismatch') });
    this.set({ busy: true, error: null });
    try {
      const step = await publicApi.call('identity.acceptInvitation', { body: { code: this.state.code, name: j.name, city: j.city, username: j.username, password: j.password } });
      if (step.step === 'signed-in') location.href = step.page;
      else this.set({ busy: false, error: t('invite.failed', { m: step.step }) });
    } catch (err) {
      this.set({ busy: false, error: refusalText(err, viewContext()) });
    }
  }

  #setForm(patch: Partial<InviteForm>): void {
    this.set({ form: { ...this.state.form, ...patch }, error: null });
    if (patch.householdId) void this.#loadInvitations();
  }

  #joinField(name: keyof JoinForm, label: string, type = 'text', autocomplete = 'off'): TemplateResult {
    return html`<label>${label}<input name=${name} type=${type} autocomplete=${autocomplete} required .value=${this.state.join[name]}
      @input=${(e: Event) => this.set({ join: { ...this.state.join, [name]: (e.target as HTMLInputElement).value }, error: null })} /></label>`;
  }

  protected override render(): unknown {
    return html`<header class="abar">
        <h1>${t('invite.title')}</h1>
        <div class="abar-right">
          ${this.state.mode === 'invite' ? html`<a class="btn lang" href=${this.#session?.claims.role === 'counsellor' ? 'counsellor.html' : 'family.html'}>${t('invite.back')}</a>` : nothing}
          <button type="button" class="btn lang" id="lang" @click=${() => toggleLanguage()}>${LANGUAGES[otherLanguage()].name}</button>
        </div>
      </header>
      <main class="admin-main">${this.#body()}</main>`;
  }

  #body(): unknown {
    const s = this.state;
    const error = html`<output id="error" role="alert" class="late">${s.error ?? nothing}</output>`;
    switch (s.mode) {
      case 'loading':
        return html`<p class="muted">${t('common.loading')}</p>`;
      case 'signed-out':
        return signInCard(t('invite.who'), t);
      case 'join': {
        const p = s.preview;
        return html`<form class="card" id="join" @submit=${(e: Event) => (e.preventDefault(), void this.#join())}>
          <h2>${t('invite.joinHeading')}</h2>
          ${p ? html`<p id="preview">${t('invite.preview', { household: p.householdName, by: p.invitedBy, relation: kinshipWord(p.relation, viewContext().lang), permission: t(`invite.permission.${p.permission}`) })}</p>` : nothing}
          ${p
            ? html`${this.#joinField('name', t('invite.name'), 'text', 'name')}${this.#joinField('city', t('invite.city'))}
                ${this.#joinField('username', t('invite.username'), 'text', 'username')}
                ${this.#joinField('password', t('invite.password'), 'password', 'new-password')}${this.#joinField('repeat', t('invite.repeat'), 'password', 'new-password')}
                <button class="btn primary" id="submit" ?disabled=${s.busy}>${t('invite.join')}</button>`
            : nothing}
          ${error}
        </form>`;
      }
      case 'invite':
        return this.#inviteForm(error);
    }
  }

  #inviteForm(error: TemplateResult): TemplateResult {
    const s = this.state;
    const f = s.form;
    const lang = viewContext().lang;
    if (!s.households.length) return html`<div class="card"><p>${t('invite.noHousehold')}</p>${error}</div>`;
    return html`<div class="invite-grid">
      <form class="card" id="invite" @submit=${(e: Event) => (e.preventDefault(), void this.#invite())}>
        <h2>${t('invite.heading')}</h2>
        <label>${t('invite.household')}<select name="householdId" .value=${f.householdId} @change=${(e: Event) => this.#setForm({ householdId: (e.target as HTMLSelectElement).value })}>
          ${s.households.map((h) => html`<option value=${h.household.id} ?selected=${h.household.id === f.householdId}>${h.household.name}</option>`)}
        </select></label>
        <label>${t('invite.relation')}<input name="relation" required placeholder=${t('invite.relationHint')} .value=${f.relation} @input=${(e: Event) => this.#setForm({ relation: (e.target as HTMLInputElement).value })} /></label>
        <label>${t('invite.level')}<select name="permission" .value=${f.permission} @change=${(e: Event) => this.#setForm({ permission: (e.target as HTMLSelectElement).value as InviteForm['permission'] })}>
          ${PERMISSIONS.map((p) => html`<option value=${p} ?selected=${p === f.permission}>${t(`invite.permission.${p}`)}</option>`)}
        </select></label>
        <label>${t('invite.addressed')}<input name="username" placeholder=${t('invite.addressedHint')} .value=${f.username} @input=${(e: Event) => this.#setForm({ username: (e.target as HTMLInputElement).value })} /></label>
        <label>${t('invite.validHours')}<input name="validHours" type="number" min="1" max="168" .value=${f.validHours} @input=${(e: Event) => this.#setForm({ validHours: (e.target as HTMLInputElement).value })} /></label>
        ${error}
        <button class="btn primary" id="submit" ?disabled=${s.busy}>${t('invite.create')}</button>
      </form>
      <section class="card" id="invitations">
        ${s.made
          ? html`<div id="made" data-invitation=${s.made.id}>
              ${s.made.code
                ? html`<p>${t('invite.made')}</p><p class="big-code" id="invite-code">${s.made.code}</p>
                    ${s.made.qr ? html`<img class="qr" src=${s.made.qr} alt=${t('invite.qrAlt')} width="160" height="160" />` : nothing}
                    <p><code id="invite-link">${s.made.link}</code></p>`
                : html`<p>${t('invite.madeAddressed')}</p>`}
            </div>`
          : nothing}
        <h2>${t('invite.list')}</h2>
        <table>
          <tbody>
            ${s.invitations.map(
              (i) => html`<tr data-invitation=${i.id} data-state=${i.state}><td>${kinshipWord(i.relation, viewContext().lang)}</td><td>${t(`invite.permission.${i.permission}`)}</td><td>${t(`invite.state.${i.state}`)}</td>
                <td>${formatTime(i.expiresAt, 'dateTime', lang)}</td>
                <td>${i.state === 'open' ? html`<button type="button" class="btn small" data-act="withdraw" @click=${() => void this.#withdraw(i.id)}>${t('invite.withdraw')}</button>` : nothing}</td></tr>`,
            )}
          </tbody>
        </table>
      </section>
    </div>`;
  }

  protected override updated(): void {
    document.title = t('invite.title');
  }
}

define('invite-page', InvitePage);
