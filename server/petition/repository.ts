// The durable record of the petition domain behind a small interface, on the node's store
// (SQLite or PostgreSQL, server/core/db.ts). Every case change is written together with its
// timeline event in one transaction; read-check-write steps lock the row they read.
import { sql, type Generated, type Insertable, type Kysely, type Selectable, type Transaction } from 'kysely';
import { reusable, type Executor, type Store } from '../core/db.ts';
import { insertRows, updateRows } from '../core/row-statements.ts';
import { WriteBatches } from '../core/write-batches.ts';
import { localDate } from './clocks.ts';
import type {
  AcceptanceDecision,
  CaseStage,
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

/**
 * Rows of the rest of the petition store that new cases are born with (the case life's
 * acceptance clocks), written in their registration's own transaction.
 */
export type RegistrationRows = (trx: Transaction<PetitionTables>, created: readonly Case[]) => Promise<void>;

/**
 * Rows written in the transaction of a batch of assignments (the leads' clocks and handlers),
 * given the writes that were recorded, each with its case as it updated it, in the batch's order.
 */
export type AssignmentRows = (trx: Transaction<PetitionTables>, recorded: readonly { write: AssignmentWrite; case: Case }[]) => Promise<void>;

/** One petition start's durable write (registerCases). */
export interface NewRegistration {
  case: NewCase;
  /** Its first events, in order, given its number: `registered`, and `queued` when it goes straight into a queue. */
  events: (caseId: string) => NewEvent[];
  /** A case of the terminal in one of these states is answered instead (`created: false`). */
  openStates: readonly CaseState[];
  /** The receipt's query code, kept as its hash (salted with the case number). */
  queryCodeHash?: (caseId: string) => string;
}

export type NewCase = Omit<Case, 'id' | 'updatedAt' | 'stage' | 'acceptance' | 'acceptanceBody' | 'resultRating' | 'resultRatedAt'>;

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
    | 'stage'
    | 'acceptance'
    | 'acceptanceBody'
    | 'resultRating'
    | 'resultRatedAt'
    | 'terminalId'
  >
>;

export interface Directory {
  regions: Region[];
  terminals: Terminal[];
  departments: Department[];
  officials: Official[];
  receptionDays: ReceptionDay[];
}

/** One assigned ticket's durable side (applyAssignments). */
export interface AssignmentWrite {
  assignment: AssignmentRecord;
  patchFor: (current: Case) => CasePatch;
  event: NewEvent;
  participant: Participant;
}

export interface AssignmentRecord {
  ticketId: string;
  caseId: string;
  officialId: string;
  departmentId: string;
  kind: string;
  assignedAt: string;
}

/** A booked slot with its reception day: whose it is, where, when it starts. */
export type DueAppointment = BookedAppointment & { departmentId: string; officialId: string; leaderName: string; place: string; slotStartsAt: string };

export interface BookedAppointment {
  caseId: string;
  dayId: string;
  slot: number;
  bookedAt: string;
  admitted: boolean;
}

export interface PetitionRepository {
  importDirectory(dir: Directory): Promise<void>;
  getRegion(code: string): Promise<Region | undefined>;
  listRegions(): Promise<Region[]>;
  getTerminal(id: string): Promise<Terminal | undefined>;
  listTerminals(): Promise<Terminal[]>;
  getDepartment(id: string): Promise<Department | undefined>;
  findDepartment(kind: string, regionCode: string): Promise<Department | undefined>;
  /**
   * The offices of these kinds in the region and each of its ancestors, nearest region first,
   * with the level of the region they sit in: what routing picks from, in one query.
   */
  departmentsAlong(regionCode: string, kinds: readonly string[]): Promise<{ department: Department; regionLevel: Level }[]>;
  listDepartments(): Promise<Department[]>;
  getOfficial(id: string): Promise<Official | undefined>;
  listOfficials(departmentId?: string): Promise<Official[]>;
  getReceptionDay(id: string): Promise<ReceptionDay | undefined>;
  /** Publishes or changes one reception day. */
  saveReceptionDay(day: ReceptionDay): Promise<void>;
  removeReceptionDay(id: string): Promise<boolean>;
  listReceptionDays(fromIso: string): Promise<ReceptionDay[]>;

  /**
   * Creates the case with a case number like XF20261126-000042 — from the day's counter row in
   * the shared store, so every node draws from one sequence — and writes its first event.
   */
  createCase(c: NewCase, event: NewEvent): Promise<Case>;
  /**
   * Registers many petition starts in one transaction (one commit for a burst of starts): each
   * case is created unless its terminal already has one in its `openStates`, which is answered
   * instead (`created: false`; a second start at one terminal in the same batch gets the first's).
   * The terminals' row locks make check and insert one step across nodes; they are taken in one
   * order (by id) on every node. `alsoWrite` adds the rows the new cases are born with.
   */
  registerCases(regs: readonly NewRegistration[], alsoWrite?: RegistrationRows): Promise<{ case: Case; created: boolean }[]>;
  getCase(id: string): Promise<Case | undefined>;
  /** Many cases in one query per 500 ids (those that exist, in no particular order). */
  getCases(ids: readonly string[]): Promise<Case[]>;
  /** The same, only the columns a wait tells (the wait pass reads thousands at once). */
  caseStates(ids: readonly string[]): Promise<Pick<Case, 'id' | 'state' | 'regionCode'>[]>;
  /**
   * Undoes a registration that could not be queued (Redis out of reach): deletes the case, its
   * timeline and its clocks, only while it is still waiting (`registered`, or `queued` and never
   * assigned: a start writes its case queued before the ticket reaches Redis). True when it was deleted. Its case number
   * is not handed out again (a later case may already hold the next one).
   */
  discardRegistration(id: string): Promise<boolean>;
  /**
   * Applies the patch and appends the event atomically. With `expectState`, changes nothing and
   * returns undefined unless the case is in one of those states (a compare-and-set).
   */
  updateCase(id: string, patch: CasePatch, event: NewEvent, expectState?: readonly CaseState[]): Promise<Case | undefined>;
  appendEvent(caseId: string, event: NewEvent): Promise<void>;
  timeline(caseId: string): Promise<CaseEvent[]>;
  listCases(states: readonly CaseState[]): Promise<Case[]>;

  listParticipants(caseId: string): Promise<Participant[]>;
  /**
   * Records assigned tickets, each together with its case change (computed from the case as it is
   * inside the transaction), its event and the participant, all in one transaction (one commit
   * for a burst of claims; one statement per table, whatever their number). The cases are locked
   * in one order (by id) on every node; writes of one case apply in the order given. One result
   * per write: the updated case, or undefined (nothing changed) when its ticket was already
   * recorded (or given twice) or its case is gone. `alsoWrite` adds rows of the recorded writes.
   */
  applyAssignments(ws: readonly AssignmentWrite[], alsoWrite?: AssignmentRows): Promise<(Case | undefined)[]>;
  assignmentsOf(caseId: string): Promise<{ ticketId: string; officialId: string; departmentId: string; kind: string }[]>;

  /** Books a slot atomically (across processes); false when the slot is full. */
  bookAppointment(caseId: string, dayId: string, slot: number, capacity: number, at: string): Promise<boolean>;
  getAppointment(caseId: string): Promise<BookedAppointment | undefined>;
  /** Undoes a booking that could not be completed. */
  cancelAppointment(caseId: string): Promise<void>;
  slotCounts(dayId: string): Promise<Map<number, number>>;
  /** Appointments whose slot has started and that are not yet in a queue. */
  /** Booked appointments not yet admitted whose slot starts at or before `untilIso`. */
  dueAppointments(untilIso: string): Promise<DueAppointment[]>;
  markAdmitted(caseId: string): Promise<boolean>;
}


/** The petition tables as stored (docs/store.md). */
export interface PetitionTables {
  petition_regions: { code: string; name: string; level: Level; parent_code: string | null };
  petition_terminals: { id: string; name: string; level: Level; region_code: string; parent_region_code: string | null };
  petition_departments: { id: string; kind: string; name: string; level: Level; region_code: string };
  petition_officials: { id: string; name: string; department_id: string; level: Level; region_code: string; max_sessions: number; post: string | null; is_head: Generated<number> };
  petition_reception_days: {
    id: string;
    official_id: string;
    leader_name: string;
    post: string;
    portfolio: string;
    department_id: string;
    region_code: string;
    place: string;
    starts_at: string;
    slot_minutes: number;
    slots: number;
    capacity_per_slot: number;
  };
  /** One row per day: `last` is the last case number issued that day (XF<day>-<last>). */
  petition_case_counters: { day: string; last: number };
  petition_cases: CaseRow;
  petition_case_events: {
    seq: Generated<number>;
    case_id: string;
    at: string;
    actor_id: string;
    actor_role: ActorRole;
    type: CaseEventType;
    data: string;
  };
  petition_participants: { case_id: string; official_id: string; department_id: string; role: 'lead' | 'invited'; joined_at: string; seq: number };
  petition_assignments: { ticket_id: string; case_id: string; official_id: string; department_id: string; kind: string; assigned_at: string };
  petition_appointments: { case_id: string; day_id: string; slot: number; booked_at: string; admitted: Generated<number> };
}

export interface CaseRow {
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
  stage: Generated<CaseStage>;
  acceptance: AcceptanceDecision | null;
  acceptance_body: string | null;
  result_rating: Rating | null;
  result_rated_at: string | null;
  query_code_hash: string | null;
}

type Q = Executor<PetitionTables>;

export const toCase = (r: Selectable<CaseRow>): Case => ({
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
  stage: r.stage,
  acceptance: r.acceptance,
  acceptanceBody: r.acceptance_body,
  resultRating: r.result_rating,
  resultRatedAt: r.result_rated_at,
});

export function patchColumns(patch: CasePatch): Partial<Omit<CaseRow, 'stage'>> & { stage?: CaseStage } {
  const out: Partial<Omit<CaseRow, 'stage'>> & { stage?: CaseStage } = {};
  if (patch.state !== undefined) out.state = patch.state;
  if (patch.departmentId !== undefined) out.department_id = patch.departmentId;
  if (patch.officialId !== undefined) out.official_id = patch.officialId;
  if (patch.routedDepartmentIds !== undefined) out.routed_department_ids = JSON.stringify(patch.routedDepartmentIds);
  if (patch.handleDeadline !== undefined) out.handle_deadline = patch.handleDeadline;
  if (patch.handleExtended !== undefined) out.handle_extended = patch.handleExtended ? 1 : 0;
  if (patch.extensionReason !== undefined) out.extension_reason = patch.extensionReason;
  if (patch.acceptedAt !== undefined) out.accepted_at = patch.acceptedAt;
  if (patch.opinion !== undefined) out.opinion = patch.opinion;
  if (patch.opinionAt !== undefined) out.opinion_at = patch.opinionAt;
  if (patch.rating !== undefined) out.rating = patch.rating;
  if (patch.ratedAt !== undefined) out.rated_at = patch.ratedAt;
  if (patch.appointment !== undefined) out.appointment = patch.appointment ? JSON.stringify(patch.appointment) : null;
  if (patch.stage !== undefined) out.stage = patch.stage;
  if (patch.acceptance !== undefined) out.acceptance = patch.acceptance;
  if (patch.acceptanceBody !== undefined) out.acceptance_body = patch.acceptanceBody;
  if (patch.resultRating !== undefined) out.result_rating = patch.resultRating;
  if (patch.resultRatedAt !== undefined) out.result_rated_at = patch.resultRatedAt;
  if (patch.terminalId !== undefined) out.terminal_id = patch.terminalId;
  return out;
}

/** The readable case number: XF + the day (UTC, as registered) + the day's counter, 6 digits. */
export const caseNumber = (day: string, n: number) => `XF${day}-${String(n).padStart(6, '0')}`;

/** Rows per INSERT when loading the directory: well inside both dialects' parameter limits. */
const CHUNK = 500;
const chunks = <T>(rows: readonly T[]): T[][] => Array.from({ length: Math.ceil(rows.length / CHUNK) }, (_, i) => rows.slice(i * CHUNK, (i + 1) * CHUNK));

const TERMINAL = ['id', 'name', 'level', 'region_code as regionCode', 'parent_region_code as parentRegionCode'] as const;
const DEPARTMENT = ['id', 'kind', 'name', 'level', 'region_code as regionCode'] as const;
const OFFICIAL_COLUMNS = ['id', 'name', 'department_id as departmentId', 'level', 'region_code as regionCode', 'max_sessions as maxSessions', 'post', 'is_head'] as const;
const toOfficial = ({ is_head, ...o }: { is_head: number } & Omit<Official, 'head'>): Official => ({ ...o, head: is_head === 1 });
const DAY = [
  'id',
  'official_id as officialId',
  'leader_name as leaderName',
  'post',
  'portfolio',
  'department_id as departmentId',
  'region_code as regionCode',
  'place',
  'starts_at as startsAt',
  'slot_minutes as slotMinutes',
  'slots',
  'capacity_per_slot as capacityPerSlot',
] as const;

/** Exactly one row written: an insert that was not a duplicate, an update that matched. */
const one = (n: bigint | undefined): boolean => n === 1n;

export class DbPetitionRepository implements PetitionRepository {
  /** The store it writes to (the case life's records share it). */
  readonly store: Store;
  readonly #store: Store;
  readonly #db: Kysely<PetitionTables>;
  readonly #official: ReturnType<typeof reusable<Omit<Official, 'head'> & { is_head: number }>>;
  /**
   * Every claim and desk action checks its official: the checks asked for while one turn of the
   * event loop completes are one query (a burst of 100 claims, one statement instead of 100).
   */
  readonly #officials = new WriteBatches<string, Official | undefined>(async (ids) => {
    const unique = [...new Set(ids)];
    const rows = unique.length === 1
      ? await this.#official(this.#db, unique[0])
      : await this.#db.selectFrom('petition_officials').select(OFFICIAL_COLUMNS).where('id', 'in', unique).execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => {
      const r = byId.get(id);
      return r && toOfficial(r);
    });
  }, 64);
  /** Every petition start reads its terminal: likewise one query for a burst of starts. */
  readonly #terminals = new WriteBatches<string, Terminal | undefined>(async (ids) => {
    const rows = await this.#db.selectFrom('petition_terminals').select(TERMINAL).where('id', 'in', [...new Set(ids)]).execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => {
      const r = byId.get(id);
      return r && { ...r };
    });
  }, 64);

  /**
   * Every start routes its petition along its terminal's region chain: the routes asked for while
   * one turn of the event loop completes are one statement (the chains of all their regions).
   */
  readonly #routes = new WriteBatches<{ regionCode: string; kinds: readonly string[] }, { department: Department; regionLevel: Level }[]>(async (asks) => {
    const pairs = new Map<string, [code: string, kind: string]>();
    for (const a of asks) for (const kind of a.kinds) pairs.set(`${a.regionCode} ${kind}`, [a.regionCode, kind]);
    // Each (region, kind) asked for climbs its region chain by a recursive CTE (both dialects) and
    // meets the office of its kind at each step by the (kind, region_code) key. CROSS JOIN keeps
    // that loop order in SQLite, whose planner otherwise began from every office of the kind
    // city-wide and built an automatic index on the chain each time (≈2.5× slower); PostgreSQL
    // plans it as the inner join it is.
    const { rows } = await sql<Department & { origin: string; regionLevel: Level }>`
      WITH RECURSIVE ask(origin, kind) AS (VALUES ${sql.join([...pairs.values()].map(([code, kind]) => sql`(${code}, ${kind})`))}),
      chain(origin, kind, code, level, parent_code, depth) AS (
        SELECT ask.origin, ask.kind, r.code, r.level, r.parent_code, 0 FROM ask CROSS JOIN petition_regions r WHERE r.code = ask.origin
        UNION ALL
        SELECT chain.origin, chain.kind, r.code, r.level, r.parent_code, chain.depth + 1 FROM chain CROSS JOIN petition_regions r WHERE r.code = chain.parent_code
      )
      SELECT chain.origin, d.id, d.kind, d.name, d.level, d.region_code AS "regionCode", chain.level AS "regionLevel"
      FROM chain CROSS JOIN petition_departments d
      WHERE d.kind = chain.kind AND d.region_code = chain.code
      ORDER BY chain.origin, chain.depth, d.id`.execute(this.#db);
    const byOrigin = new Map<string, { department: Department; regionLevel: Level }[]>();
    for (const { origin, regionLevel, ...department } of rows) {
      const along = byOrigin.get(origin) ?? [];
      along.push({ department, regionLevel });
      byOrigin.set(origin, along);
    }
    return asks.map((a) => (byOrigin.get(a.regionCode) ?? []).filter((d) => a.kinds.includes(d.department.kind)));
  }, 64);

  constructor(store: Store) {
    this.store = store;
    this.#store = store;
    this.#db = store.db<PetitionTables>();
    this.#official = reusable(this.#db.selectFrom('petition_officials').select(OFFICIAL_COLUMNS).where('id', '=', '').compile());
  }

  /** Loads (or refreshes) the directory; existing rows are updated in place, parents first. */
  async importDirectory(dir: Directory): Promise<void> {
    await this.#store.transaction<PetitionTables, void>(async (trx) => {
      for (const rows of chunks(dir.regions)) {
        await trx
          .insertInto('petition_regions')
          .values(rows.map((r) => ({ code: r.code, name: r.name, level: r.level, parent_code: r.parentCode })))
          .onConflict((oc) => oc.column('code').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), level: eb.ref('excluded.level'), parent_code: eb.ref('excluded.parent_code') })))
          .execute();
      }
      for (const rows of chunks(dir.terminals)) {
        await trx
          .insertInto('petition_terminals')
          .values(rows.map((t) => ({ id: t.id, name: t.name, level: t.level, region_code: t.regionCode, parent_region_code: t.parentRegionCode })))
          .onConflict((oc) =>
            oc.column('id').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), level: eb.ref('excluded.level'), region_code: eb.ref('excluded.region_code'), parent_region_code: eb.ref('excluded.parent_region_code') })),
          )
          .execute();
      }
      for (const rows of chunks(dir.departments)) {
        await trx
          .insertInto('petition_departments')
          .values(rows.map((d) => ({ id: d.id, kind: d.kind, name: d.name, level: d.level, region_code: d.regionCode })))
          .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ kind: eb.ref('excluded.kind'), name: eb.ref('excluded.name'), level: eb.ref('excluded.level'), region_code: eb.ref('excluded.region_code') })))
          .execute();
      }
      for (const rows of chunks(dir.officials)) {
        await trx
          .insertInto('petition_officials')
          .values(rows.map((o) => ({ id: o.id, name: o.name, department_id: o.departmentId, level: o.level, region_code: o.regionCode, max_sessions: o.maxSessions, post: o.post, is_head: o.head ? 1 : 0 })))
          .onConflict((oc) =>
            oc.column('id').doUpdateSet((eb) => ({
              name: eb.ref('excluded.name'),
              department_id: eb.ref('excluded.department_id'),
              level: eb.ref('excluded.level'),
              region_code: eb.ref('excluded.region_code'),
              max_sessions: eb.ref('excluded.max_sessions'),
              post: eb.ref('excluded.post'),
              is_head: eb.ref('excluded.is_head'),
            })),
          )
          .execute();
      }
      for (const rows of chunks(dir.receptionDays)) {
        await trx
          .insertInto('petition_reception_days')
          .values(
            rows.map((d) => ({
              id: d.id,
              official_id: d.officialId,
              leader_name: d.leaderName,
              post: d.post,
              portfolio: d.portfolio,
              department_id: d.departmentId,
              region_code: d.regionCode,
              place: d.place,
              starts_at: d.startsAt,
              slot_minutes: d.slotMinutes,
              slots: d.slots,
              capacity_per_slot: d.capacityPerSlot,
            })),
          )
          .onConflict((oc) =>
            oc.column('id').doUpdateSet((eb) => ({
              official_id: eb.ref('excluded.official_id'),
              leader_name: eb.ref('excluded.leader_name'),
              post: eb.ref('excluded.post'),
              portfolio: eb.ref('excluded.portfolio'),
              department_id: eb.ref('excluded.department_id'),
              region_code: eb.ref('excluded.region_code'),
              place: eb.ref('excluded.place'),
              starts_at: eb.ref('excluded.starts_at'),
              slot_minutes: eb.ref('excluded.slot_minutes'),
              slots: eb.ref('excluded.slots'),
              capacity_per_slot: eb.ref('excluded.capacity_per_slot'),
            })),
          )
          .execute();
      }
    });
  }

  async listRegions(): Promise<Region[]> {
    return this.#db.selectFrom('petition_regions').select(['code', 'name', 'level', 'parent_code as parentCode']).orderBy('code').execute();
  }

  async getRegion(code: string): Promise<Region | undefined> {
    return this.#db.selectFrom('petition_regions').select(['code', 'name', 'level', 'parent_code as parentCode']).where('code', '=', code).executeTakeFirst();
  }

  getTerminal(id: string): Promise<Terminal | undefined> {
    return this.#terminals.add(id);
  }

  async listTerminals(): Promise<Terminal[]> {
    return this.#db.selectFrom('petition_terminals').select(TERMINAL).orderBy('id').execute();
  }

  async getDepartment(id: string): Promise<Department | undefined> {
    return this.#db.selectFrom('petition_departments').select(DEPARTMENT).where('id', '=', id).executeTakeFirst();
  }

  async findDepartment(kind: string, regionCode: string): Promise<Department | undefined> {
    return this.#db.selectFrom('petition_departments').select(DEPARTMENT).where('kind', '=', kind).where('region_code', '=', regionCode).executeTakeFirst();
  }

  async departmentsAlong(regionCode: string, kinds: readonly string[]): Promise<{ department: Department; regionLevel: Level }[]> {
    return kinds.length === 0 ? [] : this.#routes.add({ regionCode, kinds });
  }

  async listDepartments(): Promise<Department[]> {
    return this.#db.selectFrom('petition_departments').select(DEPARTMENT).orderBy('id').execute();
  }

  getOfficial(id: string): Promise<Official | undefined> {
    return this.#officials.add(id);
  }

  async listOfficials(departmentId?: string): Promise<Official[]> {
    const rows = await this.#db
      .selectFrom('petition_officials')
      .select(OFFICIAL_COLUMNS)
      .$if(departmentId !== undefined, (q) => q.where('department_id', '=', departmentId!))
      .orderBy('id')
      .execute();
    return rows.map(toOfficial);
  }

  async getReceptionDay(id: string): Promise<ReceptionDay | undefined> {
    return this.#db.selectFrom('petition_reception_days').select(DAY).where('id', '=', id).executeTakeFirst();
  }

  async saveReceptionDay(day: ReceptionDay): Promise<void> {
    await this.importDirectory({ regions: [], terminals: [], departments: [], officials: [], receptionDays: [day] });
  }

  async removeReceptionDay(id: string): Promise<boolean> {
    const r = await this.#db.deleteFrom('petition_reception_days').where('id', '=', id).executeTakeFirst();
    return r.numDeletedRows === 1n;
  }

  async listReceptionDays(fromIso: string): Promise<ReceptionDay[]> {
    return this.#db.selectFrom('petition_reception_days').select(DAY).where('starts_at', '>=', fromIso.slice(0, 10)).orderBy('starts_at').orderBy('id').execute();
  }

  async createCase(c: NewCase, event: NewEvent): Promise<Case> {
    const [made] = await this.registerCases([{ case: c, events: () => [event], openStates: [] }]);
    return made!.case;
  }

  registerCases(regs: readonly NewRegistration[], alsoWrite?: RegistrationRows): Promise<{ case: Case; created: boolean }[]> {
    if (regs.length === 0) return Promise.resolve([]);
    return this.#store.transaction<PetitionTables, { case: Case; created: boolean }[]>(async (trx) => {
      const terminals = [...new Set(regs.map((r) => r.case.terminalId))].sort();
      if (this.#store.dialect === 'postgres') await trx.selectFrom('petition_terminals').select('id').where('id', 'in', terminals).orderBy('id').forUpdate().execute();
      const states = [...new Set(regs.flatMap((r) => r.openStates))];
      const open = states.length === 0 ? [] : await trx.selectFrom('petition_cases').selectAll().where('terminal_id', 'in', terminals).where('state', 'in', states).orderBy('registered_at').orderBy('id').execute();
      // What each start gets: the terminal's open case, the case of an earlier start of this batch
      // at the same terminal, or a new one (index into `fresh`).
      const answer: ({ open: Case } | { same: number } | { fresh: number })[] = [];
      const fresh: NewRegistration[] = [];
      const freshAt = new Map<string, number>();
      for (const r of regs) {
        const existing = open.find((o) => o.terminal_id === r.case.terminalId && r.openStates.includes(o.state));
        const earlier = r.openStates.includes(r.case.state) ? freshAt.get(r.case.terminalId) : undefined;
        if (existing) answer.push({ open: toCase(existing) });
        else if (earlier !== undefined) answer.push({ same: earlier });
        else {
          freshAt.set(r.case.terminalId, fresh.length);
          answer.push({ fresh: fresh.length });
          fresh.push(r);
        }
      }
      const created = await insertCases(trx, fresh);
      await alsoWrite?.(trx, created);
      return answer.map((a) => ('open' in a ? { case: a.open, created: false } : 'same' in a ? { case: created[a.same]!, created: false } : { case: created[a.fresh]!, created: true }));
    });
  }

  getCase(id: string): Promise<Case | undefined> {
    return getCase(this.#db, id);
  }

  async getCases(ids: readonly string[]): Promise<Case[]> {
    const out: Case[] = [];
    for (const part of chunks(ids)) out.push(...(await this.#db.selectFrom('petition_cases').selectAll().where('id', 'in', part).execute()).map(toCase));
    return out;
  }

  async caseStates(ids: readonly string[]): Promise<Pick<Case, 'id' | 'state' | 'regionCode'>[]> {
    const out: Pick<Case, 'id' | 'state' | 'regionCode'>[] = [];
    for (const part of chunks(ids)) out.push(...(await this.#db.selectFrom('petition_cases').select(['id', 'state', 'region_code as regionCode']).where('id', 'in', part).execute()));
    return out;
  }

  discardRegistration(id: string): Promise<boolean> {
    return this.#store.transaction<PetitionTables, boolean>(async (trx) => {
      const row = await this.#store.forUpdate(trx.selectFrom('petition_cases').select('state').where('id', '=', id)).executeTakeFirst();
      if (row?.state !== 'registered' && row?.state !== 'queued') return false;
      if (await trx.selectFrom('petition_assignments').select('ticket_id').where('case_id', '=', id).executeTakeFirst()) return false;
      // The case life's rows written at registration (its acceptance clock; life-repository.ts).
      for (const table of ['petition_clocks', 'petition_handlers']) await sql`DELETE FROM ${sql.table(table)} WHERE case_id = ${id}`.execute(trx);
      await trx.deleteFrom('petition_case_events').where('case_id', '=', id).execute();
      await trx.deleteFrom('petition_cases').where('id', '=', id).execute();
      return true;
    });
  }

  updateCase(id: string, patch: CasePatch, event: NewEvent, expectState?: readonly CaseState[]): Promise<Case | undefined> {
    return this.#store.transaction<PetitionTables, Case | undefined>(async (trx) => {
      // A patch that does not depend on the case is one conditional UPDATE: the state check is its
      // WHERE (PostgreSQL re-checks it on the locked row), no SELECT first. Every petition start
      // and session end goes through here.
      const row = await trx
        .updateTable('petition_cases')
        .set({ ...patchColumns(patch), updated_at: event.at })
        .where('id', '=', id)
        .$if(expectState !== undefined, (q) => q.where('state', 'in', [...expectState!]))
        .returningAll()
        .executeTakeFirst();
      if (!row) return undefined;
      await insertEvent(trx, id, event);
      return toCase(row);
    });
  }

  async appendEvent(caseId: string, event: NewEvent): Promise<void> {
    await insertEvent(this.#db, caseId, event);
  }

  async timeline(caseId: string): Promise<CaseEvent[]> {
    const rows = await this.#db.selectFrom('petition_case_events').selectAll().where('case_id', '=', caseId).orderBy('seq').execute();
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

  async listCases(states: readonly CaseState[]): Promise<Case[]> {
    if (states.length === 0) return [];
    const rows = await this.#db.selectFrom('petition_cases').selectAll().where('state', 'in', states).orderBy('registered_at').orderBy('id').execute();
    return rows.map(toCase);
  }

  async listParticipants(caseId: string): Promise<Participant[]> {
    return this.#db
      .selectFrom('petition_participants')
      .select(['case_id as caseId', 'official_id as officialId', 'department_id as departmentId', 'role', 'joined_at as joinedAt'])
      .where('case_id', '=', caseId)
      .orderBy('joined_at')
      .orderBy('seq')
      .execute();
  }

  applyAssignments(ws: readonly AssignmentWrite[], alsoWrite?: AssignmentRows): Promise<(Case | undefined)[]> {
    if (ws.length === 0) return Promise.resolve([]);
    const caseIds = [...new Set(ws.map((w) => w.assignment.caseId))].sort();
    return this.#store.transaction<PetitionTables, (Case | undefined)[]>(async (trx) => {
      // One read of the batch's cases; PostgreSQL locks the rows as the sorted scan returns them, in id order.
      const locked = await this.#store.forUpdate(trx.selectFrom('petition_cases').selectAll().where('id', 'in', caseIds).orderBy('id')).execute();
      const rows = new Map(locked.map((r) => [r.id, r]));
      // The first write of each ticket whose case exists; the INSERT answers which tickets are new.
      const firsts = new Map<string, AssignmentWrite>();
      for (const w of ws) if (!firsts.has(w.assignment.ticketId)) firsts.set(w.assignment.ticketId, w);
      const candidates = [...firsts.values()].filter((w) => rows.has(w.assignment.caseId));
      const fresh = new Set(
        candidates.length === 0
          ? []
          : (
              await insertRows<{ ticket_id: string }>(trx, {
                table: 'petition_assignments',
                rows: candidates.map(({ assignment: a }) => ({ ticket_id: a.ticketId, case_id: a.caseId, official_id: a.officialId, department_id: a.departmentId, kind: a.kind, assigned_at: a.assignedAt })),
                ignoreConflictOn: ['ticket_id'],
                returning: ['ticket_id'],
              })
            ).map((r) => r.ticket_id),
      );
      const recorded = new Set(candidates.filter((w) => fresh.has(w.assignment.ticketId)));
      // Case by case in id order, each case's writes in the order given (a stable sort): their events' order.
      const order = ws.filter((w) => recorded.has(w)).sort((a, b) => (a.assignment.caseId < b.assignment.caseId ? -1 : a.assignment.caseId > b.assignment.caseId ? 1 : 0));
      if (order.length === 0) return ws.map(() => undefined);

      await insertParticipants(trx, order.map((w) => w.participant));
      // Each write's patch is computed from the case as the writes before it left it; one row per case is written.
      const written = new Map<string, { row: Selectable<CaseRow>; case: Case; columns: Set<string> }>();
      const results = new Map<AssignmentWrite, Case>();
      for (const w of order) {
        const row = rows.get(w.assignment.caseId)!;
        const at = written.get(w.assignment.caseId) ?? { row, case: toCase(row), columns: new Set<string>() };
        const patch = { ...patchColumns(w.patchFor(at.case)), updated_at: w.event.at };
        for (const k of Object.keys(patch)) at.columns.add(k);
        at.row = { ...at.row, ...patch };
        at.case = toCase(at.row);
        written.set(w.assignment.caseId, at);
        results.set(w, at.case);
      }
      await updateCaseRows(trx, [...written.values()]);
      await insertEvents(trx, order.map((w) => ({ caseId: w.assignment.caseId, e: w.event })));
      await alsoWrite?.(trx, order.map((w) => ({ write: w, case: results.get(w)! })));
      return ws.map((w) => results.get(w));
    });
  }

  async assignmentsOf(caseId: string): Promise<{ ticketId: string; officialId: string; departmentId: string; kind: string }[]> {
    return this.#db
      .selectFrom('petition_assignments')
      .select(['ticket_id as ticketId', 'official_id as officialId', 'department_id as departmentId', 'kind'])
      .where('case_id', '=', caseId)
      .orderBy('assigned_at')
      .orderBy('ticket_id')
      .execute();
  }

  bookAppointment(caseId: string, dayId: string, slot: number, capacity: number, at: string): Promise<boolean> {
    return this.#store.transaction<PetitionTables, boolean>(async (trx) => {
      // The day's row lock serialises bookings of its slots across nodes (count, then insert).
      await this.#store.forUpdate(trx.selectFrom('petition_reception_days').select('id').where('id', '=', dayId)).executeTakeFirst();
      const { n } = await trx
        .selectFrom('petition_appointments')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('day_id', '=', dayId)
        .where('slot', '=', slot)
        .executeTakeFirstOrThrow();
      if (n >= capacity) return false;
      const r = await trx
        .insertInto('petition_appointments')
        .values({ case_id: caseId, day_id: dayId, slot, booked_at: at })
        .onConflict((oc) => oc.column('case_id').doNothing())
        .executeTakeFirst();
      return one(r.numInsertedOrUpdatedRows);
    });
  }

  async getAppointment(caseId: string): Promise<BookedAppointment | undefined> {
    const r = await this.#db.selectFrom('petition_appointments').selectAll().where('case_id', '=', caseId).executeTakeFirst();
    return r && { caseId: r.case_id, dayId: r.day_id, slot: r.slot, bookedAt: r.booked_at, admitted: r.admitted === 1 };
  }

  async cancelAppointment(caseId: string): Promise<void> {
    await this.#db.deleteFrom('petition_appointments').where('case_id', '=', caseId).where('admitted', '=', 0).execute();
  }

  async slotCounts(dayId: string): Promise<Map<number, number>> {
    const rows = await this.#db
      .selectFrom('petition_appointments')
      .select(['slot', (eb) => eb.fn.countAll<number>().as('n')])
      .where('day_id', '=', dayId)
      .groupBy('slot')
      .execute();
    return new Map(rows.map((r) => [r.slot, r.n]));
  }

  async dueAppointments(untilIso: string): Promise<DueAppointment[]> {
    const rows = await this.#db
      .selectFrom('petition_appointments as a')
      .innerJoin('petition_reception_days as d', 'd.id', 'a.day_id')
      .select(['a.case_id', 'a.day_id', 'a.slot', 'a.booked_at', 'd.department_id', 'd.official_id', 'd.starts_at', 'd.slot_minutes', 'd.leader_name', 'd.place'])
      .where('a.admitted', '=', 0)
      .execute();
    const until = Date.parse(untilIso);
    return rows
      .map((r) => ({ r, starts: Date.parse(r.starts_at) + r.slot * r.slot_minutes * 60_000 }))
      .filter(({ starts }) => starts <= until)
      .map(({ r, starts }) => ({
        caseId: r.case_id,
        dayId: r.day_id,
        slot: r.slot,
        bookedAt: r.booked_at,
        admitted: false,
        departmentId: r.department_id,
        officialId: r.official_id,
        leaderName: r.leader_name,
        place: r.place,
        slotStartsAt: new Date(starts).toISOString(),
      }));
  }

  async markAdmitted(caseId: string): Promise<boolean> {
    const r = await this.#db.updateTable('petition_appointments').set({ admitted: 1 }).where('case_id', '=', caseId).where('admitted', '=', 0).executeTakeFirst();
    return one(r.numUpdatedRows);
  }
}

