// What the terminal kiosk shows, as a pure function of its state: the header, one screen (start,
// waiting, call, rating, receipt or a fatal notice) and the sentence the terminal speaks there.
import type { CallStatus } from '../lib/call-state.ts';
import type { ViewContext } from '../lib/i18n.ts';
import { formatTime, waitDuration } from '../lib/time.ts';
import { categoryName } from '../petition-ui/common.ts';
import type { AppointmentOffer, CallbackRinging, Case, CaseDocumentWithHtml, CaseLookup, CategoryRule, Rating, ReceptionDayWithBookings, WaitInfo } from '../petition-ui/common.ts';
import { EMPTY_ENTRY, RATINGS, daysView, foundView, keypadView, ringingView, type DaysView, type FoundView, type KeypadEntry, type KeypadView, type RingingView } from './life-view-model.ts';

export type Screen = 'booting' | 'start' | 'waiting' | 'call' | 'rating' | 'receipt' | 'lookup' | 'found' | 'days' | 'ringing' | 'error';
export type Flag = 'elderly' | 'disabled' | 'urgent';

/**
 * Walk-away safety (docs/field.md): how long the waiting screen goes untouched before it asks
 * 还在吗?, how long that question waits for a tap, how long a receipt stays before the start
 * screen. From the routing rules' `waiting` (the coordinator's), else these defaults.
 */
export interface KioskPolicy {
  stillThereAfterSeconds: number;
  stillThereAnswerSeconds: number;
  receiptSeconds: number;
}

export const DEFAULT_KIOSK_POLICY: KioskPolicy = { stillThereAfterSeconds: 300, stillThereAnswerSeconds: 60, receiptSeconds: 180 };

/** A question over the screen: 不等了's confirmation, or 还在吗? with the moment it gives up. */
export type TerminalDialog = { kind: 'withdraw' } | { kind: 'still-there'; until: number };

export interface HelperDetails {
  petitionerName: string;
  phone: string;
  description: string;
  elderly: boolean;
  disabled: boolean;
  urgent: boolean;
}

export const NO_DETAILS: HelperDetails = { petitionerName: '', phone: '', description: '', elderly: false, disabled: false, urgent: false };

export interface TerminalState {
  /** The terminal's place name (from its token). */
  place: string;
  screen: Screen;
  fatal: string | null;
  categories: CategoryRule[];
  details: HelperDetails;
  /** The category just tapped, while the case is being started. */
  starting: string | null;
  current: Case | null;
  departmentNames: string[];
  wait: WaitInfo | null;
  /** When `wait` was read, for the "waited" counter. */
  waitReadAt: number;
  audioOnly: boolean;
  /** The rating is asked under the running call (the opinion came while in the call). */
  ratingOverCall: boolean;
  /** A rating is being sent. */
  rating: boolean;
  offline: boolean;
  voiceOn: boolean;
  /** The receipt's query code, shown once with the case number (the server keeps only its hash). */
  queryCode: string | null;
  /** The keypad's case number + query code, and what the lookup found with them. */
  entry: KeypadEntry;
  found: CaseLookup | null;
  /** A document of the found case, open to read and print. */
  document: CaseDocumentWithHtml | null;
  /** The leader reception days of the start screen, and the slot chosen there. */
  days: ReceptionDayWithBookings[];
  chosenSlot: { dayId: string; slot: number } | null;
  /** A video call-back ringing at this terminal point. */
  ringing: CallbackRinging | null;
  /** The running call's state (`lib/call-state.ts`), while there is one. */
  call: CallStatus | null;
  dialog: TerminalDialog | null;
  policy: KioskPolicy;
}

export { RATINGS };

/** The terminal before it has booted: nothing on screen, nobody's case. */
export function initialTerminalState(voiceOn: boolean): TerminalState {
  return {
    place: '',
    screen: 'booting',
    fatal: null,
    categories: [],
    details: NO_DETAILS,
    starting: null,
    current: null,
    departmentNames: [],
    wait: null,
    waitReadAt: 0,
    audioOnly: false,
    ratingOverCall: false,
    rating: false,
    offline: false,
    voiceOn,
    queryCode: null,
    entry: EMPTY_ENTRY,
    found: null,
    document: null,
    days: [],
    chosenSlot: null,
    ringing: null,
    call: null,
    dialog: null,
    policy: DEFAULT_KIOSK_POLICY,
  };
}

/** Case states in which the petitioner belongs in the room. */
export const IN_ROOM: Case['state'][] = ['in_session', 'joint_session', 'transferred', 'escalated'];


