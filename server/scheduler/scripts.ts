// The scheduler's atomic steps as Lua scripts. Each runs as one Redis command, so two server
// processes racing for the same ticket are serialized by Redis itself: a ticket is removed from
// every queue and leased to exactly one official in the same step. Times come from Redis TIME,
// so processes with skewed clocks agree on lease expiry. Key layout: schedulerKeys in
// server/core/redis-keys.ts (the scripts build the same names from its prefix).
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Loads once per connection by SHA and falls back to EVAL after a SCRIPT FLUSH or restart. */
export class LuaScript {
  readonly sha: string;
  constructor(readonly name: string, readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, 0, ...args);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('NOSCRIPT')) return redis.eval(this.source, 0, ...args);
      throw err;
    }
  }
}

const NOW_MS = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * ARGV: prefix, ticketId, caseId, kind, queues (comma list), priority class, enqueuedAt (ISO),
 * department that issued it ('' for new cases). Idempotent by ticket id.
 * → {'ok', score} | {'exists', state}
 */
export const enqueueScript = new LuaScript(
  'enqueue',
  `local p = ARGV[1]
local id = ARGV[2]
local tk = p .. ':ticket:' .. id
if redis.call('EXISTS', tk) == 1 then return {'exists', redis.call('HGET', tk, 'state')} end
local seq = redis.call('INCR', p .. ':seq')
local score = string.format('%.0f', tonumber(ARGV[6]) * 1e15 + seq)
redis.call('HSET', tk, 'caseId', ARGV[3], 'kind', ARGV[4], 'queues', ARGV[5], 'score', score,
  'enqueuedAt', ARGV[7], 'from', ARGV[8], 'state', 'queued', 'releases', 0)
for q in string.gmatch(ARGV[5], '[^,]+') do redis.call('ZADD', p .. ':queue:' .. q, score, id) end
redis.call('SADD', p .. ':case-tickets:' .. ARGV[3], id)
return {'ok', score}`,
);

/**
 * ARGV: prefix, officialId, leaseMs, requestId ('' = none), maxHeld, ticketId ('' = next),
 * then the official's department queues.
 * → {'ok', ticketId, caseId, kind, leaseToken, score, queues, from}
 *   | {'replayed', ticketId} | {'busy', held} | {'empty', ''} | {'unknown', id} | {'taken', id}
 *   | {'not_yours', id}
 */
export const claimScript = new LuaScript(
  'claim',
  `local p, official, leaseMs, req, maxHeld, want = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5]), ARGV[6]
${NOW_MS}
if req ~= '' then
  local prev = redis.call('GET', p .. ':claim-request:' .. req)
  if prev then return {'replayed', prev} end
end
local held = redis.call('SCARD', p .. ':active:' .. official) + redis.call('SCARD', p .. ':leased:' .. official)
if held >= maxHeld then return {'busy', tostring(held)} end
local best = nil
if want ~= '' then
  local state = redis.call('HGET', p .. ':ticket:' .. want, 'state')
  if not state then return {'unknown', want} end
  if state ~= 'queued' then return {'taken', want} end
  for i = 7, #ARGV do
    if redis.call('ZSCORE', p .. ':queue:' .. ARGV[i], want) then best = want; break end
  end
  if not best then return {'not_yours', want} end
else
  local bestScore = nil
  for i = 7, #ARGV do
    local top = redis.call('ZRANGE', p .. ':queue:' .. ARGV[i], 0, 0, 'WITHSCORES')
    if top[1] and (bestScore == nil or tonumber(top[2]) < bestScore) then best = top[1]; bestScore = tonumber(top[2]) end
  end
  if not best then return {'empty', ''} end
end
local tk = p .. ':ticket:' .. best
local queues = redis.call('HGET', tk, 'queues')
for q in string.gmatch(queues, '[^,]+') do redis.call('ZREM', p .. ':queue:' .. q, best) end
local token = tostring(redis.call('INCR', p .. ':claimseq'))
local untilMs = now + leaseMs
redis.call('HSET', tk, 'state', 'leased', 'official', official, 'leaseToken', token, 'leaseUntil', untilMs,
  'claimSeq', token, 'requestId', req)
redis.call('ZADD', p .. ':leases', untilMs, best)
redis.call('SADD', p .. ':leased:' .. official, best)
if req ~= '' then redis.call('SET', p .. ':claim-request:' .. req, best, 'EX', 86400) end
return {'ok', best, redis.call('HGET', tk, 'caseId'), redis.call('HGET', tk, 'kind'), token,
  redis.call('HGET', tk, 'score'), queues, redis.call('HGET', tk, 'from') or ''}`,
);

/**
 * Turns a lease into an assignment: the commit point of a claim.
 * ARGV: prefix, ticketId, officialId, leaseToken → {'ok'} | {'lost', state}
 */
