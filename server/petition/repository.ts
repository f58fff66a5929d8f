// The durable record of the petition domain behind a small interface; SQLite is the embedded
// default. Every case change is written together with its timeline event in one transaction.
import type { Db } from '../core/db.ts';
import type {
  ActorRole,
  Appointment,
  Case,
  CaseEvent,
  CaseEventType,
  CaseState,
  Department,
  Official,
  Participant,
  PriorityFlags,
  Rating,
  ReceptionDay,
  Region,
  Terminal,
  Level,
} from './types.ts';

export interface NewEvent {
  at: string;
  actorId: string;
  actorRole: ActorRole;
  type: CaseEventType;
  data?: Record<string, unknown>;
}

export type NewCase = Omit<Case, 'id' | 'updatedAt'>;

export type CasePatch = Partial<
  Pick<
    Case,
    | 'state'
    | 'departmentId'
    | 'officialId'
    | 'routedDepartmentIds'
    | 'handleDeadline'
    | 'handleExtended'
    | 'extensionReason'
    | 'acceptedAt'
    | 'opinion'
    | 'opinionAt'
    | 'rating'
    | 'ratedAt'
    | 'appointment'
  >
>;

export interface Directory {
  regions: Region[];
  terminals: Terminal[];
  departments: Department[];
  officials: Official[];
  receptionDays: ReceptionDay[];
}

export interface AssignmentRecord {
  ticketId: string;
  caseId: string;
  officialId: string;
  departmentId: string;
  kind: string;
  assignedAt: string;
}

export interface BookedAppointment {
  caseId: string;
  dayId: string;
  slot: number;
  bookedAt: string;
  admitted: boolean;
}

export interface PetitionRepository {
  importDirectory(dir: Directory): void;
  getRegion(code: string): Region | undefined;
  getTerminal(id: string): Terminal | undefined;
  listTerminals(): Terminal[];
  getDepartment(id: string): Department | undefined;
  findDepartment(kind: string, regionCode: string): Department | undefined;
  listDepartments(): Department[];
  getOfficial(id: string): Official | undefined;
  listOfficials(departmentId?: string): Official[];
  getReceptionDay(id: string): ReceptionDay | undefined;
  listReceptionDays(fromIso: string): ReceptionDay[];

  /** Creates the case with an id like XF20261126-000042 and writes its first event. */
  createCase(c: NewCase, event: NewEvent): Case;
  getCase(id: string): Case | undefined;
  /**
   * Applies the patch and appends the event atomically. With `expectState`, changes nothing and
   * returns undefined unless the case is in one of those states (a compare-and-set).
   */
  updateCase(id: string, patch: CasePatch, event: NewEvent, expectState?: readonly CaseState[]): Case | undefined;
  appendEvent(caseId: string, event: NewEvent): void;
  timeline(caseId: string): CaseEvent[];
  listCases(states: readonly CaseState[]): Case[];

  addParticipant(p: Participant): boolean;
  listParticipants(caseId: string): Participant[];
  /**
   * Records an assigned ticket together with the case change (computed from the case as it is
   * inside the transaction), its event and the participant, in one transaction. Returns the
   * updated case, or undefined (nothing changed) if this ticket was already recorded.
   */
  applyAssignment(a: AssignmentRecord, patchFor: (current: Case) => CasePatch, event: NewEvent, participant: Participant): Case | undefined;
  /** Records an assigned ticket once; false if it was already recorded. */
  recordAssignment(a: AssignmentRecord): boolean;
  assignmentsOf(caseId: string): { ticketId: string; officialId: string; departmentId: string; kind: string }[];

  /** Books a slot atomically (across processes); false when the slot is full. */
  bookAppointment(caseId: string, dayId: string, slot: number, capacity: number, at: string): boolean;
  getAppointment(caseId: string): BookedAppointment | undefined;
  /** Undoes a booking that could not be completed. */
  cancelAppointment(caseId: string): void;
  slotCounts(dayId: string): Map<number, number>;
  /** Appointments whose slot has started and that are not yet in a queue. */
  dueAppointments(nowIso: string): (BookedAppointment & { departmentId: string; officialId: string })[];
  markAdmitted(caseId: string): boolean;
}

