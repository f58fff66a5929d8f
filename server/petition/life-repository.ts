// The durable record of the case life after the call (docs/case-life.md): clocks, head
// approvals, issued documents, attachments, joint handling and call-backs, on the node's store.
// Every step goes through `change()`: the case row locked, its clocks read, the domain's decision
// computed from them, and the case patch, clocks, events and records written in one transaction.
import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Executor, Store } from '../core/db.ts';
import { newId } from '../core/ids.ts';
import { insertRows, updateRows } from '../core/row-statements.ts';
import { patchColumns, toCase, type CasePatch, type NewEvent, type PetitionTables } from './repository.ts';
import type {
  Approval,
  ApprovalKind,
  Attachment,
  Callback,
  Case,
  CaseDocument,
  CaseDocumentWithHtml,
  ClockKind,
  ClockRecord,
  DocumentKind,
  Handler,
  Rating,
} from './types.ts';

export interface LifeTables {
  petition_clocks: {
    case_id: string;
    kind: ClockKind;
    department_id: string | null;
    started_at: string;
    days: number;
    extension_days: number;
    paused_days: number;
    paused_at: string | null;
    stopped_at: string | null;
    due_at: string | null;
  };
  petition_approvals: {
    id: string;
    case_id: string;
    kind: ApprovalKind;
    department_id: string;
    requested_by: string;
    requested_at: string;
    payload: string;
    state: Approval['state'];
    decided_by: string | null;
    decided_at: string | null;
    note: string | null;
  };
  petition_documents: { id: string; case_id: string; kind: DocumentKind; number: string; title: string; office: string; issued_at: string; issued_by: string; html: string; sha256: string };
  petition_document_counters: { key: string; last: number };
  petition_attachments: { id: string; case_id: string; at: string; actor_id: string; name: string; mime: string; size: number; sha256: string; bytes: Buffer };
  petition_handlers: { case_id: string; department_id: string; role: Handler['role']; added_at: string };
  petition_callbacks: {
    id: string;
    case_id: string;
    department_id: string;
    terminal_id: string;
    requested_at: string;
    due_at: string;
    state: Callback['state'];
    channel: Callback['channel'];
    attempts: number;
    done_at: string | null;
    done_by: string | null;
    note: string | null;
  };
}
type Tables = PetitionTables & LifeTables;
type Q = Executor<Tables>;

/** A clock to write, with its due instant (computed by the domain's calendar; null while paused). */
export interface ClockWrite {
  record: ClockRecord;
  departmentId: string | null;
  dueAt: string | null;
}

export interface NewDocument {
  kind: DocumentKind;
  title: string;
  office: string;
  /** `number` is filled in from the office's counter for the year: `(n) => '…〔2026〕受字第n号'`. */
  number: (n: number) => string;
  counterKey: string;
  issuedAt: string;
  issuedBy: string;
  /** The page's HTML given the number (the number is part of the text that is hashed). */
  html: (number: string) => string;
}

/** What one step of the case life writes. */
export interface LifeChange {
  patch?: CasePatch;
  clocks?: ClockWrite[];
  events: NewEvent[];
  approval?: { create: Omit<Approval, 'id' | 'state' | 'decidedBy' | 'decidedAt' | 'note'> } | { decide: { id: string; state: 'approved' | 'rejected'; by: string; at: string; note: string | null } };
  handler?: Handler;
  document?: NewDocument;
  callback?: { create: Omit<Callback, 'id' | 'state' | 'channel' | 'attempts' | 'doneAt' | 'doneBy' | 'note'> } | { update: Pick<Callback, 'id' | 'state' | 'attempts' | 'channel' | 'doneAt' | 'doneBy' | 'note'> };
}

/** What the domain sees inside the transaction. */
export interface LifeSnapshot {
  case: Case;
  clocks: Map<ClockKind, ClockRecord>;
  approvals: Approval[];
  handlers: Handler[];
  callbacks: Callback[];
}

export interface LifeResult {
  case: Case;
  document: CaseDocument | null;
  approval: Approval | null;
  callback: Callback | null;
}

export const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

