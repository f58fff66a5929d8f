// The one date/time formatter of every page. Times are shown in China Standard Time (the
// platform's zone, whatever the browser's), in the page's language; durations as a clock or in
// words. Pure functions of their arguments, so view-models and their tests use them directly.
import { cityWallClock } from '../../../server/protocol/city-time.ts';
import type { Lang, T } from './i18n.ts';

export const TIME_ZONE = 'Asia/Shanghai';

const STYLES = {
  /** 11/26 15:04 — the desks' default. */
  dateTime: { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false },
  /** 2026/11/26 15:04 */
  dateTimeYear: { year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false },
  /** 15:04 */
  time: { hour: '2-digit', minute: '2-digit', hour12: false },
  /** 15:04:05 */
  timeSeconds: { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false },
  /** 2026年11月26日星期四 — the home device's clock. */
  longDate: { year: 'numeric', month: 'long', day: 'numeric', weekday: 'long' },
  /** 11月26日星期四 — dates told to petitioners. */
  friendlyDate: { month: 'long', day: 'numeric', weekday: 'long' },
  friendlyDateYear: { year: 'numeric', month: 'long', day: 'numeric', weekday: 'long' },
  /** 下午3:04 */
  friendlyTime: { hour: 'numeric', minute: '2-digit', hour12: true },
} as const satisfies Record<string, Intl.DateTimeFormatOptions>;

export type TimeStyle = keyof typeof STYLES | 'stamp' | 'stampMs' | 'friendly' | 'friendlyWithTime';

const LOCALES: Record<Lang, string> = { zh: 'zh-CN', en: 'en-GB' };
const formats = new Map<string, Intl.DateTimeFormat>();

function intl(style: keyof typeof STYLES, lang: Lang): Intl.DateTimeFormat {
  const key = `${style}/${lang}`;
  let f = formats.get(key);
  if (!f) formats.set(key, (f = new Intl.DateTimeFormat(LOCALES[lang], { timeZone: TIME_ZONE, ...STYLES[style] })));
  return f;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * `at` in China Standard Time, in one of the named styles. `stamp` is the archive's
 * `2026-11-26 15:04:05` (`stampMs` adds milliseconds); `friendly` is a date as told to a
 * petitioner, with the year only when it is not this year (`friendlyWithTime` adds the time).
 * An unreadable time shows as a dash.
 */
export function formatTime(at: string | number | Date, style: TimeStyle, lang: Lang, now: number = Date.now()): string {
  const ms = at instanceof Date ? at.getTime() : typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(ms)) return '—';
  if (style === 'stamp' || style === 'stampMs') {
    const d = cityWallClock(ms);
    const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
    return style === 'stampMs' ? `${base}.${pad(d.getUTCMilliseconds(), 3)}` : base;
  }
  if (style === 'friendly' || style === 'friendlyWithTime') {
    const year = (x: number) => cityWallClock(x).getUTCFullYear();
    const date = intl(year(ms) === year(now) ? 'friendlyDate' : 'friendlyDateYear', lang).format(ms);
    return style === 'friendly' ? date : `${date} ${intl('friendlyTime', lang).format(ms)}`;
  }
  return intl(style, lang).format(ms);
}

/** A playback position: `mm:ss`, or `h:mm:ss` from an hour on. */
export function clock(seconds: number): string {
  const s = Math.max(0, seconds);
  const h = Math.floor(s / 3600);
  const mm = pad(Math.floor((s % 3600) / 60));
  const ss = pad(Math.floor(s % 60));
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** `clock` with tenths of a second. */
export function clockPrecise(seconds: number): string {
  const s = Math.max(0, seconds);
  return `${clock(s)}.${Math.floor((s % 1) * 10)}`;
}

/** A length of time in words to the second ("1小时2分3秒"); a dash when unknown. */
export function duration(seconds: number | null | undefined, t: T): string {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h ? t('time.hms', { h, m, s: sec }) : m ? t('time.ms', { m, s: sec }) : t('time.s', { s: sec });
}

/**
 * A wait in whole minutes, never "0 分钟": an estimate rounds up (the promise is a bound), time
 * already waited (`elapsed`) rounds down — 61 s waited is "1 分钟", not 2.
 */
export function waitDuration(seconds: number, t: T, rounding: 'estimate' | 'elapsed' = 'estimate'): string {
  if (seconds < 60) return t('time.underMinute');
  const m = rounding === 'elapsed' ? Math.floor(seconds / 60) : Math.ceil(seconds / 60);
  if (m < 60) return t('time.minutes', { m });
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? t('time.hours', { h }) : t('time.hoursMinutes', { h, m: m % 60 });
}
