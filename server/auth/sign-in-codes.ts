// One-time sign-in codes: what a sign-in hands the browser in the address (`page.html?code=…`)
// instead of the token itself. The page exchanges the code for the token at once
// (POST /api/session/redeem); a code works once and for a minute, so the address that stays in
// history, logs and screenshots is worthless. Redis holds code → token under the code's hash.
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../core/errors.ts';

export const SIGN_IN_CODE_TTL_SECONDS = 60;

export class SignInCodes {
  constructor(
    private readonly redis: Redis,
    private readonly key: (codeHash: string) => string,
  ) {}

  /** A fresh code standing for `token`. */
  async issue(token: string): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    await this.redis.set(this.key(hash(code)), token, 'EX', SIGN_IN_CODE_TTL_SECONDS);
    return code;
  }

  /** The token, once; `unauthorized` for a code that is unknown, used or expired. */
  async redeem(code: string): Promise<string> {
    const token = await this.redis.getdel(this.key(hash(code)));
    if (!token) throw new AppError('unauthorized', 'this sign-in code is unknown, used or expired; sign in again');
    return token;
  }
}

const hash = (code: string) => createHash('sha256').update(code).digest('hex');
