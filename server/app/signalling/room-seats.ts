// How many rooms one identity occupies at once, across every node: each room costs a router, a
// recorder and pipes, so a token naming many rooms (or many sockets on many nodes) must not open
// them all. A seat is taken when a room is first asked for (its capabilities, or the join) and
// held while the identity is in the room; it is a lease, renewed by the node that hosts the peer,
// so a node that dies gives its seats back within SEAT_LEASE_MS. A capabilities request that is
// never followed by a join holds its seat only for one lease.
//
// Key: room-seats:<role>:<sub>  ZSET roomId → lease end (ms) (server/core/redis-keys.ts).
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../core/redis-keys.ts';
import { AppError } from '../../core/errors.ts';

export const SEAT_LEASE_MS = 60_000;

// Drop lapsed seats; the room already held, or room left under the cap: (re)take it for a lease.
const TAKE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local held = redis.call('ZSCORE', KEYS[1], ARGV[3])
if not held and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

export interface RoomSeats {
  /** A seat in `roomId` for `who` (`role:sub`); throws `conflict` (`reason: rooms_per_identity`) over the cap. */
  take(who: string, roomId: string): Promise<void>;
  /** Renews the leases of seats still occupied (the peers this node hosts). */
  renew(seats: Iterable<{ who: string; roomId: string }>): Promise<void>;
  release(who: string, roomId: string): Promise<void>;
}

export class RedisRoomSeats implements RoomSeats {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    readonly max: number,
    private readonly now: () => number = Date.now,
  ) {}

  async take(who: string, roomId: string): Promise<void> {
    const now = this.now();
    const ok = await this.redis.eval(TAKE, 1, this.keys.roomSeats(who), now, now + SEAT_LEASE_MS, roomId, this.max, SEAT_LEASE_MS);
    if (ok !== 1) {
      throw new AppError('conflict', `you are in ${this.max} rooms already; leave one first`, { reason: 'rooms_per_identity', max: this.max });
    }
  }

  async renew(seats: Iterable<{ who: string; roomId: string }>): Promise<void> {
    const until = this.now() + SEAT_LEASE_MS;
    const batch = this.redis.pipeline();
    for (const { who, roomId } of seats) batch.zadd(this.keys.roomSeats(who), 'XX', until, roomId).pexpire(this.keys.roomSeats(who), SEAT_LEASE_MS);
    if (batch.length > 0) await batch.exec();
  }

  async release(who: string, roomId: string): Promise<void> {
    await this.redis.zrem(this.keys.roomSeats(who), roomId);
  }
}
