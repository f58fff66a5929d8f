// The sign-in page of people (officials, coordinators, counsellors, archivists, administrators,
// family members): sign-in name and password, then whatever the server asks next — the
// authenticator code, a new password in place of the one-time one, setting up the authenticator
// — or the city's single sign-on. A signed-in step set the session cookie; the page goes on to
// the role's own page, which draws its tokens from that cookie (lib/session.ts).
import { html, nothing } from 'lit';
import { Api } from '../lib/api.ts';
import { LANGUAGES, otherLanguage, startLanguage, toggleLanguage, viewContext } from '../lib/i18n.ts';
import { PageElement, define } from '../lib/page.ts';
import type { SignInStep } from '../../../server/protocol/http/identity-shapes.ts';
import { afterRefusal, failureOf, initialSignIn, signInView, type SignInState } from './view-model.ts';

const api = new Api('');
/** The address the city's identity provider sends the browser back through (server/identity/oidc-router.ts). */
const OIDC_START = '/api/identity/oidc/start';

class SignInPage extends PageElement<SignInState> {
  constructor() {
    super(initialSignIn());
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
  }

  async #submit(): Promise<void> {
    const s = this.state;
    if (s.busy) return;
    const step = s.step;
    if (step.step === 'change-password' && s.newPassword !== s.repeat) {
      return this.set({ failure: { code: 'bad_request', message: '', details: { reason: 'mismatch' } } });
    }
    this.set({ busy: true, failure: null });
    try {
      let next: SignInStep;
      switch (step.step) {
        case 'password':
          next = await api.call('identity.signIn', { body: { username: s.username, password: s.password } });
          break;
        case 'second-factor':
          next = await api.call('identity.signInTotp', { body: { challenge: step.challenge, code: s.code.trim() } });
          break;
        case 'change-password':
          next = await api.call('identity.signInNewPassword', { body: { challenge: step.challenge, newPassword: s.newPassword } });
          break;
        case 'enrol-totp':
          next = await api.call('identity.signInEnrolTotp', { body: { challenge: step.challenge, code: s.code.trim() } });
          break;
      }
      if (next.step === 'signed-in') {
        location.href = next.page;
        return;
      }
      this.set({ step: next, busy: false, code: '', password: '', newPassword: '', repeat: '' });
    } catch (err) {
      this.set(afterRefusal(failureOf(err)));
    }
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
        fields = html`<p>${t('signIn.codeHint')}</p>${this.#input('code', 'text', 'one-time-code', t('signIn.code'))}`;
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
    return html`<header class="bar">
        <h1>${t('common.appName')}</h1>
        <button type="button" class="btn" id="lang" @click=${() => toggleLanguage()}>${LANGUAGES[otherLanguage()].name}</button>
      </header>
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
          <button class="btn primary" id="submit" ?disabled=${this.state.busy}>${step.step === 'password' ? t('signIn.submit') : t('signIn.next')}</button>
          ${step.step !== 'password'
            ? html`<button type="button" class="btn" id="restart" @click=${() => this.set(initialSignIn())}>${t('signIn.restart')}</button>`
            : v.singleSignOn
              ? html`<a class="btn" id="sso" href=${OIDC_START}>${v.singleSignOn}</a>`
              : nothing}
        </form>
      </main>`;
  }

  protected override updated(): void {
    document.title = signInView(this.state, viewContext()).title;
  }
}

define('sign-in-page', SignInPage);
