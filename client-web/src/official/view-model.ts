// What the official desk shows, as a pure function of its state: header and presence, the queue
// with the pending offer, the sessions held, and the open case — head, call, actions (which ones
// the lead may use), deadline clocks, facts and timeline.
import type { ViewContext } from '../lib/i18n.ts';
import { formatTime, waitDuration } from '../lib/time.ts';
import { categoryName, deadlineClock, type Case, type CategoryRule, type Department, type Desk, type Offer, type PresenceStatus, type QueueEntry, type RoomAccess, type TimelineEvent } from '../petition-ui/common.ts';
import { caseTimeline } from '../petition-ui/timeline.ts';
import type { TimelineEntry } from '../widgets/timeline.ts';
import { zh } from '../i18n/zh.ts';

export type Presence = PresenceStatus;
export const PRESENCES: Presence[] = ['available', 'busy', 'away'];
/** An office as the directory names it. */
export type Office = Pick<Department, 'id' | 'name' | 'regionCode'>;

export interface OpenCase {
  case: Case;
  timeline: TimelineEvent[];
  room: RoomAccess | null;
  /** This official left the session (ended, transferred, escalated, or left an invitation). */
  ended: boolean;
}
/** The call pane: the call, "you left — rejoin", or "call ended". */
export type CallPane = 'none' | 'live' | 'left' | 'ended';

/** What the official is typing in the actions panel (kept while live pushes re-render). */
export interface ActionForm {
  invite: string;
  transfer: string;
  transferReason: string;
  escalateReason: string;
  /** null until edited: the case's own opinion shows. */
  opinion: string | null;
  accepted: 'yes' | 'no';
  extendReason: string;
}
export const EMPTY_FORM: ActionForm = { invite: '', transfer: '', transferReason: '', escalateReason: '', opinion: null, accepted: 'yes', extendReason: '' };

export interface OfficialState {
  phase: 'booting' | 'signed-out' | 'failed' | 'ready';
  failure: string;
  desk: Desk | null;
  categories: CategoryRule[];
  offices: Office[];
  presence: Presence;
  offer: (Offer & { until: number }) | null;
  open: OpenCase | null;
  call: CallPane;
  form: ActionForm;
  /** The invitation shown in the banner. */
  invite: QueueEntry | null;
}

export const caseIdOfTicket = (ticketId: string): string => ticketId.split(':')[0]!;

export function officeName(s: Pick<OfficialState, 'offices'>, id: string): string {
  return s.offices.find((o) => o.id === id)?.name ?? id;
}

/** Offices the desk can invite or transfer to: the other offices of the official's own region. */
export function peerOffices(s: OfficialState): Office[] {
  const o = s.desk?.official;
  return o ? s.offices.filter((d) => d.regionCode === o.regionCode && d.id !== o.departmentId) : [];
}

const categoryOf = (s: OfficialState, code: string, ctx: ViewContext) => categoryName(s.categories.find((c) => c.code === code) ?? { code, name: code }, ctx);
const kindName = (kind: string, { t }: ViewContext) => (kind in zh.petition.kind ? t(`petition.kind.${kind as keyof typeof zh.petition.kind}`) : kind);

export interface Option {
  value: string;
  label: string;
  selected: boolean;
}

export interface OfficialView {
  title: string;
  header: { who: string; presenceLabel: string; presence: { value: Presence; label: string; pressed: boolean }[]; signOut: string };
  invite: { text: string; caseId: string; ticketId: string; join: string } | null;
  body:
    | { kind: 'signed-out'; role: string }
    | { kind: 'failed'; title: string; message: string }
    | { kind: 'desk'; queue: QueueView; sessions: SessionsView; work: IdleView | CaseView }
    | null;
}

export interface QueueView {
  title: string;
  count: string;
  next: string;
  offer: {
    ticketId: string;
    kind: string;
    title: string;
    left: string;
    summary: string | null;
    description: string | null;
    accept: string;
    putBack: string;
  } | null;
  entries: { ticketId: string; kind: string; kindLabel: string; priority: string | null; priorityClass: string; caseId: string; waited: string; join: string | null }[];
  empty: string | null;
}

