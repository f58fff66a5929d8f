// The petition scheduler's constants. Its Redis key layout lives with every other key in
// server/core/redis-keys.ts (schedulerKeys); tests and benchmarks give the scheduler a prefix of
// their own so several of them share one Redis.
import { redisKeys } from '../core/redis-keys.ts';
import type { PriorityClass } from '../protocol/http/petition-shapes.ts';

export { schedulerKeys, type SchedulerKeys } from '../core/redis-keys.ts';

/** The scheduler's prefix in the default namespace ("sv:petition"). */
export const DEFAULT_PREFIX = redisKeys().scheduler.prefix;

/** Priority classes: lower is served first. */
export const PRIORITY = {
  /** Joint-session invites, transfers and escalations: ahead of new cases. */
  handover: 0,
  appointment: 1,
  /** Urgent, elderly or disabled petitioners. */
  priority: 2,
  normal: 3,
} as const satisfies Record<PriorityClass, number>;
export type { PriorityClass };

export const SCORE_CLASS_STEP = 1e15;

/** Queue name of an official's personal queue (a leader's reception-day appointments). */
export const personalQueue = (officialId: string) => `official:${officialId}`;
export const personalQueueOwner = (queue: string): string | null => (queue.startsWith('official:') ? queue.slice(9) : null);
