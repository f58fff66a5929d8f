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
  // One Redis command for every office and leader queue: this is the most expensive read a
  // coordinator (or someone holding a coordinator's token) can repeat.
  const [departments, leaders] = await Promise.all([d.repo.listDepartments(), d.repo.listOfficials().then((os) => os.filter((o) => o.post))]);
  const personal = leaders.map((l) => personalQueue(l.id));
  const counts = await d.queue.overview([...departments.map((x) => x.id), ...personal]);
  const now = d.now();
  const waited = (iso: string | null) => (iso ? secondsSince(now, iso) : null);
  const out: DepartmentQueue[] = [];
  departments.forEach((dept, i) => {
    const c = counts[i]!;
    if (c.length > 0 || c.online > 0) out.push({ departmentId: dept.id, name: dept.name, length: c.length, online: c.online, oldestWaitSeconds: waited(c.oldestEnqueuedAt) });
  });
  for (const [i, leader] of leaders.entries()) {
    const c = counts[departments.length + i]!;
    if (c.length === 0) continue;
    const online = (await d.presence.status(leader.id)) === 'offline' ? 0 : 1;
    out.push({ departmentId: personal[i]!, name: `${leader.post} ${leader.name}`, length: c.length, online, oldestWaitSeconds: waited(c.oldestEnqueuedAt) });
  }
  return out;
}

/** Terminals online/offline per county (township and village terminals counted under it). */
export async function terminalsByCounty(d: Deps): Promise<TerminalGroup[]> {
  const [online, alerts] = await Promise.all([d.presence.onlineTerminals(), d.presence.offlineAlerts()]);
  const groups = new Map<string, TerminalGroup>();
  const regionNames = new Map<string, string>();
  for (const t of await d.repo.listTerminals()) {
    const county = t.level === 'city' ? t.regionCode : t.regionCode.slice(0, 6);
    if (!regionNames.has(county)) regionNames.set(county, (await d.repo.getRegion(county))?.name ?? county);
    const g = groups.get(county) ?? { regionCode: county, name: regionNames.get(county)!, total: 0, online: 0, offline: [] };
    g.total++;
    const since = alerts.get(t.id);
    if (online.has(t.id)) g.online++;
    else g.offline.push({ id: t.id, name: t.name, alertSince: since === undefined ? null : new Date(since).toISOString() });
    groups.set(county, g);
  }
  return [...groups.values()];
}

/** Cases in session now, with the officials currently in them (holding an assigned ticket). */
export async function liveSessions(d: Deps): Promise<LiveSession[]> {
  const out: LiveSession[] = [];
  const cases = await d.repo.listCases(['in_session', 'joint_session']);
  if (cases.length === 0) return out;
  const [officials, departments] = await Promise.all([d.repo.listOfficials(), d.repo.listDepartments()]);
  const officialName = new Map(officials.map((o) => [o.id, o.name]));
  const departmentName = new Map(departments.map((x) => [x.id, x.name]));
  for (const c of cases) {
    const present = new Set((await d.queue.ticketsOfCase(c.id)).filter((t) => t.state === 'assigned').map((t) => t.officialId));
    const participants = (await d.repo.listParticipants(c.id))
      .filter((p) => present.has(p.officialId))
      .map((p) => ({
        officialId: p.officialId,
        officialName: officialName.get(p.officialId) ?? p.officialId,
        departmentId: p.departmentId,
        departmentName: departmentName.get(p.departmentId) ?? p.departmentId,
        role: p.role,
      }));
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
