// What the 综治中心 coordinator sees at a glance: queues with lengths and oldest waits, terminals
// online by county, overdue cases, reception days with their bookings. Read-only.
import { personalQueue } from '../scheduler/keys.ts';
import type { Presence } from '../scheduler/presence.ts';
import type { TicketQueue } from '../scheduler/queue.ts';
import type { PetitionRepository } from './repository.ts';
import type { DepartmentQueue, LiveSession, OverdueCase, ReceptionDayWithBookings, TerminalGroup } from './types.ts';
import { petitionRoomId } from '../protocol/room-id.ts';

export type { DepartmentQueue, LiveSession, OverdueCase, TerminalGroup };

interface Deps {
  repo: PetitionRepository;
  queue: TicketQueue;
  presence: Presence;
  now: () => Date;
}

const secondsSince = (now: Date, iso: string) => Math.round((now.getTime() - Date.parse(iso)) / 1000);

/** Every office with someone waiting or someone online, then leaders' personal queues in use. */
export async function departmentQueues(d: Deps): Promise<DepartmentQueue[]> {
  // Issued together so they share round trips on the connection (398 offices in the seed).
  const rows = await Promise.all(
    (await d.repo.listDepartments()).map(async (dept): Promise<DepartmentQueue | null> => {
      const [length, online] = await Promise.all([d.queue.length(dept.id), d.presence.online(dept.id)]);
      if (length === 0 && online.length === 0) return null;
      const first = length > 0 ? (await d.queue.entries(dept.id, 1))[0] : undefined;
      return { departmentId: dept.id, name: dept.name, length, online: online.length, oldestWaitSeconds: first ? secondsSince(d.now(), first.enqueuedAt) : null };
    }),
  );
  const out = rows.filter((r): r is DepartmentQueue => r !== null);
  for (const leader of (await d.repo.listOfficials()).filter((o) => o.post)) {
    const q = personalQueue(leader.id);
    const length = await d.queue.length(q);
    if (length === 0) continue;
    const first = (await d.queue.entries(q, 1))[0];
    const online = (await d.presence.status(leader.id)) === 'offline' ? 0 : 1;
    out.push({ departmentId: q, name: `${leader.post} ${leader.name}`, length, online, oldestWaitSeconds: first ? secondsSince(d.now(), first.enqueuedAt) : null });
  }
  return out;
}

/** Terminals online/offline per county (township and village terminals counted under it). */
export async function terminalsByCounty(d: Deps): Promise<TerminalGroup[]> {
  const online = await d.presence.onlineTerminals();
  const groups = new Map<string, TerminalGroup>();
  const regionNames = new Map<string, string>();
  for (const t of await d.repo.listTerminals()) {
    const county = t.level === 'city' ? t.regionCode : t.regionCode.slice(0, 6);
    if (!regionNames.has(county)) regionNames.set(county, (await d.repo.getRegion(county))?.name ?? county);
    const g = groups.get(county) ?? { regionCode: county, name: regionNames.get(county)!, total: 0, online: 0, offlineIds: [] };
    g.total++;
    if (online.has(t.id)) g.online++;
    else g.offlineIds.push(t.id);
    groups.set(county, g);
  }
  return [...groups.values()];
}

/** Cases in session now, with the officials currently in them (holding an assigned ticket). */
export async function liveSessions(d: Deps): Promise<LiveSession[]> {
  const out: LiveSession[] = [];
  for (const c of await d.repo.listCases(['in_session', 'joint_session'])) {
    const present = new Set((await d.queue.ticketsOfCase(c.id)).filter((t) => t.state === 'assigned').map((t) => t.officialId));
    const participants = (await d.repo.listParticipants(c.id))
      .filter((p) => present.has(p.officialId))
      .map((p) => ({ officialId: p.officialId, departmentId: p.departmentId, role: p.role }));
    out.push({ case: c, roomId: petitionRoomId(c.id), participants });
  }
  return out;
}

export async function receptionDaysWithBookings(repo: PetitionRepository, now: Date): Promise<ReceptionDayWithBookings[]> {
  const days = await repo.listReceptionDays(now.toISOString());
  return Promise.all(
    days.map(async (day) => {
      const counts = await repo.slotCounts(day.id);
      return { ...day, booked: Array.from({ length: day.slots }, (_, i) => counts.get(i) ?? 0) };
    }),
  );
}
