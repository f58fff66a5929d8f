// Department queues of petition tickets in Redis. A ticket is one request for an official's
// attention: a new case, or a joint-session invite, transfer or escalation of a case already in
// session (those go ahead of new cases). Claiming is lease → confirm: the lease expires back to
// the queue (same place) unless confirmed, so a process that dies mid-claim loses nothing.
import type { ChainableCommander, Redis } from 'ioredis';
import { AppError } from '../core/errors.ts';
import { pollDeadline } from '../core/poll-deadline.ts';
import type { QueueEntry, Ticket, TicketKind, TicketState } from '../protocol/http/petition-shapes.ts';
import { PRIORITY, SCORE_CLASS_STEP, schedulerKeys, type PriorityClass, type SchedulerKeys } from './keys.ts';
import {
  cancelScript,
  claimScript,
  confirmScript,
  enqueueScript,
  finishScript,
  queueOverviewScript,
  queueTicketsScript,
  reapScript,
  releaseScript,
} from './scripts.ts';

export { TICKET_KINDS } from '../protocol/http/petition-shapes.ts';
export type { QueueEntry, Ticket, TicketKind, TicketState } from '../protocol/http/petition-shapes.ts';

/** A claim not yet confirmed. */
export interface Lease {
  ticketId: string;
  caseId: string;
  kind: TicketKind;
  officialId: string;
  leaseToken: string;
  /** Global claim order across processes. */
  claimSeq: number;
  score: number;
  departmentIds: string[];
  fromDepartmentId: string | null;
}

export interface ReleasedLease {
  ticketId: string;
  caseId: string;
  officialId: string;
}

const CLASS_BY_INDEX = Object.keys(PRIORITY) as PriorityClass[];
export const priorityOfScore = (score: number): PriorityClass =>
  CLASS_BY_INDEX[Math.floor(score / SCORE_CLASS_STEP)] ?? 'normal';

const asStrings = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => String(x)) : []);

/** How long `ping` waits: a healthy Redis answers in milliseconds even on a busy host. */
export const PING_BUDGET_MS = 500;

/** What a wait needs of a ticket (TicketQueue.queueTickets). */
export type QueuedTicket = Pick<Ticket, 'id' | 'caseId' | 'departmentIds' | 'enqueuedAt' | 'state'>;

/** A ticket from its hash; undefined when the hash is gone. */
function ticketOf(id: string, h: Record<string, string>): Ticket | undefined {
  if (!h.caseId) return undefined;
  return {
    id,
    caseId: h.caseId,
    kind: h.kind as TicketKind,
    departmentIds: (h.queues ?? '').split(',').filter(Boolean),
    score: Number(h.score),
    enqueuedAt: h.enqueuedAt ?? '',
    fromDepartmentId: h.from || null,
    state: h.state as TicketState,
    officialId: h.official || null,
    releases: Number(h.releases ?? 0),
  };
}

/** A pipeline's replies, throwing the first command error. */
async function execAll<T>(pipe: ChainableCommander): Promise<(T | undefined)[]> {
  return ((await pipe.exec()) ?? []).map(([err, v]) => {
    if (err) throw err;
    return v as T | undefined;
  });
}