export interface SessionsView {
  title: string;
  items: { caseId: string; current: boolean; label: string }[];
  empty: string | null;
}

export interface IdleView {
  kind: 'idle';
  title: string;
  hint: string;
}

export interface Clock {
  level: string;
  label: string;
  value: string;
  percent: number;
  date: string;
}

export interface CaseView {
  kind: 'case';
  caseId: string;
  state: Case['state'];
  stateLabel: string;
  roleLabel: string;
  categoryLine: string;
  call: { pane: CallPane; left: string; rejoin: string; ended: string };
  actions: ActionsView;
  deadlines: { title: string; clocks: Clock[]; extension: string | null };
  facts: { title: string; rows: { term: string; value: string; cls?: string }[] };
  timelineTitle: string;
  timeline: TimelineEntry[];
}

export interface ActionsView {
  invite: { label: string; options: Option[]; button: string } | null;
  lead: {
    summary: string;
    transfer: { label: string; options: Option[]; reasonLabel: string; reason: string; placeholder: string; button: string };
    escalate: { reasonLabel: string; reason: string; placeholder: string; button: string };
    opinion: { label: string; text: string; placeholder: string; accepted: boolean; acceptedLabel: string; notAcceptedLabel: string; button: string };
  } | null;
  note: string | null;
  end: { act: 'end' | 'leave' | 'close'; label: string; danger: boolean };
  extend: { summary: string; label: string; reason: string; placeholder: string; button: string } | null;
}

export function officialView(s: OfficialState, ctx: ViewContext): OfficialView {
  const { t } = ctx;
  const o = s.desk?.official;
  const header = {
    who: o ? `${o.name}${o.post ? ` · ${o.post}` : ''} · ${officeName(s, o.departmentId)} · ${t('desk.levelName', { level: t(`petition.level.${o.level}`) })}` : '',
    presenceLabel: t('official.presenceLabel'),
    presence: PRESENCES.map((p) => ({ value: p, label: t(`official.presence.${p}`), pressed: p === s.presence })),
    signOut: t('common.signOut'),
  };
  const body: OfficialView['body'] =
    s.phase === 'signed-out'
      ? { kind: 'signed-out', role: t('official.roleName') }
      : s.phase === 'failed'
        ? { kind: 'failed', title: t('official.cannotOpen'), message: s.failure }
        : s.phase === 'ready' && s.desk
          ? { kind: 'desk', queue: queueView(s, s.desk, ctx), sessions: sessionsView(s, s.desk, ctx), work: s.open ? caseView(s, s.open, ctx) : { kind: 'idle', title: t('official.idleTitle'), hint: t('official.idleHint') } }
          : null;
  return {
    title: t('official.title'),
    header,
    invite: s.invite ? { text: t('official.invitedBanner'), caseId: s.invite.caseId, ticketId: s.invite.ticketId, join: t('official.join') } : null,
    body,
  };
}

function queueView(s: OfficialState, desk: Desk, ctx: ViewContext): QueueView {
  const { t } = ctx;
  const offer = s.offer;
  const c = offer?.case ?? null;
  const flags = c ? [c.flags.elderly && t('official.flagElderly'), c.flags.disabled && t('official.flagDisabled'), c.flags.urgent && t('official.flagUrgent')].filter(Boolean) : [];
  return {
    title: t('official.myQueue'),
    count: t('official.waiting', { n: desk.queue.length }),
    next: t('official.takeNext'),
    offer: offer
      ? {
          ticketId: offer.ticketId,
          kind: kindName(offer.kind, ctx),
          title: c?.id ?? offer.ticketId,
          left: t('official.confirmWithin', { n: Math.max(0, Math.ceil((offer.until - ctx.now) / 1000)) }),
          summary: c ? [categoryOf(s, c.category, ctx), c.petitionerName, ...flags].filter(Boolean).join(' · ') : null,
          description: c?.description ?? null,
          accept: t('official.accept'),
          putBack: t('official.putBack'),
        }
      : null,
    entries: desk.queue.map((e) => ({
      ticketId: e.ticketId,
      kind: e.kind,
      kindLabel: kindName(e.kind, ctx),
      priority: e.priority === 'priority' ? t('official.priority') : null,
      priorityClass: e.priority,
      caseId: e.caseId,
      waited: t('official.waited', { time: waitDuration(Math.max(0, (ctx.now - Date.parse(e.enqueuedAt)) / 1000), t, 'elapsed') }),
      join: e.kind === 'invite' ? t('official.join') : null,
    })),
    empty: desk.queue.length === 0 ? t('official.nobodyWaiting') : null,
  };
}

