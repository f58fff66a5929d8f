// The call page's UI: the call the engine started (engine.ts), or why there is none.
import { html, nothing } from 'lit';
import { LANGUAGES, otherLanguage, startLanguage, toggleLanguage, viewContext } from '../lib/i18n.ts';
import { PageElement, define } from '../lib/page.ts';
import '../widgets/call-tiles.ts';
import { homeLink } from '../widgets/home-link.ts';
import { call } from './engine.ts';
import { callPageView, type CallPageState } from './view-model.ts';

class CallPage extends PageElement<CallPageState> {
  /** The refusal's code, on `#app` for tools and tests. */
  #errorCode: string | undefined;

  constructor() {
    super({ ready: false, failure: null });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    startLanguage();
    if (!call) return;
    this.set({ ready: true });
    call.started.catch((err: Error) => {
      this.#errorCode = (err as { code?: string }).code ?? 'error';
      this.set({ failure: err.message });
    });
  }

  protected override render(): unknown {
    const v = callPageView(this.state, viewContext());
    return html`<header class="bar">
        <h1>${v.heading}</h1>
        <button type="button" class="btn" id="lang" @click=${() => toggleLanguage()}>${LANGUAGES[otherLanguage()].name}</button>
      </header>
      <main id="app" data-error=${this.#errorCode ?? nothing}>
        ${v.notice ? html`<p class="card">${v.notice}</p>${homeLink()}` : html`<call-tiles .session=${call?.session} .failure=${v.failure}></call-tiles>`}
      </main>`;
  }

  protected override updated(): void {
    document.title = callPageView(this.state, viewContext()).title;
  }
}

define('call-page', CallPage);
performance.mark('call:ui');