export class TicketQueue {
  readonly keys: SchedulerKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = schedulerKeys(prefix);
  }

  /**
   * One round trip: rejects when Redis is out of reach — at once when disconnected, within
   * PING_BUDGET_MS when it does not answer (a frozen host): a check before work someone waits
   * for, so it gives up sooner than the client's command timeout.
   */
  async ping(): Promise<void> {
    const pong = this.redis.ping();
    let answered = false;
    pong.then(() => (answered = true), () => undefined); // given up on below: its own timeout ends it later
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        pong,
        new Promise<never>((_, reject) => {
          // A busy event loop (hundreds of starts at once) may hold the PONG unread past the budget.
          const giveUp = () => (answered ? undefined : reject(new Error(`Command timed out: PING not answered within ${PING_BUDGET_MS} ms`)));
          timer = pollDeadline(PING_BUDGET_MS, giveUp);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Which of these tickets Redis no longer has (one round trip). */
  async missing(ticketIds: readonly string[]): Promise<string[]> {
    if (ticketIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ticketIds) pipeline.exists(this.keys.ticket(id));
    const replies = (await pipeline.exec()) ?? [];
    return ticketIds.filter((_, i) => {
      const [err, n] = replies[i] ?? [new Error('no reply'), 0];
      if (err) throw err;
      return n === 0;
    });
  }

  /** Idempotent by ticket id: a second call changes nothing and reports created=false. */
  async enqueue(t: {
    ticketId: string;
    caseId: string;
    kind: TicketKind;
    departmentIds: string[];
    priority: PriorityClass;
    enqueuedAt: string;
    fromDepartmentId?: string;
  }): Promise<{ created: boolean; score: number }> {
    if (t.departmentIds.length === 0) throw new AppError('bad_request', 'a ticket needs at least one department');
    const r = asStrings(
      await enqueueScript.run(this.redis, [
        this.keys.prefix, t.ticketId, t.caseId, t.kind, t.departmentIds.join(','), PRIORITY[t.priority], t.enqueuedAt,
        t.fromDepartmentId ?? '',
      ]),
    );
    if (r[0] === 'ok') return { created: true, score: Number(r[1]) };
    const existing = await this.getTicket(t.ticketId);
    return { created: false, score: existing?.score ?? 0 };
  }

  /**
   * Leases the best ticket across the given department queues (or the named ticket) to the
   * official. Returns null when the queues are empty; throws a typed conflict otherwise.
   */
  async claim(req: {
    officialId: string;
    departmentIds: string[];
    maxHeld: number;
    leaseMs: number;
    requestId?: string;
    ticketId?: string;
  }): Promise<Lease | null> {
    const r = asStrings(
      await claimScript.run(this.redis, [
        this.keys.prefix, req.officialId, req.leaseMs, req.requestId ?? '', req.maxHeld, req.ticketId ?? '', ...req.departmentIds,
      ]),
    );
    switch (r[0]) {
      case 'ok':
        return {
          ticketId: r[1]!,
          caseId: r[2]!,
          kind: r[3] as TicketKind,
          officialId: req.officialId,
          leaseToken: r[4]!,
          claimSeq: Number(r[4]),
          score: Number(r[5]),
          departmentIds: (r[6] ?? '').split(','),
          fromDepartmentId: r[7] || null,
        };
      case 'empty':
        return null;
      case 'replayed':
        throw new AppError('conflict', 'this claim request was already processed', { reason: 'replayed_claim', ticketId: r[1] });
      case 'busy':
        throw new AppError('conflict', 'official already holds as many sessions as allowed', { reason: 'at_capacity', held: Number(r[1]) });
      case 'unknown':
        throw new AppError('not_found', `no ticket ${r[1]}`);
      case 'taken':
        throw new AppError('conflict', `ticket ${r[1]} is already assigned`, { reason: 'already_assigned' });
      case 'not_yours':
        throw new AppError('forbidden', `ticket ${r[1]} is not queued for your department`);
      default:
        throw new Error(`claim script answered ${String(r[0])}`);
    }
  }

  /** The commit point of a claim. Throws `conflict` if the lease expired or was taken. */
  async confirm(lease: Lease): Promise<void> {
    const r = asStrings(await confirmScript.run(this.redis, [this.keys.prefix, lease.ticketId, lease.officialId, lease.leaseToken]));
    if (r[0] !== 'ok') {
      throw new AppError('conflict', `claim of ticket ${lease.ticketId} is no longer held (lease expired)`, { reason: 'lease_lost' });
    }
  }

  /** Hands a lease back; it keeps its place in the queue. */
  async release(lease: Lease): Promise<boolean> {
    return Number(await releaseScript.run(this.redis, [this.keys.prefix, lease.ticketId, lease.officialId, lease.leaseToken])) === 1;
  }

  /** Returns expired leases to their queues. Safe to run from every process at once. */
  async reapExpired(limit = 100): Promise<ReleasedLease[]> {
    const flat = asStrings(await reapScript.run(this.redis, [this.keys.prefix, limit]));
    const out: ReleasedLease[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) out.push({ ticketId: flat[i]!, caseId: flat[i + 1]!, officialId: flat[i + 2]! });
    return out;
  }

  async cancel(ticketIds: string[]): Promise<number> {
    if (ticketIds.length === 0) return 0;
    return Number(await cancelScript.run(this.redis, [this.keys.prefix, ...ticketIds]));
  }

  async finish(ticketIds: string[]): Promise<number> {
    if (ticketIds.length === 0) return 0;
    return Number(await finishScript.run(this.redis, [this.keys.prefix, ...ticketIds]));
  }

  async getTicket(id: string): Promise<Ticket | undefined> {
    return ticketOf(id, await this.redis.hgetall(this.keys.ticket(id)));
  }

  async ticketsOfCase(caseId: string): Promise<Ticket[]> {
    return (await this.ticketsOfCases([caseId])).get(caseId) ?? [];
  }

  /**
   * The tickets of many cases in two round trips (a pipeline of SMEMBERS, one of HGETALL): the
   * wait pass after a queue move reads every waiting case's tickets at once.
   */
  async ticketsOfCases(caseIds: readonly string[]): Promise<Map<string, Ticket[]>> {
    const out = new Map<string, Ticket[]>();
    if (caseIds.length === 0) return out;
    const members = this.redis.pipeline();
    for (const c of caseIds) members.smembers(this.keys.caseTickets(c));
    const ids = (await execAll<string[]>(members)).map((xs) => xs ?? []);
    const hashes = this.redis.pipeline();
    for (const id of ids.flat()) hashes.hgetall(this.keys.ticket(id));
    const rows = await execAll<Record<string, string>>(hashes);
    let k = 0;
    caseIds.forEach((caseId, i) => {
      const tickets: Ticket[] = [];
      for (const id of ids[i]!) {
        const t = ticketOf(id, rows[k++] ?? {});
        if (t) tickets.push(t);
      }
      out.set(caseId, tickets.sort((a, b) => a.enqueuedAt.localeCompare(b.enqueuedAt) || a.score - b.score));
    });
    return out;
  }

  /** 1-based place of a queued ticket: the best over its department queues. */
  async position(ticketId: string, departmentIds: string[]): Promise<number | null> {
    const ranks = await Promise.all(departmentIds.map((d) => this.redis.zrank(this.keys.queue(d), ticketId)));
    const known = ranks.filter((r): r is number => r !== null);
    return known.length === 0 ? null : Math.min(...known) + 1;
  }

  /**
   * Every queued ticket's 0-based rank in each of these queues, in one round trip (a pipeline of
   * ZRANGE): places for a whole queue without one ZRANK per waiting ticket.
   */
  async ranks(queues: readonly string[]): Promise<Map<string, Map<string, number>>> {
    const pipe = this.redis.pipeline();
    for (const q of queues) pipe.zrange(this.keys.queue(q), 0, '-1');
    const lists = await execAll<string[]>(pipe);
    return new Map(queues.map((q, i) => [q, new Map((lists[i] ?? []).map((id, rank) => [id, rank]))]));
  }


  /**
   * Length, oldest enqueuedAt and officials present, for each queue, in one Redis command (the
   * coordinator overview reads every office; one command each would be ~800 for the seed).
   */
  async overview(queues: readonly string[]): Promise<{ length: number; oldestEnqueuedAt: string | null; online: number }[]> {
    if (queues.length === 0) return [];
    const flat = (await queueOverviewScript.run(this.redis, [this.keys.prefix, ...queues])) as (number | string)[];
    return queues.map((_, i) => ({ length: Number(flat[3 * i]), oldestEnqueuedAt: (flat[3 * i + 1] as string) || null, online: Number(flat[3 * i + 2]) }));
  }

  async length(departmentId: string): Promise<number> {
    return this.redis.zcard(this.keys.queue(departmentId));
  }

  async entries(departmentId: string, limit = 50): Promise<QueueEntry[]> {
    const flat = await this.redis.zrange(this.keys.queue(departmentId), 0, String(Math.max(0, Math.min(limit, 500) - 1)), 'WITHSCORES');
    const pairs: [string, number][] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i]!, Number(flat[i + 1])]);
    return Promise.all(
      pairs.map(async ([id, score]): Promise<QueueEntry> => {
        const h = await this.redis.hmget(this.keys.ticket(id), 'caseId', 'kind', 'enqueuedAt');
        return { ticketId: id, score, caseId: h[0] ?? '', kind: (h[1] ?? 'case') as TicketKind, enqueuedAt: h[2] ?? '', priority: priorityOfScore(score) };
      }),
    );
  }

  /**
   * Every ticket waiting in the queue, best first, with its rank (0 at the head) and the number of
   * tickets its case has (one: this is the case's waiting ticket), in one command.
   */
  async queueTickets(departmentId: string): Promise<{ ticket: QueuedTicket; rank: number; caseTickets: number }[]> {
    const lines = (await queueTicketsScript.run(this.redis, [this.keys.prefix, departmentId])) as string;
    const out: { ticket: QueuedTicket; rank: number; caseTickets: number }[] = [];
    if (!lines) return out;
    for (const [rank, line] of lines.split('\n').entries()) {
      const [id, caseId, queues, enqueuedAt, state, count] = line.split('\t') as [string, string, string, string, TicketState, string];
      if (caseId) out.push({ ticket: { id, caseId, departmentIds: queues.split(',').filter(Boolean), enqueuedAt, state }, rank, caseTickets: Number(count) });
    }
    return out;
  }

  /** Tickets the official holds in live sessions (what a reconnecting desk resumes). */
  async activeTickets(officialId: string): Promise<string[]> {
    return (await this.redis.smembers(this.keys.active(officialId))).sort();
  }

  async heldCount(officialId: string): Promise<number> {
    const [a, l] = await Promise.all([this.redis.scard(this.keys.active(officialId)), this.redis.scard(this.keys.leased(officialId))]);
    return a + l;
  }

  /** Confirmed tickets whose durable record may be missing (the confirming process died). */
  async unrecorded(): Promise<string[]> {
    return this.redis.smembers(this.keys.unrecorded);
  }

  async markRecorded(...ticketIds: string[]): Promise<void> {
    if (ticketIds.length > 0) await this.redis.srem(this.keys.unrecorded, ...ticketIds);
  }

  /** The assignment audit stream, oldest first. */
  async assignmentLog(count = 100_000): Promise<{ ticketId: string; caseId: string; officialId: string; claimSeq: number; score: number }[]> {
    const entries = await this.redis.xrange(this.keys.assignments, '-', '+', 'COUNT', count);
    return entries.map(([, fields]) => {
      const f = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
      return {
        ticketId: f.get('ticket') ?? '',
        caseId: f.get('case') ?? '',
        officialId: f.get('official') ?? '',
        claimSeq: Number(f.get('claimSeq')),
        score: Number(f.get('score')),
      };
    });
  }

  /** Session length statistics for the wait estimate (exponentially weighted mean). */
  async recordSessionSeconds(departmentId: string, seconds: number): Promise<void> {
    const key = this.keys.stats(departmentId);
    const prev = Number(await this.redis.hget(key, 'avgSessionSeconds'));
    const next = Number.isFinite(prev) && prev > 0 ? prev * 0.8 + seconds * 0.2 : seconds;
    await this.redis.hset(key, 'avgSessionSeconds', next.toFixed(1));
    await this.redis.hincrby(key, 'sessions', 1);
  }

  async avgSessionSeconds(departmentId: string): Promise<number | null> {
    const v = Number(await this.redis.hget(this.keys.stats(departmentId), 'avgSessionSeconds'));
    return Number.isFinite(v) && v > 0 ? v : null;
  }
}
