// The terminal's screens of the case life after the call, as pure functions of the state: the
// numeric keypad for a case number + query code, what the lookup found (status, next step, the
// deadline, the written answer, rate the result / ask for 复查 / ask for a call-back), the leader
// reception days of the start screen, and a ringing video call-back with the case on screen.
import type { ViewContext } from '../lib/i18n.ts';
import { formatTime } from '../lib/time.ts';
import { categoryName, lastDayOf } from '../petition-ui/common.ts';
import type { CallbackRinging, CaseLookup, CategoryRule, Rating, ReceptionDayWithBookings } from '../petition-ui/common.ts';

/** The rating buttons, best first, with their faces. */
export const RATINGS: { rating: Rating; icon: string }[] = [
  { rating: 'satisfied', icon: 'happy' },
  { rating: 'basically_satisfied', icon: 'neutral' },
  { rating: 'unsatisfied', icon: 'sad' },
];

/** What the petitioner has keyed in: the case number's 14 digits (XF yyyymmdd-nnnnnn) and the 6-digit code. */
export interface KeypadEntry {
  caseDigits: string;
  code: string;
  field: 'case' | 'code';
}

export const EMPTY_ENTRY: KeypadEntry = { caseDigits: '', code: '', field: 'case' };
export const CASE_DIGITS = 14;
export const CODE_DIGITS = 6;

/** One key press on the keypad: a digit fills the current field (moving on when it is full), ⌫ takes one back. */
export function pressKey(e: KeypadEntry, key: string): KeypadEntry {
  if (key === 'clear') return EMPTY_ENTRY;
  if (key === 'back') {
    if (e.field === 'code' && e.code === '') return { ...e, field: 'case', caseDigits: e.caseDigits.slice(0, -1) };
    return e.field === 'code' ? { ...e, code: e.code.slice(0, -1) } : { ...e, caseDigits: e.caseDigits.slice(0, -1) };
  }
  if (!/^\d$/.test(key)) return e;
  if (e.field === 'case') {
    const caseDigits = (e.caseDigits + key).slice(0, CASE_DIGITS);
    return { ...e, caseDigits, field: caseDigits.length === CASE_DIGITS ? 'code' : 'case' };
  }
  return { ...e, code: (e.code + key).slice(0, CODE_DIGITS) };
}

/** The case number keyed in, once complete: XF20261126-000042. */
export function caseIdOf(e: KeypadEntry): string | null {
  return e.caseDigits.length === CASE_DIGITS ? `XF${e.caseDigits.slice(0, 8)}-${e.caseDigits.slice(8)}` : null;
}

/** The case number as keyed so far, with blanks for what is missing. */
export function caseNumberShown(digits: string): string {
  const d = digits.padEnd(CASE_DIGITS, '_');
  return `XF ${d.slice(0, 8)}-${d.slice(8)}`;
}

export interface KeypadView {
  kind: 'lookup';
  title: string;
  sub: string;
  caseLabel: string;
  caseShown: string;
  codeLabel: string;
  codeShown: string;
  field: KeypadEntry['field'];
  keys: { key: string; label: string }[];
  submit: { label: string; disabled: boolean };
  back: string;
}

export function keypadView(e: KeypadEntry, busy: boolean, { t }: ViewContext): KeypadView {
  return {
    kind: 'lookup',
    title: t('terminal.lookupTitle'),
    sub: t('terminal.lookupSub'),
    caseLabel: t('terminal.lookupCase'),
    caseShown: caseNumberShown(e.caseDigits),
    codeLabel: t('terminal.lookupCode'),
    codeShown: e.code.padEnd(CODE_DIGITS, '_').split('').join(' '),
    field: e.field,
    keys: [...'123456789'].map((k) => ({ key: k, label: k })).concat([
      { key: 'clear', label: t('terminal.keyClear') },
      { key: '0', label: '0' },
      { key: 'back', label: t('terminal.keyBack') },
    ]),
    submit: { label: t('terminal.lookupSubmit'), disabled: busy || !caseIdOf(e) || e.code.length !== CODE_DIGITS },
    back: t('terminal.backToStart'),
  };
}

export interface FoundView {
  kind: 'found';
  caseId: string;
  category: string;
  rows: { term: string; value: string; key: string }[];
  answer: { title: string; text: string; date: string } | null;
  documents: { id: string; label: string }[];
  rating: { question: string; buttons: { rating: Rating; icon: string; label: string; disabled: boolean }[] } | null;
  rated: string | null;
  review: { label: string; hint: string } | null;
  callback: { label: string } | null;
  callbackState: string | null;
  back: string;
}