export interface StartView {
  kind: 'start';
  prompt: string;
  sub: string;
  /** The start screen's other two doors: look a case up, the leader reception days. */
  lookup: string;
  days: string;
  categoriesLabel: string;
  categories: { code: string; name: string; icon: string; busy: boolean; disabled: boolean }[];
  helper: {
    open: boolean;
    summary: string;
    fields: { name: 'petitionerName' | 'phone' | 'description'; label: string; value: string }[];
    flagsLabel: string;
    flags: { flag: Flag; icon: string; label: string; pressed: boolean }[];
    hint: string;
  };
}

export interface WaitingView {
  kind: 'waiting';
  caseNumberLabel: string;
  caseId: string;
  contacting: string;
  position: string;
  positionAttr: string;
  estimate: string;
  waited: string;
  offer: {
    title: string;
    appointments: { dayId: string; slot: number; label: string; detail: string }[];
    callback: { kind: 'button'; label: string; phone: string } | { kind: 'hint'; text: string } | null;
    hint: string;
  } | null;
  audioOnly: { label: string; icon: string; pressed: boolean };
  giveUp: string;
  sub: string;
}

export interface DialogView {
  kind: TerminalDialog['kind'];
  title: string;
  text: string;
  buttons: { act: 'keep-waiting' | 'withdraw'; label: string; danger: boolean }[];
}

export interface RatingBlock {
  question: string;
  sub: string;
  buttons: { rating: Rating; icon: string; label: string; disabled: boolean }[];
}

export interface CallView {
  kind: 'call';
  banner: string;
  caseChip: string;
  audioSwitch: { label: string; icon: string; pressed: boolean };
  rating: RatingBlock | null;
}

export interface RatingView {
  kind: 'rating';
  opinion: { title: string; text: string } | null;
  rating: RatingBlock;
  skip: string;
}

export interface ReceiptView {
  kind: 'receipt';
  title: string;
  label: string;
  caseId: string;
  state: string;
  lines: string[];
  /** The query code, with the case number: looks the case up at any terminal. */
  code: { label: string; value: string } | null;
  backToCall: string | null;
  toRating: string | null;
  done: string;
  print: string;
  /** The 80 mm printed slip: only in the print stylesheet; `lookup` is the case whose phone status page (case.html) the QR code opens. */
  slip: { title: string; rows: { term: string; value: string }[]; lines: string[]; followUp: string; scan: string; lookup: string };
}

export interface FatalView {
  kind: 'error';
  message: string;
  sub: string;
}

export interface TerminalView {
  title: string;
  header: {
    brand: string;
    place: string;
    clock: string;
    netLost: string | null;
    voice: { label: string; title: string; pressed: boolean };
  };
  screen: Screen;
  body: StartView | WaitingView | CallView | RatingView | ReceiptView | KeypadView | FoundView | DaysView | RingingView | FatalView | null;
  /** A found case's document, over the screen. */
  document: { title: string; html: string; print: string; close: string } | null;
  dialog: DialogView | null;
  /** What the terminal says on this screen (spoken once each time it changes). */
  speech: string | null;
}

export function terminalView(s: TerminalState, ctx: ViewContext): TerminalView {
  const { t } = ctx;
  const body =
    s.screen === 'error'
      ? ({ kind: 'error', message: s.fatal ?? '', sub: t('terminal.fatalSub') } satisfies FatalView)
      : s.screen === 'start'
        ? startView(s, ctx)
        : s.screen === 'waiting' && s.current
          ? waitingView(s, s.current, ctx)
          : s.screen === 'call' && s.current
            ? callView(s, s.current, ctx)
            : s.screen === 'rating'
              ? ratingView(s, ctx)
              : s.screen === 'receipt' && s.current
                ? receiptView(s.current, s.queryCode, s.departmentNames, s.days, ctx)
                : s.screen === 'lookup'
                  ? keypadView(s.entry, s.rating, ctx)
                  : s.screen === 'found' && s.found
                    ? foundView(s.found, s.rating, ctx)
                    : s.screen === 'days'
                      ? daysView(s.days, s.chosenSlot, s.categories, ctx)
                      : s.screen === 'ringing' && s.ringing
                        ? ringingView(s.ringing, ctx)
                        : null;
  return {
    title: t('terminal.title'),
    header: {
      brand: t('terminal.brand'),
      place: s.place,
      clock: formatTime(ctx.now, 'time', ctx.lang),
      netLost: s.offline ? t('terminal.netLost') : null,
      voice: { label: t(s.voiceOn ? 'terminal.voiceOn' : 'terminal.voiceOff'), title: t('terminal.voiceTitle'), pressed: s.voiceOn },
    },
    screen: s.screen,
    body,
    document: s.document && s.screen === 'found' ? { title: s.document.title, html: s.document.html, print: t('terminal.print'), close: t('terminal.closeDocument') } : null,
    dialog: s.screen === 'waiting' && s.current ? dialogView(s.dialog, s.current, ctx) : null,
    speech: speech(s, body, ctx),
  };
}

