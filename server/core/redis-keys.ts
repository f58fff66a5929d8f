// Every Redis key (and pub/sub channel) the product uses, in one place — LiveKit keeps its
// redisrouter keys as constants the same way. The node builds one namespace from its prefix at
// start-up (`redisKeys(prefix)`, default "sv:") and hands it to every component that touches
// Redis; nothing else writes a key name. Deployments or test runs sharing one Redis use
// different prefixes and never see each other. The table in docs/architecture.md lists them.
//
// Single-instance Redis only: Lua scripts touch keys they compute from a prefix, so a Redis
// Cluster would need hash tags on it.

export const DEFAULT_REDIS_PREFIX = 'sv:';

export function redisKeys(prefix: string = DEFAULT_REDIS_PREFIX) {
  return {
    prefix,

    // ---- routing (server/routing/redis-room-routing.ts) ----
    /** STRING JSON {url, startedAt}: a live node; PX NODE_TTL_MS, renewed by its heartbeat. */
    node: (nodeId: string) => `${prefix}node:${nodeId}`,
    /** What `node()` puts before the id: the claim script checks an owner's heartbeat with it. */
    nodePrefix: `${prefix}node:`,
    /** STRING nodeId hosting the room; no TTL (a dead node's rooms are taken over). */
    roomNode: (roomId: string) => `${prefix}room-node:${roomId}`,
    /** HASH nodeId → url of the nodes that beat; `node()` says which are alive (/healthz lists them for clients' failover). */
    nodes: `${prefix}nodes`,

    // ---- recorded sessions (server/routing/session-leases.ts) ----
    /** STRING nodeId recording the session; PX NODE_TTL_MS, renewed with the heartbeat; taken over once that node's heartbeat expired. */
    recordingOwner: (sessionId: string) => `${prefix}recording-owner:${sessionId}`,

    // ---- signalling (server/app/signalling/room-bans.ts, room-seats.ts) ----
    /** HASH sub → JSON {by, at}: who was removed from the room; deleted when its session ends, BAN_TTL_S at most. */
    roomBan: (roomId: string) => `${prefix}room-ban:${roomId}`,
    /** ZSET roomId → lease end (ms): the rooms one identity (`role:sub`) occupies (room-seats.ts); PX the lease. */
    roomSeats: (who: string) => `${prefix}room-seats:${who}`,

    // ---- revoked tokens (server/auth/revocations.ts) ----
    /** ZSET revocation JSON → until (ms): every revocation still in force; pruned as entries lapse. */
    revocations: `${prefix}revocations`,
    /** Pub/sub channel: each revocation as it is made, so every node closes matching connections. */
    revocationsChannel: `${prefix}revocations:events`,

    // ---- one node at a time (server/routing/leader-lease.ts) ----
    /** STRING nodeId holding the job's lease (e.g. household-tick), PX the lease length. */
    leader: (job: string) => `${prefix}leader:${job}`,

    // ---- the edge (server/core/http/limits.ts, server/auth/sign-in-codes.ts) ----
    /** Key prefix of rate-limiter-flexible's counters: `<prefix>rate-ip:<ip>`, `<prefix>rate-identity:<role>:<sub>`; each expires with its window. */
    rateLimit: (scope: 'ip' | 'identity') => `${prefix}rate-${scope}`,
    /** STRING token a one-time sign-in code stands for, keyed by SHA-256 of the code; EX 60 s, GETDEL on use. */
    signInCode: (codeHash: string) => `${prefix}sign-in-code:${codeHash}`,

    // ---- socket.io's Redis adapter (server/app/platform.ts) ----
    /** Pub/sub channel prefix: room:end, rooms:recheck and /live pushes between nodes. */
    adapterChannel: `${prefix}socket.io`,

    // ---- the petition scheduler (server/scheduler/) ----
    scheduler: schedulerKeys(`${prefix}petition`),
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;

/**
 * The petition scheduler's keys under its own prefix (`<prefix>petition`). Its Lua scripts
 * (server/scheduler/scripts.ts) build the same names from `scheduler.prefix`: change both together.
 *
 *   {p}:seq                      STRING  arrival counter (INCR), orders tickets of equal priority
 *   {p}:claimseq                 STRING  claim counter (INCR), orders claims across processes
 *   {p}:queue:{departmentId}     ZSET    ticketId → score (priority class × 1e15 + arrival seq)
 *   {p}:queue:official:{id}      ZSET    the same, for one official only (a leader's booked slots)
 *   {p}:ticket:{ticketId}        HASH    caseId kind queues score enqueuedAt state official
 *                                        leaseToken leaseUntil claimSeq requestId releases
 *   {p}:case-tickets:{caseId}    SET     every ticket ever issued for the case
 *   {p}:leases                   ZSET    ticketId → lease expiry (ms); claims not yet confirmed
 *   {p}:leased:{officialId}      SET     tickets leased to the official, not yet confirmed
 *   {p}:active:{officialId}      SET     tickets the official holds in a live session
 *   {p}:claim-request:{id}       STRING  ticketId a claim request produced (replay guard, 24 h)
 *   {p}:unrecorded               SET     confirmed tickets not yet written to the durable store
 *   {p}:assignments              STREAM  one entry per confirmed assignment (audit, capped)
 *   {p}:presence:{officialId}    STRING  available|busy|away, expires unless heartbeats renew it
 *   {p}:online:{departmentId}    ZSET    officialId → presence expiry (ms)
 *   {p}:terminals-online         ZSET    terminalId → heartbeat expiry (ms)
 *   {p}:terminals-seen           ZSET    terminalId → last time it was connected (ms, Redis clock)
 *   {p}:terminals-offline        SET     terminals whose offline alert is raised (till they are back)
 *   {p}:stats:{departmentId}     HASH    avgSessionSeconds (EWMA), sessions
 *   {p}:lookup-fail:{caseId}     STRING  wrong query codes in a row at terminals (EX 15 min)
 *   {p}:reminded:{caseId}        STRING  the day's appointment reminder was sent (SET NX, EX 2 days)
 */
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
    terminalsSeen: `${prefix}:terminals-seen`,
    terminalsOffline: `${prefix}:terminals-offline`,
    lookupFailures: (caseId: string) => `${prefix}:lookup-fail:${caseId}`,
    reminded: (caseId: string) => `${prefix}:reminded:${caseId}`,
    stats: (departmentId: string) => `${prefix}:stats:${departmentId}`,
  };
}
export type SchedulerKeys = ReturnType<typeof schedulerKeys>;
