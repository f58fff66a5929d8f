// What the counsellor desk shows, as a pure function of its state: check-ins due and device
// alerts first, the assigned households with residents' notes and device status, the check-in
// schedules and their form, the notice form (one household or a whole region) and the notices
// I sent with their read receipts, the visit-record form after a check-in and a household's
// history, or the call in progress.
import type { ViewContext } from '../lib/i18n.ts';
import { formatTime } from '../lib/time.ts';
import { regionName, type Call, type CheckInSchedule, type HouseholdAlert, type HouseholdHistory, type HouseholdView, type NoticeReceipts } from '../household/common.ts';

export interface CheckInForm {
  household: string;
  days: number[];
  time: string;
  note: string;
}
export interface NoticeForm {
  target: string;
  title: string;
  body: string;
}
export const NEW_CHECK_IN: CheckInForm = { household: '', days: [3], time: '10:00', note: '' };
export const NEW_NOTICE: NoticeForm = { target: '', title: '', body: '' };

export const MOODS = ['good', 'fair', 'low', 'distressed'] as const;
/** The visit record being written after a check-in (a call, or a due check-in done in person). */
export const NEW_VISIT: Omit<VisitForm, 'householdId'> = { mood: 'good', concerns: '', followUp: '' };
export interface VisitForm {
  householdId: string;
  callId?: string;
  scheduleId?: string;
  dueAt?: string;
  mood: (typeof MOODS)[number];
  concerns: string;
  followUp: string;
}

export interface CounsellorState {
  phase: 'running' | 'no-token';
  who: string;
  households: HouseholdView[];
  alerts: HouseholdAlert[];
  checkIns: CheckInSchedule[];
  /** Check-ins that fell due, by schedule id, with when. */
  due: { schedule: CheckInSchedule; dueAt: string; state?: 'due' | 'overdue' }[];
  /** The notices I sent, each with which households read it. */
  recent: NoticeReceipts[];
  visit: VisitForm | null;
  history: HouseholdHistory | null;
  room: { call: Call; home: string; answered: boolean } | null;
  /** A call from home or an SOS ringing me. */
  incoming: Call | null;
  checkInForm: CheckInForm;
  noticeForm: NoticeForm;
}

const WEEK = [1, 2, 3, 4, 5, 6, 0];
type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export function homeName(s: Pick<CounsellorState, 'households'>, id: string): string {
  return s.households.find((h) => h.household.id === id)?.household.name ?? id;
}

/** The regions (county codes) of the assigned households, for region notices. */
export function regionsOf(s: Pick<CounsellorState, 'households'>): string[] {
  return [...new Set(s.households.map((v) => v.household.region.slice(0, 6)))];
}

/** Where a notice goes: `r:<region>` or `h:<household>` (the first choice when none was picked). */
export function noticeTarget(s: CounsellorState): { region: string } | { householdId: string } | null {
  const target = s.noticeForm.target || (regionsOf(s)[0] ? `r:${regionsOf(s)[0]}` : s.households[0] ? `h:${s.households[0].household.id}` : '');
  if (!target) return null;
  return target.startsWith('r:') ? { region: target.slice(2) } : { householdId: target.slice(2) };
}

export interface CounsellorView {
  title: string;
  who: string;
  /** The page has a session to end (its sign-out button). */
  signedIn: boolean;
  signOut: string;
  noToken: string | null;
  room: { title: string } | null;
  incoming: { id: string; sos: boolean; title: string; answer: string; decline: string } | null;
  alerts: {
    title: string;
    due: { scheduleId: string; householdId: string; dueAt: string; state: string; text: string; call: string; record: string }[];
    items: { id: string; householdId: string; kind: string; acked: boolean; text: string; resolved: string | null; ack: string | null; ackedLabel: string }[];
    empty: string | null;
  };
  households: {
    title: string;
    headers: string[];
    rows: { id: string; name: string; privacy: string | null; addr: string; residents: { name: string; note: string | null }[]; devices: { name: string; online: boolean; state: string }[]; call: string; sos: string | null; history: string }[];
  };
  checkIns: { title: string; items: { id: string; home: string; text: string }[]; empty: string | null };
  checkInForm: {
    householdLabel: string;
    households: { value: string; label: string; selected: boolean }[];
    daysLabel: string;
    days: { day: number; label: string; checked: boolean }[];
    timeLabel: string;
    time: string;
    noteLabel: string;
    note: string;
    submit: string;
  };
  notice: {
    title: string;
    targetLabel: string;
    targets: { value: string; label: string; selected: boolean }[];
    titleLabel: string;
    titleValue: string;
    bodyLabel: string;
    bodyValue: string;
    send: string;
  };
  recent: { title: string; items: { id: string; title: string; rest: string; reads: string }[]; empty: string | null };
  visit: {
    title: string;
    moodLabel: string;
    moods: { value: string; label: string; selected: boolean }[];
    concernsLabel: string;
    concerns: string;
    followUpLabel: string;
    followUp: string;
    save: string;
    cancel: string;
  } | null;
  history: { title: string; items: { id: string; text: string }[]; empty: string | null; close: string } | null;
}

