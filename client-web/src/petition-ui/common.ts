// Shared by the three 视频接访 pages (terminal, official desk, coordinator): the server's shapes
// (type-only imports), refusals in plain words, deadline clocks, claim ids and a debounce.
import { ApiError } from '../lib/api.ts';
import { t, viewContext, type T, type ViewContext } from '../lib/i18n.ts';
import { zh } from '../i18n/zh.ts';

export type {
  AppointmentOffer,
  Approval,
  Assignment,
  Callback,
  CallbackRinging,
  Case,
  CaseDocument,
  CaseDocumentWithHtml,
  CaseLife,
  CaseLookup,
  CasePhase,
  CaseStatus,
  ClockView,
  CoordinatorWorkList,
  HeadWorkList,
  NextStep,
  OfficialWorkList,
  ReceptionDayWithBookings,
  Stats,
  WorkItem,
  CaseEvent,
  CaseState,
  CategoryRule,
  Department,
  DepartmentQueue,
  Desk,
  LiveSession,
  Offer,
  Official,
  OverdueCase,
  QueueEntry,
  PresenceStatus,
  Rating,
  RoomAccess,
  RoutingRules,
  StartedPetition,
  TerminalGroup,
  TicketKind,
  TimelineEvent,
  WaitInfo,
} from '../../../server/protocol/http/petition-shapes.ts';

/** An error as a plain sentence for the person in front of the screen (from `details.reason`). */
type ShippedCategory = keyof typeof zh.petition.category;

/**
 * A category's name as shown: the configured one; in English the dictionary's for a shipped
 * category, since the configuration holds a single (Chinese) name.
 */
export function categoryName(c: { code: string; name: string }, ctx: Pick<ViewContext, 't' | 'lang'> = viewContext()): string {
  return ctx.lang === 'en' && c.code in zh.petition.category ? ctx.t(`petition.category.${c.code as ShippedCategory}`) : c.name;
}

export function plainError(err: unknown, tr: T = t): string {
  if (err instanceof ApiError) {
    const details = err.body.details as { reason?: string } | string[] | undefined;
    const reason = details && !Array.isArray(details) ? details.reason : undefined;
    if (reason && reason in zh.petition.reason) return tr(`petition.reason.${reason as keyof typeof zh.petition.reason}`);
    if (err.code === 'bad_request' && Array.isArray(details) && details.length > 0) {
      return tr('petition.badRequestDetails', { details: details.join(tr('common.clauseSeparator')) });
    }
    if (err.code in zh.petition.code) return tr(`petition.code.${err.code as keyof typeof zh.petition.code}`);
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

/** A deadline clock: days left (or overdue) and a level for colouring. */
export function deadlineClock(deadlineIso: string, totalDays: number, now = Date.now(), tr: T = t): { text: string; level: 'ok' | 'soon' | 'late'; fraction: number } {
  const ms = Date.parse(deadlineIso) - now;
  const days = ms / 86_400_000;
  const fraction = Math.max(0, Math.min(1, 1 - days / totalDays));
  if (ms < 0) return { text: tr('petition.deadline.overdue', { n: Math.ceil(-days) }), level: 'late', fraction: 1 };
  const hours = Math.max(1, Math.floor(ms / 3_600_000));
  const text = days >= 1 ? tr('petition.deadline.daysLeft', { n: Math.ceil(days) }) : tr('petition.deadline.hoursLeft', { n: hours });
  return { text, level: days <= Math.min(3, totalDays / 5) ? 'soon' : 'ok', fraction };
}

/** A random id for one claim attempt (replay guard on the server). */
export function requestId(): string {
  const a = new Uint8Array(12);
  crypto.getRandomValues(a);
  return `r${[...a].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Runs `fn` at most once per `ms` (trailing), for live pushes that arrive in bursts. */
export function debounce(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      fn();
    }, ms);
  };
}

/** The last day a clock allows: its due instant is 24:00 China time, i.e. the next day's 00:00. */
export const lastDayOf = (dueAt: string): number => Date.parse(dueAt) - 1;
