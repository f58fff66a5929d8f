// The case after the call (docs/case-life.md): 受理告知 within 15 days, 办理 with a handler,
// notes, attachments and co-handling offices, the written reply within 60 days (extendable once
// by ≤ 30 with the department head's approval, the reply signed off by the head), the
// petitioner's rating of the result, 复查 and 复核 by the level above (each 30 days to ask, 30 to
// answer), closing and archiving of the case file. Every clock is one model (clocks.ts); every
// step is one transaction (CaseLifeRepository.change) with its timeline event.
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { RoutingRuleBook } from '../scheduler/routing-rules.ts';
import { assertCase, isCoordinator } from './access.ts';
import {
  CLOCK_SPECS,
  ClockError,
  WINDOW_CLOCKS,
  clockView,
  dueAt,
  extendClock,
  localDate,
  pauseClock,
  resumeClock,
  startClock,
  stopClock,
  type Calendar,
} from './clocks.ts';
import { DOCUMENT_TITLES, acceptanceNoticeHtml, documentNumbering, replyHtml } from './documents.ts';
import type { CaseLifeRepository, ClockWrite, LifeChange, LifeSnapshot } from './life-repository.ts';
import type { AssignmentRows, NewEvent, PetitionRepository, RegistrationRows } from './repository.ts';
import { levelAbove } from './routing.ts';
import type {
  AcceptanceDecision,
  Actor,
  ActorRole,
  Approval,
  Attachment,
  Callback,
  Case,
  CaseDocumentWithHtml,
  CaseLife as CaseLifeView,
  CaseLookup,
  CaseStage,
  ClockKind,
  ClockRecord,
  ClockView,
  CoordinatorWorkList,
  Department,
  HeadWorkList,
  NextStep,
  Official,
  OfficialWorkList,
  Rating,
  ReplyRound,
  Stats,
  WorkItem,
} from './types.ts';

export interface CaseLifeDeps {
  repo: PetitionRepository;
  life: CaseLifeRepository;
  rules: RoutingRuleBook;
  calendar: Calendar;
  now: () => Date;
  log?: Logger;
  /** The case changed: its watchers and the work lists refresh. */
  changed(c: Case): void;
  /** Catalog ids of the case's recorded sessions, for the case file (the archive's). */
  recordingsOf?: (caseId: string) => Promise<string[]>;
  /** Hours a call-back may wait (default 24). */
  callbackDueHours?: number;
}

/** The clock of the office that is running in each stage (the one that can be late). */
const OFFICE_CLOCK: Partial<Record<CaseStage, ClockKind>> = { intake: 'acceptance', handling: 'handling', review: 'review', re_review: 're_review' };
const ROUND_OF: Partial<Record<CaseStage, ReplyRound>> = { handling: 'reply', review: 'review', re_review: 're_review' };
const ANSWERED: Record<ReplyRound, { stage: CaseStage; clock: ClockKind; window: ClockKind | null }> = {
  reply: { stage: 'replied', clock: 'handling', window: 'review_window' },
  review: { stage: 'reviewed', clock: 'review', window: 're_review_window' },
  re_review: { stage: 're_reviewed', clock: 're_review', window: null },
};
/** Stages with a written answer the petitioner may rate. */
const ANSWERED_STAGES: readonly CaseStage[] = ['replied', 'reviewed', 're_reviewed', 'review', 're_review', 'closed'];

const MAX_ATTACHMENT_BYTES = 4 * 1024 * 1024;
const LOOKUP_CODE_DIGITS = 6;

const codeHash = (caseId: string, code: string) => createHash('sha256').update(`${caseId}:${code}`).digest();

/** Throws the clock model's refusal as a typed conflict. */
function clockStep<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof ClockError) throw new AppError('conflict', err.message, { reason: err.reason });
    throw err;
  }
}

export class CaseLife {
  readonly #d: CaseLifeDeps;

  /** deadlinesAt's last answer, for the China date it was counted for. */
  #deadlines: { date: string; acceptDeadline: string; handleDeadline: string } | undefined;

  constructor(d: CaseLifeDeps) {
    this.#d = d;
  }

  get calendar(): Calendar {
    return this.#d.calendar;
  }

  // ---- hooks of the reception (PetitionService) -----------------------------------------------

