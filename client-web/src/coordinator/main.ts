// Coordinator overview (综治中心): every queue with its length and oldest wait, terminals online by
// county, live sessions and who is in them, overdue cases, any case's timeline, and the routing
// rules (view and edit, validated by the server).
import { Api } from '../lib/api.ts';
import { CallSession } from '../lib/call-session.ts';
import { callTiles } from '../widgets/call-tiles.ts';
import { LiveClient } from '../lib/live.ts';
import { pageToken, readClaims } from '../lib/token.ts';
import {
  dateTime,
  debounce,
  DEPARTMENT_KINDS,
  escapeHtml,
  EVENT_NAMES,
  iconOf,
  L,
  LEVEL_NAMES,
  minutes,
  plainError,
  RATING_NAMES,
  ROLE_NAMES,
  deskChrome,
  STATE_NAMES,
  type Case,
  type CaseEvent,
  type TimelineEvent,
  type DepartmentQueue,
  type LiveSession,
  type OverdueCase,
  type RoutingRules,
  type TerminalGroup,
} from '../petition-ui/common.ts';

const REFRESH_MS = 15_000;
const app = document.getElementById('app')!;
const token = pageToken('coordinator.token');
const claims = token ? readClaims(token) : null;
let api: Api;
let rules: RoutingRules | null = null;
let editing = false;
/** Office names seen in the queue overview (offices with someone online or waiting). */
const officeNames = new Map<string, string>();

const kindLabel = (kind: string) => DEPARTMENT_KINDS.find((k) => k.kind === kind)?.county ?? kind;
const levelName = (l: keyof typeof LEVEL_NAMES) => L(`${LEVEL_NAMES[l]}级`, `${LEVEL_NAMES[l]} level`);
const categoryName = (code: string) => rules?.categories.find((c) => c.code === code)?.name ?? code;
function officeLabel(id: string): string {
  const known = officeNames.get(id);
  if (known) return known;
  const i = id.lastIndexOf('-');
  const k = DEPARTMENT_KINDS.find((x) => x.kind === id.slice(i + 1));
  if (!k) return id;
  const region = id.slice(0, i);
  return `${region} ${region.length === 9 ? k.township ?? k.county : k.county}`;
}

function shell(): void {
  app.innerHTML = `
    <section class="tiles" id="tiles"></section>
    <div class="cgrid">
      <section class="card"><h2>${L('各部门队列', 'Queues')}</h2><div id="queues"></div></section>
      <section class="card"><h2>${L('进行中的接访', 'Live sessions')}</h2><div id="sessions"></div><div id="watch"></div></section>
      <section class="card"><h2>${L('终端在线情况（按县区）', 'Terminals online (by county)')}</h2><div id="terminals"></div></section>
      <section class="card"><h2>${L('超期案件', 'Overdue cases')}</h2><div id="overdue"></div></section>
      <section class="card wide"><h2>${L('查看案件', 'Look up a case')}</h2>
        <form id="lookup" class="lookup"><input name="caseId" placeholder="${L('案件编号，如 XF20261126-000042', 'Case number, e.g. XF20261126-000042')}" pattern="XF\\d{8}-\\d{6}" required />
        <button class="btn primary">${L('查看时间线', 'Show timeline')}</button></form>
        <div id="case-view"></div></section>
      <section class="card wide"><h2>${L('分派规则', 'Routing rules')}</h2><div id="rules"></div></section>
    </div>`;
  document.getElementById('lookup')!.addEventListener('submit', (e) => {
    e.preventDefault();
    const id = (new FormData(e.target as HTMLFormElement).get('caseId') as string).trim();
    void showCase(id);
  });
}

async function refresh(): Promise<void> {
  try {
    const [queues, sessions, terminals, overdue] = await Promise.all([
      api.get<DepartmentQueue[]>('/queues'),
      api.get<LiveSession[]>('/sessions'),
      api.get<TerminalGroup[]>('/terminals'),
      api.get<OverdueCase[]>('/overdue'),
    ]);
    for (const q of queues) officeNames.set(q.departmentId, q.name);
    renderTiles(queues, sessions, terminals, overdue);
    renderQueues(queues);
    renderSessions(sessions);
    renderTerminals(terminals);
    renderOverdue(overdue);
    document.getElementById('updated')!.textContent = `${L('更新于', 'Updated')} ${new Date().toLocaleTimeString(L('zh-CN', 'en-GB'), { hour12: false })}`;
  } catch (err) {
    document.getElementById('updated')!.textContent = `${L('出错：', 'Error: ')}${plainError(err)}`;
  }
}
const refreshSoon = debounce(() => void refresh(), 1500);