/**
 * Inserts cases with the next numbers of their day (inside the caller's transaction), in order,
 * with their first events: one counter step per day and one INSERT per table, whatever their number.
 */
async function insertCases(trx: Q, regs: readonly NewRegistration[]): Promise<Case[]> {
  if (regs.length === 0) return [];
  // The day of the number is the city's (CST): a case registered at 00:30 is today's, not yesterday's.
  const dayOf = regs.map((r) => localDate(r.case.registeredAt).replaceAll('-', ''));
  const ids: string[] = [];
  for (const day of new Set(dayOf)) {
    const n = dayOf.filter((d) => d === day).length;
    // The upsert takes the day's counter row lock until commit: concurrent registrations on
    // any node queue behind it, and a rolled-back one leaves no gap.
    const { last } = await trx
      .insertInto('petition_case_counters')
      .values({ day, last: n })
      .onConflict((oc) => oc.column('day').doUpdateSet((eb) => ({ last: eb('petition_case_counters.last', '+', eb.ref('excluded.last')) })))
      .returning('last')
      .executeTakeFirstOrThrow();
    let next = last - n;
    dayOf.forEach((d, i) => {
      if (d === day) ids[i] = caseNumber(day, ++next);
    });
  }
  const rows = regs.map(({ case: c, queryCodeHash }, i): Insertable<CaseRow> => ({
    id: ids[i]!,
    terminal_id: c.terminalId,
    region_code: c.regionCode,
    category: c.category,
    petitioner_name: c.petitionerName,
    id_number_masked: c.idNumberMasked,
    phone: c.phone,
    description: c.description,
    flags: JSON.stringify(c.flags),
    state: c.state,
    routed_department_ids: JSON.stringify(c.routedDepartmentIds),
    department_id: c.departmentId,
    official_id: c.officialId,
    registered_at: c.registeredAt,
    accept_deadline: c.acceptDeadline,
    handle_deadline: c.handleDeadline,
    handle_extended: c.handleExtended ? 1 : 0,
    extension_reason: c.extensionReason,
    accepted_at: c.acceptedAt,
    opinion: c.opinion,
    opinion_at: c.opinionAt,
    rating: c.rating,
    rated_at: c.ratedAt,
    appointment: c.appointment ? JSON.stringify(c.appointment) : null,
    updated_at: c.registeredAt,
    query_code_hash: queryCodeHash?.(ids[i]!) ?? null,
  }));
  const inserted = new Map<string, Case>();
  for (const part of chunks(rows)) for (const r of await insertRows<Selectable<CaseRow>>(trx, { table: 'petition_cases', rows: part, returning: '*' })) inserted.set(r.id, toCase(r));
  await insertEvents(trx, regs.flatMap((r, i) => r.events(ids[i]!).map((e) => ({ caseId: ids[i]!, e }))));
  return ids.map((id) => inserted.get(id)!);
}

