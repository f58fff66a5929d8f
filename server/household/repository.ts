// Persistence of the household domain on the node's store (SQLite or PostgreSQL,
// server/core/db.ts). Knows rows and SQL, not rules: authorization and state transitions live in
// the service. Times in, times out: epoch ms in SQL, ISO in the domain.
import { sql, type Generated } from 'kysely';
import type { Executor, Store } from '../core/db.ts';
import {
  householdSettingsSchema,
  maskRectSchema,
  residentSchema,
  type AccessLogEntry,
  type ActivityDecision,
  type AlertKind,
  type Call,
  type CallDirection,
  type CallEvent,
  type CallEventType,
  type CallPurpose,
  type Callee,
  type CalleeRole,
  type CallState,
  type CheckInSchedule,
  type ConsentRecord,
  type Counsellor,
  type Device,
  type HouseholdAlert,
  type MaskRect,
  type Mood,
  type VillageContact,
  type Visit,
  type DevicePlace,
  type FamilyLink,
  type FamilyMember,
  type Household,
  type HouseholdCamera,
  type HouseholdSettings,
  type LookIn,
  type LookInEndReason,
  type Notice,
  type PermissionLevel,
  type Resident,
  callRoomId,
  lookInRoomId,
} from './domain.ts';

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

interface HouseholdRow {
  id: string;
  name: string;
  address: string;
  region: string;
  residents_json: string;
  settings_json: string;
  privacy_mode: number;
  created_at: number;
}
interface DeviceRow {
  id: string;
  household_id: string;
  name: string;
  place: string;
  token_jti: string | null;
  bound_at: number;
  last_seen_at: number | null;
}
interface CallRow {
  id: string;
  household_id: string;
  caller_id: string;
  caller_role: string;
  caller_name: string;
  state: string;
  audio_only: number;
  auto_answered: number;
  created_at: number;
  ring_deadline: number;
  answered_at: number | null;
  ended_at: number | null;
  direction: string;
  purpose: string;
  quiet: number;
  answered_by: string | null;
  answered_by_name: string | null;
  answered_by_role: string | null;
  sos_step: number | null;
  next_step_at: number | null;
}
interface CalleeRow {
  call_id: string;
  person_id: string;
  role: string;
  name: string;
  step: number;
  state: string;
  rung_at: number;
}
interface CallEventRow {
  id: Generated<number>;
  call_id: string;
  at: number;
  type: string;
  person_id: string | null;
  person_name: string | null;
  person_role: string | null;
  data_json: string;
}
interface LookInRow {
  id: string;
  household_id: string;
  member_id: string;
  source: string;
  started_at: number;
  ends_at: number;
  ended_at: number | null;
  end_reason: string | null;
}
interface NoticeRow {
  id: string;
  sender_id: string;
  sender_name: string;
  household_id: string | null;
  region: string | null;
  title: string;
  body: string;
  created_at: number;
  expires_at: number | null;
}
interface CheckInRow {
  id: string;
  household_id: string;
  counsellor_id: string;
  days_json: string;
  time: string;
  duration_minutes: number;
  note: string;
  last_due_at: number | null;
  created_at: number;
}
interface AlertRow {
  id: string;
  kind: string;
  device_id: string | null;
  household_id: string;
  last_seen_at: number | null;
  raised_at: number;
  resolved_at: number | null;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  details_json: string | null;
  call_id: string | null;
}
interface VisitRow {
  id: string;
  household_id: string;
  counsellor_id: string;
  counsellor_name: string;
  call_id: string | null;
  schedule_id: string | null;
  due_at: number | null;
  at: number;
  mood: string;
  concerns: string;
  follow_up: string;
  follow_up_by: string | null;
}

/** A call as the service needs it: with the SOS escalation bookkeeping. */
export interface CallRecord {
  call: Call;
  sosStep: number | null;
  nextStepAtMs: number | null;
}

/** Someone a call from home rings (a callee row to insert). */
export interface NewCallee {
  id: string;
  role: CalleeRole;
  name: string;
  step: number;
}

/** One minute of activity from one source. */
export interface ActivityMinute {
  sourceId: string;
  sourceKind: 'device' | 'camera';
  minuteMs: number;
  level: number;
  samples: number;
}

/** A device row as the service needs it: with the token jti and raw times for the checkers. */
export interface DeviceRecord {
  device: Omit<Device, 'online' | 'masks'>;
  tokenJti: string | null;
  boundAtMs: number;
  lastSeenAtMs: number | null;
}

export interface CheckInRecord {
  schedule: Omit<CheckInSchedule, 'nextAt'>;
  lastDueAtMs: number | null;
  createdAtMs: number;
}

/** The household tables as stored. */
export interface HouseholdTables {
  households: HouseholdRow;
  household_devices: DeviceRow;
  household_cameras: { id: string; household_id: string; name: string; place: DevicePlace; url: string };
  family_members: { id: string; name: string; city: string; phone: string | null };
  household_family: { household_id: string; member_id: string; relation: string; permission: PermissionLevel };
  counsellors: { id: string; name: string; organisation: string; regions_json: string };
  household_counsellors: { household_id: string; counsellor_id: string };
  household_calls: CallRow;
  household_look_ins: LookInRow;
  household_access_log: {
    id: Generated<number>;
    household_id: string;
    actor_id: string;
    actor_name: string | null;
    actor_role: string;
    action: 'look-in';
    outcome: 'granted' | 'refused';
    reason: string | null;
    look_in_id: string | null;
    at: number;
  };
  household_notices: NoticeRow;
  household_check_ins: CheckInRow;
  household_alerts: AlertRow;
  household_call_callees: CalleeRow;
  household_call_events: CallEventRow;
  household_village_contacts: { id: string; name: string; organisation: string; region: string; phone: string | null };
  household_activity: { source_id: string; source_kind: string; household_id: string; minute: number; level: number; samples: number };
  household_privacy_masks: { device_id: string; rects_json: string; updated_by: string; updated_at: number };
  household_consents: {
    id: Generated<number>;
    household_id: string;
    member_id: string;
    member_name: string;
    source: string;
    level: string;
    action: 'granted' | 'withdrawn';
    by_id: string;
    by_name: string;
    by_role: string;
    at: number;
  };
  household_visits: VisitRow;
  household_notice_reads: { notice_id: string; household_id: string; device_id: string; read_at: number };
}

