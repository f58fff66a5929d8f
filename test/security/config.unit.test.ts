// Configuration fails closed (issue 9.8): development conveniences only with NODE_ENV=development
// set explicitly on a loopback HOST; a real secret everywhere else, and a strong one in production.
import { describe, expect, it } from 'vitest';
import { DEVELOPMENT_SECRET, loadConfig, secretEntropyBits } from '../../server/core/config.ts';

const STRONG = 'b3f1c09e5d7a46e2a8c4f0d19b6e7a3c5d2f8e1a0b9c7d6e4f3a2b1c0d9e8f7a'; // 32 random bytes, hex

describe('configuration', () => {
  it('treats an unset NODE_ENV as production: no dev sign-in, a secret is required', () => {
    expect(() => loadConfig({})).toThrow(/JWT_SECRET: required/);
    const c = loadConfig({ JWT_SECRET: STRONG });
    expect(c.NODE_ENV).toBe('production');
    expect(c.devTokens).toBe(false);
  });

  it('offers development conveniences only with NODE_ENV=development on loopback', () => {
    expect(loadConfig({ NODE_ENV: 'development', HOST: '127.0.0.1' })).toMatchObject({ devTokens: true, jwtSecret: DEVELOPMENT_SECRET });
    expect(() => loadConfig({ NODE_ENV: 'development' })).toThrow(/JWT_SECRET: required/); // HOST defaults to 0.0.0.0
    expect(loadConfig({ NODE_ENV: 'development', JWT_SECRET: STRONG }).devTokens).toBe(false);
    expect(() => loadConfig({ NODE_ENV: 'development', DEV_TOKENS: '1', JWT_SECRET: STRONG })).toThrow(/DEV_TOKENS: only with/);
    expect(loadConfig({ NODE_ENV: 'test', HOST: '127.0.0.1', JWT_SECRET: 'test-secret-0123456789' }).devTokens).toBe(false);
    expect(() => loadConfig({ NODE_ENV: 'test', HOST: '127.0.0.1', DEV_TOKENS: '1', JWT_SECRET: 'test-secret-0123456789' })).toThrow(/DEV_TOKENS/);
  });

  it('refuses the published development secret anywhere but development on loopback', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', JWT_SECRET: DEVELOPMENT_SECRET })).toThrow(/published development secret/);
    expect(() => loadConfig({ JWT_SECRET: DEVELOPMENT_SECRET })).toThrow(/published development secret/);
  });

  it('refuses a production secret under 32 bytes of entropy', () => {
    for (const weak of ['correct-horse-battery-staple', 'a'.repeat(64), '0123456789abcdef0123456789abcdef', 'Passw0rd!Passw0rd!Passw0rd!Passw0rd!']) {
      expect(() => loadConfig({ JWT_SECRET: weak }), weak).toThrow(/32 random bytes/);
    }
    expect(secretEntropyBits(STRONG)).toBeGreaterThanOrEqual(256);
    expect(secretEntropyBits('3q2+7wAAAAD5eKz9lJ8CbA1xq0e4Yb3mV2hR7pS6uTk=')).toBeGreaterThanOrEqual(256); // openssl rand -base64 32
  });
});