const CLOCK = (r: LifeTables['petition_clocks']): ClockRecord => ({
  kind: r.kind,
  startedAt: r.started_at,
  days: r.days,
  extensionDays: r.extension_days,
  pausedDays: r.paused_days,
  pausedAt: r.paused_at,
  stoppedAt: r.stopped_at,
});
const APPROVAL = (r: LifeTables['petition_approvals']): Approval => ({
  id: r.id,
  caseId: r.case_id,
  kind: r.kind,
  departmentId: r.department_id,
  requestedBy: r.requested_by,
  requestedAt: r.requested_at,
  payload: JSON.parse(r.payload) as Approval['payload'],
  state: r.state,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
  note: r.note,
});
const DOCUMENT = ['id', 'case_id as caseId', 'kind', 'number', 'title', 'office', 'issued_at as issuedAt', 'issued_by as issuedBy', 'sha256'] as const;
const ATTACHMENT = ['id', 'case_id as caseId', 'at', 'actor_id as actorId', 'name', 'mime', 'size', 'sha256'] as const;
const HANDLER = ['case_id as caseId', 'department_id as departmentId', 'role', 'added_at as addedAt'] as const;
const CALLBACK = (r: LifeTables['petition_callbacks']): Callback => ({
  id: r.id,
  caseId: r.case_id,
  departmentId: r.department_id,
  terminalId: r.terminal_id,
  requestedAt: r.requested_at,
  dueAt: r.due_at,
  state: r.state,
  channel: r.channel,
  attempts: r.attempts,
  doneAt: r.done_at,
  doneBy: r.done_by,
  note: r.note,
});

/** A clock's columns as written, whichever statement writes them (its case, kind and office aside). */
function clockColumns(c: ClockWrite) {
  const r = c.record;
  return { started_at: r.startedAt, days: r.days, extension_days: r.extensionDays, paused_days: r.pausedDays, paused_at: r.pausedAt, stopped_at: r.stoppedAt, due_at: c.dueAt };
}

export class CaseLifeRepository {
  readonly #store: Store;
  readonly #db: Kysely<Tables>;

  constructor(store: Store) {
    this.#store = store;
    this.#db = store.db<Tables>();
  }

  /**
   * One step of the case life, atomically: locks the case, hands `decide` a snapshot (it throws a
   * typed error to refuse, changing nothing) and writes what it returns.
   */
  change(caseId: string, decide: (s: LifeSnapshot) => LifeChange): Promise<LifeResult | undefined> {
    return this.#store.transaction<Tables, LifeResult | undefined>((trx) => this.#changeIn(trx, caseId, decide));
  }

  /**
   * Offices taking cases up as lead, inside their assignments' transaction: each case's running
   * (not stopped) office clock `kind` moves to its office, which joins the handlers unless it is
   * one. One statement per table for the batch; of two leads of one case, the later one's office.
   */
  async assignLeads(trx: Transaction<PetitionTables>, leads: readonly { caseId: string; kind: ClockKind | undefined; departmentId: string; at: string }[]): Promise<void> {
    if (leads.length === 0) return;
    const clocks = new Map(leads.flatMap((l) => (l.kind ? [[`${l.caseId} ${l.kind}`, { case_id: l.caseId, kind: l.kind, department_id: l.departmentId }] as const] : [])));
    await updateRows(trx, { table: 'petition_clocks', keys: ['case_id', 'kind'], set: ['department_id'], rows: [...clocks.values()], where: 'petition_clocks.stopped_at IS NULL' });
    await insertRows(trx, {
      table: 'petition_handlers',
      rows: leads.map((l) => ({ case_id: l.caseId, department_id: l.departmentId, role: 'lead', added_at: l.at })),
      ignoreConflictOn: ['case_id', 'department_id'],
    });
  }

