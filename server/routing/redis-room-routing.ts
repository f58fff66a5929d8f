// Redis-backed node registry and room→node map. Keys (server/core/redis-keys.ts):
//   node:<nodeId>        JSON {url, startedAt}; TTL NODE_TTL_MS, refreshed every HEARTBEAT_MS
//   room-node:<roomId>   nodeId hosting the room; no TTL (a dead node's rooms are taken over)
//   nodes                HASH nodeId → url of every node that ever beat (the live ones have node:<id>)
//
// Failover: a room's owner is dead when its heartbeat expired (NODE_TTL_MS) or, sooner, when the
// node asked to host the room cannot reach the owner's /healthz (or, with the scrape token,
// another node answers there): a SIGKILLed node refuses connections at once, so its rooms move in
// about a second instead of waiting out the TTL.
import type { Redis } from 'ioredis';
import type { Logger } from '../core/log.ts';
import type { RedisKeys } from '../core/redis-keys.ts';
import type { NodeInfo, RoomPlacement, RoomRouting } from './room-routing.ts';

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

// Takeover of a dead owner: drop its heartbeat only if it is still the one read before the probe
// (a node that restarted in between keeps its new one), then claim as usual.
const TAKEOVER = `
if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end` + CLAIM;

/** How long a node waits for a room owner's /healthz before it takes the room over. */
export const OWNER_PROBE_MS = 1_000;

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
    private readonly probeToken: string | undefined,
  ) {}

  /**
   * `probeToken`: the cluster's METRICS_TOKEN. With it the owner probe reads the detailed health
   * and checks that the owner itself answers at its URL; without, an answer there is taken as the
   * owner's (the public /healthz says only `{ ok }`).
   */
  static async start(redis: Redis, keys: RedisKeys, nodeId: string, url: string, log: Logger, probeToken?: string): Promise<RedisRoomRouting> {
    const r = new RedisRoomRouting(redis, keys, nodeId, url, log, probeToken);
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
    if (raw && !(await ownerAnswers(owner, url, this.probeToken))) {
      const now = (await this.redis.eval(TAKEOVER, 2, this.keys.roomNode(roomId), this.keys.node(owner), this.nodeId, this.keys.nodePrefix, raw)) as string;
      if (now === this.nodeId) {
        this.log.warn({ roomId, from: owner, url }, 'room taken over: its node does not answer');
        return { local: true };
      }
      return this.claim(roomId);
    }
    return { local: false, nodeId: owner, url };
  }

  /** The nodes whose heartbeat is alive, this one included. */
  async liveNodes(): Promise<NodeInfo[]> {
    const all = await this.redis.hgetall(this.keys.nodes);
    const ids = Object.keys(all);
    if (ids.length === 0) return [];
    const beats = await this.redis.mget(ids.map((id) => this.keys.node(id)));
    const gone = ids.filter((_, i) => beats[i] === null);
    // Forget nodes gone for good (their heartbeat key expired): the hash stays as small as the cluster.
    if (gone.length > 0) await this.redis.hdel(this.keys.nodes, ...gone);
    return ids.filter((_, i) => beats[i] !== null).map((nodeId) => ({ nodeId, url: all[nodeId]! }));
  }

  async release(roomId: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.keys.roomNode(roomId), this.nodeId);
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.all([this.redis.del(this.keys.node(this.nodeId)), this.redis.hdel(this.keys.nodes, this.nodeId)]).catch(() => undefined);
  }

  async #heartbeat(): Promise<void> {
    await Promise.all([
      this.redis.set(this.keys.node(this.nodeId), JSON.stringify({ url: this.url, startedAt: this.#startedAt }), 'PX', NODE_TTL_MS),
      this.redis.hset(this.keys.nodes, this.nodeId, this.url),
    ]);
  }
}

/**
 * Whether the node `nodeId` answers its /healthz at `url` within OWNER_PROBE_MS. Any answer from
 * it counts (a degraded node still hosts its rooms); a refused or silent connection, or another
 * node answering there (a URL behind a load balancer), does not.
 */
/** Does the owner answer at its URL (any status: a stopping node still hands its rooms over itself)? */
async function ownerAnswers(nodeId: string, url: string, token: string | undefined): Promise<boolean> {
  if (!url) return false;
  try {
    const res = await fetch(new URL('/healthz', url), {
      signal: AbortSignal.timeout(OWNER_PROBE_MS),
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    });
    const body = (await res.json()) as { ok?: unknown; data?: { nodeId?: unknown } };
    return body.data ? body.data.nodeId === nodeId : typeof body.ok === 'boolean';
  } catch {
    return false;
  }
}
