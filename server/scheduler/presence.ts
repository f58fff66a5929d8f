// Official presence: available / busy / away, kept alive by heartbeats that expire. An official
// whose desk stops sending heartbeats (crash, closed laptop) drops out of the counts by itself.
import type { Redis } from 'ioredis';
import { presenceStatusSchema, type PresenceStatus } from '../protocol/http/petition-shapes.ts';
import { schedulerKeys, type SchedulerKeys } from './keys.ts';
import { heartbeatScript, onlineScript, onlineTerminalsScript, terminalGoneScript, terminalsOfflineScript, terminalsPresentScript } from './scripts.ts';

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
    await terminalGoneScript.run(this.redis, [this.keys.prefix, terminalId]);
  }

  /**
   * One pass of the terminal offline alerts: terminals absent for `afterMs` since they were last
   * connected are raised once, raised ones that are back are cleared. Run by one node (a lease).
   */
  async sweepOfflineTerminals(afterMs: number): Promise<{ raised: string[]; cleared: string[] }> {
    const flat = (await terminalsOfflineScript.run(this.redis, [this.keys.prefix, afterMs])) as string[];
    const out = { raised: [] as string[], cleared: [] as string[] };
    for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i] === 'raised' ? 'raised' : 'cleared'].push(flat[i + 1]!);
    return out;
  }

  /** Terminals whose offline alert is raised, with when each was last connected (ms). */
  async offlineAlerts(): Promise<Map<string, number>> {
    const [alerted, seen] = await Promise.all([
      this.redis.smembers(this.keys.terminalsOffline),
      this.redis.zrange(this.keys.terminalsSeen, '0', '-1', 'WITHSCORES'),
    ]);
    const at = new Map<string, number>();
    for (let i = 0; i + 1 < seen.length; i += 2) at.set(seen[i]!, Number(seen[i + 1]));
    return new Map(alerted.map((id) => [id, at.get(id) ?? 0]));
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
