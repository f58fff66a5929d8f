// Household tables, for SQLite and PostgreSQL alike. Times are epoch milliseconds (BIGINT) so the
// checkers can compare them in SQL; settings and residents are JSON validated by the domain
// schemas on the way in.
import { execAll, serialKey, type DialectName, type Migration } from '../core/db.ts';

/** An append-only table (access log, consent record): the database itself refuses UPDATE and DELETE. */
function appendOnly(dialect: DialectName, table: string, what: string): string[] {
  if (dialect === 'sqlite') {
    return [
      `CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
        BEGIN SELECT RAISE(ABORT, '${what} is append-only'); END`,
      `CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
        BEGIN SELECT RAISE(ABORT, '${what} is append-only'); END`,
    ];
  }
  return [
    `CREATE FUNCTION ${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION '${what} is append-only'; END $$`,
    `CREATE TRIGGER ${table}_no_change BEFORE UPDATE OR DELETE ON ${table}
      FOR EACH ROW EXECUTE FUNCTION ${table}_append_only()`,
  ];
}

/**
 * Alerts of every kind (device offline, no activity, SOS): a no-activity alert belongs to the
 * household, not to one device, so `device_id` may be null. SQLite cannot drop a NOT NULL: the
 * table is rebuilt there; PostgreSQL alters it in place.
 */
function generalAlerts(dialect: DialectName): string[] {
  if (dialect === 'postgres') {
    return [
      `ALTER TABLE household_alerts ALTER COLUMN device_id DROP NOT NULL`,
      `ALTER TABLE household_alerts ADD COLUMN details_json TEXT`,
      `ALTER TABLE household_alerts ADD COLUMN call_id TEXT`,
      `CREATE INDEX household_alerts_household ON household_alerts(household_id, kind, resolved_at)`,
    ];
  }
  return [
    `CREATE TABLE household_alerts_v2 (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      device_id TEXT REFERENCES household_devices(id),
      household_id TEXT NOT NULL,
      last_seen_at BIGINT,
      raised_at BIGINT NOT NULL,
      resolved_at BIGINT,
      acknowledged_by TEXT,
      acknowledged_at BIGINT,
      details_json TEXT,
      call_id TEXT
    )`,
    `INSERT INTO household_alerts_v2 (id, kind, device_id, household_id, last_seen_at, raised_at, resolved_at, acknowledged_by, acknowledged_at)
      SELECT id, kind, device_id, household_id, last_seen_at, raised_at, resolved_at, acknowledged_by, acknowledged_at FROM household_alerts`,
    `DROP TABLE household_alerts`,
    `ALTER TABLE household_alerts_v2 RENAME TO household_alerts`,
    `CREATE INDEX household_alerts_open ON household_alerts(device_id, resolved_at)`,
    `CREATE INDEX household_alerts_household ON household_alerts(household_id, kind, resolved_at)`,
  ];
}

