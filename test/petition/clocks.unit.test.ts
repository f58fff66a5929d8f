// The deadline model as a table: start / pause / extend / stop against the due dates a 信访 office
// would write on its file, across month ends, a leap February, China's date line (UTC+8) and
// public holidays with swapped working days.
import { describe, expect, it } from 'vitest';
import {
  ClockError,
  clockView,
  dueAt,
  extendClock,
  holidayCalendar,
  lastDay,
  localDate,
  pauseClock,
  resumeClock,
  startClock,
  stopClock,
  type ClockKind,
  type ClockRecord,
} from '../../server/petition/clocks.ts';
import { CaseLife, type CaseLifeDeps } from '../../server/petition/case-life.ts';

// A test calendar (not the shipped one): a National Day week and a swapped working Sunday.
const cal = holidayCalendar({
  holidays: ['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07', '2027-01-01'],
  workdays: ['2026-10-10'],
});
const noHolidays = holidayCalendar();
const weekdaysOnly = { isRestDay: () => false };

type Step = ['pause' | 'resume' | 'stop', string] | ['extend', number];
const run = (kind: ClockKind, startedAt: string, steps: Step[] = []): ClockRecord =>
  steps.reduce<ClockRecord>((c, [op, arg]) => {
    switch (op) {
      case 'pause':
        return pauseClock(c, arg as string);
      case 'resume':
        return resumeClock(c, arg as string);
      case 'stop':
        return stopClock(c, arg as string);
      case 'extend':
        return extendClock(c, arg as number);
    }
  }, startClock(kind, startedAt));

