// PetitionService: the 视频接访 workflow over the durable store (SQLite) and the live scheduler
// (Redis). The HTTP layer calls it with a verified Actor and input its endpoint table already
// parsed (validation is at the edge); it never trusts ids from the client for ownership. Room of a petition session: `petition:<caseId>`.
//
// Claim protocol (several processes may race): Redis leases the ticket to one official (Lua,
// atomic) → Redis confirms it (commit point; a lease not confirmed in `leaseMs` goes back to the
// queue with its place) → SQLite records the assignment, keyed by ticket id (idempotent). A
// process that dies after the confirm leaves the ticket in `unrecorded`; `recover()` (run at
// start and by the periodic sweep) writes it, so the session is resumed, not lost.
import type { Redis } from 'ioredis';
import { grantAllowsRoom, type TokenIssuer } from '../auth/grants.ts';
import type { DomainPermission } from '../auth/room-access.ts';
import { PARTY_SEAT, SUPERVISOR_WATCH } from '../auth/session-seats.ts';
import { AppError } from '../core/errors.ts';
import { storeUnavailable } from '../core/http/failure.ts';
import type { Logger } from '../core/log.ts';
import { SafeEmitter } from '../core/safe-emitter.ts';
import { WriteBatches } from '../core/write-batches.ts';
import { DEFAULT_PREFIX, personalQueue, schedulerKeys, type PriorityClass } from '../scheduler/keys.ts';
import { Presence, type PresenceStatus } from '../scheduler/presence.ts';
import { TicketQueue, type Lease, type Ticket, type TicketKind } from '../scheduler/queue.ts';
import type { RoutingRuleBook, RoutingRules } from '../scheduler/routing-rules.ts';
import {
  assertCanView,
  assertCase,
  assertLead,
  assertOfficial,
  assertState,
  isCasePetitioner,
  isCoordinator,
  isParticipant,
  isPetitionerSide,
} from './access.ts';
import { CaseLife, roleOf } from './case-life.ts';
import { caseStatusOf } from './case-status.ts';
import { endOfLocalDay, localDate, type Calendar } from './clocks.ts';
import { loadHolidayCalendar } from './holidays.ts';
import { CaseLifeRepository } from './life-repository.ts';
import { DbPetitionRepository } from './repository.ts';
import { maskIdNumber } from './id-number.ts';
import type { AssignmentWrite, CasePatch, NewEvent, NewRegistration, PetitionRepository } from './repository.ts';
import {
  departmentQueues,
  liveSessions,
  receptionDaysWithBookings,
  terminalsByCounty,
  type DepartmentQueue,
  type LiveSession,
  type OverdueCase,
  type TerminalGroup,
} from './coordinator.ts';
import { levelAbove, routeCategory } from './routing.ts';
import type { ClaimInput, InviteTarget, OfferInput, ReceptionDayInput, StartPetitionInput } from '../protocol/http/petition.ts';
import { issueRoomToken, petitionRoomId, type RoomAccess, type RoomMember } from './room-token.ts';
import { slotStart, unknownWait, waitInfo, waitInfos, waitsInQueues, type WaitDeps, type WaitInfo } from './wait.ts';
import type {
  Actor,
  ActorRole,
  Assignment,
  Callback,
  CallbackRinging,
  Case,
  CaseEvent,
  CaseState,
  CaseStatus,
  Department,
  Desk,
  Offer,
  Official,
  Rating,
  ReceptionDayWithBookings,
  StartedPetition,
  TimelineEvent,
} from './types.ts';

export { petitionRoomId } from './room-token.ts';
export type { AppointmentOffer, WaitInfo } from './wait.ts';
export type { RoomAccess } from './room-token.ts';
export type { Assignment, Desk, Offer, StartedPetition } from './types.ts';
export type { DepartmentQueue, LiveSession, OverdueCase, TerminalGroup } from './coordinator.ts';
export { slotStart } from './wait.ts';

export interface PetitionServiceOptions {
  repo: PetitionRepository;
  redis: Redis;
  tokens: TokenIssuer;
  rules: RoutingRuleBook;
  log?: Logger;
  /** Redis key prefix (keys.ts). */
  prefix?: string;
  /** A claim not confirmed within this goes back to its queue. */
  leaseMs?: number;
  /** Petition starts registered in one transaction at most (later ones wait in arrival order). */
  startsPerBatch?: number;
  presenceTtlMs?: number;
  /** Offer an appointment or call-back after this long with nobody available (unless the rules file says). */
  offerAfterSeconds?: number;
  /** …or as soon as the estimated wait exceeds this (unless the rules file says). */
  maxWaitSeconds?: number;
  /** Wait estimate before any session length has been measured. */
  defaultSessionSeconds?: number;
  roomTokenTtlSeconds?: number;
  now?: () => Date;
  /** The case life's records (default: on the repository's store). */
  life?: CaseLifeRepository;
  /** Rest days for deadlines (default: config/holidays.json). */
  calendar?: Calendar;
  /** Catalog ids of a case's recordings, for the sealed case file. */
  recordingsOf?: (caseId: string) => Promise<string[]>;
}

/** Local events; the lead wires them to socket.io rooms. Each fires in the process that acted. */
export interface PetitionEvents {
  /** Queue contents changed: positions of waiting petitioners should be refreshed. */
  'queue-changed': [{ departmentIds: string[] }];
  /** A case changed state. */
  'case-changed': [{ caseId: string; state: CaseState }];
  /** A ticket was assigned to an official. */
  assigned: [{ caseId: string; ticketId: string; officialId: string; kind: TicketKind }];
  /** The lead ended the session: its room closes for everyone (and its recording is sealed). */
  'session-ended': [{ caseId: string }];
  /** An official calls a terminal point back by video: it rings there with the case on screen. */
  'callback-ringing': [CallbackRinging & { terminalId: string }];
  /** Work lists changed (approvals, deadlines, call-backs) for these offices. */
  'work-changed': [{ departmentIds: string[] }];
  /** The day of a booked reception slot: the terminal point where it was booked is reminded. */
  'appointment-reminder': [{ caseId: string; terminalId: string; at: string; leaderName: string; place: string }];
  /** The routing rules were replaced here: the other nodes take the new revision. */
  'rules-changed': [{ revision: number }];
}

/** Queues an official serves: the office's, then the official's own (booked reception slots). */
const queuesOf = (o: Official): string[] => [o.departmentId, personalQueue(o.id)];

const SYSTEM_ACTOR: Actor = { id: 'system', name: 'system', role: 'system' };

/** A case registered this long ago and still not in a queue is queued by the sweep. */
const STRANDED_AFTER_MS = 10_000;

/** Redis out of reach becomes the typed `unavailable`; anything else stays what it was. */
function queueUnavailable(err: unknown): unknown {
  return storeUnavailable(err) ? new AppError('unavailable', 'the queue is unavailable; nothing was registered, try again shortly') : err;
}

/** States in which a case still occupies its terminal: waiting, in session, being handed over. */
const OPEN_AT_TERMINAL: readonly CaseState[] = ['registered', 'queued', 'in_session', 'joint_session', 'transferred', 'escalated'];
/** Open and not yet taken: what a terminal is still waiting on once an earlier session has ended. */
const WAITING_AT_TERMINAL: readonly CaseState[] = ['registered', 'queued'];

const priorityOf = (c: Pick<Case, 'flags'>): PriorityClass => (c.flags.elderly || c.flags.urgent || c.flags.disabled ? 'priority' : 'normal');

/** A start's registration as the batch answers it (with its wait when it was queued). */
type Registered = { case: Case; created: boolean; wait?: WaitInfo | undefined };

/**
 * Starts registered in one transaction at most (a burst of 500 is written in 2). Each batch is
 * ≈10 statements whatever its size: on PostgreSQL a round trip each, so at 64 the burst's last
 * start waited for 8 batches in turn (p99 ≈265 ms against ≈200 at 256, docs/bench-scheduler.md);
 * on SQLite the two sizes measure alike.
 */
const STARTS_PER_BATCH = 256;

/** Assignments recorded in one transaction at most. */
const ASSIGNMENTS_PER_BATCH = 64;

const ticketKindToRole = (kind: TicketKind): 'lead' | 'invited' => (kind === 'invite' ? 'invited' : 'lead');

/** Reception states in which the petitioner waits or talks; a session's end moves the case out of them. */
const IN_SESSION: readonly CaseState[] = ['in_session', 'joint_session'];

