// The call page: ?room=<roomId>[&note=][&audioOnly=1][&relay=1], the token from sessionStorage (or a
// `?token=`, taken out of the address bar at once). The bare call every role page builds on, and
// what tests and tools open directly.
import { html, nothing } from 'lit';
import { CallSession } from '../lib/call-session.ts';
import { LANGUAGES, otherLanguage, startLanguage, toggleLanguage, viewContext } from '../lib/i18n.ts';
import { PageElement, define } from '../lib/page.ts';
import { pageToken } from '../lib/token.ts';
import '../widgets/call-tiles.ts';
import { homeLink } from '../widgets/home-link.ts';
import { callPageView, type CallPageState } from './view-model.ts';

// User Timing marks of the join (this one: the page's scripts have run; the call session leaves
// the others): bench:join and a browser's performance panel read them.
performance.mark('call:page');

class CallPage extends PageElement<CallPageState> {
  #session: CallSession | undefined;
  /** The refusal's code, on `#app` for tools and tests. */
  #errorCode: string | undefined;

  constructor() {
    super({ ready: false, failure: null });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    startLanguage();
    const q = new URLSearchParams(location.search);
    const token = pageToken('token', sessionStorage);
    const roomId = q.get('room') ?? '';
    if (!token || !roomId) return;
    const session = new CallSession({
      token,
      roomId,
      note: q.get('note') ?? undefined,
      audioOnly: q.get('audioOnly') === '1',
      // `relay=1`: media only through TURN, to check a deployment's TURN path from a browser.
      ...(q.get('relay') === '1' ? { iceTransportPolicy: 'relay' as const } : {}),
    });
    this.#session = session;
    // Exposed for diagnostics and the browser tests (getStats on consumers).
    (window as unknown as { callSession: CallSession }).callSession = session;
    this.set({ ready: true });
    session.start().catch((err: Error) => {
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
        ${v.notice ? html`<p class="card">${v.notice}</p>${homeLink()}` : html`<call-tiles .session=${this.#session} .failure=${v.failure}></call-tiles>`}
      </main>`;
  }

  protected override updated(): void {
    document.title = callPageView(this.state, viewContext()).title;
  }
}

define('call-page', CallPage);