export function foundView(l: CaseLookup, busy: boolean, { t, lang, now }: ViewContext): FoundView {
  const rows: FoundView['rows'] = [
    { key: 'stage', term: t('terminal.foundStage'), value: t(`petition.stage.${l.stage}`) },
    { key: 'next', term: t('terminal.foundNext'), value: t(`petition.next.${l.next}`) },
  ];
  if (l.acceptance) rows.push({ key: 'acceptance', term: t('terminal.foundAcceptance'), value: t(`petition.acceptance.${l.acceptance}`) + (l.acceptanceBody ? ` · ${l.acceptanceBody}` : '') });
  if (l.office) rows.push({ key: 'office', term: t('terminal.foundOffice'), value: l.office });
  if (l.deadline?.dueAt) rows.push({ key: 'deadline', term: t(`petition.clock.${l.deadline.kind}`), value: t('terminal.foundDue', { date: formatTime(lastDayOf(l.deadline.dueAt), 'friendly', lang, now) }) });
  if (l.window?.dueAt) rows.push({ key: 'window', term: t(`petition.clock.${l.window.kind}`), value: t('terminal.foundWindow', { date: formatTime(lastDayOf(l.window.dueAt), 'friendly', lang, now) }) });
  const round = l.answer?.round === 'reply' ? 'reply' : l.answer?.round === 'review' ? 're_review' : null;
  return {
    kind: 'found',
    caseId: l.caseId,
    category: categoryName({ code: l.categoryCode, name: l.category }, { t, lang }),
    rows,
    answer: l.answer ? { title: t(`petition.round.${l.answer.round}`), text: l.answer.text, date: formatTime(l.answer.issuedAt, 'friendly', lang, now) } : null,
    documents: l.documents.map((d) => ({ id: d.id, label: t(`petition.document.${d.kind}`) })),
    rating: l.canRate
      ? { question: t('terminal.rateResult'), buttons: RATINGS.map((r) => ({ rating: r.rating, icon: r.icon, label: t(`petition.rating.${r.rating}`), disabled: busy })) }
      : null,
    rated: l.resultRating ? t('terminal.resultRated', { rating: t(`petition.rating.${l.resultRating}`) }) : null,
    review: l.canRequestReview ? { label: t(round === 're_review' ? 'terminal.askReReview' : 'terminal.askReview'), hint: t('terminal.reviewHint') } : null,
    callback: l.canRequestCallback ? { label: t('terminal.askCallback') } : null,
    callbackState: l.callback ? t(`terminal.callbackState.${l.callback.state}`, { date: formatTime(l.callback.dueAt, 'friendlyWithTime', lang, now) }) : null,
    back: t('terminal.backToStart'),
  };
}

/** A reception day is offered at terminals of its region and below (341300 covers 341321…). */
export function regionCovers(dayRegion: string, terminalRegion: string): boolean {
  return terminalRegion.startsWith(dayRegion.replace(/(00)+$/, ''));
}

export interface DaysView {
  kind: 'days';
  title: string;
  empty: string | null;
  days: {
    id: string;
    head: string;
    detail: string;
    slots: { slot: number; label: string; free: boolean; chosen: boolean }[];
  }[];
  /** After a slot is chosen: the slot in words, and what the matter is about, one tap. */
  categories: { title: string; chosen: string; items: { code: string; name: string; icon: string }[] } | null;
  back: string;
}

export function daysView(days: ReceptionDayWithBookings[], chosen: { dayId: string; slot: number } | null, categories: CategoryRule[], { t, lang, now }: ViewContext): DaysView {
  const chosenDay = chosen ? days.find((d) => d.id === chosen.dayId) : undefined;
  return {
    kind: 'days',
    title: t('terminal.daysTitle'),
    empty: days.length === 0 ? t('terminal.daysEmpty') : null,
    days: days.map((d) => ({
      id: d.id,
      head: t('terminal.dayHead', { post: d.post, leader: d.leaderName, portfolio: d.portfolio }),
      detail: t('terminal.dayDetail', { when: formatTime(d.startsAt, 'friendly', lang, now), place: d.place }),
      slots: Array.from({ length: d.slots }, (_, i) => {
        const at = Date.parse(d.startsAt) + i * d.slotMinutes * 60_000;
        return { slot: i, label: formatTime(at, 'time', lang, now), free: at > now && (d.booked[i] ?? 0) < d.capacityPerSlot, chosen: chosen?.dayId === d.id && chosen.slot === i };
      }),
    })),
    categories: chosenDay && chosen
      ? {
          title: t('terminal.dayCategory'),
          chosen: `${t('terminal.dayHead', { post: chosenDay.post, leader: chosenDay.leaderName, portfolio: chosenDay.portfolio })} · ${formatTime(Date.parse(chosenDay.startsAt) + chosen.slot * chosenDay.slotMinutes * 60_000, 'friendlyWithTime', lang, now)}`,
          items: categories.map((c) => ({ code: c.code, name: categoryName(c, { t, lang }), icon: c.icon })),
        }
      : null,
    back: t('terminal.backToStart'),
  };
}

export interface RingingView {
  kind: 'ringing';
  title: string;
  who: string;
  caseLine: string;
  answer: string;
}

export function ringingView(r: CallbackRinging, { t, lang }: ViewContext): RingingView {
  return {
    kind: 'ringing',
    title: t('terminal.ringingTitle'),
    who: t('terminal.ringingWho', { office: r.office, official: r.officialName }),
    caseLine: t('terminal.ringingCase', { id: r.caseId, category: categoryName({ code: r.categoryCode, name: r.category }, { t, lang }) }),
    answer: t('terminal.ringingAnswer'),
  };
}
