// The sign-in page of people (officials, coordinators, counsellors, archivists, administrators,
// family members): sign-in name and password, then whatever the server asks next — the
// authenticator code, a new password in place of the one-time one, setting up the authenticator
// — or a passkey (alone, or as the second factor, or registered in place of the authenticator
// app when one is to be set up), or the city's single sign-on. A signed-in
// step set the session cookie; the page goes on to the role's own page, which draws its tokens
// from that cookie (lib/session.ts). `sign-in.html?passkeys` is where a signed-in person adds and
// removes their passkeys (after signing in first when there is no session).
import { html, nothing } from 'lit';
import { Api } from '../lib/api.ts';
import { LANGUAGES, otherLanguage, startLanguage, toggleLanguage, viewContext } from '../lib/i18n.ts';
import { formatTime } from '../lib/time.ts';
import { PageElement, define } from '../lib/page.ts';
import { PageSession } from '../lib/session.ts';
import { PERSON_ROLES, ROLE_PAGES, type PersonRole, type SignInStep } from '../../../server/protocol/http/identity-shapes.ts';
import { afterRefusal, failureOf, initialSignIn, signInView, type Failure, type SignInState } from './view-model.ts';
import { PasskeyCancelled, enrolPasskey, passkeysSupported, registerPasskey, signInWithPasskey } from './passkeys.ts';

const api = new Api('');
/** The address the city's identity provider sends the browser back through (server/identity/oidc-router.ts). */
const OIDC_START = '/api/identity/oidc/start';
const MANAGE_PASSKEYS = 'sign-in.html?passkeys';
const PASSKEY_LABELS = { alone: 'signIn.passkeyAlone', 'second-factor': 'signIn.passkeySecond', enrol: 'signIn.passkeyEnrol' } as const;

/** A refusal as the page keeps it; a passkey prompt the person closed is one too. */
const refusalOf = (err: unknown): Failure =>
  err instanceof PasskeyCancelled ? { code: 'bad_request', message: err.message, details: { reason: 'passkey_cancelled' } } : failureOf(err);

class SignInPage extends PageElement<SignInState> {
  #session: PageSession | null = null;
  readonly #manage = new URL(location.href).searchParams.has('passkeys');