function sessionsView(s: OfficialState, desk: Desk, { t }: ViewContext): SessionsView {
  const ids = [...new Set(desk.active.map(caseIdOfTicket))];
  return {
    title: t('official.mySessions'),
    items: ids.map((id) => {
      const current = s.open?.case.id === id;
      return { caseId: id, current, label: current ? t('official.openNow') : t('official.open') };
    }),
    empty: ids.length === 0 ? t('official.none') : null,
  };
}

export function isLead(s: OfficialState): boolean {
  return !!s.open && !!s.desk && s.open.case.officialId === s.desk.official.id;
}

/** The chosen value, or the first choice when nothing (or a value no longer offered) was chosen. */
function chosen(list: { value: string }[], value: string): string | undefined {
  return list.some((o) => o.value === value) ? value : list[0]?.value;
}

function options(list: { value: string; label: string }[], value: string): Option[] {
  const v = chosen(list, value);
  return list.map((o) => ({ ...o, selected: o.value === v }));
}

const peerChoices = (s: OfficialState) => peerOffices(s).map((d) => ({ value: d.id, label: d.name }));
const inviteChoices = (s: OfficialState, { t }: ViewContext) => [...peerChoices(s), { value: 'up', label: t('official.levelAbove') }];

/** Where "invite" and "transfer" go: what the selects show as chosen. */
export function targets(s: OfficialState, ctx: ViewContext): { invite: string | undefined; transfer: string | undefined } {
  return { invite: chosen(inviteChoices(s, ctx), s.form.invite), transfer: chosen(peerChoices(s), s.form.transfer) };
}

function actionsView(s: OfficialState, open: OpenCase, ctx: ViewContext): ActionsView {
  const { t } = ctx;
  const c = open.case;
  const f = s.form;
  const lead = isLead(s);
  const inSession = (c.state === 'in_session' || c.state === 'joint_session') && !open.ended;
  /** Still holding the session (the opinion may be written; the petitioner may be rating). */
  const inRoom = !!open.room && !open.ended && !['transferred', 'escalated'].includes(c.state);
  const peers = peerChoices(s);
  return {
    invite: inSession ? { label: t('official.inviteOffice'), options: options(inviteChoices(s, ctx), f.invite), button: t('official.invite') } : null,
    lead:
      inSession && lead
        ? {
            summary: t('official.transferEscalate'),
            transfer: { label: t('official.transferTo'), options: options(peers, f.transfer), reasonLabel: t('official.reason'), reason: f.transferReason, placeholder: t('official.transferReason'), button: t('official.transfer') },
            escalate: { reasonLabel: t('official.escalateReasonLabel'), reason: f.escalateReason, placeholder: t('official.escalateReason'), button: t('official.escalate') },
            opinion: {
              label: t('official.opinionLabel'),
              text: f.opinion ?? c.opinion ?? '',
              placeholder: t('official.opinionPlaceholder'),
              accepted: f.accepted === 'yes',
              acceptedLabel: t('official.decisionAccepted'),
              notAcceptedLabel: t('official.decisionNotAccepted'),
              button: t('official.saveOpinion'),
            },
          }
        : null,
    note: inSession
      ? lead
        ? null
        : t('official.invitedNote')
      : open.ended
        ? t('official.sessionEnded')
        : t(c.state === 'handled' ? 'official.caseStateRating' : 'official.caseState', { state: t(`petition.state.${c.state}`) }),
    end: inRoom ? (lead ? { act: 'end', label: t('official.end'), danger: true } : { act: 'leave', label: t('official.leave'), danger: false }) : { act: 'close', label: t('official.close'), danger: false },
    extend:
      lead && !c.handleExtended && c.state !== 'archived'
        ? { summary: t('official.extendSummary'), label: t('official.extendReasonLabel'), reason: f.extendReason, placeholder: t('official.extendReason'), button: t('official.extend') }
        : null,
  };
}

