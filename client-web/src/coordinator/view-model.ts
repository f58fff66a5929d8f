// What the coordinator's overview shows, as a pure function of its state: the totals, queues
// (busiest first, offices with people waiting and nobody online flagged), live sessions, terminals
// by county, overdue cases, a looked-up case's timeline, and the routing rules or their editor.
import type { ViewContext } from '../lib/i18n.ts';
import { formatTime, waitDuration } from '../lib/time.ts';
import { categoryName, type Case, type DepartmentQueue, type LiveSession, type OverdueCase, type RoutingRules, type TerminalGroup, type TimelineEvent } from '../petition-ui/common.ts';
import { caseTimeline } from '../petition-ui/timeline.ts';
import type { TimelineEntry } from '../widgets/timeline.ts';
import { zh } from '../i18n/zh.ts';
import { archiveAlarm } from '../archive/view-model.ts';
import type { ArchiveStatus } from '../../../server/protocol/http/archive-shapes.ts';

export type OfficeKind = keyof typeof zh.petition.office;
export const OFFICE_KINDS = Object.keys(zh.petition.office) as OfficeKind[];
/** Kinds with a township-level office of their own. */
type TownshipKind = { [K in OfficeKind]: 'township' extends keyof (typeof zh.petition.office)[K] ? K : never }[OfficeKind];
export const ICON_CHOICES = ['wallet', 'shield', 'field', 'wheat', 'house', 'police', 'hands', 'cross', 'chat', 'doc'];
export const LEVEL_CHOICES = ['township', 'county', 'city'] as const;

export interface Overview {
  queues: DepartmentQueue[];
  sessions: LiveSession[];
  terminals: TerminalGroup[];
  overdue: OverdueCase[];
}

/** The rules as being edited: text fields as typed, one row per category. */
export interface RulesDraft {
  offerAfter: string;
  maxWait: string;
  escalation: string;
  rows: { key: number; code: string; name: string; icon: string; departments: string[]; level: string; existing: boolean }[];
}

export interface CoordinatorState {
  phase: 'booting' | 'signed-out' | 'ready';
  overview: Overview | null;
  updatedAt: number | null;
  refreshError: string | null;
  /** Office names seen in the queue overview (offices with someone online or waiting). */
  officeNames: Record<string, string>;
  rules: RoutingRules | null;
  rulesError: string | null;
  draft: RulesDraft | null;
  draftError: string | null;
  lookupInput: string;
  lookup: { case: Case; timeline: TimelineEvent[] } | { error: string } | null;
  watching: { caseId: string; error: string | null } | null;
  /** The archive's trusted-timestamp state: its alarm is the coordinator's to see too. */
  archiveStatus?: ArchiveStatus | null;
}

export function kindName(kind: string, { t }: ViewContext): string {
  return kind in zh.petition.office ? t(`petition.office.${kind as OfficeKind}.county`) : kind;
}

/** An office's name: as the overview named it, else from the seed's `<region>-<kind>` id. */
export function officeLabel(s: Pick<CoordinatorState, 'officeNames'>, id: string, ctx: ViewContext): string {
  const known = s.officeNames[id];
  if (known) return known;
  const i = id.lastIndexOf('-');
  const kind = id.slice(i + 1) as OfficeKind;
  const k = zh.petition.office[kind] as { county: string; township?: string } | undefined;
  if (!k) return id;
  const region = id.slice(0, i);
  const name = region.length === 9 && k.township !== undefined ? ctx.t(`petition.office.${kind as TownshipKind}.township`) : ctx.t(`petition.office.${kind}.county`);
  return `${region} ${name}`;
}

const levelName = (l: string, { t }: ViewContext) => t('desk.levelName', { level: l in zh.petition.level ? t(`petition.level.${l as keyof typeof zh.petition.level}`) : l });
const categoryOf = (s: CoordinatorState, code: string, ctx: ViewContext) => categoryName(s.rules?.categories.find((c) => c.code === code) ?? { code, name: code }, ctx);

export interface CoordinatorView {
  title: string;
  updated: string;
  alarm: string | null;
  body: { kind: 'signed-out'; role: string } | { kind: 'ready'; overview: OverviewView | null; lookup: LookupView; rules: RulesView } | null;
}