async function getCase(q: Q, id: string): Promise<Case | undefined> {
  const r = await q.selectFrom('petition_cases').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toCase(r);
}

async function insertEvent(q: Q, caseId: string, e: NewEvent): Promise<void> {
  await insertEvents(q, [{ caseId, e }]);
}

/** Events in one INSERT per 500 (their `seq` follows the order given). */
async function insertEvents(q: Q, events: readonly { caseId: string; e: NewEvent }[]): Promise<void> {
  for (const part of chunks(events)) {
    await insertRows(q, {
      table: 'petition_case_events',
      rows: part.map(({ caseId, e }) => ({ case_id: caseId, at: e.at, actor_id: e.actorId, actor_role: e.actorRole, type: e.type, data: JSON.stringify(e.data ?? {}) })),
    });
  }
}

/**
 * Participants of cases locked by the caller, in one read and one INSERT: each gets the next
 * number of its case, in the order given; one already in the session is not added again.
 */
async function insertParticipants(q: Q, ps: readonly Participant[]): Promise<void> {
  const caseIds = [...new Set(ps.map((p) => p.caseId))];
  const present = await q.selectFrom('petition_participants').select(['case_id', 'official_id', 'seq']).where('case_id', 'in', caseIds).execute();
  const last = new Map<string, number>();
  const seen = new Set<string>();
  for (const r of present) {
    last.set(r.case_id, Math.max(last.get(r.case_id) ?? 0, r.seq));
    seen.add(`${r.case_id} ${r.official_id}`);
  }
  const rows = ps.flatMap((p) => {
    const key = `${p.caseId} ${p.officialId}`;
    if (seen.has(key)) return [];
    seen.add(key);
    const seq = (last.get(p.caseId) ?? 0) + 1;
    last.set(p.caseId, seq);
    return [{ case_id: p.caseId, official_id: p.officialId, department_id: p.departmentId, role: p.role, joined_at: p.joinedAt, seq }];
  });
  await insertRows(q, { table: 'petition_participants', rows });
}

/** Case rows as a batch left them, one UPDATE per set of changed columns (a batch of claims: one or two). */
async function updateCaseRows(q: Q, cases: readonly { row: Selectable<CaseRow>; columns: ReadonlySet<string> }[]): Promise<void> {
  const bySet = new Map<string, { set: string[]; rows: Record<string, unknown>[] }>();
  for (const { row, columns } of cases) {
    const set = [...columns].sort();
    const group = bySet.get(set.join()) ?? { set, rows: [] };
    group.rows.push(row);
    bySet.set(set.join(), group);
  }
  for (const { set, rows } of bySet.values()) await updateRows(q, { table: 'petition_cases', keys: ['id'], set, rows, integers: CASE_INTEGER_COLUMNS });
}

const CASE_INTEGER_COLUMNS: ReadonlySet<string> = new Set(['handle_extended']);
