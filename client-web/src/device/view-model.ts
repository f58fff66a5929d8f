// What the home device kiosk shows, as a pure function of its state: the clock and notices, the
// ringing screen, the call, the red "camera live" indicator (whenever the camera is sent, or a
// household camera is watched), and the privacy button with what privacy means right now; the
// picture buttons that call the family and the counsellor, the missed calls with a call-back each, the always-visible 求助 button with who
// is being rung, the privacy-mask editor, and the consents in force (who may look in, and when not).
import type { ViewContext } from '../lib/i18n.ts';
import { kinshipWord } from '../lib/kinship.ts';
import { formatTime } from '../lib/time.ts';
import { windowsText, type Call, type ConsentRecord, type DeviceState as ServerDeviceState, type MaskRect, type Notice, type PrivacyState, type PrivacyWindow } from '../household/common.ts';

export type Contact = ServerDeviceState['contacts'][number];

/** A room the device is in, as far as the view cares. */
export interface RoomSummary {
  kind: 'call' | 'lookin';
  who: string;
  /** Its camera is being sent (not paused, not stopped by privacy). */
  sendingCamera: boolean;
}

export interface DeviceState {
  phase: 'running' | 'no-token' | 'revoked';
  householdName: string;
  online: boolean;
  /** A short message shown in place of the connection state for a few seconds. */
  flash: string | null;
  privacy: PrivacyState;
  privacyBusy: boolean;
  notices: Notice[];
  ringing: Call | null;
  answering: boolean;
  /** Household cameras being watched (the server pulls them; the device only says so). */
  cameraLookIns: { id: string; who: string; camera: string }[];
  /** Whom the picture buttons call. */
  contacts: Contact[];
  /** Calls to home nobody picked up, not yet returned (the server's list, newest first). */
  missedIn: Call[];
  /** A call from home (or an SOS) that is ringing its callees; `placing`: the request is on its way. */
  outgoing: Call | null;
  placing: 'call' | 'sos' | null;
  /** The masks in force on this device, and the editor's draft while it is open. */
  masks: MaskRect[];
  maskDraft: MaskRect[] | null;
  /** Consent in force (the server's record), what the household allows, and whether the panel is open. */
  consents: ConsentRecord[];
  lookInRules: { allowed: boolean; schedule: PrivacyWindow[] };
  cameraNames: Record<string, string>;
  consentsOpen: boolean;
}

export interface DeviceView {
  title: string;
  fatal: string | null;
  /** `data-state` of the body: what the kiosk is doing. */
  bodyState: 'ringing' | 'in-call' | 'idle' | 'error';
  household: string;
  net: { state: 'online' | 'offline'; text: string };
  privacyPill: string | null;
  live: string | null;
  clock: { time: string; date: string };
  notices: { title: string; items: { id: string; title: string; body: string; meta: string }[]; empty: string | null };
  incoming: { who: string; answer: string; decline: string; disabled: boolean } | null;
  inCall: boolean;
  contacts: { title: string; items: { id: string; initial: string; name: string; sub: string; role: string }[]; disabled: boolean };
  /** Who called and when; `callBack`: the contact to ring back (null when the caller is no longer one). */
  missed: { title: string; items: { id: string; who: string; when: string; callBack: string | null }[]; callBackLabel: string } | null;
  sos: { label: string; busy: boolean };
  outgoing: {
    sos: boolean;
    title: string;
    /** The ladder: each step with who it rang and how they responded. */
    steps: { step: number; label: string; people: { id: string; name: string; state: string; text: string }[] }[];
    cancel: string;
  } | null;
  masks: { button: string; editor: { title: string; hint: string; rects: MaskRect[]; clear: string; save: string; close: string } | null };
  privacy: { active: boolean; attr: string; text: string; button: string; pressed: boolean; busy: boolean };
  consents: {
    button: string;
    panel: { title: string; items: { id: number; who: string; what: string; since: string }[]; empty: string | null; when: string[]; close: string } | null;
  };
}

