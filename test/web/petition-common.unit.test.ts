// The petition pages' shared words: a refusal in plain words by its reason, then by its code; a
// category's name in the page's language.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../client-web/src/lib/api.ts';
import { translator } from '../../client-web/src/lib/i18n.ts';
import { categoryName, deadlineClock, plainError } from '../../client-web/src/petition-ui/common.ts';

describe('plainError', () => {
  const zh = translator('zh');
  it('says a refusal by its reason, then by its code, else as the server said it', () => {
    expect(plainError(new ApiError(409, { code: 'conflict', message: 'x', details: { reason: 'already_assigned' } }), zh)).toBe('该案件已被其他干部接待');
    expect(plainError(new ApiError(400, { code: 'bad_request', message: 'x', details: ['phone: too long', 'name: empty'] }), translator('en'))).toBe('Please check what was entered (phone: too long; name: empty)');
    expect(plainError(new ApiError(503, { code: 'unavailable', message: 'x' }), zh)).toBe('网络或服务暂时不可用，请稍后再试');
    expect(plainError(new ApiError(429, { code: 'rate_limited', message: 'slow down' }), zh)).toBe('slow down');
    expect(plainError(new Error('boom'), zh)).toBe('boom');
  });

  it('counts a deadline down in days, then hours, then overdue days', () => {
    const now = Date.parse('2026-11-26T00:00:00Z');
    expect(deadlineClock('2026-12-06T00:00:00Z', 15, now, translator('zh'))).toMatchObject({ text: '剩 10 天', level: 'ok' });
    expect(deadlineClock('2026-11-26T05:30:00Z', 15, now, translator('zh'))).toMatchObject({ text: '剩 5 小时', level: 'soon' });
    expect(deadlineClock('2026-11-24T00:00:00Z', 60, now, translator('en'))).toEqual({ text: '2 days overdue', level: 'late', fraction: 1 });
  });

  it("names a shipped category in English, and one the coordinator added by its configured name", () => {
    const en = { t: translator('en'), lang: 'en' as const };
    expect(categoryName({ code: 'wages', name: '拖欠工资' }, en)).toBe('Unpaid wages');
    expect(categoryName({ code: 'wages', name: '欠薪' }, { t: translator('zh'), lang: 'zh' })).toBe('欠薪');
    expect(categoryName({ code: 'flooding', name: '防汛' }, en)).toBe('防汛');
  });
});
