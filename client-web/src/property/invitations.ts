// 各方齐到 on the invitees' own pages: `<matter-invitations .token=…>` lists the open compound
// matters whose joint session the signed-in 网格员 (their community) or official (their office)
// was invited to, rings while their side has not joined, and joins the session in place.
// The server decides who is invited (`property.matters` lists only the caller's); the element
// fires `session` (detail: true / false) so the page can make room for the call.
import { html, nothing } from 'lit';
import { Api, ApiError } from '../lib/api.ts';
import { CallSession } from '../lib/call-session.ts';
import { t } from '../lib/i18n.ts';
import { LiveClient } from '../lib/live.ts';
import { LightElement, define } from '../lib/page.ts';
import { readClaims } from '../lib/token.ts';
import { Sounds } from '../household/common.ts';
import type { Matter } from '../../../server/protocol/http/property-shapes.ts';
import '../widgets/call-tiles.ts';

/** The party an invitee's role stands for in a matter. */
const SIDE = { 'grid-worker': 'community', official: 'department' } as const;

export class MatterInvitations extends LightElement {
  static override properties = { token: { attribute: false }, matters: { state: true }, session: { state: true }, error: { state: true } };
  /** The page's token, or its getter (a desk whose session refreshes the token). */
  declare token: string | (() => string) | undefined;
  declare matters: Matter[];
  declare session: { matter: Matter; call: CallSession } | null;
  declare error: string | null;
  #api: Api | undefined;
  #live: LiveClient | undefined;
  #side: 'community' | 'department' | undefined;
  readonly #dismissed = new Set<string>();
  readonly #sounds = new Sounds();

  constructor() {
    super();
    this.matters = [];
    this.session = null;
    this.error = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const token = this.token;
    if (!token || this.#api) return;
    this.#side = SIDE[readClaims(typeof token === 'function' ? token() : token)?.role as keyof typeof SIDE];
    if (!this.#side) return;
    this.#api = new Api(token);
    this.#live = new LiveClient(token);
    this.#live.on('property:matter', ({ matter }) => {
      this.matters = [matter, ...this.matters.filter((m) => m.id !== matter.id)];
      if (this.session?.matter.id === matter.id && !matter.sessionOpen) this.#leave();
    });
    this.#live.onConnect(() => void this.#refresh());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#live?.close();
    this.#live = undefined;
    this.#api = undefined;
    this.#sounds.stopRing();
  }

  /** Open sessions my side was invited to; `ringing`: nobody of my side is in yet. */
  #open(): { matter: Matter; ringing: boolean }[] {
    return this.matters
      .filter((m) => m.sessionOpen && m.parties.some((p) => p.kind === this.#side))
      .map((m) => ({ matter: m, ringing: !this.#dismissed.has(m.id) && m.parties.some((p) => p.kind === this.#side && !p.joinedAt) }));
  }

  protected override render(): unknown {
    if (this.session) {
      return html`<section class="matter-session" id="matter-session">
        <div>${t('property.inSession', { line: t('common.aside', { text: `${this.session.matter.compoundName} ${t(`property.cat.${this.session.matter.category}`)}`, aside: this.session.matter.location }) })}</div>
        <call-tiles .session=${this.session.call} @leave=${() => this.#leave()}></call-tiles>
      </section>`;
    }
    const open = this.#open();
    if (open.length === 0 && !this.error) return nothing;
    return html`<section class="matter-invitations" id="matter-invitations">
      <h2>${t('property.invitationsTitle')}</h2>
      ${this.error ? html`<p role="alert">${t('property.error', { message: this.error })}</p>` : nothing}
      ${open.map(({ matter: m, ringing }) => {
        // The property office runs the session (whoever of its parties sent the invitation).
        const by = m.parties.find((p) => p.kind === 'property')?.name ?? '';
        return html`<div class="matter-invitation" data-matter-id=${m.id} data-ringing=${ringing ? 'true' : 'false'}>
          <span class="what">${t('property.invitation', { compound: m.compoundName, category: t(`property.cat.${m.category}`), location: m.location, by, party: t(`property.partyKind.${this.#side!}`) })}${ringing ? '' : ` · ${t('property.invitationJoined')}`}</span>
          <button type="button" class="btn primary" data-act="join-matter" @click=${() => void this.#join(m.id)}>${t('property.join')}</button>
        </div>`;
      })}
    </section>`;
  }

  protected override updated(): void {
    if (!this.session && this.#open().some((o) => o.ringing)) this.#sounds.startRing('loud');
    else this.#sounds.stopRing();
  }

  async #refresh(): Promise<void> {
    try {
      this.matters = await this.#api!.call('property.matters');
    } catch (err) {
      console.warn('matter invitations', err);
    }
  }

  async #join(matterId: string): Promise<void> {
    if (this.session || !this.#api) return;
    this.error = null;
    try {
      const ticket = await this.#api.call('property.join', { params: { matterId } });
      this.#dismissed.add(matterId);
      const call = new CallSession({ token: ticket.token, roomId: ticket.roomId, renewToken: async () => (await this.#api!.call('property.join', { params: { matterId } })).token });
      (window as unknown as { callSession: CallSession }).callSession = call;
      this.session = { matter: ticket.matter, call };
      this.dispatchEvent(new CustomEvent('session', { detail: true, bubbles: true }));
      call.on('state', (s) => {
        if (s === 'closed' || s === 'failed') setTimeout(() => this.session?.call === call && this.#leave(), 0);
      });
      await call.start();
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
      this.#leave();
    }
  }

  #leave(): void {
    const s = this.session;
    this.session = null;
    s?.call.close();
    if (s) this.dispatchEvent(new CustomEvent('session', { detail: false, bubbles: true }));
    void this.#refresh();
  }
}

define('matter-invitations', MatterInvitations);
