// The phone page a receipt's QR code opens (case.html?case=<case number>): the petitioner types
// the query code from the receipt and reads where the case is, its deadlines and the written
// answer. Pure functions of the state; the page is public, so it shows nothing the server did
// not answer for this number and code.
import type { ViewContext } from '../lib/i18n.ts';
import { formatTime } from '../lib/time.ts';
import { lastDayOf, plainError, type CasePhase, type CaseStatus } from '../petition-ui/common.ts';

export const CODE_DIGITS = 6;

export interface CaseStatusState {
  caseInput: string;
  code: string;
  busy: boolean;
  /** What went wrong, kept as a cause so a language switch re-words it. */
  failure: { kind: 'case' | 'code' } | { kind: 'refused'; err: unknown } | null;
  status: CaseStatus | null;
}

export function initialCaseStatus(caseParam: string | null): CaseStatusState {
  return { caseInput: caseParam ?? '', code: '', busy: false, failure: null, status: null };
}

/**
 * The case number as typed, made exact: case and spaces do not matter, and the 14 digits alone
 * (a phone's number pad) are enough. Null when it cannot be a case number.
 */
export function caseNumberOf(input: string): string | null {
  const s = input.replace(/[\s\u3000]/g, '').toUpperCase().replace(/^XF/, '').replace(/[-－—]/g, '');
  return /^\d{14}$/.test(s) ? `XF${s.slice(0, 8)}-${s.slice(8)}` : null;
}

/** The query code as typed, digits only (full-width digits from a Chinese keyboard too). */
export function codeOf(input: string): string {
  return input
    .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/\D/g, '')
    .slice(0, CODE_DIGITS);
}

/** What to send, or which field is wrong. */
export function lookupOf(s: Pick<CaseStatusState, 'caseInput' | 'code'>): { ok: true; caseId: string; code: string } | { ok: false; kind: 'case' | 'code' } {
  const caseId = caseNumberOf(s.caseInput);
  if (!caseId) return { ok: false, kind: 'case' };
  if (s.code.length !== CODE_DIGITS) return { ok: false, kind: 'code' };
  return { ok: true, caseId, code: s.code };
}

export interface CaseStatusView {
  title: string;
  heading: string;
  lead: string;
  caseLabel: string;
  codeLabel: string;
  submit: { label: string; disabled: boolean };
  error: string | null;
  result: {
    caseNo: string;
    now: string;
    phase: CasePhase;
    phaseText: string;
    hint: string;
    rows: { key: string; term: string; value: string }[];
    deadlinesTitle: string;
    deadlines: { key: string; term: string; value: string }[];
    noDeadline: string | null;
    reply: { title: string; date: string; text: string } | null;
    another: string;
  } | null;
  privacy: string;
}

export function caseStatusView(s: CaseStatusState, { t, lang, now }: ViewContext): CaseStatusView {
  const f = s.failure;
  const error = f === null ? null : 'err' in f ? plainError(f.err, t) : t(f.kind === 'case' ? 'caseStatus.caseInvalid' : 'caseStatus.codeInvalid');
  const st = s.status;
  return {
    title: t('caseStatus.title'),
    heading: t('caseStatus.heading'),
    lead: t('caseStatus.lead'),
    caseLabel: t('caseStatus.caseLabel'),
    codeLabel: t('caseStatus.codeLabel'),
    submit: { label: t(s.busy ? 'caseStatus.busy' : 'caseStatus.submit'), disabled: s.busy },
    error,
    result: st
      ? {
          caseNo: t('caseStatus.caseNo', { id: st.caseId }),
          now: t('caseStatus.now'),
          phase: st.phase,
          phaseText: t(`caseStatus.phase.${st.phase}`),
          hint: t(`caseStatus.phaseHint.${st.phase}`),
          rows: [{ key: 'registered', term: t('caseStatus.registeredAt'), value: formatTime(st.registeredAt, 'friendlyWithTime', lang, now) }],
          deadlinesTitle: t('caseStatus.deadlines'),
          deadlines: st.deadlines.map((d) => ({
            key: d.kind,
            term: t(`petition.clock.${d.kind}`),
            value: t(d.window ? 'caseStatus.windowDue' : 'caseStatus.due', { date: formatTime(lastDayOf(d.dueAt), 'friendly', lang, now) }),
          })),
          noDeadline: st.deadlines.length ? null : t('caseStatus.noDeadline'),
          reply: st.reply ? { title: `${t('caseStatus.reply')} · ${t(`petition.round.${st.reply.round}`)}`, date: formatTime(st.reply.issuedAt, 'friendly', lang, now), text: st.reply.text } : null,
          another: t('caseStatus.another'),
        }
      : null,
    privacy: t('caseStatus.privacy'),
  };
}