function renderTiles(q: DepartmentQueue[], s: LiveSession[], t: TerminalGroup[], o: OverdueCase[]): void {
  const waiting = q.reduce((n, x) => n + x.length, 0);
  const online = t.reduce((n, x) => n + x.online, 0);
  const total = t.reduce((n, x) => n + x.total, 0);
  const oldest = Math.max(0, ...q.map((x) => x.oldestWaitSeconds ?? 0));
  document.getElementById('tiles')!.innerHTML = `
    <div class="tile-n"><span>${L('排队人数', 'Waiting')}</span><b data-n="waiting">${waiting}</b><small>${L('最长已等', 'longest wait')} ${waiting ? minutes(oldest) : '—'}</small></div>
    <div class="tile-n"><span>${L('进行中的接访', 'Live sessions')}</span><b data-n="sessions">${s.length}</b><small>${L('联合接访', 'joint')} ${s.filter((x) => x.case.state === 'joint_session').length}</small></div>
    <div class="tile-n"><span>${L('终端在线', 'Terminals online')}</span><b data-n="terminals">${online} / ${total}</b><small>${L('离线', 'offline')} ${total - online}</small></div>
    <div class="tile-n ${o.length ? 'alert' : ''}"><span>${L('超期案件', 'Overdue')}</span><b data-n="overdue">${o.length}</b><small>${L('受理或办理超期', 'acceptance or handling')}</small></div>`;
}

function renderQueues(q: DepartmentQueue[]): void {
  const rows = [...q].sort((a, b) => b.length - a.length || (b.oldestWaitSeconds ?? 0) - (a.oldestWaitSeconds ?? 0));
  document.getElementById('queues')!.innerHTML = rows.length
    ? `<table><thead><tr><th>${L('部门', 'Office')}</th><th class="num">${L('排队', 'Waiting')}</th><th class="num">${L('在线干部', 'Officials online')}</th><th class="num">${L('最长等待', 'Longest wait')}</th></tr></thead><tbody>
      ${rows
        .map(
          (r) => `<tr data-queue="${escapeHtml(r.departmentId)}" class="${r.length > 0 && r.online === 0 ? 'warn' : ''}"><td>${escapeHtml(r.name)}</td><td class="num">${r.length}</td>
          <td class="num">${r.online}${r.length > 0 && r.online === 0 ? ` <span class="late">${L('无人在线', 'nobody online')}</span>` : ''}</td><td class="num">${r.oldestWaitSeconds === null ? '—' : minutes(r.oldestWaitSeconds)}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : `<p class="muted">${L('没有排队，也没有干部在线。', 'Nobody waiting and no official online.')}</p>`;
}

function renderSessions(s: LiveSession[]): void {
  document.getElementById('sessions')!.innerHTML = s.length
    ? `<table><thead><tr><th>${L('案件', 'Case')}</th><th>${L('类别', 'Category')}</th><th>${L('状态', 'State')}</th><th>${L('参与部门 / 干部', 'Offices / officials')}</th></tr></thead><tbody>
      ${s
        .map(
          (x) => `<tr data-session="${escapeHtml(x.case.id)}"><td><a href="#" data-case="${escapeHtml(x.case.id)}">${escapeHtml(x.case.id)}</a>
          <button type="button" class="btn small" data-watch="${escapeHtml(x.case.id)}" title="${L('不出镜、不发言地旁听', 'Watch without being seen or heard')}">${L('旁听', 'Watch')}</button></td>
          <td>${escapeHtml(categoryName(x.case.category))}</td><td>${STATE_NAMES[x.case.state]}</td>
          <td>${x.participants.map((p) => `${escapeHtml(officeLabel(p.departmentId))} (${escapeHtml(p.officialId)}${p.role === 'lead' ? L('，主办', ', lead') : ''})`).join('<br>') || '—'}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : `<p class="muted">${L('现在没有进行中的接访。', 'No session is going on.')}</p>`;
  bindCaseLinks('sessions');
  for (const b of document.getElementById('sessions')!.querySelectorAll<HTMLButtonElement>('[data-watch]')) b.addEventListener('click', () => void watch(b.dataset.watch!));
}