export interface OverviewView {
  tiles: { n: string; label: string; value: string; sub: string; alert: boolean }[];
  queues: { headers: string[]; rows: { id: string; name: string; length: number; online: number; warn: string | null; oldest: string }[]; empty: string | null };
  sessions: {
    headers: string[];
    rows: { caseId: string; category: string; state: string; participants: string[]; watch: string; watchTitle: string }[];
    empty: string | null;
  };
  watching: { title: string; note: string; error: string | null } | null;
  terminals: {
    headers: string[];
    rows: { region: string; name: string; percent: number; online: string; offline: number; offlineNames: string }[];
    /** Terminals gone for OFFLINE_ALERT_SECONDS, by name, with when each was last connected. */
    alerts: { id: string; text: string }[];
  };
  overdue: { headers: string[]; rows: { caseId: string; category: string; state: string; overdue: string; due: string }[]; empty: string | null };
}

export interface LookupView {
  title: string;
  placeholder: string;
  button: string;
  input: string;
  result: { summary: string; timeline: TimelineEntry[] } | { error: string } | null;
}

export interface RulesView {
  title: string;
  error: string | null;
  table: {
    summary: string;
    headers: string[];
    rows: { code: string; icon: string; name: string; offices: string; level: string }[];
    edit: string;
  } | null;
  editor: {
    offerAfter: { label: string; value: string };
    maxWait: { label: string; value: string };
    escalation: { label: string; options: { value: string; label: string; selected: boolean }[] };
    headers: string[];
    rows: {
      key: number;
      icon: { label: string; value: string; options: string[] };
      name: { label: string; value: string };
      code: { label: string; value: string; readonly: boolean };
      offices: { value: string; label: string; checked: boolean }[];
      level: { label: string; options: { value: string; label: string; selected: boolean }[] };
      remove: { label: string; title: string };
    }[];
    add: string;
    error: string | null;
    save: string;
    cancel: string;
    note: string;
  } | null;
}

export function coordinatorView(s: CoordinatorState, ctx: ViewContext): CoordinatorView {
  const { t } = ctx;
  return {
    title: t('coordinator.title'),
    updated: s.refreshError ? t('coordinator.failed', { message: s.refreshError }) : s.updatedAt ? t('coordinator.updated', { at: formatTime(s.updatedAt, 'timeSeconds', ctx.lang) }) : '',
    alarm: archiveAlarm(s.archiveStatus ?? null, ctx),
    body:
      s.phase === 'signed-out'
        ? { kind: 'signed-out', role: t('coordinator.roleName') }
        : s.phase === 'ready'
          ? { kind: 'ready', overview: s.overview ? overviewView(s, s.overview, ctx) : null, lookup: lookupView(s, ctx), rules: rulesView(s, ctx) }
          : null,
  };
}