  /**
   * The due instants a new case shows: acceptance, and handling as if accepted at once
   * (provisional). They depend on the registration's China date only, so a burst of starts
   * (all the same day) counts the days once.
   */
  deadlinesAt(registeredAt: string): { acceptDeadline: string; handleDeadline: string } {
    const date = localDate(registeredAt);
    if (this.#deadlines?.date !== date) {
      const cal = this.#d.calendar;
      this.#deadlines = { date, acceptDeadline: dueAt(startClock('acceptance', registeredAt), cal)!, handleDeadline: dueAt(startClock('handling', registeredAt), cal)! };
    }
    return { acceptDeadline: this.#deadlines.acceptDeadline, handleDeadline: this.#deadlines.handleDeadline };
  }

  /** At registration: the receipt's query code (`code`, shown once; only its hash is kept). */
  registration(): { code: string; queryCodeHash: (caseId: string) => string } {
    const code = String(randomInt(0, 10 ** LOOKUP_CODE_DIGITS)).padStart(LOOKUP_CODE_DIGITS, '0');
    return { code, queryCodeHash: (caseId) => codeHash(caseId, code).toString('hex') };
  }

  /** The 15-day acceptance clock of each new case, written by the registrations' own transaction. */
  readonly registrationRows: RegistrationRows = (trx, created) =>
    this.#d.life.writeClocks(trx, created.map((c) => ({ caseId: c.id, write: this.#write(startClock('acceptance', c.registeredAt), c.routedDepartmentIds[0] ?? null) })));

  /** The registration committed: the case's watchers and its office's work list refresh. */
  registered(c: Case): void {
    this.#d.changed(c);
  }

  /**
   * Officials taking cases up as lead: their offices own the running clock of each case's stage
   * and join its handlers, written in the assignments' own transaction (no lead left without its
   * clock and handler by a crash between two, and no reads: two statements per batch).
   */
  readonly leadRows: AssignmentRows = (trx, recorded) =>
    this.#d.life.assignLeads(
      trx,
      recorded
        .filter((r) => r.write.participant.role === 'lead')
        .map((r) => ({ caseId: r.case.id, kind: OFFICE_CLOCK[r.case.stage], departmentId: r.write.assignment.departmentId, at: r.write.assignment.assignedAt })),
    );

  /** A lead's assignment committed: the case's watchers and its office's work list refresh. */
  leadTaken(c: Case): void {
    this.#d.changed(c);
  }

  // ---- 受理告知 -----------------------------------------------------------------------------

  /** The acceptance decision and its notice; accepted starts the 60-day handling clock. */
  async notifyAcceptance(actor: Actor, caseId: string, i: { decision: AcceptanceDecision; body?: string | undefined; reason: string }): Promise<Case> {
    const official = await this.#assertHandler(actor, caseId, { lead: true });
    const dept = await this.#department(official.departmentId);
    if (i.decision === 'not_in_scope' && !i.body) throw new AppError('bad_request', 'name the body the matter belongs to', { reason: 'body_missing' });
    const at = this.#iso();
    const category = this.#category((await assertCase(this.#d.repo, caseId)).category);
    const r = await this.#change(caseId, (s) => {
      if (s.case.stage !== 'intake' || s.case.acceptance) throw new AppError('conflict', 'the acceptance was already decided', { reason: 'already_decided' });
      const acceptance = s.clocks.get('acceptance') ?? startClock('acceptance', s.case.registeredAt);
      const handling = i.decision === 'accepted' ? startClock('handling', at) : null;
      const handlingWrite = handling ? this.#write(handling, dept.id) : null;
      const numbering = documentNumbering(dept.id, dept.name, 'acceptance_notice', at);
      return {
        patch: {
          acceptance: i.decision,
          acceptanceBody: i.decision === 'not_in_scope' ? i.body! : null,
          stage: i.decision === 'accepted' ? 'handling' : 'closed',
          ...(handlingWrite ? { acceptedAt: at, handleDeadline: handlingWrite.dueAt! } : {}),
        },
        clocks: [this.#write(clockStep(() => stopClock(acceptance, at)), dept.id), ...(handlingWrite ? [handlingWrite] : [])],
        document: {
          kind: 'acceptance_notice',
          title: DOCUMENT_TITLES.acceptance_notice,
          office: dept.name,
          ...numbering,
          issuedAt: at,
          issuedBy: official.id,
          html: (number) => acceptanceNoticeHtml({ c: s.case, category, office: dept.name, decision: i.decision, body: i.body ?? null, reason: i.reason, issuedAt: at, handlingDueAt: handlingWrite?.dueAt ?? null }, number),
        },
        events: [this.#event(actor, 'acceptance_notified', { decision: i.decision, body: i.body ?? null, reason: i.reason, departmentId: dept.id })],
      };
    });
    return r.case;
  }

  // ---- 办理 ---------------------------------------------------------------------------------

