// The sign-in page's view-model: the heading and fields of each step, the password rules, the
// single sign-on button, and each refusal in the person's words — and which refusals start over.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../client-web/src/lib/api.ts';
import { translator, type Lang, type ViewContext } from '../../client-web/src/lib/i18n.ts';
import { afterRefusal, failureOf, failureText, initialSignIn, signInView, type Failure, type SignInState } from '../../client-web/src/sign-in/view-model.ts';

const ctx = (lang: Lang = 'zh'): ViewContext => ({ t: translator(lang), lang, now: 0 });
const state = (s: Partial<SignInState> = {}): SignInState => ({ ...initialSignIn(), ...s });
const refusal = (reason: string, extra: Record<string, unknown> = {}): Failure => ({ code: 'unauthorized', message: 'refused', details: { reason, ...extra } });
const RULES = { minLength: 12, minClasses: 3 };

describe('sign-in view-model', () => {
  it('titles each step, and shows the password rules and single sign-on once the options arrive', () => {
    expect(signInView(state(), ctx())).toMatchObject({ title: '登录 · ' + ctx().t('common.appName'), heading: '登录', step: 'password', error: null, rules: '', singleSignOn: null });
    const v = signInView(state({ step: { step: 'change-password', challenge: 'c', rules: RULES }, options: { singleSignOn: { label: '皖事通' }, passwordRules: RULES } }), ctx());
    expect(v).toMatchObject({ heading: '设置新密码', step: 'change-password', singleSignOn: '使用皖事通登录' });
    expect(v.rules).toMatch(/至少 12 个字符.*至少 3 类/);
    expect(signInView(state({ step: { step: 'second-factor', challenge: 'c', methods: ['totp'] } }), ctx('en')).heading).toBe(ctx('en').t('signIn.heading.second-factor'));
  });

  it('counts the attempts left after a wrong password or code', () => {
    expect(failureText(refusal('wrong_password', { remaining: 2 }), ctx())).toBe('账号或密码错误，还可尝试 2 次，之后账号将被暂时锁定。');
    expect(failureText(refusal('wrong_password'), ctx())).toBe('账号或密码错误。');
    expect(failureText(refusal('wrong_code', { remaining: 1 }), ctx())).toBe('验证码错误，还可尝试 1 次。');
  });

  it('says until when a locked account is locked, in China Standard Time whatever the browser’s zone', () => {
    expect(failureText(refusal('account_locked', { until: '2026-11-26T06:30:00Z' }), ctx())).toBe('错误次数过多，账号已被锁定，请于 14:30 后再试，或联系安全管理员解锁。');
    expect(failureText(refusal('account_locked', { until: '2026-11-26T06:30:00Z' }), ctx('en'))).toContain('14:30');
  });

  it('words the password refusals, single sign-on reasons, and rate limit and outage by code', () => {
    expect(failureText(refusal('contains_username'), ctx())).toBe('新密码不能包含账号。');
    expect(failureText(refusal('sso', { sso: 'not_in_directory' }), ctx())).toBe('系统名录中没有您的人员信息，请联系系统管理员。');
    expect(failureText(refusal('sso', { sso: 'made-up' }), ctx())).toBe('统一身份认证登录失败，请重试。');
    expect(failureText({ code: 'rate_limited', message: 'slow down' }, ctx())).toBe('尝试过于频繁，请稍后再试。');
    expect(failureText({ code: 'unavailable', message: 'redis' }, ctx())).toBe('无法连接服务器，请检查网络后重试。');
    expect(failureText({ code: 'internal', message: 'boom' }, ctx())).toBe('boom');
  });

  it('keeps the server’s code and details of a refusal, and anything else as internal', () => {
    expect(failureOf(new ApiError(401, { code: 'unauthorized', message: 'no', details: { reason: 'wrong_code', remaining: 4 } }))).toEqual({ code: 'unauthorized', message: 'no', details: { reason: 'wrong_code', remaining: 4 } });
    expect(failureOf(new ApiError(429, { code: 'rate_limited', message: 'slow' }))).toEqual({ code: 'rate_limited', message: 'slow' });
    expect(failureOf(new TypeError('Failed to fetch'))).toEqual({ code: 'internal', message: 'TypeError: Failed to fetch' });
  });

  it('clears what was typed after a refusal, and starts over from the password when the step expired or the account locked', () => {
    const wrong = afterRefusal(refusal('wrong_code', { remaining: 3 }));
    expect(wrong).toMatchObject({ busy: false, code: '', password: '' });
    expect(wrong.step).toBeUndefined();
    expect(afterRefusal(refusal('challenge_expired')).step).toEqual({ step: 'password' });
    expect(afterRefusal(refusal('account_locked', { until: '2026-11-26T06:30:00Z' })).step).toEqual({ step: 'password' });
  });
});
