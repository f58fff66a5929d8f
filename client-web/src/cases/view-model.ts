// The case-work page (案件办理) as pure functions of its state: the work list of the signed-in
// person (an official's cases by next deadline and the office's call-backs; a head's approvals and
// deadlines; the coordinator's overdue cases, escalations and missed call-backs) and the open
// case's life: its clocks, documents, attachments, approvals, call-backs and the actions its next
// step allows. Who may really act is the server's decision; this only hides what cannot apply.
import type { ViewContext } from '../lib/i18n.ts';
import { formatTime } from '../lib/time.ts';
import { categoryName, lastDayOf } from '../petition-ui/common.ts';
import type { Department, Approval, Callback, Case, CaseLife, ClockView, CoordinatorWorkList, HeadWorkList, OfficialWorkList, TimelineEvent, WorkItem } from '../petition-ui/common.ts';

export type WorkRole = 'official' | 'head' | 'coordinator';
export type AcceptanceChoice = 'accepted' | 'not_accepted' | 'not_in_scope';

export interface LifeForm {
  decision: AcceptanceChoice;
  body: string;
  reason: string;
  note: string;
  extendDays: string;
  extendReason: string;
  reply: string;
  pauseReason: string;
  phoneNote: string;
  coHandler: string;
  handler: string;
}

export const EMPTY_LIFE_FORM: LifeForm = { decision: 'accepted', body: '', reason: '', note: '', extendDays: '30', extendReason: '', reply: '', pauseReason: '', phoneNote: '', coHandler: '', handler: '' };

export interface CasesState {
  phase: 'booting' | 'signed-out' | 'failed' | 'ready';
  failure: string;
  role: WorkRole;
  who: string;
  work: OfficialWorkList | HeadWorkList | CoordinatorWorkList | null;
  open: { life: CaseLife; timeline: TimelineEvent[] } | null;
  form: LifeForm;
  /** A video call-back running on this page. */
  calling: { caseId: string } | null;
  /** Category code → name (the routing rules). */
  categories: Record<string, string>;
  /** Offices a case can be co-handled by. */
  offices: Department[];
}

const DAY = 86_400_000;

/** A clock in words: "due 12/20 (3 days left)", "2 days over", "paused". */
export function clockWords(k: ClockView, { t, lang, now }: ViewContext): { text: string; level: 'ok' | 'soon' | 'over' | 'done' } {
  const name = t(`petition.clock.${k.kind}`);
  if (k.state === 'stopped') return { text: `${name} · ${t(k.onTime === false ? 'cases.stoppedLate' : 'cases.stoppedInTime')}`, level: 'done' };
  if (k.state === 'paused' || !k.dueAt) return { text: `${name} · ${t('petition.clockState.paused')}`, level: 'soon' };
  const left = Date.parse(k.dueAt) - now;
  const due = formatTime(lastDayOf(k.dueAt), 'friendly', lang, now);
  // The server's clock decides what is over (tests and a skewed desk PC must not disagree with it).
  if (k.overdue || left < 0) return { text: `${name} · ${t('cases.over', { days: Math.max(1, Math.ceil(-left / DAY)), due })}`, level: 'over' };
  const days = Math.max(0, Math.floor(left / DAY));
  return { text: `${name} · ${t('cases.left', { days, due })}`, level: days <= 5 ? 'soon' : 'ok' };
}

export interface ItemView {
  caseId: string;
  line: string;
  stage: string;
  clock: { text: string; level: string } | null;
}

const item = (w: WorkItem, categories: Record<string, string>, ctx: ViewContext): ItemView => ({
  caseId: w.case.id,
  line: `${categoryName({ code: w.case.category, name: categories[w.case.category] ?? w.case.category }, ctx)}${w.case.petitionerName ? ` · ${w.case.petitionerName}` : ''}`,
  stage: `${ctx.t(`petition.stage.${w.case.stage}`)} · ${ctx.t(`petition.next.${w.next}`)}`,
  clock: w.clock ? clockWords(w.clock, ctx) : null,
});

export interface ApprovalView {
  id: string;
  caseId: string;
  kind: string;
  detail: string;
  by: string;
  pending: boolean;
  state: string;
}

export function approvalView(a: Approval, ctx: ViewContext): ApprovalView {
  const { t, lang } = ctx;
  const detail = a.kind === 'extension' ? t('cases.extensionDetail', { days: a.payload.days ?? 0, reason: a.payload.reason ?? '' }) : `${t(`petition.round.${a.payload.round ?? 'reply'}`)}：${a.payload.text ?? ''}`;
  return {
    id: a.id,
    caseId: a.caseId,
    kind: t(`cases.approval.${a.kind}`),
    detail,
    by: `${a.requestedBy} · ${formatTime(a.requestedAt, 'dateTime', lang)}`,
    pending: a.state === 'pending',
    state: t(`cases.approvalState.${a.state}`),
  };
}

export interface CallbackView {
  id: string;
  caseId: string;
  line: string;
  due: string;
  overdue: boolean;
  pending: boolean;
}

export function callbackView(c: Callback & { case?: Case }, { t, lang, now }: ViewContext): CallbackView {
  return {
    id: c.id,
    caseId: c.caseId,
    line: `${c.case?.petitionerName ?? ''} ${c.case?.phone ?? ''} · ${t(`cases.callbackState.${c.state}`)}${c.attempts ? ` · ${t('cases.attempts', { n: c.attempts })}` : ''}`.trim(),
    due: t('cases.callbackDue', { due: formatTime(c.dueAt, 'dateTime', lang) }),
    overdue: c.state === 'pending' && Date.parse(c.dueAt) < now,
    pending: c.state === 'pending',
  };
}

