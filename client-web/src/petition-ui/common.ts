// Shared by the three 视频接访 pages (terminal, official desk, coordinator): sign-in from
// `?token=` then localStorage, plain-Chinese error messages, names of states, events and
// categories, time formatting. Types come from the HTTP contract (server/protocol/http, type-only).
import { ApiError } from '../lib/api.ts';
import { redeemedToken } from '../lib/sign-in-code.ts';
import { currentLang, toggleLang, type Lang } from '../lib/i18n.ts';
import type { CaseEvent, CaseState, Level } from '../../../server/protocol/http/petition-shapes.ts';

export type {
  AppointmentOffer,
  Case,
  CaseEvent,
  CaseState,
  CategoryRule,
  DepartmentQueue,
  LiveSession,
  OverdueCase,
  QueueEntry,
  Rating,
  RoutingRules,
  TerminalGroup,
  TicketKind,
  TimelineEvent,
  WaitInfo,
} from '../../../server/protocol/http/petition-shapes.ts';

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

/** The page's token: a redeemed sign-in code or `?token=` (then remembered under `key`), else the remembered one. */
export function signInToken(key: string): string | null {
  const q = redeemedToken ?? new URLSearchParams(location.search).get('token');
  if (q) {
    localStorage.setItem(key, q);
    // Keep the token out of the address bar (and out of screenshots / shoulder surfing).
    const u = new URL(location.href);
    u.searchParams.delete('token');
    history.replaceState(null, '', u);
    return q;
  }
  return localStorage.getItem(key);
}

/** The JWT's payload, unverified (the server verifies); for showing who is signed in. */
export function tokenClaims(token: string): { sub: string; name: string; role: string; attributes: Record<string, string> } | null {
  try {
    const part = token.split('.')[1] ?? '';
    const json = decodeURIComponent(
      atob(part.replace(/-/g, '+').replace(/_/g, '/'))
        .split('')
        .map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
        .join(''),
    );
    const c = JSON.parse(json) as { sub: string; name: string; role: string; attributes?: Record<string, string> };
    return { sub: c.sub, name: c.name, role: c.role, attributes: c.attributes ?? {} };
  } catch {
    return null;
  }
}

const REASON_MESSAGES: Record<string, readonly [string, string]> = {
  unknown_terminal: ['本终端未登记，请联系管理员', 'This terminal is not registered; please contact the administrator'],
  terminal_mismatch: ['终端身份不符，请联系管理员', 'Terminal identity mismatch; please contact the administrator'],
  unknown_category: ['该类别已停用，请选择其他类别', 'This category is no longer in use; please choose another'],
  unknown_department: ['找不到该部门', 'No such office'],
  not_an_official: ['只有接访干部可以办理', 'Only officials can do this'],
  replayed_claim: ['该请求已处理过', 'This request was already handled'],
  already_assigned: ['该案件已被其他干部接待', 'Another official has taken this case'],
  at_capacity: ['您同时接待的案件已达上限，请先结束一个', 'You hold as many sessions as allowed; end one first'],
  lease_lost: ['等待确认超时，案件已放回队列', 'Not confirmed in time; the case went back to the queue'],
  not_invited: ['您未被邀请参加此次接访', 'You were not invited to this session'],
  not_a_party: ['您不是此案件的参与人', 'You are not a party to this case'],
  not_lead: ['只有主办干部可以进行此操作', 'Only the lead official can do this'],
  not_in_session: ['您已不在此次接访中', 'You are no longer in this session'],
  already_in_session: ['该部门已在接访中', 'That office is already in the session'],
  duplicate_invite: ['已经邀请过该部门，请等待对方加入', 'That office has been invited already; wait for it to join'],
  wrong_state: ['案件当前状态不允许此操作', 'Not possible in the case\'s current state'],
  slot_full: ['该时段已约满，请选择其他时段', 'That slot is full; please choose another'],
  slot_past: ['该时段已经开始，请选择其他时段', 'That slot has begun; please choose another'],
  no_phone: ['回电需要联系电话，请代办员在登记时填写', 'A call-back needs a phone number, entered when the petition is started'],
  being_claimed: ['工作人员正在接听，请稍候', 'An official is taking the case up; please wait'],
  already_extended: ['办理期限已延长过一次', 'The handling deadline was already extended once'],
  same_department: ['案件已在该部门', 'The case is already with that office'],
  no_session: ['当前没有进行中的接访', 'There is no session going on'],
  not_coordinator: ['只有综治中心人员可以查看', 'Coordinators only'],
  not_petitioner: ['只有信访人本人可以操作', 'Only the petitioner can do this'],
  not_a_terminal: ['请在接访终端上操作', 'Please use a petition terminal'],
};