export class PetitionService extends SafeEmitter<PetitionEvents> {
  readonly queue: TicketQueue;
  readonly presence: Presence;
  /** The case after the call: clocks, approvals, documents, reviews (case-life.ts). */
  readonly life: CaseLife;
  private readonly repo: PetitionRepository;
  private readonly redis: Redis;
  private readonly lookupKey: (caseId: string) => string;
  private readonly remindedKey: (caseId: string) => string;
  private readonly tokens: TokenIssuer;
  private readonly rules: RoutingRuleBook;
  private readonly log: Logger | undefined;
  private readonly leaseMs: number;
  readonly #registrations: WriteBatches<NewRegistration, Registered | { error: unknown }>;
  readonly #assignments: WriteBatches<AssignmentWrite, Case | undefined>;
  private readonly offerAfterSeconds: number;
  private readonly maxWaitSeconds: number;
  private readonly defaultSessionSeconds: number;
  private readonly roomTokenTtlSeconds: number;
  private readonly now: () => Date;
  private sweepTimer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(opts: PetitionServiceOptions) {
    super();
    this.repo = opts.repo;
    this.tokens = opts.tokens;
    this.rules = opts.rules;
    this.log = opts.log;
    const prefix = opts.prefix ?? DEFAULT_PREFIX;
    this.queue = new TicketQueue(opts.redis, prefix);
    this.redis = opts.redis;
    this.lookupKey = schedulerKeys(prefix).lookupFailures;
    this.remindedKey = schedulerKeys(prefix).reminded;
    this.presence = new Presence(opts.redis, prefix, opts.presenceTtlMs ?? 30_000);
    this.leaseMs = opts.leaseMs ?? 15_000;
    this.#registrations = new WriteBatches((regs) => this.#register(regs), opts.startsPerBatch ?? STARTS_PER_BATCH);
    this.#assignments = new WriteBatches(async (ws) => {
      const out = await this.repo.applyAssignments(ws, this.life.leadRows);
      // Recorded: out of `unrecorded` with one command for the batch, once its rows are durable.
      // Not waited for: a ticket left in the set is recorded again by recover(), which changes nothing.
      this.queue.markRecorded(...ws.filter((_, i) => out[i]).map((w) => w.assignment.ticketId)).catch((err: unknown) => this.log?.warn({ err }, 'claim | recorded tickets not marked (recover() will)'));
      return out;
    }, ASSIGNMENTS_PER_BATCH);
    this.offerAfterSeconds = opts.offerAfterSeconds ?? 120;
    this.maxWaitSeconds = opts.maxWaitSeconds ?? 1800;
    this.defaultSessionSeconds = opts.defaultSessionSeconds ?? 900;
    this.roomTokenTtlSeconds = opts.roomTokenTtlSeconds ?? 4 * 3600;
    this.now = opts.now ?? (() => new Date());
    const life = opts.life ?? (opts.repo instanceof DbPetitionRepository ? new CaseLifeRepository(opts.repo.store) : undefined);
    if (!life) throw new Error('PetitionService needs the case life records (opts.life)');
    this.life = new CaseLife({
      repo: this.repo,
      life,
      rules: this.rules,
      calendar: opts.calendar ?? loadHolidayCalendar(),
      now: () => this.now(),
      ...(this.log ? { log: this.log } : {}),
      ...(opts.recordingsOf ? { recordingsOf: opts.recordingsOf } : {}),
      changed: (c) => {
        this.notify('case-changed', { caseId: c.id, state: c.state });
        this.notify('work-changed', { departmentIds: [c.departmentId, ...c.routedDepartmentIds].filter((d): d is string => !!d) });
      },
    });
  }

  /** Builds the service and resumes whatever a previous process left half-done. */
  static async create(opts: PetitionServiceOptions & { sweepIntervalMs?: number }): Promise<PetitionService> {
    const s = new PetitionService(opts);
    await s.recover();
    if (opts.sweepIntervalMs !== 0) s.startSweeps(opts.sweepIntervalMs ?? Math.max(500, Math.floor(s.leaseMs / 3)));
    return s;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.removeAllListeners();
  }

  private startSweeps(intervalMs: number): void {
    let running = false;
    this.sweepTimer = setInterval(() => {
      if (running) return; // a slow sweep (Redis or SQLite busy) is not stacked
      running = true;
      this.sweep()
        .catch((err: unknown) => this.log?.warn({ err }, 'petition sweep | failed'))
        .finally(() => (running = false));
    }, intervalMs);
    this.sweepTimer.unref();
  }

  /** Periodic work, safe in every process at once: expired leases, due appointments, records. */
  async sweep(): Promise<void> {
    // Should a node's message about new rules have been lost, the sweep still finds them.
    await this.rules.refresh();
    const released = await this.queue.reapExpired();
    const queues = new Set<string>();
    for (const r of released) {
      await this.repo.appendEvent(r.caseId, this.event('system', 'system', 'claim_released', { ticketId: r.ticketId, officialId: r.officialId, reason: 'lease_expired' }));
      this.log?.info({ ticketId: r.ticketId, officialId: r.officialId }, 'claim <- released (lease expired)');
      for (const q of (await this.queue.getTicket(r.ticketId))?.departmentIds ?? []) queues.add(q);
    }
    if (queues.size > 0) this.notify('queue-changed', { departmentIds: [...queues] });
    await this.remindAppointments();
    await this.admitDueAppointments();
    await this.recordUnrecorded();
    await this.requeueStranded();
    await this.life.sweep();
  }

  /**
   * Cases the store says are waiting that Redis does not hold: registered but never queued (the
   * node died between the two, or could not undo the registration), or queued with a ticket
   * Redis lost (restored from an older snapshot, or the last second before a crash under
   * `appendfsync everysec`). Enqueueing is idempotent by ticket id. Cases registered in the last
   * STRANDED_AFTER_MS are left alone: their start may still be queueing or undoing them.
   */
  private async requeueStranded(): Promise<void> {
    const cutoff = this.now().getTime() - STRANDED_AFTER_MS;
    const waiting = (await this.repo.listCases(['registered', 'queued'])).filter((c) => !c.appointment && Date.parse(c.registeredAt) <= cutoff);
    if (waiting.length === 0) return;
    const lost = new Set(await this.queue.missing(waiting.map((c) => `${c.id}:q1`)));
    for (const c of waiting) {
      if (c.state === 'queued' && !lost.has(`${c.id}:q1`)) continue;
      this.log?.warn({ caseId: c.id, state: c.state }, 'petition sweep | case waiting without its ticket: queued again');
      await this.enqueueCase(c, SYSTEM_ACTOR);
    }
  }

  /** Start-up recovery: cases registered but never queued, and assignments never recorded. */
  async recover(): Promise<void> {
    await this.requeueStranded();
    for (const c of await this.repo.listCases(['transferred', 'escalated'])) {
      const last = (await this.repo.timeline(c.id)).filter((e) => e.type === 'transferred' || e.type === 'escalated').pop();
      const ticketId = typeof last?.data.ticketId === 'string' ? last.data.ticketId : undefined;
      if (!ticketId || !c.departmentId || (await this.queue.getTicket(ticketId))) continue;
      await this.enqueueHandover(c, ticketId, c.state === 'transferred' ? 'transfer' : 'escalate', typeof last?.data.from === 'string' ? last.data.from : null);
    }
    await this.recordUnrecorded();
  }

  private async recordUnrecorded(): Promise<void> {
    for (const ticketId of await this.queue.unrecorded()) {
      const t = await this.queue.getTicket(ticketId);
      if (!t || !t.officialId) {
        await this.queue.markRecorded(ticketId);
        continue;
      }
      const official = await this.repo.getOfficial(t.officialId);
      if (official) await this.recordAssignment(t.id, t.caseId, t.kind, official);
      await this.queue.markRecorded(ticketId);
    }
  }

  // ---- petitioner side --------------------------------------------------------------------

  async startPetition(actor: Actor, input: StartPetitionInput): Promise<StartedPetition> {
    if (!isPetitionerSide(actor) && !isCoordinator(actor)) {
      throw new AppError('forbidden', 'petitions are started at a terminal', { reason: 'not_a_terminal' });
    }
    if (actor.terminalId && actor.terminalId !== input.terminalId) {
      throw new AppError('forbidden', `this token belongs to terminal ${actor.terminalId}`, { reason: 'terminal_mismatch' });
    }
    const terminal = await this.repo.getTerminal(input.terminalId);
    if (!terminal) throw new AppError('not_found', `unknown terminal ${input.terminalId}`, { reason: 'unknown_terminal' });
    const rule = this.rules.category(input.category);
    const departments = await routeCategory(this.repo, rule, terminal.regionCode);
    const idNumberMasked = input.idNumber ? maskIdNumber(input.idNumber) : null;
    const at = this.nowIso();
    const flags = { elderly: input.flags?.elderly ?? false, urgent: input.flags?.urgent ?? false, disabled: input.flags?.disabled ?? false };
    const priority = priorityOf({ flags });
    const routedDepartmentIds = departments.map((d) => d.id);
    // Booked from the start screen: registered and booked, queued only when the slot begins.
    // Otherwise the case is written queued, with both events, in one transaction: its ticket id
    // is its number's (`<case id>:q1`), enqueued once the transaction has committed.
    const queued = !input.booking;
    const registration = this.life.registration();
    // One open petition per terminal: a second start (a double tap, a reload, a flood) gets the
    // case already open there, not another queue entry, room and recording. The repository
    // checks and creates under the terminal's row lock, so this holds across nodes too.
    const register = async (openStates: readonly CaseState[]): Promise<Registered> => {
      const r = await this.#registrations.add({
        case: {
          terminalId: terminal.id,
          regionCode: terminal.regionCode,
          category: rule.code,
          petitionerName: input.petitionerName ?? null,
          idNumberMasked,
          phone: input.phone ?? null,
          description: input.description ?? null,
          flags,
          state: queued ? 'queued' : 'registered',
          routedDepartmentIds,
          departmentId: null,
          officialId: null,
          ...this.life.deadlinesAt(at),
          handleExtended: false,
          extensionReason: null,
          acceptedAt: null,
          opinion: null,
          opinionAt: null,
          rating: null,
          ratedAt: null,
          appointment: null,
          registeredAt: at,
        },
        events: (caseId) => [
          this.event(actor.id, this.roleOf(actor), 'registered', { terminalId: terminal.id, category: rule.code, flags }),
          ...(queued ? [this.event(actor.id, this.roleOf(actor), 'queued', { ticketId: `${caseId}:q1`, departmentIds: routedDepartmentIds, priority })] : []),
        ],
        openStates,
        queryCodeHash: registration.queryCodeHash,
      });
      if ('error' in r) throw r.error;
      return r;
    };
    let { case: created, created: isNew, wait } = await register(OPEN_AT_TERMINAL);
    // A case whose session has ended waits for its handling, no longer at the terminal: the next
    // villager starts their own (only a case still waiting there is answered again).
    if (!isNew && !(await this.queue.ticketsOfCase(created.id)).some((t) => t.state === 'queued' || t.state === 'assigned')) {
      ({ case: created, created: isNew, wait } = await register(WAITING_AT_TERMINAL));
    }
    if (!isNew) return this.resumePetition(actor, created, terminal.id);
    this.life.registered(created);
    const queryCode = registration.code;
    // The room shows the terminal by its directory name; what the petitioner typed is case data.
    const room = () => this.issueRoomToken(created.id, { id: actor.id, name: actor.name, role: 'petitioner', terminalId: terminal.id });
    if (input.booking) {
      const booked = await this.bookAppointment(actor, created.id, input.booking.dayId, input.booking.slot);
      return { case: booked, queryCode, ticketId: `${created.id}:a1`, departments, wait: await waitInfo(this.waitDeps, booked), ...room() };
    }
    this.log?.info({ caseId: created.id, terminalId: terminal.id, departments: routedDepartmentIds }, 'startPetition() | queued');
    this.notify('queue-changed', { departmentIds: routedDepartmentIds });
    return {
      case: created,
      queryCode,
      ticketId: `${created.id}:q1`,
      departments,
      wait: wait ?? unknownWait(created),
      ...room(),
    };
  }

  /**
   * The durable side of a burst of starts, group-committed (write-batches.ts): one PING (with the
   * queue out of reach nothing is written and no case number is taken), one transaction for the
   * batch's registrations, then the tickets of the new queued cases (one pipeline). A start whose
   * ticket cannot be enqueued is undone and answered `unavailable`; should the undo fail too, the
   * sweep queues the case (requeueStranded). One batch is written at a time, in arrival order:
   * the first terminals are served first, and the event loop's turns stay short (500 starts
   * interleaved kept it busy past the Redis command timeout).
   */
  async #register(regs: readonly NewRegistration[]): Promise<(Registered | { error: unknown })[]> {
    await this.queue.ping().catch((err: unknown) => {
      throw queueUnavailable(err);
    });
    const registered = await this.repo.registerCases(regs, this.life.registrationRows);
    const answers: (Registered | { error: unknown })[] = await Promise.all(
      registered.map(async (r) => {
        if (!r.created || r.case.state !== 'queued') return r;
        try {
          await this.enqueueTicket(r.case);
          return r;
        } catch (err) {
          const discarded = await this.repo.discardRegistration(r.case.id).catch((undo: unknown) => {
            this.log?.error({ err: undo, caseId: r.case.id }, 'startPetition() | could not undo the registration; the sweep will queue it');
            return false;
          });
          this.log?.warn({ err, caseId: r.case.id, discarded }, 'startPetition() | not queued; registration undone');
          return { error: queueUnavailable(err) };
        }
      }),
    );
    // The waits of the batch's queued cases in a few round trips (their tickets, places and
    // officials read once for all). A queue that went away since costs the estimate, not the
    // answer (the terminal's wait pushes fill it in).
    const queued = answers.filter((a): a is Registered => 'case' in a && a.created && a.case.state === 'queued');
    const waits = await waitInfos(this.waitDeps, queued.map((a) => a.case)).catch(() => queued.map((a) => unknownWait(a.case)));
    queued.forEach((a, i) => (a.wait = waits[i]));
    return answers;
  }

  /** What startPetition answers for the case already open at the terminal. */
  private async resumePetition(actor: Actor, c: Case, terminalId: string): Promise<StartedPetition> {
    const ticketId = (await this.repo.timeline(c.id)).reverse().map((e) => e.data.ticketId).find((t): t is string => typeof t === 'string') ?? `${c.id}:q1`;
    this.log?.info({ caseId: c.id, terminalId }, 'startPetition() | the terminal already has this case open');
    return {
      case: c,
      // Shown once, on the first receipt: only its hash is kept.
      queryCode: null,
      ticketId,
      departments: await Promise.all(c.routedDepartmentIds.map((id) => this.assertDepartment(id))),
      wait: await waitInfo(this.waitDeps, c),
      ...this.issueRoomToken(c.id, { id: actor.id, name: c.petitionerName ?? actor.name, role: 'petitioner', terminalId }),
    };
  }

  /** The waiting ticket of a case (idempotent by ticket id). */
  private async enqueueTicket(c: Case): Promise<string> {
    const ticketId = `${c.id}:q1`;
    await this.queue.enqueue({ ticketId, caseId: c.id, kind: 'case', departmentIds: c.routedDepartmentIds, priority: priorityOf(c), enqueuedAt: this.nowIso() });
    return ticketId;
  }

  /** A case waiting without its ticket (the sweep): the ticket, and the case marked queued. */
  private async enqueueCase(c: Case, actor: Actor): Promise<void> {
    const ticketId = await this.enqueueTicket(c);
    const updated =
      (await this.repo.updateCase(c.id, { state: 'queued' }, this.event(actor.id, this.roleOf(actor), 'queued', { ticketId, departmentIds: c.routedDepartmentIds, priority: priorityOf(c) }), ['registered'])) ??
      (await assertCase(this.repo, c.id));
    this.notify('queue-changed', { departmentIds: c.routedDepartmentIds });
    this.notify('case-changed', { caseId: c.id, state: updated.state });
  }

  /**
   * Fresh wait information for every case waiting in these queues, for pushing to the terminals
   * after a `queue-changed` event (the caller skips those whose figures did not change), of
   * those `watched` keeps (each node reads only the cases its own terminals watch).
   */
  async waitUpdates(departmentIds: string[], watched: (caseId: string) => boolean = () => true): Promise<WaitInfo[]> {
    return waitsInQueues(this.waitDeps, departmentIds, watched);
  }

  /** Queue position, honest wait estimate and, when waiting makes no sense, an offer. */
  async wait(actor: Actor, caseId: string): Promise<WaitInfo> {
    const c = await assertCase(this.repo, caseId);
    await assertCanView(this.repo, actor, c);
    return waitInfo(this.waitDeps, c);
  }

  async bookAppointment(actor: Actor, caseId: string, dayId: string, slot: number): Promise<Case> {
    const c = await assertCase(this.repo, caseId);
    await this.assertPetitionerOrCoordinator(actor, c);
    assertState(c, ['registered', 'queued'], 'book an appointment');
    const day = await this.repo.getReceptionDay(dayId);
    if (!day) throw new AppError('not_found', `no reception day ${dayId}`);
    if (slot >= day.slots) throw new AppError('bad_request', `reception day ${dayId} has ${day.slots} slots`);
    if (Date.parse(slotStart(day, slot)) <= this.now().getTime()) throw new AppError('conflict', 'that slot has already started', { reason: 'slot_past' });
    if (!(await this.repo.bookAppointment(c.id, day.id, slot, day.capacityPerSlot, this.nowIso()))) {
      throw new AppError('conflict', `slot ${slot} of ${dayId} is full or the case already has an appointment`, { reason: 'slot_full' });
    }
    const at = slotStart(day, slot);
    try {
      await this.leaveQueue(c.id);
      const updated = await this.repo.updateCase(
        c.id,
        { state: 'appointment', appointment: { kind: 'reception_day', dayId: day.id, slot, at } },
        this.event(actor.id, this.roleOf(actor), 'appointment_booked', { dayId: day.id, slot, leaderName: day.leaderName, at }),
        ['registered', 'queued'],
      );
      if (!updated) throw new AppError('conflict', `case ${c.id} was taken up meanwhile`, { reason: 'being_claimed' });
      this.notify('case-changed', { caseId: c.id, state: updated.state });
      return updated;
    } catch (err) {
      await this.repo.cancelAppointment(c.id);
      throw err;
    }
  }

  async requestCallback(actor: Actor, caseId: string): Promise<Case> {
    const c = await assertCase(this.repo, caseId);
    await this.assertPetitionerOrCoordinator(actor, c);
    assertState(c, ['registered', 'queued'], 'ask for a call-back');
    if (!c.phone) throw new AppError('bad_request', 'a call-back needs a phone number on the case', { reason: 'no_phone' });
    await this.leaveQueue(c.id);
    const updated = await this.repo.updateCase(
      c.id,
      { state: 'appointment', appointment: { kind: 'callback', dayId: null, slot: null, at: this.nowIso() } },
      this.event(actor.id, this.roleOf(actor), 'callback_requested', {}),
      ['registered', 'queued'],
    );
    if (!updated) throw new AppError('conflict', `case ${c.id} was taken up meanwhile`, { reason: 'being_claimed' });
    await this.life.requestCallback(updated, updated.terminalId, updated.routedDepartmentIds[0]!);
    this.notify('case-changed', { caseId: c.id, state: updated.state });
    this.notify('work-changed', { departmentIds: updated.routedDepartmentIds });
    return updated;
  }

  /** 不等了: the petitioner leaves the queue and the case is withdrawn (docs/field.md). */
  async withdraw(actor: Actor, caseId: string, why: 'petitioner' | 'idle'): Promise<Case> {
    const c = await assertCase(this.repo, caseId);
    await this.assertPetitionerOrCoordinator(actor, c);
    assertState(c, ['registered', 'queued'], 'withdraw');
    await this.leaveQueue(c.id);
    const updated = await this.life.withdraw(actor, c.id, why);
    this.notify('case-changed', { caseId: c.id, state: updated.state });
    return updated;
  }

  /**
   * Takes the case's waiting ticket out of its queues. Refused while an official holds it (an
   * offer or a session): the petitioner is about to be served, so nothing is withdrawn.
   */
  private async leaveQueue(caseId: string): Promise<void> {
    const tickets = await this.queue.ticketsOfCase(caseId);
    if (tickets.some((t) => t.state === 'leased' || t.state === 'assigned')) {
      throw new AppError('conflict', `an official is taking up case ${caseId}`, { reason: 'being_claimed' });
    }
    const queued = tickets.filter((t) => t.state === 'queued');
    const withdrawn = await this.queue.cancel(queued.map((t) => t.id));
    this.notify('queue-changed', { departmentIds: queued.flatMap((t) => t.departmentIds) });
    if (withdrawn < queued.length) throw new AppError('conflict', `an official is taking up case ${caseId}`, { reason: 'being_claimed' });
  }

  /**
   * On the day of a booked slot (China date), once per case across processes (Redis SET NX): an
   * `appointment_reminded` event, and a push to the terminal point where it was booked (its
   * 代办员 tells the petitioner; there is no SMS gateway).
   */
  async remindAppointments(): Promise<number> {
    const today = localDate(this.nowIso());
    let n = 0;
    for (const a of await this.repo.dueAppointments(endOfLocalDay(today))) {
      if (localDate(a.slotStartsAt) !== today) continue;
      if ((await this.redis.set(this.remindedKey(a.caseId), '1', 'EX', 2 * 86_400, 'NX')) !== 'OK') continue;
      const c = await this.repo.getCase(a.caseId);
      if (!c) continue;
      await this.repo.appendEvent(a.caseId, this.event('system', 'system', 'appointment_reminded', { dayId: a.dayId, slot: a.slot, at: a.slotStartsAt }));
      this.notify('appointment-reminder', { caseId: a.caseId, terminalId: c.terminalId, at: a.slotStartsAt, leaderName: a.leaderName, place: a.place });
      n++;
    }
    return n;
  }

  /** Appointment cases whose slot has begun join the leader's department queue, ahead of new cases. */
  async admitDueAppointments(): Promise<number> {
    let n = 0;
    for (const a of await this.repo.dueAppointments(this.nowIso())) {
      // The booked leader's own queue: the slot is with that leader, not with the office.
      const queue = personalQueue(a.officialId);
      await this.queue.enqueue({ ticketId: `${a.caseId}:a1`, caseId: a.caseId, kind: 'appointment', departmentIds: [queue], priority: 'appointment', enqueuedAt: this.nowIso() });
      if (!(await this.repo.markAdmitted(a.caseId))) continue;
      await this.repo.updateCase(a.caseId, { state: 'queued' }, this.event('system', 'system', 'appointment_admitted', { dayId: a.dayId, slot: a.slot }), ['appointment']);
      this.notify('queue-changed', { departmentIds: [queue] });
      n++;
    }
    return n;
  }

  async rate(actor: Actor, caseId: string, rating: Rating): Promise<Case> {
    const c = await assertCase(this.repo, caseId);
    if (!(await isCasePetitioner(this.repo, actor, c))) throw new AppError('forbidden', 'only the petitioner rates the handling', { reason: 'not_petitioner' });
    assertState(c, ['handled'], 'rate');
    const updated = await this.repo.updateCase(c.id, { state: 'rated', rating, ratedAt: this.nowIso() }, this.event(actor.id, this.roleOf(actor), 'rated', { rating }), ['handled']);
    if (!updated) throw new AppError('conflict', `case ${c.id} was already rated`, { reason: 'wrong_state' });
    this.notify('case-changed', { caseId: c.id, state: updated.state });
    return updated;
  }

  // ---- official side ----------------------------------------------------------------------

  async heartbeat(actor: Actor, status: PresenceStatus): Promise<void> {
    const o = await assertOfficial(this.repo, actor);
    await this.presence.heartbeat(o.id, o.departmentId, status);
  }

  /** Claims the best ticket of the official's department queue; null when nothing waits. */
  async claimNext(actor: Actor, opts: ClaimInput = {}): Promise<Assignment | null> {
    const official = await assertOfficial(this.repo, actor);
    // The case is read by the assignment's own write, not once before it as well.
    return this.leaseLive(official, opts.requestId, (lease) => this.admit(lease, official));
  }

  /**
   * Leases the best ticket whose case exists. A ticket without its case — a start undone while
   * its enqueue was still on the way to Redis, or a store restored from an older backup — is
   * taken out of circulation and the next one leased (the request id guards the first claim).
   */
  private async leaseLive<T>(official: Official, requestId: string | undefined, take: (lease: Lease) => Promise<T | null>): Promise<T | null> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const lease = await this.leaseNext(official, attempt === 0 ? requestId : undefined);
      if (!lease) return null;
      const taken = await take(lease);
      if (taken) return taken;
    }
    return null;
  }

  /** A confirmed ticket whose case is gone: finished and marked recorded, out of circulation. */
  private async retire(lease: Lease): Promise<void> {
    await this.queue.finish([lease.ticketId]);
    await this.queue.markRecorded(lease.ticketId);
    this.log?.warn({ ticketId: lease.ticketId, caseId: lease.caseId }, 'claim | ticket without its case taken out of circulation');
  }

  /**
   * Invitations still waiting when the case leaves its office (transfer, escalation) or its
   * session ends are withdrawn, so nobody is later called into a session that is gone.
   * Returns the queues they left.
   */
  private async withdrawInvites(tickets: Ticket[]): Promise<string[]> {
    const waiting = tickets.filter((t) => t.kind === 'invite' && t.state === 'queued');
    await this.queue.cancel(waiting.map((t) => t.id));
    return [...new Set(waiting.flatMap((t) => t.departmentIds))];
  }

  /** Leases the best ticket of the official's queues (atomic across processes). */
  private leaseNext(official: Official, requestId: string | undefined) {
    return this.queue.claim({
      officialId: official.id,
      departmentIds: queuesOf(official),
      maxHeld: official.maxSessions,
      leaseMs: this.leaseMs,
      ...(requestId ? { requestId } : {}),
    });
  }

  /**
   * Holds the best ticket for the official without assigning it (the desk shows the case; the
   * official presses accept). Unless accepted within the lease, it returns to its queue.
   */
  async offerNext(actor: Actor, opts: ClaimInput = {}): Promise<Offer | null> {
    const official = await assertOfficial(this.repo, actor);
    return this.leaseLive(official, opts.requestId, async (lease): Promise<Offer | null> => {
      const c = await this.repo.getCase(lease.caseId);
      if (c) return { ticketId: lease.ticketId, leaseToken: lease.leaseToken, kind: lease.kind, expiresInMs: this.leaseMs, case: c };
      await this.queue.confirm(lease);
      await this.retire(lease);
      return null;
    });
  }

  /** Accepts an offer; `conflict` (lease_lost) if it expired and went back to the queue. */
  async acceptOffer(actor: Actor, offer: OfferInput): Promise<Assignment> {
    const official = await assertOfficial(this.repo, actor);
    const t = await this.queue.getTicket(offer.ticketId);
    if (!t) throw new AppError('not_found', `no ticket ${offer.ticketId}`);
    return this.admitKnown(
      { ticketId: t.id, caseId: t.caseId, kind: t.kind, officialId: official.id, leaseToken: offer.leaseToken, claimSeq: Number(offer.leaseToken), score: t.score, departmentIds: t.departmentIds, fromDepartmentId: t.fromDepartmentId },
      official,
    );
  }

  async declineOffer(actor: Actor, offer: OfferInput): Promise<boolean> {
    const official = await assertOfficial(this.repo, actor);
    const t = await this.queue.getTicket(offer.ticketId);
    if (!t) throw new AppError('not_found', `no ticket ${offer.ticketId}`);
    const released = await this.queue.release({ ticketId: t.id, caseId: t.caseId, kind: t.kind, officialId: official.id, leaseToken: offer.leaseToken, claimSeq: 0, score: t.score, departmentIds: t.departmentIds, fromDepartmentId: t.fromDepartmentId });
    if (released) {
      await this.repo.appendEvent(t.caseId, this.event(official.id, 'official', 'claim_released', { ticketId: t.id, reason: 'declined' }));
      this.notify('queue-changed', { departmentIds: t.departmentIds });
    }
    return released;
  }

  /** Accepts one named ticket of the official's department queue (an invite, say). */
  async acceptTicket(actor: Actor, ticketId: string, opts: ClaimInput = {}): Promise<Assignment> {
    const official = await assertOfficial(this.repo, actor);
    const lease = await this.queue.claim({
      officialId: official.id,
      departmentIds: queuesOf(official),
      maxHeld: official.maxSessions,
      leaseMs: this.leaseMs,
      ticketId,
      ...(opts.requestId ? { requestId: opts.requestId } : {}),
    });
    if (!lease) throw new AppError('not_found', `no ticket ${ticketId}`);
    return this.admitKnown(lease, official);
  }

  /** `admit` of a named ticket: one whose case is gone is `not_found`. */
  private async admitKnown(lease: Lease, official: Official): Promise<Assignment> {
    const assigned = await this.admit(lease, official);
    if (!assigned) throw new AppError('not_found', `ticket ${lease.ticketId} refers to an unknown case`);
    return assigned;
  }

  /**
   * Lease → confirm (commit point) → durable record. Null when the ticket's case is gone (a start
   * undone while its enqueue was still on the way to Redis, or a store restored from an older
   * backup): the ticket is taken out of circulation.
   */
  private async admit(lease: Lease, official: Official): Promise<Assignment | null> {
    await this.queue.confirm(lease);
    // Undefined also when this ticket was recorded already (a replay): the case as it is then.
    const recorded = await this.recordAssignment(lease.ticketId, lease.caseId, lease.kind, official);
    const updated = recorded ?? (await this.repo.getCase(lease.caseId));
    if (!updated) {
      await this.retire(lease);
      return null;
    }
    const c = updated;
    // A recorded ticket's batch marked it; a replay's is marked here.
    if (!recorded) await this.queue.markRecorded(lease.ticketId);
    this.notify('assigned', { caseId: c.id, ticketId: lease.ticketId, officialId: official.id, kind: lease.kind });
    this.notify('queue-changed', { departmentIds: lease.departmentIds });
    this.notify('case-changed', { caseId: c.id, state: updated.state });
    this.log?.info({ caseId: c.id, ticketId: lease.ticketId, officialId: official.id, kind: lease.kind }, 'claim -> assigned');
    return {
      case: updated,
      ticketId: lease.ticketId,
      kind: lease.kind,
      fromDepartmentId: lease.fromDepartmentId,
      ...this.issueRoomToken(c.id, { id: official.id, name: official.name, role: 'official', roomAdmin: ticketKindToRole(lease.kind) === 'lead' }),
    };
  }

  /**
   * Durable side of an assignment; idempotent by ticket id. Group-committed: the assignments of a
   * burst of claims are written in one transaction (write-batches.ts), each claim answered once
   * its own is durable.
   */
  private async recordAssignment(ticketId: string, caseId: string, kind: TicketKind, official: Official): Promise<Case | undefined> {
    const at = this.nowIso();
    const role = ticketKindToRole(kind);
    // The office that takes the case up owns its running clock and handles it (same transaction: life.leadRows).
    const updated = await this.#assignments.add({
      assignment: { ticketId, caseId, officialId: official.id, departmentId: official.departmentId, kind, assignedAt: at },
      patchFor: (current): CasePatch =>
        role === 'lead'
          ? { state: 'in_session', departmentId: official.departmentId, officialId: official.id }
          : current.state === 'in_session'
            ? { state: 'joint_session' }
            : {},
      event: this.event(official.id, 'official', role === 'lead' ? 'claimed' : 'joined', { ticketId, kind, departmentId: official.departmentId }),
      participant: { caseId, officialId: official.id, departmentId: official.departmentId, role, joinedAt: at },
    });
    if (updated && role === 'lead') this.life.leadTaken(updated);
    return updated;
  }

  /** Invites another department, or the level above, into the live session (ahead of new cases). */
  async invite(actor: Actor, caseId: string, target: InviteTarget): Promise<Ticket> {
    const official = await assertOfficial(this.repo, actor);
    const c = await assertCase(this.repo, caseId);
    if (!(await isParticipant(this.repo, official.id, c.id))) throw new AppError('forbidden', `not in the session of case ${c.id}`, { reason: 'not_a_party' });
    assertState(c, ['in_session', 'joint_session'], 'invite');
    const from = (await this.repo.getDepartment(official.departmentId))!;
    const dept = 'departmentId' in target ? await this.assertDepartment(target.departmentId) : await levelAbove(this.repo, this.rules.current, from);
    const tickets = await this.queue.ticketsOfCase(c.id);
    const present = new Set(tickets.filter((t) => t.state === 'assigned').map((t) => t.officialId));
    if ((await this.repo.listParticipants(c.id)).some((p) => p.departmentId === dept.id && present.has(p.officialId))) {
      throw new AppError('conflict', `${dept.name} is already in the session`, { reason: 'already_in_session' });
    }
    if (tickets.some((t) => t.kind === 'invite' && t.departmentIds.includes(dept.id) && (t.state === 'queued' || t.state === 'leased'))) {
      throw new AppError('conflict', `${dept.name} has already been invited`, { reason: 'duplicate_invite' });
    }
    const ticketId = `${c.id}:i${tickets.length + 1}`;
    await this.queue.enqueue({ ticketId, caseId: c.id, kind: 'invite', departmentIds: [dept.id], priority: 'handover', enqueuedAt: this.nowIso(), fromDepartmentId: from.id });
    await this.repo.appendEvent(c.id, this.event(official.id, 'official', 'invited', { ticketId, departmentId: dept.id, departmentName: dept.name, level: 'level' in target ? 'up' : undefined }));
    this.notify('queue-changed', { departmentIds: [dept.id] });
    return (await this.queue.getTicket(ticketId))!;
  }

  /** Hands the case to another department; the petitioner stays in the room for the new official. */
  async transfer(actor: Actor, caseId: string, departmentId: string, reason: string): Promise<Case> {
    const c = await assertCase(this.repo, caseId);
    const dept = await this.assertDepartment(departmentId);
    return this.handOver(actor, c, dept, 'transfer', reason);
  }

  /** Sends the case one level up (same kind of office in the parent region, else its 信访局). */
  async escalate(actor: Actor, caseId: string, reason: string): Promise<Case> {
    const c = await assertCase(this.repo, caseId);
    if (!c.departmentId) throw new AppError('conflict', `case ${c.id} has no handling department yet`, { reason: 'wrong_state' });
    const dept = await levelAbove(this.repo, this.rules.current, (await this.repo.getDepartment(c.departmentId))!);
    return this.handOver(actor, c, dept, 'escalate', reason);
  }

  private async handOver(actor: Actor, c: Case, dept: Department, kind: 'transfer' | 'escalate', reason: string): Promise<Case> {
    if (!isCoordinator(actor)) assertLead(actor, c);
    assertState(c, ['in_session', 'joint_session'], kind);
    if (dept.id === c.departmentId) throw new AppError('bad_request', `case ${c.id} is already with ${dept.name}`, { reason: 'same_department' });
    const tickets = await this.queue.ticketsOfCase(c.id);
    const ticketId = `${c.id}:${kind === 'transfer' ? 't' : 'e'}${tickets.length + 1}`;
    const state: CaseState = kind === 'transfer' ? 'transferred' : 'escalated';
    // Durable first (compare-and-set), then Redis; recover() re-issues a handover ticket that a
    // crash in between left missing.
    const updated = await this.repo.updateCase(
      c.id,
      { state, departmentId: dept.id, officialId: null },
      this.event(actor.id, this.roleOf(actor), kind === 'transfer' ? 'transferred' : 'escalated', { ticketId, from: c.departmentId, to: dept.id, toName: dept.name, reason }),
      ['in_session', 'joint_session'],
    );
    if (!updated) throw new AppError('conflict', `case ${c.id} changed meanwhile`, { reason: 'wrong_state' });
    await this.queue.finish(tickets.filter((t) => t.state === 'assigned' && t.officialId === c.officialId).map((t) => t.id));
    const withdrawn = await this.withdrawInvites(tickets);
    await this.enqueueHandover(updated, ticketId, kind, c.departmentId);
    this.notify('queue-changed', { departmentIds: [dept.id, ...withdrawn] });
    this.notify('case-changed', { caseId: c.id, state });
    return updated;
  }

  private async enqueueHandover(c: Case, ticketId: string, kind: 'transfer' | 'escalate', from: string | null): Promise<void> {
    await this.queue.enqueue({ ticketId, caseId: c.id, kind, departmentIds: [c.departmentId!], priority: 'handover', enqueuedAt: this.nowIso(), ...(from ? { fromDepartmentId: from } : {}) });
  }

  /**
   * The session's opinion (what the petitioner was told). With `accepted`, it is also the 受理告知
   * decision of a case still at intake (accepted or not), whose notice is issued with it.
   */
  async writeOpinion(actor: Actor, caseId: string, opinion: string, accepted?: boolean): Promise<Case> {
    const c = await assertCase(this.repo, caseId);
    assertLead(actor, c);
    assertState(c, ['in_session', 'joint_session'], 'write the handling opinion');
    const at = this.nowIso();
    const updated = await this.repo.updateCase(
      c.id,
      { state: 'handled', opinion, opinionAt: at },
      this.event(actor.id, 'official', 'opinion_written', { ...(accepted === undefined ? {} : { accepted }), chars: opinion.length }),
      ['in_session', 'joint_session'],
    );
    if (!updated) throw new AppError('conflict', `case ${c.id} changed meanwhile`, { reason: 'wrong_state' });
    this.notify('case-changed', { caseId: c.id, state: updated.state });
    if (accepted === undefined || updated.stage !== 'intake' || updated.acceptance) return updated;
    return this.life.notifyAcceptance(actor, c.id, { decision: accepted ? 'accepted' : 'not_accepted', reason: opinion });
  }

  /** Asks the department head to extend the handling deadline (once, ≤ 30 days, with the reason). */
  async extendDeadline(actor: Actor, caseId: string, reason: string, days = 30): Promise<Case> {
    await this.life.requestExtension(actor, caseId, days, reason);
    const c = await assertCase(this.repo, caseId);
    this.notify('work-changed', { departmentIds: c.departmentId ? [c.departmentId] : [] });
    return c;
  }

  /** Ends the session: every official's ticket for the case is finished; timings feed the estimate. */
  async endSession(actor: Actor, caseId: string): Promise<Case> {
    const c = await assertCase(this.repo, caseId);
    if (!isCoordinator(actor)) assertLead(actor, c);
    const tickets = (await this.queue.ticketsOfCase(c.id)).filter((t) => t.state === 'assigned');
    if (tickets.length === 0) throw new AppError('conflict', `case ${c.id} has no live session`, { reason: 'no_session' });
    await this.queue.finish(tickets.map((t) => t.id));
    const withdrawn = await this.withdrawInvites(await this.queue.ticketsOfCase(c.id));
    if (withdrawn.length > 0) this.notify('queue-changed', { departmentIds: withdrawn });
    const started = (await this.repo.timeline(c.id)).filter((e) => e.type === 'claimed').pop();
    if (started && c.departmentId) {
      await this.queue.recordSessionSeconds(c.departmentId, Math.max(1, (this.now().getTime() - Date.parse(started.at)) / 1000));
    }
    // The reception is over: a case still "in session" rests as handled (a terminal is free again).
    const endedEvent = this.event(actor.id, this.roleOf(actor), 'session_ended', { tickets: tickets.map((t) => t.id) });
    let ended = await this.repo.updateCase(c.id, { state: 'handled' }, endedEvent, IN_SESSION);
    if (!ended) {
      await this.repo.appendEvent(c.id, endedEvent);
      ended = await assertCase(this.repo, c.id);
    }
    this.notify('session-ended', { caseId: c.id });
    this.notify('case-changed', { caseId: c.id, state: ended.state });
    return ended;
  }

  /** 归档 of a closed case: its case file (documents, attachments, recordings) sealed with a hash. */
  async archive(actor: Actor, caseId: string): Promise<Case> {
    const c = await assertCase(this.repo, caseId);
    if ((await this.queue.ticketsOfCase(c.id)).some((t) => t.state === 'assigned')) throw new AppError('conflict', `case ${c.id} has a live session`, { reason: 'in_session' });
    return this.life.archive(actor, caseId);
  }

  // ---- the case life at a terminal, by case number and query code ------------------------

  /** 复查/复核 asked at a terminal: the level above queues it, ahead of new cases; the petitioner waits there. */
  async requestReview(actor: Actor, caseId: string, code: string): Promise<StartedPetition> {
    if (!actor.terminalId || !isPetitionerSide(actor)) throw new AppError('forbidden', 'reviews are asked for at a terminal', { reason: 'not_a_terminal' });
    await this.life.assertCode(caseId, code);
    if ((await this.queue.ticketsOfCase(caseId)).some((t) => t.state === 'queued' || t.state === 'leased' || t.state === 'assigned')) {
      throw new AppError('conflict', `case ${caseId} is being received now`, { reason: 'being_claimed' });
    }
    const { case: c, department, round } = await this.life.requestReview(actor, caseId, actor.terminalId);
    const n = (await this.queue.ticketsOfCase(c.id)).length + 1;
    const ticketId = `${c.id}:r${n}`;
    await this.queue.enqueue({ ticketId, caseId: c.id, kind: 'review', departmentIds: [department.id], priority: 'appointment', enqueuedAt: this.nowIso() });
    const queued = (await this.repo.updateCase(c.id, { state: 'queued' }, this.event(actor.id, this.roleOf(actor), 'queued', { ticketId, departmentIds: [department.id], round }))) ?? c;
    this.notify('queue-changed', { departmentIds: [department.id] });
    this.notify('case-changed', { caseId: c.id, state: queued.state });
    return {
      case: queued,
      queryCode: null,
      ticketId,
      departments: [department],
      wait: await waitInfo(this.waitDeps, queued),
      ...this.issueRoomToken(c.id, { id: actor.id, name: c.petitionerName ?? actor.name, role: 'petitioner', terminalId: actor.terminalId }),
    };
  }

  /** A call-back asked for after the call (from a lookup): the office handling the case calls this terminal. */
  async lookupCallback(actor: Actor, caseId: string, code: string) {
    if (!actor.terminalId || !isPetitionerSide(actor)) throw new AppError('forbidden', 'call-backs are asked for at a terminal', { reason: 'not_a_terminal' });
    await this.life.assertCode(caseId, code);
    const c = await assertCase(this.repo, caseId);
    const department = c.departmentId ?? c.routedDepartmentIds[0]!;
    const cb = await this.life.requestCallback(c, actor.terminalId, department);
    await this.repo.appendEvent(c.id, this.event(actor.id, this.roleOf(actor), 'callback_requested', { callbackId: cb.id, terminalId: actor.terminalId, dueAt: cb.dueAt }));
    this.notify('work-changed', { departmentIds: [department] });
    return cb;
  }

  /**
   * The official calls back: by video (the terminal point rings with the case on screen; the
   * official holds the session as with any accepted ticket) or by phone (noted by hand).
   */
  async callBack(actor: Actor, callbackId: string, how: { channel: 'video' | 'phone'; note?: string | undefined }): Promise<{ callback: Callback; assignment: Assignment | null }> {
    const official = await assertOfficial(this.repo, actor);
    const cb = await this.life.callbackOf(callbackId);
    if (cb.departmentId !== official.departmentId) throw new AppError('forbidden', 'a call-back of another office', { reason: 'not_of_department' });
    if (cb.state !== 'pending') throw new AppError('conflict', 'this call-back was already made', { reason: 'already_done' });
    if (how.channel === 'phone') {
      const done = await this.life.callbackDone(actor, cb, 'phone', how.note ?? null);
      this.notify('work-changed', { departmentIds: [cb.departmentId] });
      return { callback: done, assignment: null };
    }
    const c = await assertCase(this.repo, cb.caseId);
    if ((await this.queue.ticketsOfCase(c.id)).some((t) => t.state === 'assigned')) throw new AppError('conflict', `case ${c.id} has a live session`, { reason: 'in_session' });
    if (c.terminalId !== cb.terminalId) await this.repo.updateCase(c.id, { terminalId: cb.terminalId }, this.event(official.id, 'official', 'callback_requested', { callbackId: cb.id, terminalId: cb.terminalId, moved: true }));
    const ticketId = `${c.id}:c${(await this.queue.ticketsOfCase(c.id)).length + 1}`;
    await this.queue.enqueue({ ticketId, caseId: c.id, kind: 'callback', departmentIds: [personalQueue(official.id)], priority: 'handover', enqueuedAt: this.nowIso() });
    const assignment = await this.acceptTicket(actor, ticketId);
    await this.life.callbackAttempted(cb);
    const office = (await this.repo.getDepartment(official.departmentId))?.name ?? official.departmentId;
    this.notify('callback-ringing', { callbackId: cb.id, caseId: c.id, office, officialName: official.name, categoryCode: c.category, category: this.rules.current.categories.find((x) => x.code === c.category)?.name ?? c.category, terminalId: cb.terminalId });
    return { callback: (await this.life.callbackOf(cb.id)), assignment };
  }

  /** The terminal point answers a ringing video call-back: the call-back is done, here is the room. */
  async answerCallback(actor: Actor, callbackId: string): Promise<RoomAccess> {
    const cb = await this.life.callbackOf(callbackId);
    if (!actor.terminalId || actor.terminalId !== cb.terminalId) throw new AppError('forbidden', 'the call-back rings at another terminal', { reason: 'terminal_mismatch' });
    const c = await assertCase(this.repo, cb.caseId);
    if (!(await this.queue.ticketsOfCase(c.id)).some((t) => t.state === 'assigned' && t.kind === 'callback')) throw new AppError('conflict', 'the official is no longer calling', { reason: 'no_session' });
    if (cb.state === 'pending') await this.life.callbackDone(actor, cb, 'video', null);
    this.notify('work-changed', { departmentIds: [cb.departmentId] });
    return this.issueRoomToken(c.id, { id: actor.id, name: c.petitionerName ?? actor.name, role: 'petitioner', terminalId: actor.terminalId });
  }

  // ---- reading ----------------------------------------------------------------------------

  async getCase(actor: Actor, caseId: string): Promise<Case> {
    const c = await assertCase(this.repo, caseId);
    await this.assertCanView(actor, c);
    return c;
  }

  /** Parties, coordinators, and the officials and heads of the offices handling the case. */
  async assertCanView(actor: Actor, c: Case): Promise<void> {
    await assertCanView(this.repo, actor, c, (a, x) => (a.role === 'official' ? this.life.officeHandles(a.id, x.id) : this.life.headsHandler(a, x.id)));
  }

  /** The case's events, each with the name of who acted (officials and terminals by name). */
  async timeline(actor: Actor, caseId: string): Promise<TimelineEvent[]> {
    const c = await assertCase(this.repo, caseId);
    await this.assertCanView(actor, c);
    const names = new Map<string, string | null>();
    const nameOf = async (e: CaseEvent): Promise<string | null> => {
      if (!names.has(e.actorId)) {
        const name =
          e.actorRole === 'official' || e.actorRole === 'head'
            ? (await this.repo.getOfficial(e.actorId))?.name
            : e.actorRole === 'terminal'
              ? (await this.repo.getTerminal(e.actorId.replace(/^device-/, '')))?.name
              : undefined;
        names.set(e.actorId, name ?? null);
      }
      return names.get(e.actorId) ?? null;
    };
    const out: TimelineEvent[] = [];
    for (const e of await this.repo.timeline(c.id)) out.push({ ...e, actorName: await nameOf(e) });
    return out;
  }

  /** The offices cases can be invited, transferred or escalated to (officials and coordinators). */
  async departments(actor: Actor): Promise<Department[]> {
    if (actor.role !== 'official' && !isCoordinator(actor)) {
      throw new AppError('forbidden', 'only officials and coordinators read the directory', { reason: 'not_staff' });
    }
    return this.repo.listDepartments();
  }

  /**
   * A token for the petition room, issued under the rule every join is held to (roomPermission):
   * while the session runs, to its petitioner, an official holding a ticket for it (an invited
   * official who accepted, the lead) or a coordinator; an official of another department who was
   * not invited gets `forbidden` (`not_invited`), one no longer in it `not_in_session`, anyone
   * once the session has ended or before it began `gone`. A caller presenting a room token (one
   * whose grant names rooms, as a page renewing it does) renews only a room it names: a token for
   * case A never mints one for case B, whoever holds it.
   */
  async roomAccess(actor: Actor, caseId: string, presented: { rooms: readonly string[] } = { rooms: [] }): Promise<RoomAccess> {
    const c = await assertCase(this.repo, caseId);
    if (presented.rooms.length > 0 && !grantAllowsRoom(presented, petitionRoomId(c.id))) {
      throw new AppError('forbidden', 'this token is for another room; it renews only its own', { reason: 'other_room' });
    }
    const { running, live } = await this.session(c);
    const notRunning = () => new AppError('gone', `the session of case ${c.id} is not running`, { reason: 'not_in_session' });
    if (await isCasePetitioner(this.repo, actor, c)) {
      if (!running) throw notRunning();
      return this.issueRoomToken(c.id, { ...actor, role: 'petitioner' });
    }
    if (actor.role === 'official') {
      if (!(await isParticipant(this.repo, actor.id, c.id))) {
        throw new AppError('forbidden', `not invited to the session of case ${c.id}`, { reason: 'not_invited' });
      }
      // Taking part once is not enough: after a transfer or the end of the session, no new token
      // (the "kicked user rejoins with a refreshed token" hole).
      if (!live.some((t) => t.officialId === actor.id)) throw new AppError('forbidden', `no longer in the session of case ${c.id}`, { reason: 'not_in_session' });
      return this.issueRoomToken(c.id, { ...actor, roomAdmin: c.officialId === actor.id });
    }
    if (isCoordinator(actor)) {
      if (!running) throw notRunning();
      return this.issueRoomToken(c.id, { ...actor, role: 'coordinator' });
    }
    throw new AppError('forbidden', `not a party to case ${c.id}`, { reason: 'not_a_party' });
  }

  /**
   * Who may be in the session room of a case now, asked at every join on every node and again
   * whenever the case changes: the session is running (an official holds it, or it is being
   * handed over to the next office), and the caller is its petitioner terminal, an official
   * holding a ticket for it (the lead, or an invited official who accepted), or a coordinator
   * (watching hidden). Once the session has ended nobody enters, whatever their token says.
   * Only the lead and coordinators may remove participants; the lead and the petitioner are the
   * room's principals (never removed, never kept out by a ban).
   */
  async roomPermission(actor: Actor, caseId: string): Promise<DomainPermission> {
    const c = await assertCase(this.repo, caseId);
    const { running, live } = await this.session(c);
    if (!running) throw new AppError('gone', `the session of case ${c.id} is not running`, { reason: 'not_in_session' });
    const seat = PARTY_SEAT;
    if (await isCasePetitioner(this.repo, actor, c)) return { ...seat, principal: true };
    if (actor.role === 'official') {
      const held = live.filter((t) => t.officialId === actor.id);
      if (held.length === 0) throw new AppError('forbidden', `not in the session of case ${c.id}`, { reason: 'not_in_session' });
      const lead = c.officialId === actor.id && held.some((t) => t.kind !== 'invite');
      return { ...seat, roomAdmin: lead, principal: lead };
    }
    if (isCoordinator(actor)) return SUPERVISOR_WATCH;
    throw new AppError('forbidden', `not a party to case ${c.id}`, { reason: 'not_a_party' });
  }

  /** Whether the case's session is running (or being handed over): what recording starts on. */
  async sessionRunning(caseId: string): Promise<boolean> {
    const c = await this.repo.getCase(caseId);
    return c ? (await this.session(c)).running : false;
  }

  /** The tickets held in the case's session now; it runs while one is held or a handover is pending. */
  private async session(c: Case): Promise<{ running: boolean; live: Ticket[] }> {
    const live = (await this.queue.ticketsOfCase(c.id)).filter((t) => t.state === 'assigned');
    return { running: live.length > 0 || c.state === 'transferred' || c.state === 'escalated', live };
  }

  /** The official's desk: own department queue and sessions held now (to resume after reconnect). */
  async desk(actor: Actor): Promise<Desk> {
    const official = await assertOfficial(this.repo, actor);
    const [queue, active, presence] = await Promise.all([
      Promise.all(queuesOf(official).map((q) => this.queue.entries(q))).then((lists) =>
        lists.flat().sort((x, y) => x.score - y.score),
      ),
      this.queue.activeTickets(official.id),
      this.presence.status(official.id),
    ]);
    return { official, queue, active, presence };
  }

  /** Coordinator overview: every office with someone waiting or online, and leaders' queues. */
  async queues(actor: Actor): Promise<DepartmentQueue[]> {
    this.assertCoordinator(actor);
    return departmentQueues(this.views);
  }

  /** Terminals online/offline per county. */
  async terminals(actor: Actor): Promise<TerminalGroup[]> {
    this.assertCoordinator(actor);
    return terminalsByCounty(this.views);
  }

  /** Sessions running now and who is in them. */
  async liveSessions(actor: Actor): Promise<LiveSession[]> {
    this.assertCoordinator(actor);
    return liveSessions(this.views);
  }

  /** Open cases past the acceptance or handling deadline. */
  async overdue(actor: Actor): Promise<OverdueCase[]> {
    this.assertCoordinator(actor);
    return this.life.overdueClocks();
  }

  async receptionDays(): Promise<ReceptionDayWithBookings[]> {
    return receptionDaysWithBookings(this.repo, this.now());
  }

  /** Publishes or changes a reception day (the administration's editor calls this). */
  async saveReceptionDay(actor: Actor, dayId: string, d: ReceptionDayInput): Promise<ReceptionDayWithBookings> {
    this.assertCoordinator(actor);
    const leader = await this.repo.getOfficial(d.officialId);
    if (!leader) throw new AppError('not_found', `unknown official ${d.officialId}`, { reason: 'unknown_official' });
    const booked = await this.repo.slotCounts(dayId);
    if ([...booked.keys()].some((slot) => slot >= d.slots)) throw new AppError('conflict', 'booked slots would be cut off', { reason: 'slots_booked' });
    const day = { ...d, id: dayId, leaderName: leader.name, departmentId: leader.departmentId, regionCode: leader.regionCode };
    await this.repo.saveReceptionDay(day);
    return { ...day, booked: Array.from({ length: day.slots }, (_, i) => booked.get(i) ?? 0) };
  }

  async removeReceptionDay(actor: Actor, dayId: string): Promise<boolean> {
    this.assertCoordinator(actor);
    if ((await this.repo.slotCounts(dayId)).size > 0) throw new AppError('conflict', 'the day has bookings', { reason: 'slots_booked' });
    return this.repo.removeReceptionDay(dayId);
  }

  // ---- the case life, read ---------------------------------------------------------------

  async caseLife(actor: Actor, caseId: string) {
    await this.assertCanView(actor, await assertCase(this.repo, caseId));
    return this.life.view(caseId);
  }

  async document(actor: Actor, documentId: string) {
    const d = await this.life.document(documentId);
    await this.assertCanView(actor, await assertCase(this.repo, d.caseId));
    return d;
  }

  async attachment(actor: Actor, attachmentId: string) {
    const a = await this.life.attachment(attachmentId);
    await this.assertCanView(actor, await assertCase(this.repo, a.caseId));
    return a;
  }

  async workList(actor: Actor) {
    return this.life.officialWorkList(await assertOfficial(this.repo, actor));
  }

  async coordinatorWork(actor: Actor) {
    this.assertCoordinator(actor);
    return this.life.coordinatorWorkList();
  }

  /** Coordinators see any office's figures; an official or a head only their own office's. */
  async stats(actor: Actor, f: { from: string; to: string; departmentId?: string | undefined }) {
    let departmentId = f.departmentId;
    if (!isCoordinator(actor)) {
      const o = await this.repo.getOfficial(actor.id);
      if (!o || (actor.role !== 'official' && actor.role !== 'head')) throw new AppError('forbidden', 'statistics are for staff', { reason: 'not_staff' });
      if (departmentId && departmentId !== o.departmentId) throw new AppError('forbidden', 'another office’s statistics', { reason: 'not_of_department' });
      departmentId = o.departmentId;
    }
    return this.life.stats({ from: f.from, to: f.to, departmentId });
  }

  /** A lookup at a terminal; five wrong codes in a row lock the case's lookups for 15 minutes. */
  async lookup<T>(actor: Actor, caseId: string, code: string, then: () => Promise<T>): Promise<T> {
    if (!isPetitionerSide(actor)) throw new AppError('forbidden', 'case lookups are made at a terminal', { reason: 'not_a_terminal' });
    await this.checkCode(caseId, code);
    return then();
  }

  /**
   * The phone's status page (case.html, no sign-in): the same check and the same lock as a
   * terminal's lookup — a wrong code here counts towards the five a terminal allows too.
   */
  async caseStatus(caseId: string, code: string): Promise<CaseStatus> {
    await this.checkCode(caseId, code);
    return caseStatusOf(await this.life.lookup(caseId, code));
  }

  private async checkCode(caseId: string, code: string): Promise<void> {
    const key = this.lookupKey(caseId);
    if (Number(await this.redis.get(key)) >= 5) throw new AppError('rate_limited', 'too many wrong codes: try again later', { reason: 'lookup_locked' });
    try {
      await this.life.assertCode(caseId, code);
    } catch (err) {
      await this.redis.multi().incr(key).expire(key, 900).exec();
      throw err;
    }
    await this.redis.del(key);
  }

  routingRules() {
    return this.rules.current;
  }

  /** Replaces the rules on every node: stored as a new revision, then the other nodes are told. */
  async replaceRoutingRules(actor: Actor, rules: RoutingRules): Promise<RoutingRules> {
    this.assertCoordinator(actor);
    const next = await this.rules.replace(rules, actor.id);
    this.notify('rules-changed', { revision: this.rules.revision });
    return next;
  }

  /** Another node replaced the rules (stored as `revision`). */
  refreshRoutingRules(revision: number): Promise<void> {
    return this.rules.refresh(revision);
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** emit() that survives a throwing listener: the workflow step already happened. */
  private notify<K extends keyof PetitionEvents>(event: K, ...args: PetitionEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: PetitionEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.log?.error({ err, event }, 'petition event listener threw');
    }
  }

  private assertCoordinator(actor: Actor): void {
    if (!isCoordinator(actor)) throw new AppError('forbidden', 'coordinators only', { reason: 'not_coordinator' });
  }

  private get views() {
    return { repo: this.repo, queue: this.queue, presence: this.presence, now: this.now };
  }

  /** Waiting policy: the rules file's `waiting` (the coordinator's), else the service options. */
  private get waitDeps(): WaitDeps {
    const w = this.rules.current.waiting;
    return {
      ...this.views,
      offerAfterSeconds: w?.offerAfterSeconds ?? this.offerAfterSeconds,
      maxWaitSeconds: w?.maxWaitSeconds ?? this.maxWaitSeconds,
      defaultSessionSeconds: this.defaultSessionSeconds,
    };
  }

  private async assertDepartment(id: string): Promise<Department> {
    const d = await this.repo.getDepartment(id);
    if (!d) throw new AppError('not_found', `unknown department ${id}`, { reason: 'unknown_department' });
    return d;
  }

  private async assertPetitionerOrCoordinator(actor: Actor, c: Case): Promise<void> {
    if (isCoordinator(actor) || (await isCasePetitioner(this.repo, actor, c))) return;
    throw new AppError('forbidden', `not the petitioner of case ${c.id}`, { reason: 'not_petitioner' });
  }

  private issueRoomToken(caseId: string, who: RoomMember): RoomAccess {
    return issueRoomToken(this.tokens, caseId, who, this.roomTokenTtlSeconds);
  }

  private roleOf(actor: Actor): ActorRole {
    return roleOf(actor);
  }

  private event(actorId: string, actorRole: ActorRole, type: NewEvent['type'], data: Record<string, unknown>): NewEvent {
    return { at: this.nowIso(), actorId, actorRole, type, data };
  }

  private nowIso(): string {
    return this.now().toISOString();
  }
}