function overviewView(s: CoordinatorState, o: Overview, ctx: ViewContext): OverviewView {
  const { t } = ctx;
  const when = (iso: string) => formatTime(iso, 'dateTime', ctx.lang);
  const waiting = o.queues.reduce((n, x) => n + x.length, 0);
  const online = o.terminals.reduce((n, x) => n + x.online, 0);
  const total = o.terminals.reduce((n, x) => n + x.total, 0);
  const oldest = Math.max(0, ...o.queues.map((x) => x.oldestWaitSeconds ?? 0));
  const queues = [...o.queues].sort((a, b) => b.length - a.length || (b.oldestWaitSeconds ?? 0) - (a.oldestWaitSeconds ?? 0));
  const sep = t('common.listSeparator');
  const alerts = o.terminals.flatMap((g) => g.offline.filter((x) => x.alertSince !== null).map((x) => ({ id: x.id, text: t('coordinator.terminalAlert', { name: x.name, at: formatTime(x.alertSince!, 'dateTime', ctx.lang) }) })));
  return {
    tiles: [
      { n: 'waiting', label: t('coordinator.tileWaiting'), value: String(waiting), sub: t('coordinator.tileLongest', { time: waiting ? waitDuration(oldest, t, 'elapsed') : '—' }), alert: false },
      { n: 'sessions', label: t('coordinator.tileSessions'), value: String(o.sessions.length), sub: t('coordinator.tileJoint', { n: o.sessions.filter((x) => x.case.state === 'joint_session').length }), alert: false },
      { n: 'terminals', label: t('coordinator.tileTerminals'), value: `${online} / ${total}`, sub: t('coordinator.tileOffline', { n: total - online }), alert: alerts.length > 0 },
      { n: 'overdue', label: t('coordinator.tileOverdue'), value: String(o.overdue.length), sub: t('coordinator.tileOverdueSub'), alert: o.overdue.length > 0 },
    ],
    queues: {
      headers: [t('coordinator.office'), t('coordinator.waiting'), t('coordinator.officialsOnline'), t('coordinator.longestWait')],
      rows: queues.map((r) => ({
        id: r.departmentId,
        name: r.name,
        length: r.length,
        online: r.online,
        warn: r.length > 0 && r.online === 0 ? t('coordinator.nobodyOnline') : null,
        oldest: r.oldestWaitSeconds === null ? '—' : waitDuration(r.oldestWaitSeconds, t, 'elapsed'),
      })),
      empty: queues.length ? null : t('coordinator.noQueues'),
    },
    sessions: {
      headers: [t('coordinator.case'), t('coordinator.category'), t('coordinator.state'), t('coordinator.participants')],
      rows: o.sessions.map((x) => ({
        caseId: x.case.id,
        category: categoryOf(s, x.case.category, ctx),
        state: t(`petition.state.${x.case.state}`),
        participants: x.participants.map((p) => `${p.departmentName} (${p.officialName}${p.role === 'lead' ? t('coordinator.lead') : ''})`),
        watch: t('coordinator.watch'),
        watchTitle: t('coordinator.watchTitle'),
      })),
      empty: o.sessions.length ? null : t('coordinator.noSessions'),
    },
    watching: s.watching ? { title: t('coordinator.watching', { id: s.watching.caseId }), note: t('coordinator.watchingNote'), error: s.watching.error } : null,
    terminals: {
      headers: [t('coordinator.county'), t('coordinator.online'), t('coordinator.offline')],
      rows: o.terminals.map((g) => ({
        region: g.regionCode,
        name: g.name,
        percent: g.total ? Math.round((g.online / g.total) * 100) : 0,
        online: `${g.online} / ${g.total}`,
        offline: g.offline.length,
        offlineNames: `${g.offline.slice(0, 60).map((x) => x.name).join(sep)}${g.offline.length > 60 ? ' …' : ''}`,
      })),
      alerts,
    },
    overdue: {
      headers: [t('coordinator.case'), t('coordinator.category'), t('coordinator.state'), t('coordinator.overdueKind'), t('coordinator.due')],
      rows: o.overdue.map((x) => ({
        caseId: x.case.id,
        category: categoryOf(s, x.case.category, ctx),
        state: t(`petition.state.${x.case.state}`),
        overdue: x.overdue.map((k) => t(k === 'acceptance' ? 'coordinator.acceptanceOverdue' : 'coordinator.handlingOverdue')).join(sep),
        due: x.overdue.includes('acceptance') ? when(x.case.acceptDeadline) : when(x.case.handleDeadline),
      })),
      empty: o.overdue.length ? null : t('coordinator.noOverdue'),
    },
  };
}

function lookupView(s: CoordinatorState, ctx: ViewContext): LookupView {
  const { t } = ctx;
  const l = s.lookup;
  const when = (iso: string) => formatTime(iso, 'dateTime', ctx.lang);
  let result: LookupView['result'] = null;
  if (l && 'error' in l) result = { error: l.error };
  else if (l) {
    const c = l.case;
    const parts = [
      c.id,
      categoryOf(s, c.category, ctx),
      t(`petition.state.${c.state}`),
      t('coordinator.caseAcceptDue', { at: when(c.acceptDeadline) }),
      `${t('coordinator.caseHandleDue', { at: when(c.handleDeadline) })}${c.handleExtended ? t('coordinator.extended') : ''}`,
      ...(c.rating ? [t('coordinator.caseRating', { rating: t(`petition.rating.${c.rating}`) })] : []),
    ];
    result = { summary: parts.join(' · '), timeline: caseTimeline(l.timeline, ctx, (id) => officeLabel(s, id, ctx), 'dateTimeYear') };
  }
  return { title: t('coordinator.lookup'), placeholder: t('coordinator.lookupPlaceholder'), button: t('coordinator.showTimeline'), input: s.lookupInput, result };
}