/** Watching a session: a hidden, receive-only token for the room (the server's grant for coordinators). */
let watching: CallSession | null = null;
async function watch(caseId: string): Promise<void> {
  stopWatching();
  const el = document.getElementById('watch')!;
  try {
    const room = await api.post<{ roomId: string; token: string }>(`/cases/${caseId}/room-token`, {});
    const s = new CallSession({ token: room.token, roomId: room.roomId, publish: [] });
    watching = s;
    (window as unknown as { callSession: CallSession }).callSession = s;
    const view = callTiles(s, { preview: false, onLeave: () => stopWatching() });
    el.innerHTML = `<div class="watch-head"><b>${L('旁听', 'Watching')} ${escapeHtml(caseId)}</b><span class="muted">${L('您不出镜、不发言，参与人看不到您。', 'You are neither seen nor heard; participants do not see you.')}</span></div>`;
    el.append(view);
    await s.start();
    view.refresh();
  } catch (err) {
    el.innerHTML = `<p class="late">${escapeHtml(plainError(err))}</p>`;
  }
}
function stopWatching(): void {
  watching?.close();
  watching = null;
  const el = document.getElementById('watch');
  if (el) el.innerHTML = '';
}

function renderTerminals(t: TerminalGroup[]): void {
  document.getElementById('terminals')!.innerHTML = `<table><thead><tr><th>${L('县区', 'County')}</th><th>${L('在线', 'Online')}</th><th class="num">${L('离线', 'Offline')}</th></tr></thead><tbody>
    ${t
      .map(
        (g) => `<tr data-region="${escapeHtml(g.regionCode)}"><td>${escapeHtml(g.name)}</td>
        <td><div class="bar"><span style="width:${g.total ? Math.round((g.online / g.total) * 100) : 0}%"></span></div> ${g.online} / ${g.total}</td>
        <td class="num">${g.offlineIds.length ? `<details><summary>${g.offlineIds.length}</summary><div class="ids">${g.offlineIds.slice(0, 60).map(escapeHtml).join(' ')}${g.offlineIds.length > 60 ? ' …' : ''}</div></details>` : '0'}</td></tr>`,
      )
      .join('')}</tbody></table>`;
}

function renderOverdue(o: OverdueCase[]): void {
  const names = { acceptance: L('受理告知超期', 'acceptance overdue'), handling: L('办理超期', 'handling overdue') };
  document.getElementById('overdue')!.innerHTML = o.length
    ? `<table><thead><tr><th>${L('案件', 'Case')}</th><th>${L('类别', 'Category')}</th><th>${L('状态', 'State')}</th><th>${L('超期', 'Overdue')}</th><th>${L('截止', 'Due')}</th></tr></thead><tbody>
      ${o
        .map(
          (x) => `<tr><td><a href="#" data-case="${escapeHtml(x.case.id)}">${escapeHtml(x.case.id)}</a></td><td>${escapeHtml(categoryName(x.case.category))}</td>
          <td>${STATE_NAMES[x.case.state]}</td><td class="late">${x.overdue.map((k) => names[k]).join(L('、', ', '))}</td>
          <td>${x.overdue.includes('acceptance') ? dateTime(x.case.acceptDeadline) : dateTime(x.case.handleDeadline)}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : `<p class="muted ok">${L('没有超期案件。', 'No overdue cases.')}</p>`;
  bindCaseLinks('overdue');
}

function bindCaseLinks(containerId: string): void {
  for (const a of document.getElementById(containerId)!.querySelectorAll<HTMLAnchorElement>('[data-case]')) {
    a.addEventListener('click', (e) => {
      e.preventDefault();
      void showCase(a.dataset.case!);
      document.getElementById('case-view')!.scrollIntoView({ behavior: 'smooth' });
    });
  }
}