  async #changeIn(trx: Transaction<Tables>, caseId: string, decide: (s: LifeSnapshot) => LifeChange): Promise<LifeResult | undefined> {
    {
      const row = await this.#store.forUpdate(trx.selectFrom('petition_cases').selectAll().where('id', '=', caseId)).executeTakeFirst();
      if (!row) return undefined;
      const snapshot: LifeSnapshot = {
        case: toCase(row),
        clocks: new Map((await this.#clocks(trx, caseId)).map((c) => [c.kind, c])),
        approvals: await this.#approvals(trx, caseId),
        handlers: await this.#handlers(trx, caseId),
        callbacks: await this.#callbacks(trx, caseId),
      };
      const ch = decide(snapshot);
      const at = ch.events[0]?.at ?? new Date().toISOString();
      const patched = !!ch.patch && Object.keys(ch.patch).length > 0;
      if (patched) {
        await trx
          .updateTable('petition_cases')
          .set({ ...patchColumns(ch.patch!), updated_at: at })
          .where('id', '=', caseId)
          .execute();
      }
      for (const c of ch.clocks ?? []) await this.#writeClock(trx, caseId, c);
      let approval: Approval | null = null;
      if (ch.approval && 'create' in ch.approval) {
        approval = { ...ch.approval.create, id: newId('appr'), state: 'pending', decidedBy: null, decidedAt: null, note: null };
        await trx
          .insertInto('petition_approvals')
          .values({ id: approval.id, case_id: caseId, kind: approval.kind, department_id: approval.departmentId, requested_by: approval.requestedBy, requested_at: approval.requestedAt, payload: JSON.stringify(approval.payload), state: 'pending' })
          .execute();
      } else if (ch.approval) {
        const d = ch.approval.decide;
        await trx.updateTable('petition_approvals').set({ state: d.state, decided_by: d.by, decided_at: d.at, note: d.note }).where('id', '=', d.id).where('state', '=', 'pending').execute();
        approval = (await this.#approvals(trx, caseId)).find((a) => a.id === d.id) ?? null;
      }
      if (ch.handler) {
        const h = ch.handler;
        await trx
          .insertInto('petition_handlers')
          .values({ case_id: caseId, department_id: h.departmentId, role: h.role, added_at: h.addedAt })
          .onConflict((oc) => oc.columns(['case_id', 'department_id']).doUpdateSet({ role: h.role }))
          .execute();
      }
      let document: CaseDocument | null = null;
      if (ch.document) document = await this.#issue(trx, caseId, ch.document);
      let callback: Callback | null = null;
      if (ch.callback && 'create' in ch.callback) {
        const c = ch.callback.create;
        callback = { ...c, id: newId('cb'), state: 'pending', channel: null, attempts: 0, doneAt: null, doneBy: null, note: null };
        await trx
          .insertInto('petition_callbacks')
          .values({ id: callback.id, case_id: caseId, department_id: c.departmentId, terminal_id: c.terminalId, requested_at: c.requestedAt, due_at: c.dueAt, state: 'pending', channel: null, attempts: 0 })
          .execute();
      } else if (ch.callback) {
        const u = ch.callback.update;
        await trx.updateTable('petition_callbacks').set({ state: u.state, attempts: u.attempts, channel: u.channel, done_at: u.doneAt, done_by: u.doneBy, note: u.note }).where('id', '=', u.id).execute();
        callback = (await this.#callbacks(trx, caseId)).find((c) => c.id === u.id) ?? null;
      }
      // The step's last event names the document it issued.
      for (const [i, e] of ch.events.entries()) {
        const data = { ...(e.data ?? {}), ...(document && i === ch.events.length - 1 ? { documentId: document.id, number: document.number, sha256: document.sha256 } : {}) };
        await trx
          .insertInto('petition_case_events')
          .values({ case_id: caseId, at: e.at, actor_id: e.actorId, actor_role: e.actorRole, type: e.type, data: JSON.stringify(data) })
          .execute();
      }
      // Unpatched, the case is as read (a step with only events keeps its updated_at).
      const updated = patched ? toCase(await trx.selectFrom('petition_cases').selectAll().where('id', '=', caseId).executeTakeFirstOrThrow()) : snapshot.case;
      return { case: updated, document, approval, callback };
    }
  }

  async #writeClock(trx: Q, caseId: string, c: ClockWrite): Promise<void> {
    const row = clockColumns(c);
    await trx
      .insertInto('petition_clocks')
      .values({ case_id: caseId, kind: c.record.kind, department_id: c.departmentId, ...row })
      // A write without a department keeps the one the clock has.
      .onConflict((oc) => oc.columns(['case_id', 'kind']).doUpdateSet({ ...row, department_id: sql<string | null>`coalesce(excluded.department_id, petition_clocks.department_id)` }))
      .execute();
  }

  /** Numbers the document from its office's counter for the year and stores it with its SHA-256. */
  async #issue(trx: Q, caseId: string, d: NewDocument): Promise<CaseDocument> {
    const { last } = await trx
      .insertInto('petition_document_counters')
      .values({ key: d.counterKey, last: 1 })
      .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ last: eb('petition_document_counters.last', '+', 1) })))
      .returning('last')
      .executeTakeFirstOrThrow();
    const number = d.number(last);
    const html = d.html(number);
    const doc: CaseDocument = { id: newId('doc'), caseId, kind: d.kind, number, title: d.title, office: d.office, issuedAt: d.issuedAt, issuedBy: d.issuedBy, sha256: sha256Hex(html) };
    await trx
      .insertInto('petition_documents')
      .values({ id: doc.id, case_id: caseId, kind: doc.kind, number, title: doc.title, office: doc.office, issued_at: doc.issuedAt, issued_by: doc.issuedBy, html, sha256: doc.sha256 })
      .execute();
    return doc;
  }

  #clocks(q: Q, caseId: string): Promise<ClockRecord[]> {
    return q.selectFrom('petition_clocks').selectAll().where('case_id', '=', caseId).orderBy('started_at').execute().then((rows) => rows.map(CLOCK));
  }
  #approvals(q: Q, caseId: string): Promise<Approval[]> {
    return q.selectFrom('petition_approvals').selectAll().where('case_id', '=', caseId).orderBy('requested_at').orderBy('id').execute().then((rows) => rows.map(APPROVAL));
  }
  #handlers(q: Q, caseId: string): Promise<Handler[]> {
    return q.selectFrom('petition_handlers').select(HANDLER).where('case_id', '=', caseId).orderBy('added_at').execute();
  }
  #callbacks(q: Q, caseId: string): Promise<Callback[]> {
    return q.selectFrom('petition_callbacks').selectAll().where('case_id', '=', caseId).orderBy('requested_at').execute().then((rows) => rows.map(CALLBACK));
  }

  clocks(caseId: string) {
    return this.#clocks(this.#db, caseId);
  }
  approvals(caseId: string) {
    return this.#approvals(this.#db, caseId);
  }
  handlers(caseId: string) {
    return this.#handlers(this.#db, caseId);
  }
  callbacks(caseId: string) {
    return this.#callbacks(this.#db, caseId);
  }

  /** New cases' clocks, in one INSERT, inside their registration's transaction (RegistrationRows). */
  async writeClocks(trx: Transaction<PetitionTables>, clocks: readonly { caseId: string; write: ClockWrite }[]): Promise<void> {
    if (clocks.length === 0) return;
    await trx
      .withTables<Pick<LifeTables, 'petition_clocks'>>()
      .insertInto('petition_clocks')
      .values(
        clocks.map(({ caseId, write }) => ({ case_id: caseId, kind: write.record.kind, department_id: write.departmentId, ...clockColumns(write) })),
      )
      .execute();
  }

  async queryCodeHash(caseId: string): Promise<string | null> {
    return (await this.#db.selectFrom('petition_cases').select('query_code_hash').where('id', '=', caseId).executeTakeFirst())?.query_code_hash ?? null;
  }

  /** Cases with a running (not stopped) clock, optionally of some departments / due before an instant. */
  async openClocks(f: { departmentIds?: string[]; dueBefore?: string; kinds?: readonly ClockKind[] } = {}): Promise<{ caseId: string; clock: ClockRecord; departmentId: string | null }[]> {
    if (f.departmentIds && f.departmentIds.length === 0) return [];
    const rows = await this.#db
      .selectFrom('petition_clocks')
      .selectAll()
      .where('stopped_at', 'is', null)
      .$if(f.departmentIds !== undefined, (q) => q.where('department_id', 'in', f.departmentIds!))
      .$if(f.kinds !== undefined, (q) => q.where('kind', 'in', [...f.kinds!]))
      .$if(f.dueBefore !== undefined, (q) => q.where('due_at', '<', f.dueBefore!))
      .orderBy('due_at')
      .execute();
    return rows.map((r) => ({ caseId: r.case_id, clock: CLOCK(r), departmentId: r.department_id }));
  }

  /** Cases an official handles, or whose handling their department shares. */
  async casesHandledBy(officialId: string, departmentId: string): Promise<Case[]> {
    const rows = await this.#db
      .selectFrom('petition_cases')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('official_id', '=', officialId),
          eb('id', 'in', eb.selectFrom('petition_handlers').select('case_id').where('department_id', '=', departmentId).where('role', '=', 'co')),
        ]),
      )
      .where('stage', 'not in', ['archived'])
      .orderBy('registered_at')
      .execute();
    return rows.map((r) => toCase(r));
  }

  async casesByIds(ids: readonly string[]): Promise<Map<string, Case>> {
    if (ids.length === 0) return new Map();
    const rows = await this.#db.selectFrom('petition_cases').selectAll().where('id', 'in', [...new Set(ids)]).execute();
    return new Map(rows.map((r) => [r.id, toCase(r)]));
  }

  async casesInStages(stages: readonly Case['stage'][]): Promise<Case[]> {
    const rows = await this.#db.selectFrom('petition_cases').selectAll().where('stage', 'in', [...stages]).orderBy('registered_at').execute();
    return rows.map((r) => toCase(r));
  }

  async pendingApprovals(departmentId: string): Promise<Approval[]> {
    const rows = await this.#db.selectFrom('petition_approvals').selectAll().where('department_id', '=', departmentId).where('state', '=', 'pending').orderBy('requested_at').execute();
    return rows.map(APPROVAL);
  }

  async approval(id: string): Promise<Approval | undefined> {
    const r = await this.#db.selectFrom('petition_approvals').selectAll().where('id', '=', id).executeTakeFirst();
    return r && APPROVAL(r);
  }

  async documents(caseId: string): Promise<CaseDocument[]> {
    return this.#db.selectFrom('petition_documents').select(DOCUMENT).where('case_id', '=', caseId).orderBy('issued_at').execute();
  }

  async document(id: string): Promise<CaseDocumentWithHtml | undefined> {
    return this.#db.selectFrom('petition_documents').select([...DOCUMENT, 'html']).where('id', '=', id).executeTakeFirst();
  }

  async addAttachment(a: Omit<Attachment, 'id' | 'size' | 'sha256'>, bytes: Buffer, event: NewEvent): Promise<Attachment> {
    const att: Attachment = { ...a, id: newId('att'), size: bytes.length, sha256: sha256Hex(bytes) };
    await this.#store.transaction<Tables, void>(async (trx) => {
      await trx
        .insertInto('petition_attachments')
        .values({ id: att.id, case_id: att.caseId, at: att.at, actor_id: att.actorId, name: att.name, mime: att.mime, size: att.size, sha256: att.sha256, bytes })
        .execute();
      await trx
        .insertInto('petition_case_events')
        .values({ case_id: att.caseId, at: event.at, actor_id: event.actorId, actor_role: event.actorRole, type: event.type, data: JSON.stringify({ ...event.data, attachmentId: att.id, sha256: att.sha256 }) })
        .execute();
    });
    return att;
  }

  async attachments(caseId: string): Promise<Attachment[]> {
    return this.#db.selectFrom('petition_attachments').select(ATTACHMENT).where('case_id', '=', caseId).orderBy('at').execute();
  }

  async attachmentBytes(id: string): Promise<(Attachment & { bytes: Buffer }) | undefined> {
    const r = await this.#db.selectFrom('petition_attachments').select([...ATTACHMENT, 'bytes']).where('id', '=', id).executeTakeFirst();
    return r && { ...r, bytes: Buffer.from(r.bytes) };
  }

  async callback(id: string): Promise<Callback | undefined> {
    const r = await this.#db.selectFrom('petition_callbacks').selectAll().where('id', '=', id).executeTakeFirst();
    return r && CALLBACK(r);
  }

  async callbacksOf(f: { departmentId?: string; state: Callback['state']; dueBefore?: string }): Promise<Callback[]> {
    const rows = await this.#db
      .selectFrom('petition_callbacks')
      .selectAll()
      .where('state', '=', f.state)
      .$if(f.departmentId !== undefined, (q) => q.where('department_id', '=', f.departmentId!))
      .$if(f.dueBefore !== undefined, (q) => q.where('due_at', '<', f.dueBefore!))
      .orderBy('due_at')
      .execute();
    return rows.map(CALLBACK);
  }

  // ---- statistics: plain aggregates over the period's cases (registered_at in [from, to)) ----

  async stats(f: { from: string; to: string; departmentId?: string }) {
    const db = this.#db;
    const inPeriod = db
      .selectFrom('petition_cases as c')
      .where('c.registered_at', '>=', f.from)
      .where('c.registered_at', '<', f.to)
      .$if(f.departmentId !== undefined, (q) => q.where('c.department_id', '=', f.departmentId!));
    const count = sql<number>`count(*)`;
    const [total, byCategory, byLevel, byDepartment, byMonth, satisfaction, busiest, clocks, waits, sessions] = await Promise.all([
      inPeriod.select(count.as('n')).executeTakeFirstOrThrow(),
      inPeriod.select(['c.category as key', count.as('n')]).groupBy('c.category').orderBy('n', 'desc').execute(),
      inPeriod.innerJoin('petition_terminals as t', 't.id', 'c.terminal_id').select(['t.level as key', count.as('n')]).groupBy('t.level').orderBy('n', 'desc').execute(),
      inPeriod
        .innerJoin('petition_departments as d', 'd.id', 'c.department_id')
        .select(['d.id as key', 'd.name as name', count.as('n')])
        .groupBy(['d.id', 'd.name'])
        .orderBy('n', 'desc')
        .execute(),
      inPeriod.select([sql<string>`substr(c.registered_at, 1, 7)`.as('key'), count.as('n')]).groupBy(sql`substr(c.registered_at, 1, 7)`).orderBy('key').execute(),
      inPeriod.where('c.result_rating', 'is not', null).select(['c.result_rating as key', count.as('n')]).groupBy('c.result_rating').execute(),
      inPeriod
        .innerJoin('petition_terminals as t', 't.id', 'c.terminal_id')
        .select(['t.id as key', 't.name as name', count.as('n')])
        .groupBy(['t.id', 't.name'])
        .orderBy('n', 'desc')
        .orderBy('t.id')
        .limit(10)
        .execute(),
      inPeriod
        .innerJoin('petition_clocks as k', 'k.case_id', 'c.id')
        .where('k.kind', 'in', ['acceptance', 'handling'])
        .where('k.stopped_at', 'is not', null)
        .select(['k.kind as kind', count.as('stopped'), sql<number>`sum(case when k.stopped_at <= k.due_at then 1 else 0 end)`.as('onTime')])
        .groupBy('k.kind')
        .execute(),
      // Wait: queued → first claimed; session: claimed → session_ended (first of each per case).
      this.#pairSeconds(f, 'queued', 'claimed'),
      this.#pairSeconds(f, 'claimed', 'session_ended'),
    ]);
    return { total: Number(total.n), byCategory, byLevel, byDepartment, byMonth, satisfaction: satisfaction as { key: Rating; n: number }[], busiest, clocks, waits, sessions };
  }

  /** Seconds between the first `from` event and the first `to` event of each case of the period. */
  async #pairSeconds(f: { from: string; to: string; departmentId?: string }, from: string, to: string): Promise<number[]> {
    const rows = await this.#db
      .selectFrom('petition_case_events as e')
      .innerJoin('petition_cases as c', 'c.id', 'e.case_id')
      .where('c.registered_at', '>=', f.from)
      .where('c.registered_at', '<', f.to)
      .$if(f.departmentId !== undefined, (q) => q.where('c.department_id', '=', f.departmentId!))
      .where('e.type', 'in', [from, to] as never[])
      .select(['e.case_id as caseId', 'e.type as type', sql<string>`min(e.at)`.as('at')])
      .groupBy(['e.case_id', 'e.type'])
      .execute();
    const byCase = new Map<string, { from?: string; to?: string }>();
    for (const r of rows) {
      const x = byCase.get(r.caseId) ?? {};
      if (r.type === from) x.from = r.at;
      else x.to = r.at;
      byCase.set(r.caseId, x);
    }
    return [...byCase.values()].filter((x) => x.from && x.to).map((x) => (Date.parse(x.to!) - Date.parse(x.from!)) / 1000);
  }
}