export interface ListView {
  title: string;
  key: string;
  empty: string;
  items?: ItemView[];
  approvals?: ApprovalView[];
  callbacks?: CallbackView[];
}

export function workLists(s: CasesState, ctx: ViewContext): ListView[] {
  const { t } = ctx;
  const w = s.work;
  if (!w) return [];
  if ('cases' in w)
    return [
      { key: 'mine', title: t('cases.mine'), empty: t('cases.none'), items: w.cases.map((x) => item(x, s.categories, ctx)) },
      { key: 'callbacks', title: t('cases.callbacks'), empty: t('cases.none'), callbacks: w.callbacks.map((c) => callbackView(c, ctx)) },
    ];
  if ('approvals' in w)
    return [
      { key: 'approvals', title: t('cases.approvals'), empty: t('cases.none'), approvals: w.approvals.map((a) => approvalView(a, ctx)) },
      { key: 'deadlines', title: t('cases.deadlines'), empty: t('cases.none'), items: w.deadlines.map((x) => item(x, s.categories, ctx)) },
    ];
  return [
    { key: 'overdue', title: t('cases.overdue'), empty: t('cases.none'), items: w.overdue.map((x) => item(x, s.categories, ctx)) },
    { key: 'escalations', title: t('cases.escalations'), empty: t('cases.none'), items: w.escalations.map((x) => item(x, s.categories, ctx)) },
    { key: 'missed', title: t('cases.missedCallbacks'), empty: t('cases.none'), callbacks: w.missedCallbacks.map((c) => callbackView(c, ctx)) },
  ];
}

/** What the open case's next step lets this person do here. */
export interface LifeActions {
  acceptance: boolean;
  handling: boolean;
  extension: boolean;
  pause: 'pause' | 'resume' | null;
  close: boolean;
  archive: boolean;
  decide: boolean;
  /** The head names the official who handles the case. */
  assign: boolean;
}

export function lifeActions(role: WorkRole, life: CaseLife): LifeActions {
  const official = role === 'official';
  const answering = ['handle_and_reply', 'answer_review', 'answer_re_review'].includes(life.next);
  const running = life.clocks.find((k) => ['handling', 'review', 're_review', 'acceptance'].includes(k.kind) && k.state !== 'stopped');
  const handling = life.clocks.find((k) => k.kind === 'handling');
  const pendingExtension = life.approvals.some((a) => a.kind === 'extension' && a.state === 'pending');
  return {
    acceptance: official && life.next === 'notify_acceptance',
    handling: official && answering,
    extension: official && life.next === 'handle_and_reply' && !!handling && handling.state === 'running' && handling.extensionDays === 0 && !pendingExtension,
    pause: official && answering && running ? (running.state === 'paused' ? 'resume' : 'pause') : null,
    close: role !== 'head' && life.next === 'close',
    archive: role !== 'head' && life.next === 'archive',
    decide: role === 'head',
    assign: role === 'head' && ['handling', 'review', 're_review'].includes(life.case.stage),
  };
}

export interface CaseLifeView {
  caseId: string;
  title: string;
  stage: string;
  next: string;
  facts: { term: string; value: string }[];
  clocks: { kind: string; text: string; level: string }[];
  documents: { id: string; title: string; number: string; sha256: string }[];
  attachments: { id: string; name: string; sha256: string }[];
  approvals: ApprovalView[];
  callbacks: CallbackView[];
  actions: LifeActions;
  /** Offices to add to the joint handling (not yet handling it); the head's officials to assign. */
  coHandlers: { value: string; label: string }[];
  officials: { value: string; label: string }[];
}

export function caseLifeView(s: CasesState, ctx: ViewContext): CaseLifeView | null {
  const { t } = ctx;
  const o = s.open;
  if (!o) return null;
  const c = o.life.case;
  const facts: { term: string; value: string }[] = [
    { term: t('cases.petitioner'), value: [c.petitionerName, c.phone].filter(Boolean).join(' · ') || '—' },
    { term: t('cases.description'), value: c.description ?? '—' },
    { term: t('cases.handlers'), value: o.life.handlers.map((h) => `${s.offices.find((d) => d.id === h.departmentId)?.name ?? h.departmentId}${h.role === 'lead' ? t('cases.lead') : ''}`).join(t('common.listSeparator')) || '—' },
  ];
  if (c.acceptance) facts.push({ term: t('terminal.foundAcceptance'), value: t(`petition.acceptance.${c.acceptance}`) + (c.acceptanceBody ? ` · ${c.acceptanceBody}` : '') });
  if (c.resultRating) facts.push({ term: t('cases.resultRating'), value: t(`petition.rating.${c.resultRating}`) });
  return {
    caseId: c.id,
    title: s.categories[c.category] ?? c.category,
    stage: t(`petition.stage.${c.stage}`),
    next: t(`petition.next.${o.life.next}`),
    facts,
    clocks: o.life.clocks.map((k) => ({ kind: k.kind, ...clockWords(k, ctx) })),
    documents: o.life.documents.map((d) => ({ id: d.id, title: d.title, number: d.number, sha256: d.sha256 })),
    attachments: o.life.attachments.map((a) => ({ id: a.id, name: a.name, sha256: a.sha256 })),
    approvals: o.life.approvals.map((a) => approvalView(a, ctx)),
    callbacks: o.life.callbacks.map((cb) => callbackView(cb, ctx)),
    actions: lifeActions(s.role, o.life),
    coHandlers: s.offices.filter((d) => !o.life.handlers.some((h) => h.departmentId === d.id)).map((d) => ({ value: d.id, label: d.name })),
    officials: s.work && 'officials' in s.work ? s.work.officials.filter((x) => !x.head).map((x) => ({ value: x.id, label: x.name })) : [],
  };
}
