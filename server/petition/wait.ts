// What a waiting petitioner is told: place in the queue, an honest estimate, and — when waiting
// on makes no sense — an offer of a reception-day slot or a call-back instead.
import { personalQueueOwner } from '../scheduler/keys.ts';
import type { OnlineOfficial, Presence } from '../scheduler/presence.ts';
import type { QueuedTicket, TicketQueue } from '../scheduler/queue.ts';
import type { PetitionRepository } from './repository.ts';
import type { AppointmentOffer, Case, ReceptionDay, WaitInfo } from './types.ts';

export type { AppointmentOffer, WaitInfo };

export interface WaitPolicy {
  /** Offer an appointment or call-back after this long with nobody available. */
  offerAfterSeconds: number;
  /** …or as soon as the estimate exceeds this. */
  maxWaitSeconds: number;
  /** Session length assumed before any has been measured. */
  defaultSessionSeconds: number;
}

export interface WaitDeps extends WaitPolicy {
  repo: PetitionRepository;
  queue: TicketQueue;
  presence: Presence;
  now: () => Date;
}

export function slotStart(day: ReceptionDay, slot: number): string {
  return new Date(Date.parse(day.startsAt) + slot * day.slotMinutes * 60_000).toISOString();
}

/** Officials present for a queue: an office's online officials, or the one owner of a personal queue. */
async function presentFor(presence: Presence, queue: string): Promise<OnlineOfficial[]> {
  const owner = personalQueueOwner(queue);
  if (!owner) return presence.online(queue);
  const status = await presence.status(owner);
  return status === 'offline' ? [] : [{ officialId: owner, status }];
}

/** What a wait needs of its case. */
type WaitingCase = Pick<Case, 'id' | 'state' | 'regionCode'>;

/** No place or estimate to tell (not waiting, or the queue cannot be read right now). */
export function unknownWait(c: WaitingCase): WaitInfo {
  return { caseId: c.id, state: c.state, position: null, availableOfficials: 0, freeOfficials: 0, estimatedWaitSeconds: null, waitedSeconds: 0, offer: null };
}

/** Who serves a case waiting in a set of queues, and how long its sessions take. */
export interface Staffing {
  /** Officials present (available or busy, not away); one sitting in several of the queues counts once. */
  present: number;
  /** …of whom available now. */
  free: number;
  /** The shortest of the queues' mean session lengths (`defaultSessionSeconds` for one not measured yet). */
  sessionSeconds: number;
}

/**
 * Figures a wait needs that many waits share; `queueFigures` reads each once for a whole pass:
 * the staffing per set of queues (every case of a long queue has the same), and the
 * reception-day offers per region (the same slots for every case from one village).
 */
export interface QueueFigures {
  staffing(queues: readonly string[]): Promise<Staffing>;
  offers(regionCode: string): Promise<AppointmentOffer[]>;
}

const once = <R>(read: (key: string) => Promise<R>) => {
  const seen = new Map<string, Promise<R>>();
  return (key: string) => {
    let p = seen.get(key);
    if (!p) seen.set(key, (p = read(key)));
    return p;
  };
};

export function queueFigures(d: Omit<WaitDeps, 'offerAfterSeconds' | 'maxWaitSeconds'>): QueueFigures {
  const present = once((q) => presentFor(d.presence, q));
  const avg = once((q) => d.queue.avgSessionSeconds(q));
  const staffing = once(async (key) => {
    const queues = key.split('\n');
    const online = new Map<string, OnlineOfficial>();
    for (const o of (await Promise.all(queues.map(present))).flat()) if (o.status !== 'away') online.set(o.officialId, o);
    const avgs = await Promise.all(queues.map(avg));
    return {
      present: online.size,
      free: [...online.values()].filter((o) => o.status === 'available').length,
      sessionSeconds: Math.min(...avgs.map((a) => a ?? d.defaultSessionSeconds)),
    };
  });
  let book: ReturnType<typeof offerBook> | undefined;
  return {
    staffing: (queues) => staffing(queues.join('\n')),
    offers: once(async (regionCode) => (await (book ??= offerBook(d.repo, d.now().toISOString())))(regionCode)),
  };
}