describe('clocks: due dates', () => {
  // [what, kind, started (UTC instant), steps, calendar, expected last day (China date)]
  const table: [string, ClockKind, string, Step[], 'test' | 'none' | 'every-day', string][] = [
    ['15 days, the start day not counted', 'acceptance', '2026-03-02T02:00:00Z', [], 'every-day', '2026-03-17'],
    ['registered 00:30 China time counts from that China date', 'acceptance', '2026-03-01T16:30:00Z', [], 'every-day', '2026-03-17'],
    ['registered 23:30 China time is still the same China date', 'acceptance', '2026-03-02T15:30:00Z', [], 'every-day', '2026-03-17'],
    ['60 days across two month ends', 'handling', '2026-01-31T02:00:00Z', [], 'every-day', '2026-04-01'],
    ['60 days across a leap February', 'handling', '2028-01-31T02:00:00Z', [], 'every-day', '2028-03-31'],
    ['15 days from a month end land in the next month', 'acceptance', '2026-01-31T02:00:00Z', [], 'every-day', '2026-02-15'],
    ['30 days across the year end', 'review', '2026-12-15T02:00:00Z', [], 'every-day', '2027-01-14'],
    ['a last day on a Saturday moves to Monday', 'acceptance', '2026-03-06T02:00:00Z', [], 'none', '2026-03-23'],
    ['a last day in the National Day week moves past it', 'acceptance', '2026-09-17T02:00:00Z', [], 'test', '2026-10-08'],
    ['a swapped working Saturday is a working last day', 'acceptance', '2026-09-25T02:00:00Z', [], 'test', '2026-10-10'],
    ['the 30-day review ending on New Year’s Day moves to Monday 4 January', 'review', '2026-12-02T02:00:00Z', [], 'test', '2027-01-04'],
    ['extended by 30 days: 90 days', 'handling', '2026-01-31T02:00:00Z', [['extend', 30]], 'every-day', '2026-05-01'],
    ['extended by 10 days only', 'handling', '2026-01-31T02:00:00Z', [['extend', 10]], 'every-day', '2026-04-11'],
    ['paused for seven days (a hearing): seven days later', 'handling', '2026-01-31T02:00:00Z', [['pause', '2026-02-10T01:00:00Z'], ['resume', '2026-02-17T09:00:00Z']], 'every-day', '2026-04-08'],
    ['paused and resumed the same day: no change', 'handling', '2026-01-31T02:00:00Z', [['pause', '2026-02-10T01:00:00Z'], ['resume', '2026-02-10T09:00:00Z']], 'every-day', '2026-04-01'],
    ['two pauses and an extension add up', 'handling', '2026-01-31T02:00:00Z', [['pause', '2026-02-01T01:00:00Z'], ['resume', '2026-02-03T01:00:00Z'], ['extend', 30], ['pause', '2026-03-01T01:00:00Z'], ['resume', '2026-03-04T01:00:00Z']], 'every-day', '2026-05-06'],
    ['stopped while paused: the pause up to the stop counts off', 'handling', '2026-01-31T02:00:00Z', [['pause', '2026-03-30T01:00:00Z'], ['stop', '2026-04-03T01:00:00Z']], 'every-day', '2026-04-05'],
  ];
  const cals = { test: cal, none: noHolidays, 'every-day': weekdaysOnly };

  it.each(table)('%s', (_what, kind, startedAt, steps, calendar, expected) => {
    const c = run(kind, startedAt, steps);
    expect(lastDay(c, cals[calendar])).toBe(expected);
    // Due at 24:00 China time of the last day = 16:00 UTC that day.
    expect(dueAt(c, cals[calendar])).toBe(`${expected}T16:00:00.000Z`);
  });

  it('a paused clock has no due date and is never overdue; resumed, it is due again', () => {
    const paused = run('handling', '2026-01-31T02:00:00Z', [['pause', '2026-02-10T01:00:00Z']]);
    expect(dueAt(paused, weekdaysOnly)).toBeNull();
    expect(clockView(paused, weekdaysOnly, new Date('2026-09-01T00:00:00Z'))).toMatchObject({ state: 'paused', dueAt: null, overdue: false });
  });

  it('overdue once the due instant has passed, on time when stopped before it', () => {
    const c = run('handling', '2026-01-31T02:00:00Z');
    expect(clockView(c, weekdaysOnly, new Date('2026-04-01T15:59:59Z')).overdue).toBe(false);
    expect(clockView(c, weekdaysOnly, new Date('2026-04-01T16:00:01Z')).overdue).toBe(true);
    expect(clockView(stopClock(c, '2026-04-01T15:00:00Z'), weekdaysOnly, new Date('2026-06-01T00:00:00Z'))).toMatchObject({ state: 'stopped', overdue: false, onTime: true });
    expect(clockView(stopClock(c, '2026-04-02T01:00:00Z'), weekdaysOnly, new Date('2026-06-01T00:00:00Z'))).toMatchObject({ state: 'stopped', overdue: false, onTime: false });
  });

  it('windows are marked as windows (the petitioner’s time, never the office’s lateness)', () => {
    expect(clockView(run('review_window', '2026-01-31T02:00:00Z'), weekdaysOnly, new Date()).window).toBe(true);
    expect(clockView(run('review', '2026-01-31T02:00:00Z'), weekdaysOnly, new Date()).window).toBe(false);
  });

  it('refuses a second extension, one over 30 days, one on a clock that cannot be extended, and a stopped clock', () => {
    const c = run('handling', '2026-01-31T02:00:00Z');
    const reason = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return (err as ClockError).reason;
      }
      return 'no error';
    };
    expect(reason(() => extendClock(extendClock(c, 10), 10))).toBe('already_extended');
    expect(reason(() => extendClock(c, 31))).toBe('extension_too_long');
    expect(reason(() => extendClock(c, 0))).toBe('extension_too_long');
    expect(reason(() => extendClock(run('acceptance', '2026-01-31T02:00:00Z'), 5))).toBe('not_extendable');
    expect(reason(() => extendClock(stopClock(c, '2026-02-01T00:00:00Z'), 5))).toBe('not_running');
    expect(reason(() => pauseClock(pauseClock(c, '2026-02-01T00:00:00Z'), '2026-02-02T00:00:00Z'))).toBe('not_running');
    expect(reason(() => resumeClock(c, '2026-02-02T00:00:00Z'))).toBe('not_paused');
    expect(reason(() => stopClock(stopClock(c, '2026-02-01T00:00:00Z'), '2026-02-02T00:00:00Z'))).toBe('not_running');
  });

  it('China dates of instants', () => {
    expect(localDate('2026-01-31T16:00:00Z')).toBe('2026-02-01');
    expect(localDate('2026-01-31T15:59:59Z')).toBe('2026-01-31');
  });
});

describe('a new case’s deadlines (CaseLife.deadlinesAt)', () => {
  // Counted once per China date for a burst of starts: a start just after China's midnight must
  // not get the day before's answer, nor one the day before after it.
  it('follow the registration’s China date across midnight, in either order', () => {
    const life = new CaseLife({ calendar: noHolidays } as CaseLifeDeps);
    const before = '2026-12-07T15:59:00Z'; // 23:59 on Monday 7 December in China
    const after = '2026-12-07T16:01:00Z'; // 00:01 on Tuesday 8 December
    const expected = (at: string) => ({ acceptDeadline: dueAt(startClock('acceptance', at), noHolidays), handleDeadline: dueAt(startClock('handling', at), noHolidays) });
    for (const at of [before, after, before, before, after]) expect(life.deadlinesAt(at)).toEqual(expected(at));
    expect(life.deadlinesAt(before).acceptDeadline).toBe('2026-12-22T16:00:00.000Z');
    expect(life.deadlinesAt(after).acceptDeadline).toBe('2026-12-23T16:00:00.000Z');
  });
});