async function showCase(id: string): Promise<void> {
  const el = document.getElementById('case-view')!;
  try {
    const [c, tl] = await Promise.all([api.get<Case>(`/cases/${id}`), api.get<TimelineEvent[]>(`/cases/${id}/timeline`)]);
    el.innerHTML = `
      <div class="case-sum"><b>${escapeHtml(c.id)}</b> · ${escapeHtml(categoryName(c.category))} · ${STATE_NAMES[c.state]}
        · ${L('受理截止', 'acceptance due')} ${dateTime(c.acceptDeadline)} · ${L('办理截止', 'handling due')} ${dateTime(c.handleDeadline)}${c.handleExtended ? L('（已延长）', ' (extended)') : ''}
        ${c.rating ? ` · ${L('评价：', 'rating: ')}${RATING_NAMES[c.rating]}` : ''}</div>
      <table class="tl"><thead><tr><th>${L('时间', 'Time')}</th><th>${L('事项', 'Step')}</th><th>${L('操作人', 'Actor')}</th><th>${L('说明', 'Detail')}</th></tr></thead><tbody>
      ${tl
        .map(
          (e) => `<tr data-event="${escapeHtml(e.type)}"><td>${dateTime(e.at, true)}</td><td>${EVENT_NAMES[e.type] ?? escapeHtml(e.type)}</td>
          <td>${ROLE_NAMES[e.actorRole] ?? escapeHtml(e.actorRole)} ${escapeHtml(e.actorName ?? e.actorId)}</td><td class="muted">${escapeHtml(summary(e))}</td></tr>`,
        )
        .join('')}</tbody></table>`;
  } catch (err) {
    el.innerHTML = `<p class="late">${escapeHtml(plainError(err))}</p>`;
  }
}

function summary(e: CaseEvent): string {
  const d = e.data;
  const s = (v: unknown) => (typeof v === 'string' ? v : '');
  switch (e.type) {
    case 'invited':
      return `${L('邀请', 'invited')} ${s(d.departmentName) || s(d.departmentId)}`;
    case 'claimed':
    case 'joined':
      return officeLabel(s(d.departmentId));
    case 'transferred':
    case 'escalated':
      return `→ ${s(d.toName)}：${s(d.reason)}`;
    case 'opinion_written':
      return d.accepted ? L('受理', 'accepted') : L('不予受理', 'not accepted');
    case 'rated':
      return RATING_NAMES[s(d.rating)] ?? '';
    case 'deadline_extended':
    case 'claim_released':
      return s(d.reason);
    case 'appointment_booked':
      return `${s(d.leaderName)} ${s(d.at) ? dateTime(s(d.at)) : ''}`;
    default:
      return '';
  }
}

// ---- routing rules ---------------------------------------------------------------------------------

async function loadRules(): Promise<void> {
  try {
    rules = await api.get<RoutingRules>('/routing-rules');
  } catch (err) {
    document.getElementById('rules')!.innerHTML = `<p class="late">${escapeHtml(plainError(err))}</p>`;
    return;
  }
  renderRules();
}

const ICON_CHOICES = ['wallet', 'shield', 'field', 'wheat', 'house', 'police', 'hands', 'cross', 'chat', 'doc'];
const LEVEL_CHOICES = ['township', 'county', 'city'] as const;

