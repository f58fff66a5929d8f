// Passwords: argon2id (memory-hard, @node-rs/argon2 — OWASP's recommended settings: 19 MiB,
// two passes) and the rules a new password must meet (等保 2.0: length and character classes,
// not the sign-in name, not the current password).
import { hash, verify } from '@node-rs/argon2';
import { randomInt } from 'node:crypto';
import { badRequest } from '../core/errors.ts';
import type { PasswordRules } from '../protocol/http/identity-shapes.ts';

export const PASSWORD_RULES: PasswordRules = { minLength: 10, minClasses: 3 };

// Algorithm 2 = Argon2id (a const enum in the package's types; isolated modules cannot use it).
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => hash(password, ARGON2);

export async function passwordMatches(stored: string | null, password: string): Promise<boolean> {
  if (!stored) return false;
  try {
    return await verify(stored, password);
  } catch {
    return false; // a malformed stored hash matches nothing
  }
}

/** A hash of nothing anyone knows: verified against when the account does not exist, so timing tells nothing. */
let decoy: Promise<string> | undefined;
export const decoyHash = (): Promise<string> => (decoy ??= hashPassword(`decoy-${randomInt(1 << 30)}`));

const CLASSES = [/[a-z]/, /[A-Z]/, /\d/, /[^a-zA-Z\d]/];

/** Throws `bad_request` with `details.reason` naming the first rule the password breaks. */
export function assertPasswordRules(password: string, username: string, rules: PasswordRules = PASSWORD_RULES): void {
  if ([...password].length < rules.minLength) throw badRequest(`a password needs at least ${rules.minLength} characters`, { reason: 'too_short' });
  if (CLASSES.filter((c) => c.test(password)).length < rules.minClasses) {
    throw badRequest(`a password needs ${rules.minClasses} of: lower-case, upper-case, digits, symbols`, { reason: 'too_simple' });
  }
  if (username.length >= 3 && password.toLowerCase().includes(username.toLowerCase())) {
    throw badRequest('a password must not contain the sign-in name', { reason: 'contains_username' });
  }
}

// Generated passwords avoid look-alikes (0/O, 1/l/I) so they can be read out over the phone.
const ALPHABETS = ['abcdefghijkmnpqrstuvwxyz', 'ABCDEFGHJKLMNPQRSTUVWXYZ', '23456789', '#%+=?@'];

/** A one-time password for a new or reset account: 14 characters of every class. */
export function generatePassword(): string {
  const all = ALPHABETS.join('');
  const chars = ALPHABETS.map((a) => a[randomInt(a.length)]!);
  while (chars.length < 14) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}
