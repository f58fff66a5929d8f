// Redis key layout of the petition scheduler. Every key starts with a prefix (default
// "sv:petition"; tests use their own) so several deployments or test files share one Redis.
// Lua scripts build the per-ticket keys from the same prefix, so the layout below is the single
// source of truth: change it here and in scripts.ts together. Single-instance Redis only (the
// scripts touch keys they compute; a Redis Cluster would need hash tags on the prefix).
//
//   {p}:seq                      STRING  arrival counter (INCR), orders tickets of equal priority
//   {p}:claimseq                 STRING  claim counter (INCR), orders claims across processes
//   {p}:queue:{departmentId}     ZSET    ticketId → score (priority class × 1e15 + arrival seq)
//   {p}:queue:official:{id}      ZSET    the same, for one official only (a leader's booked slots)
//   {p}:ticket:{ticketId}        HASH    caseId kind queues score enqueuedAt state official
//                                        leaseToken leaseUntil claimSeq requestId releases
//   {p}:case-tickets:{caseId}    SET     every ticket ever issued for the case
//   {p}:leases                   ZSET    ticketId → lease expiry (ms); claims not yet confirmed
//   {p}:leased:{officialId}      SET     tickets leased to the official, not yet confirmed
//   {p}:active:{officialId}      SET     tickets the official holds in a live session
//   {p}:claim-request:{id}       STRING  ticketId a claim request produced (replay guard, 24 h)
//   {p}:unrecorded               SET     confirmed tickets not yet written to the durable store
//   {p}:assignments              STREAM  one entry per confirmed assignment (audit, capped)
//   {p}:presence:{officialId}    STRING  available|busy|away, expires unless heartbeats renew it
//   {p}:online:{departmentId}    ZSET    officialId → presence expiry (ms)
//   {p}:terminals-online         ZSET    terminalId → heartbeat expiry (ms)
//   {p}:stats:{departmentId}     HASH    avgSessionSeconds (EWMA), sessions

import type { PriorityClass } from '../protocol/http/petition-shapes.ts';

export const DEFAULT_PREFIX = 'sv:petition';

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

export function schedulerKeys(prefix: string) {
  return {
    prefix,
    seq: `${prefix}:seq`,
    claimSeq: `${prefix}:claimseq`,
    queue: (departmentId: string) => `${prefix}:queue:${departmentId}`,
    ticket: (ticketId: string) => `${prefix}:ticket:${ticketId}`,
    caseTickets: (caseId: string) => `${prefix}:case-tickets:${caseId}`,
    leases: `${prefix}:leases`,
    leased: (officialId: string) => `${prefix}:leased:${officialId}`,
    active: (officialId: string) => `${prefix}:active:${officialId}`,
    claimRequest: (requestId: string) => `${prefix}:claim-request:${requestId}`,
    unrecorded: `${prefix}:unrecorded`,
    assignments: `${prefix}:assignments`,
    presence: (officialId: string) => `${prefix}:presence:${officialId}`,
    online: (departmentId: string) => `${prefix}:online:${departmentId}`,
    terminalsOnline: `${prefix}:terminals-online`,
    stats: (departmentId: string) => `${prefix}:stats:${departmentId}`,
  };
}
export type SchedulerKeys = ReturnType<typeof schedulerKeys>;