export const confirmScript = new LuaScript(
  'confirm',
  `local p, id, official, token = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
${NOW_MS}
local tk = p .. ':ticket:' .. id
local state = redis.call('HGET', tk, 'state')
if state ~= 'leased' or redis.call('HGET', tk, 'official') ~= official or redis.call('HGET', tk, 'leaseToken') ~= token then
  return {'lost', state or ''}
end
redis.call('HSET', tk, 'state', 'assigned', 'assignedAt', now)
redis.call('HDEL', tk, 'leaseUntil')
redis.call('ZREM', p .. ':leases', id)
redis.call('SREM', p .. ':leased:' .. official, id)
redis.call('SADD', p .. ':active:' .. official, id)
redis.call('SADD', p .. ':unrecorded', id)
redis.call('XADD', p .. ':assignments', 'MAXLEN', '~', '100000', '*', 'ticket', id,
  'case', redis.call('HGET', tk, 'caseId'), 'official', official, 'claimSeq', token, 'score', redis.call('HGET', tk, 'score'))
return {'ok'}`,
);

const REQUEUE_FN = `local function requeue(p, id)
  local tk = p .. ':ticket:' .. id
  redis.call('ZREM', p .. ':leases', id)
  if redis.call('HGET', tk, 'state') ~= 'leased' then return false end
  local official = redis.call('HGET', tk, 'official')
  redis.call('SREM', p .. ':leased:' .. official, id)
  redis.call('HSET', tk, 'state', 'queued', 'official', '', 'leaseToken', '')
  redis.call('HDEL', tk, 'leaseUntil')
  redis.call('HINCRBY', tk, 'releases', 1)
  local score = redis.call('HGET', tk, 'score')
  for q in string.gmatch(redis.call('HGET', tk, 'queues'), '[^,]+') do redis.call('ZADD', p .. ':queue:' .. q, score, id) end
  return official
end`;

/**
 * Puts leases that expired (their holder died or never confirmed) back in their queues with
 * their original score, so they keep their place. ARGV: prefix, limit
 * → flat list ticketId, caseId, officialId, …
 */
export const reapScript = new LuaScript(
  'reap',
  `${REQUEUE_FN}
local p, limit = ARGV[1], tonumber(ARGV[2])
${NOW_MS}
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', p .. ':leases', '-inf', now, 'LIMIT', 0, limit)) do
  local official = requeue(p, id)
  if official then
    table.insert(out, id); table.insert(out, redis.call('HGET', p .. ':ticket:' .. id, 'caseId')); table.insert(out, official)
  end
end
return out`,
);

/** An official hands a lease back. ARGV: prefix, ticketId, officialId, leaseToken → 1 | 0 */
export const releaseScript = new LuaScript(
  'release',
  `${REQUEUE_FN}
local p, id = ARGV[1], ARGV[2]
local tk = p .. ':ticket:' .. id
if redis.call('HGET', tk, 'official') ~= ARGV[3] or redis.call('HGET', tk, 'leaseToken') ~= ARGV[4] then return 0 end
if requeue(p, id) then return 1 end
return 0`,
);

/**
 * Withdraws queued tickets (appointment chosen, petitioner left). Leased or assigned ones stay.
 * ARGV: prefix, ticketId… → number withdrawn
 */
export const cancelScript = new LuaScript(
  'cancel',
  `local p = ARGV[1]
local n = 0
for i = 2, #ARGV do
  local tk = p .. ':ticket:' .. ARGV[i]
  if redis.call('HGET', tk, 'state') == 'queued' then
    for q in string.gmatch(redis.call('HGET', tk, 'queues'), '[^,]+') do redis.call('ZREM', p .. ':queue:' .. q, ARGV[i]) end
    redis.call('HSET', tk, 'state', 'cancelled')
    n = n + 1
  end
end
return n`,
);

/** Ends assigned tickets when the session ends. ARGV: prefix, ticketId… → number finished */
export const finishScript = new LuaScript(
  'finish',
  `local p = ARGV[1]
local n = 0
for i = 2, #ARGV do
  local tk = p .. ':ticket:' .. ARGV[i]
  if redis.call('HGET', tk, 'state') == 'assigned' then
    redis.call('SREM', p .. ':active:' .. redis.call('HGET', tk, 'official'), ARGV[i])
    redis.call('HSET', tk, 'state', 'done')
    n = n + 1
  end
end
return n`,
);

/**
 * Presence with an expiring heartbeat. ARGV: prefix, officialId, departmentId, status, ttlMs
 */
export const heartbeatScript = new LuaScript(
  'heartbeat',
  `local p, official, dept, status, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
${NOW_MS}
redis.call('SET', p .. ':presence:' .. official, status, 'PX', ttl)
redis.call('ZADD', p .. ':online:' .. dept, now + ttl, official)
redis.call('ZREMRANGEBYSCORE', p .. ':online:' .. dept, '-inf', now)
return 1`,
);

/**
 * Officials of an office whose heartbeat has not expired, with their status, judged by the
 * Redis clock like the heartbeat itself. ARGV: prefix, departmentId → flat officialId, status, …
 */
