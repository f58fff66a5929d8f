// What a waiting petitioner is told: place in the queue, an honest estimate, and — when waiting
// on makes no sense — an offer of a reception-day slot or a call-back instead.
import { personalQueueOwner } from '../scheduler/keys.ts';
import type { OnlineOfficial, Presence } from '../scheduler/presence.ts';
import type { TicketQueue } from '../scheduler/queue.ts';
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

/** No place or estimate to tell (not waiting, or the queue cannot be read right now). */
export function unknownWait(c: Case): WaitInfo {
  return { caseId: c.id, state: c.state, position: null, availableOfficials: 0, freeOfficials: 0, estimatedWaitSeconds: null, waitedSeconds: 0, offer: null };
}

/** Per-queue figures a wait needs; `queueFigures` reads them once per queue for a whole pass. */
export interface QueueFigures {
  present(queue: string): Promise<OnlineOfficial[]>;
  avgSessionSeconds(queue: string): Promise<number | null>;
}

export function queueFigures(d: Pick<WaitDeps, 'presence' | 'queue'>): QueueFigures {
  const once = <R>(read: (q: string) => Promise<R>) => {
    const seen = new Map<string, Promise<R>>();
    return (q: string) => {
      let p = seen.get(q);
      if (!p) seen.set(q, (p = read(q)));
      return p;
    };
  };
  return { present: once((q) => presentFor(d.presence, q)), avgSessionSeconds: once((q) => d.queue.avgSessionSeconds(q)) };
}

/**
 * The estimate: the first `free` places go to the officials free right now (0 s: "马上为您接通");
 * each later place waits for a busy official to finish — ceil((position − free) / present) × the
 * office's measured mean session length (an EWMA of the sessions it has ended;
 * `defaultSessionSeconds` until one has). test/petition/wait-estimate.test.ts holds it against
 * measured waits. An official counts
 * once however many of the case's queues they sit in.
 */
export async function waitInfo(d: WaitDeps, c: Case, figures: QueueFigures = queueFigures(d)): Promise<WaitInfo> {
  const tickets = await d.queue.ticketsOfCase(c.id);
  const waiting = tickets.find((t) => t.state === 'queued' || t.state === 'leased');
  const base = unknownWait(c);
  if (!waiting) return base;
  const position = waiting.state === 'leased' ? 0 : await d.queue.position(waiting.id, waiting.departmentIds);
  const online = new Map<string, OnlineOfficial>();
  for (const o of (await Promise.all(waiting.departmentIds.map((q) => figures.present(q)))).flat()) if (o.status !== 'away') online.set(o.officialId, o);
  const present = online.size;
  const free = [...online.values()].filter((o) => o.status === 'available').length;
  const avgs = await Promise.all(waiting.departmentIds.map((q) => figures.avgSessionSeconds(q)));
  const avg = Math.min(...avgs.map((a) => a ?? d.defaultSessionSeconds));
  const estimate = present > 0 && position !== null ? Math.ceil(Math.max(0, position - free) / present) * Math.round(avg) : null;
  const waitedSeconds = Math.max(0, Math.round((d.now().getTime() - Date.parse(waiting.enqueuedAt)) / 1000));
  const tooLong = (present === 0 && waitedSeconds >= d.offerAfterSeconds) || (estimate !== null && estimate > d.maxWaitSeconds);
  return {
    ...base,
    position,
    availableOfficials: present,
    freeOfficials: free,
    estimatedWaitSeconds: estimate,
    waitedSeconds,
    offer: tooLong && waiting.state === 'queued' ? { appointments: await appointmentOffers(d.repo, c, d.now().toISOString()), callback: true } : null,
  };
}

/** The first free slot of each upcoming reception day in the case's own regions (county, city). */
export async function appointmentOffers(repo: PetitionRepository, c: Case, nowIso: string, limit = 3): Promise<AppointmentOffer[]> {
  const regions = new Set<string>();
  for (let code: string | null = c.regionCode; code; code = (await repo.getRegion(code))?.parentCode ?? null) regions.add(code);
  const out: AppointmentOffer[] = [];
  for (const day of await repo.listReceptionDays(nowIso)) {
    if (!regions.has(day.regionCode)) continue;
    const counts = await repo.slotCounts(day.id);
    for (let slot = 0; slot < day.slots; slot++) {
      if ((counts.get(slot) ?? 0) < day.capacityPerSlot && Date.parse(slotStart(day, slot)) > Date.parse(nowIso)) {
        out.push({ dayId: day.id, leaderName: day.leaderName, post: day.post, portfolio: day.portfolio, place: day.place, slot, slotStartsAt: slotStart(day, slot) });
        break;
      }
    }
    if (out.length >= limit) break;
  }
  return out;
}
