// Access tokens: HS256 JWTs whose grants decide who joins which room and what they may send.
// Modelled on LiveKit's VideoGrant, narrowed to what this product needs.
import jwt from 'jsonwebtoken';
import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import { AppError } from '../core/errors.ts';
import { attributesSchema, claimsSchema, grantSchema, type Attributes, type Claims, type Grant, type Role, type TokenUse } from '../protocol/claims.ts';
import type { RevocationCheck } from './revocations.ts';

// The claims' shape is a wire contract (pages read it, endpoint tables name roles): it lives in
// server/protocol/claims.ts; this module signs and verifies tokens of that shape.
export { ROLES, roleSchema, grantSchema, attributesSchema, claimsSchema, TOKEN_USES } from '../protocol/claims.ts';
export type { Role, Grant, Attributes, Claims, TokenUse } from '../protocol/claims.ts';

export interface TokenRequest {
  /**
   * What the token is for (claims.ts TOKEN_USES); REST refuses `room`. Unsaid, a token naming
   * rooms is a room token and one naming none an access token: a grant of rooms never rides on a
   * credential that also opens REST unless its issuer says so on purpose.
   */
  use?: TokenUse;
  sub: string;
  name: string;
  role: Role;
  grant: Grant;
  attributes?: Attributes;
  ttlSeconds?: number;
}

export class TokenIssuer {
  /**
   * The secret as a KeyObject, made once: given a string, jsonwebtoken first tries it as a PEM
   * key on every sign and verify and catches the failure: most of a room token's cost in the
   * profile of a petition start.
   */
  readonly #key: KeyObject;

  constructor(
    secret: string,
    /** What a token lives when its issuer asks for no lifetime (room tokens: TOKEN_TTL_SECONDS). */
    readonly defaultTtlSeconds: number,
    /** Revoked tokens (server/auth/revocations.ts); without it only signature and expiry count. */
    private readonly revocations?: RevocationCheck,
  ) {
    this.#key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  issue(req: TokenRequest): string {
    const payload = {
      // To the millisecond (a JWT NumericDate may be fractional): a device bound again within
      // the same second as its previous token must still tell the two apart.
      iat: Math.round(Date.now()) / 1000,
      use: req.use ?? (req.grant.rooms.length > 0 ? 'room' : 'access'),
      sub: req.sub,
      name: req.name,
      role: req.role,
      grant: grantSchema.parse(req.grant),
      attributes: attributesSchema.parse(req.attributes ?? {}),
      jti: randomUUID(),
    };
    return jwt.sign(payload, this.#key, {
      algorithm: 'HS256',
      expiresIn: req.ttlSeconds ?? this.defaultTtlSeconds,
    });
  }

  /**
   * The one answer to "is this token still good", for REST, signalling and /live alike:
   * signature, algorithm, expiry, shape, and not revoked. Throws a typed AppError otherwise.
   */
  verify(token: unknown): Claims {
    if (typeof token !== 'string' || token.length === 0 || token.length > 8192) {
      throw new AppError('unauthorized', 'missing or malformed access token');
    }
    let decoded: unknown;
    try {
      decoded = jwt.verify(token, this.#key, { algorithms: ['HS256'] });
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw new AppError('token_expired', 'access token expired');
      throw new AppError('unauthorized', 'invalid access token');
    }
    const parsed = claimsSchema.safeParse(decoded);
    if (!parsed.success) throw new AppError('unauthorized', 'access token has invalid claims');
    const revoked = this.revocations?.revocationOf(parsed.data);
    if (revoked) throw new AppError('unauthorized', 'access token revoked', { reason: revoked.reason });
    return parsed.data;
  }
}

export function grantAllowsRoom(grant: { readonly rooms: readonly string[] }, roomId: string): boolean {
  return grant.rooms.some((p) => (p.endsWith('*') ? roomId.startsWith(p.slice(0, -1)) : p === roomId));
}