/** The editor's starting point: the rules in use, waits in minutes. */
export function draftOf(r: RoutingRules): RulesDraft {
  return {
    offerAfter: String(Math.round((r.waiting?.offerAfterSeconds ?? 120) / 60)),
    maxWait: String(Math.round((r.waiting?.maxWaitSeconds ?? 1800) / 60)),
    escalation: r.escalationDepartment,
    rows: r.categories.map((c, i) => ({ key: i, code: c.code, name: c.name, icon: c.icon, departments: [...c.departments], level: c.level, existing: true })),
  };
}

/** The rules to send for a draft, or the reason it cannot be sent. */
export function rulesOfDraft(r: RoutingRules, d: RulesDraft, { t }: ViewContext): { rules: RoutingRules } | { error: string } {
  const categories = d.rows.map((row) => ({ code: row.code.trim(), name: row.name.trim(), icon: row.icon, departments: OFFICE_KINDS.filter((k) => row.departments.includes(k)), level: row.level }));
  const empty = categories.find((c) => c.departments.length === 0);
  if (empty) return { error: t('coordinator.needOffice', { name: empty.name || empty.code }) };
  return {
    rules: {
      version: r.version + 1,
      escalationDepartment: d.escalation,
      waiting: { offerAfterSeconds: Math.round(Number(d.offerAfter) * 60), maxWaitSeconds: Math.round(Number(d.maxWait) * 60) },
      categories: categories as RoutingRules['categories'],
    } as RoutingRules,
  };
}

function rulesView(s: CoordinatorState, ctx: ViewContext): RulesView {
  const { t } = ctx;
  const r = s.rules;
  const base = { title: t('coordinator.rules'), error: s.rulesError };
  if (!r) return { ...base, table: null, editor: null };
  const sep = t('common.listSeparator');
  if (!s.draft) {
    return {
      ...base,
      editor: null,
      table: {
        summary: t('coordinator.rulesSummary', {
          offerAfter: r.waiting ? waitDuration(r.waiting.offerAfterSeconds, t) : t('coordinator.byDefault'),
          maxWait: r.waiting ? waitDuration(r.waiting.maxWaitSeconds, t) : t('coordinator.byDefault'),
          office: kindName(r.escalationDepartment, ctx),
        }),
        headers: ['', t('coordinator.category'), t('coordinator.code'), t('coordinator.offices'), t('coordinator.level')],
        rows: r.categories.map((c) => ({ code: c.code, icon: c.icon, name: categoryName(c, ctx), offices: c.departments.map((d) => kindName(d, ctx)).join(sep), level: levelName(c.level, ctx) })),
        edit: t('coordinator.editRules'),
      },
    };
  }
  const d = s.draft;
  return {
    ...base,
    table: null,
    editor: {
      offerAfter: { label: t('coordinator.offerAfter'), value: d.offerAfter },
      maxWait: { label: t('coordinator.maxWait'), value: d.maxWait },
      escalation: { label: t('coordinator.escalation'), options: OFFICE_KINDS.map((k) => ({ value: k, label: kindName(k, ctx), selected: k === d.escalation })) },
      headers: [t('coordinator.icon'), t('coordinator.categoryName'), t('coordinator.code'), t('coordinator.officesHint'), t('coordinator.level'), ''],
      rows: d.rows.map((row) => ({
        key: row.key,
        icon: { label: t('coordinator.icon'), value: row.icon, options: ICON_CHOICES },
        name: { label: t('coordinator.categoryName'), value: row.name },
        code: { label: t('coordinator.code'), value: row.code, readonly: row.existing },
        offices: OFFICE_KINDS.map((k) => ({ value: k, label: kindName(k, ctx), checked: row.departments.includes(k) })),
        level: { label: t('coordinator.level'), options: LEVEL_CHOICES.map((l) => ({ value: l, label: levelName(l, ctx), selected: l === row.level })) },
        remove: { label: t('coordinator.remove'), title: t('coordinator.removeTitle') },
      })),
      add: t('coordinator.addCategory'),
      error: s.draftError,
      save: t('coordinator.saveRules'),
      cancel: t('coordinator.cancel'),
      note: t('coordinator.rulesNote'),
    },
  };
}
