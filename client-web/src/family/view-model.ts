// What the family app shows, as a pure function of its state: a card per household (devices
// online, call / audio call / look-in buttons and why look-in is not offered, the privacy hours,
// missed calls both ways, no-activity and SOS alerts, and the manager's settings form with the
// access log and the consent record), or the room (call or look-in) with its title; and the
// loud ringing screen of a call from home with answer and decline.
import type { ViewContext } from '../lib/i18n.ts';
import { kinshipWord } from '../lib/kinship.ts';
import { clock, formatTime } from '../lib/time.ts';
import { windowsText, type AccessLogEntry, type Call, type HouseholdAlert, type HouseholdView } from '../household/common.ts';

export type RoomPhase = 'ringing' | 'sos' | 'in' | 'joined' | 'lookin';

export interface RoomInfo {
  kind: 'call' | 'lookin';
  id: string;
  householdId: string;
  home: string;
  isCaller: boolean;
  audioOnly: boolean;
  phase: RoomPhase;
  /** Look-in: when it ends, on this page's clock. */
  endsAt: number | null;
}

export interface PrivacyWindow {
  days: number[];
  start: string;
  end: string;
}

/** A manager's settings as being edited (created on the first change). */
export interface SettingsDraft {
  mode: 'off' | 'all-family' | 'selected';
  memberIds: string[];
  lookInAllowed: boolean;
  windows: (PrivacyWindow & { key: number })[];
}

export interface FamilyState {
  phase: 'running' | 'no-token';
  who: string;
  /** The households were read at least once. */
  loaded: boolean;
  households: HouseholdView[];
  missed: Record<string, Call[]>;
  room: RoomInfo | null;
  drafts: Record<string, SettingsDraft>;
  /** A call from home ringing me, and the calls from home that rang me (missed ones are listed). */
  incoming: Call | null;
  fromHome: Call[];
  /** Managers: the household's access log, newest first. */
  accessLog: Record<string, AccessLogEntry[]>;
}

/** Days in the order the form shows them: Monday first. */
export const WEEK = [1, 2, 3, 4, 5, 6, 0];
/** A new privacy window: every night. */
export const NIGHT: PrivacyWindow = { days: [0, 1, 2, 3, 4, 5, 6], start: '22:00', end: '07:00' };

export function draftOf(v: HouseholdView): SettingsDraft {
  const s = v.household.settings;
  return { mode: s.autoAnswer.mode, memberIds: [...s.autoAnswer.memberIds], lookInAllowed: s.lookInAllowed, windows: s.privacySchedule.map((w, key) => ({ ...w, days: [...w.days], key })) };
}

/** The settings to send for a draft (the backend validates). */
export function settingsOfDraft(d: SettingsDraft): { autoAnswer: { mode: SettingsDraft['mode']; memberIds: string[] }; lookInAllowed: boolean; privacySchedule: PrivacyWindow[] } {
  return {
    autoAnswer: { mode: d.mode, memberIds: d.mode === 'selected' ? d.memberIds : [] },
    lookInAllowed: d.lookInAllowed,
    privacySchedule: d.windows.map((w) => ({ days: [...w.days].sort((a, b) => a - b), start: w.start, end: w.end })),
  };
}

export interface CardView {
  id: string;
  name: string;
  privacy: { cause: string; label: string } | null;
  address: string;
  residents: string;
  devices: { online: boolean; name: string | null; state: string }[];
  call: string;
  /** 求助 for a home without a device on to press it (only an IP camera); null where the device has its own button. */
  sos: string | null;
  audio: { label: string; sub: string; suggest: boolean };
  lookIns: { source: string | null; label: string; disabled: boolean }[];
  hints: string[];
  settings: SettingsView | null;
  missed: { open: boolean; summary: string; items: { id: string; text: string; reason: string }[] };
  alerts: { id: string; kind: string; text: string }[];
  privacyRecord: PrivacyRecordView | null;
}

export interface PrivacyRecordView {
  summary: string;
  consentTitle: string;
  consents: { memberId: string; text: string; granted: boolean; button: string }[];
  logTitle: string;
  log: { id: number; outcome: string; text: string }[];
  emptyLog: string | null;
}

export interface SettingsView {
  summary: string;
  autoAnswer: { legend: string; options: { mode: SettingsDraft['mode']; label: string; checked: boolean }[]; members: { id: string; label: string; checked: boolean }[] };
  lookIn: { label: string; checked: boolean };
  windows: { legend: string; rows: { key: number; days: { day: number; label: string; checked: boolean }[]; start: string; end: string; remove: string }[]; add: string };
  save: string;
  privacy: { on: boolean; label: string };
}

