// What the home device kiosk shows, as a pure function of its state: the clock and notices, the
// ringing screen, the call, the red "camera live" indicator (whenever the camera is sent, or a
// household camera is watched), and the privacy button with what privacy means right now; the
// picture buttons that call the family and the counsellor, the always-visible 求助 button with who
// is being rung, and the privacy-mask editor.
import type { ViewContext } from '../lib/i18n.ts';
import { formatTime } from '../lib/time.ts';
import type { Call, DeviceState as ServerDeviceState, MaskRect, Notice, PrivacyState } from '../household/common.ts';

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
  /** A call from home (or an SOS) that is ringing its callees; `placing`: the request is on its way. */
  outgoing: Call | null;
  placing: 'call' | 'sos' | null;
  /** The masks in force on this device, and the editor's draft while it is open. */
  masks: MaskRect[];
  maskDraft: MaskRect[] | null;
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
          who: t('device.incoming', { who: ringing.callerRole === 'counsellor' ? `${t('device.counsellor')} ${ringing.callerName}` : ringing.callerName }),
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
        sub: c.role === 'counsellor' ? c.city : [c.relation, c.city].filter(Boolean).join(' · '),
        role: c.role,
      })),
      disabled: s.placing !== null || s.outgoing !== null || inCall || !!ringing,
    },
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