interface CaseRow {
  id: string;
  terminal_id: string;
  region_code: string;
  category: string;
  petitioner_name: string | null;
  id_number_masked: string | null;
  phone: string | null;
  description: string | null;
  flags: string;
  state: CaseState;
  routed_department_ids: string;
  department_id: string | null;
  official_id: string | null;
  registered_at: string;
  accept_deadline: string;
  handle_deadline: string;
  handle_extended: number;
  extension_reason: string | null;
  accepted_at: string | null;
  opinion: string | null;
  opinion_at: string | null;
  rating: Rating | null;
  rated_at: string | null;
  appointment: string | null;
  updated_at: string;
}

const toCase = (r: CaseRow): Case => ({
  id: r.id,
  terminalId: r.terminal_id,
  regionCode: r.region_code,
  category: r.category,
  petitionerName: r.petitioner_name,
  idNumberMasked: r.id_number_masked,
  phone: r.phone,
  description: r.description,
  flags: JSON.parse(r.flags) as PriorityFlags,
  state: r.state,
  routedDepartmentIds: JSON.parse(r.routed_department_ids) as string[],
  departmentId: r.department_id,
  officialId: r.official_id,
  registeredAt: r.registered_at,
  acceptDeadline: r.accept_deadline,
  handleDeadline: r.handle_deadline,
  handleExtended: r.handle_extended === 1,
  extensionReason: r.extension_reason,
  acceptedAt: r.accepted_at,
  opinion: r.opinion,
  opinionAt: r.opinion_at,
  rating: r.rating,
  ratedAt: r.rated_at,
  appointment: r.appointment ? (JSON.parse(r.appointment) as Appointment) : null,
  updatedAt: r.updated_at,
});

const PATCH_COLUMNS: Record<keyof CasePatch, [string, (v: never) => unknown]> = {
  state: ['state', (v: CaseState) => v],
  departmentId: ['department_id', (v: string | null) => v],
  officialId: ['official_id', (v: string | null) => v],
  routedDepartmentIds: ['routed_department_ids', (v: string[]) => JSON.stringify(v)],
  handleDeadline: ['handle_deadline', (v: string) => v],
  handleExtended: ['handle_extended', (v: boolean) => (v ? 1 : 0)],
  extensionReason: ['extension_reason', (v: string | null) => v],
  acceptedAt: ['accepted_at', (v: string | null) => v],
  opinion: ['opinion', (v: string | null) => v],
  opinionAt: ['opinion_at', (v: string | null) => v],
  rating: ['rating', (v: Rating | null) => v],
  ratedAt: ['rated_at', (v: string | null) => v],
  appointment: ['appointment', (v: Appointment | null) => (v ? JSON.stringify(v) : null)],
};

export class SqlitePetitionRepository implements PetitionRepository {
  constructor(private readonly db: Db) {}

