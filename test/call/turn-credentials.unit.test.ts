// TURN settings and credentials: both keys or neither, URLs that are TURN URLs, a strong secret in
// production; credentials in coturn's use-auth-secret scheme that expire with the room token.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { turnCredentials } from '../../server/auth/turn-credentials.ts';
import { loadConfig } from '../../server/core/config.ts';

const STRONG = 'b3f1c09e5d7a46e2a8c4f0d19b6e7a3c5d2f8e1a0b9c7d6e4f3a2b1c0d9e8f7a';
const base = { JWT_SECRET: STRONG };

describe('TURN configuration', () => {
  it('takes TURN_SECRET and TURN_URLS together, and neither means no TURN', () => {
    expect(loadConfig(base).turn).toBeUndefined();
    const c = loadConfig({ ...base, TURN_SECRET: STRONG, TURN_URLS: 'turns:turn.example.gov.cn:443?transport=tcp, turn:203.0.113.7:3478' });
    expect(c.turn).toEqual({ secret: STRONG, urls: ['turns:turn.example.gov.cn:443?transport=tcp', 'turn:203.0.113.7:3478'] });
    expect(() => loadConfig({ ...base, TURN_SECRET: STRONG })).toThrow(/TURN_SECRET, TURN_URLS: set both or neither/);
    expect(() => loadConfig({ ...base, TURN_URLS: 'turn:203.0.113.7:3478' })).toThrow(/set both or neither/);
  });

  it('refuses a URL that is not a TURN URL and a weak secret in production', () => {
    expect(() => loadConfig({ ...base, TURN_SECRET: STRONG, TURN_URLS: 'https://turn.example.gov.cn' })).toThrow(/TURN_URLS: https:\/\/turn.example.gov.cn is not a TURN URL/);
    expect(() => loadConfig({ ...base, TURN_SECRET: 'correct-horse-battery-staple', TURN_URLS: 'turn:203.0.113.7:3478' })).toThrow(/TURN_SECRET: needs at least 32 random bytes/);
  });
});

describe('TURN credentials', () => {
  it('are none without TURN', () => {
    expect(turnCredentials(undefined, 'u1', 1_900_000_000)).toEqual([]);
  });

  it('name the expiry and the subject and are the HMAC-SHA1 coturn recomputes', () => {
    const [server] = turnCredentials({ secret: 's3cret-s3cret-s3cret', urls: ['turn:h:3478'] }, 'official:7', 1_900_000_000.6);
    expect(server!.username).toBe('1900000000:official_7');
    expect(server!.credential).toBe(createHmac('sha1', 's3cret-s3cret-s3cret').update('1900000000:official_7').digest('base64'));
    expect(server!.urls).toEqual(['turn:h:3478']);
  });
});
