// Persistence of the household domain on the node's store (SQLite or PostgreSQL,
// server/core/db.ts). Knows rows and SQL, not rules: authorization and state transitions live in
// the service. Times in, times out: epoch ms in SQL, ISO in the domain.
import type { Generated } from 'kysely';
import type { Executor, Store } from '../core/db.ts';
import {
  householdSettingsSchema,
  residentSchema,
  type AccessLogEntry,
  type Call,
  type CallState,
  type CheckInSchedule,
  type Counsellor,
  type Device,
  type DeviceAlert,
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
  device_id: string;
  household_id: string;
  last_seen_at: number | null;
  raised_at: number;
  resolved_at: number | null;
  acknowledged_by: string | null;
}

/** A device row as the service needs it: with the token jti and raw times for the checkers. */
export interface DeviceRecord {
  device: Omit<Device, 'online'>;
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
    actor_role: string;
    action: 'look-in';
    outcome: 'granted' | 'refused';
    reason: string | null;
    look_in_id: string | null;
    at: number;
  };
  household_notices: NoticeRow;
  household_check_ins: CheckInRow;
  household_alerts: AlertRow & { acknowledged_at: number | null };
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

  async unlinkFamilyMember(householdId: string, memberId: string): Promise<void> {
    await this.#q.deleteFrom('household_family').where('household_id', '=', householdId).where('member_id', '=', memberId).execute();
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
    callerId: string;
    callerRole: 'family' | 'counsellor';
    callerName: string;
    state: CallState;
    audioOnly: boolean;
    autoAnswered: boolean;
    createdAtMs: number;
    ringDeadlineMs: number;
  }): Promise<void> {
    await this.#q
      .insertInto('household_calls')
      .values({
        id: c.id,
        household_id: c.householdId,
        caller_id: c.callerId,
        caller_role: c.callerRole,
        caller_name: c.callerName,
        state: c.state,
        audio_only: c.audioOnly ? 1 : 0,
        auto_answered: c.autoAnswered ? 1 : 0,
        created_at: c.createdAtMs,
        ring_deadline: c.ringDeadlineMs,
        answered_at: c.state === 'active' ? c.createdAtMs : null,
        ended_at: null,
      })
      .execute();
  }

  async getCall(id: string): Promise<Call | undefined> {
    const row = await this.#q.selectFrom('household_calls').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toCall(row);
  }

  /**
   * Moves a call from one of `from` to `to`; false if it was no longer in `from` (a concurrent
   * answer and timeout: exactly one of them wins).
   */
  async transitionCall(id: string, from: readonly CallState[], to: CallState, atMs: number): Promise<boolean> {
    const r = await this.#q
      .updateTable('household_calls')
      .set(to === 'active' ? { state: to, answered_at: atMs } : { state: to, ended_at: atMs })
      .where('id', '=', id)
      .where('state', 'in', from)
      .executeTakeFirst();
    return r.numUpdatedRows === 1n;
  }

  async listRingingDue(nowMs: number): Promise<Call[]> {
    const rows = await this.#q.selectFrom('household_calls').selectAll().where('state', '=', 'ringing').where('ring_deadline', '<=', nowMs).orderBy('created_at').execute();
    return rows.map(toCall);
  }

  async listOpenCalls(householdId: string): Promise<Call[]> {
    const rows = await this.#q
      .selectFrom('household_calls')
      .selectAll()
      .where('household_id', '=', householdId)
      .where('state', 'in', ['ringing', 'active'])
      .orderBy('created_at')
      .execute();
    return rows.map(toCall);
  }

  async listMissedCalls(householdId: string, limit: number): Promise<Call[]> {
    const rows = await this.#q
      .selectFrom('household_calls')
      .selectAll()
      .where('household_id', '=', householdId)
      .where('state', 'in', ['missed', 'declined', 'cancelled'])
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toCall);
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

  async appendAccessLog(e: Omit<AccessLogEntry, 'id' | 'at'> & { atMs: number }): Promise<void> {
    await this.#q
      .insertInto('household_access_log')
      .values({ household_id: e.householdId, actor_id: e.actorId, actor_role: e.actorRole, action: e.action, outcome: e.outcome, reason: e.reason, look_in_id: e.lookInId, at: e.atMs })
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
      .where('at', '>=', sinceMs)
      .executeTakeFirstOrThrow();
    return n;
  }

  async listAccessLog(householdId: string, limit: number): Promise<AccessLogEntry[]> {
    const rows = await this.#q.selectFrom('household_access_log').selectAll().where('household_id', '=', householdId).orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({
      id: r.id, householdId: r.household_id, actorId: r.actor_id, actorRole: r.actor_role, action: r.action,
      outcome: r.outcome, reason: r.reason, lookInId: r.look_in_id, at: iso(r.at),
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

  async insertAlert(a: { id: string; deviceId: string; householdId: string; lastSeenAtMs: number | null; raisedAtMs: number }): Promise<void> {
    await this.#q
      .insertInto('household_alerts')
      .values({ id: a.id, kind: 'device-offline', device_id: a.deviceId, household_id: a.householdId, last_seen_at: a.lastSeenAtMs, raised_at: a.raisedAtMs, resolved_at: null, acknowledged_by: null, acknowledged_at: null })
      .execute();
  }

  async getOpenAlert(deviceId: string): Promise<DeviceAlert | undefined> {
    const row = await this.#q.selectFrom('household_alerts').selectAll().where('device_id', '=', deviceId).where('resolved_at', 'is', null).executeTakeFirst();
    return row && toAlert(row);
  }

  async getAlert(id: string): Promise<DeviceAlert | undefined> {
    const row = await this.#q.selectFrom('household_alerts').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toAlert(row);
  }

  async resolveAlert(id: string, atMs: number): Promise<void> {
    await this.#q.updateTable('household_alerts').set({ resolved_at: atMs }).where('id', '=', id).where('resolved_at', 'is', null).execute();
  }

  async acknowledgeAlert(id: string, by: string, atMs: number): Promise<void> {
    await this.#q.updateTable('household_alerts').set({ acknowledged_by: by, acknowledged_at: atMs }).where('id', '=', id).where('acknowledged_by', 'is', null).execute();
  }

  async listAlertsForHouseholds(householdIds: readonly string[], includeResolved: boolean, limit: number): Promise<DeviceAlert[]> {
    if (householdIds.length === 0) return [];
    const rows = await this.#q
      .selectFrom('household_alerts')
      .selectAll()
      .where('household_id', 'in', householdIds)
      .$if(!includeResolved, (b) => b.where('resolved_at', 'is', null))
      .orderBy('raised_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toAlert);
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

function toCall(r: CallRow): Call {
  return {
    id: r.id,
    householdId: r.household_id,
    roomId: callRoomId(r.household_id, r.id),
    callerId: r.caller_id,
    callerRole: r.caller_role as Call['callerRole'],
    callerName: r.caller_name,
    state: r.state as CallState,
    audioOnly: r.audio_only === 1,
    autoAnswered: r.auto_answered === 1,
    createdAt: iso(r.created_at),
    answeredAt: isoOrNull(r.answered_at),
    endedAt: isoOrNull(r.ended_at),
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

function toAlert(r: AlertRow): DeviceAlert {
  return {
    id: r.id,
    kind: 'device-offline',
    deviceId: r.device_id,
    householdId: r.household_id,
    lastSeenAt: isoOrNull(r.last_seen_at),
    raisedAt: iso(r.raised_at),
    resolvedAt: isoOrNull(r.resolved_at),
    acknowledgedBy: r.acknowledged_by,
  };
}
