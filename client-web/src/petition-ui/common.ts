// Shared by the three 视频接访 pages (terminal, official desk, coordinator): sign-in from
// `?token=` then localStorage, plain-Chinese error messages, names of states, events and
// categories, time formatting. Types come from the server's stored shapes (type-only imports).
import { ApiError } from '../lib/api.ts';
import { language, t, type T } from '../lib/i18n.ts';
import { currentLang, toggleLang, type Lang } from '../lib/i18n-legacy.ts';
import { formatTime, waitDuration } from '../lib/time.ts';
import { zh } from '../i18n/zh.ts';
import type { CaseEvent, CaseState, Level } from '../../../server/petition/types.ts';

export type { Case, CaseEvent, CaseState, Rating, TimelineEvent } from '../../../server/petition/types.ts';
export type { WaitInfo, AppointmentOffer } from '../../../server/petition/wait.ts';
export type { DepartmentQueue, LiveSession, OverdueCase, TerminalGroup } from '../../../server/petition/coordinator.ts';
export type { QueueEntry, TicketKind } from '../../../server/scheduler/queue.ts';
export type { RoutingRules, CategoryRule } from '../../../server/scheduler/routing-rules.ts';

/** Language of the page's words. The terminal stays Chinese; the desk and the overview follow
 * the platform's choice (`currentLang()`), set once at start (switching reloads the page). */
let lang: Lang = 'zh';
export function setLang(l: Lang): void {
  lang = l;
  document.documentElement.lang = l === 'en' ? 'en' : 'zh-CN';
}
/** The Chinese or the English text, by the page's language. */
export const L = (zh: string, en: string): string => (lang === 'en' ? en : zh);

/** A name table in both languages whose lookups follow the page's language. */
function bilingual<K extends string>(m: Record<K, readonly [string, string]>): Record<K, string> {
  const out = {} as Record<K, string>;
  for (const k of Object.keys(m) as K[]) Object.defineProperty(out, k, { get: () => m[k][lang === 'en' ? 1 : 0], enumerable: true });
  return out;
}

/** An error as a plain sentence for the person in front of the screen (from `details.reason`). */
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

export const STATE_NAMES = bilingual<CaseState>({
  registered: ['已登记', 'Registered'],
  queued: ['排队中', 'Queued'],
  in_session: ['接访中', 'In session'],
  joint_session: ['联合接访中', 'Joint session'],
  handled: ['已出具办理意见', 'Opinion written'],
  rated: ['已评价', 'Rated'],
  archived: ['已归档', 'Archived'],
  transferred: ['已转办', 'Transferred'],
  escalated: ['已上报上级', 'Escalated'],
  appointment: ['已预约', 'Appointment'],
});

export const EVENT_NAMES = bilingual<CaseEvent['type']>({
  registered: ['登记', 'Registered'],
  queued: ['进入排队', 'Queued'],
  claimed: ['干部接访', 'Taken up'],
  claim_released: ['放回队列', 'Back to the queue'],
  invited: ['邀请部门会商', 'Office invited'],
  joined: ['部门加入会商', 'Office joined'],
  transferred: ['转办', 'Transferred'],
  escalated: ['上报上级', 'Escalated'],
  opinion_written: ['写入办理意见', 'Opinion written'],
  deadline_extended: ['延长办理期限', 'Deadline extended'],
  session_ended: ['结束接访', 'Session ended'],
  rated: ['满意度评价', 'Rated'],
  archived: ['归档', 'Archived'],
  appointment_booked: ['预约接访日', 'Appointment booked'],
  callback_requested: ['申请回电', 'Call-back requested'],
  appointment_admitted: ['预约到时入队', 'Appointment due, queued'],
  withdrawn: ['撤回', 'Withdrawn'],
});

export const ROLE_NAMES: Record<string, string> = bilingual({
  petitioner: ['信访人', 'Petitioner'],
  terminal: ['接访终端', 'Terminal'],
  official: ['接访干部', 'Official'],
  coordinator: ['综治中心', 'Coordinator'],
  system: ['系统', 'System'],
});