function startView(s: TerminalState, ctx: ViewContext): StartView {
  const { t } = ctx;
  const d = s.details;
  return {
    kind: 'start',
    prompt: t('terminal.prompt'),
    sub: t('terminal.startSub'),
    lookup: t('terminal.lookupButton'),
    days: t('terminal.daysButton'),
    categoriesLabel: t('terminal.categories'),
    categories: s.categories.map((c) => ({ code: c.code, name: categoryName(c, ctx), icon: c.icon, busy: s.starting === c.code, disabled: s.starting !== null })),
    helper: {
      open: !!(d.petitionerName || d.phone || d.description),
      summary: t('terminal.helperSummary'),
      fields: [
        { name: 'petitionerName', label: t('terminal.petitionerName'), value: d.petitionerName },
        { name: 'phone', label: t('terminal.phone'), value: d.phone },
        { name: 'description', label: t('terminal.description'), value: d.description },
      ],
      flagsLabel: t('terminal.priority'),
      flags: [
        { flag: 'elderly', icon: 'elderly', label: t('terminal.flagElderly'), pressed: d.elderly },
        { flag: 'disabled', icon: 'wheelchair', label: t('terminal.flagDisabled'), pressed: d.disabled },
        { flag: 'urgent', icon: 'alert', label: t('terminal.flagUrgent'), pressed: d.urgent },
      ],
      hint: t('terminal.helperHint'),
    },
  };
}

/** The place in the queue in plain words, and what the wait looks like. */
export function waitWords(w: WaitInfo | null, { t }: ViewContext): { big: string; small: string } {
  if (!w || w.position === null) return { big: t('terminal.pleaseWait'), small: '' };
  // Being offered to an official now, or an official of the office is free for this place.
  if (w.position === 0 || w.position <= w.freeOfficials) return { big: t('terminal.connectingNow'), small: t('terminal.connectingNowSub') };
  const ahead = w.position - 1;
  const big = ahead === 0 ? t('terminal.nextIsYou') : t('terminal.ahead', { n: ahead });
  if (w.estimatedWaitSeconds === null) return { big, small: w.availableOfficials === 0 ? t('terminal.nobodyOnline') : t('terminal.estimating') };
  // The server's estimate assumes every official present has just begun a session: an upper bound.
  return { big, small: w.estimatedWaitSeconds === 0 ? t('terminal.soon') : t('terminal.estimate', { time: waitDuration(w.estimatedWaitSeconds, t) }) };
}

function waitingView(s: TerminalState, c: Case, ctx: ViewContext): WaitingView {
  const { t } = ctx;
  const w = s.wait;
  const words = waitWords(w, ctx);
  const waitedSeconds = w ? w.waitedSeconds + Math.floor((ctx.now - s.waitReadAt) / 1000) : 0;
  return {
    kind: 'waiting',
    caseNumberLabel: t('terminal.caseNumber'),
    caseId: c.id,
    contacting: t('terminal.contacting', { offices: s.departmentNames.join(t('common.listSeparator')) || t('terminal.officesConcerned') }),
    position: words.big,
    positionAttr: w?.position === null || w?.position === undefined ? '' : String(w.position),
    estimate: words.small,
    waited: `${t('terminal.waited', { time: waitDuration(waitedSeconds, t, 'elapsed') })} · ${t('terminal.officialsOnline', { n: w?.availableOfficials ?? 0 })}`,
    offer: w?.offer ? offerView(w.offer.appointments, w.offer.callback, c, ctx) : null,
    audioOnly: { label: t(s.audioOnly ? 'terminal.audioOnlyChosen' : 'terminal.audioOnlyOffer'), icon: 'audio', pressed: s.audioOnly },
    giveUp: t('terminal.giveUp'),
    sub: t('terminal.waitingSub'),
  };
}

