// The village committee / 网格员 page: an SOS that nobody of the family or the counsellors
// answered rings here last (loudly, with answer and decline); answering joins the home's call.
// The backend decides who is rung; this page only shows what `GET /my/calls` and the pushes say.
// A 红色物业 matter the community was invited to rings here too, with its join button.
import { ApiError, type Api } from '../lib/api.ts';
import { CallSession } from '../lib/call-session.ts';
import { LANGUAGES, otherLanguage, startLanguage, t, toggleLanguage, viewContext } from '../lib/i18n.ts';
import { PageElement, define } from '../lib/page.ts';
import { Sounds, personSession, ringsMe, type Call, type PersonSession } from '../household/common.ts';
import { passkeysLink } from '../widgets/passkeys-link.ts';
import { html, nothing } from 'lit';
import '../widgets/call-tiles.ts';
import '../property/invitations.ts';
import { gridView, type GridState } from './view-model.ts';

class GridPage extends PageElement<GridState> {
  static override properties = { ...PageElement.properties, session: { state: true }, inMatter: { state: true } };
  declare session: CallSession | null;
  /** In a compound matter's session (the invitations element holds it). */
  declare inMatter: boolean;
  #api: Api | undefined;
  #person: PersonSession | undefined;
  #token: string | (() => string) | null = null;
  readonly #sounds = new Sounds();

  constructor() {
    super({ phase: 'running', me: '', who: '', calls: [], room: null });
    this.session = null;
    this.inMatter = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#boot();
  }

  async #boot(): Promise<void> {
    startLanguage();
    const signedIn = await personSession(
      'household-grid-token',
      'grid-worker',
      (type, p) => this.#onEvent(type, p),
      () => void this.refresh(),
      () => this.#signedOut(),
    );
    if (!signedIn) return this.set({ phase: 'no-token' });
    this.#person = signedIn;
    this.#api = signedIn.api;
    this.#token = signedIn.token;
    this.set({ who: signedIn.name, me: signedIn.sub });
    setInterval(() => void this.refresh(), 30_000);
    void this.refresh();
  }

  protected override render(): unknown {
    const v = gridView(this.state, viewContext());
    return html`<header class="bar">
        <h1 id="title">${v.title}</h1>
        <span id="who">${v.who}</span>
        <button type="button" class="btn" id="lang" @click=${() => toggleLanguage()}>${LANGUAGES[otherLanguage()].name}</button>
        ${v.signedIn ? html`${passkeysLink()}<button type="button" class="btn" id="signout" @click=${() => void this.#person?.signOut()}>${v.signOut}</button>` : nothing}
      </header>
      ${this.#token && !v.room ? html`<matter-invitations class="grid-list" .token=${this.#token} @session=${(e: CustomEvent<boolean>) => (this.inMatter = e.detail)}></matter-invitations>` : nothing}
      <main id="list" class="grid-list" ?hidden=${!!v.room || this.inMatter}>
        ${v.notice ? html`<p class="card">${v.notice}</p>` : nothing}
        ${v.calls.map(
          (c) => html`<div class="grid-call" data-call-id=${c.id} data-state=${c.state}>
            <span class="what">${c.text}</span>
            ${c.ringing
              ? html`<button type="button" class="btn primary" data-act="answer" @click=${() => void this.#answer(c.id)}>${c.answer}</button>
                  <button type="button" class="btn" data-act="decline" @click=${() => void this.#decline(c.id)}>${c.decline}</button>`
              : nothing}
          </div>`,
        )}
      </main>
      <section id="room" class="grid-room" ?hidden=${!v.room}>
        <div id="room-title">${v.room?.title ?? ''}</div>
        ${this.session ? html`<call-tiles .session=${this.session} @leave=${() => this.#leave(true)}></call-tiles>` : nothing}
      </section>`;
  }

  protected override updated(): void {
    document.title = t('grid.title');
    if (this.state.calls.some((c) => ringsMe(c, this.state.me)) && !this.state.room) this.#sounds.startRing('loud');
    else this.#sounds.stopRing();
  }

  async refresh(): Promise<void> {
    try {
      if (this.#api) this.set({ calls: await this.#api.call('household.myCalls', { query: { limit: 20 } }) });
    } catch (err) {
      console.warn('grid', err);
    }
  }

  #onEvent(type: string, p: Record<string, unknown>): void {
    const call = p.call as Call | undefined;
    if (!call) return;
    if (type === 'call:ended' && this.state.room?.id === call.id) this.#leave(false);
    if (type === 'call:ringing' || type === 'call:answered' || type === 'call:ended' || type === 'call:updated') {
      this.set({ calls: [call, ...this.state.calls.filter((c) => c.id !== call.id)] });
    }
  }

  async #answer(callId: string): Promise<void> {
    if (this.state.room || !this.#api) return;
    try {
      const ticket = await this.#api.call('household.answerCall', { params: { callId } });
      const session = new CallSession({ token: ticket.token, roomId: ticket.roomId });
      (window as unknown as { callSession: CallSession }).callSession = session;
      this.session = session;
      this.set({ room: ticket.call });
      session.on('state', (s) => {
        if (s === 'closed' || s === 'failed') setTimeout(() => this.session === session && this.#leave(false), 0);
      });
      await session.start();
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'gone')) console.warn('grid answer', err);
      this.#leave(false);
    }
  }

  async #decline(callId: string): Promise<void> {
    await this.#api?.call('household.declineCall', { params: { callId } }).catch(() => undefined);
    void this.refresh();
  }

  /** The session ended under the page: out of the room, no more requests, the sign-in notice. */
  #signedOut(): void {
    this.#leave(false);
    this.#api = undefined;
    this.#token = null;
    this.set({ phase: 'no-token', calls: [] });
  }

  #leave(hangUp: boolean): void {
    const room = this.state.room;
    const session = this.session;
    this.session = null;
    this.set({ room: null });
    session?.close();
    if (room && hangUp) void this.#api?.call('household.endCall', { params: { callId: room.id } }).catch(() => undefined);
    void this.refresh();
  }
}

define('grid-page', GridPage);