export class HouseholdRepository {
  readonly #store: Store;
  readonly #q: Executor<HouseholdTables>;

  /** `q`: a transaction's executor (see `transaction`); the store's own otherwise. */
  constructor(store: Store, q?: Executor<HouseholdTables>) {
    this.#store = store;
    this.#q = q ?? store.db<HouseholdTables>();
  }

  /**
   * Runs `fn` with a repository bound to one transaction. A check-then-insert (one open call per
   * home) first locks the household row with `lockHousehold`, so it holds across nodes.
   */
  transaction<T>(fn: (tx: HouseholdRepository) => Promise<T>): Promise<T> {
    return this.#store.transaction<HouseholdTables, T>((trx) => fn(new HouseholdRepository(this.#store, trx)));
  }

  /** Inside `transaction`: holds the household's row until commit (PostgreSQL; SQLite's write lock already does). */
  async lockHousehold(id: string): Promise<void> {
    await this.#store.forUpdate(this.#q.selectFrom('households').select('id').where('id', '=', id)).executeTakeFirst();
  }

  // ---- households ---------------------------------------------------------------------------

  async insertHousehold(h: {
    id: string;
    name: string;
    address: string;
    region: string;
    residents: Resident[];
    settings: HouseholdSettings;
    createdAtMs: number;
  }): Promise<void> {
    await this.#q
      .insertInto('households')
      .values({ id: h.id, name: h.name, address: h.address, region: h.region, residents_json: JSON.stringify(h.residents), settings_json: JSON.stringify(h.settings), privacy_mode: 0, created_at: h.createdAtMs })
      .execute();
  }

  async getHousehold(id: string): Promise<Household | undefined> {
    const row = await this.#q.selectFrom('households').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toHousehold(row);
  }