/** 不等了's confirmation, or 还在吗? counting down to what happens then (a call-back if a phone number is on the case). */
function dialogView(d: TerminalDialog | null, c: Case, { t, now }: ViewContext): DialogView | null {
  if (!d) return null;
  const keep = { act: 'keep-waiting' as const, label: t(d.kind === 'withdraw' ? 'terminal.keepWaitingButton' : 'terminal.stillThereYes'), danger: false };
  if (d.kind === 'withdraw') return { kind: d.kind, title: t('terminal.giveUpTitle'), text: t('terminal.giveUpText'), buttons: [keep, { act: 'withdraw', label: t('terminal.giveUpYes'), danger: true }] };
  const n = Math.max(0, Math.ceil((d.until - now) / 1000));
  return { kind: d.kind, title: t('terminal.stillThereTitle'), text: c.phone ? t('terminal.stillThereCallback', { n, phone: c.phone }) : t('terminal.stillThereWithdraw', { n }), buttons: [keep] };
}

/** A case closed because its petitioner stopped waiting (by 不等了, or nobody answered 还在吗?). */
export function isWithdrawn(c: Case): boolean {
  return c.state === 'archived' && !c.opinion && !c.rating;
}

function offerView(appointments: AppointmentOffer[], callback: boolean, c: Case, ctx: ViewContext): WaitingView['offer'] {
  const { t } = ctx;
  return {
    title: t('terminal.offerTitle'),
    appointments: appointments.map((a) => ({
      dayId: a.dayId,
      slot: a.slot,
      label: t('terminal.book', { when: formatTime(a.slotStartsAt, 'friendlyWithTime', ctx.lang, ctx.now) }),
      detail: t('terminal.bookDetail', { post: a.post, leader: a.leaderName, place: a.place }),
    })),
    callback: !callback ? null : c.phone ? { kind: 'button', label: t('terminal.callbackButton'), phone: c.phone } : { kind: 'hint', text: t('terminal.callbackNeedsPhone') },
    hint: t('terminal.keepWaiting'),
  };
}

function ratingBlock(s: TerminalState, { t }: ViewContext): RatingBlock {
  return {
    question: t('terminal.ratingQuestion'),
    sub: t('terminal.ratingSub'),
    buttons: RATINGS.map((r) => ({ rating: r.rating, icon: r.icon, label: t(`petition.rating.${r.rating}`), disabled: s.rating })),
  };
}

/**
 * What the call screen's banner (and the spoken prompt) says: the call's own trouble first — a
 * petitioner told to talk to the screen while nobody can hear them would talk into nothing.
 */
export function bannerText(c: Case, call: CallStatus | null, { t }: ViewContext): string {
  if (call?.phase === 'connecting' || call?.phase === 'reconnecting') return t(`call.${call.phase}`);
  const mic = call?.degraded.find((d) => d.kind === 'local' && d.source === 'microphone');
  if (mic?.kind === 'local') return t(`call.local.microphone_${mic.status}`);
  if (c.state === 'transferred' || c.state === 'escalated') return t('terminal.bannerMoving');
  return c.state === 'joint_session' ? t('terminal.bannerJoint') : t('terminal.bannerConnected');
}

function callView(s: TerminalState, c: Case, ctx: ViewContext): CallView {
  const { t } = ctx;
  return {
    kind: 'call',
    banner: bannerText(c, s.call, ctx),
    caseChip: t('terminal.caseChip', { id: c.id }),
    audioSwitch: s.audioOnly ? { label: t('terminal.videoAgain'), icon: 'video', pressed: true } : { label: t('terminal.voiceOnly'), icon: 'audio', pressed: false },
    rating: s.ratingOverCall ? ratingBlock(s, ctx) : null,
  };
}

function ratingView(s: TerminalState, ctx: ViewContext): RatingView {
  const { t } = ctx;
  return {
    kind: 'rating',
    opinion: s.current?.opinion ? { title: t('terminal.opinionTitle'), text: s.current.opinion } : null,
    rating: ratingBlock(s, ctx),
    skip: t('terminal.skipRating'),
  };
}

