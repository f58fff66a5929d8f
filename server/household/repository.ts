// SQLite persistence for the household domain. Knows rows and SQL, not rules: authorization and
// state transitions live in the service. Times in, times out: epoch ms in SQL, ISO in the domain.
import type { Db } from '../core/db.ts';
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

export class HouseholdRepository {
  constructor(private readonly db: Db) {}

  /** BEGIN IMMEDIATE: a check-then-insert (one open call per home) holds even across processes. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  // ---- households ---------------------------------------------------------------------------

  insertHousehold(h: {
    id: string;
    name: string;
    address: string;
    region: string;
    residents: Resident[];
    settings: HouseholdSettings;
    createdAtMs: number;
  }): void {
    this.db
      .prepare(
        `INSERT INTO households (id, name, address, region, residents_json, settings_json, privacy_mode, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 0, ?)`,
      )
      .run(h.id, h.name, h.address, h.region, JSON.stringify(h.residents), JSON.stringify(h.settings), h.createdAtMs);
  }

  getHousehold(id: string): Household | undefined {
    const row = this.db.prepare('SELECT * FROM households WHERE id = ?').get(id) as HouseholdRow | undefined;
    return row && toHousehold(row);
  }

  listHouseholds(): Household[] {
    return (this.db.prepare('SELECT * FROM households ORDER BY id').all() as HouseholdRow[]).map(toHousehold);
  }

  /** Households whose division code lies within `region` (same code or a sub-division of it). */
  listHouseholdsInRegion(region: string): Household[] {
    return (
      this.db.prepare("SELECT * FROM households WHERE region LIKE ? || '%' ORDER BY id").all(region) as HouseholdRow[]
    ).map(toHousehold);
  }

  updateSettings(id: string, settings: HouseholdSettings): void {
    this.db.prepare('UPDATE households SET settings_json = ? WHERE id = ?').run(JSON.stringify(settings), id);
  }

  setPrivacyMode(id: string, on: boolean): void {
    this.db.prepare('UPDATE households SET privacy_mode = ? WHERE id = ?').run(on ? 1 : 0, id);
  }

  // ---- devices and cameras ----------------------------------------------------------------

  insertDevice(d: { id: string; householdId: string; name: string; place: DevicePlace; boundAtMs: number }): void {
    this.db
      .prepare('INSERT INTO household_devices (id, household_id, name, place, bound_at) VALUES (?, ?, ?, ?, ?)')
      .run(d.id, d.householdId, d.name, d.place, d.boundAtMs);
  }

  getDevice(id: string): DeviceRecord | undefined {
    const row = this.db.prepare('SELECT * FROM household_devices WHERE id = ?').get(id) as DeviceRow | undefined;
    return row && toDeviceRecord(row);
  }

  listDevices(householdId?: string): DeviceRecord[] {
    const rows = (
      householdId === undefined
        ? this.db.prepare('SELECT * FROM household_devices ORDER BY id').all()
        : this.db.prepare('SELECT * FROM household_devices WHERE household_id = ? ORDER BY id').all(householdId)
    ) as DeviceRow[];
    return rows.map(toDeviceRecord);
  }

  /** The device's one good token; null when its binding was revoked. */
  setDeviceTokenJti(deviceId: string, jti: string | null): void {
    this.db.prepare('UPDATE household_devices SET token_jti = ? WHERE id = ?').run(jti, deviceId);
  }

  touchDevice(deviceId: string, atMs: number): void {
    this.db.prepare('UPDATE household_devices SET last_seen_at = ? WHERE id = ?').run(atMs, deviceId);
  }

  insertCamera(c: HouseholdCamera & { url: string }): void {
    this.db
      .prepare('INSERT INTO household_cameras (id, household_id, name, place, url) VALUES (?, ?, ?, ?, ?)')
      .run(c.id, c.householdId, c.name, c.place, c.url);
  }

  /** With the URL: only the server (ingest) ever reads it; it may carry camera credentials. */
  getCamera(id: string): (HouseholdCamera & { url: string }) | undefined {
    const row = this.db.prepare('SELECT * FROM household_cameras WHERE id = ?').get(id) as
      | { id: string; household_id: string; name: string; place: DevicePlace; url: string }
      | undefined;
    return row && { id: row.id, householdId: row.household_id, name: row.name, place: row.place, url: row.url };
  }

  listCameras(householdId: string): HouseholdCamera[] {
    const rows = this.db
      .prepare('SELECT id, household_id, name, place FROM household_cameras WHERE household_id = ? ORDER BY id')
      .all(householdId) as { id: string; household_id: string; name: string; place: DevicePlace }[];
    return rows.map((r) => ({ id: r.id, householdId: r.household_id, name: r.name, place: r.place }));
  }

