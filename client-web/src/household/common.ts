// Shared pieces of the three 平安心居 pages (home device, family app, counsellor desk): the
// backend's types (type-only imports, erased at build), WebAudio ring and chime, region names
// and an ApiError's details.
import { Api } from '../lib/api.ts';
import type { T } from '../lib/i18n.ts';
import { LiveClient } from '../lib/live.ts';
import { pageToken, readClaims } from '../lib/token.ts';
import { zh } from '../i18n/zh.ts';
import type { Call } from '../../../server/protocol/http/household-shapes.ts';

export type {
  AccessLogEntry,
  Call,
  ConsentRecord,
  MaskRect,
  CheckInSchedule,
  Device,
  HouseholdAlert,
  HouseholdHistory,
  HouseholdSettings,
  NoticeReceipts,
  Visit,
  LookIn,
  LookInRefusal,
  Notice,
  DeviceState,
  HouseholdView,
  RoomTicket,
  CallEndReason,
  PrivacyState,
} from '../../../server/protocol/http/household-shapes.ts';

/**
 * Ring tone and chime from oscillators: no audio files. Kiosks run Chromium with
 * `--autoplay-policy=no-user-gesture-required`; elsewhere the context resumes on the first tap.
 */
export class Sounds {
  #ctx: AudioContext | undefined;
  #ringTimer: ReturnType<typeof setInterval> | undefined;

  constructor() {
    const unlock = (): void => void this.#context().resume().catch(() => undefined);
    window.addEventListener('pointerdown', unlock);
    window.addEventListener('keydown', unlock);
  }

  get ringing(): boolean {
    return this.#ringTimer !== undefined;
  }

  /**
   * `loud` (the home device): a telephone trill, two tones alternating, twice every 3 s.
   * `soft` (the caller's ringback): one quiet 440 Hz tone every 3 s. Until stopRing().
   */
  startRing(kind: 'loud' | 'soft' = 'loud'): void {
    if (this.#ringTimer) return;
    const burst = (): void => {
      const ctx = this.#context();
      const t0 = ctx.currentTime;
      if (kind === 'soft') {
        this.#tone(440, t0, 1.2, 0.08, 'sine');
        return;
      }
      for (let i = 0; i < 20; i++) this.#tone(i % 2 ? 1200 : 900, t0 + i * 0.05, 0.05, 0.6);
      for (let i = 0; i < 20; i++) this.#tone(i % 2 ? 1200 : 900, t0 + 1.3 + i * 0.05, 0.05, 0.6);
    };
    burst();
    this.#ringTimer = setInterval(burst, 3000);
  }

  stopRing(): void {
    if (this.#ringTimer) clearInterval(this.#ringTimer);
    this.#ringTimer = undefined;
  }

  /** Ding-dong: someone is looking in. */
  chime(): void {
    const t0 = this.#context().currentTime;
    this.#tone(988, t0, 0.45, 0.5);
    this.#tone(784, t0 + 0.45, 0.8, 0.5);
  }

  #context(): AudioContext {
    this.#ctx ??= new AudioContext();
    if (this.#ctx.state === 'suspended') void this.#ctx.resume().catch(() => undefined);
    return this.#ctx;
  }

  #tone(freq: number, at: number, dur: number, gain: number, type: OscillatorType = 'square'): void {
    const ctx = this.#context();
    const osc = ctx.createOscillator();
    const g = ctx.createGain();
    osc.type = type;
    osc.frequency.value = freq;
    g.gain.setValueAtTime(0, at);
    g.gain.linearRampToValueAtTime(gain, at + 0.01);
    g.gain.setValueAtTime(gain, at + dur - 0.02);
    g.gain.linearRampToValueAtTime(0, at + dur);
    osc.connect(g).connect(ctx.destination);
    osc.start(at);
    osc.stop(at + dur + 0.01);
  }
}

/**
 * Whether a call from home (or an SOS) rings `me` now: it is ringing and my own line in it is
 * still ringing (the people it rang answer, decline or miss one by one).
 */
export function ringsMe(call: Call, me: string): boolean {
  return call.direction === 'from-home' && call.state === 'ringing' && call.callees.some((c) => c.id === me && c.state === 'ringing');
}

/** A 宿州 division (GB/T 2260 county code) by name, or the code when it is not one of them. */
export function regionName(code: string, t: T): string {
  const key = `r${code}`;
  return key in zh.household.region ? t(`household.region.${key as keyof typeof zh.household.region}`) : code;
}

/** An ApiError's `details.reason` / `details.callId`, when the server sent them. */
export function errorDetail(err: unknown, key: string): string | undefined {
  const d = (err as { body?: { details?: unknown } } | null)?.body?.details;
  const v = d && typeof d === 'object' ? (d as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/**
 * A person's page (family member, counsellor): the token of this tab (`sessionStorage`), the API
 * and the live channel, whose household events go to `onEvent` and whose every (re)connect calls
 * `refresh`. Null without a token.
 */
export function personSession(
  tokenKey: string,
  onEvent: (type: string, payload: Record<string, unknown>) => void,
  refresh: () => void,
): { name: string; sub: string; api: Api } | null {
  const token = pageToken(tokenKey, sessionStorage);
  if (!token) return null;
  const live = new LiveClient(token);
  live.on('household:event', ({ type, payload }) => onEvent(type, payload as Record<string, unknown>));
  live.onConnect(refresh);
  const claims = readClaims(token);
  return { name: claims?.name ?? '', sub: claims?.sub ?? '', api: new Api(token) };
}
