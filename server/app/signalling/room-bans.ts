// Who was removed from which room. A removed identity stays out for the rest of the session even
// with a freshly issued token (the LiveKit #2804 hole: kicked users rejoining with a refreshed
// token). Kept in Redis so every node enforces it. Bans end with the session (`clear`, when the
// domain ends it); BAN_TTL_S only reclaims the key of a session whose end was never seen.
//
// Key: room-ban:<roomId>  hash sub → JSON {by, at} (server/core/redis-keys.ts).
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../core/redis-keys.ts';

export const BAN_TTL_S = 7 * 24 * 3600;

export interface RoomBans {
  ban(roomId: string, sub: string, by: string): Promise<void>;
  isBanned(roomId: string, sub: string): Promise<boolean>;
  /** The room's session is over: its bans go with it. */
  clear(roomId: string): Promise<void>;
}

export class RedisRoomBans implements RoomBans {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async ban(roomId: string, sub: string, by: string): Promise<void> {
    const key = this.keys.roomBan(roomId);
    await this.redis.multi().hset(key, sub, JSON.stringify({ by, at: new Date().toISOString() })).expire(key, BAN_TTL_S).exec();
  }

  async isBanned(roomId: string, sub: string): Promise<boolean> {
    return (await this.redis.hexists(this.keys.roomBan(roomId), sub)) === 1;
  }

  async clear(roomId: string): Promise<void> {
    await this.redis.del(this.keys.roomBan(roomId));
  }
}