export function counsellorView(s: CounsellorState, ctx: ViewContext): CounsellorView {
  const { t, lang } = ctx;
  const when = (iso: string) => formatTime(iso, 'dateTime', lang);
  const day = (d: number) => t(`household.weekday.w${d as Weekday}`);
  const deviceName = (a: HouseholdAlert) => s.households.find((h) => h.household.id === a.householdId)?.devices.find((d) => d.id === a.deviceId)?.name ?? a.deviceId;
  const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
  // Each kind says what happened; a no-activity alert also says how it was decided (issue 14.3).
  const alertText = (a: HouseholdAlert): string => {
    const home = homeName(s, a.householdId);
    const raised = when(a.raisedAt);
    if (a.kind === 'sos') return t('counsellor.sosAlert', { home, raised });
    if (a.kind === 'no-activity' && a.activity) {
      const d = a.activity;
      return t('counsellor.noActivityAlert', {
        home, from: when(d.from), to: when(d.to), measured: d.measuredMinutes, span: d.spanMinutes,
        max: pct(d.maxLevel), threshold: pct(d.rule.threshold), last: d.lastActiveAt ? when(d.lastActiveAt) : t('counsellor.never'),
        sources: d.sources.map((x) => t(x.kind === 'device' ? 'counsellor.srcDevice' : 'counsellor.srcCamera')).join(t('common.listSeparator')) || t('counsellor.srcNone'),
      });
    }
    return t('counsellor.offlineAlert', { home, device: deviceName(a) ?? '', last: a.lastSeenAt ? when(a.lastSeenAt) : t('counsellor.never'), raised });
  };
  const regions = regionsOf(s);
  const target = noticeTarget(s);
  const targetValue = target ? ('region' in target ? `r:${target.region}` : `h:${target.householdId}`) : '';
  const firstHousehold = s.checkInForm.household || s.households[0]?.household.id || '';
  return {
    title: t('counsellor.title'),
    who: s.who,
    signedIn: s.phase === 'running',
    signOut: t('common.signOut'),
    noToken: s.phase === 'no-token' ? t('counsellor.noToken') : null,
    incoming: s.incoming && !s.room
      ? {
          id: s.incoming.id,
          sos: s.incoming.purpose === 'sos',
          title: t(s.incoming.purpose === 'sos' ? 'counsellor.sosIncoming' : 'counsellor.homeCalling', { home: homeName(s, s.incoming.householdId) }),
          answer: t('counsellor.answer'),
          decline: t('counsellor.decline'),
        }
      : null,
    room: s.room ? { title: t(s.room.answered || s.room.call.state !== 'ringing' ? 'counsellor.inCall' : 'counsellor.ringing', { home: s.room.home }) } : null,
    alerts: {
      title: t('counsellor.alerts'),
      due: s.due.map(({ schedule: c, dueAt, state = 'due' }) => ({
        scheduleId: c.id,
        householdId: c.householdId,
        dueAt,
        state,
        text: t(state === 'overdue' ? 'counsellor.overdue' : 'counsellor.due', { home: homeName(s, c.householdId), time: when(dueAt), note: c.note }),
        call: t('counsellor.callNow'),
        record: t('counsellor.recordVisit'),
      })),
      items: s.alerts.map((a) => ({
        id: a.id,
        householdId: a.householdId,
        kind: a.kind,
        acked: !!a.acknowledgedBy,
        text: alertText(a),
        resolved: a.resolvedAt ? t('counsellor.alertResolved', { at: when(a.resolvedAt) }) : null,
        ack: a.acknowledgedBy ? null : t('counsellor.ack'),
        ackedLabel: t('counsellor.acked'),
      })),
      empty: s.alerts.length ? null : t('counsellor.noAlerts'),
    },
    households: {
      title: t('counsellor.households'),
      headers: [t('counsellor.hName'), t('counsellor.hResidents'), t('counsellor.hDevices'), ''],
      rows: s.households.map((v) => ({
        id: v.household.id,
        name: v.household.name,
        privacy: v.privacy.active ? t('counsellor.privacy') : null,
        addr: `${regionName(v.household.region.slice(0, 6), t)} · ${v.household.address}`,
        residents: v.household.residents.map((r) => ({ name: r.name, note: r.note ? t('common.parenthesised', { text: r.note }) : null })),
        devices: v.devices.map((d) => ({ name: d.name, online: d.online, state: t(d.online ? 'counsellor.online' : 'counsellor.offline') })),
        call: t('counsellor.callHome'),
        // Only a home without a device on (an IP camera only) needs 求助 raised for it.
        sos: v.cameras.length > 0 && !v.devices.some((d) => d.online) ? t('counsellor.sos') : null,
        history: t('counsellor.history'),
      })),
    },
    checkIns: {
      title: t('counsellor.checkins'),
      items: s.checkIns.map((c) => ({
        id: c.id,
        home: homeName(s, c.householdId),
        text: ` · ${t('counsellor.days')} ${c.days.map(day).join(t('common.listSeparator'))} ${c.time} · ${t('counsellor.next', { at: when(c.nextAt) })}${c.note ? ` · ${c.note}` : ''}`,
      })),
      empty: s.checkIns.length ? null : t('counsellor.noCheckins'),
    },
    checkInForm: {
      householdLabel: t('counsellor.household'),
      households: s.households.map((v) => ({ value: v.household.id, label: v.household.name, selected: v.household.id === firstHousehold })),
      daysLabel: t('counsellor.days'),
      days: WEEK.map((d) => ({ day: d, label: day(d), checked: s.checkInForm.days.includes(d) })),
      timeLabel: t('counsellor.time'),
      time: s.checkInForm.time,
      noteLabel: t('counsellor.note'),
      note: s.checkInForm.note,
      submit: t('counsellor.addCheckin'),
    },
    notice: {
      title: t('counsellor.notice'),
      targetLabel: t('counsellor.target'),
      targets: [
        ...regions.map((r) => ({ value: `r:${r}`, label: t('counsellor.region', { name: `${regionName(r, t)} ${r}` }) })),
        ...s.households.map((v) => ({ value: `h:${v.household.id}`, label: t('counsellor.oneHousehold', { name: v.household.name }) })),
      ].map((o) => ({ ...o, selected: o.value === targetValue })),
      titleLabel: t('counsellor.nTitle'),
      titleValue: s.noticeForm.title,
      bodyLabel: t('counsellor.nBody'),
      bodyValue: s.noticeForm.body,
      send: t('counsellor.send'),
    },
    recent: {
      title: t('counsellor.recent'),
      items: s.recent.map(({ notice: n, households }) => ({
        id: n.id,
        title: n.title,
        rest: ` · ${t('counsellor.toRegion', { name: n.region ? regionName(n.region.slice(0, 6), t) : homeName(s, n.householdId ?? '') })} · ${when(n.createdAt)}`,
        reads: t('counsellor.reads', { read: households.filter((h) => h.readAt).length, of: households.length, unread: households.filter((h) => !h.readAt).map((h) => h.name).join(t('common.listSeparator')) || '—' }),
      })),
      empty: s.recent.length ? null : t('counsellor.noRecent'),
    },
    visit: s.visit
      ? {
          title: t('counsellor.visitTitle', { home: homeName(s, s.visit.householdId) }),
          moodLabel: t('counsellor.mood'),
          moods: MOODS.map((m) => ({ value: m, label: t(`counsellor.mood_${m}`), selected: s.visit!.mood === m })),
          concernsLabel: t('counsellor.concerns'),
          concerns: s.visit.concerns,
          followUpLabel: t('counsellor.followUp'),
          followUp: s.visit.followUp,
          save: t('counsellor.saveVisit'),
          cancel: t('counsellor.cancel'),
        }
      : null,
    history: s.history
      ? {
          title: t('counsellor.historyTitle', { home: homeName(s, s.history.householdId) }),
          items: s.history.visits.map((v) => ({
            id: v.id,
            text: t('counsellor.visitLine', { at: when(v.at), who: v.counsellorName, mood: t(`counsellor.mood_${v.mood}`), concerns: v.concerns || '—', followUp: v.followUp || '—' }),
          })),
          empty: s.history.visits.length ? null : t('counsellor.noVisits'),
          close: t('counsellor.close'),
        }
      : null,
  };
}