export interface FamilyView {
  title: string;
  who: string;
  /** The page has a session to end (its sign-out button). */
  signedIn: boolean;
  signOut: string;
  notice: string | null;
  /** Opened without a session: offer the way back to the home page. */
  home: boolean;
  cards: CardView[];
  room: { kind: RoomInfo['kind']; phase: RoomPhase; title: string; leaveLabel: string | undefined; preview: boolean } | null;
  incoming: { id: string; sos: boolean; title: string; answer: string; decline: string } | null;
}

export function familyView(s: FamilyState, weakNetwork: boolean, ctx: ViewContext): FamilyView {
  const { t } = ctx;
  return {
    title: t('family.title'),
    who: s.who,
    signedIn: s.phase === 'running',
    signOut: t('common.signOut'),
    home: s.phase === 'no-token',
    notice: s.phase === 'no-token' ? t('family.noToken') : s.loaded && s.households.length === 0 ? t('family.none') : null,
    cards: s.phase === 'running' ? s.households.map((v) => cardView(s, v, weakNetwork, ctx)) : [],
    room: s.room ? roomView(s.room, ctx) : null,
    incoming: s.incoming && !s.room ? incomingView(s, s.incoming, ctx) : null,
  };
}

function incomingView(s: FamilyState, c: Call, { t }: ViewContext): NonNullable<FamilyView['incoming']> {
  const home = s.households.find((h) => h.household.id === c.householdId)?.household.name ?? c.callerName;
  const sos = c.purpose === 'sos';
  return { id: c.id, sos, title: t(sos ? 'family.sosIncoming' : 'family.homeCalling', { home }), answer: t('family.answer'), decline: t('family.decline') };
}

/** What an alert says to the family; a no-activity alert says how it was decided. */
export function familyAlertText(a: HouseholdAlert, { t, lang }: ViewContext): string {
  const when = (iso: string) => formatTime(iso, 'dateTime', lang);
  if (a.kind === 'sos') return t('family.alertSos', { at: when(a.raisedAt) });
  if (a.kind === 'no-activity' && a.activity) {
    const d = a.activity;
    return t('family.alertNoActivity', { from: when(d.from), to: when(d.to), measured: d.measuredMinutes, span: d.spanMinutes, threshold: `${Math.round(d.rule.threshold * 1000) / 10}%` });
  }
  return t('family.alertOffline', { at: when(a.raisedAt) });
}

function roomView(r: RoomInfo, ctx: ViewContext): NonNullable<FamilyView['room']> {
  const { t } = ctx;
  const left = r.endsAt === null ? 0 : Math.max(0, r.endsAt - ctx.now) / 1000;
  const title =
    r.phase === 'ringing'
      ? t('family.ringing', { home: r.home })
      : r.phase === 'sos'
        ? t('family.sosRinging', { home: r.home })
      : r.phase === 'lookin'
        ? t('family.lookingIn', { home: r.home, left: clock(left) })
        : r.phase === 'joined'
          ? t('family.joinedOther')
          : t(r.audioOnly ? 'family.inCallAudio' : 'family.inCall', { home: r.home });
  return { kind: r.kind, phase: r.phase, title, leaveLabel: r.kind === 'lookin' ? t('family.stopLooking') : undefined, preview: r.kind === 'call' };
}

