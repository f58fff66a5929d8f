// Redis-backed node registry and room→node map. Keys (server/core/redis-keys.ts):
//   node:<nodeId>        JSON {url, startedAt}; TTL NODE_TTL_MS, refreshed every HEARTBEAT_MS
//   room-node:<roomId>   nodeId hosting the room; no TTL (a dead node's rooms are taken over)
import type { Redis } from 'ioredis';
import type { Logger } from '../core/log.ts';
import type { RedisKeys } from '../core/redis-keys.ts';
import type { RoomPlacement, RoomRouting } from './room-routing.ts';

export const NODE_TTL_MS = 15_000;
export const HEARTBEAT_MS = 5_000;

// Claim: keep the current owner if its node key is alive, else take the room over atomically.
const CLAIM = `
local owner = redis.call('GET', KEYS[1])
if owner and owner ~= ARGV[1] and redis.call('EXISTS', ARGV[2] .. owner) == 1 then
  return owner
end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]`;

// Release: compare-and-delete, so a node never frees a room another node has taken over.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export class RedisRoomRouting implements RoomRouting {
  #timer: NodeJS.Timeout | undefined;
  readonly #startedAt = Date.now();

  private constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    readonly nodeId: string,
    private readonly url: string,
    private readonly log: Logger,
  ) {}

  static async start(redis: Redis, keys: RedisKeys, nodeId: string, url: string, log: Logger): Promise<RedisRoomRouting> {
    const r = new RedisRoomRouting(redis, keys, nodeId, url, log);
    await r.#heartbeat();
    r.#timer = setInterval(() => {
      r.#heartbeat().catch((err: unknown) => r.log.warn({ err }, 'node heartbeat failed'));
    }, HEARTBEAT_MS);
    r.#timer.unref();
    return r;
  }

  async claim(roomId: string): Promise<RoomPlacement> {
    const owner = (await this.redis.eval(CLAIM, 1, this.keys.roomNode(roomId), this.nodeId, this.keys.nodePrefix)) as string;
    if (owner === this.nodeId) return { local: true };
    const raw = await this.redis.get(this.keys.node(owner));
    const url = raw ? (JSON.parse(raw) as { url: string }).url : '';
    return { local: false, nodeId: owner, url };
  }

  async release(roomId: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.keys.roomNode(roomId), this.nodeId);
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.redis.del(this.keys.node(this.nodeId)).catch(() => undefined);
  }

  async #heartbeat(): Promise<void> {
    await this.redis.set(
      this.keys.node(this.nodeId),
      JSON.stringify({ url: this.url, startedAt: this.#startedAt }),
      'PX',
      NODE_TTL_MS,
    );
  }
}
