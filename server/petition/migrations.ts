// Schema of the petition domain, for SQLite and PostgreSQL alike. Forward-only; ids are stable
// forever (a store made by the first, SQLite-only version has these ids recorded already).
import { execAll, serialKey, type Migration } from '../core/db.ts';

export const petitionMigrations: Migration[] = [
  {
    id: 'petition-001-directory',
    up: (db) =>
      execAll(db, [
        `CREATE TABLE petition_regions (
          code TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          level TEXT NOT NULL CHECK (level IN ('village','township','county','city')),
          parent_code TEXT REFERENCES petition_regions(code)
        )`,
        `CREATE INDEX petition_regions_parent ON petition_regions(parent_code)`,
        `CREATE TABLE petition_terminals (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          level TEXT NOT NULL,
          region_code TEXT NOT NULL REFERENCES petition_regions(code),
          parent_region_code TEXT REFERENCES petition_regions(code)
        )`,
        `CREATE TABLE petition_departments (
          id TEXT PRIMARY KEY,
          kind TEXT NOT NULL,
          name TEXT NOT NULL,
          level TEXT NOT NULL,
          region_code TEXT NOT NULL REFERENCES petition_regions(code),
          UNIQUE (kind, region_code)
        )`,
        `CREATE TABLE petition_officials (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          department_id TEXT NOT NULL REFERENCES petition_departments(id),
          level TEXT NOT NULL,
          region_code TEXT NOT NULL REFERENCES petition_regions(code),
          max_sessions INTEGER NOT NULL DEFAULT 1 CHECK (max_sessions BETWEEN 1 AND 10),
          post TEXT
        )`,
        `CREATE INDEX petition_officials_department ON petition_officials(department_id)`,
      ]),
  },
  {
    id: 'petition-002-cases',
    up: (db, dialect) =>
      execAll(db, [
        `CREATE TABLE petition_case_counters (day TEXT PRIMARY KEY, last INTEGER NOT NULL)`,
        `CREATE TABLE petition_cases (
          id TEXT PRIMARY KEY,
          terminal_id TEXT NOT NULL REFERENCES petition_terminals(id),
          region_code TEXT NOT NULL,
          category TEXT NOT NULL,
          petitioner_name TEXT,
          id_number_masked TEXT,
          phone TEXT,
          description TEXT,
          flags TEXT NOT NULL,
          state TEXT NOT NULL,
          routed_department_ids TEXT NOT NULL,
          department_id TEXT REFERENCES petition_departments(id),
          official_id TEXT REFERENCES petition_officials(id),
          registered_at TEXT NOT NULL,
          accept_deadline TEXT NOT NULL,
          handle_deadline TEXT NOT NULL,
          handle_extended INTEGER NOT NULL DEFAULT 0,
          extension_reason TEXT,
          accepted_at TEXT,
          opinion TEXT,
          opinion_at TEXT,
          rating TEXT,
          rated_at TEXT,
          appointment TEXT,
          updated_at TEXT NOT NULL
        )`,
        `CREATE INDEX petition_cases_state ON petition_cases(state)`,
        `CREATE INDEX petition_cases_terminal ON petition_cases(terminal_id)`,
        `CREATE TABLE petition_case_events (
          seq ${serialKey(dialect)},
          case_id TEXT NOT NULL REFERENCES petition_cases(id),
          at TEXT NOT NULL,
          actor_id TEXT NOT NULL,
          actor_role TEXT NOT NULL,
          type TEXT NOT NULL,
          data TEXT NOT NULL
        )`,
        `CREATE INDEX petition_case_events_case ON petition_case_events(case_id, seq)`,
        `CREATE TABLE petition_participants (
          case_id TEXT NOT NULL REFERENCES petition_cases(id),
          official_id TEXT NOT NULL REFERENCES petition_officials(id),
          department_id TEXT NOT NULL,
          role TEXT NOT NULL CHECK (role IN ('lead','invited')),
          joined_at TEXT NOT NULL,
          PRIMARY KEY (case_id, official_id)
        )`,
        // One row per scheduler ticket that was assigned: the durable mirror of the Redis claim.
        `CREATE TABLE petition_assignments (
          ticket_id TEXT PRIMARY KEY,
          case_id TEXT NOT NULL REFERENCES petition_cases(id),
          official_id TEXT NOT NULL,
          department_id TEXT NOT NULL,
          kind TEXT NOT NULL,
          assigned_at TEXT NOT NULL
        )`,
        `CREATE INDEX petition_assignments_case ON petition_assignments(case_id)`,
      ]),
  },
  {
    id: 'petition-003-reception-days',
    up: (db) =>
      execAll(db, [
        `CREATE TABLE petition_reception_days (
          id TEXT PRIMARY KEY,
          official_id TEXT NOT NULL REFERENCES petition_officials(id),
          leader_name TEXT NOT NULL,
          post TEXT NOT NULL,
          portfolio TEXT NOT NULL,
          department_id TEXT NOT NULL REFERENCES petition_departments(id),
          region_code TEXT NOT NULL,
          place TEXT NOT NULL,
          starts_at TEXT NOT NULL,
          slot_minutes INTEGER NOT NULL,
          slots INTEGER NOT NULL,
          capacity_per_slot INTEGER NOT NULL
        )`,
        `CREATE TABLE petition_appointments (
          case_id TEXT PRIMARY KEY REFERENCES petition_cases(id),
          day_id TEXT NOT NULL REFERENCES petition_reception_days(id),
          slot INTEGER NOT NULL,
          booked_at TEXT NOT NULL,
          admitted INTEGER NOT NULL DEFAULT 0
        )`,
        `CREATE INDEX petition_appointments_day ON petition_appointments(day_id, slot)`,
      ]),
  },
  {
    // Participants in the order they joined, also when two join in the same millisecond: the
    // first version relied on SQLite's rowid, which PostgreSQL has no equivalent of.
    id: 'petition-004-participant-order',
    up: (db, dialect) =>
      execAll(db, [
        'ALTER TABLE petition_participants ADD COLUMN seq INTEGER NOT NULL DEFAULT 0',
        ...(dialect === 'sqlite' ? ['UPDATE petition_participants SET seq = rowid'] : []),
      ]),
  },
  {
    // The case after the call (docs/case-life.md): the life stage and the 受理告知 decision on
    // the case, department heads, one row per clock, head approvals, issued documents with their
    // SHA-256, attachments (bytes in the store, so every node of a cluster reads them), joint
    // handling, call-backs and the offices' document counters.
    id: 'petition-005-case-life',
    up: (db, dialect) =>
      execAll(db, [
        `ALTER TABLE petition_cases ADD COLUMN stage TEXT NOT NULL DEFAULT 'intake'`,
        'ALTER TABLE petition_cases ADD COLUMN acceptance TEXT',
        'ALTER TABLE petition_cases ADD COLUMN acceptance_body TEXT',
        'ALTER TABLE petition_cases ADD COLUMN result_rating TEXT',
        'ALTER TABLE petition_cases ADD COLUMN result_rated_at TEXT',
        // sha256(caseId:code) of the receipt's query code; the code itself is never stored.
        'ALTER TABLE petition_cases ADD COLUMN query_code_hash TEXT',
        'CREATE INDEX petition_cases_stage ON petition_cases(stage)',
        'ALTER TABLE petition_officials ADD COLUMN is_head INTEGER NOT NULL DEFAULT 0',
        `CREATE TABLE petition_clocks (
          case_id TEXT NOT NULL REFERENCES petition_cases(id),
          kind TEXT NOT NULL,
          department_id TEXT,
          started_at TEXT NOT NULL,
          days INTEGER NOT NULL,
          extension_days INTEGER NOT NULL DEFAULT 0,
          paused_days INTEGER NOT NULL DEFAULT 0,
          paused_at TEXT,
          stopped_at TEXT,
          due_at TEXT,
          PRIMARY KEY (case_id, kind)
        )`,
        'CREATE INDEX petition_clocks_open ON petition_clocks(stopped_at, due_at)',
        `CREATE TABLE petition_approvals (
          id TEXT PRIMARY KEY,
          case_id TEXT NOT NULL REFERENCES petition_cases(id),
          kind TEXT NOT NULL CHECK (kind IN ('extension','reply')),
          department_id TEXT NOT NULL,
          requested_by TEXT NOT NULL,
          requested_at TEXT NOT NULL,
          payload TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('pending','approved','rejected')),
          decided_by TEXT,
          decided_at TEXT,
          note TEXT
        )`,
        'CREATE INDEX petition_approvals_department ON petition_approvals(department_id, state)',
        'CREATE INDEX petition_approvals_case ON petition_approvals(case_id)',
        `CREATE TABLE petition_documents (
          id TEXT PRIMARY KEY,
          case_id TEXT NOT NULL REFERENCES petition_cases(id),
          kind TEXT NOT NULL,
          number TEXT NOT NULL,
          title TEXT NOT NULL,
          office TEXT NOT NULL,
          issued_at TEXT NOT NULL,
          issued_by TEXT NOT NULL,
          html TEXT NOT NULL,
          sha256 TEXT NOT NULL
        )`,
        'CREATE INDEX petition_documents_case ON petition_documents(case_id)',
        `CREATE TABLE petition_document_counters (key TEXT PRIMARY KEY, last INTEGER NOT NULL)`,
        `CREATE TABLE petition_attachments (
          id TEXT PRIMARY KEY,
          case_id TEXT NOT NULL REFERENCES petition_cases(id),
          at TEXT NOT NULL,
          actor_id TEXT NOT NULL,
          name TEXT NOT NULL,
          mime TEXT NOT NULL,
          size INTEGER NOT NULL,
          sha256 TEXT NOT NULL,
          bytes ${dialect === 'postgres' ? 'BYTEA' : 'BLOB'} NOT NULL
        )`,
        'CREATE INDEX petition_attachments_case ON petition_attachments(case_id)',
        `CREATE TABLE petition_handlers (
          case_id TEXT NOT NULL REFERENCES petition_cases(id),
          department_id TEXT NOT NULL REFERENCES petition_departments(id),
          role TEXT NOT NULL CHECK (role IN ('lead','co')),
          added_at TEXT NOT NULL,
          PRIMARY KEY (case_id, department_id)
        )`,
        `CREATE TABLE petition_callbacks (
          id TEXT PRIMARY KEY,
          case_id TEXT NOT NULL REFERENCES petition_cases(id),
          department_id TEXT NOT NULL,
          terminal_id TEXT NOT NULL,
          requested_at TEXT NOT NULL,
          due_at TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('pending','done','missed')),
          channel TEXT,
          attempts INTEGER NOT NULL DEFAULT 0,
          done_at TEXT,
          done_by TEXT,
          note TEXT
        )`,
        'CREATE INDEX petition_callbacks_department ON petition_callbacks(department_id, state)',
      ]),
  },
  {
    // Were a file in each node's DATA_DIR: a change through one node did not reach the others.
    id: 'petition-006-routing-rules',
    up: (db) =>
      execAll(db, [
        `CREATE TABLE petition_routing_rules (
          revision INTEGER PRIMARY KEY,
          rules_json TEXT NOT NULL,
          changed_by TEXT NOT NULL,
          changed_at TEXT NOT NULL
        )`,
      ]),
  },
  {
    // A start looks for its terminal's open case (terminal_id IN … AND state IN …). With an index
    // on terminal_id alone SQLite's planner took the state index instead and read every open case
    // of the city for each batch of starts; this one answers the query by both keys.
    id: 'petition-007-cases-by-terminal-and-state',
    up: (db) =>
      execAll(db, [
        'CREATE INDEX petition_cases_terminal_state ON petition_cases(terminal_id, state)',
        'DROP INDEX petition_cases_terminal',
      ]),
  },
];
