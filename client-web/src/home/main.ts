// Landing page. In development: sign in as any seeded person or device and open their page, or
// mint a bare token for the generic call page.
import { html, nothing } from 'lit';
import { Api } from '../lib/api.ts';
import { LANGUAGES, otherLanguage, startLanguage, toggleLanguage, viewContext } from '../lib/i18n.ts';
import { PageElement, define } from '../lib/page.ts';
import { homeView, type HomeState } from './view-model.ts';

/** The development endpoints need no token. */
const api = new Api('');

class HomePage extends PageElement<HomeState> {
  constructor() {
    super({ identities: null, room: 'demo:room-1', name: '测试用户', error: '' });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    startLanguage();
    api.call('dev.identities').then(
      (identities) => this.set({ identities }),
      () => this.set({ identities: 'unavailable' }),
    );
  }

  async #signIn(kind: string, id: string): Promise<void> {
    try {
      // A one-time code in the address, never the token (client-web/src/lib/sign-in-code.ts).
      const { code, page } = await api.call('dev.signIn', { body: { kind: kind as 'terminal', id } });
      location.href = `${page}?code=${encodeURIComponent(code)}`;
    } catch (err) {
      alert((err as Error).message);
    }
  }

  async #enter(): Promise<void> {
    const { room, name } = this.state;
    try {
      const { token } = await api.call('dev.token', {
        body: { sub: `guest-${crypto.randomUUID().slice(0, 8)}`, name, role: 'official', grant: { rooms: [room], canPublish: true, canSubscribe: true, sources: ['camera', 'microphone'] } },
      });
      // The call page reads it from sessionStorage: the token never enters an address.
      sessionStorage.setItem('token', token);
      location.href = `call.html?room=${encodeURIComponent(room)}&name=${encodeURIComponent(name)}`;
    } catch (err) {
      this.set({ error: (err as Error).message });
    }
  }

  protected override render(): unknown {
    const v = homeView(this.state, viewContext());
    const f = v.form;
    return html`<header class="bar">
        <h1>${v.title}</h1>
        <button type="button" class="btn" id="lang" @click=${() => toggleLanguage()}>${LANGUAGES[otherLanguage()].name}</button>
      </header>
      <main class="home">
        <p class="lead">${v.lead}</p>
        <section id="identities" class="identity-groups" aria-live="polite">
          ${v.unavailable ?? nothing}
          ${v.groups.map(
            (g) => html`<section class="identity-group">
              <h2>${g.title}</h2>
              <ul>
                ${g.items.map((i) => html`<li><button class="btn" data-kind=${g.kind} data-id=${i.id} @click=${() => void this.#signIn(g.kind, i.id)}><span>${i.name}</span><small>${i.detail}</small></button></li>`)}
              </ul>
            </section>`,
          )}
        </section>
        <details class="card">
          <summary>${f.summary}</summary>
          <form
            id="dev"
            class="dev-form"
            @submit=${(e: Event) => {
              e.preventDefault();
              void this.#enter();
            }}
          >
            <label><span>${f.roomLabel}</span><input name="room" .value=${f.room} required @input=${(e: Event) => this.set({ room: (e.target as HTMLInputElement).value })} /></label>
            <label><span>${f.nameLabel}</span><input name="name" .value=${f.name} required @input=${(e: Event) => this.set({ name: (e.target as HTMLInputElement).value })} /></label>
            <button class="btn primary">${f.enter}</button>
            <output id="err">${f.error}</output>
          </form>
        </details>
      </main>`;
  }

  protected override updated(): void {
    document.title = homeView(this.state, viewContext()).title;
  }
}

define('home-page', HomePage);
