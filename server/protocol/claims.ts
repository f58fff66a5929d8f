// What an access token says about its holder: role, grant, attributes. The HTTP endpoint tables
// name the roles each endpoint admits, pages read their own token's claims for display, and
// server/auth signs and verifies tokens of this shape.
import { z } from 'zod';
import { mediaSourceSchema } from './signalling.ts';

export const ROLES = [
  'petitioner',
  'terminal',
  'official',
  /** Department head (部门负责人): an official who approves extensions and signs replies off. */
  'head',
  'coordinator',
  'family',
  'home-device',
  'counsellor',
  'archivist',
  /** 社区/村委会 网格员: community staff, and the village contact an SOS escalates to. */
  'grid-worker',
  /** 物业服务中心: a compound's property office staff (红色物业). */
  'property',
  /** 小区居民: a compound's resident, who raises and rates property matters. */
  'resident',
  /** System administrator (三员分立 ①): the directory, devices, routing and retention settings. */
  'admin',
  /** Security administrator (②): accounts, roles, sessions, lock-outs. */
  'security-admin',
  /** Audit administrator (③): reads the audit trails (system and archive: who viewed, exported, held, deleted what), nothing else. */
  'audit-admin',
] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/** A room id, or a prefix ending in `*` ("test:*"; the product issues exact ids only). */
const roomPattern = z.string().min(1).max(200).regex(/^[\w:.\-]+\*?$/);

export const grantSchema = z.strictObject({
  rooms: z.array(roomPattern).max(50),
  canPublish: z.boolean(),
  canSubscribe: z.boolean(),
  sources: z.array(mediaSourceSchema).max(3),
  /** Present in the room without being announced to others (coordinators supervising a session). */
  hidden: z.boolean().optional(),
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

/**
 * What a token is for. `access`: the holder's own credential (a session's access token, a device
 * or terminal token, a development sign-in): REST, `/live`, signalling. `room`: issued for one
 * signalling room (a call, a look-in, a session seat): it opens that room, and on REST only the
 * endpoints that renew it (their table entry says `roomTokens`) — everything else refuses it by
 * construction, so a room token handed to a page never doubles as the person's credential.
 */
export const TOKEN_USES = ['access', 'room'] as const;
export const tokenUseSchema = z.enum(TOKEN_USES);
export type TokenUse = z.infer<typeof tokenUseSchema>;

export const claimsSchema = z.preprocess(
  // Tokens signed before the claim existed (a device token lives a year) say nothing: one naming
  // rooms was a room token, one naming none an access token — the only two kinds ever issued.
  (raw) => {
    if (!raw || typeof raw !== 'object' || 'use' in raw) return raw;
    const rooms = (raw as { grant?: { rooms?: unknown } }).grant?.rooms;
    return { ...raw, use: Array.isArray(rooms) && rooms.length > 0 ? 'room' : 'access' };
  },
  z.object({
    use: tokenUseSchema,
    sub: z.string().min(1).max(128),
    name: z.string().min(1).max(100),
    role: roleSchema,
    grant: grantSchema,
    attributes: attributesSchema.default({}),
    jti: z.string().min(1),
    /** Issued at, seconds with millisecond precision: revocations compare issue times within a second. */
    iat: z.number(),
    exp: z.number(),
  }),
);
export type Claims = z.infer<typeof claimsSchema>;

/**
 * Why a token stopped being good before its expiry: its device was bound again or revoked, the
 * family link it was scoped to was removed, its account was disabled, or it was withdrawn alone.
 * A connection closed for it is told the reason (signalling `roomClosed`, /live `access:revoked`).
 */
export const REVOCATION_REASONS = ['device-rebound', 'device-revoked', 'link-removed', 'account-disabled', 'token-revoked'] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];
