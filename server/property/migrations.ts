// 红色物业 tables, for SQLite and PostgreSQL alike. Times are epoch milliseconds (BIGINT).
// Camera URLs may hold credentials: they are read only by the ingest, never answered.
import { execAll, serialKey, type Migration } from '../core/db.ts';

export const propertyMigrations: readonly Migration[] = [
  {
    id: 'property-001-core',
    up: (db, dialect) =>
      execAll(db, [
        `CREATE TABLE compounds (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          address TEXT NOT NULL,
          region TEXT NOT NULL,
          property_company TEXT NOT NULL,
          community TEXT NOT NULL,
          police_department_id TEXT
        )`,
        `CREATE TABLE compound_cameras (
          id TEXT PRIMARY KEY,
          compound_id TEXT NOT NULL REFERENCES compounds(id),
          name TEXT NOT NULL,
          location TEXT NOT NULL,
          url TEXT NOT NULL
        )`,
        `CREATE INDEX compound_cameras_compound ON compound_cameras(compound_id)`,
        // The people of a compound: its property office's staff and its residents.
        `CREATE TABLE compound_people (
          id TEXT PRIMARY KEY,
          compound_id TEXT NOT NULL REFERENCES compounds(id),
          kind TEXT NOT NULL CHECK (kind IN ('property', 'resident')),
          name TEXT NOT NULL,
          unit TEXT
        )`,
        `CREATE INDEX compound_people_compound ON compound_people(compound_id, kind)`,
        `CREATE TABLE property_matters (
          id TEXT PRIMARY KEY,
          compound_id TEXT NOT NULL REFERENCES compounds(id),
          category TEXT NOT NULL,
          location TEXT NOT NULL,
          description TEXT NOT NULL,
          state TEXT NOT NULL,
          resident_id TEXT NOT NULL,
          raised_by_id TEXT NOT NULL,
          raised_by_name TEXT NOT NULL,
          raised_by_role TEXT NOT NULL,
          session_open INTEGER NOT NULL,
          decision TEXT,
          rating_score INTEGER,
          rating_comment TEXT,
          rated_at BIGINT,
          created_at BIGINT NOT NULL,
          updated_at BIGINT NOT NULL
        )`,
        `CREATE INDEX property_matters_compound ON property_matters(compound_id, created_at)`,
        `CREATE TABLE property_matter_parties (
          matter_id TEXT NOT NULL REFERENCES property_matters(id),
          kind TEXT NOT NULL,
          ref TEXT NOT NULL,
          name TEXT NOT NULL,
          invited_at BIGINT NOT NULL,
          invited_by TEXT,
          joined_by TEXT,
          joined_by_name TEXT,
          joined_at BIGINT,
          PRIMARY KEY (matter_id, kind, ref)
        )`,
        `CREATE INDEX property_matter_parties_ref ON property_matter_parties(kind, ref)`,
        `CREATE TABLE property_matter_cameras (
          matter_id TEXT NOT NULL REFERENCES property_matters(id),
          camera_id TEXT NOT NULL REFERENCES compound_cameras(id),
          added_at BIGINT NOT NULL,
          PRIMARY KEY (matter_id, camera_id)
        )`,
        `CREATE TABLE property_matter_events (
          id ${serialKey(dialect)},
          matter_id TEXT NOT NULL REFERENCES property_matters(id),
          type TEXT NOT NULL,
          actor_id TEXT NOT NULL,
          actor_name TEXT NOT NULL,
          at BIGINT NOT NULL,
          data_json TEXT NOT NULL
        )`,
        `CREATE INDEX property_matter_events_matter ON property_matter_events(matter_id, id)`,
        // Who watched which compound camera, when: the view room is open until ends_at.
        `CREATE TABLE compound_camera_views (
          id TEXT PRIMARY KEY,
          camera_id TEXT NOT NULL REFERENCES compound_cameras(id),
          compound_id TEXT NOT NULL,
          viewer_id TEXT NOT NULL,
          viewer_role TEXT NOT NULL,
          viewer_name TEXT NOT NULL,
          started_at BIGINT NOT NULL,
          ends_at BIGINT NOT NULL
        )`,
      ]),
  },
  {
    // A camera with history (a matter showed it, someone watched it) cannot be deleted: it is
    // retired instead — kept for the record, gone from lists, no longer watched or pulled.
    id: 'property-002-camera-retire',
    up: (db) => execAll(db, [`ALTER TABLE compound_cameras ADD COLUMN retired_at BIGINT`]),
  },
];
