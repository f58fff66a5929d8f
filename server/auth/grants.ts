// Access tokens: HS256 JWTs whose grants decide who joins which room and what they may send.
// Modelled on LiveKit's VideoGrant, narrowed to what this product needs.
import jwt from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../core/errors.ts';
import { mediaSourceSchema, type MediaSource } from '../protocol/signalling.ts';

export const ROLES = [
  'petitioner',
  'terminal',
  'official',
  'coordinator',
  'family',
  'home-device',
  'counsellor',
  'archivist',
  'admin',
] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;


/** A room name, or a prefix ending in `*` ("household:H12:*"). */
const roomPattern = z.string().min(1).max(200).regex(/^[\w:.\-]+\*?$/);

export const grantSchema = z.strictObject({
  rooms: z.array(roomPattern).max(50),
  canPublish: z.boolean(),
  canSubscribe: z.boolean(),
  sources: z.array(mediaSourceSchema).max(3),
  /** Present in the room without being announced to others (recorders, supervisors). */
  hidden: z.boolean().optional(),
  recorder: z.boolean().optional(),
  roomAdmin: z.boolean().optional(),
  /** Archive access: search, replay and export recordings. */
  canArchive: z.boolean().optional(),
});
export type Grant = z.infer<typeof grantSchema>;

export const attributesSchema = z.strictObject({
  department: z.string().max(64).optional(),
  level: z.enum(['village', 'township', 'county', 'city']).optional(),
  region: z.string().max(32).optional(),
  terminalId: z.string().max(64).optional(),
  householdId: z.string().max(64).optional(),
});
export type Attributes = z.infer<typeof attributesSchema>;

export const claimsSchema = z.object({
  sub: z.string().min(1).max(128),
  name: z.string().min(1).max(100),
  role: roleSchema,
  grant: grantSchema,
  attributes: attributesSchema.default({}),
  jti: z.string().min(1),
  iat: z.number().int(),
  exp: z.number().int(),
});
export type Claims = z.infer<typeof claimsSchema>;

export interface TokenRequest {
  sub: string;
  name: string;
  role: Role;
  grant: Grant;
  attributes?: Attributes;
  ttlSeconds?: number;
}

export class TokenIssuer {
  constructor(
    private readonly secret: string,
    private readonly defaultTtlSeconds: number,
  ) {}

  issue(req: TokenRequest): string {
    const payload = {
      sub: req.sub,
      name: req.name,
      role: req.role,
      grant: grantSchema.parse(req.grant),
      attributes: attributesSchema.parse(req.attributes ?? {}),
      jti: randomUUID(),
    };
    return jwt.sign(payload, this.secret, {
      algorithm: 'HS256',
      expiresIn: req.ttlSeconds ?? this.defaultTtlSeconds,
    });
  }

  /** Verifies signature, algorithm, expiry and shape; throws a typed AppError otherwise. */
  verify(token: unknown): Claims {
    if (typeof token !== 'string' || token.length === 0 || token.length > 8192) {
      throw new AppError('unauthorized', 'missing or malformed access token');
    }
    let decoded: unknown;
    try {
      decoded = jwt.verify(token, this.secret, { algorithms: ['HS256'] });
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw new AppError('token_expired', 'access token expired');
      throw new AppError('unauthorized', 'invalid access token');
    }
    const parsed = claimsSchema.safeParse(decoded);
    if (!parsed.success) throw new AppError('unauthorized', 'access token has invalid claims');
    return parsed.data;
  }
}

export function grantAllowsRoom(grant: Grant, roomId: string): boolean {
  return grant.rooms.some((p) => (p.endsWith('*') ? roomId.startsWith(p.slice(0, -1)) : p === roomId));
}

export function grantAllowsSource(grant: Grant, source: MediaSource): boolean {
  return grant.canPublish && grant.sources.includes(source);
}
