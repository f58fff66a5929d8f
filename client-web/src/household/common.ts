// Shared pieces of the three 平安心居 pages (home device, family app, counsellor desk): the
// backend's types (type-only imports, erased at build), WebAudio ring and chime, region names
// and an ApiError's details.
import { Api } from '../lib/api.ts';
import type { T } from '../lib/i18n.ts';
import { LiveClient } from '../lib/live.ts';
import { PageSession, SIGN_IN_PAGE } from '../lib/session.ts';
import { pageToken, readClaims } from '../lib/token.ts';
import { zh } from '../i18n/zh.ts';
import type { Call, PrivacyWindow } from '../../../server/protocol/http/household-shapes.ts';
import type { Role } from '../../../server/protocol/claims.ts';

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
  PrivacyWindow,
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

/** A person's page: the people a home calls, and the 红色物业 page's office staff and residents. */
type PersonRole = Extract<Role, 'family' | 'counsellor' | 'grid-worker' | 'property' | 'resident'>;

/** Who is signed in on a person's page, its API, and its token (or getter) for the page's widgets. */
export interface PersonSession {
  name: string;
  sub: string;
  role: PersonRole;
  api: Api;
  /** The page's live channel (its token refreshed with the session's). */
  live: LiveClient;
  token: string | (() => string);
  /** Ends the session on this browser (or forgets this tab's development token) and opens the sign-in page. */
  signOut(): Promise<void>;
}

/**
 * A person's page (family member, counsellor, grid worker, property office or resident): a
 * development token this tab was opened with (`sessionStorage`, so several people can share one
 * browser in tabs), else the signed-in session of one of `roles` (lib/session.ts: the cookie
 * sign-in.html or invite.html opened),
 * whose refreshed token the API and the live channel read at every request and (re)connect.
 * Household events go to `onEvent`, every (re)connect calls `refresh`, and `ended` is called
 * once when the session ends under the page (revoked, idle, past its limit). Null with neither.
 */
export async function personSession(
  tokenKey: string,
  roles: PersonRole | readonly PersonRole[],
  onEvent: (type: string, payload: Record<string, unknown>) => void,
  refresh: () => void,
  ended: () => void,
): Promise<PersonSession | null> {
  // A development token for another role (a link opened for someone else) does not shadow the
  // signed-in session of this page's role.
  const mine: readonly string[] = typeof roles === 'string' ? [roles] : roles;
  const opened = pageToken(tokenKey, sessionStorage);
  const dev = opened && mine.includes(readClaims(opened)?.role ?? '') ? opened : null;
  const session = dev ? null : await PageSession.start(tokenKey, mine);
  const token = dev ?? session?.token;
  if (!token) return null;
  const live = new LiveClient(token);
  live.on('household:event', ({ type, payload }) => onEvent(type, payload as Record<string, unknown>));
  live.onConnect(refresh);
  if (session) {
    session.watch(live.socket);
    session.onEnded(() => {
      live.close();
      ended();
    });
  }
  const claims = session?.claims ?? (dev ? readClaims(dev) : null);
  const signOut = async () => {
    live.close();
    if (session) return session.signOut();
    sessionStorage.removeItem(tokenKey);
    location.href = SIGN_IN_PAGE;
  };
  return { name: claims?.name ?? '', sub: claims?.sub ?? '', role: claims?.role as PersonRole, api: new Api(token), live, token, signOut };
}

/** Weekly windows in words: "每天 22:00–07:00", "每周一、二 12:00–13:00". */
export function windowsText(windows: readonly PrivacyWindow[], t: T): string {
  const days = (d: readonly number[]) =>
    d.length === 7 ? t('household.everyDay') : t('household.weeklyPrefix') + d.map((x) => t(`household.weekday.w${x as 0 | 1 | 2 | 3 | 4 | 5 | 6}`)).join(t('household.daySeparator'));
  return windows.map((w) => `${days(w.days)} ${w.start}–${w.end}`).join(t('common.clauseSeparator'));
}
