// Official presence: available / busy / away, kept alive by heartbeats that expire. An official
// whose desk stops sending heartbeats (crash, closed laptop) drops out of the counts by itself.
import type { Redis } from 'ioredis';
import { presenceStatusSchema, type PresenceStatus } from '../protocol/http/petition-shapes.ts';
import { schedulerKeys, type SchedulerKeys } from './keys.ts';
import { heartbeatScript, onlineScript, onlineTerminalsScript, terminalsPresentScript } from './scripts.ts';

export { PRESENCE_STATUSES, presenceStatusSchema } from '../protocol/http/petition-shapes.ts';
export type { PresenceStatus };

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

  /**
   * Terminals are present while their live connection is: the node holding the connections
   * refreshes them all at once (every ttl/3); they expire ttl after that node stops.
   */
  async terminalsPresent(terminalIds: readonly string[]): Promise<void> {
    if (terminalIds.length === 0) return;
    await terminalsPresentScript.run(this.redis, [this.keys.prefix, this.ttlMs, ...terminalIds]);
  }

  /** The terminal's last connection on this node closed. */
  async terminalGone(terminalId: string): Promise<void> {
    await this.redis.zrem(this.keys.terminalsOnline, terminalId);
  }

  async onlineTerminals(): Promise<Set<string>> {
    const ids = (await onlineTerminalsScript.run(this.redis, [this.keys.prefix])) as string[];
    return new Set(ids);
  }

  /** Officials of a department whose heartbeat has not expired (by the Redis clock). */
  async online(departmentId: string): Promise<OnlineOfficial[]> {
    const flat = (await onlineScript.run(this.redis, [this.keys.prefix, departmentId])) as string[];
    const out: OnlineOfficial[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const parsed = presenceStatusSchema.safeParse(flat[i + 1]);
      if (parsed.success) out.push({ officialId: flat[i]!, status: parsed.data });
    }
    return out;
  }
}
