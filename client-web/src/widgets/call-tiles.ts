// The call tiles: renders a CallSession — a tile per participant (own preview first), the
// connection state, the recording notice and the mute / camera / hang-up controls. Pages put it
// where the call goes (`<call-tiles .session=…>`) and add their own controls through `extra`;
// hanging up closes the session and fires `leave`.
import { html, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { CallSession } from '../lib/call-session.ts';
import { t } from '../lib/i18n.ts';
import { LightElement, define } from '../lib/page.ts';
import { callTilesModel, type CallTilesModel } from './call-tiles-model.ts';

export class CallTiles extends LightElement {
  static override properties = {
    session: { attribute: false },
    preview: { type: Boolean },
    kiosk: { type: Boolean },
    leaveLabel: { attribute: false },
    extra: { attribute: false },
    failure: { attribute: false },
  };
  declare session: CallSession | undefined;
  /** Show the local preview tile (default on). */
  declare preview: boolean;
  /** Large targets for kiosks (terminals, home devices). */
  declare kiosk: boolean;
  declare leaveLabel: string | undefined;
  /** More controls after the hang-up button. */
  declare extra: unknown;
  /** Why joining failed, set by the page. */
  declare failure: string | undefined;

  #unsubscribe: (() => void)[] = [];
  /** The last error, shown until the next state change. */
  #error: string | undefined;
  /** Once the own camera was shown its tile stays (e.g. black while privacy stops the camera). */
  #previewShown = false;
  readonly #streams = new Map<string, MediaStream>();

  constructor() {
    super();
    this.preview = true;
    this.kiosk = false;
  }

  /** Re-reads the session (after a change it does not announce, e.g. a source stopped). */
  refresh(): void {
    this.requestUpdate();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#subscribe();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#unsubscribeAll();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('session') && this.isConnected) this.#subscribe();
  }

  #unsubscribeAll(): void {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
  }

  #subscribe(): void {
    this.#unsubscribeAll();
    this.#streams.clear();
    this.#error = undefined;
    const s = this.session;
    if (!s) return;
    // Tracks that came in before these tiles were made (the call page builds them after the first).
    for (const r of s.remote.values()) this.#streams.set(r.consumerId, new MediaStream([r.track]));
    const update = () => this.requestUpdate();
    this.#unsubscribe = [
      s.on('state', () => {
        this.#error = undefined;
        update();
      }),
      s.on('peers', update),
      s.on('trackadded', (r) => {
        this.#streams.set(r.consumerId, new MediaStream([r.track]));
        update();
      }),
      s.on('trackremoved', (r) => {
        this.#streams.delete(r.consumerId);
        update();
      }),
      s.on('trackpaused', update),
      s.on('status', update),
      s.on('recording', update),
      s.on('error', (err) => {
        this.#error = err.message;
        update();
      }),
    ];
  }

  async #toggle(source: 'camera' | 'microphone'): Promise<void> {
    const s = this.session;
    if (!s) return;
    try {
      await s.setSourceEnabled(source, !s.isSourceEnabled(source));
    } catch (err) {
      this.#error = (err as Error).message;
    }
    this.requestUpdate();
  }

  async #audioOnly(on: boolean): Promise<void> {
    try {
      await this.session?.setAudioOnly(on);
    } catch (err) {
      this.#error = (err as Error).message;
    }
    this.requestUpdate();
  }

  #leave(): void {
    this.session?.close();
    this.dispatchEvent(new CustomEvent('leave', { bubbles: true }));
  }

  protected override render(): unknown {
    const s = this.session;
    if (!s) return nothing;
    if (this.preview && s.localStream.getVideoTracks().length > 0) this.#previewShown = true;
    const m = callTilesModel(
      {
        status: s.status,
        error: this.#error,
        failure: this.failure,
        peers: s.peers,
        remote: s.remote.values(),
        preview: this.#previewShown,
        recording: s.recording,
        mic: { has: s.hasSource('microphone'), on: s.isSourceEnabled('microphone') },
        cam: { has: s.hasSource('camera'), on: s.isSourceEnabled('camera') },
      },
      t,
      this.leaveLabel,
    );
    return html`<section class="call ${this.kiosk ? 'kiosk' : ''}">
      <div class="call-head">
        <div class="call-status" role="status" aria-live="polite" data-state=${m.status.state}>${m.status.text}</div>
        <div class="call-recording" role="status" ?hidden=${!m.recording}>● ${t('call.recording')}</div>
      </div>
      ${m.notices.length > 0
        ? html`<ul class="call-notices" role="alert">
            ${m.notices.map((n) => html`<li data-kind=${n.kind} data-source=${n.source}>${n.text}</li>`)}
          </ul>`
        : nothing}
      ${m.network
        ? html`<div class="call-network" role="alert" data-audio-only=${m.network.audioOnly ? '1' : '0'}>
            <span>${m.network.text}</span>
            <button type="button" class="btn" data-act="audio-only" @click=${() => void this.#audioOnly(!m.network!.audioOnly)}>${m.network.action}</button>
          </div>`
        : nothing}
      ${m.ended ? nothing : this.#body(s, m)}
    </section>`;
  }

  #body(s: CallSession, m: CallTilesModel): unknown {
    const stream = (id: string | undefined) => (id ? (this.#streams.get(id) ?? null) : null);
    return html`
      <div class="call-grid ${m.alone ? 'alone' : ''}" data-count=${m.tiles.length}>
        ${repeat(
          m.tiles,
          (tile) => tile.peerId,
          (tile) => html`<figure class="tile ${tile.me ? 'me' : ''} ${tile.paused ? 'paused' : ''}" data-peer-id=${tile.peerId}>
            <video autoplay playsinline .muted=${tile.me} .srcObject=${tile.me ? s.localStream : stream(tile.video)} data-consumer-id=${tile.video ?? nothing}></video>
            <audio autoplay .srcObject=${stream(tile.audio)} data-consumer-id=${tile.audio ?? nothing}></audio>
            <figcaption><span class="name">${tile.name}</span><span class="off">${t('call.cameraPaused')}</span></figcaption>
          </figure>`,
        )}
      </div>
      <div class="call-controls">
        <button type="button" data-act="mic" class="btn" ?hidden=${m.controls.mic.hidden} aria-pressed=${m.controls.mic.pressed} @click=${() => void this.#toggle('microphone')}>
          ${m.controls.mic.label}
        </button>
        <button type="button" data-act="cam" class="btn" ?hidden=${m.controls.cam.hidden} aria-pressed=${m.controls.cam.pressed} @click=${() => void this.#toggle('camera')}>
          ${m.controls.cam.label}
        </button>
        <button type="button" data-act="leave" class="btn danger" @click=${() => this.#leave()}>${m.controls.leave}</button>
        ${this.extra ?? nothing}
      </div>`;
  }

  protected override updated(): void {
    // Autoplay can be refused for an element that got its stream before it was in the page.
    for (const el of this.querySelectorAll<HTMLMediaElement>('video, audio')) {
      if (el.srcObject && el.paused) void el.play().catch(() => undefined);
    }
  }
}

define('call-tiles', CallTiles);

declare global {
  interface HTMLElementTagNameMap {
    'call-tiles': CallTiles;
  }
}