export const householdMigrations: readonly Migration[] = [
  {
    id: 'household-001-core',
    up: (db, dialect) =>
      execAll(db, [
        `CREATE TABLE households (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          address TEXT NOT NULL,
          region TEXT NOT NULL,
          residents_json TEXT NOT NULL,
          settings_json TEXT NOT NULL,
          privacy_mode INTEGER NOT NULL DEFAULT 0,
          created_at BIGINT NOT NULL
        )`,
        `CREATE INDEX households_region ON households(region)`,
        `CREATE TABLE household_devices (
          id TEXT PRIMARY KEY,
          household_id TEXT NOT NULL REFERENCES households(id),
          name TEXT NOT NULL,
          place TEXT NOT NULL,
          -- The jti of the one device token that is valid; binding again revokes the old token.
          token_jti TEXT,
          bound_at BIGINT NOT NULL,
          last_seen_at BIGINT
        )`,
        `CREATE INDEX household_devices_household ON household_devices(household_id)`,
        `CREATE TABLE household_cameras (
          id TEXT PRIMARY KEY,
          household_id TEXT NOT NULL REFERENCES households(id),
          name TEXT NOT NULL,
          place TEXT NOT NULL,
          url TEXT NOT NULL
        )`,
        `CREATE TABLE family_members (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          city TEXT NOT NULL,
          phone TEXT
        )`,
        `CREATE TABLE household_family (
          household_id TEXT NOT NULL REFERENCES households(id),
          member_id TEXT NOT NULL REFERENCES family_members(id),
          relation TEXT NOT NULL,
          permission TEXT NOT NULL CHECK (permission IN ('call', 'look-in', 'manage')),
          PRIMARY KEY (household_id, member_id)
        )`,
        `CREATE INDEX household_family_member ON household_family(member_id)`,
        `CREATE TABLE counsellors (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          organisation TEXT NOT NULL,
          regions_json TEXT NOT NULL
        )`,
        `CREATE TABLE household_counsellors (
          household_id TEXT NOT NULL REFERENCES households(id),
          counsellor_id TEXT NOT NULL REFERENCES counsellors(id),
          PRIMARY KEY (household_id, counsellor_id)
        )`,
        `CREATE INDEX household_counsellors_counsellor ON household_counsellors(counsellor_id)`,
        `CREATE TABLE household_calls (
          id TEXT PRIMARY KEY,
          household_id TEXT NOT NULL REFERENCES households(id),
          caller_id TEXT NOT NULL,
          caller_role TEXT NOT NULL,
          caller_name TEXT NOT NULL,
          state TEXT NOT NULL,
          audio_only INTEGER NOT NULL,
          auto_answered INTEGER NOT NULL DEFAULT 0,
          created_at BIGINT NOT NULL,
          ring_deadline BIGINT NOT NULL,
          answered_at BIGINT,
          ended_at BIGINT
        )`,
        `CREATE INDEX household_calls_household ON household_calls(household_id, created_at)`,
        `CREATE INDEX household_calls_state ON household_calls(state, ring_deadline)`,
        `CREATE TABLE household_look_ins (
          id TEXT PRIMARY KEY,
          household_id TEXT NOT NULL REFERENCES households(id),
          member_id TEXT NOT NULL,
          source TEXT NOT NULL,
          started_at BIGINT NOT NULL,
          ends_at BIGINT NOT NULL,
          ended_at BIGINT,
          end_reason TEXT
        )`,
        `CREATE INDEX household_look_ins_open ON household_look_ins(ended_at, ends_at)`,
        // Append-only: every look-in attempt, granted or refused, for the household to review.
        `CREATE TABLE household_access_log (
          id ${serialKey(dialect)},
          household_id TEXT NOT NULL,
          actor_id TEXT NOT NULL,
          actor_role TEXT NOT NULL,
          action TEXT NOT NULL,
          outcome TEXT NOT NULL,
          reason TEXT,
          look_in_id TEXT,
          at BIGINT NOT NULL
        )`,
        `CREATE INDEX household_access_log_household ON household_access_log(household_id, at)`,
        `CREATE TABLE household_notices (
          id TEXT PRIMARY KEY,
          sender_id TEXT NOT NULL,
          sender_name TEXT NOT NULL,
          household_id TEXT,
          region TEXT,
          title TEXT NOT NULL,
          body TEXT NOT NULL,
          created_at BIGINT NOT NULL,
          expires_at BIGINT,
          CHECK ((household_id IS NULL) <> (region IS NULL))
        )`,
        `CREATE INDEX household_notices_created ON household_notices(created_at)`,
        `CREATE TABLE household_check_ins (
          id TEXT PRIMARY KEY,
          household_id TEXT NOT NULL REFERENCES households(id),
          counsellor_id TEXT NOT NULL REFERENCES counsellors(id),
          days_json TEXT NOT NULL,
          time TEXT NOT NULL,
          duration_minutes INTEGER NOT NULL,
          note TEXT NOT NULL,
          -- The last occurrence already announced, so a restart does not announce it twice.
          last_due_at BIGINT,
          created_at BIGINT NOT NULL
        )`,
        `CREATE TABLE household_alerts (
          id TEXT PRIMARY KEY,
          kind TEXT NOT NULL,
          device_id TEXT NOT NULL REFERENCES household_devices(id),
          household_id TEXT NOT NULL,
          last_seen_at BIGINT,
          raised_at BIGINT NOT NULL,
          resolved_at BIGINT,
          acknowledged_by TEXT,
          acknowledged_at BIGINT
        )`,
        `CREATE INDEX household_alerts_open ON household_alerts(device_id, resolved_at)`,
        ...appendOnly(dialect, 'household_access_log', 'access log'),
      ]),
  },
  {
    // Issue 14: the home calls out and asks for help, activity without video, consent, masks,
    // the counsellor's visits and read receipts.
    id: 'household-002-care',
    up: (db, dialect) =>
      execAll(db, [
        `ALTER TABLE household_calls ADD COLUMN direction TEXT NOT NULL DEFAULT 'to-home'`,
        `ALTER TABLE household_calls ADD COLUMN purpose TEXT NOT NULL DEFAULT 'call'`,
        `ALTER TABLE household_calls ADD COLUMN quiet INTEGER NOT NULL DEFAULT 0`,
        `ALTER TABLE household_calls ADD COLUMN answered_by TEXT`,
        `ALTER TABLE household_calls ADD COLUMN answered_by_name TEXT`,
        `ALTER TABLE household_calls ADD COLUMN answered_by_role TEXT`,
        // SOS: the escalation step rung last, and when the next one is due (null: none left).
        `ALTER TABLE household_calls ADD COLUMN sos_step INTEGER`,
        `ALTER TABLE household_calls ADD COLUMN next_step_at BIGINT`,
        `CREATE INDEX household_calls_next_step ON household_calls(state, next_step_at)`,
        `CREATE TABLE household_call_callees (
          call_id TEXT NOT NULL REFERENCES household_calls(id),
          person_id TEXT NOT NULL,
          role TEXT NOT NULL,
          name TEXT NOT NULL,
          step INTEGER NOT NULL,
          state TEXT NOT NULL,
          rung_at BIGINT NOT NULL,
          PRIMARY KEY (call_id, person_id)
        )`,
        `CREATE INDEX household_call_callees_person ON household_call_callees(person_id, rung_at)`,
        // Every step of a call (who was rung, escalations, who answered when): the SOS log.
        `CREATE TABLE household_call_events (
          id ${serialKey(dialect)},
          call_id TEXT NOT NULL,
          at BIGINT NOT NULL,
          type TEXT NOT NULL,
          person_id TEXT,
          person_name TEXT,
          person_role TEXT,
          data_json TEXT NOT NULL
        )`,
        `CREATE INDEX household_call_events_call ON household_call_events(call_id, id)`,
        ...appendOnly(dialect, 'household_call_events', 'call log'),
        // 村委会 / 网格员: whom an SOS nobody answered escalates to, by division code (prefix).
        `CREATE TABLE household_village_contacts (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          organisation TEXT NOT NULL,
          region TEXT NOT NULL,
          phone TEXT
        )`,
        `CREATE INDEX household_village_contacts_region ON household_village_contacts(region)`,
        ...generalAlerts(dialect),
        // One row per source and minute: the highest share of the picture that changed. Never video.
        `CREATE TABLE household_activity (
          source_id TEXT NOT NULL,
          source_kind TEXT NOT NULL,
          household_id TEXT NOT NULL,
          minute BIGINT NOT NULL,
          level DOUBLE PRECISION NOT NULL,
          samples INTEGER NOT NULL,
          PRIMARY KEY (source_id, minute)
        )`,
        `CREATE INDEX household_activity_household ON household_activity(household_id, minute)`,
        `CREATE TABLE household_privacy_masks (
          device_id TEXT PRIMARY KEY REFERENCES household_devices(id),
          rects_json TEXT NOT NULL,
          updated_by TEXT NOT NULL,
          updated_at BIGINT NOT NULL
        )`,
        `CREATE TABLE household_consents (
          id ${serialKey(dialect)},
          household_id TEXT NOT NULL REFERENCES households(id),
          member_id TEXT NOT NULL,
          member_name TEXT NOT NULL,
          source TEXT NOT NULL,
          level TEXT NOT NULL,
          action TEXT NOT NULL CHECK (action IN ('granted', 'withdrawn')),
          by_id TEXT NOT NULL,
          by_name TEXT NOT NULL,
          by_role TEXT NOT NULL,
          at BIGINT NOT NULL
        )`,
        `CREATE INDEX household_consents_household ON household_consents(household_id, member_id, id)`,
        ...appendOnly(dialect, 'household_consents', 'consent record'),
        `ALTER TABLE household_access_log ADD COLUMN actor_name TEXT`,
        `CREATE TABLE household_visits (
          id TEXT PRIMARY KEY,
          household_id TEXT NOT NULL REFERENCES households(id),
          counsellor_id TEXT NOT NULL,
          counsellor_name TEXT NOT NULL,
          call_id TEXT,
          schedule_id TEXT,
          due_at BIGINT,
          at BIGINT NOT NULL,
          mood TEXT NOT NULL,
          concerns TEXT NOT NULL,
          follow_up TEXT NOT NULL,
          follow_up_by TEXT
        )`,
        `CREATE INDEX household_visits_household ON household_visits(household_id, at)`,
        `CREATE INDEX household_visits_schedule ON household_visits(schedule_id, due_at)`,
        `CREATE TABLE household_notice_reads (
          notice_id TEXT NOT NULL,
          household_id TEXT NOT NULL,
          device_id TEXT NOT NULL,
          read_at BIGINT NOT NULL,
          PRIMARY KEY (notice_id, household_id)
        )`,
        `CREATE INDEX household_notices_sender ON household_notices(sender_id, created_at)`,
      ]),
  },
];