function receiptView(c: Case, queryCode: string | null, departmentNames: string[], days: ReceptionDayWithBookings[], ctx: ViewContext): ReceiptView {
  const { t, lang, now } = ctx;
  const appt = c.appointment;
  // The booked day as the start screen listed it: the slip names the leader and the place too.
  const day = appt?.kind === 'reception_day' ? days.find((d) => d.id === appt.dayId) : undefined;
  const lines: string[] = [];
  if (appt?.kind === 'reception_day') lines.push(t('terminal.lineBooked', { when: formatTime(appt.at, 'friendlyWithTime', lang, now) }));
  if (appt?.kind === 'callback') lines.push(t('terminal.lineCallback', { phone: c.phone ?? '' }));
  if (c.opinion) lines.push(t('terminal.lineOpinion', { opinion: c.opinion }));
  if (c.rating) lines.push(t('terminal.lineRating', { rating: t(`petition.rating.${c.rating}`) }));
  if (isWithdrawn(c)) lines.push(t('terminal.lineWithdrawn'));
  else if (c.acceptedAt) lines.push(t('terminal.lineAccepted', { date: formatTime(c.handleDeadline, 'friendly', lang, now) }));
  else if (!c.opinion) lines.push(t('terminal.lineAcceptBy', { date: formatTime(c.acceptDeadline, 'friendly', lang, now) }));
  return {
    kind: 'receipt',
    title: c.rating
      ? t('terminal.receiptRated')
      : isWithdrawn(c)
        ? t('terminal.receiptWithdrawn')
      : appt?.kind === 'reception_day'
        ? t('terminal.receiptBooked')
        : appt?.kind === 'callback'
          ? t('terminal.receiptCallback')
          : t('terminal.receiptRegistered'),
    label: t('terminal.receiptLabel'),
    caseId: c.id,
    state: t('terminal.receiptState', { state: t(`petition.state.${c.state}`) }),
    lines,
    code: queryCode ? { label: t('terminal.receiptCode'), value: queryCode } : null,
    backToCall: IN_ROOM.includes(c.state) ? t('terminal.backToCall') : null,
    toRating: c.state === 'handled' ? t('terminal.toRating') : null,
    done: t('terminal.done'),
    print: t('terminal.printReceipt'),
    slip: {
      title: t('terminal.slipTitle'),
      rows: [
        { term: t('terminal.slipCase'), value: c.id },
        ...(queryCode ? [{ term: t('terminal.receiptCode'), value: queryCode }] : []),
        { term: t('terminal.slipTime'), value: formatTime(c.registeredAt, 'dateTimeYear', lang) },
        ...(departmentNames.length ? [{ term: t('terminal.slipOffice'), value: departmentNames.join(t('common.listSeparator')) }] : []),
        ...(appt?.kind === 'reception_day' ? [{ term: t('terminal.slipSlot'), value: formatTime(appt.at, 'friendlyWithTime', lang, now) }] : []),
        ...(day
          ? [
              { term: t('terminal.slipLeader'), value: `${day.post} ${day.leaderName}` },
              { term: t('terminal.slipPlace'), value: day.place },
            ]
          : []),
      ],
      lines: [t('terminal.receiptState', { state: t(`petition.state.${c.state}`) }), ...lines],
      followUp: t('terminal.slipFollowUp'),
      scan: t('terminal.slipScan'),
      lookup: c.id,
    },
  };
}

/** A case number read out in groups, e.g. "X F，2026，1126，000042". */
export function spokenCaseNumber(id: string, lang: ViewContext['lang']): string {
  const comma = lang === 'en' ? ',' : '，';
  return id.replace(/^XF(\d{4})(\d{4})-(\d+)$/, `X F${comma}$1${comma}$2${comma}$3`).split('').join(' ');
}

function speech(s: TerminalState, body: TerminalView['body'], ctx: ViewContext): string | null {
  const { t } = ctx;
  switch (body?.kind) {
    case 'start':
      return t('terminal.prompt');
    case 'waiting': {
      const d = s.screen === 'waiting' && s.current ? dialogView(s.dialog, s.current, ctx) : null;
      if (d) return `${d.title}${d.kind === 'still-there' ? t('terminal.stillThereSpeech') : ''}`;
      const w = waitWords(s.wait, ctx);
      return `${w.big}${ctx.lang === 'en' ? '. ' : '。'}${w.small}${body.offer ? t('terminal.offerSpeech') : ''}`;
    }
    case 'call':
      return body.rating ? t('terminal.ratingSpeech') : body.banner;
    case 'rating':
      return t('terminal.ratingSpeech');
    case 'receipt':
      return t('terminal.receiptSpeech', {
        title: body.title,
        number: spokenCaseNumber(body.caseId, ctx.lang),
      }) + (body.code ? t('terminal.receiptCodeSpeech', { code: body.code.value.split('').join(' ') }) : '');
    case 'lookup':
      return body.title;
    case 'found':
      return `${body.rows.map((r) => `${r.term}${ctx.lang === 'en' ? ': ' : '：'}${r.value}`).join(ctx.lang === 'en' ? '. ' : '。')}`;
    case 'days':
      return body.title;
    case 'ringing':
      return `${body.title}${ctx.lang === 'en' ? '. ' : '。'}${body.who}`;
    default:
      return null;
  }
}
