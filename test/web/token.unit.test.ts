// The one token decoder: claims read for display from a JWT's payload (UTF-8 names, string
// attributes only), and nothing but null for something that is not a JWT.
import { describe, expect, it } from 'vitest';
import { readClaims } from '../../client-web/src/lib/token.ts';

const jwt = (payload: unknown) => `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`;

describe('readClaims', () => {
  it('reads sub, name, role and the string attributes, Chinese names included', () => {
    const c = readClaims(jwt({ sub: 'T341321-01', name: '砀山县关帝庙村接访点', role: 'terminal', attributes: { terminalId: 'T341321-01', level: 'village', n: 3 } }));
    expect(c).toEqual({ sub: 'T341321-01', name: '砀山县关帝庙村接访点', role: 'terminal', attributes: { terminalId: 'T341321-01', level: 'village' } });
  });

  it('gives empty strings for missing claims', () => {
    expect(readClaims(jwt({ sub: 'x' }))).toEqual({ sub: 'x', name: '', role: '', attributes: {} });
  });

  it('answers null for anything that is not a JWT', () => {
    expect(readClaims('')).toBeNull();
    expect(readClaims('not-a-token')).toBeNull();
    expect(readClaims('a.%%%.c')).toBeNull();
    expect(readClaims(`a.${Buffer.from('[not json').toString('base64url')}.c`)).toBeNull();
  });
});
