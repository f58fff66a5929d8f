// Official presence: available / busy / away, kept alive by heartbeats that expire. An official
// whose desk stops sending heartbeats (crash, closed laptop) drops out of the counts by itself.
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { schedulerKeys, type SchedulerKeys } from './keys.ts';
import { heartbeatScript } from './scripts.ts';

export const PRESENCE_STATUSES = ['available', 'busy', 'away'] as const;
export const presenceStatusSchema = z.enum(PRESENCE_STATUSES);
export type PresenceStatus = z.infer<typeof presenceStatusSchema>;

export interface OnlineOfficial {
  officialId: string;
  status: PresenceStatus;
}

export class Presence {
  readonly keys: SchedulerKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    /** How long a heartbeat keeps an official present (desks beat every ttl/3). */
    readonly ttlMs = 30_000,
  ) {
    this.keys = schedulerKeys(prefix);
  }

  async heartbeat(officialId: string, departmentId: string, status: PresenceStatus): Promise<void> {
    await heartbeatScript.run(this.redis, [this.keys.prefix, officialId, departmentId, status, this.ttlMs]);
  }

  async leave(officialId: string, departmentId: string): Promise<void> {
    await this.redis.multi().del(this.keys.presence(officialId)).zrem(this.keys.online(departmentId), officialId).exec();
  }

  async status(officialId: string): Promise<PresenceStatus | 'offline'> {
    const v = await this.redis.get(this.keys.presence(officialId));
    const parsed = presenceStatusSchema.safeParse(v);
    return parsed.success ? parsed.data : 'offline';
  }

  /** Terminals beat too (every ttl/3), so the coordinator sees which are reachable. */
  async terminalHeartbeat(terminalId: string): Promise<void> {
    await this.redis.zadd(this.keys.terminalsOnline, Date.now() + this.ttlMs, terminalId);
  }

  async onlineTerminals(): Promise<Set<string>> {
    const key = this.keys.terminalsOnline;
    await this.redis.zremrangebyscore(key, '-inf', Date.now());
    return new Set(await this.redis.zrangebyscore(key, Date.now(), '+inf'));
  }

  /** Officials of a department whose heartbeat has not expired. */
  async online(departmentId: string): Promise<OnlineOfficial[]> {
    const ids = await this.redis.zrangebyscore(this.keys.online(departmentId), Date.now(), '+inf');
    if (ids.length === 0) return [];
    const statuses = await this.redis.mget(ids.map((id) => this.keys.presence(id)));
    const out: OnlineOfficial[] = [];
    ids.forEach((officialId, i) => {
      const parsed = presenceStatusSchema.safeParse(statuses[i]);
      if (parsed.success) out.push({ officialId, status: parsed.data });
    });
    return out;
  }
}
