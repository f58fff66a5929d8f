// Household tables, for SQLite and PostgreSQL alike. Times are epoch milliseconds (BIGINT) so the
// checkers can compare them in SQL; settings and residents are JSON validated by the domain
// schemas on the way in.
import { execAll, serialKey, type DialectName, type Migration } from '../core/db.ts';

/** The access log is append-only: the database itself refuses UPDATE and DELETE. */
function appendOnlyAccessLog(dialect: DialectName): string[] {
  if (dialect === 'sqlite') {
    return [
      `CREATE TRIGGER household_access_log_no_update BEFORE UPDATE ON household_access_log
        BEGIN SELECT RAISE(ABORT, 'access log is append-only'); END`,
      `CREATE TRIGGER household_access_log_no_delete BEFORE DELETE ON household_access_log
        BEGIN SELECT RAISE(ABORT, 'access log is append-only'); END`,
    ];
  }
  return [
    `CREATE FUNCTION household_access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'access log is append-only'; END $$`,
    `CREATE TRIGGER household_access_log_no_change BEFORE UPDATE OR DELETE ON household_access_log
      FOR EACH ROW EXECUTE FUNCTION household_access_log_append_only()`,
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
        ...appendOnlyAccessLog(dialect),
      ]),
  },
];