  // ---- family members and counsellors -------------------------------------------------------

  insertFamilyMember(m: FamilyMember): void {
    this.db
      .prepare('INSERT INTO family_members (id, name, city, phone) VALUES (?, ?, ?, ?)')
      .run(m.id, m.name, m.city, m.phone);
  }

  getFamilyMember(id: string): FamilyMember | undefined {
    return this.db.prepare('SELECT id, name, city, phone FROM family_members WHERE id = ?').get(id) as
      | FamilyMember
      | undefined;
  }

  linkFamilyMember(link: FamilyLink): void {
    this.db
      .prepare(
        `INSERT INTO household_family (household_id, member_id, relation, permission) VALUES (?, ?, ?, ?)
         ON CONFLICT (household_id, member_id) DO UPDATE SET relation = excluded.relation, permission = excluded.permission`,
      )
      .run(link.householdId, link.memberId, link.relation, link.permission);
  }

  unlinkFamilyMember(householdId: string, memberId: string): void {
    this.db.prepare('DELETE FROM household_family WHERE household_id = ? AND member_id = ?').run(householdId, memberId);
  }

  getFamilyLink(householdId: string, memberId: string): FamilyLink | undefined {
    const row = this.db
      .prepare('SELECT * FROM household_family WHERE household_id = ? AND member_id = ?')
      .get(householdId, memberId) as { household_id: string; member_id: string; relation: string; permission: string } | undefined;
    return row && { householdId: row.household_id, memberId: row.member_id, relation: row.relation, permission: row.permission as PermissionLevel };
  }

  listFamily(householdId: string): (FamilyMember & { relation: string; permission: PermissionLevel })[] {
    return this.db
      .prepare(
        `SELECT m.id, m.name, m.city, m.phone, f.relation, f.permission FROM household_family f
         JOIN family_members m ON m.id = f.member_id WHERE f.household_id = ? ORDER BY m.id`,
      )
      .all(householdId) as (FamilyMember & { relation: string; permission: PermissionLevel })[];
  }

  listLinksOfMember(memberId: string): FamilyLink[] {
    const rows = this.db
      .prepare('SELECT * FROM household_family WHERE member_id = ? ORDER BY household_id')
      .all(memberId) as { household_id: string; member_id: string; relation: string; permission: string }[];
    return rows.map((r) => ({ householdId: r.household_id, memberId: r.member_id, relation: r.relation, permission: r.permission as PermissionLevel }));
  }

  insertCounsellor(c: Counsellor): void {
    this.db
      .prepare('INSERT INTO counsellors (id, name, organisation, regions_json) VALUES (?, ?, ?, ?)')
      .run(c.id, c.name, c.organisation, JSON.stringify(c.regions));
  }

  getCounsellor(id: string): Counsellor | undefined {
    const row = this.db.prepare('SELECT * FROM counsellors WHERE id = ?').get(id) as
      | { id: string; name: string; organisation: string; regions_json: string }
      | undefined;
    return row && { id: row.id, name: row.name, organisation: row.organisation, regions: JSON.parse(row.regions_json) as string[] };
  }

  assignCounsellor(householdId: string, counsellorId: string): void {
    this.db
      .prepare('INSERT OR IGNORE INTO household_counsellors (household_id, counsellor_id) VALUES (?, ?)')
      .run(householdId, counsellorId);
  }

  isAssigned(householdId: string, counsellorId: string): boolean {
    return (
      this.db
        .prepare('SELECT 1 FROM household_counsellors WHERE household_id = ? AND counsellor_id = ?')
        .get(householdId, counsellorId) !== undefined
    );
  }

  listCounsellorIds(householdId: string): string[] {
    return (
      this.db.prepare('SELECT counsellor_id FROM household_counsellors WHERE household_id = ? ORDER BY counsellor_id').all(householdId) as {
        counsellor_id: string;
      }[]
    ).map((r) => r.counsellor_id);
  }

  listAssignedHouseholdIds(counsellorId: string): string[] {
    return (
      this.db.prepare('SELECT household_id FROM household_counsellors WHERE counsellor_id = ? ORDER BY household_id').all(counsellorId) as {
        household_id: string;
      }[]
    ).map((r) => r.household_id);
  }

  // ---- calls ----------------------------------------------------------------------------------