function caseView(s: OfficialState, open: OpenCase, ctx: ViewContext): CaseView {
  const { t, lang, now } = ctx;
  const c = open.case;
  const when = (iso: string) => formatTime(iso, 'dateTime', lang);
  const accept = c.acceptedAt ? null : deadlineClock(c.acceptDeadline, 15, now, t);
  const handle = deadlineClock(c.handleDeadline, c.handleExtended ? 90 : 60, now, t);
  const flags = [c.flags.elderly && t('official.elderly'), c.flags.disabled && t('official.flagDisabled'), c.flags.urgent && t('official.flagUrgent')].filter(Boolean).join(t('common.listSeparator'));
  const notGiven = t('official.notGiven');
  const rows: CaseView['facts']['rows'] = [
    { term: t('official.petitioner'), value: c.petitionerName ?? notGiven },
    { term: t('official.phone'), value: c.phone ?? notGiven },
    { term: t('official.idNumber'), value: c.idNumberMasked ?? notGiven },
    { term: t('official.terminal'), value: c.terminalId },
    { term: t('official.registered'), value: formatTime(c.registeredAt, 'dateTimeYear', lang) },
    ...(flags ? [{ term: t('official.priorityFlags'), value: flags }] : []),
    { term: t('official.matter'), value: c.description ?? t('official.matterNotGiven') },
    ...(c.opinion ? [{ term: t('official.opinion'), value: c.opinion, cls: 'opinion-text' }] : []),
    ...(c.rating ? [{ term: t('official.rating'), value: t(`petition.rating.${c.rating}`) }] : []),
  ];
  return {
    kind: 'case',
    caseId: c.id,
    state: c.state,
    stateLabel: t(`petition.state.${c.state}`),
    roleLabel: open.ended ? t('official.roleLeft') : isLead(s) ? t('official.roleLead') : t('official.roleInvited'),
    categoryLine: `${categoryOf(s, c.category, ctx)}${c.departmentId ? ` · ${t('official.leadOffice', { office: officeName(s, c.departmentId) })}` : ''}`,
    call: { pane: s.call, left: t('official.callLeft'), rejoin: t('official.rejoin'), ended: t('official.callEnded') },
    actions: actionsView(s, open, ctx),
    deadlines: {
      title: t('official.deadlines'),
      clocks: [
        {
          level: accept ? `lvl-${accept.level}` : 'lvl-done',
          label: t('official.acceptClock'),
          value: accept ? accept.text : t('official.accepted'),
          percent: Math.round((accept?.fraction ?? 1) * 100),
          date: c.acceptedAt ? t('official.acceptedAt', { at: when(c.acceptedAt) }) : t('official.due', { at: when(c.acceptDeadline) }),
        },
        {
          level: `lvl-${handle.level}`,
          label: t(c.handleExtended ? 'official.handleClockExtended' : 'official.handleClock'),
          value: handle.text,
          percent: Math.round(handle.fraction * 100),
          date: `${t('official.due', { at: when(c.handleDeadline) })}${c.acceptedAt ? '' : t('official.fromRegistration')}`,
        },
      ],
      extension: c.extensionReason ? t('official.extensionReason', { reason: c.extensionReason }) : null,
    },
    facts: { title: t('official.facts'), rows },
    timelineTitle: t('official.timeline'),
    timeline: caseTimeline(open.timeline, ctx, (id) => officeName(s, id), 'timeSeconds'),
  };
}