function cardView(s: FamilyState, v: HouseholdView, weak: boolean, ctx: ViewContext): CardView {
  const { t, lang } = ctx;
  const h = v.household;
  const canLook = v.myPermission === 'look-in' || v.myPermission === 'manage';
  const lookDisabled = !(canLook && h.settings.lookInAllowed);
  const fromHomeMissed = s.fromHome.filter((c) => c.householdId === h.id && (c.state === 'missed' || c.callees.some((x) => x.id !== c.answeredBy?.id && x.state === 'missed')));
  const missed = [...fromHomeMissed, ...(s.missed[h.id] ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const schedule = h.settings.privacySchedule;
  const lookHint = !canLook ? t('family.lookInNoPermission') : !h.settings.lookInAllowed ? t('family.lookInNotAllowed') : '';
  const reason = (c: Call) =>
    c.direction === 'from-home'
      ? t(c.purpose === 'sos' ? 'family.r_sosMissed' : 'family.r_homeMissed')
      : t(c.state === 'declined' ? 'family.r_declined' : c.state === 'cancelled' ? 'family.r_cancelled' : 'family.r_missed');
  return {
    id: h.id,
    name: h.name,
    privacy: v.privacy.active ? { cause: v.privacy.cause ?? '', label: t(v.privacy.cause === 'schedule' ? 'family.privacySchedule' : 'family.privacy') } : null,
    address: h.address,
    residents: h.residents.map((r) => r.name).join(t('common.listSeparator')),
    devices: v.devices.length
      ? v.devices.map((d) => ({ online: d.online, name: d.name, state: t(d.online ? 'family.online' : 'family.offline') }))
      : [{ online: false, name: null, state: t('family.noDevice') }],
    call: t('family.call'),
    sos: v.cameras.length > 0 && !v.devices.some((d) => d.online) ? t('family.sos') : null,
    audio: { label: t('family.audio'), sub: t('family.audioSub'), suggest: weak },
    lookIns: [
      { source: null, label: t('family.lookIn'), disabled: lookDisabled },
      ...v.cameras.map((c) => ({ source: c.id, label: t('family.lookInCamera', { name: c.name }), disabled: lookDisabled })),
    ],
    hints: [
      ...(weak ? [t('family.weakNet')] : []),
      ...(lookHint ? [lookHint] : []),
      ...(schedule.length
        ? [t('family.schedule', { w: windowsText(schedule, t) })]
        : []),
    ],
    settings: v.myPermission === 'manage' ? settingsView(s.drafts[h.id] ?? draftOf(v), v, ctx) : null,
    missed: {
      open: missed.length > 0,
      summary: missed.length ? t('family.missed', { n: missed.length }) : t('family.noMissed'),
      items: missed.map((c) => ({ id: c.id, text: `${formatTime(c.createdAt, 'dateTime', lang)} · ${c.callerName}`, reason: reason(c) })),
    },
    alerts: v.alerts.filter((a) => !a.resolvedAt).map((a) => ({ id: a.id, kind: a.kind, text: familyAlertText(a, ctx) })),
    privacyRecord: v.myPermission === 'manage' ? privacyRecordView(v, s.accessLog[h.id] ?? [], ctx) : null,
  };
}

function privacyRecordView(v: HouseholdView, log: AccessLogEntry[], { t, lang }: ViewContext): PrivacyRecordView {
  const when = (iso: string) => formatTime(iso, 'dateTime', lang);
  const lookers = v.family.filter((m) => m.permission !== 'call');
  return {
    summary: t('family.privacyRecord'),
    consentTitle: t('family.consentTitle'),
    consents: lookers.map((m) => {
      const c = v.consents.find((x) => x.memberId === m.id && (x.source === '*' || x.source === 'device'));
      return {
        memberId: m.id,
        granted: !!c,
        text: c ? t('family.consentGranted', { name: m.name, at: when(c.at), by: c.byName }) : t('family.consentNone', { name: m.name }),
        button: t(c ? 'family.consentWithdraw' : 'family.consentGrant'),
      };
    }),
    logTitle: t('family.accessLog'),
    log: log.map((e) => ({
      id: e.id,
      outcome: e.outcome,
      text:
        e.outcome === 'granted'
          ? t('family.logGranted', { who: e.actorName ?? e.actorId, at: when(e.at), how: e.seconds === null ? t('family.logOpen') : t('family.logSeconds', { s: e.seconds }) })
          : t('family.logRefused', { who: e.actorName ?? e.actorId, at: when(e.at), why: e.reason ?? '' }),
    })),
    emptyLog: log.length ? null : t('family.logEmpty'),
  };
}

function settingsView(d: SettingsDraft, v: HouseholdView, { t, lang }: ViewContext): SettingsView {
  const buttonOn = v.household.privacyMode;
  return {
    summary: t('family.settings'),
    autoAnswer: {
      legend: t('family.autoAnswer'),
      options: [
        { mode: 'off', label: t('family.aa_off'), checked: d.mode === 'off' },
        { mode: 'all-family', label: t('family.aa_all'), checked: d.mode === 'all-family' },
        { mode: 'selected', label: t('family.aa_selected'), checked: d.mode === 'selected' },
      ],
      members: v.family.map((m) => ({ id: m.id, label: t('common.aside', { text: m.name, aside: `${kinshipWord(m.relation, lang)} · ${m.city}` }), checked: d.memberIds.includes(m.id) })),
    },
    lookIn: { label: t('family.allowLookIn'), checked: d.lookInAllowed },
    windows: {
      legend: t('family.windows'),
      rows: d.windows.map((w) => ({
        key: w.key,
        days: WEEK.map((day) => ({ day, label: t(`household.weekday.w${day as 0 | 1 | 2 | 3 | 4 | 5 | 6}`), checked: w.days.includes(day) })),
        start: w.start,
        end: w.end,
        remove: t('family.removeWindow'),
      })),
      add: t('family.addWindow'),
    },
    save: t('family.save'),
    privacy: { on: !buttonOn, label: t(buttonOn ? 'family.privacyOff' : 'family.privacyOn') },
  };
}