const CODE_MESSAGES: Record<string, readonly [string, string]> = {
  unauthorized: ['登录已失效，请重新登录', 'Signed out; please sign in again'],
  token_expired: ['登录已过期，请重新登录', 'Sign-in expired; please sign in again'],
  forbidden: ['没有权限进行此操作', 'Not allowed'],
  not_found: ['找不到相关记录', 'Not found'],
  bad_request: ['填写的内容有误，请检查', 'Please check what was entered'],
  conflict: ['操作冲突，请刷新后再试', 'Conflicting change; refresh and try again'],
  unavailable: ['网络或服务暂时不可用，请稍后再试', 'Network or service unavailable; try again shortly'],
  internal: ['系统出错，请稍后再试', 'System error; try again shortly'],
};

/** An error as a plain sentence (Chinese by default) for the person in front of the screen. */
export function plainError(err: unknown): string {
  const pick = (m: readonly [string, string]) => m[lang === 'en' ? 1 : 0];
  if (err instanceof ApiError) {
    const details = err.body.details as { reason?: string } | string[] | undefined;
    const reason = details && !Array.isArray(details) ? details.reason : undefined;
    if (reason && REASON_MESSAGES[reason]) return pick(REASON_MESSAGES[reason]);
    if (err.code === 'bad_request' && Array.isArray(details) && details.length > 0) return `${pick(CODE_MESSAGES.bad_request!)}（${details.join('；')}）`;
    const m = CODE_MESSAGES[err.code];
    return m ? pick(m) : err.message;
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
export function minutes(seconds: number): string {
  if (seconds < 60) return L('不到 1 分钟', 'under a minute');
  const m = Math.ceil(seconds / 60);
  if (m < 60) return L(`${m} 分钟`, `${m} min`);
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? L(`${h} 小时`, `${h} h`) : L(`${h} 小时 ${m % 60} 分钟`, `${h} h ${m % 60} min`);
}

/** Local date-time in China's time zone, e.g. 11月26日 15:04. */
export function dateTime(iso: string, withYear = false): string {
  const d = new Date(iso);
  return d.toLocaleString(lang === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: 'Asia/Shanghai',
    ...(withYear ? { year: 'numeric' } : {}),
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });
}

/** For petitioners: 11月27日 星期五 上午9:00 (with the time when `withTime`). */
export function friendlyDate(iso: string, withTime = false): string {
  const d = new Date(iso);
  const otherYear = d.getFullYear() !== new Date().getFullYear();
  const date = d.toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai', ...(otherYear ? { year: 'numeric' } : {}), month: 'long', day: 'numeric', weekday: 'long' });
  if (!withTime) return date;
  const t = d.toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour: 'numeric', minute: '2-digit', hour12: true });
  return `${date} ${t}`;
}

export function time(iso: string): string {
  return new Date(iso).toLocaleTimeString(lang === 'en' ? 'en-GB' : 'zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

/** A deadline clock: days left (or overdue) and a level for colouring. */
export function deadlineClock(deadlineIso: string, totalDays: number, now = Date.now()): { text: string; level: 'ok' | 'soon' | 'late'; fraction: number } {
  const ms = Date.parse(deadlineIso) - now;
  const days = ms / 86_400_000;
  const fraction = Math.max(0, Math.min(1, 1 - days / totalDays));
  if (ms < 0) return { text: L(`已超期 ${Math.ceil(-days)} 天`, `${Math.ceil(-days)} days overdue`), level: 'late', fraction: 1 };
  const hours = Math.max(1, Math.floor(ms / 3_600_000));
  const text = days >= 1 ? L(`剩 ${Math.ceil(days)} 天`, `${Math.ceil(days)} days left`) : L(`剩 ${hours} 小时`, `${hours} h left`);
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
