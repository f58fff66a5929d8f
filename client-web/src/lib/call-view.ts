// Renders a CallSession: a tile per participant (own preview first), connection state and the
// mute / camera / hang-up controls. Role UIs embed this view and add their own panels around it.
import type { CallSession, CallState, RemoteTrack } from './call-session.ts';
import { t, type StringKey } from './i18n.ts';

export interface CallViewOptions {
  /** Show the local preview tile. */
  preview?: boolean;
  /** Large targets for kiosks (terminals, home devices). */
  kiosk?: boolean;
  onLeave?: () => void;
}

export class CallView {
  readonly el: HTMLElement;
  readonly #grid: HTMLElement;
  readonly #status: HTMLElement;
  readonly #tiles = new Map<string, HTMLElement>();

  constructor(
    private readonly session: CallSession,
    private readonly o: CallViewOptions = {},
  ) {
    this.el = document.createElement('section');
    this.el.className = `call${o.kiosk ? ' kiosk' : ''}`;
    this.el.innerHTML = `
      <div class="call-head">
        <div class="call-status" role="status" aria-live="polite"></div>
        <div class="call-recording" role="status" hidden>● ${t('recording')}</div>
      </div>
      <div class="call-grid"></div>
      <div class="call-controls">
        <button type="button" data-act="mic" class="btn"></button>
        <button type="button" data-act="cam" class="btn"></button>
        <button type="button" data-act="leave" class="btn danger">${t('leave')}</button>
      </div>`;
    this.#grid = this.el.querySelector('.call-grid')!;
    this.#status = this.el.querySelector('.call-status')!;
    this.#bindControls();
    session.on('state', (s, detail) => this.#showState(s, detail));
    session.on('trackadded', (r) => this.#attach(r));
    session.on('trackremoved', (r) => this.#detach(r));
    session.on('trackpaused', (r) => this.#tileFor(r.peerId).classList.toggle('paused', r.paused && r.source === 'camera'));
    session.on('peers', (peers) => {
      for (const [peerId, tile] of this.#tiles) if (peerId !== 'me' && !peers.has(peerId)) (tile.remove(), this.#tiles.delete(peerId));
      for (const p of peers.values()) this.#tileFor(p.peerId).querySelector('.name')!.textContent = p.name;
      this.#grid.dataset.count = String(this.#tiles.size);
      this.#grid.classList.toggle('alone', peers.size === 0);
      // "Waiting for others" must go once someone is there (and come back when all left).
      if (this.session.state === 'joined' && this.#status.dataset.state === 'joined') this.#showState('joined');
    });
    session.on('error', (err) => this.#showError(err));
    session.on('recording', (active) => {
      this.el.querySelector<HTMLElement>('.call-recording')!.hidden = !active;
    });
    this.#showState(session.state);
  }

  /** Call after session.start(): shows the local preview and sets the control labels. */
  refresh(): void {
    if (this.o.preview !== false && this.session.localStream.getVideoTracks().length > 0) {
      const tile = this.#tileFor('me');
      tile.classList.add('me');
      tile.querySelector('.name')!.textContent = t('me');
      const v = tile.querySelector('video')!;
      v.muted = true;
      v.srcObject = this.session.localStream;
    }
    this.#labelControls();
  }

  #bindControls(): void {
    this.el.querySelector('[data-act=mic]')!.addEventListener('click', () => this.#toggle('microphone'));
    this.el.querySelector('[data-act=cam]')!.addEventListener('click', () => this.#toggle('camera'));
    this.el.querySelector('[data-act=leave]')!.addEventListener('click', () => {
      this.session.close();
      this.o.onLeave?.();
    });
  }

  async #toggle(source: 'camera' | 'microphone'): Promise<void> {
    try {
      await this.session.setSourceEnabled(source, !this.session.isSourceEnabled(source));
    } catch (err) {
      this.#showError(err as Error);
    }
    this.#labelControls();
  }

  #labelControls(): void {
    const mic = this.el.querySelector<HTMLButtonElement>('[data-act=mic]')!;
    const cam = this.el.querySelector<HTMLButtonElement>('[data-act=cam]')!;
    mic.hidden = !this.session.hasSource('microphone');
    cam.hidden = !this.session.hasSource('camera');
    const micOn = this.session.isSourceEnabled('microphone');
    const camOn = this.session.isSourceEnabled('camera');
    mic.textContent = t(micOn ? 'micOn' : 'micOff');
    cam.textContent = t(camOn ? 'cameraOn' : 'cameraOff');
    mic.setAttribute('aria-pressed', String(!micOn));
    cam.setAttribute('aria-pressed', String(!camOn));
  }

  #tileFor(peerId: string): HTMLElement {
    let tile = this.#tiles.get(peerId);
    if (!tile) {
      tile = document.createElement('figure');
      tile.className = 'tile';
      tile.dataset.peerId = peerId;
      tile.innerHTML = `<video autoplay playsinline></video><audio autoplay></audio><figcaption><span class="name"></span><span class="off">${t('cameraPaused')}</span></figcaption>`;
      this.#tiles.set(peerId, tile);
      if (peerId === 'me') this.#grid.prepend(tile);
      else this.#grid.append(tile);
      this.#grid.dataset.count = String(this.#tiles.size);
    }
    return tile;
  }

  #attach(r: RemoteTrack): void {
    const tile = this.#tileFor(r.peerId);
    const el = tile.querySelector(r.track.kind === 'video' ? 'video' : 'audio')!;
    el.srcObject = new MediaStream([r.track]);
    el.dataset.consumerId = r.consumerId;
    if (r.track.kind === 'video') tile.classList.toggle('paused', r.paused);
    void el.play().catch(() => undefined);
  }

  #detach(r: RemoteTrack): void {
    const tile = this.#tiles.get(r.peerId);
    const el = tile?.querySelector<HTMLMediaElement>(`[data-consumer-id="${r.consumerId}"]`);
    if (el) el.srcObject = null;
  }

  #showState(s: CallState, detail?: string): void {
    const key: StringKey = detail === 'replaced' ? 'replaced' : s;
    this.#status.textContent = t(key);
    this.#status.dataset.state = s;
    if (s === 'joined' && this.session.peers.size === 0) this.#status.textContent = `${t('joined')} · ${t('waitingOthers')}`;
  }

  #showError(err: Error): void {
    this.#status.textContent = `${t('errorPrefix')}: ${err.message}`;
    this.#status.dataset.state = 'error';
  }
}
