// Weekly schedules (privacy windows, check-ins) are written in the household's wall-clock time.
// Every household is in China Standard Time, which has no daylight saving, so a fixed offset is
// exact and keeps the evaluation independent of the server's TZ setting.
import { CITY_UTC_OFFSET_MS } from '../protocol/city-time.ts';
import type { PrivacyWindow } from './domain.ts';

const DAY_MS = 24 * 3600_000;

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

function local(nowMs: number): { weekday: number; minute: number; dayStartMs: number } {
  const shifted = nowMs + CITY_UTC_OFFSET_MS;
  const d = new Date(shifted);
  const dayStartShifted = shifted - (shifted % DAY_MS);
  return {
    weekday: d.getUTCDay(),
    minute: d.getUTCHours() * 60 + d.getUTCMinutes(),
    dayStartMs: dayStartShifted - CITY_UTC_OFFSET_MS,
  };
}

/** True while any window covers `nowMs`. A window whose end is not after its start runs past midnight. */
export function privacyWindowActive(windows: readonly PrivacyWindow[], nowMs: number): boolean {
  const { weekday, minute } = local(nowMs);
  const yesterday = (weekday + 6) % 7;
  return windows.some((w) => {
    const s = minutes(w.start);
    const e = minutes(w.end);
    if (e > s) return w.days.includes(weekday) && minute >= s && minute < e;
    return (w.days.includes(weekday) && minute >= s) || (w.days.includes(yesterday) && minute < e);
  });
}

/** The first instant strictly after `afterMs` that falls on one of `days` at `time` (local). */
export function nextOccurrence(days: readonly number[], time: string, afterMs: number): number {
  const { weekday, dayStartMs } = local(afterMs);
  const offset = minutes(time) * 60_000;
  for (let i = 0; i <= 7; i++) {
    const at = dayStartMs + i * DAY_MS + offset;
    if (days.includes((weekday + i) % 7) && at > afterMs) return at;
  }
  throw new Error('nextOccurrence: no day given');
}

/** The latest occurrence at or before `atMs`, or null if none within the last week. */
export function previousOccurrence(days: readonly number[], time: string, atMs: number): number | null {
  const { weekday, dayStartMs } = local(atMs);
  const offset = minutes(time) * 60_000;
  for (let i = 0; i <= 7; i++) {
    const at = dayStartMs - i * DAY_MS + offset;
    if (days.includes((((weekday - i) % 7) + 7) % 7) && at <= atMs) return at;
  }
  return null;
}

/**
 * Today's occurrence of a daily window (local time) that contains `nowMs`, or null when `nowMs`
 * is outside it. A window whose end is not after its start runs past midnight.
 */
export function localDayWindow(start: string, end: string, nowMs: number): { startMs: number; endMs: number } | null {
  const { minute, dayStartMs } = local(nowMs);
  const s = minutes(start);
  const e = minutes(end);
  if (e > s) return minute >= s && minute < e ? { startMs: dayStartMs + s * 60_000, endMs: dayStartMs + e * 60_000 } : null;
  if (minute >= s) return { startMs: dayStartMs + s * 60_000, endMs: dayStartMs + DAY_MS + e * 60_000 };
  if (minute < e) return { startMs: dayStartMs - DAY_MS + s * 60_000, endMs: dayStartMs + e * 60_000 };
  return null;
}

/** Every occurrence on one of `days` at `time` (local) in [fromMs, toMs], oldest first. */
export function occurrencesBetween(days: readonly number[], time: string, fromMs: number, toMs: number): number[] {
  const out: number[] = [];
  for (let at = nextOccurrence(days, time, fromMs - 1); at <= toMs; at = nextOccurrence(days, time, at)) out.push(at);
  return out;
}