  async listHouseholds(): Promise<Household[]> {
    return (await this.#q.selectFrom('households').selectAll().orderBy('id').execute()).map(toHousehold);
  }

  /** Households whose division code lies within `region` (same code or a sub-division of it). */
  async listHouseholdsInRegion(region: string): Promise<Household[]> {
    const rows = await this.#q.selectFrom('households').selectAll().where('region', 'like', `${region}%`).orderBy('id').execute();
    return rows.map(toHousehold);
  }

  async updateSettings(id: string, settings: HouseholdSettings): Promise<void> {
    await this.#q.updateTable('households').set({ settings_json: JSON.stringify(settings) }).where('id', '=', id).execute();
  }

  async setPrivacyMode(id: string, on: boolean): Promise<void> {
    await this.#q.updateTable('households').set({ privacy_mode: on ? 1 : 0 }).where('id', '=', id).execute();
  }

  // ---- devices and cameras ----------------------------------------------------------------

  async insertDevice(d: { id: string; householdId: string; name: string; place: DevicePlace; boundAtMs: number }): Promise<void> {
    await this.#q
      .insertInto('household_devices')
      .values({ id: d.id, household_id: d.householdId, name: d.name, place: d.place, token_jti: null, bound_at: d.boundAtMs, last_seen_at: null })
      .execute();
  }

  async getDevice(id: string): Promise<DeviceRecord | undefined> {
    const row = await this.#q.selectFrom('household_devices').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toDeviceRecord(row);
  }

  async listDevices(householdId?: string): Promise<DeviceRecord[]> {
    const rows = await this.#q
      .selectFrom('household_devices')
      .selectAll()
      .$if(householdId !== undefined, (b) => b.where('household_id', '=', householdId!))
      .orderBy('id')
      .execute();
    return rows.map(toDeviceRecord);
  }

  /** The device's one good token; null when its binding was revoked. */
  async setDeviceTokenJti(deviceId: string, jti: string | null): Promise<void> {
    await this.#q.updateTable('household_devices').set({ token_jti: jti }).where('id', '=', deviceId).execute();
  }

  /** Moves a device to another household and/or renames it (enrolment: docs/identity.md). */
  async updateDevice(deviceId: string, patch: { householdId?: string; name?: string }): Promise<void> {
    if (patch.householdId === undefined && patch.name === undefined) return;
    await this.#q
      .updateTable('household_devices')
      .set({ ...(patch.householdId !== undefined ? { household_id: patch.householdId } : {}), ...(patch.name !== undefined ? { name: patch.name } : {}) })
      .where('id', '=', deviceId)
      .execute();
  }

  async touchDevice(deviceId: string, atMs: number): Promise<void> {
    await this.#q.updateTable('household_devices').set({ last_seen_at: atMs }).where('id', '=', deviceId).execute();
  }

  async insertCamera(c: HouseholdCamera & { url: string }): Promise<void> {
    await this.#q.insertInto('household_cameras').values({ id: c.id, household_id: c.householdId, name: c.name, place: c.place, url: c.url }).execute();
  }

  /** With the URL: only the server (ingest) ever reads it; it may carry camera credentials. */
  async getCamera(id: string): Promise<(HouseholdCamera & { url: string }) | undefined> {
    const row = await this.#q.selectFrom('household_cameras').selectAll().where('id', '=', id).executeTakeFirst();
    return row && { id: row.id, householdId: row.household_id, name: row.name, place: row.place, url: row.url };
  }

  async deleteCamera(householdId: string, id: string): Promise<boolean> {
    const r = await this.#q.deleteFrom('household_cameras').where('id', '=', id).where('household_id', '=', householdId).executeTakeFirst();
    return r.numDeletedRows === 1n;
  }

  async listCameras(householdId: string): Promise<HouseholdCamera[]> {
    return this.#q
      .selectFrom('household_cameras')
      .select(['id', 'household_id as householdId', 'name', 'place'])
      .where('household_id', '=', householdId)
      .orderBy('id')
      .execute();
  }

  // ---- family members and counsellors -------------------------------------------------------

  async insertFamilyMember(m: FamilyMember): Promise<void> {
    await this.#q.insertInto('family_members').values({ id: m.id, name: m.name, city: m.city, phone: m.phone }).execute();
  }

  async getFamilyMember(id: string): Promise<FamilyMember | undefined> {
    return this.#q.selectFrom('family_members').select(['id', 'name', 'city', 'phone']).where('id', '=', id).executeTakeFirst();
  }

  async linkFamilyMember(link: FamilyLink): Promise<void> {
    await this.#q
      .insertInto('household_family')
      .values({ household_id: link.householdId, member_id: link.memberId, relation: link.relation, permission: link.permission })
      .onConflict((oc) => oc.columns(['household_id', 'member_id']).doUpdateSet((eb) => ({ relation: eb.ref('excluded.relation'), permission: eb.ref('excluded.permission') })))
      .execute();
  }

  async unlinkFamilyMember(householdId: string, memberId: string): Promise<boolean> {
    const r = await this.#q.deleteFrom('household_family').where('household_id', '=', householdId).where('member_id', '=', memberId).executeTakeFirst();
    return r.numDeletedRows === 1n;
  }

  async getFamilyLink(householdId: string, memberId: string): Promise<FamilyLink | undefined> {
    return this.#q
      .selectFrom('household_family')
      .select(['household_id as householdId', 'member_id as memberId', 'relation', 'permission'])
      .where('household_id', '=', householdId)
      .where('member_id', '=', memberId)
      .executeTakeFirst();
  }

  async listFamily(householdId: string): Promise<(FamilyMember & { relation: string; permission: PermissionLevel })[]> {
    return this.#q
      .selectFrom('household_family as f')
      .innerJoin('family_members as m', 'm.id', 'f.member_id')
      .select(['m.id', 'm.name', 'm.city', 'm.phone', 'f.relation', 'f.permission'])
      .where('f.household_id', '=', householdId)
      .orderBy('m.id')
      .execute();
  }

  async listLinksOfMember(memberId: string): Promise<FamilyLink[]> {
    return this.#q
      .selectFrom('household_family')
      .select(['household_id as householdId', 'member_id as memberId', 'relation', 'permission'])
      .where('member_id', '=', memberId)
      .orderBy('household_id')
      .execute();
  }

  async insertCounsellor(c: Counsellor): Promise<void> {
    await this.#q.insertInto('counsellors').values({ id: c.id, name: c.name, organisation: c.organisation, regions_json: JSON.stringify(c.regions) }).execute();
  }

  async getCounsellor(id: string): Promise<Counsellor | undefined> {
    const row = await this.#q.selectFrom('counsellors').selectAll().where('id', '=', id).executeTakeFirst();
    return row && { id: row.id, name: row.name, organisation: row.organisation, regions: JSON.parse(row.regions_json) as string[] };
  }

  async listCounsellors(): Promise<Counsellor[]> {
    const rows = await this.#q.selectFrom('counsellors').selectAll().orderBy('id').execute();
    return rows.map((row) => ({ id: row.id, name: row.name, organisation: row.organisation, regions: JSON.parse(row.regions_json) as string[] }));
  }

  async unassignCounsellor(householdId: string, counsellorId: string): Promise<boolean> {
    const r = await this.#q.deleteFrom('household_counsellors').where('household_id', '=', householdId).where('counsellor_id', '=', counsellorId).executeTakeFirst();
    return r.numDeletedRows === 1n;
  }

  async assignCounsellor(householdId: string, counsellorId: string): Promise<void> {
    await this.#q
      .insertInto('household_counsellors')
      .values({ household_id: householdId, counsellor_id: counsellorId })
      .onConflict((oc) => oc.columns(['household_id', 'counsellor_id']).doNothing())
      .execute();
  }

  async isAssigned(householdId: string, counsellorId: string): Promise<boolean> {
    const row = await this.#q
      .selectFrom('household_counsellors')
      .select('household_id')
      .where('household_id', '=', householdId)
      .where('counsellor_id', '=', counsellorId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async listCounsellorIds(householdId: string): Promise<string[]> {
    const rows = await this.#q.selectFrom('household_counsellors').select('counsellor_id').where('household_id', '=', householdId).orderBy('counsellor_id').execute();
    return rows.map((r) => r.counsellor_id);
  }

  async listAssignedHouseholdIds(counsellorId: string): Promise<string[]> {
    const rows = await this.#q.selectFrom('household_counsellors').select('household_id').where('counsellor_id', '=', counsellorId).orderBy('household_id').execute();
    return rows.map((r) => r.household_id);
  }

  // ---- calls ----------------------------------------------------------------------------------

  async insertCall(c: {
    id: string;
    householdId: string;
    direction: CallDirection;
    purpose: CallPurpose;
    callerId: string;
    callerRole: Call['callerRole'];
    callerName: string;
    state: CallState;
    audioOnly: boolean;
    autoAnswered: boolean;
    quiet: boolean;
    createdAtMs: number;
    ringDeadlineMs: number;
    sosStep?: number;
    nextStepAtMs?: number | null;
  }): Promise<void> {
    await this.#q
      .insertInto('household_calls')
      .values({
        id: c.id,
        household_id: c.householdId,
        direction: c.direction,
        purpose: c.purpose,
        caller_id: c.callerId,
        caller_role: c.callerRole,
        caller_name: c.callerName,
        state: c.state,
        audio_only: c.audioOnly ? 1 : 0,
        auto_answered: c.autoAnswered ? 1 : 0,
        quiet: c.quiet ? 1 : 0,
        created_at: c.createdAtMs,
        ring_deadline: c.ringDeadlineMs,
        answered_at: c.state === 'active' ? c.createdAtMs : null,
        answered_by: null,
        answered_by_name: null,
        answered_by_role: null,
        ended_at: null,
        sos_step: c.sosStep ?? null,
        next_step_at: c.nextStepAtMs ?? null,
      })
      .execute();
  }

  async getCall(id: string): Promise<Call | undefined> {
    return (await this.getCallRecord(id))?.call;
  }

  async getCallRecord(id: string): Promise<CallRecord | undefined> {
    const row = await this.#q.selectFrom('household_calls').selectAll().where('id', '=', id).executeTakeFirst();
    return row && (await this.#records([row]))[0];
  }

  /**
   * Moves a call from one of `from` to `to`; false if it was no longer in `from` (a concurrent
   * answer and timeout: exactly one of them wins). `by`: who answered, for `to: 'active'`.
   */
  async transitionCall(id: string, from: readonly CallState[], to: CallState, atMs: number, by?: { id: string; name: string; role: string }): Promise<boolean> {
    const r = await this.#q
      .updateTable('household_calls')
      .set(
        to === 'active'
          ? { state: to, answered_at: atMs, answered_by: by?.id ?? null, answered_by_name: by?.name ?? null, answered_by_role: by?.role ?? null, next_step_at: null }
          : { state: to, ended_at: atMs, next_step_at: null },
      )
      .where('id', '=', id)
      .where('state', 'in', from)
      .executeTakeFirst();
    return r.numUpdatedRows === 1n;
  }

  async listRingingDue(nowMs: number): Promise<Call[]> {
    const rows = await this.#q.selectFrom('household_calls').selectAll().where('state', '=', 'ringing').where('ring_deadline', '<=', nowMs).orderBy('created_at').execute();
    return this.#calls(rows);
  }

  /** Ringing SOS calls whose next escalation step is due. */
  async listEscalationsDue(nowMs: number): Promise<CallRecord[]> {
    const rows = await this.#q
      .selectFrom('household_calls')
      .selectAll()
      .where('state', '=', 'ringing')
      .where('next_step_at', 'is not', null)
      .where('next_step_at', '<=', nowMs)
      .orderBy('created_at')
      .execute();
    return this.#records(rows);
  }

  /** Records that step `step` was rung; `nextStepAtMs` null when it was the last one. */
  async setSosStep(callId: string, step: number, nextStepAtMs: number | null, ringDeadlineMs: number): Promise<boolean> {
    const r = await this.#q
      .updateTable('household_calls')
      .set({ sos_step: step, next_step_at: nextStepAtMs, ring_deadline: ringDeadlineMs })
      .where('id', '=', callId)
      .where('state', '=', 'ringing')
      .where('sos_step', '<', step)
      .executeTakeFirst();
    return r.numUpdatedRows === 1n;
  }

  async listOpenCalls(householdId: string): Promise<Call[]> {
    const rows = await this.#q
      .selectFrom('household_calls')
      .selectAll()
      .where('household_id', '=', householdId)
      .where('state', 'in', ['ringing', 'active'])
      .orderBy('created_at')
      .execute();
    return this.#calls(rows);
  }

  async listMissedCalls(householdId: string, limit: number, direction?: CallDirection): Promise<Call[]> {
    const rows = await this.#q
      .selectFrom('household_calls')
      .selectAll()
      .where('household_id', '=', householdId)
      .where('state', 'in', ['missed', 'declined', 'cancelled'])
      .$if(direction !== undefined, (b) => b.where('direction', '=', direction!))
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return this.#calls(rows);
  }

  /** Every call of the household, newest first (the counsellor's history). */
  async listCalls(householdId: string, limit: number): Promise<Call[]> {
    const rows = await this.#q.selectFrom('household_calls').selectAll().where('household_id', '=', householdId).orderBy('created_at', 'desc').limit(limit).execute();
    return this.#calls(rows);
  }

  /** Calls from home that rang this person, newest first (their missed calls and the ringing one). */
  async listCallsRinging(personId: string, limit: number): Promise<Call[]> {
    const rows = await this.#q
      .selectFrom('household_calls as c')
      .innerJoin('household_call_callees as e', 'e.call_id', 'c.id')
      .selectAll('c')
      .where('e.person_id', '=', personId)
      .orderBy('c.created_at', 'desc')
      .limit(limit)
      .execute();
    return this.#calls(rows);
  }

  async insertCallees(callId: string, callees: readonly NewCallee[], atMs: number): Promise<void> {
    if (callees.length === 0) return;
    await this.#q
      .insertInto('household_call_callees')
      .values(callees.map((c) => ({ call_id: callId, person_id: c.id, role: c.role, name: c.name, step: c.step, state: 'ringing', rung_at: atMs })))
      .onConflict((oc) => oc.columns(['call_id', 'person_id']).doNothing())
      .execute();
  }

  async setCalleeState(callId: string, personId: string, state: Callee['state']): Promise<void> {
    await this.#q.updateTable('household_call_callees').set({ state }).where('call_id', '=', callId).where('person_id', '=', personId).execute();
  }

  /** When a call from home ends unanswered, everyone still ringing missed it. */
  async missRingingCallees(callId: string): Promise<void> {
    await this.#q.updateTable('household_call_callees').set({ state: 'missed' }).where('call_id', '=', callId).where('state', '=', 'ringing').execute();
  }

  async appendCallEvent(e: { callId: string; atMs: number; type: CallEventType; person?: { id: string; name: string; role: string } | null; data?: CallEvent['data'] }): Promise<void> {
    await this.#q
      .insertInto('household_call_events')
      .values({
        call_id: e.callId, at: e.atMs, type: e.type,
        person_id: e.person?.id ?? null, person_name: e.person?.name ?? null, person_role: e.person?.role ?? null,
        data_json: JSON.stringify(e.data ?? {}),
      })
      .execute();
  }

  async listCallEvents(callId: string): Promise<CallEvent[]> {
    const rows = await this.#q.selectFrom('household_call_events').selectAll().where('call_id', '=', callId).orderBy('id').execute();
    return rows.map((r) => ({
      id: r.id, callId: r.call_id, at: iso(r.at), type: r.type as CallEventType,
      personId: r.person_id, personName: r.person_name, personRole: r.person_role,
      data: JSON.parse(r.data_json) as CallEvent['data'],
    }));
  }

  async #calls(rows: CallRow[]): Promise<Call[]> {
    return (await this.#records(rows)).map((r) => r.call);
  }

  /** Calls with their callees (one query for all of them). */
  async #records(rows: CallRow[]): Promise<CallRecord[]> {
    const fromHome = rows.filter((r) => r.direction === 'from-home').map((r) => r.id);
    const callees = fromHome.length
      ? await this.#q.selectFrom('household_call_callees').selectAll().where('call_id', 'in', fromHome).orderBy('step').orderBy('rung_at').orderBy('person_id').execute()
      : [];
    const byCall = new Map<string, Callee[]>();
    for (const c of callees) {
      const list = byCall.get(c.call_id) ?? [];
      list.push({ id: c.person_id, role: c.role as CalleeRole, name: c.name, step: c.step, state: c.state as Callee['state'], rungAt: iso(c.rung_at) });
      byCall.set(c.call_id, list);
    }
    return rows.map((r) => ({ call: toCall(r, byCall.get(r.id) ?? []), sosStep: r.sos_step, nextStepAtMs: r.next_step_at }));
  }

  // ---- village contacts --------------------------------------------------------------------------

  async insertVillageContact(c: VillageContact): Promise<void> {
    await this.#q.insertInto('household_village_contacts').values(c).onConflict((oc) => oc.column('id').doNothing()).execute();
  }

  async getVillageContact(id: string): Promise<VillageContact | undefined> {
    return this.#q.selectFrom('household_village_contacts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Contacts whose division contains `region`, the most local first (village before township). */
  async villageContactsFor(region: string): Promise<VillageContact[]> {
    const rows = await this.#q
      .selectFrom('household_village_contacts')
      .selectAll()
      .where((eb) => eb(eb.val(region), 'like', eb(eb.ref('region'), '||', '%')))
      .execute();
    return rows.sort((a, b) => b.region.length - a.region.length || a.id.localeCompare(b.id));
  }

  // ---- look-ins and the access log ------------------------------------------------------------

  async insertLookIn(l: { id: string; householdId: string; memberId: string; source: string; startedAtMs: number; endsAtMs: number }): Promise<void> {
    await this.#q
      .insertInto('household_look_ins')
      .values({ id: l.id, household_id: l.householdId, member_id: l.memberId, source: l.source, started_at: l.startedAtMs, ends_at: l.endsAtMs, ended_at: null, end_reason: null })
      .execute();
  }

  async getLookIn(id: string): Promise<LookIn | undefined> {
    const row = await this.#q.selectFrom('household_look_ins').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toLookIn(row);
  }

  /** False if it had already ended. */
  async endLookIn(id: string, reason: LookInEndReason, atMs: number): Promise<boolean> {
    const r = await this.#q.updateTable('household_look_ins').set({ ended_at: atMs, end_reason: reason }).where('id', '=', id).where('ended_at', 'is', null).executeTakeFirst();
    return r.numUpdatedRows === 1n;
  }

  async listOpenLookIns(householdId: string): Promise<LookIn[]> {
    const rows = await this.#q.selectFrom('household_look_ins').selectAll().where('household_id', '=', householdId).where('ended_at', 'is', null).execute();
    return rows.map(toLookIn);
  }

  async listLookInsPastLimit(nowMs: number): Promise<LookIn[]> {
    const rows = await this.#q.selectFrom('household_look_ins').selectAll().where('ended_at', 'is', null).where('ends_at', '<=', nowMs).execute();
    return rows.map(toLookIn);
  }

  async appendAccessLog(e: Omit<AccessLogEntry, 'id' | 'at' | 'source' | 'endedAt' | 'seconds'> & { atMs: number }): Promise<void> {
    await this.#q
      .insertInto('household_access_log')
      .values({ household_id: e.householdId, actor_id: e.actorId, actor_name: e.actorName, actor_role: e.actorRole, action: e.action, outcome: e.outcome, reason: e.reason, look_in_id: e.lookInId, at: e.atMs })
      .execute();
  }

  async countGrantedLookIns(householdId: string, actorId: string, sinceMs: number): Promise<number> {
    const { n } = await this.#q
      .selectFrom('household_access_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('household_id', '=', householdId)
      .where('actor_id', '=', actorId)
      .where('action', '=', 'look-in')
      .where('outcome', '=', 'granted')
      // A camera pulled into an SOS call has no look-in and is no glance against the limit.
      .where('look_in_id', 'is not', null)
      .where('at', '>=', sinceMs)
      .executeTakeFirstOrThrow();
    return n;
  }

  /** Newest first, each granted look-in with what was watched and for how long. */
  async listAccessLog(householdId: string, limit: number): Promise<AccessLogEntry[]> {
    const rows = await this.#q
      .selectFrom('household_access_log as a')
      .leftJoin('household_look_ins as l', 'l.id', 'a.look_in_id')
      .selectAll('a')
      .select(['l.source', 'l.started_at', 'l.ended_at'])
      .where('a.household_id', '=', householdId)
      .orderBy('a.id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id, householdId: r.household_id, actorId: r.actor_id, actorName: r.actor_name, actorRole: r.actor_role, action: r.action,
      outcome: r.outcome, reason: r.reason, lookInId: r.look_in_id, at: iso(r.at),
      source: r.source ?? null,
      endedAt: r.ended_at === null || r.ended_at === undefined ? null : iso(r.ended_at),
      seconds: r.ended_at === null || r.ended_at === undefined || r.started_at === null ? null : Math.round((r.ended_at - r.started_at) / 1000),
    }));
  }

  // ---- notices and check-ins ----------------------------------------------------------------

  async insertNotice(n: Omit<Notice, 'createdAt' | 'expiresAt'> & { createdAtMs: number; expiresAtMs: number | null }): Promise<void> {
    await this.#q
      .insertInto('household_notices')
      .values({ id: n.id, sender_id: n.senderId, sender_name: n.senderName, household_id: n.householdId, region: n.region, title: n.title, body: n.body, created_at: n.createdAtMs, expires_at: n.expiresAtMs })
      .execute();
  }

  /** Notices addressed to the household itself or to any region containing it, newest first. */
  async listNoticesFor(household: Household, nowMs: number, limit: number): Promise<Notice[]> {
    const rows = await this.#q
      .selectFrom('household_notices')
      .selectAll()
      .where((eb) =>
        eb.and([
          // A region notice reaches every household whose division code starts with the region's.
          eb.or([eb('household_id', '=', household.id), eb.and([eb('region', 'is not', null), eb(eb.val(household.region), 'like', eb(eb.ref('region'), '||', '%'))])]),
          eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', nowMs)]),
        ]),
      )
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toNotice);
  }

  async insertCheckIn(c: Omit<CheckInSchedule, 'nextAt'> & { createdAtMs: number }): Promise<void> {
    await this.#q
      .insertInto('household_check_ins')
      .values({ id: c.id, household_id: c.householdId, counsellor_id: c.counsellorId, days_json: JSON.stringify(c.days), time: c.time, duration_minutes: c.durationMinutes, note: c.note, last_due_at: null, created_at: c.createdAtMs })
      .execute();
  }

  async listCheckIns(counsellorId?: string): Promise<CheckInRecord[]> {
    const rows = await this.#q
      .selectFrom('household_check_ins')
      .selectAll()
      .$if(counsellorId !== undefined, (b) => b.where('counsellor_id', '=', counsellorId!))
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      schedule: {
        id: r.id, householdId: r.household_id, counsellorId: r.counsellor_id, days: JSON.parse(r.days_json) as number[],
        time: r.time, durationMinutes: r.duration_minutes, note: r.note,
      },
      lastDueAtMs: r.last_due_at,
      createdAtMs: r.created_at,
    }));
  }

  async setCheckInLastDue(id: string, atMs: number): Promise<void> {
    await this.#q.updateTable('household_check_ins').set({ last_due_at: atMs }).where('id', '=', id).execute();
  }

  // ---- alerts ---------------------------------------------------------------------------------

  async insertAlert(a: {
    id: string;
    kind: AlertKind;
    deviceId: string | null;
    householdId: string;
    lastSeenAtMs: number | null;
    raisedAtMs: number;
    activity?: ActivityDecision;
    callId?: string;
  }): Promise<void> {
    await this.#q
      .insertInto('household_alerts')
      .values({
        id: a.id, kind: a.kind, device_id: a.deviceId, household_id: a.householdId, last_seen_at: a.lastSeenAtMs, raised_at: a.raisedAtMs,
        resolved_at: null, acknowledged_by: null, acknowledged_at: null,
        details_json: a.activity ? JSON.stringify(a.activity) : null, call_id: a.callId ?? null,
      })
      .execute();
  }

  /** The open device-offline alert of a device. */
  async getOpenAlert(deviceId: string): Promise<HouseholdAlert | undefined> {
    const row = await this.#q
      .selectFrom('household_alerts')
      .selectAll()
      .where('device_id', '=', deviceId)
      .where('kind', '=', 'device-offline')
      .where('resolved_at', 'is', null)
      .executeTakeFirst();
    return row && toAlert(row);
  }

  /** The open alert of this kind for the household (no-activity, sos). */
  async getOpenHouseholdAlert(householdId: string, kind: AlertKind, callId?: string): Promise<HouseholdAlert | undefined> {
    const row = await this.#q
      .selectFrom('household_alerts')
      .selectAll()
      .where('household_id', '=', householdId)
      .where('kind', '=', kind)
      .where('resolved_at', 'is', null)
      .$if(callId !== undefined, (b) => b.where('call_id', '=', callId!))
      .executeTakeFirst();
    return row && toAlert(row);
  }

  async getAlert(id: string): Promise<HouseholdAlert | undefined> {
    const row = await this.#q.selectFrom('household_alerts').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toAlert(row);
  }

  /** False if it was already resolved. */
  async resolveAlert(id: string, atMs: number): Promise<boolean> {
    const r = await this.#q.updateTable('household_alerts').set({ resolved_at: atMs }).where('id', '=', id).where('resolved_at', 'is', null).executeTakeFirst();
    return r.numUpdatedRows === 1n;
  }

  async acknowledgeAlert(id: string, by: string, atMs: number): Promise<void> {
    await this.#q.updateTable('household_alerts').set({ acknowledged_by: by, acknowledged_at: atMs }).where('id', '=', id).where('acknowledged_by', 'is', null).execute();
  }

  /**
   * Alerts of these households, newest first. By default those that still need someone: open,
   * or resolved by themselves but not yet acknowledged (raised while nobody was signed in).
   */
  async listAlertsForHouseholds(householdIds: readonly string[], all: boolean, limit: number, kinds?: readonly AlertKind[]): Promise<HouseholdAlert[]> {
    if (householdIds.length === 0) return [];
    const rows = await this.#q
      .selectFrom('household_alerts')
      .selectAll()
      .where('household_id', 'in', householdIds)
      .$if(!all, (b) => b.where((eb) => eb.or([eb('resolved_at', 'is', null), eb('acknowledged_by', 'is', null)])))
      .$if(kinds !== undefined, (b) => b.where('kind', 'in', kinds!))
      .orderBy('raised_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toAlert);
  }

  // ---- activity -------------------------------------------------------------------------------

  /** One row per source and minute; a second report for the same minute keeps the higher level. */
  async recordActivity(householdId: string, minutes: readonly ActivityMinute[]): Promise<void> {
    for (const m of minutes) {
      await this.#q
        .insertInto('household_activity')
        .values({ source_id: m.sourceId, source_kind: m.sourceKind, household_id: householdId, minute: m.minuteMs, level: m.level, samples: m.samples })
        .onConflict((oc) =>
          oc.columns(['source_id', 'minute']).doUpdateSet((eb) => ({
            level: sql<number>`CASE WHEN ${eb.ref('excluded.level')} > ${eb.ref('household_activity.level')} THEN ${eb.ref('excluded.level')} ELSE ${eb.ref('household_activity.level')} END`,
            samples: sql<number>`${eb.ref('household_activity.samples')} + ${eb.ref('excluded.samples')}`,
          })),
        )
        .execute();
    }
  }

  async listActivity(householdId: string, fromMs: number, toMs: number): Promise<ActivityMinute[]> {
    const rows = await this.#q
      .selectFrom('household_activity')
      .selectAll()
      .where('household_id', '=', householdId)
      .where('minute', '>=', fromMs)
      .where('minute', '<=', toMs)
      .orderBy('minute')
      .execute();
    return rows.map((r) => ({ sourceId: r.source_id, sourceKind: r.source_kind as ActivityMinute['sourceKind'], minuteMs: r.minute, level: r.level, samples: r.samples }));
  }

  /** The last minute at or above `threshold` since `sinceMs`. */
  async lastActiveMinute(householdId: string, threshold: number, sinceMs: number): Promise<number | null> {
    const row = await this.#q
      .selectFrom('household_activity')
      .select((eb) => eb.fn.max('minute').as('m'))
      .where('household_id', '=', householdId)
      .where('level', '>=', threshold)
      .where('minute', '>=', sinceMs)
      .executeTakeFirst();
    return row?.m === null || row?.m === undefined ? null : Number(row.m);
  }

  // ---- privacy masks and consent ----------------------------------------------------------------

  async setMasks(deviceId: string, rects: readonly MaskRect[], by: string, atMs: number): Promise<void> {
    await this.#q
      .insertInto('household_privacy_masks')
      .values({ device_id: deviceId, rects_json: JSON.stringify(rects), updated_by: by, updated_at: atMs })
      .onConflict((oc) => oc.column('device_id').doUpdateSet((eb) => ({ rects_json: eb.ref('excluded.rects_json'), updated_by: eb.ref('excluded.updated_by'), updated_at: eb.ref('excluded.updated_at') })))
      .execute();
  }

  async masksOf(deviceIds: readonly string[]): Promise<Map<string, MaskRect[]>> {
    if (deviceIds.length === 0) return new Map();
    const rows = await this.#q.selectFrom('household_privacy_masks').selectAll().where('device_id', 'in', deviceIds).execute();
    return new Map(rows.map((r) => [r.device_id, maskRectSchema.array().parse(JSON.parse(r.rects_json))]));
  }

  async appendConsent(c: Omit<ConsentRecord, 'id' | 'at' | 'level'> & { atMs: number }): Promise<void> {
    await this.#q
      .insertInto('household_consents')
      .values({
        household_id: c.householdId, member_id: c.memberId, member_name: c.memberName, source: c.source, level: 'look-in',
        action: c.action, by_id: c.byId, by_name: c.byName, by_role: c.byRole, at: c.atMs,
      })
      .execute();
  }

  /** Every consent record of the household, oldest first. */
  async listConsents(householdId: string): Promise<ConsentRecord[]> {
    const rows = await this.#q.selectFrom('household_consents').selectAll().where('household_id', '=', householdId).orderBy('id').execute();
    return rows.map((r) => ({
      id: r.id, householdId: r.household_id, memberId: r.member_id, memberName: r.member_name, source: r.source, level: 'look-in',
      action: r.action, byId: r.by_id, byName: r.by_name, byRole: r.by_role, at: iso(r.at),
    }));
  }

  // ---- visits and notice receipts -----------------------------------------------------------------

  async insertVisit(v: Omit<Visit, 'at' | 'dueAt'> & { atMs: number; dueAtMs: number | null }): Promise<void> {
    await this.#q
      .insertInto('household_visits')
      .values({
        id: v.id, household_id: v.householdId, counsellor_id: v.counsellorId, counsellor_name: v.counsellorName, call_id: v.callId,
        schedule_id: v.scheduleId, due_at: v.dueAtMs, at: v.atMs, mood: v.mood, concerns: v.concerns, follow_up: v.followUp, follow_up_by: v.followUpBy,
      })
      .execute();
  }

  async listVisits(householdId: string, limit: number): Promise<Visit[]> {
    const rows = await this.#q.selectFrom('household_visits').selectAll().where('household_id', '=', householdId).orderBy('at', 'desc').limit(limit).execute();
    return rows.map(toVisit);
  }

  /** Visit times of the households since `sinceMs` (to tell which check-ins were done). */
  async listVisitTimes(householdIds: readonly string[], sinceMs: number): Promise<{ householdId: string; scheduleId: string | null; dueAtMs: number | null; atMs: number }[]> {
    if (householdIds.length === 0) return [];
    const rows = await this.#q
      .selectFrom('household_visits')
      .select(['household_id', 'schedule_id', 'due_at', 'at'])
      .where('household_id', 'in', householdIds)
      .where('at', '>=', sinceMs)
      .execute();
    return rows.map((r) => ({ householdId: r.household_id, scheduleId: r.schedule_id, dueAtMs: r.due_at, atMs: r.at }));
  }

  /** False when the household had already read it. */
  async markNoticeRead(noticeId: string, householdId: string, deviceId: string, atMs: number): Promise<boolean> {
    const r = await this.#q
      .insertInto('household_notice_reads')
      .values({ notice_id: noticeId, household_id: householdId, device_id: deviceId, read_at: atMs })
      .onConflict((oc) => oc.columns(['notice_id', 'household_id']).doNothing())
      .executeTakeFirst();
    return (r.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async noticeReads(noticeIds: readonly string[]): Promise<{ noticeId: string; householdId: string; readAtMs: number }[]> {
    if (noticeIds.length === 0) return [];
    const rows = await this.#q.selectFrom('household_notice_reads').selectAll().where('notice_id', 'in', noticeIds).execute();
    return rows.map((r) => ({ noticeId: r.notice_id, householdId: r.household_id, readAtMs: r.read_at }));
  }

  async getNotice(id: string): Promise<Notice | undefined> {
    const row = await this.#q.selectFrom('household_notices').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toNotice(row);
  }

  async listNoticesSentBy(senderId: string, limit: number): Promise<Notice[]> {
    const rows = await this.#q.selectFrom('household_notices').selectAll().where('sender_id', '=', senderId).orderBy('created_at', 'desc').limit(limit).execute();
    return rows.map(toNotice);
  }
}

function toHousehold(r: HouseholdRow): Household {
  return {
    id: r.id,
    name: r.name,
    address: r.address,
    region: r.region,
    residents: residentSchema.array().parse(JSON.parse(r.residents_json)),
    settings: householdSettingsSchema.parse(JSON.parse(r.settings_json)),
    privacyMode: r.privacy_mode === 1,
    createdAt: iso(r.created_at),
  };
}

function toDeviceRecord(r: DeviceRow): DeviceRecord {
  return {
    device: {
      id: r.id,
      householdId: r.household_id,
      name: r.name,
      place: r.place as DevicePlace,
      boundAt: iso(r.bound_at),
      lastSeenAt: isoOrNull(r.last_seen_at),
    },
    tokenJti: r.token_jti,
    boundAtMs: r.bound_at,
    lastSeenAtMs: r.last_seen_at,
  };
}

function toCall(r: CallRow, callees: Callee[]): Call {
  return {
    id: r.id,
    householdId: r.household_id,
    roomId: callRoomId(r.household_id, r.id),
    direction: r.direction as CallDirection,
    purpose: r.purpose as CallPurpose,
    callerId: r.caller_id,
    callerRole: r.caller_role as Call['callerRole'],
    callerName: r.caller_name,
    state: r.state as CallState,
    audioOnly: r.audio_only === 1,
    autoAnswered: r.auto_answered === 1,
    quiet: r.quiet === 1,
    createdAt: iso(r.created_at),
    answeredAt: isoOrNull(r.answered_at),
    answeredBy: r.answered_by ? { id: r.answered_by, name: r.answered_by_name ?? r.answered_by, role: r.answered_by_role ?? '' } : null,
    endedAt: isoOrNull(r.ended_at),
    callees,
  };
}

function toLookIn(r: LookInRow): LookIn {
  return {
    id: r.id,
    householdId: r.household_id,
    roomId: lookInRoomId(r.household_id, r.id),
    memberId: r.member_id,
    source: r.source,
    startedAt: iso(r.started_at),
    endsAt: iso(r.ends_at),
    endedAt: isoOrNull(r.ended_at),
    endReason: r.end_reason as LookInEndReason | null,
  };
}

function toNotice(r: NoticeRow): Notice {
  return {
    id: r.id,
    senderId: r.sender_id,
    senderName: r.sender_name,
    householdId: r.household_id,
    region: r.region,
    title: r.title,
    body: r.body,
    createdAt: iso(r.created_at),
    expiresAt: isoOrNull(r.expires_at),
  };
}

function toAlert(r: AlertRow): HouseholdAlert {
  return {
    id: r.id,
    kind: r.kind as AlertKind,
    deviceId: r.device_id,
    householdId: r.household_id,
    lastSeenAt: isoOrNull(r.last_seen_at),
    raisedAt: iso(r.raised_at),
    resolvedAt: isoOrNull(r.resolved_at),
    acknowledgedBy: r.acknowledged_by,
    acknowledgedAt: isoOrNull(r.acknowledged_at),
    activity: r.details_json ? (JSON.parse(r.details_json) as ActivityDecision) : null,
    callId: r.call_id,
  };
}

function toVisit(r: VisitRow): Visit {
  return {
    id: r.id,
    householdId: r.household_id,
    counsellorId: r.counsellor_id,
    counsellorName: r.counsellor_name,
    callId: r.call_id,
    scheduleId: r.schedule_id,
    dueAt: isoOrNull(r.due_at),
    at: iso(r.at),
    mood: r.mood as Mood,
    concerns: r.concerns,
    followUp: r.follow_up,
    followUpBy: r.follow_up_by,
  };
}