function renderRules(error?: string): void {
  const el = document.getElementById('rules')!;
  if (!rules) return;
  const r = rules;
  if (editing) return renderRulesEditor(r, error);
  el.innerHTML = `
    <p>${L('等待超过', 'After')} <b>${r.waiting ? minutes(r.waiting.offerAfterSeconds) : L('（默认）', '(default)')}</b> ${L('无人在线，或预计等待超过', 'with nobody online, or when the estimate exceeds')} <b>${r.waiting ? minutes(r.waiting.maxWaitSeconds) : L('（默认）', '(default)')}</b>${L(' 时，向信访人提供预约或回电。上报上级时，没有同类上级部门的交 ', ', the petitioner is offered an appointment or a call-back. Escalations with no office of the same kind above go to ')}<b>${escapeHtml(kindLabel(r.escalationDepartment))}</b>${L('。', '.')}</p>
    <table><thead><tr><th></th><th>${L('类别', 'Category')}</th><th>${L('代码', 'Code')}</th><th>${L('分派部门', 'Offices')}</th><th>${L('级别', 'Level')}</th></tr></thead><tbody>
    ${r.categories
      .map(
        (c) => `<tr data-rule="${escapeHtml(c.code)}"><td class="icon">${iconOf(c.icon)}</td><td>${escapeHtml(c.name)}</td><td><code>${escapeHtml(c.code)}</code></td>
        <td>${c.departments.map((d) => escapeHtml(kindLabel(d))).join(L('、', ', '))}</td><td>${levelName(c.level)}</td></tr>`,
      )
      .join('')}</tbody></table>
    <div class="act-row"><button type="button" class="btn" data-act="edit-rules">${L('修改规则', 'Edit rules')}</button></div>`;
  el.querySelector('[data-act=edit-rules]')!.addEventListener('click', () => {
    editing = true;
    renderRules();
  });
}

function categoryRow(c: RoutingRules['categories'][number] | null, i: number): string {
  const kinds = new Set(c?.departments ?? []);
  return `<tr data-row="${i}">
    <td class="icon-pick"><span class="icon-preview">${iconOf(c?.icon ?? 'doc')}</span><select name="icon" aria-label="${L('图标', 'Icon')}">${ICON_CHOICES.map((n) => `<option value="${n}" ${(c?.icon ?? 'doc') === n ? 'selected' : ''}>${n}</option>`).join('')}</select></td>
    <td><input name="name" value="${escapeHtml(c?.name ?? '')}" maxlength="40" required aria-label="${L('类别名称', 'Category name')}" /></td>
    <td><input name="code" value="${escapeHtml(c?.code ?? '')}" maxlength="32" pattern="[a-z][a-z0-9_]{1,31}" required aria-label="${L('代码', 'Code')}" ${c ? 'readonly' : ''} /></td>
    <td class="kinds">${DEPARTMENT_KINDS.map((k) => `<label class="chk"><input type="checkbox" name="dept" value="${k.kind}" ${kinds.has(k.kind) ? 'checked' : ''} />${k.county}</label>`).join('')}</td>
    <td><select name="level" aria-label="${L('级别', 'Level')}">${LEVEL_CHOICES.map((l) => `<option value="${l}" ${(c?.level ?? 'county') === l ? 'selected' : ''}>${levelName(l)}</option>`).join('')}</select></td>
    <td><button type="button" class="btn small" data-remove="${i}" title="${L('删除此类别', 'Remove this category')}">${L('删除', 'Remove')}</button></td></tr>`;
}

