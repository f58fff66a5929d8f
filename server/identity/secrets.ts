// Random credentials handed to browsers and devices (session cookies, refresh tokens, challenges,
// pairing and invitation codes). Only their SHA-256 is stored: a leaked table opens nothing.
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** 256 random bits, base64url. */
export const secretToken = (): string => randomBytes(32).toString('base64url');

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Crockford-like: no 0/O, 1/I/L; what a person types from a screen or reads over the phone. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** 8 characters (~39 bits): short-lived and single-use, with failed guesses limited per IP upstream. */
export function shortCode(): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return s;
}

/** XXXX-XXXX for display. */
export const displayCode = (code: string): string => `${code.slice(0, 4)}-${code.slice(4)}`;