  async assignHandler(actor: Actor, caseId: string, officialId: string): Promise<Case> {
    const c = await assertCase(this.#d.repo, caseId);
    const head = await this.#assertHead(actor, c.departmentId);
    const o = await this.#d.repo.getOfficial(officialId);
    if (!o || o.departmentId !== head.departmentId) throw new AppError('bad_request', `${officialId} is not an official of ${head.departmentId}`, { reason: 'not_of_department' });
    return (await this.#change(caseId, () => ({ patch: { officialId }, events: [this.#event(actor, 'handler_assigned', { officialId, officialName: o.name })] }))).case;
  }

  async addCoHandler(actor: Actor, caseId: string, departmentId: string): Promise<Case> {
    await this.#assertHandler(actor, caseId, { lead: true });
    const dept = await this.#department(departmentId);
    return (
      await this.#change(caseId, (s) => {
        if (s.handlers.some((h) => h.departmentId === dept.id)) throw new AppError('conflict', `${dept.name} already handles the case`, { reason: 'already_handler' });
        return { handler: { caseId, departmentId: dept.id, role: 'co', addedAt: this.#iso() }, events: [this.#event(actor, 'co_handler_added', { departmentId: dept.id, departmentName: dept.name })] };
      })
    ).case;
  }

  async addNote(actor: Actor, caseId: string, text: string): Promise<Case> {
    await this.#assertHandler(actor, caseId, { lead: false, head: true });
    return (await this.#change(caseId, () => ({ events: [this.#event(actor, 'note_added', { text })] }))).case;
  }

  async addAttachment(actor: Actor, caseId: string, i: { name: string; mime: string; base64: string }): Promise<Attachment> {
    await this.#assertHandler(actor, caseId, { lead: false, head: true });
    const bytes = Buffer.from(i.base64, 'base64');
    if (bytes.length === 0 || bytes.length > MAX_ATTACHMENT_BYTES) throw new AppError('bad_request', `an attachment is 1 byte to ${MAX_ATTACHMENT_BYTES} bytes`, { reason: 'attachment_size' });
    const at = this.#iso();
    const a = await this.#d.life.addAttachment({ caseId, at, actorId: actor.id, name: i.name, mime: i.mime }, bytes, this.#event(actor, 'attachment_added', { name: i.name, mime: i.mime, size: bytes.length }));
    this.#d.changed(await assertCase(this.#d.repo, caseId));
    return a;
  }

  /** Time that does not count (a hearing, an appraisal): the office's running clock stands still. */
  async pause(actor: Actor, caseId: string, reason: string): Promise<Case> {
    await this.#assertHandler(actor, caseId, { lead: true });
    const at = this.#iso();
    return (
      await this.#change(caseId, (s) => {
        const { kind, clock } = this.#officeClock(s);
        return { clocks: [this.#write(clockStep(() => pauseClock(clock, at)), null)], events: [this.#event(actor, 'clock_paused', { kind, reason })] };
      })
    ).case;
  }

  async resume(actor: Actor, caseId: string): Promise<Case> {
    await this.#assertHandler(actor, caseId, { lead: true });
    const at = this.#iso();
    return (
      await this.#change(caseId, (s) => {
        const { kind, clock } = this.#officeClock(s);
        const resumed = clockStep(() => resumeClock(clock, at));
        const w = this.#write(resumed, null);
        return { clocks: [w], patch: kind === 'handling' ? { handleDeadline: w.dueAt! } : {}, events: [this.#event(actor, 'clock_resumed', { kind, pausedDays: resumed.pausedDays - clock.pausedDays, dueAt: w.dueAt })] };
      })
    ).case;
  }

  /** The handler asks; the department head decides (`decide`). */
  async requestExtension(actor: Actor, caseId: string, days: number, reason: string): Promise<Approval> {
    const official = await this.#assertHandler(actor, caseId, { lead: true });
    const r = await this.#change(caseId, (s) => {
      if (s.case.stage !== 'handling') throw new AppError('conflict', 'only the handling deadline can be extended', { reason: 'wrong_stage', stage: s.case.stage });
      const clock = s.clocks.get('handling')!;
      // Checked now, so the head is not asked for what the model would refuse.
      clockStep(() => extendClock(clock, days));
      if (s.approvals.some((a) => a.kind === 'extension' && a.state === 'pending')) throw new AppError('conflict', 'an extension is already waiting for the head', { reason: 'already_requested' });
      return {
        approval: { create: { caseId, kind: 'extension', departmentId: official.departmentId, requestedBy: official.id, requestedAt: this.#iso(), payload: { days, reason } } },
        events: [this.#event(actor, 'extension_requested', { days, reason })],
      };
    });
    return r.approval!;
  }

  /** The handler's written answer of this round goes to the head for sign-off. */
  async submitReply(actor: Actor, caseId: string, text: string): Promise<Approval> {
    const official = await this.#assertHandler(actor, caseId, { lead: true });
    const r = await this.#change(caseId, (s) => {
      const round = ROUND_OF[s.case.stage];
      if (!round) throw new AppError('conflict', `nothing to answer in stage ${s.case.stage}`, { reason: 'wrong_stage', stage: s.case.stage });
      if (s.approvals.some((a) => a.kind === 'reply' && a.state === 'pending')) throw new AppError('conflict', 'a reply is already waiting for sign-off', { reason: 'already_requested' });
      return {
        approval: { create: { caseId, kind: 'reply', departmentId: official.departmentId, requestedBy: official.id, requestedAt: this.#iso(), payload: { round, text } } },
        events: [this.#event(actor, 'reply_submitted', { round, chars: text.length })],
      };
    });
    return r.approval!;
  }

  /** The head of the department decides an extension or signs a reply off — never their own request. */
  async decide(actor: Actor, approvalId: string, approve: boolean, note: string | null): Promise<Case> {
    const a = await this.#d.life.approval(approvalId);
    if (!a) throw new AppError('not_found', `no approval ${approvalId}`);
    const head = await this.#assertHead(actor, a.departmentId);
    if (a.requestedBy === head.id) throw new AppError('forbidden', 'a second person decides', { reason: 'same_person' });
    const at = this.#iso();
    const dept = await this.#department(a.departmentId);
    const c0 = await assertCase(this.#d.repo, a.caseId);
    const category = this.#category(c0.category);
    const next = approve && a.kind === 'reply' && a.payload.round !== 're_review' ? await levelAbove(this.#d.repo, this.#d.rules.current, dept).catch(() => null) : null;
    const r = await this.#change(a.caseId, (s) => {
      const current = s.approvals.find((x) => x.id === a.id);
      if (!current || current.state !== 'pending') throw new AppError('conflict', 'already decided', { reason: 'already_decided' });
      const decideRow: LifeChange['approval'] = { decide: { id: a.id, state: approve ? 'approved' : 'rejected', by: head.id, at, note } };
      const decided = this.#event(actor, a.kind === 'extension' ? 'extension_decided' : 'reply_decided', { approvalId: a.id, approved: approve, note, requestedBy: a.requestedBy, ...(a.kind === 'extension' ? { days: a.payload.days } : { round: a.payload.round }) });
      if (!approve) return { approval: decideRow, events: [decided] };
      if (a.kind === 'extension') {
        const clock = s.clocks.get('handling')!;
        const w = this.#write(clockStep(() => extendClock(clock, a.payload.days!)), null);
        return {
          approval: decideRow,
          clocks: [w],
          patch: { handleExtended: true, extensionReason: a.payload.reason ?? null, ...(w.dueAt ? { handleDeadline: w.dueAt } : {}) },
          events: [decided, this.#event(actor, 'deadline_extended', { days: a.payload.days, reason: a.payload.reason, handleDeadline: w.dueAt, approvedBy: head.id })],
        };
      }
      const round = a.payload.round!;
      if (ROUND_OF[s.case.stage] !== round) throw new AppError('conflict', `the case is no longer answering its ${round}`, { reason: 'wrong_stage', stage: s.case.stage });
      const done = ANSWERED[round];
      const stopped = clockStep(() => stopClock(s.clocks.get(done.clock) ?? startClock(done.clock, s.case.registeredAt), at));
      const numbering = documentNumbering(dept.id, dept.name, round, at);
      return {
        approval: decideRow,
        patch: { stage: done.stage, opinion: a.payload.text!, opinionAt: at },
        clocks: [this.#write(stopped, dept.id), ...(done.window ? [this.#write(startClock(done.window, at), null)] : [])],
        document: {
          kind: round,
          title: DOCUMENT_TITLES[round],
          office: dept.name,
          ...numbering,
          issuedAt: at,
          issuedBy: head.id,
          html: (number) => replyHtml({ c: s.case, category, office: dept.name, round, text: a.payload.text!, issuedAt: at, nextOffice: next?.name ?? null }, number),
        },
        events: [decided, this.#event(actor, 'reply_issued', { round, approvalId: a.id, writtenBy: a.requestedBy, signedBy: head.id })],
      };
    });
    return r.case;
  }

  // ---- the petitioner after the answer ----------------------------------------------------

  /** The petitioner rates the result (the latest written answer). */
  async rateResult(actor: Actor, caseId: string, rating: Rating, channel: 'terminal' | 'callback'): Promise<Case> {
    return (
      await this.#change(caseId, (s) => {
        if (!ANSWERED_STAGES.includes(s.case.stage) || !s.case.opinionAt || !s.case.opinion) throw new AppError('conflict', 'there is no written answer to rate yet', { reason: 'wrong_stage', stage: s.case.stage });
        return { patch: { resultRating: rating, resultRatedAt: this.#iso() }, events: [this.#event(actor, 'result_rated', { rating, channel, round: this.#answeredRound(s.case.stage) })] };
      })
    ).case;
  }

  /**
   * 复查 (after the reply) or 复核 (after the review answer), asked within the 30-day window; the
   * level above the office that answered takes it. Returns the department that handles it.
   */
  async requestReview(actor: Actor, caseId: string, terminalId: string): Promise<{ case: Case; department: Department; round: 'review' | 're_review' }> {
    const c = await assertCase(this.#d.repo, caseId);
    if (!c.departmentId) throw new AppError('conflict', 'no office has answered yet', { reason: 'wrong_stage' });
    const from = await this.#department(c.departmentId);
    const to = await levelAbove(this.#d.repo, this.#d.rules.current, from);
    const at = this.#iso();
    let round: 'review' | 're_review' = 'review';
    const r = await this.#change(caseId, (s) => {
      const step = s.case.stage === 'replied' ? { round: 'review' as const, window: 'review_window' as const } : s.case.stage === 'reviewed' ? { round: 're_review' as const, window: 're_review_window' as const } : null;
      if (!step) throw new AppError('conflict', `no review can be asked for in stage ${s.case.stage}`, { reason: 'wrong_stage', stage: s.case.stage });
      const window = s.clocks.get(step.window);
      if (!window || window.stoppedAt || clockView(window, this.#d.calendar, this.#d.now()).overdue) {
        throw new AppError('conflict', 'the 30 days to ask for a review have passed', { reason: 'window_closed' });
      }
      round = step.round;
      return {
        patch: { stage: step.round, terminalId, officialId: null, departmentId: to.id },
        clocks: [this.#write(stopClock(window, at), null), this.#write(startClock(step.round, at), to.id)],
        handler: { caseId, departmentId: to.id, role: 'lead', addedAt: at },
        events: [this.#event(actor, 'review_requested', { round: step.round, from: from.id, to: to.id, toName: to.name, terminalId })],
      };
    });
    return { case: r.case, department: to, round };
  }

  /** 办结: the answer stands (its window passed unused, or it was the final 复核), or nothing was accepted. */
  async close(actor: Actor, caseId: string, why: 'window_elapsed' | 'final' | 'by_hand'): Promise<Case> {
    if (actor.role !== 'system') {
      const c = await assertCase(this.#d.repo, caseId);
      if (!isCoordinator(actor)) await this.#assertHead(actor, c.departmentId).catch(async () => this.#assertHandler(actor, caseId, { lead: true }));
    }
    return (
      await this.#change(caseId, (s) => {
        if (!this.#closable(s)) throw new AppError('conflict', 'the case still has a step open', { reason: 'not_closable', stage: s.case.stage });
        const open = [...s.clocks.values()].filter((k) => !k.stoppedAt && WINDOW_CLOCKS.includes(k.kind));
        return { patch: { stage: 'closed' }, clocks: open.map((k) => this.#write(stopClock(k, this.#iso()), null)), events: [this.#event(actor, 'closed', { why })] };
      })
    ).case;
  }

  /**
   * 撤回: the petitioner gave up waiting before anyone received them (the terminal's 不等了, or a
   * terminal left alone). The case is closed there and then — its clocks stop — and the timeline
   * says who withdrew it and why. The queue ticket is the caller's to take out first.
   */
  async withdraw(actor: Actor, caseId: string, why: 'petitioner' | 'idle'): Promise<Case> {
    return (
      await this.#change(caseId, (s) => {
        if (s.case.state !== 'registered' && s.case.state !== 'queued') throw new AppError('conflict', `case ${caseId} is ${s.case.state}`, { reason: 'wrong_state', state: s.case.state });
        const open = [...s.clocks.values()].filter((k) => !k.stoppedAt);
        return { patch: { stage: 'closed', state: 'archived' }, clocks: open.map((k) => this.#write(stopClock(k, this.#iso()), null)), events: [this.#event(actor, 'withdrawn', { why })] };
      })
    ).case;
  }

  #closable(s: LifeSnapshot): boolean {
    const st = s.case.stage;
    if (st === 're_reviewed') return true;
    if (st !== 'replied' && st !== 'reviewed') return false;
    const w = s.clocks.get(st === 'replied' ? 'review_window' : 're_review_window');
    return !w || !!w.stoppedAt || clockView(w, this.#d.calendar, this.#d.now()).overdue;
  }

  /** 归档: the case file — every document with its hash and the recordings' catalog ids — sealed with its own hash. */
  async archive(actor: Actor, caseId: string): Promise<Case> {
    const c = await assertCase(this.#d.repo, caseId);
    if (!isCoordinator(actor)) await this.#assertHead(actor, c.departmentId).catch(async () => this.#assertHandler(actor, caseId, { lead: true }));
    const documents = (await this.#d.life.documents(caseId)).map((d) => ({ id: d.id, kind: d.kind, number: d.number, sha256: d.sha256 }));
    const attachments = (await this.#d.life.attachments(caseId)).map((a) => ({ id: a.id, name: a.name, sha256: a.sha256 }));
    const recordings = (await this.#d.recordingsOf?.(caseId)) ?? [];
    const file = { caseId, sealedAt: this.#iso(), documents, attachments, recordings };
    const sha256 = createHash('sha256').update(JSON.stringify(file)).digest('hex');
    return (
      await this.#change(caseId, (s) => {
        if (s.case.stage !== 'closed') throw new AppError('conflict', 'only a closed case is archived', { reason: 'wrong_stage', stage: s.case.stage });
        return { patch: { stage: 'archived', state: 'archived' }, events: [this.#event(actor, 'case_file_sealed', { file, sha256 }), this.#event(actor, 'archived', {})] };
      })
    ).case;
  }

  // ---- call-backs ---------------------------------------------------------------------------

  async requestCallback(c: Case, terminalId: string, departmentId: string): Promise<Callback> {
    const at = this.#iso();
    const due = new Date(this.#d.now().getTime() + (this.#d.callbackDueHours ?? 24) * 3600_000).toISOString();
    const r = await this.#change(c.id, (s) => {
      if (s.callbacks.some((x) => x.state === 'pending')) throw new AppError('conflict', 'a call-back is already waiting', { reason: 'callback_pending' });
      return { callback: { create: { caseId: c.id, departmentId, terminalId, requestedAt: at, dueAt: due } }, events: [] };
    });
    return r.callback!;
  }

  async callbackDone(actor: Actor, cb: Callback, channel: 'video' | 'phone', note: string | null): Promise<Callback> {
    const at = this.#iso();
    const r = await this.#change(cb.caseId, () => ({
      callback: { update: { id: cb.id, state: 'done', attempts: cb.attempts + 1, channel, doneAt: at, doneBy: actor.id, note } },
      events: [this.#event(actor, 'callback_done', { callbackId: cb.id, channel, note })],
    }));
    return r.callback!;
  }

  async callbackAttempted(cb: Callback): Promise<void> {
    await this.#change(cb.caseId, () => ({ callback: { update: { ...cb, attempts: cb.attempts + 1, channel: 'video' } }, events: [] }));
  }

  async callbackOf(id: string): Promise<Callback> {
    const cb = await this.#d.life.callback(id);
    if (!cb) throw new AppError('not_found', `no call-back ${id}`);
    return cb;
  }

  /** Periodic: windows that passed unused close their case; call-backs past due go to the coordinator. */
  async sweep(): Promise<void> {
    const now = this.#iso();
    const system: Actor = { id: 'system', name: 'system', role: 'system' };
    for (const { caseId } of await this.#d.life.openClocks({ kinds: WINDOW_CLOCKS, dueBefore: now })) {
      await this.close(system, caseId, 'window_elapsed').catch((err: unknown) => this.#d.log?.warn({ err, caseId }, 'case life sweep | close failed'));
    }
    for (const cb of await this.#d.life.callbacksOf({ state: 'pending', dueBefore: now })) {
      await this.#change(cb.caseId, () => ({
        callback: { update: { ...cb, state: 'missed' } },
        events: [this.#event(system, 'callback_missed', { callbackId: cb.id, departmentId: cb.departmentId, dueAt: cb.dueAt })],
      }));
    }
  }

  // ---- reading ------------------------------------------------------------------------------

  async view(caseId: string): Promise<CaseLifeView> {
    const [c, clocks, handlers, approvals, documents, attachments, callbacks] = await Promise.all([
      assertCase(this.#d.repo, caseId),
      this.#d.life.clocks(caseId),
      this.#d.life.handlers(caseId),
      this.#d.life.approvals(caseId),
      this.#d.life.documents(caseId),
      this.#d.life.attachments(caseId),
      this.#d.life.callbacks(caseId),
    ]);
    const views = clocks.map((k) => this.#view(k));
    return { case: c, clocks: views, handlers, approvals, documents, attachments, callbacks, next: this.next(c, views, approvals) };
  }

  next(c: Case, clocks: ClockView[], approvals: Approval[]): NextStep {
    const pendingReply = approvals.some((a) => a.kind === 'reply' && a.state === 'pending');
    const window = clocks.find((k) => k.window && k.state === 'running' && !k.overdue);
    switch (c.stage) {
      case 'intake':
        return c.officialId && ['in_session', 'joint_session', 'handled', 'rated'].includes(c.state) ? 'notify_acceptance' : 'wait_for_session';
      case 'handling':
        return pendingReply ? 'sign_off_reply' : 'handle_and_reply';
      case 'replied':
        return window ? 'rate_or_review' : 'close';
      case 'review':
      case 're_review':
        return pendingReply ? 'sign_off_reply' : !c.officialId ? 'review_session' : c.stage === 'review' ? 'answer_review' : 'answer_re_review';
      case 'reviewed':
        return window ? 'rate_or_re_review' : 'close';
      case 're_reviewed':
        return 'close';
      case 'closed':
        return 'archive';
      default:
        return 'none';
    }
  }

  /** The case's most pressing clock of the office (windows are the petitioner's). */
  #pressing(clocks: ClockView[]): ClockView | null {
    return clocks.filter((k) => !k.window && k.state !== 'stopped').sort((a, b) => Date.parse(a.dueAt ?? '9999') - Date.parse(b.dueAt ?? '9999'))[0] ?? null;
  }

  async #items(cases: Case[]): Promise<WorkItem[]> {
    const items = await Promise.all(
      cases.map(async (c) => {
        const [clocks, approvals] = await Promise.all([this.#d.life.clocks(c.id), this.#d.life.approvals(c.id)]);
        const views = clocks.map((k) => this.#view(k));
        return { case: c, clock: this.#pressing(views), next: this.next(c, views, approvals) };
      }),
    );
    return items.sort((a, b) => Date.parse(a.clock?.dueAt ?? '9999') - Date.parse(b.clock?.dueAt ?? '9999'));
  }

  async officialWorkList(official: Official): Promise<OfficialWorkList> {
    const cases = (await this.#d.life.casesHandledBy(official.id, official.departmentId)).filter((c) => c.stage !== 'archived');
    const callbacks = await this.#d.life.callbacksOf({ departmentId: official.departmentId, state: 'pending' });
    const byId = await this.#d.life.casesByIds(callbacks.map((c) => c.caseId));
    return { cases: await this.#items(cases), callbacks: callbacks.filter((cb) => byId.has(cb.caseId)).map((cb) => ({ ...cb, case: byId.get(cb.caseId)! })) };
  }

  async headWorkList(actor: Actor, soonDays = 5): Promise<HeadWorkList> {
    const head = await this.#assertHead(actor, undefined);
    const department = await this.#department(head.departmentId);
    const approvals = await this.#d.life.pendingApprovals(department.id);
    const byId = await this.#d.life.casesByIds(approvals.map((a) => a.caseId));
    const soon = new Date(this.#d.now().getTime() + soonDays * 86_400_000).toISOString();
    const open = await this.#d.life.openClocks({ departmentIds: [department.id], dueBefore: soon });
    const cases = await this.#d.life.casesByIds(open.filter((o) => !WINDOW_CLOCKS.includes(o.clock.kind)).map((o) => o.caseId));
    return {
      department,
      approvals: approvals.filter((a) => byId.has(a.caseId)).map((a) => ({ ...a, case: byId.get(a.caseId)! })),
      deadlines: await this.#items([...cases.values()]),
      officials: (await this.#d.repo.listOfficials(department.id)).filter((o) => !o.head),
    };
  }

  async coordinatorWorkList(): Promise<CoordinatorWorkList> {
    const now = this.#iso();
    const late = (await this.#d.life.openClocks({ dueBefore: now })).filter((o) => !WINDOW_CLOCKS.includes(o.clock.kind));
    const lateCases = await this.#d.life.casesByIds(late.map((o) => o.caseId));
    const escalated = [
      ...(await this.#d.repo.listCases(['escalated'])),
      ...(await this.#d.life.casesInStages(['review', 're_review'])).filter((c) => !c.officialId),
    ];
    const missed = await this.#d.life.callbacksOf({ state: 'missed' });
    const missedCases = await this.#d.life.casesByIds(missed.map((m) => m.caseId));
    return {
      overdue: await this.#items([...lateCases.values()]),
      escalations: await this.#items([...new Map(escalated.map((c) => [c.id, c])).values()]),
      missedCallbacks: missed.filter((m) => missedCases.has(m.caseId)).map((m) => ({ ...m, case: missedCases.get(m.caseId)! })),
    };
  }

  /** Open clocks of the office past their due instant (the coordinator's overdue table). */
  async overdueClocks(): Promise<{ case: Case; overdue: ClockKind[] }[]> {
    const late = (await this.#d.life.openClocks({ dueBefore: this.#iso() })).filter((o) => !WINDOW_CLOCKS.includes(o.clock.kind));
    const cases = await this.#d.life.casesByIds(late.map((o) => o.caseId));
    const out = new Map<string, { case: Case; overdue: ClockKind[] }>();
    for (const o of late) {
      const c = cases.get(o.caseId);
      if (!c) continue;
      const e = out.get(c.id) ?? { case: c, overdue: [] };
      e.overdue.push(o.clock.kind);
      out.set(c.id, e);
    }
    return [...out.values()];
  }

  /** The case by its number and query code, for any terminal; a wrong code answers not_found. */
  async lookup(caseId: string, code: string): Promise<CaseLookup> {
    await this.assertCode(caseId, code);
    const v = await this.view(caseId);
    const c = v.case;
    const office = c.departmentId ? ((await this.#d.repo.getDepartment(c.departmentId))?.name ?? null) : null;
    const answer = c.opinionAt && c.opinion && ANSWERED_STAGES.includes(c.stage) ? { round: this.#answeredRound(c.stage), text: c.opinion, issuedAt: c.opinionAt } : null;
    const window = v.clocks.find((k) => k.window && k.state === 'running' && !k.overdue) ?? null;
    return {
      caseId: c.id,
      categoryCode: c.category,
      category: this.#category(c.category),
      state: c.state,
      stage: c.stage,
      next: v.next,
      registeredAt: c.registeredAt,
      acceptance: c.acceptance,
      acceptanceBody: c.acceptanceBody,
      office,
      deadline: this.#pressing(v.clocks),
      window,
      answer,
      documents: v.documents,
      resultRating: c.resultRating,
      canRate: answer !== null,
      canRequestReview: window !== null && (c.stage === 'replied' || c.stage === 'reviewed'),
      canRequestCallback: !v.callbacks.some((cb) => cb.state === 'pending') && c.stage !== 'archived',
      callback: v.callbacks.filter((cb) => cb.state === 'pending').at(-1) ?? null,
    };
  }

  /** A wrong code is `not_found`, as an unknown case is: a number alone tells nothing. */
  async assertCode(caseId: string, code: string): Promise<void> {
    const stored = await this.#d.life.queryCodeHash(caseId);
    const given = codeHash(caseId, code);
    if (!stored || !timingSafeEqual(Buffer.from(stored, 'hex'), given)) throw new AppError('not_found', 'no case with this number and code', { reason: 'lookup_failed' });
  }

  async document(id: string): Promise<CaseDocumentWithHtml> {
    const d = await this.#d.life.document(id);
    if (!d) throw new AppError('not_found', `no document ${id}`);
    return d;
  }

  async attachment(id: string) {
    const a = await this.#d.life.attachmentBytes(id);
    if (!a) throw new AppError('not_found', `no attachment ${id}`);
    return a;
  }

  async stats(f: { from: string; to: string; departmentId?: string | undefined }): Promise<Stats> {
    const filter = { from: f.from, to: f.to, ...(f.departmentId ? { departmentId: f.departmentId } : {}) };
    const s = await this.#d.life.stats(filter);
    const avg = (xs: number[]) => (xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : null);
    const n = (x: unknown) => Number(x);
    return {
      from: f.from,
      to: f.to,
      departmentId: f.departmentId ?? null,
      total: s.total,
      byCategory: s.byCategory.map((r) => ({ key: r.key, n: n(r.n) })),
      byLevel: s.byLevel.map((r) => ({ key: r.key, n: n(r.n) })),
      byDepartment: s.byDepartment.map((r) => ({ key: r.key, name: r.name, n: n(r.n) })),
      byMonth: s.byMonth.map((r) => ({ key: r.key, n: n(r.n) })),
      onTime: (['acceptance', 'handling'] as const).map((kind) => {
        const r = s.clocks.find((x) => x.kind === kind);
        const stopped = n(r?.stopped ?? 0);
        const onTime = n(r?.onTime ?? 0);
        return { kind, stopped, onTime, rate: stopped ? onTime / stopped : null };
      }),
      satisfaction: s.satisfaction.map((r) => ({ key: r.key, n: n(r.n) })),
      avgWaitSeconds: avg(s.waits),
      avgSessionSeconds: avg(s.sessions),
      busiestTerminals: s.busiest.map((r) => ({ key: r.key, name: r.name, n: n(r.n) })),
    };
  }

  // ---- access -------------------------------------------------------------------------------

  /** The official behind the actor, of an office handling the case (`lead`: the handler themself). */
  async #assertHandler(actor: Actor, caseId: string, o: { lead: boolean; head?: boolean }): Promise<Official> {
    const c = await assertCase(this.#d.repo, caseId);
    if (actor.role === 'head' && o.head) return this.#assertHead(actor, c.departmentId);
    if (actor.role !== 'official') throw new AppError('forbidden', 'only the handling official can do this', { reason: 'not_handler' });
    const official = await this.#d.repo.getOfficial(actor.id);
    if (!official) throw new AppError('forbidden', `unknown official ${actor.id}`, { reason: 'unknown_official' });
    if (o.lead) {
      if (c.officialId !== official.id) throw new AppError('forbidden', `only the handler of case ${caseId} can do this`, { reason: 'not_handler' });
      return official;
    }
    const handlers = await this.#d.life.handlers(caseId);
    if (c.officialId === official.id || c.departmentId === official.departmentId || handlers.some((h) => h.departmentId === official.departmentId)) return official;
    throw new AppError('forbidden', `not an office handling case ${caseId}`, { reason: 'not_handler' });
  }

  /** The head of `departmentId` (or of their own department when undefined). */
  async #assertHead(actor: Actor, departmentId: string | null | undefined): Promise<Official> {
    if (actor.role !== 'head') throw new AppError('forbidden', 'only a department head can do this', { reason: 'not_head' });
    const o = await this.#d.repo.getOfficial(actor.id);
    if (!o?.head) throw new AppError('forbidden', `${actor.id} heads no department`, { reason: 'not_head' });
    if (departmentId !== undefined && o.departmentId !== departmentId) throw new AppError('forbidden', `not the head of ${departmentId ?? 'the case’s office'}`, { reason: 'not_head_of_department' });
    return o;
  }

  /** Whether the actor (a head) heads an office that handles or handled the case. */
  async headsHandler(actor: Actor, caseId: string): Promise<boolean> {
    if (actor.role !== 'head') return false;
    const o = await this.#d.repo.getOfficial(actor.id);
    if (!o?.head) return false;
    const c = await assertCase(this.#d.repo, caseId);
    return c.departmentId === o.departmentId || (await this.#d.life.handlers(caseId)).some((h) => h.departmentId === o.departmentId);
  }

  /** Whether the official's office handles (or co-handles) the case. */
  async officeHandles(officialId: string, caseId: string): Promise<boolean> {
    const o = await this.#d.repo.getOfficial(officialId);
    if (!o) return false;
    const c = await assertCase(this.#d.repo, caseId);
    return c.departmentId === o.departmentId || (await this.#d.life.handlers(caseId)).some((h) => h.departmentId === o.departmentId);
  }

  // ---- helpers ------------------------------------------------------------------------------

  #officeClock(s: LifeSnapshot): { kind: ClockKind; clock: ClockRecord } {
    const kind = OFFICE_CLOCK[s.case.stage];
    const clock = kind ? s.clocks.get(kind) : undefined;
    if (!kind || !clock) throw new AppError('conflict', `no office clock runs in stage ${s.case.stage}`, { reason: 'wrong_stage', stage: s.case.stage });
    return { kind, clock };
  }

  #answeredRound(stage: CaseStage): ReplyRound {
    return stage === 'reviewed' || stage === 're_review' ? 'review' : stage === 're_reviewed' ? 're_review' : 'reply';
  }

  /** A clock to write; `departmentId` null keeps the office it has. */
  #write(record: ClockRecord, departmentId: string | null): ClockWrite {
    return { record, departmentId, dueAt: dueAt(record, this.#d.calendar) };
  }

  #view(k: ClockRecord): ClockView {
    return clockView(k, this.#d.calendar, this.#d.now());
  }

  async #change(caseId: string, decide: (s: LifeSnapshot) => LifeChange) {
    const r = await this.#d.life.change(caseId, decide);
    if (!r) throw new AppError('not_found', `no case ${caseId}`);
    if (r.case.stage !== undefined) this.#d.changed(r.case);
    return r;
  }

  async #department(id: string): Promise<Department> {
    const d = await this.#d.repo.getDepartment(id);
    if (!d) throw new AppError('not_found', `unknown department ${id}`, { reason: 'unknown_department' });
    return d;
  }

  #category(code: string): string {
    return this.#d.rules.current.categories.find((c) => c.code === code)?.name ?? code;
  }

  #event(actor: Actor, type: NewEvent['type'], data: Record<string, unknown>): NewEvent {
    return { at: this.#iso(), actorId: actor.id, actorRole: roleOf(actor), type, data };
  }

  #iso(): string {
    return this.#d.now().toISOString();
  }
}

export function roleOf(actor: Actor): ActorRole {
  switch (actor.role) {
    case 'petitioner':
    case 'terminal':
    case 'official':
    case 'head':
    case 'coordinator':
    case 'system':
      return actor.role;
    default:
      return 'system';
  }
}

export { CLOCK_SPECS };