/** Place in the queue, the estimate and any offer for one case (the estimate: `waitFor`). */
export async function waitInfo(d: WaitDeps, c: Case, figures: QueueFigures = queueFigures(d)): Promise<WaitInfo> {
  const tickets = await d.queue.ticketsOfCase(c.id);
  const waiting = waitingTicket(tickets);
  const position = waiting?.state === 'queued' ? await d.queue.position(waiting.id, waiting.departmentIds) : null;
  return waitFor(d, c, waiting, position, figures);
}

/**
 * The waits of the cases waiting in these queues that `watched` keeps (the pass after the queues
 * moved), in a fixed number of round trips whatever their length: each queue's tickets in one
 * command (their order is the places), the cases in one query per 500, and only for a case with
 * several tickets (an invite beside its own) its tickets, and for a ticket that also waits in
 * other queues those queues' places. Same figures as `waitInfo` for each.
 */
export async function waitsInQueues(d: WaitDeps, queues: readonly string[], watched: (caseId: string) => boolean, figures: QueueFigures = queueFigures(d)): Promise<WaitInfo[]> {
  const lists = await Promise.all(queues.map((q) => d.queue.queueTickets(q)));
  const ranks = new Map(queues.map((q, i) => [q, new Map(lists[i]!.map((e) => [e.ticket.id, e.rank]))]));
  const waiting = new Map<string, QueuedTicket | undefined>();
  const several = new Set<string>();
  for (const { ticket, caseTickets } of lists.flat()) {
    if (waiting.has(ticket.caseId) || several.has(ticket.caseId) || !watched(ticket.caseId)) continue;
    if (caseTickets === 1) waiting.set(ticket.caseId, waitingTicket([ticket]));
    else several.add(ticket.caseId);
  }
  for (const [caseId, tickets] of await d.queue.ticketsOfCases([...several])) waiting.set(caseId, waitingTicket(tickets));
  const others = new Set<string>();
  for (const t of waiting.values()) if (t?.state === 'queued') for (const q of t.departmentIds) if (!ranks.has(q)) others.add(q);
  for (const [q, r] of others.size > 0 ? await d.queue.ranks([...others]) : []) ranks.set(q, r);
  const cases = await d.repo.caseStates([...waiting.keys()]);
  // What the cases share is read first (a few reads), then each case is arithmetic.
  const sets = new Map<string, readonly string[]>();
  for (const t of waiting.values()) if (t) sets.set(t.departmentIds.join('\n'), t.departmentIds);
  const staffing = new Map(await Promise.all([...sets].map(async ([key, qs]) => [key, await figures.staffing(qs)] as const)));
  const nowMs = d.now().getTime();
  const waits = cases.map((c) => {
    const t = waiting.get(c.id);
    return t ? estimate(d, c, t, t.state === 'queued' ? placeOf(ranks, t) : null, staffing.get(t.departmentIds.join('\n'))!, nowMs) : { wait: unknownWait(c), wantsOffer: false };
  });
  const regions = new Set(cases.filter((_, i) => waits[i]!.wantsOffer).map((c) => c.regionCode));
  const offers = new Map(await Promise.all([...regions].map(async (r) => [r, await figures.offers(r)] as const)));
  return waits.map(({ wait, wantsOffer }, i) => (wantsOffer ? { ...wait, offer: { appointments: offers.get(cases[i]!.regionCode)!, callback: true } } : wait));
}

/**
 * The waits of many cases at once (the starts of one batch): their tickets in one round trip and
 * every place from one read of each queue involved, instead of several round trips per case.
 * Same figures as `waitInfo` for each.
 */
export async function waitInfos(d: WaitDeps, cases: readonly Case[], figures: QueueFigures = queueFigures(d)): Promise<WaitInfo[]> {
  const tickets = await d.queue.ticketsOfCases(cases.map((c) => c.id));
  const waiting = new Map(cases.map((c) => [c.id, waitingTicket(tickets.get(c.id) ?? [])]));
  const queues = new Set<string>();
  for (const t of waiting.values()) if (t?.state === 'queued') for (const q of t.departmentIds) queues.add(q);
  const ranks = await d.queue.ranks([...queues]);
  return Promise.all(
    cases.map((c) => {
      const t = waiting.get(c.id);
      return waitFor(d, c, t, t?.state === 'queued' ? placeOf(ranks, t) : null, figures);
    }),
  );
}