  constructor() {
    super({ ...initialSignIn(), passkeysSupported: passkeysSupported() });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    startLanguage();
    // Single sign-on refused: the server sent the browser back naming why.
    const url = new URL(location.href);
    const sso = url.searchParams.get('sso');
    if (sso) {
      this.set({ failure: { code: 'forbidden', message: '', details: { reason: 'sso', sso } } });
      url.searchParams.delete('sso');
      history.replaceState(history.state, '', url);
    }
    api.call('identity.options').then(
      (options) => this.set({ options }),
      () => undefined,
    );
    if (this.#manage) void this.#openMine();
  }

  /** The signed-in person's passkeys; without a session the sign-in form comes first. */
  async #openMine(): Promise<void> {
    this.#session ??= await PageSession.start('', PERSON_ROLES);
    if (!this.#session) return;
    const page = ROLE_PAGES[this.#session.claims.role as PersonRole] ?? 'index.html';
    try {
      const list = await this.#session.api.call('identity.myPasskeys');
      this.set({ mine: { page, list, name: this.state.mine?.name ?? '', added: this.state.mine?.added ?? null } });
    } catch (err) {
      this.set({ failure: refusalOf(err) });
    }
  }

  async #addPasskey(): Promise<void> {
    const mine = this.state.mine;
    if (!mine || !this.#session || this.state.busy) return;
    this.set({ busy: true, failure: null });
    try {
      const p = await registerPasskey(this.#session.api, mine.name);
      this.set({ busy: false, mine: { ...mine, name: '', added: p.name } });
      await this.#openMine();
    } catch (err) {
      this.set({ busy: false, failure: refusalOf(err) });
    }
  }

  async #removePasskey(passkeyId: string): Promise<void> {
    if (!this.#session) return;
    try {
      await this.#session.api.call('identity.removePasskey', { params: { passkeyId } });
      this.set({ mine: this.state.mine && { ...this.state.mine, added: null } });
      await this.#openMine();
    } catch (err) {
      this.set({ failure: refusalOf(err) });
    }
  }

  /** One step to the server; the answer is the next step, or the session (then the role's page). */
  async #advance(send: () => Promise<SignInStep>): Promise<void> {
    this.set({ busy: true, failure: null });
    try {
      const next = await send();
      if (next.step === 'signed-in') {
        location.href = this.#manage ? MANAGE_PASSKEYS : next.page;
        return;
      }
      this.set({ step: next, busy: false, code: '', password: '', newPassword: '', repeat: '' });
    } catch (err) {
      this.set(afterRefusal(refusalOf(err)));
    }
  }

  #passkey(): void {
    const step = this.state.step;
    if (this.state.busy) return;
    if (step.step === 'enrol-totp') return void this.#advance(() => enrolPasskey(api, step.challenge));
    void this.#advance(() => signInWithPasskey(api, step.step === 'second-factor' ? step.challenge : undefined));
  }

  async #submit(): Promise<void> {
    const s = this.state;
    if (s.busy) return;
    const step = s.step;
    if (step.step === 'change-password' && s.newPassword !== s.repeat) {
      return this.set({ failure: { code: 'bad_request', message: '', details: { reason: 'mismatch' } } });
    }
    await this.#advance(async () => {
      switch (step.step) {
        case 'password':
          return api.call('identity.signIn', { body: { username: s.username, password: s.password } });
        case 'second-factor':
          return api.call('identity.signInTotp', { body: { challenge: step.challenge, code: s.code.trim() } });
        case 'change-password':
          return api.call('identity.signInNewPassword', { body: { challenge: step.challenge, newPassword: s.newPassword } });
        case 'enrol-totp':
          return api.call('identity.signInEnrolTotp', { body: { challenge: step.challenge, code: s.code.trim() } });
      }
    });
  }

  #input(field: 'username' | 'password' | 'code' | 'newPassword' | 'repeat', type: string, autocomplete: string, label: string) {
    return html`<label
      ><span>${label}</span
      ><input
        name=${field}
        type=${type}
        autocomplete=${autocomplete}
        required
        .value=${this.state[field]}
        inputmode=${field === 'code' ? 'numeric' : nothing}
        @input=${(e: Event) => this.set({ [field]: (e.target as HTMLInputElement).value })}
    /></label>`;
  }

  protected override render(): unknown {
    const ctx = viewContext();
    const { t } = ctx;
    const v = signInView(this.state, ctx);
    const step = this.state.step;
    let fields;
    switch (step.step) {
      case 'password':
        fields = html`${this.#input('username', 'text', 'username', t('signIn.username'))}${this.#input('password', 'password', 'current-password', t('signIn.password'))}`;
        break;
      case 'second-factor':
        fields = v.codeField
          ? html`<p>${t('signIn.codeHint')}</p>${this.#input('code', 'text', 'one-time-code', t('signIn.code'))}`
          : html`<p>${t('signIn.passkeyHint')}</p>`;
        break;
      case 'change-password':
        fields = html`<p>${t('signIn.changeHint')}</p>
          <p class="rules">${v.rules}</p>
          ${this.#input('newPassword', 'password', 'new-password', t('signIn.newPassword'))}${this.#input('repeat', 'password', 'new-password', t('signIn.repeat'))}`;
        break;
      case 'enrol-totp':
        fields = html`<p>${t('signIn.enrolHint')}</p>
          <img class="qr" src=${step.qr} alt=${t('signIn.qrAlt')} width="200" height="200" />
          <p class="secret">${t('signIn.secret')} <code id="totp-secret">${step.secret}</code></p>
          ${this.#input('code', 'text', 'one-time-code', t('signIn.code'))}`;
        break;
    }
    const header = html`<header class="bar">
      <h1>${t('common.appName')}</h1>
      <button type="button" class="btn" id="lang" @click=${() => toggleLanguage()}>${LANGUAGES[otherLanguage()].name}</button>
    </header>`;
    if (this.state.mine) return html`${header}<main class="sign-in">${this.#mine(v.error)}</main>`;
    const passkeyButton = v.passkey
      ? html`<button type="button" class="btn ${v.codeField && v.passkey !== 'alone' ? '' : 'primary'}" id=${v.passkey === 'enrol' ? 'enrol-passkey' : 'passkey'} ?disabled=${this.state.busy} @click=${() => this.#passkey()}>
          ${t(PASSKEY_LABELS[v.passkey])}</button>`
      : nothing;
    return html`${header}
      <main class="sign-in">
        <form
          class="card"
          id="sign-in"
          data-step=${v.step}
          @submit=${(e: Event) => {
            e.preventDefault();
            void this.#submit();
          }}
        >
          <h2>${v.heading}</h2>
          ${fields}
          <output id="error" role="alert">${v.error ?? nothing}</output>
          ${v.codeField ? html`<button class="btn primary" id="submit" ?disabled=${this.state.busy}>${step.step === 'password' ? t('signIn.submit') : t('signIn.next')}</button>` : nothing}
          ${passkeyButton}
          ${step.step !== 'password'
            ? html`<button type="button" class="btn" id="restart" @click=${() => this.set({ ...initialSignIn(), options: this.state.options, passkeysSupported: this.state.passkeysSupported })}>${t('signIn.restart')}</button>`
            : v.singleSignOn
              ? html`<a class="btn" id="sso" href=${OIDC_START}>${v.singleSignOn}</a>`
              : nothing}
        </form>
      </main>`;
  }

  /** The signed-in person's passkeys: add one of this browser, remove one, back to the own page. */
  #mine(error: string | null): unknown {
    const { t, lang } = viewContext();
    const m = this.state.mine!;
    return html`<form
      class="card"
      id="sign-in"
      data-step="passkeys"
      @submit=${(e: Event) => {
        e.preventDefault();
        void this.#addPasskey();
      }}
    >
      <h2>${t('signIn.heading.passkeys')}</h2>
      <p>${t('signIn.passkeysHint')}</p>
      <ul class="passkeys" id="passkeys" data-count=${m.list.length}>
        ${m.list.length === 0 ? html`<li class="muted">${t('signIn.noPasskeys')}</li>` : nothing}
        ${m.list.map(
          (p) => html`<li data-passkey=${p.id}>
            <span><b>${p.name}</b><br /><small>${t('signIn.passkeyUsed', { created: formatTime(p.createdAt, 'dateTimeYear', lang), used: p.lastUsedAt ? formatTime(p.lastUsedAt, 'dateTimeYear', lang) : '—' })}</small></span>
            <button type="button" class="btn small" data-act="remove" @click=${() => void this.#removePasskey(p.id)}>${t('signIn.removePasskey')}</button>
          </li>`,
        )}
      </ul>
      ${m.added ? html`<p class="ok" id="added">${t('signIn.passkeyAdded', { name: m.added })}</p>` : nothing}
      ${this.state.passkeysSupported
        ? html`<label><span>${t('signIn.passkeyName')}</span><input name="passkeyName" type="text" maxlength="60" placeholder=${t('signIn.passkeyNameHint')} .value=${m.name}
              @input=${(e: Event) => this.set({ mine: { ...m, name: (e.target as HTMLInputElement).value } })} /></label>
            <button class="btn primary" id="add-passkey" ?disabled=${this.state.busy}>${t('signIn.addPasskey')}</button>`
        : html`<p class="muted">${t('signIn.noWebAuthn')}</p>`}
      <output id="error" role="alert">${error ?? nothing}</output>
      <a class="btn" id="back" href=${m.page}>${t('signIn.back')}</a>
    </form>`;
  }

  protected override updated(): void {
    document.title = signInView(this.state, viewContext()).title;
  }
}

define('sign-in-page', SignInPage);
