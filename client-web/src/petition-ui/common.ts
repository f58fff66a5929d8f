// Shared by the three 视频接访 pages (terminal, official desk, coordinator): sign-in from
// `?token=` then localStorage, plain-Chinese error messages, names of states, events and
// categories, time formatting. Types come from the server's stored shapes (type-only imports).
import { ApiError } from '../lib/api.ts';
import type { CaseEvent, CaseState, Level } from '../../../server/petition/types.ts';

export type { Case, CaseEvent, CaseState, Rating } from '../../../server/petition/types.ts';
export type { WaitInfo, AppointmentOffer } from '../../../server/petition/wait.ts';
export type { DepartmentQueue, LiveSession, OverdueCase, TerminalGroup } from '../../../server/petition/coordinator.ts';
export type { QueueEntry, TicketKind } from '../../../server/scheduler/queue.ts';
export type { RoutingRules, CategoryRule } from '../../../server/scheduler/routing-rules.ts';

/** The page's token: `?token=` (then remembered under `key`), else the remembered one. */
export function signInToken(key: string): string | null {
  const q = new URLSearchParams(location.search).get('token');
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

const REASON_MESSAGES: Record<string, string> = {
  unknown_terminal: '本终端未登记，请联系管理员',
  terminal_mismatch: '终端身份不符，请联系管理员',
  unknown_category: '该类别已停用，请选择其他类别',
  unknown_department: '找不到该部门',
  not_an_official: '只有接访干部可以办理',
  replayed_claim: '该请求已处理过',
  already_assigned: '该案件已被其他干部接待',
  at_capacity: '您同时接待的案件已达上限，请先结束一个',
  lease_lost: '等待确认超时，案件已放回队列',
  not_invited: '您未被邀请参加此次接访',
  not_a_party: '您不是此案件的参与人',
  not_lead: '只有主办干部可以进行此操作',
  not_in_session: '您已不在此次接访中',
  already_in_session: '该部门已在接访中',
  duplicate_invite: '已经邀请过该部门，请等待对方加入',
  wrong_state: '案件当前状态不允许此操作',
  slot_full: '该时段已约满，请选择其他时段',
  slot_past: '该时段已经开始，请选择其他时段',
  no_phone: '回电需要联系电话，请代办员在登记时填写',
  being_claimed: '工作人员正在接听，请稍候',
  already_extended: '办理期限已延长过一次',
  same_department: '案件已在该部门',
  no_session: '当前没有进行中的接访',
  not_coordinator: '只有综治中心人员可以查看',
  not_petitioner: '只有信访人本人可以操作',
  not_a_terminal: '请在接访终端上操作',
};

const CODE_MESSAGES: Record<string, string> = {
  unauthorized: '登录已失效，请重新登录',
  token_expired: '登录已过期，请重新登录',
  forbidden: '没有权限进行此操作',
  not_found: '找不到相关记录',
  bad_request: '填写的内容有误，请检查',
  conflict: '操作冲突，请刷新后再试',
  unavailable: '网络或服务暂时不可用，请稍后再试',
  internal: '系统出错，请稍后再试',
};

/** An error as a plain-Chinese sentence for the person in front of the screen. */
export function plainError(err: unknown): string {
  if (err instanceof ApiError) {
    const details = err.body.details as { reason?: string } | string[] | undefined;
    const reason = details && !Array.isArray(details) ? details.reason : undefined;
    if (reason && REASON_MESSAGES[reason]) return REASON_MESSAGES[reason];
    if (err.code === 'bad_request' && Array.isArray(details) && details.length > 0) return `${CODE_MESSAGES.bad_request}（${details.join('；')}）`;
    return CODE_MESSAGES[err.code] ?? err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

export const STATE_NAMES: Record<CaseState, string> = {
  registered: '已登记',
  queued: '排队中',
  in_session: '接访中',
  joint_session: '联合接访中',
  handled: '已出具办理意见',
  rated: '已评价',
  archived: '已归档',
  transferred: '已转办',
  escalated: '已上报上级',
  appointment: '已预约',
};

export const EVENT_NAMES: Record<CaseEvent['type'], string> = {
  registered: '登记',
  queued: '进入排队',
  claimed: '干部接访',
  claim_released: '放回队列',
  invited: '邀请部门会商',
  joined: '部门加入会商',
  transferred: '转办',
  escalated: '上报上级',
  opinion_written: '写入办理意见',
  deadline_extended: '延长办理期限',
  session_ended: '结束接访',
  rated: '满意度评价',
  archived: '归档',
  appointment_booked: '预约接访日',
  callback_requested: '申请回电',
  appointment_admitted: '预约到时入队',
  withdrawn: '撤回',
};

export const ROLE_NAMES: Record<string, string> = {
  petitioner: '信访人',
  terminal: '接访终端',
  official: '接访干部',
  coordinator: '综治中心',
  system: '系统',
};

export const KIND_NAMES: Record<string, string> = {
  case: '新案件',
  appointment: '预约接访',
  invite: '会商邀请',
  transfer: '转办',
  escalate: '上级交办',
};

export const LEVEL_NAMES: Record<Level, string> = { village: '村', township: '乡镇', county: '县区', city: '市' };

export const RATING_NAMES: Record<string, string> = { satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意' };

/** The category button's picture (inline SVG, see icons.ts). */
export { icon as iconOf } from './icons.ts';

/** Department offices in the seed: id = `<regionCode>-<kind>`; names by level. */
export const DEPARTMENT_KINDS: { kind: string; county: string; township: string | null }[] = [
  { kind: 'xfj', county: '信访局', township: '信访办' },
  { kind: 'rs', county: '人社局', township: null },
  { kind: 'zrzy', county: '自然资源和规划局', township: '自然资源所' },
  { kind: 'zj', county: '住建局', township: null },
  { kind: 'ga', county: '公安局', township: '派出所' },
  { kind: 'mz', county: '民政局', township: '民政办' },
  { kind: 'nync', county: '农业农村局', township: '农业综合服务站' },
  { kind: 'wsjk', county: '卫健委', township: null },
];

export function escapeHtml(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** "约 15 分钟" style durations, rounded up to whole minutes (never "0 分钟"). */
export function minutes(seconds: number): string {
  if (seconds < 60) return '不到 1 分钟';
  const m = Math.ceil(seconds / 60);
  if (m < 60) return `${m} 分钟`;
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? `${h} 小时` : `${h} 小时 ${m % 60} 分钟`;
}

/** Local date-time in China's time zone, e.g. 11月26日 15:04. */
export function dateTime(iso: string, withYear = false): string {
  const d = new Date(iso);
  return d.toLocaleString('zh-CN', {
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
  return new Date(iso).toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

/** A deadline clock: days left (or overdue) and a level for colouring. */
export function deadlineClock(deadlineIso: string, totalDays: number, now = Date.now()): { text: string; level: 'ok' | 'soon' | 'late'; fraction: number } {
  const ms = Date.parse(deadlineIso) - now;
  const days = ms / 86_400_000;
  const fraction = Math.max(0, Math.min(1, 1 - days / totalDays));
  if (ms < 0) return { text: `已超期 ${Math.ceil(-days)} 天`, level: 'late', fraction: 1 };
  const text = days >= 1 ? `剩 ${Math.ceil(days)} 天` : `剩 ${Math.max(1, Math.floor(ms / 3_600_000))} 小时`;
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
