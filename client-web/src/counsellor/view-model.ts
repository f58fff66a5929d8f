// What the counsellor desk shows, as a pure function of its state: check-ins due and device
// alerts first, the assigned households with residents' notes and device status, the check-in
// schedules and their form, the notice form (one household or a whole region) and the notices
// recently shown on the devices, or the call in progress.
import type { ViewContext } from '../lib/i18n.ts';
import { formatTime } from '../lib/time.ts';
import { regionName, type Call, type CheckInSchedule, type DeviceAlert, type HouseholdView, type Notice } from '../household/common.ts';

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

export interface CounsellorState {
  phase: 'running' | 'no-token';
  who: string;
  households: HouseholdView[];
  alerts: DeviceAlert[];
  checkIns: CheckInSchedule[];
  /** Check-ins that fell due, by schedule id, with when. */
  due: { schedule: CheckInSchedule; dueAt: string }[];
  recent: Notice[];
  room: { call: Call; home: string; answered: boolean } | null;
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
  noToken: string | null;
  room: { title: string } | null;
  alerts: {
    title: string;
    due: { scheduleId: string; householdId: string; text: string; call: string }[];
    items: { id: string; householdId: string; acked: boolean; text: string; ack: string | null; ackedLabel: string }[];
    empty: string | null;
  };
  households: {
    title: string;
    headers: string[];
    rows: { id: string; name: string; privacy: string | null; addr: string; residents: { name: string; note: string | null }[]; devices: { name: string; online: boolean; state: string }[]; call: string }[];
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
  recent: { title: string; items: { id: string; title: string; rest: string }[]; empty: string | null };
}

export function counsellorView(s: CounsellorState, ctx: ViewContext): CounsellorView {
  const { t, lang } = ctx;
  const when = (iso: string) => formatTime(iso, 'dateTime', lang);
  const day = (d: number) => t(`household.weekday.w${d as Weekday}`);
  const deviceName = (a: DeviceAlert) => s.households.find((h) => h.household.id === a.householdId)?.devices.find((d) => d.id === a.deviceId)?.name ?? a.deviceId;
  const regions = regionsOf(s);
  const target = noticeTarget(s);
  const targetValue = target ? ('region' in target ? `r:${target.region}` : `h:${target.householdId}`) : '';
  const firstHousehold = s.checkInForm.household || s.households[0]?.household.id || '';
  return {
    title: t('counsellor.title'),
    who: s.who,
    noToken: s.phase === 'no-token' ? t('counsellor.noToken') : null,
    room: s.room ? { title: t(s.room.answered || s.room.call.state !== 'ringing' ? 'counsellor.inCall' : 'counsellor.ringing', { home: s.room.home }) } : null,
    alerts: {
      title: t('counsellor.alerts'),
      due: s.due.map(({ schedule: c, dueAt }) => ({
        scheduleId: c.id,
        householdId: c.householdId,
        text: t('counsellor.due', { home: homeName(s, c.householdId), time: when(dueAt), note: c.note }),
        call: t('counsellor.callNow'),
      })),
      items: s.alerts.map((a) => ({
        id: a.id,
        householdId: a.householdId,
        acked: !!a.acknowledgedBy,
        text: t('counsellor.offlineAlert', { home: homeName(s, a.householdId), device: deviceName(a), last: a.lastSeenAt ? when(a.lastSeenAt) : t('counsellor.never'), raised: when(a.raisedAt) }),
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
        residents: v.household.residents.map((r) => ({ name: r.name, note: r.note || null })),
        devices: v.devices.map((d) => ({ name: d.name, online: d.online, state: t(d.online ? 'counsellor.online' : 'counsellor.offline') })),
        call: t('counsellor.callHome'),
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
      items: s.recent.map((n) => ({
        id: n.id,
        title: n.title,
        rest: ` · ${t('counsellor.toRegion', { name: n.region ? regionName(n.region.slice(0, 6), t) : homeName(s, n.householdId ?? '') })} · ${n.senderName} · ${when(n.createdAt)}`,
      })),
      empty: s.recent.length ? null : t('counsellor.noRecent'),
    },
  };
}
