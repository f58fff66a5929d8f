// The one deadline model of the case life: every time limit of 信访 practice is a clock that
// starts, may pause (time for a hearing or an appraisal does not count) and resume, may be
// extended once (the 60-day handling clock, by at most 30 days with the head's approval), and
// stops when its act is done (the notice issued, the reply issued). Pure: records in, records out.
//
// Counting (the general rule for periods in Chinese procedure, applied here to 信访 limits):
// calendar days in China Standard Time; the day the clock starts is not counted; the period
// ends at 24:00 of its last day; a last day that is a rest day (weekend or public holiday, with
// the State Council's swapped working days) moves to the next working day. Article numbers of
// 《信访工作条例》 are not quoted here: they could not be checked.
import { CITY_UTC_OFFSET_MS, cityWallClock } from '../protocol/city-time.ts';
import type { ClockKind, ClockRecord, ClockView } from '../protocol/http/petition-shapes.ts';

export type { ClockKind, ClockRecord, ClockView };

/** Length of each clock in days, and how far it may be extended (once). */
export const CLOCK_SPECS: Record<ClockKind, { days: number; maxExtensionDays: number }> = {
  /** 受理告知: whether the matter is accepted, within 15 days of registration. */
  acceptance: { days: 15, maxExtensionDays: 0 },
  /** 办理/答复: the written reply within 60 days of acceptance, extendable once by ≤ 30. */
  handling: { days: 60, maxExtensionDays: 30 },
  /** The petitioner may ask for 复查 within 30 days of the reply. */
  review_window: { days: 30, maxExtensionDays: 0 },
  /** 复查意见 within 30 days of the request. */
  review: { days: 30, maxExtensionDays: 0 },
  /** 复核 may be asked for within 30 days of the review answer. */
  re_review_window: { days: 30, maxExtensionDays: 0 },
  /** 复核意见 within 30 days of the request. */
  re_review: { days: 30, maxExtensionDays: 0 },
};

/** Windows are the petitioner's time to act; they never make an office late. */
export const WINDOW_CLOCKS: readonly ClockKind[] = ['review_window', 're_review_window'];

/** Which days are not working days. */
export interface Calendar {
  isRestDay(date: string): boolean;
}

/** A year's rest days: weekends, plus `holidays`, minus the swapped working days in `workdays`. */
export function holidayCalendar(c: { holidays?: readonly string[]; workdays?: readonly string[] } = {}): Calendar {
  const holidays = new Set(c.holidays ?? []);
  const workdays = new Set(c.workdays ?? []);
  return {
    isRestDay(date) {
      if (holidays.has(date)) return true;
      if (workdays.has(date)) return false;
      const wd = new Date(`${date}T00:00:00Z`).getUTCDay();
      return wd === 0 || wd === 6;
    },
  };
}

const DAY_MS = 24 * 3600_000;

/** The China Standard Time date of an instant: 2026-01-31T16:30:00Z → 2026-02-01. */
export function localDate(iso: string): string {
  return cityWallClock(Date.parse(iso)).toISOString().slice(0, 10);
}

export function addLocalDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

/** 24:00 China time at the end of `date`, as an ISO instant (UTC). */
export const endOfLocalDay = (date: string) => new Date(Date.parse(`${addLocalDays(date, 1)}T00:00:00Z`) - CITY_UTC_OFFSET_MS).toISOString();

export function startClock(kind: ClockKind, at: string, days = CLOCK_SPECS[kind].days): ClockRecord {
  return { kind, startedAt: at, days, extensionDays: 0, pausedDays: 0, pausedAt: null, stoppedAt: null };
}

export class ClockError extends Error {
  constructor(
    readonly reason: 'not_running' | 'not_paused' | 'already_extended' | 'extension_too_long' | 'not_extendable',
    message: string,
  ) {
    super(message);
  }
}

export function pauseClock(c: ClockRecord, at: string): ClockRecord {
  if (c.stoppedAt || c.pausedAt) throw new ClockError('not_running', `the ${c.kind} clock is not running`);
  return { ...c, pausedAt: at };
}

/** The days between pause and resume (by China date) are not counted. */
export function resumeClock(c: ClockRecord, at: string): ClockRecord {
  if (!c.pausedAt || c.stoppedAt) throw new ClockError('not_paused', `the ${c.kind} clock is not paused`);
  return { ...c, pausedDays: c.pausedDays + Math.max(0, daysBetween(localDate(c.pausedAt), localDate(at))), pausedAt: null };
}

/** Once, by at most the kind's maximum. */
export function extendClock(c: ClockRecord, days: number): ClockRecord {
  const max = CLOCK_SPECS[c.kind].maxExtensionDays;
  if (max === 0) throw new ClockError('not_extendable', `the ${c.kind} clock cannot be extended`);
  if (c.extensionDays > 0) throw new ClockError('already_extended', `the ${c.kind} clock was already extended once`);
  if (!Number.isInteger(days) || days < 1 || days > max) throw new ClockError('extension_too_long', `an extension is 1 to ${max} days`);
  if (c.stoppedAt) throw new ClockError('not_running', `the ${c.kind} clock has stopped`);
  return { ...c, extensionDays: days };
}

export function stopClock(c: ClockRecord, at: string): ClockRecord {
  if (c.stoppedAt) throw new ClockError('not_running', `the ${c.kind} clock has already stopped`);
  return { ...(c.pausedAt ? resumeClock(c, at) : c), stoppedAt: at };
}

/** The last counted day: start date + days (+ extension + paused days), moved off rest days. */
export function lastDay(c: ClockRecord, cal: Calendar): string {
  let last = addLocalDays(localDate(c.startedAt), c.days + c.extensionDays + c.pausedDays);
  for (let i = 0; i < 60 && cal.isRestDay(last); i++) last = addLocalDays(last, 1);
  return last;
}

/** When the clock runs out; null while it is paused (the pause may last any number of days). */
export function dueAt(c: ClockRecord, cal: Calendar): string | null {
  return c.pausedAt && !c.stoppedAt ? null : endOfLocalDay(lastDay(c, cal));
}

export function clockView(c: ClockRecord, cal: Calendar, now: Date): ClockView {
  const due = dueAt(c, cal);
  const state = c.stoppedAt ? 'stopped' : c.pausedAt ? 'paused' : 'running';
  const t = now.getTime();
  return {
    ...c,
    state,
    dueAt: due,
    window: WINDOW_CLOCKS.includes(c.kind),
    overdue: state === 'running' && due !== null && t > Date.parse(due),
    onTime: state === 'stopped' && due !== null ? Date.parse(c.stoppedAt!) <= Date.parse(due) : null,
  };
}