export const KIND_NAMES: Record<string, string> = bilingual({
  case: ['新案件', 'New case'],
  appointment: ['预约接访', 'Appointment'],
  invite: ['会商邀请', 'Invitation'],
  transfer: ['转办', 'Transfer'],
  escalate: ['上级交办', 'Escalation'],
});

export const LEVEL_NAMES = bilingual<Level>({ village: ['村', 'village'], township: ['乡镇', 'township'], county: ['县区', 'county'], city: ['市', 'city'] });

export const RATING_NAMES: Record<string, string> = bilingual({
  satisfied: ['满意', 'Satisfied'],
  basically_satisfied: ['基本满意', 'Basically satisfied'],
  unsatisfied: ['不满意', 'Unsatisfied'],
});

/** The category button's picture (inline SVG, see icons.ts). */
export { icon as iconOf } from './icons.ts';

/** Department offices in the seed: id = `<regionCode>-<kind>`; names by level. */
const KINDS: { kind: string; county: readonly [string, string]; township: readonly [string, string] | null }[] = [
  { kind: 'xfj', county: ['信访局', 'Petitions Bureau'], township: ['信访办', 'Petitions Office'] },
  { kind: 'rs', county: ['人社局', 'Human Resources & Social Security'], township: null },
  { kind: 'zrzy', county: ['自然资源和规划局', 'Natural Resources & Planning'], township: ['自然资源所', 'Natural Resources Station'] },
  { kind: 'zj', county: ['住建局', 'Housing & Construction'], township: null },
  { kind: 'ga', county: ['公安局', 'Public Security'], township: ['派出所', 'Police Station'] },
  { kind: 'mz', county: ['民政局', 'Civil Affairs'], township: ['民政办', 'Civil Affairs Office'] },
  { kind: 'nync', county: ['农业农村局', 'Agriculture & Rural Affairs'], township: ['农业综合服务站', 'Agricultural Service Station'] },
  { kind: 'wsjk', county: ['卫健委', 'Health Commission'], township: null },
];
export const DEPARTMENT_KINDS: { kind: string; county: string; township: string | null }[] = KINDS.map((k) => ({
  kind: k.kind,
  get county() {
    return k.county[lang === 'en' ? 1 : 0];
  },
  get township() {
    return k.township ? k.township[lang === 'en' ? 1 : 0] : null;
  },
}));

export function escapeHtml(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** "约 15 分钟" style durations, rounded up to whole minutes (never "0 分钟"). */
export const minutes = (seconds: number): string => waitDuration(seconds, t);

/** Local date-time in China's time zone, e.g. 11月26日 15:04. */
export const dateTime = (iso: string, withYear = false): string => formatTime(iso, withYear ? 'dateTimeYear' : 'dateTime', language());

export const time = (iso: string): string => formatTime(iso, 'timeSeconds', language());

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

/**
 * The header of a desk page (official, coordinator): title, language switch, sign-out. Returns
 * false, after showing a sign-in hint in `app`, when the token is missing or of another role.
 */
export function deskChrome(o: {
  title: string;
  bar: string;
  tokenKey: string;
  roles: string[];
  role: string;
  app: HTMLElement;
  token: string | null;
  claims: { role: string } | null;
}): boolean {
  setLang(currentLang());
  document.title = o.title;
  document.querySelector(`${o.bar} h1`)!.textContent = o.title;
  const langBtn = document.getElementById('lang')!;
  langBtn.textContent = L('English', '中文');
  langBtn.addEventListener('click', toggleLang);
  const out = document.getElementById('signout')!;
  out.textContent = L('退出', 'Sign out');
  out.addEventListener('click', () => {
    localStorage.removeItem(o.tokenKey);
    location.href = 'index.html';
  });
  if (o.token && o.claims && o.roles.includes(o.claims.role)) return true;
  o.app.innerHTML = `<div class="card"><h2>${L('请先登录', 'Please sign in')}</h2><p>${L(`缺少${o.role}的登录令牌，请从首页进入。`, `No ${o.role} sign-in token; please start from the home page.`)}</p></div>`;
  return false;
}