function renderRulesEditor(r: RoutingRules, error?: string): void {
  const el = document.getElementById('rules')!;
  el.innerHTML = `
    <form id="rules-form" class="rules-form">
      <div class="act-row">
        <label>${L('无人在线时，等待多少分钟后提供预约/回电', 'Minutes with nobody online before offering an appointment / call-back')} <input type="number" name="offerAfter" min="1" max="1440" value="${Math.round((r.waiting?.offerAfterSeconds ?? 120) / 60)}" /></label>
        <label>${L('预计等待超过多少分钟时提供', 'Offer when the estimate exceeds (minutes)')} <input type="number" name="maxWait" min="1" max="1440" value="${Math.round((r.waiting?.maxWaitSeconds ?? 1800) / 60)}" /></label>
        <label>${L('上报上级的兜底部门', 'Escalations fall back to')} <select name="escalation">${DEPARTMENT_KINDS.map((k) => `<option value="${k.kind}" ${r.escalationDepartment === k.kind ? 'selected' : ''}>${k.county}</option>`).join('')}</select></label>
      </div>
      <table class="rules-edit"><thead><tr><th>${L('图标', 'Icon')}</th><th>${L('类别名称', 'Category')}</th><th>${L('代码', 'Code')}</th><th>${L('分派部门（可多选，先接者办理）', 'Offices (several: the first to take it handles it)')}</th><th>${L('级别', 'Level')}</th><th></th></tr></thead>
      <tbody>${r.categories.map((c, i) => categoryRow(c, i)).join('')}</tbody></table>
      <div class="act-row"><button type="button" class="btn" data-act="add-rule">${L('新增类别', 'Add a category')}</button></div>
      ${error ? `<div class="late" role="alert">${error}</div>` : ''}
      <div class="act-row"><button type="submit" class="btn primary" data-act="save-rules">${L('保存规则', 'Save rules')}</button><button type="button" class="btn" data-act="cancel-rules">${L('取消', 'Cancel')}</button></div>
      <p class="muted">${L('保存前服务器会检查；不合格的规则不会替换正在使用的规则。新规则只影响之后登记的案件。', 'The server checks the rules before saving; invalid rules never replace the ones in use. New rules apply to cases registered afterwards.')}</p>
    </form>`;
  const form = el.querySelector<HTMLFormElement>('#rules-form')!;
  const tbody = form.querySelector('tbody')!;
  const bindRemove = () => {
    for (const b of tbody.querySelectorAll<HTMLButtonElement>('[data-remove]')) b.onclick = () => b.closest('tr')!.remove();
    for (const sel of tbody.querySelectorAll<HTMLSelectElement>('[name=icon]')) sel.onchange = () => (sel.previousElementSibling!.innerHTML = iconOf(sel.value));
  };
  bindRemove();
  form.querySelector('[data-act=add-rule]')!.addEventListener('click', () => {
    tbody.insertAdjacentHTML('beforeend', categoryRow(null, tbody.rows.length));
    bindRemove();
  });
  form.querySelector('[data-act=cancel-rules]')!.addEventListener('click', () => {
    editing = false;
    renderRules();
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void saveRules(form);
  });
}

async function saveRules(form: HTMLFormElement): Promise<void> {
  if (!rules) return;
  const num = (name: string) => Number((form.querySelector(`[name=${name}]`) as HTMLInputElement).value);
  const categories = [...form.querySelectorAll<HTMLTableRowElement>('tbody tr')].map((tr) => {
    const v = (n: string) => (tr.querySelector(`[name=${n}]`) as HTMLInputElement | HTMLSelectElement).value.trim();
    return {
      code: v('code'),
      name: v('name'),
      icon: v('icon'),
      departments: [...tr.querySelectorAll<HTMLInputElement>('[name=dept]:checked')].map((x) => x.value),
      level: v('level'),
    };
  });
  const empty = categories.find((c) => c.departments.length === 0);
  if (empty) return renderEditorError(form, L(`“${escapeHtml(empty.name || empty.code)}”至少要选一个部门`, `“${escapeHtml(empty.name || empty.code)}” needs at least one office`));
  const next = {
    version: rules.version + 1,
    escalationDepartment: (form.querySelector('[name=escalation]') as HTMLSelectElement).value,
    waiting: { offerAfterSeconds: Math.round(num('offerAfter') * 60), maxWaitSeconds: Math.round(num('maxWait') * 60) },
    categories,
  };
  try {
    rules = await api.put<RoutingRules>('/routing-rules', next);
    editing = false;
    renderRules();
  } catch (err) {
    renderEditorError(form, escapeHtml(plainError(err)));
  }
}

function renderEditorError(form: HTMLFormElement, html: string): void {
  let box = form.querySelector<HTMLElement>('[role=alert]');
  if (!box) {
    box = document.createElement('div');
    box.className = 'late';
    box.setAttribute('role', 'alert');
    form.querySelector('[data-act=save-rules]')!.closest('.act-row')!.before(box);
  }
  box.innerHTML = html;
}

async function boot(): Promise<void> {
  const ok = deskChrome({
    title: L('综治中心 · 视频接访总览', 'Coordination centre · petition overview'),
    bar: '.cbar', tokenKey: 'coordinator.token', roles: ['coordinator', 'admin'], role: L('综治中心人员', 'coordinator'),
    app, token, claims,
  });
  if (!ok || !token) return;
  api = new Api('/api/petition', token);
  shell();
  await loadRules();
  await refresh();
  const live = new LiveClient(token);
  live.on('petition:queue-changed', refreshSoon);
  live.on('petition:case-changed', refreshSoon);
  live.onConnect(refreshSoon);
  setInterval(() => void refresh(), REFRESH_MS);
}

void boot();
