// Shared pieces of the three 平安心居 pages (home device, family app, counsellor desk): the
// backend's types (type-only imports, erased at build), the token from the URL, page-local
// string tables in the shared language setting, WebAudio ring and chime, and date formatting.
import { currentLang, type Lang } from '../lib/i18n.ts';
import { redeemedToken } from '../lib/sign-in-code.ts';

export type {
  Call,
  CheckInSchedule,
  Device,
  DeviceAlert,
  HouseholdSettings,
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
 * The page's token: a redeemed sign-in code or `?token=` wins (and is remembered), then what
 * the page remembered before.
 * The token is taken out of the address bar so it does not end up in screenshots or history.
 */
export function pageToken(storageKey: string, storage: Storage = localStorage): string | null {
  const url = new URL(location.href);
  const fromUrl = redeemedToken ?? url.searchParams.get('token');
  if (fromUrl) {
    storage.setItem(storageKey, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(null, '', url);
    return fromUrl;
  }
  return storage.getItem(storageKey);
}

/** A page-local dictionary: Chinese by default, English when the shared setting says so. */
export function dictionary<K extends string>(zh: Record<K, string>, en: Record<K, string>): (key: K, vars?: Record<string, string | number>) => string {
  const lang: Lang = currentLang();
  return (key, vars) => {
    let s = (lang === 'en' ? en : zh)[key];
    if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
    return s;
  };
}

export function lang(): Lang {
  return currentLang();
}

/** Escapes text for innerHTML templates (names and notices come from other people). */
export function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function fmtTime(iso: string | number | Date, withDate = true): string {
  const d = new Date(iso);
  const locale = lang() === 'en' ? 'en-GB' : 'zh-CN';
  return d.toLocaleString(locale, {
    timeZone: 'Asia/Shanghai',
    ...(withDate ? { month: 'numeric', day: 'numeric' } : {}),
    hour: '2-digit',
    minute: '2-digit',
  });
}

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

/** Division codes of 宿州 (GB/T 2260), for region names on the counsellor desk. */
export const REGION_NAMES: Record<string, [string, string]> = {
  '341300': ['宿州市', 'Suzhou city'],
  '341302': ['埇桥区', 'Yongqiao'],
  '341321': ['砀山县', 'Dangshan'],
  '341322': ['萧县', 'Xiao county'],
  '341323': ['灵璧县', 'Lingbi'],
  '341324': ['泗县', 'Si county'],
};

export function regionName(code: string): string {
  const n = REGION_NAMES[code];
  return n ? (lang() === 'en' ? n[1] : n[0]) : code;
}

/** The display name in a JWT's payload (for the header only; the server decides everything). */
export function tokenClaims(token: string): { sub?: string; name?: string; role?: string } {
  try {
    const part = token.split('.')[1] ?? '';
    const json = decodeURIComponent(
      [...atob(part.replace(/-/g, '+').replace(/_/g, '/'))].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join(''),
    );
    return JSON.parse(json) as { sub?: string; name?: string; role?: string };
  } catch {
    return {};
  }
}

/** An ApiError's `details.reason` / `details.callId`, when the server sent them. */
export function errorDetail(err: unknown, key: string): string | undefined {
  const d = (err as { body?: { details?: unknown } } | null)?.body?.details;
  const v = d && typeof d === 'object' ? (d as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' ? v : undefined;
}