/** A ticket's place (1 = next): the best of its queues' ranks that are known, null when none is. */
function placeOf(ranks: ReadonlyMap<string, ReadonlyMap<string, number>>, t: QueuedTicket): number | null {
  const known = t.departmentIds.map((q) => ranks.get(q)?.get(t.id)).filter((r): r is number => r !== undefined);
  return known.length === 0 ? null : Math.min(...known) + 1;
}

/** The ticket a case waits on: its first queued or leased one. */
const waitingTicket = <T extends QueuedTicket>(tickets: readonly T[]) => tickets.find((t) => t.state === 'queued' || t.state === 'leased');

/** One case's wait: `estimate`, and the offer's slots when it wants them. */
async function waitFor(d: WaitDeps, c: WaitingCase, waiting: QueuedTicket | undefined, queuedPlace: number | null, figures: QueueFigures): Promise<WaitInfo> {
  if (!waiting) return unknownWait(c);
  const { wait, wantsOffer } = estimate(d, c, waiting, queuedPlace, await figures.staffing(waiting.departmentIds), d.now().getTime());
  return wantsOffer ? { ...wait, offer: { appointments: await figures.offers(c.regionCode), callback: true } } : wait;
}

/**
 * The estimate: the first `free` places go to the officials free right now (0 s: "马上为您接通");
 * each later place waits for a busy official to finish — ceil((position − free) / present) × the
 * office's measured mean session length (an EWMA of the sessions it has ended;
 * `defaultSessionSeconds` until one has). test/petition/wait-estimate.test.ts holds it against
 * measured waits. An official counts
 * once however many of the case's queues they sit in. A leased ticket is at place 0.
 * Without the offer's slots; `wantsOffer`: waiting on is not reasonable.
 */
function estimate(d: WaitPolicy, c: WaitingCase, waiting: QueuedTicket, queuedPlace: number | null, s: Staffing, nowMs: number): { wait: WaitInfo; wantsOffer: boolean } {
  const position = waiting.state === 'leased' ? 0 : queuedPlace;
  const seconds = s.present > 0 && position !== null ? Math.ceil(Math.max(0, position - s.free) / s.present) * Math.round(s.sessionSeconds) : null;
  const waitedSeconds = Math.max(0, Math.round((nowMs - Date.parse(waiting.enqueuedAt)) / 1000));
  const tooLong = (s.present === 0 && waitedSeconds >= d.offerAfterSeconds) || (seconds !== null && seconds > d.maxWaitSeconds);
  return {
    wait: { ...unknownWait(c), position, availableOfficials: s.present, freeOfficials: s.free, estimatedWaitSeconds: seconds, waitedSeconds },
    wantsOffer: tooLong && waiting.state === 'queued',
  };
}

/**
 * The first free slot of each upcoming reception day in a case's own regions (county, city),
 * from the directory's regions, the upcoming days and their bookings read once (a pass offers
 * slots to a whole long queue, each case from its own village).
 */
async function offerBook(repo: PetitionRepository, nowIso: string, limit = 3): Promise<(regionCode: string) => Promise<AppointmentOffer[]>> {
  const [regions, days] = await Promise.all([repo.listRegions(), repo.listReceptionDays(nowIso)]);
  const parentOf = new Map(regions.map((r) => [r.code, r.parentCode]));
  const counts = new Map<string, Promise<Map<number, number>>>();
  const bookedOn = (dayId: string) => {
    let c = counts.get(dayId);
    if (!c) counts.set(dayId, (c = repo.slotCounts(dayId)));
    return c;
  };
  return async (regionCode) => {
    const chain = new Set<string>();
    for (let code: string | null = regionCode; code && !chain.has(code); code = parentOf.get(code) ?? null) chain.add(code);
    const out: AppointmentOffer[] = [];
    for (const day of days) {
      if (!chain.has(day.regionCode)) continue;
      const booked = await bookedOn(day.id);
      for (let slot = 0; slot < day.slots; slot++) {
        if ((booked.get(slot) ?? 0) < day.capacityPerSlot && Date.parse(slotStart(day, slot)) > Date.parse(nowIso)) {
          out.push({ dayId: day.id, leaderName: day.leaderName, post: day.post, portfolio: day.portfolio, place: day.place, slot, slotStartsAt: slotStart(day, slot) });
          break;
        }
      }
      if (out.length >= limit) break;
    }
    return out;
  };
}
