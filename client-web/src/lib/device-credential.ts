// A device's own credential (docs/identity.md, "Devices: enrolment"). A terminal or home device
// that has none shows a pairing code and QR and polls until an administrator or the household's
// manager enters it; the refresh token it then receives stays in this browser's storage only and
// rotates on every refresh, each refresh yielding a short-lived access token. A refused refresh
// (revoked, re-enrolled elsewhere) forgets the credential and the device pairs again.
import type { DeviceKind, Pairing } from '../../../server/protocol/http/identity-shapes.ts';
import { Api, ApiError } from './api.ts';

const publicApi = new Api('');
const POLL_MS = 2000;
const REFRESH_AHEAD_MS = 60_000;
const RETRY_MS = 10_000;

interface Stored {
  deviceId: string;
  refreshToken: string;
}

const keyOf = (kind: DeviceKind) => `enrol.${kind}`;

export class DeviceCredential {
  #token = '';
  #timer: ReturnType<typeof setTimeout> | undefined;
  #onLost: (() => void) | undefined;

  private constructor(private readonly kind: DeviceKind) {}

  /**
   * The device's access token: from the stored credential, else after pairing (`showPairing` is
   * called with each code to display; codes expire and are renewed while nobody enters one).
   */
  static async obtain(kind: DeviceKind, showPairing: (p: Pairing) => void): Promise<DeviceCredential> {
    const c = new DeviceCredential(kind);
    for (;;) {
      const r = c.#stored() ? await c.#refresh() : 'none';
      if (r === 'ok') return c;
      // Disabled by an administrator (still enrolled, works again once re-enabled), or out of reach.
      if (r === 'wait') await sleep(RETRY_MS);
      else await c.#pair(showPairing);
    }
  }

  /** The current access token (a getter for the API and socket clients). */
  readonly token = (): string => this.#token;

  /** Re-checks the credential now (a connection the server closed may be a revocation). */
  async check(): Promise<boolean> {
    return (await this.#refresh()) === 'ok';
  }

  /** Called when the credential stops working (revoked or disabled): the page should re-pair. */
  onLost(fn: () => void): void {
    this.#onLost = fn;
  }

  #stored(): Stored | null {
    try {
      const s = JSON.parse(localStorage.getItem(keyOf(this.kind)) ?? 'null') as Stored | null;
      return s && typeof s.deviceId === 'string' && typeof s.refreshToken === 'string' ? s : null;
    } catch {
      return null;
    }
  }

  /** Draws an access token; a revoked credential is forgotten (`none`: pair again). */
  async #refresh(): Promise<'ok' | 'none' | 'wait'> {
    const s = this.#stored();
    if (!s) return 'none';
    try {
      const d = await publicApi.call('enrol.refresh', { body: s });
      localStorage.setItem(keyOf(this.kind), JSON.stringify({ deviceId: s.deviceId, refreshToken: d.refreshToken }));
      this.#token = d.token;
      this.#schedule(Date.parse(d.expiresAt) - Date.now() - REFRESH_AHEAD_MS);
      return 'ok';
    } catch (err) {
      if (err instanceof ApiError && (err.code === 'unauthorized' || err.code === 'forbidden')) {
        if (err.code === 'unauthorized') localStorage.removeItem(keyOf(this.kind));
        clearTimeout(this.#timer);
        if (this.#token) this.#onLost?.();
        this.#token = '';
        return err.code === 'unauthorized' ? 'none' : 'wait';
      }
      // Out of reach: keep the credential, try again shortly.
      this.#schedule(RETRY_MS);
      return this.#token !== '' ? 'ok' : 'wait';
    }
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#refresh(), Math.max(RETRY_MS, ms));
  }

  /** One pairing code shown until it is entered (stored credential) or expires (a new one). */
  async #pair(show: (p: Pairing) => void): Promise<void> {
    let pairing: Pairing;
    try {
      pairing = await publicApi.call('enrol.begin', { body: { kind: this.kind } });
    } catch {
      await sleep(RETRY_MS);
      return;
    }
    show(pairing);
    while (Date.parse(pairing.expiresAt) > Date.now()) {
      await sleep(POLL_MS);
      try {
        const r = await publicApi.call('enrol.poll', { params: { pairingId: pairing.id }, body: { pollSecret: pairing.pollSecret } });
        if (r.state === 'enrolled') {
          localStorage.setItem(keyOf(this.kind), JSON.stringify({ deviceId: r.deviceId, refreshToken: r.refreshToken }));
          return;
        }
      } catch (err) {
        if (err instanceof ApiError && (err.code === 'gone' || err.code === 'not_found')) return;
      }
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
