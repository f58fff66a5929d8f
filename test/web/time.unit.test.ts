// The one date/time formatter: China Standard Time whatever the machine's zone, both languages,
// and durations as a clock or in words.
import { describe, expect, it } from 'vitest';
import { clock, clockPrecise, duration, formatTime, waitDuration } from '../../client-web/src/lib/time.ts';
import { translator } from '../../client-web/src/lib/i18n.ts';

// 23:30 UTC on the 25th is 07:30 on the 26th in 宿州.
const AT = '2026-11-25T23:30:05.123Z';
const zh = translator('zh');
const en = translator('en');

describe('formatTime', () => {
  it('shows China Standard Time', () => {
    expect(formatTime(AT, 'stamp', 'zh')).toBe('2026-11-26 07:30:05');
    expect(formatTime(AT, 'stampMs', 'en')).toBe('2026-11-26 07:30:05.123');
    expect(formatTime(AT, 'time', 'zh')).toBe('07:30');
    expect(formatTime(AT, 'timeSeconds', 'en')).toBe('07:30:05');
    expect(formatTime(AT, 'dateTime', 'zh')).toMatch(/11.*26.*07:30/);
    expect(formatTime(AT, 'dateTime', 'en')).toMatch(/26.*11.*07:30/);
  });

  it('tells petitioners the weekday, and the year only when it is not this year', () => {
    const now = Date.parse('2026-06-01T00:00:00Z');
    expect(formatTime(AT, 'friendly', 'zh', now)).toBe('11月26日星期四');
    expect(formatTime(AT, 'friendly', 'zh', Date.parse('2027-01-02T00:00:00Z'))).toBe('2026年11月26日星期四');
    expect(formatTime(AT, 'friendlyWithTime', 'zh', now)).toBe('11月26日星期四 上午7:30');
    expect(formatTime(AT, 'friendly', 'en', now)).toMatch(/Thursday.*26 November/);
  });

  it('takes ISO strings, epoch milliseconds and dates alike, and shows a dash for nonsense', () => {
    expect(formatTime(Date.parse(AT), 'stamp', 'zh')).toBe(formatTime(new Date(AT), 'stamp', 'zh'));
    expect(formatTime('not a time', 'stamp', 'zh')).toBe('—');
  });
});

describe('durations', () => {
  it('as a playback clock', () => {
    expect(clock(5.9)).toBe('00:05');
    expect(clock(3725)).toBe('1:02:05');
    expect(clock(-3)).toBe('00:00');
    expect(clockPrecise(65.37)).toBe('01:05.3');
  });

  it('in words to the second', () => {
    expect(duration(3723, zh)).toBe('1小时2分3秒');
    expect(duration(63, en)).toBe('1m 3s');
    expect(duration(7, zh)).toBe('7秒');
    expect(duration(null, zh)).toBe('—');
  });

  it('as a wait in whole minutes, rounded up, never "0 minutes"', () => {
    expect(waitDuration(10, zh)).toBe('不到 1 分钟');
    expect(waitDuration(61, zh)).toBe('2 分钟');
    expect(waitDuration(3600, zh)).toBe('1 小时');
    expect(waitDuration(3660, en)).toBe('1 h 1 min');
  });

  it('as time already waited in whole minutes, rounded down', () => {
    expect(waitDuration(59, zh, 'elapsed')).toBe('不到 1 分钟');
    expect(waitDuration(119, zh, 'elapsed')).toBe('1 分钟');
    expect(waitDuration(3659, en, 'elapsed')).toBe('1 h');
  });
});