  importDirectory(dir: Directory): void {
    const db = this.db;
    db.transaction(() => {
      const region = db.prepare(
        'INSERT OR REPLACE INTO petition_regions (code, name, level, parent_code) VALUES (?, ?, ?, ?)',
      );
      for (const r of dir.regions) region.run(r.code, r.name, r.level, r.parentCode);
      const terminal = db.prepare(
        'INSERT OR REPLACE INTO petition_terminals (id, name, level, region_code, parent_region_code) VALUES (?, ?, ?, ?, ?)',
      );
      for (const t of dir.terminals) terminal.run(t.id, t.name, t.level, t.regionCode, t.parentRegionCode);
      const dept = db.prepare(
        'INSERT OR REPLACE INTO petition_departments (id, kind, name, level, region_code) VALUES (?, ?, ?, ?, ?)',
      );
      for (const d of dir.departments) dept.run(d.id, d.kind, d.name, d.level, d.regionCode);
      const official = db.prepare(
        'INSERT OR REPLACE INTO petition_officials (id, name, department_id, level, region_code, max_sessions, post) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      for (const o of dir.officials) official.run(o.id, o.name, o.departmentId, o.level, o.regionCode, o.maxSessions, o.post);
      const day = db.prepare(`INSERT OR REPLACE INTO petition_reception_days
        (id, official_id, leader_name, post, portfolio, department_id, region_code, place, starts_at, slot_minutes, slots, capacity_per_slot)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      for (const d of dir.receptionDays) {
        day.run(d.id, d.officialId, d.leaderName, d.post, d.portfolio, d.departmentId, d.regionCode, d.place, d.startsAt, d.slotMinutes, d.slots, d.capacityPerSlot);
      }
    })();
  }

  getRegion(code: string): Region | undefined {
    const r = this.db.prepare('SELECT code, name, level, parent_code FROM petition_regions WHERE code = ?').get(code) as
      | { code: string; name: string; level: Level; parent_code: string | null }
      | undefined;
    return r && { code: r.code, name: r.name, level: r.level, parentCode: r.parent_code };
  }

  getTerminal(id: string): Terminal | undefined {
    return this.db
      .prepare('SELECT id, name, level, region_code AS regionCode, parent_region_code AS parentRegionCode FROM petition_terminals WHERE id = ?')
      .get(id) as Terminal | undefined;
  }

  listTerminals(): Terminal[] {
    return this.db
      .prepare('SELECT id, name, level, region_code AS regionCode, parent_region_code AS parentRegionCode FROM petition_terminals ORDER BY id')
      .all() as Terminal[];
  }

  getDepartment(id: string): Department | undefined {
    return this.db
      .prepare('SELECT id, kind, name, level, region_code AS regionCode FROM petition_departments WHERE id = ?')
      .get(id) as Department | undefined;
  }

  findDepartment(kind: string, regionCode: string): Department | undefined {
    return this.db
      .prepare('SELECT id, kind, name, level, region_code AS regionCode FROM petition_departments WHERE kind = ? AND region_code = ?')
      .get(kind, regionCode) as Department | undefined;
  }

  listDepartments(): Department[] {
    return this.db
      .prepare('SELECT id, kind, name, level, region_code AS regionCode FROM petition_departments ORDER BY id')
      .all() as Department[];
  }

  getOfficial(id: string): Official | undefined {
    return this.db
      .prepare(`SELECT id, name, department_id AS departmentId, level, region_code AS regionCode,
                max_sessions AS maxSessions, post FROM petition_officials WHERE id = ?`)
      .get(id) as Official | undefined;
  }

  listOfficials(departmentId?: string): Official[] {
    const sql = `SELECT id, name, department_id AS departmentId, level, region_code AS regionCode,
                 max_sessions AS maxSessions, post FROM petition_officials`;
    return (departmentId
      ? this.db.prepare(`${sql} WHERE department_id = ? ORDER BY id`).all(departmentId)
      : this.db.prepare(`${sql} ORDER BY id`).all()) as Official[];
  }

  private static readonly DAY_COLUMNS = `id, official_id AS officialId, leader_name AS leaderName, post, portfolio,
    department_id AS departmentId, region_code AS regionCode, place, starts_at AS startsAt,
    slot_minutes AS slotMinutes, slots, capacity_per_slot AS capacityPerSlot`;

  getReceptionDay(id: string): ReceptionDay | undefined {
    return this.db
      .prepare(`SELECT ${SqlitePetitionRepository.DAY_COLUMNS} FROM petition_reception_days WHERE id = ?`)
      .get(id) as ReceptionDay | undefined;
  }

  listReceptionDays(fromIso: string): ReceptionDay[] {
    return this.db
      .prepare(`SELECT ${SqlitePetitionRepository.DAY_COLUMNS} FROM petition_reception_days WHERE starts_at >= ? ORDER BY starts_at, id`)
      .all(fromIso.slice(0, 10)) as ReceptionDay[];
  }

  createCase(c: NewCase, event: NewEvent): Case {
    const day = c.registeredAt.slice(0, 10).replaceAll('-', '');
    return this.db
      .transaction(() => {
        const row = this.db
          .prepare(`INSERT INTO petition_case_counters (day, last) VALUES (?, 1)
                    ON CONFLICT(day) DO UPDATE SET last = last + 1 RETURNING last`)
          .get(day) as { last: number };
        const id = `XF${day}-${String(row.last).padStart(6, '0')}`;
        this.db
          .prepare(`INSERT INTO petition_cases (id, terminal_id, region_code, category, petitioner_name, id_number_masked,
            phone, description, flags, state, routed_department_ids, department_id, official_id, registered_at,
            accept_deadline, handle_deadline, handle_extended, extension_reason, accepted_at, opinion, opinion_at,
            rating, rated_at, appointment, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
          .run(
            id, c.terminalId, c.regionCode, c.category, c.petitionerName, c.idNumberMasked, c.phone, c.description,
            JSON.stringify(c.flags), c.state, JSON.stringify(c.routedDepartmentIds), c.departmentId, c.officialId,
            c.registeredAt, c.acceptDeadline, c.handleDeadline, c.handleExtended ? 1 : 0, c.extensionReason,
            c.acceptedAt, c.opinion, c.opinionAt, c.rating, c.ratedAt,
            c.appointment ? JSON.stringify(c.appointment) : null, c.registeredAt,
          );
        this.insertEvent(id, event);
        return this.getCase(id)!;
      })
      .immediate();
  }

  getCase(id: string): Case | undefined {
    const r = this.db.prepare('SELECT * FROM petition_cases WHERE id = ?').get(id) as CaseRow | undefined;
    return r && toCase(r);
  }

  updateCase(id: string, patch: CasePatch, event: NewEvent, expectState?: readonly CaseState[]): Case | undefined {
    return this.db
      .transaction(() => {
        const current = this.getCase(id);
        if (!current) return undefined;
        if (expectState && !expectState.includes(current.state)) return undefined;
        const sets: string[] = ['updated_at = ?'];
        const values: unknown[] = [event.at];
        for (const [key, value] of Object.entries(patch) as [keyof CasePatch, never][]) {
          const [column, encode] = PATCH_COLUMNS[key];
          sets.push(`${column} = ?`);
          values.push(encode(value));
        }
        this.db.prepare(`UPDATE petition_cases SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
        this.insertEvent(id, event);
        return this.getCase(id);
      })
      .immediate();
  }

  appendEvent(caseId: string, event: NewEvent): void {
    this.insertEvent(caseId, event);
  }

  private insertEvent(caseId: string, e: NewEvent): void {
    this.db
      .prepare('INSERT INTO petition_case_events (case_id, at, actor_id, actor_role, type, data) VALUES (?, ?, ?, ?, ?, ?)')
      .run(caseId, e.at, e.actorId, e.actorRole, e.type, JSON.stringify(e.data ?? {}));
  }

  timeline(caseId: string): CaseEvent[] {
    const rows = this.db
      .prepare('SELECT seq, case_id, at, actor_id, actor_role, type, data FROM petition_case_events WHERE case_id = ? ORDER BY seq')
      .all(caseId) as { seq: number; case_id: string; at: string; actor_id: string; actor_role: ActorRole; type: CaseEventType; data: string }[];
    return rows.map((r) => ({
      seq: r.seq,
      caseId: r.case_id,
      at: r.at,
      actorId: r.actor_id,
      actorRole: r.actor_role,
      type: r.type,
      data: JSON.parse(r.data) as Record<string, unknown>,
    }));
  }

  listCases(states: readonly CaseState[]): Case[] {
    if (states.length === 0) return [];
    const rows = this.db
      .prepare(`SELECT * FROM petition_cases WHERE state IN (${states.map(() => '?').join(',')}) ORDER BY registered_at, id`)
      .all(...states) as CaseRow[];
    return rows.map(toCase);
  }

  addParticipant(p: Participant): boolean {
    const r = this.db
      .prepare('INSERT OR IGNORE INTO petition_participants (case_id, official_id, department_id, role, joined_at) VALUES (?, ?, ?, ?, ?)')
      .run(p.caseId, p.officialId, p.departmentId, p.role, p.joinedAt);
    return r.changes === 1;
  }

  listParticipants(caseId: string): Participant[] {
    return this.db
      .prepare(`SELECT case_id AS caseId, official_id AS officialId, department_id AS departmentId, role, joined_at AS joinedAt
                FROM petition_participants WHERE case_id = ? ORDER BY joined_at, rowid`)
      .all(caseId) as Participant[];
  }

  recordAssignment(a: AssignmentRecord): boolean {
    const r = this.db
      .prepare(`INSERT OR IGNORE INTO petition_assignments (ticket_id, case_id, official_id, department_id, kind, assigned_at)
                VALUES (?, ?, ?, ?, ?, ?)`)
      .run(a.ticketId, a.caseId, a.officialId, a.departmentId, a.kind, a.assignedAt);
    return r.changes === 1;
  }

  applyAssignment(a: AssignmentRecord, patchFor: (current: Case) => CasePatch, event: NewEvent, participant: Participant): Case | undefined {
    return this.db
      .transaction(() => {
        const current = this.getCase(a.caseId);
        if (!current || !this.recordAssignment(a)) return undefined;
        this.addParticipant(participant);
        return this.updateCase(a.caseId, patchFor(current), event);
      })
      .immediate();
  }

  assignmentsOf(caseId: string): { ticketId: string; officialId: string; departmentId: string; kind: string }[] {
    return this.db
      .prepare(`SELECT ticket_id AS ticketId, official_id AS officialId, department_id AS departmentId, kind
                FROM petition_assignments WHERE case_id = ? ORDER BY assigned_at, ticket_id`)
      .all(caseId) as { ticketId: string; officialId: string; departmentId: string; kind: string }[];
  }

  bookAppointment(caseId: string, dayId: string, slot: number, capacity: number, at: string): boolean {
    return this.db
      .transaction(() => {
        const { n } = this.db
          .prepare('SELECT count(*) AS n FROM petition_appointments WHERE day_id = ? AND slot = ?')
          .get(dayId, slot) as { n: number };
        if (n >= capacity) return false;
        const r = this.db
          .prepare('INSERT OR IGNORE INTO petition_appointments (case_id, day_id, slot, booked_at) VALUES (?, ?, ?, ?)')
          .run(caseId, dayId, slot, at);
        return r.changes === 1;
      })
      .immediate();
  }

  getAppointment(caseId: string): BookedAppointment | undefined {
    const r = this.db
      .prepare('SELECT case_id, day_id, slot, booked_at, admitted FROM petition_appointments WHERE case_id = ?')
      .get(caseId) as { case_id: string; day_id: string; slot: number; booked_at: string; admitted: number } | undefined;
    return r && { caseId: r.case_id, dayId: r.day_id, slot: r.slot, bookedAt: r.booked_at, admitted: r.admitted === 1 };
  }

  cancelAppointment(caseId: string): void {
    this.db.prepare('DELETE FROM petition_appointments WHERE case_id = ? AND admitted = 0').run(caseId);
  }

  slotCounts(dayId: string): Map<number, number> {
    const rows = this.db
      .prepare('SELECT slot, count(*) AS n FROM petition_appointments WHERE day_id = ? GROUP BY slot')
      .all(dayId) as { slot: number; n: number }[];
    return new Map(rows.map((r) => [r.slot, r.n]));
  }

  dueAppointments(nowIso: string): (BookedAppointment & { departmentId: string; officialId: string })[] {
    const rows = this.db
      .prepare(`SELECT a.case_id, a.day_id, a.slot, a.booked_at, d.department_id, d.official_id, d.starts_at, d.slot_minutes
                FROM petition_appointments a JOIN petition_reception_days d ON d.id = a.day_id
                WHERE a.admitted = 0`)
      .all() as { case_id: string; day_id: string; slot: number; booked_at: string; department_id: string; official_id: string; starts_at: string; slot_minutes: number }[];
    const now = Date.parse(nowIso);
    return rows
      .filter((r) => Date.parse(r.starts_at) + r.slot * r.slot_minutes * 60_000 <= now)
      .map((r) => ({ caseId: r.case_id, dayId: r.day_id, slot: r.slot, bookedAt: r.booked_at, admitted: false, departmentId: r.department_id, officialId: r.official_id }));
  }

  markAdmitted(caseId: string): boolean {
    return this.db.prepare('UPDATE petition_appointments SET admitted = 1 WHERE case_id = ? AND admitted = 0').run(caseId).changes === 1;
  }
}