export const onlineScript = new LuaScript(
  'online',
  `local p, dept = ARGV[1], ARGV[2]
${NOW_MS}
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', p .. ':online:' .. dept, now, '+inf')) do
  local status = redis.call('GET', p .. ':presence:' .. id)
  if status then table.insert(out, id); table.insert(out, status) end
end
return out`,
);

/**
 * The coordinator overview in one step (instead of three commands per office, ~800 for the seed's
 * offices): per queue its length, the oldest ticket's enqueuedAt ('' when empty) and how many
 * officials of that department are present. ARGV: prefix, queue names… → flat triples.
 */
export const queueOverviewScript = new LuaScript(
  'queue-overview',
  `local p = ARGV[1]
${NOW_MS}
local out = {}
for i = 2, #ARGV do
  local q = ARGV[i]
  local len = redis.call('ZCARD', p .. ':queue:' .. q)
  local oldest = ''
  if len > 0 then
    local first = redis.call('ZRANGE', p .. ':queue:' .. q, 0, 0)[1]
    oldest = redis.call('HGET', p .. ':ticket:' .. first, 'enqueuedAt') or ''
  end
  local online = 0
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', p .. ':online:' .. q, now, '+inf')) do
    if redis.call('EXISTS', p .. ':presence:' .. id) == 1 then online = online + 1 end
  end
  table.insert(out, len); table.insert(out, oldest); table.insert(out, online)
end
return out`,
);

/**
 * Terminals connected to a node's live channel, refreshed by that node in one call (Redis clock);
 * a node that dies stops refreshing and its terminals expire. ARGV: prefix, ttlMs, terminalId…
 */
export const terminalsPresentScript = new LuaScript(
  'terminals-present',
  `${NOW_MS}
local expires = now + tonumber(ARGV[2])
for i = 3, #ARGV do
  redis.call('ZADD', ARGV[1] .. ':terminals-online', expires, ARGV[i])
  redis.call('ZADD', ARGV[1] .. ':terminals-seen', now, ARGV[i])
end
redis.call('ZREMRANGEBYSCORE', ARGV[1] .. ':terminals-online', '-inf', now)
return 1`,
);

/** A terminal's last connection closed: absent from now, last seen now. ARGV: prefix, terminalId */
export const terminalGoneScript = new LuaScript(
  'terminal-gone',
  `${NOW_MS}
redis.call('ZREM', ARGV[1] .. ':terminals-online', ARGV[2])
redis.call('ZADD', ARGV[1] .. ':terminals-seen', now, ARGV[2])
return 1`,
);

/**
 * The terminal offline alerts, one pass (Redis clock): a terminal seen before, absent now and not
 * seen for `afterMs` is raised (once); a raised one that is present again is cleared.
 * ARGV: prefix, afterMs → flat pairs: 'raised', terminalId | 'cleared', terminalId
 */
export const terminalsOfflineScript = new LuaScript(
  'terminals-offline',
  `local p, after = ARGV[1], tonumber(ARGV[2])
${NOW_MS}
local online, alerted = p .. ':terminals-online', p .. ':terminals-offline'
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', alerted)) do
  local until_ = redis.call('ZSCORE', online, id)
  if until_ and tonumber(until_) > now then
    redis.call('SREM', alerted, id); table.insert(out, 'cleared'); table.insert(out, id)
  end
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', p .. ':terminals-seen', '-inf', now - after)) do
  local until_ = redis.call('ZSCORE', online, id)
  if not (until_ and tonumber(until_) > now) and redis.call('SADD', alerted, id) == 1 then
    table.insert(out, 'raised'); table.insert(out, id)
  end
end
return out`,
);

/** Terminals whose presence has not expired (Redis clock). ARGV: prefix → terminal ids */
export const onlineTerminalsScript = new LuaScript(
  'online-terminals',
  `${NOW_MS}
return redis.call('ZRANGEBYSCORE', ARGV[1] .. ':terminals-online', now, '+inf')`,
);

/**
 * Every ticket waiting in a queue, best first, with what a wait needs of it and how many tickets
 * its case has (the wait pass: one command however long the queue, not one per ticket).
 * ARGV: prefix, queue → per ticket: id, caseId, queues, enqueuedAt, state, the case's ticket count
 */
export const queueTicketsScript = new LuaScript(
  'queue-tickets',
  // One line per ticket, tab-separated, in one string: a queue of 4,000 is one reply to parse
  // instead of 24,000 (half the node's CPU for the read; ids, times and queue lists hold no tabs).
  `local p = ARGV[1]
local rows = {}
for i, id in ipairs(redis.call('ZRANGE', p .. ':queue:' .. ARGV[2], 0, -1)) do
  local h = redis.call('HMGET', p .. ':ticket:' .. id, 'caseId', 'queues', 'enqueuedAt', 'state')
  local count = h[1] and redis.call('SCARD', p .. ':case-tickets:' .. h[1]) or 0
  rows[i] = table.concat({ id, h[1] or '', h[2] or '', h[3] or '', h[4] or '', count }, '\\t')
end
return table.concat(rows, '\\n')`,
);