  insertCall(c: {
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
  }): void {
    this.db
      .prepare(
        `INSERT INTO household_calls (id, household_id, caller_id, caller_role, caller_name, state, audio_only, auto_answered,
           created_at, ring_deadline, answered_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        c.id, c.householdId, c.callerId, c.callerRole, c.callerName, c.state, c.audioOnly ? 1 : 0, c.autoAnswered ? 1 : 0,
        c.createdAtMs, c.ringDeadlineMs, c.state === 'active' ? c.createdAtMs : null,
      );
  }

  getCall(id: string): Call | undefined {
    const row = this.db.prepare('SELECT * FROM household_calls WHERE id = ?').get(id) as CallRow | undefined;
    return row && toCall(row);
  }

  /**
   * Moves a call from one of `from` to `to`; false if it was no longer in `from` (a concurrent
   * answer and timeout: exactly one of them wins).
   */
  transitionCall(id: string, from: readonly CallState[], to: CallState, atMs: number): boolean {
    const placeholders = from.map(() => '?').join(', ');
    const set =
      to === 'active' ? 'answered_at = ?' : 'ended_at = ?';
    const res = this.db
      .prepare(`UPDATE household_calls SET state = ?, ${set} WHERE id = ? AND state IN (${placeholders})`)
      .run(to, atMs, id, ...from);
    return res.changes === 1;
  }

  listRingingDue(nowMs: number): Call[] {
    return (
      this.db.prepare("SELECT * FROM household_calls WHERE state = 'ringing' AND ring_deadline <= ? ORDER BY created_at").all(nowMs) as CallRow[]
    ).map(toCall);
  }

  listOpenCalls(householdId: string): Call[] {
    return (
      this.db
        .prepare("SELECT * FROM household_calls WHERE household_id = ? AND state IN ('ringing', 'active') ORDER BY created_at")
        .all(householdId) as CallRow[]
    ).map(toCall);
  }

  listMissedCalls(householdId: string, limit: number): Call[] {
    return (
      this.db
        .prepare(
          "SELECT * FROM household_calls WHERE household_id = ? AND state IN ('missed', 'declined', 'cancelled') ORDER BY created_at DESC LIMIT ?",
        )
        .all(householdId, limit) as CallRow[]
    ).map(toCall);
  }

  // ---- look-ins and the access log ------------------------------------------------------------

  insertLookIn(l: { id: string; householdId: string; memberId: string; source: string; startedAtMs: number; endsAtMs: number }): void {
    this.db
      .prepare('INSERT INTO household_look_ins (id, household_id, member_id, source, started_at, ends_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(l.id, l.householdId, l.memberId, l.source, l.startedAtMs, l.endsAtMs);
  }

  getLookIn(id: string): LookIn | undefined {
    const row = this.db.prepare('SELECT * FROM household_look_ins WHERE id = ?').get(id) as LookInRow | undefined;
    return row && toLookIn(row);
  }

  /** False if it had already ended. */
  endLookIn(id: string, reason: LookInEndReason, atMs: number): boolean {
    return (
      this.db
        .prepare('UPDATE household_look_ins SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL')
        .run(atMs, reason, id).changes === 1
    );
  }

  listOpenLookIns(householdId: string): LookIn[] {
    return (
      this.db.prepare('SELECT * FROM household_look_ins WHERE household_id = ? AND ended_at IS NULL').all(householdId) as LookInRow[]
    ).map(toLookIn);
  }

  listLookInsPastLimit(nowMs: number): LookIn[] {
    return (
      this.db.prepare('SELECT * FROM household_look_ins WHERE ended_at IS NULL AND ends_at <= ?').all(nowMs) as LookInRow[]
    ).map(toLookIn);
  }

  appendAccessLog(e: Omit<AccessLogEntry, 'id' | 'at'> & { atMs: number }): void {
    this.db
      .prepare(
        `INSERT INTO household_access_log (household_id, actor_id, actor_role, action, outcome, reason, look_in_id, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(e.householdId, e.actorId, e.actorRole, e.action, e.outcome, e.reason, e.lookInId, e.atMs);
  }

  countGrantedLookIns(householdId: string, actorId: string, sinceMs: number): number {
    return (
      this.db
        .prepare(
          `SELECT COUNT(*) AS n FROM household_access_log
           WHERE household_id = ? AND actor_id = ? AND action = 'look-in' AND outcome = 'granted' AND at >= ?`,
        )
        .get(householdId, actorId, sinceMs) as { n: number }
    ).n;
  }

  listAccessLog(householdId: string, limit: number): AccessLogEntry[] {
    const rows = this.db
      .prepare('SELECT * FROM household_access_log WHERE household_id = ? ORDER BY id DESC LIMIT ?')
      .all(householdId, limit) as {
      id: number; household_id: string; actor_id: string; actor_role: string; action: 'look-in';
      outcome: 'granted' | 'refused'; reason: string | null; look_in_id: string | null; at: number;
    }[];
    return rows.map((r) => ({
      id: r.id, householdId: r.household_id, actorId: r.actor_id, actorRole: r.actor_role, action: r.action,
      outcome: r.outcome, reason: r.reason, lookInId: r.look_in_id, at: iso(r.at),
    }));
  }

  // ---- notices and check-ins ----------------------------------------------------------------

  insertNotice(n: Omit<Notice, 'createdAt' | 'expiresAt'> & { createdAtMs: number; expiresAtMs: number | null }): void {
    this.db
      .prepare(
        `INSERT INTO household_notices (id, sender_id, sender_name, household_id, region, title, body, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(n.id, n.senderId, n.senderName, n.householdId, n.region, n.title, n.body, n.createdAtMs, n.expiresAtMs);
  }

  /** Notices addressed to the household itself or to any region containing it, newest first. */
  listNoticesFor(household: Household, nowMs: number, limit: number): Notice[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM household_notices
           WHERE (household_id = ? OR (region IS NOT NULL AND ? LIKE region || '%'))
             AND (expires_at IS NULL OR expires_at > ?)
           ORDER BY created_at DESC LIMIT ?`,
        )
        .all(household.id, household.region, nowMs, limit) as NoticeRow[]
    ).map(toNotice);
  }

  insertCheckIn(c: Omit<CheckInSchedule, 'nextAt'> & { createdAtMs: number }): void {
    this.db
      .prepare(
        `INSERT INTO household_check_ins (id, household_id, counsellor_id, days_json, time, duration_minutes, note, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(c.id, c.householdId, c.counsellorId, JSON.stringify(c.days), c.time, c.durationMinutes, c.note, c.createdAtMs);
  }

  listCheckIns(counsellorId?: string): CheckInRecord[] {
    const rows = (
      counsellorId === undefined
        ? this.db.prepare('SELECT * FROM household_check_ins ORDER BY id').all()
        : this.db.prepare('SELECT * FROM household_check_ins WHERE counsellor_id = ? ORDER BY id').all(counsellorId)
    ) as CheckInRow[];
    return rows.map((r) => ({
      schedule: {
        id: r.id, householdId: r.household_id, counsellorId: r.counsellor_id, days: JSON.parse(r.days_json) as number[],
        time: r.time, durationMinutes: r.duration_minutes, note: r.note,
      },
      lastDueAtMs: r.last_due_at,
      createdAtMs: r.created_at,
    }));
  }

  setCheckInLastDue(id: string, atMs: number): void {
    this.db.prepare('UPDATE household_check_ins SET last_due_at = ? WHERE id = ?').run(atMs, id);
  }

  // ---- alerts ---------------------------------------------------------------------------------

  insertAlert(a: { id: string; deviceId: string; householdId: string; lastSeenAtMs: number | null; raisedAtMs: number }): void {
    this.db
      .prepare(
        `INSERT INTO household_alerts (id, kind, device_id, household_id, last_seen_at, raised_at)
         VALUES (?, 'device-offline', ?, ?, ?, ?)`,
      )
      .run(a.id, a.deviceId, a.householdId, a.lastSeenAtMs, a.raisedAtMs);
  }

  getOpenAlert(deviceId: string): DeviceAlert | undefined {
    const row = this.db
      .prepare('SELECT * FROM household_alerts WHERE device_id = ? AND resolved_at IS NULL')
      .get(deviceId) as AlertRow | undefined;
    return row && toAlert(row);
  }

  getAlert(id: string): DeviceAlert | undefined {
    const row = this.db.prepare('SELECT * FROM household_alerts WHERE id = ?').get(id) as AlertRow | undefined;
    return row && toAlert(row);
  }

  resolveAlert(id: string, atMs: number): void {
    this.db.prepare('UPDATE household_alerts SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL').run(atMs, id);
  }

  acknowledgeAlert(id: string, by: string, atMs: number): void {
    this.db
      .prepare('UPDATE household_alerts SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ? AND acknowledged_by IS NULL')
      .run(by, atMs, id);
  }

  listAlertsForHouseholds(householdIds: readonly string[], includeResolved: boolean, limit: number): DeviceAlert[] {
    if (householdIds.length === 0) return [];
    const placeholders = householdIds.map(() => '?').join(', ');
    const open = includeResolved ? '' : 'AND resolved_at IS NULL';
    return (
      this.db
        .prepare(`SELECT * FROM household_alerts WHERE household_id IN (${placeholders}) ${open} ORDER BY raised_at DESC LIMIT ?`)
        .all(...householdIds, limit) as AlertRow[]
    ).map(toAlert);
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
