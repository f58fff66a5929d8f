// What the sign-in page shows at each step (password or passkey, authenticator code or passkey,
// new password, setting up the authenticator), the signed-in person's own passkeys, and how it
// words the server's refusals.
import { ApiError } from '../lib/api.ts';
import type { ViewContext } from '../lib/i18n.ts';
import { formatTime } from '../lib/time.ts';
import type { Passkey, PasswordRules, SignInOptions, SignInStep } from '../../../server/protocol/http/identity-shapes.ts';

export type Step = Exclude<SignInStep, { step: 'signed-in' }> | { step: 'password' };

export interface SignInState {
  step: Step;
  options: SignInOptions | null;
  username: string;
  password: string;
  code: string;
  newPassword: string;
  repeat: string;
  busy: boolean;
  /** The last refusal, as the server's code and details. */
  failure: Failure | null;
  /** The browser can do WebAuthn (a secure origin with navigator.credentials). */
  passkeysSupported: boolean;
  /** `sign-in.html?passkeys`: the signed-in person's own passkeys (null: the sign-in form). */
  mine: MyPasskeys | null;
}

export interface MyPasskeys {
  /** The role's own page, to go back to. */
  page: string;
  list: Passkey[];
  name: string;
  /** Just registered (its name), for the confirmation. */
  added: string | null;
}

export interface Failure {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export const initialSignIn = (): SignInState => ({
  step: { step: 'password' },
  options: null,
  username: '',
  password: '',
  code: '',
  newPassword: '',
  repeat: '',
  busy: false,
  failure: null,
  passkeysSupported: false,
  mine: null,
});

/** A failed call as the page keeps it: the server's code and details, or `internal` for anything else. */
export function failureOf(err: unknown): Failure {
  return err instanceof ApiError
    ? { code: err.code, message: err.message, ...(err.body.details ? { details: err.body.details as Record<string, unknown> } : {}) }
    : { code: 'internal', message: String(err) };
}

/** The state after a refusal: typed secrets cleared, and an expired step (or a locked account) starts over from the password. */
export function afterRefusal(failure: Failure): Partial<SignInState> {
  const restart = failure.details?.reason === 'challenge_expired' || failure.details?.reason === 'account_locked';
  return { busy: false, failure, code: '', password: '', ...(restart ? { step: { step: 'password' } } : {}) };
}

/** Why single sign-on sent the browser back (server/identity/oidc.ts reasons). */
const SSO_REASONS = ['no_role', 'several_roles', 'no_directory_id', 'not_in_directory', 'admin_role', 'account_disabled', 'provider_refused', 'provider_unreachable', 'challenge_expired', 'not_configured'] as const;
type SsoReason = (typeof SSO_REASONS)[number];

export interface SignInView {
  title: string;
  heading: string;
  step: Step['step'] | 'passkeys';
  error: string | null;
  rules: string;
  singleSignOn: string | null;
  /** Which passkey button the step offers: sign in with one, or (setting up a second factor) register one. */
  passkey: 'alone' | 'second-factor' | 'enrol' | null;
  /** The second-factor step takes a code (TOTP); a passkey-only account has none to type. */
  codeField: boolean;
}

export function rulesText(r: PasswordRules, { t }: ViewContext): string {
  return t('signIn.rules', { min: r.minLength, classes: r.minClasses });
}

/** The refusal in the person's words; `remaining` and `until` come from the server's details. */
export function failureText(f: Failure, ctx: ViewContext): string {
  const { t } = ctx;
  const d = f.details ?? {};
  const remaining = typeof d.remaining === 'number' ? d.remaining : null;
  switch (d.reason) {
    case 'wrong_password':
      return remaining === null ? t('signIn.error.wrongPassword') : t('signIn.error.wrongPasswordLeft', { n: remaining });
    case 'wrong_code':
      return remaining === null ? t('signIn.error.wrongCode') : t('signIn.error.wrongCodeLeft', { n: remaining });
    case 'account_locked': {
      return t('signIn.error.locked', { time: typeof d.until === 'string' ? formatTime(d.until, 'time', ctx.lang) : '' });
    }
    case 'account_disabled':
      return t('signIn.error.disabled');
    case 'challenge_expired':
      return t('signIn.error.expired');
    case 'too_short':
    case 'too_simple':
    case 'contains_username':
    case 'same_password':
    case 'mismatch':
      return t(`signIn.error.${d.reason}`);
    case 'sso': {
      const why = typeof d.sso === 'string' && SSO_REASONS.includes(d.sso as SsoReason) ? (d.sso as SsoReason) : 'other';
      return t(`signIn.sso.${why}`);
    }
    case 'passkey_refused':
      return remaining === null ? t('signIn.error.passkeyRefused') : t('signIn.error.passkeyRefusedLeft', { n: remaining });
    case 'passkey_cancelled':
    case 'no_passkey':
    case 'too_many_passkeys':
    case 'passkey_exists':
      return t(`signIn.error.${d.reason}`);
    case 'single_sign_on':
      return t('signIn.error.singleSignOn');
    default:
      if (f.code === 'rate_limited') return t('signIn.error.tooFast');
      if (f.code === 'unavailable') return t('signIn.error.unavailable');
      return f.message;
  }
}

export function signInView(s: SignInState, ctx: ViewContext): SignInView {
  const { t } = ctx;
  return {
    title: `${t('signIn.title')} · ${t('common.appName')}`,
    heading: s.mine ? t('signIn.heading.passkeys') : t(`signIn.heading.${s.step.step}`),
    step: s.mine ? 'passkeys' : s.step.step,
    error: s.failure ? failureText(s.failure, ctx) : null,
    rules: s.options ? rulesText(s.options.passwordRules, ctx) : '',
    singleSignOn: s.options?.singleSignOn ? t('signIn.singleSignOn', { label: s.options.singleSignOn.label }) : null,
    passkey: passkeyOffer(s),
    codeField: s.step.step !== 'second-factor' || s.step.methods.includes('totp'),
  };
}

function passkeyOffer(s: SignInState): SignInView['passkey'] {
  if (!s.passkeysSupported) return null;
  switch (s.step.step) {
    case 'password':
      return 'alone';
    case 'second-factor':
      return s.step.methods.includes('passkey') ? 'second-factor' : null;
    case 'enrol-totp':
      return 'enrol';
    default:
      return null;
  }
}