export function deviceView(s: DeviceState, rooms: RoomSummary[], ctx: ViewContext): DeviceView {
  const { t, lang, now } = ctx;
  const fatal = s.phase === 'no-token' ? t('device.noToken') : s.phase === 'revoked' ? t('device.revoked') : null;
  const inCall = rooms.some((r) => r.kind === 'call');
  const sending = rooms.filter((r) => r.sendingCamera);
  const lookIn = sending.find((r) => r.kind === 'lookin');
  const camera = s.cameraLookIns[0];
  const live = lookIn
    ? t('device.liveLookIn', { who: lookIn.who })
    : sending.length > 0
      ? t('device.liveCall')
      : camera
        ? t('device.liveIpCamera', { camera: camera.camera, who: camera.who })
        : null;
  const p = s.privacy;
  const ringing = s.ringing;
  const callerName = (c: Call) => (c.callerRole === 'counsellor' ? `${t('device.counsellor')} ${c.callerName}` : c.callerName);
  return {
    title: t('device.title'),
    fatal,
    bodyState: fatal ? 'error' : ringing ? 'ringing' : inCall ? 'in-call' : 'idle',
    household: s.householdName ? `${t('device.title')} · ${s.householdName}` : '',
    net: { state: s.online ? 'online' : 'offline', text: s.flash ?? (s.online ? t('device.online') : t('device.offline')) },
    privacyPill: p.active ? t('device.privacyPill') : null,
    live,
    clock: { time: formatTime(now, 'time', lang), date: formatTime(now, 'longDate', lang) },
    notices: {
      title: t('device.noticesTitle'),
      items: s.notices.slice(0, 6).map((n) => ({ id: n.id, title: n.title, body: n.body, meta: `${t('device.from', { who: n.senderName })} · ${formatTime(n.createdAt, 'dateTime', lang)}` })),
      empty: s.notices.length === 0 ? t('device.noNotices') : null,
    },
    incoming: ringing
      ? {
          who: t('device.incoming', { who: callerName(ringing) }),
          answer: s.answering ? t('device.answering') : t('device.answer'),
          decline: t('device.decline'),
          disabled: s.answering,
        }
      : null,
    inCall,
    contacts: {
      title: t('device.callWho'),
      items: s.contacts.map((c) => ({
        id: c.id,
        initial: [...c.name].slice(-1)[0] ?? '?',
        name: c.role === 'counsellor' ? `${t('device.counsellor')} ${c.name}` : c.name,
        sub: c.role === 'counsellor' ? c.city : [kinshipWord(c.relation, lang), c.city].filter(Boolean).join(' · '),
        role: c.role,
      })),
      disabled: s.placing !== null || s.outgoing !== null || inCall || !!ringing,
    },
    missed: s.missedIn.length
      ? {
          title: t('device.missedTitle'),
          items: s.missedIn.map((c) => ({
            id: c.id,
            who: callerName(c),
            when: t('device.missedWhen', { at: formatTime(c.createdAt, 'dateTime', lang) }),
            callBack: s.contacts.some((x) => x.id === c.callerId) ? c.callerId : null,
          })),
          callBackLabel: t('device.callBack'),
        }
      : null,
    sos: { label: s.placing === 'sos' ? t('device.sosSending') : t('device.sos'), busy: s.placing === 'sos' },
    outgoing: s.outgoing ? outgoingView(s.outgoing, ctx) : null,
    masks: {
      button: t('device.masks', { n: s.masks.length }),
      editor: s.maskDraft
        ? { title: t('device.masksTitle'), hint: t('device.masksHint'), rects: s.maskDraft, clear: t('device.masksClear'), save: t('device.masksSave'), close: t('device.masksClose') }
        : null,
    },
    privacy: {
      active: p.active,
      attr: p.active ? (p.cause ?? 'on') : 'off',
      text: p.cause === 'button' ? t('device.privacyButton') : p.cause === 'schedule' ? t('device.privacySchedule') : t('device.privacyOff'),
      button: p.cause === 'button' ? t('device.privacyOffBtn') : t('device.privacyOnBtn'),
      pressed: p.cause === 'button',
      busy: s.privacyBusy,
    },
    consents: {
      button: t('device.consents', { n: s.consents.length }),
      panel: s.consentsOpen ? consentsView(s, ctx) : null,
    },
  };
}

/** Who the household agreed may look in, on which camera, since when; and when nobody may. */
function consentsView(s: DeviceState, { t, lang }: ViewContext): NonNullable<DeviceView['consents']['panel']> {
  const what = (source: string) =>
    source === 'device' ? t('device.consentDevice') : source === '*' ? t('device.consentAll') : (s.cameraNames[source] ?? t('device.ipCamera'));
  const { allowed, schedule } = s.lookInRules;
  return {
    title: t('device.consentsTitle'),
    items: s.consents.map((c) => ({ id: c.id, who: c.memberName, what: what(c.source), since: t('device.consentSince', { at: formatTime(c.at, 'dateTime', lang), by: c.byName }) })),
    empty: s.consents.length === 0 ? t('device.consentsNone') : null,
    when: [
      allowed ? t('device.lookInAllowed') : t('device.lookInOff'),
      ...(allowed && schedule.length ? [t('device.lookInClosed', { w: windowsText(schedule, t) })] : []),
      t('device.lookInPrivacy'),
    ],
    close: t('device.masksClose'),
  };
}

const STEP_LABELS = ['device.stepFamily', 'device.stepCounsellor', 'device.stepVillage'] as const;

function outgoingView(call: Call, { t }: ViewContext): NonNullable<DeviceView['outgoing']> {
  const sos = call.purpose === 'sos';
  const steps = new Map<number, NonNullable<DeviceView['outgoing']>['steps'][number]>();
  for (const c of call.callees) {
    const step = steps.get(c.step) ?? { step: c.step, label: t(STEP_LABELS[Math.min(c.step, 2)]!), people: [] };
    step.people.push({ id: c.id, name: c.name, state: c.state, text: t(`device.callee_${c.state}`) });
    steps.set(c.step, step);
  }
  const first = call.callees[0];
  return {
    sos,
    title: sos ? t('device.sosTitle') : t('device.calling', { who: first?.name ?? '' }),
    steps: [...steps.values()].sort((a, b) => a.step - b.step),
    cancel: t('device.cancelCall'),
  };
}
