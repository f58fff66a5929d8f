// Official desk (接访工作台): presence with heartbeats, the office's queue (and the official's own
// reception-day queue), accept next (offer → accept) or join an invitation, the case with its
// deadline clocks and timeline, the call, and the session's actions: invite another office or
// the level above, transfer, escalate, handling opinion, extension, end.
import { Api } from '../lib/api.ts';
import { CallSession } from '../lib/call-session.ts';
import { CallView } from '../lib/call-view.ts';
import { LiveClient } from '../lib/live.ts';
import {
  dateTime,
  deadlineClock,
  debounce,
  escapeHtml,
  EVENT_NAMES,
  KIND_NAMES,
  L,
  LEVEL_NAMES,
  minutes,
  plainError,
  RATING_NAMES,
  requestId,
  ROLE_NAMES,
  deskChrome,
  signInToken,
  STATE_NAMES,
  time,
  tokenClaims,
  type Case,
  type CaseEvent,
  type TimelineEvent,
  type QueueEntry,
  type RoutingRules,
} from '../petition-ui/common.ts';
import { icon } from '../petition-ui/icons.ts';

interface Official {
  id: string;
  name: string;
  departmentId: string;
  level: 'village' | 'township' | 'county' | 'city';
  regionCode: string;
  maxSessions: number;
  post: string | null;
}
type Presence = 'available' | 'busy' | 'away';
interface Desk {
  official: Official;
  queue: QueueEntry[];
  active: string[];
  presence: Presence | 'offline';
}
interface Assignment {
  case: Case;
  ticketId: string;
  kind: string;
  fromDepartmentId: string | null;
  roomId: string;
  token: string;
}
interface Offer {
  ticketId: string;
  leaseToken: string;
  kind: string;
  expiresInMs: number;
  case: Case | null;
}

const HEARTBEAT_MS = 10_000;
const PRESENCE_NAMES: Record<Presence, () => string> = { available: () => L('在岗', 'Available'), busy: () => L('忙碌', 'Busy'), away: () => L('暂离', 'Away') };

const app = document.getElementById('app')!;
const banner = document.getElementById('banner')!;
const token = signInToken('official.token');
const claims = token ? tokenClaims(token) : null;

let api: Api;
let live: LiveClient;
let rules: RoutingRules | null = null;
let desk: Desk | null = null;
/** Every office by id, from the server's directory. */
let offices = new Map<string, { id: string; name: string; regionCode: string }>();
let presence: Presence = 'available';
let offer: (Offer & { until: number }) | null = null;
/** The case open in the workspace, with its room (when in session). */
let open: { case: Case; timeline: TimelineEvent[]; room: { roomId: string; token: string } | null; ended: boolean } | null = null;
let session: CallSession | null = null;
let seenInvites = new Set<string>();
let busyAction = false;

const confirmWithin = (seconds: number) => L(`${seconds} 秒内确认`, `confirm within ${seconds} s`);
const notGiven = () => L('未填写', 'not given');
const categoryName = (code: string) => rules?.categories.find((c) => c.code === code)?.name ?? code;
const caseIdOfTicket = (ticketId: string) => ticketId.split(':')[0]!;
/** Offices the desk can invite or transfer to: the other offices of the official's own region. */
function peerOffices(): { id: string; name: string }[] {
  if (!desk) return [];
  const o = desk.official;
  return [...offices.values()].filter((d) => d.regionCode === o.regionCode && d.id !== o.departmentId);
}
function departmentLabel(id: string): string {
  return offices.get(id)?.name ?? id;
}

function showBanner(html: string, kind: 'info' | 'error' | 'invite' = 'info', ms = 8000): void {
  banner.innerHTML = html;
  banner.dataset.kind = kind;
  banner.hidden = false;
  clearTimeout((showBanner as unknown as { t?: ReturnType<typeof setTimeout> }).t);
  if (ms > 0) (showBanner as unknown as { t?: ReturnType<typeof setTimeout> }).t = setTimeout(() => (banner.hidden = true), ms);
}
const showError = (err: unknown) => showBanner(`${icon('alert')} ${escapeHtml(plainError(err))}`, 'error');

// ---- layout -------------------------------------------------------------------------------------------

function renderShell(): void {
  app.innerHTML = `
    <aside class="side">
      <section class="card queue-card">
        <div class="card-head"><h2>${L('我的队列', 'My queue')}</h2><span id="queue-count" class="count"></span></div>
        <button type="button" class="btn primary big" data-act="next">${L('接待下一位', 'Take next')}</button>
        <div id="offer"></div>
        <ol id="queue" class="queue"></ol>
      </section>
      <section class="card">
        <div class="card-head"><h2>${L('进行中的接访', 'My sessions')}</h2></div>
        <ul id="active" class="active-list"></ul>
      </section>
    </aside>
    <section id="work" class="work"></section>`;
  app.querySelector('[data-act=next]')!.addEventListener('click', () => void takeNext());
  renderWork();
}

function renderPresence(): void {
  const el = document.getElementById('presence')!;
  el.innerHTML = (Object.keys(PRESENCE_NAMES) as Presence[])
    .map((p) => `<button type="button" class="pbtn p-${p}" data-presence="${p}" aria-pressed="${p === presence}">${PRESENCE_NAMES[p]()}</button>`)
    .join('');
  for (const b of el.querySelectorAll<HTMLButtonElement>('[data-presence]')) {
    b.addEventListener('click', () => {
      presence = b.dataset.presence as Presence;
      renderPresence();
      void heartbeat();
    });
  }
}

async function heartbeat(): Promise<void> {
  try {
    await api.post('/presence', { status: presence });
  } catch (err) {
    showError(err);
  }
}

// ---- queue and offers --------------------------------------------------------------------------------

async function refreshDesk(): Promise<void> {
  try {
    desk = await api.get<Desk>('/desk');
  } catch (err) {
    return showError(err);
  }
  renderQueue();
}
const refreshDeskSoon = debounce(() => void refreshDesk(), 300);

function renderQueue(): void {
  if (!desk) return;
  const now = Date.now();
  document.getElementById('queue-count')!.textContent = L(`${desk.queue.length} 人等待`, `${desk.queue.length} waiting`);
  const q = document.getElementById('queue')!;
  q.innerHTML =
    desk.queue.length === 0
      ? `<li class="empty">${L('现在没有人排队', 'Nobody is waiting')}</li>`
      : desk.queue
          .map(
            (e) => `<li class="q-${e.kind} prio-${e.priority}" data-ticket="${escapeHtml(e.ticketId)}">
              <span class="badge">${KIND_NAMES[e.kind] ?? escapeHtml(e.kind)}</span>
              ${e.priority === 'priority' ? `<span class="badge warn">${L('优先', 'Priority')}</span>` : ''}
              <span class="qcase">${escapeHtml(e.caseId)}</span>
              <span class="qwait">${L('等了', 'waited')} ${minutes(Math.max(0, (now - Date.parse(e.enqueuedAt)) / 1000))}</span>
              ${e.kind === 'invite' ? `<button type="button" class="btn primary small" data-join="${escapeHtml(e.ticketId)}">${L('加入会商', 'Join')}</button>` : ''}
            </li>`,
          )
          .join('');
  for (const b of q.querySelectorAll<HTMLButtonElement>('[data-join]')) b.addEventListener('click', () => void acceptTicket(b.dataset.join!));
  // A new invitation: say so prominently.
  const invites = desk.queue.filter((e) => e.kind === 'invite');
  for (const inv of invites) {
    if (seenInvites.has(inv.ticketId)) continue;
    seenInvites.add(inv.ticketId);
    showBanner(
      `${icon('people')} ${L('有部门邀请您加入联合接访：案件', 'You are invited to join a joint session: case')} <b>${escapeHtml(inv.caseId)}</b> <button type="button" class="btn primary small" data-join="${escapeHtml(inv.ticketId)}">${L('加入会商', 'Join')}</button>`,
      'invite',
      0,
    );
    banner.querySelector<HTMLButtonElement>('[data-join]')!.addEventListener('click', () => void acceptTicket(inv.ticketId));
  }
  seenInvites = new Set([...seenInvites].filter((id) => invites.some((i) => i.ticketId === id)));
  if (banner.dataset.kind === 'invite' && !invites.some((i) => banner.innerHTML.includes(i.ticketId))) banner.hidden = true;

  const a = document.getElementById('active')!;
  const caseIds = [...new Set(desk.active.map(caseIdOfTicket))];
  a.innerHTML =
    caseIds.length === 0
      ? `<li class="empty">${L('没有', 'None')}</li>`
      : caseIds
          .map((id) => `<li><span>${escapeHtml(id)}</span>${open?.case.id === id ? `<span class="badge ok">${L('当前', 'Open')}</span>` : `<button type="button" class="btn small" data-resume="${escapeHtml(id)}">${L('打开', 'Open')}</button>`}</li>`)
          .join('');
  for (const b of a.querySelectorAll<HTMLButtonElement>('[data-resume]')) b.addEventListener('click', () => void resume(b.dataset.resume!));
}

async function takeNext(): Promise<void> {
  if (offer) return;
  try {
    const o = await api.post<Offer | null>('/offers', { requestId: requestId() });
    if (!o || !o.ticketId) return showBanner(L('现在没有人排队。', 'Nobody is waiting.'), 'info', 4000);
    offer = { ...o, until: Date.now() + o.expiresInMs };
    renderOffer();
  } catch (err) {
    showError(err);
  }
}

function renderOffer(): void {
  const el = document.getElementById('offer')!;
  if (!offer) {
    el.innerHTML = '';
    return;
  }
  const c = offer.case;
  const left = Math.max(0, Math.ceil((offer.until - Date.now()) / 1000));
  el.innerHTML = `
    <div class="offer" data-offer="${escapeHtml(offer.ticketId)}">
      <div class="offer-head"><span class="badge">${KIND_NAMES[offer.kind] ?? escapeHtml(offer.kind)}</span> <b>${escapeHtml(c?.id ?? offer.ticketId)}</b> <span class="left" id="offer-left">${confirmWithin(left)}</span></div>
      ${
        c
          ? `<p>${escapeHtml(categoryName(c.category))}${c.petitionerName ? ` · ${escapeHtml(c.petitionerName)}` : ''}${c.flags.elderly ? ` · ${L('老人', 'elderly')}` : ''}${c.flags.disabled ? ` · ${L('残疾人', 'disabled')}` : ''}${c.flags.urgent ? ` · ${L('紧急', 'urgent')}` : ''}</p>
             ${c.description ? `<p class="desc">${escapeHtml(c.description)}</p>` : ''}`
          : ''
      }
      <div class="offer-actions">
        <button type="button" class="btn primary" data-act="accept-offer">${L('接听', 'Accept')}</button>
        <button type="button" class="btn" data-act="decline-offer">${L('放回队列', 'Put back')}</button>
      </div>
    </div>`;
  el.querySelector('[data-act=accept-offer]')!.addEventListener('click', () => void acceptOffer());
  el.querySelector('[data-act=decline-offer]')!.addEventListener('click', () => void declineOffer());
}

async function acceptOffer(): Promise<void> {
  if (!offer) return;
  const o = offer;
  offer = null;
  renderOffer();
  try {
    await openAssignment(await api.post<Assignment>('/offers/accept', { ticketId: o.ticketId, leaseToken: o.leaseToken }));
  } catch (err) {
    showError(err);
  }
  void refreshDesk();
}

async function declineOffer(): Promise<void> {
  if (!offer) return;
  const o = offer;
  offer = null;
  renderOffer();
  await api.post('/offers/decline', { ticketId: o.ticketId, leaseToken: o.leaseToken }).catch(showError);
  void refreshDesk();
}

async function acceptTicket(ticketId: string): Promise<void> {
  banner.hidden = true;
  try {
    await openAssignment(await api.post<Assignment>(`/tickets/${encodeURIComponent(ticketId)}/accept`, { requestId: requestId() }));
  } catch (err) {
    showError(err);
  }
  void refreshDesk();
}

// ---- the case workspace -----------------------------------------------------------------------------

async function openAssignment(a: Assignment): Promise<void> {
  await openCase(a.case.id, { roomId: a.roomId, token: a.token });
}

async function resume(caseId: string): Promise<void> {
  try {
    const room = await api.post<{ roomId: string; token: string }>(`/cases/${caseId}/room-token`, {});
    await openCase(caseId, room);
  } catch (err) {
    showError(err);
  }
}

async function openCase(caseId: string, room: { roomId: string; token: string } | null): Promise<void> {
  if (open && open.case.id !== caseId) leaveCall();
  const [c, timeline] = await Promise.all([api.get<Case>(`/cases/${caseId}`), api.get<TimelineEvent[]>(`/cases/${caseId}/timeline`)]);
  open = { case: c, timeline, room, ended: false };
  void live.watchCase(caseId).catch(() => undefined);
  renderWork();
  if (room) startCall(room);
  renderQueue();
}

async function refreshOpen(): Promise<void> {
  if (!open) return;
  const id = open.case.id;
  try {
    const [c, timeline] = await Promise.all([api.get<Case>(`/cases/${id}`), api.get<TimelineEvent[]>(`/cases/${id}/timeline`)]);
    if (!open || open.case.id !== id) return;
    open.case = c;
    open.timeline = timeline;
    renderCaseParts();
  } catch (err) {
    showError(err);
  }
}
const refreshOpenSoon = debounce(() => void refreshOpen(), 300);

function isLead(): boolean {
  return !!open && !!desk && open.case.officialId === desk.official.id;
}

function renderWork(): void {
  const w = document.getElementById('work');
  if (!w) return;
  if (!open) {
    w.innerHTML = `<div class="card idle"><h2>${L('当前没有接访', 'No session open')}</h2><p>${L('点“接待下一位”开始；有部门邀请会商时，页面顶部会提示。', 'Press “Take next” to begin; invitations to joint sessions appear at the top.')}</p></div>`;
    return;
  }
  const id = open.case.id;
  w.innerHTML = `
    <div class="card case-head" id="case-head"></div>
    <div class="work-grid">
      <div class="col-call">
        <div id="call-host" class="call-host"></div>
        <div class="card" id="actions"></div>
      </div>
      <div class="col-info">
        <div class="card" id="deadlines"></div>
        <div class="card" id="details"></div>
        <div class="card"><h3>${L('案件时间线', 'Timeline')}</h3><ol id="timeline" class="timeline" data-case-id="${escapeHtml(id)}"></ol></div>
      </div>
    </div>`;
  renderCaseParts();
}

function renderCaseParts(): void {
  if (!open) return;
  const c = open.case;
  const head = document.getElementById('case-head');
  if (!head) return;
  head.innerHTML = `
    <div><span class="case-id" data-case-id>${escapeHtml(c.id)}</span>
    <span class="badge state-${c.state}" data-state="${c.state}">${STATE_NAMES[c.state]}</span>
    <span class="badge">${open.ended ? L('已离开', 'Left') : isLead() ? L('主办', 'Lead') : L('会商', 'Invited')}</span></div>
    <div class="case-cat">${escapeHtml(categoryName(c.category))}${c.departmentId ? ` · ${L('主办：', 'lead office: ')}${escapeHtml(departmentLabel(c.departmentId))}` : ''}</div>`;

  const accept = c.acceptedAt ? null : deadlineClock(c.acceptDeadline, 15);
  const handle = deadlineClock(c.handleDeadline, c.handleExtended ? 90 : 60);
  document.getElementById('deadlines')!.innerHTML = `
    <h3>${L('办理期限', 'Deadlines')}</h3>
    <div class="clocks">
      <div class="clock ${accept ? `lvl-${accept.level}` : 'lvl-done'}">
        <div class="clock-label">${L('受理告知（15 日）', 'Acceptance notice (15 days)')}</div>
        <div class="clock-value">${accept ? accept.text : L('已受理', 'Accepted')}</div>
        <div class="clock-bar"><span style="width:${Math.round((accept?.fraction ?? 1) * 100)}%"></span></div>
        <div class="clock-date">${c.acceptedAt ? `${L('受理于', 'accepted')} ${dateTime(c.acceptedAt)}` : `${L('截止', 'due')} ${dateTime(c.acceptDeadline)}`}</div>
      </div>
      <div class="clock lvl-${handle.level}">
        <div class="clock-label">${L('办理（60 日', 'Handling (60 days')}${c.handleExtended ? L(' + 延长 30 日', ' + 30 extended') : ''}${L('）', ')')}</div>
        <div class="clock-value">${handle.text}</div>
        <div class="clock-bar"><span style="width:${Math.round(handle.fraction * 100)}%"></span></div>
        <div class="clock-date">${L('截止', 'due')} ${dateTime(c.handleDeadline)}${c.acceptedAt ? '' : L('（暂按登记日计算）', ' (from registration until accepted)')}</div>
      </div>
    </div>
    ${c.extensionReason ? `<p class="muted">${L('延长理由：', 'Extension reason: ')}${escapeHtml(c.extensionReason)}</p>` : ''}`;

  const flags = [c.flags.elderly && L('老年人', 'elderly'), c.flags.disabled && L('残疾人', 'disabled'), c.flags.urgent && L('紧急', 'urgent')].filter(Boolean).join(L('、', ', '));
  document.getElementById('details')!.innerHTML = `
    <h3>${L('案件信息', 'Case')}</h3>
    <dl class="facts">
      <dt>${L('信访人', 'Petitioner')}</dt><dd>${escapeHtml(c.petitionerName ?? notGiven())}</dd>
      <dt>${L('联系电话', 'Phone')}</dt><dd>${escapeHtml(c.phone ?? notGiven())}</dd>
      <dt>${L('身份证号', 'ID number')}</dt><dd>${escapeHtml(c.idNumberMasked ?? notGiven())}</dd>
      <dt>${L('接访终端', 'Terminal')}</dt><dd>${escapeHtml(c.terminalId)}</dd>
      <dt>${L('登记时间', 'Registered')}</dt><dd>${dateTime(c.registeredAt, true)}</dd>
      ${flags ? `<dt>${L('优先', 'Priority')}</dt><dd>${flags}</dd>` : ''}
      <dt>${L('反映事项', 'Matter')}</dt><dd>${escapeHtml(c.description ?? L('（信访人未填写，请在通话中询问）', '(not given; ask in the call)'))}</dd>
      ${c.opinion ? `<dt>${L('办理意见', 'Opinion')}</dt><dd class="opinion-text">${escapeHtml(c.opinion)}</dd>` : ''}
      ${c.rating ? `<dt>${L('评价', 'Rating')}</dt><dd>${RATING_NAMES[c.rating]}</dd>` : ''}
    </dl>`;

  document.getElementById('timeline')!.innerHTML = open.timeline
    .map(
      (e) => `<li data-event="${escapeHtml(e.type)}"><time datetime="${e.at}">${time(e.at)}</time>
        <b>${EVENT_NAMES[e.type] ?? escapeHtml(e.type)}</b>
        <span class="actor">${ROLE_NAMES[e.actorRole] ?? escapeHtml(e.actorRole)} ${escapeHtml(e.actorName ?? e.actorId)}</span>
        ${eventDetail(e)}</li>`,
    )
    .join('');
  renderActions();
}

function eventDetail(e: CaseEvent): string {
  const d = e.data;
  const s = (v: unknown) => (typeof v === 'string' ? v : '');
  switch (e.type) {
    case 'invited':
      return `<span class="ev">→ ${escapeHtml(s(d.departmentName) || s(d.departmentId))}${d.level === 'up' ? L('（上一级）', ' (level above)') : ''}</span>`;
    case 'joined':
    case 'claimed':
      return `<span class="ev">${escapeHtml(departmentLabel(s(d.departmentId)))}</span>`;
    case 'transferred':
    case 'escalated':
      return `<span class="ev">→ ${escapeHtml(s(d.toName))}：${escapeHtml(s(d.reason))}</span>`;
    case 'opinion_written':
      return `<span class="ev">${d.accepted ? L('受理', 'accepted') : L('不予受理', 'not accepted')}</span>`;
    case 'rated':
      return `<span class="ev">${RATING_NAMES[s(d.rating)] ?? ''}</span>`;
    case 'deadline_extended':
      return `<span class="ev">${escapeHtml(s(d.reason))}</span>`;
    default:
      return '';
  }
}

function renderActions(): void {
  const el = document.getElementById('actions');
  if (!el || !open) return;
  const c = open.case;
  const inSession = (c.state === 'in_session' || c.state === 'joint_session') && !open.ended;
  /** Still holding the session (the opinion may be written; the petitioner may be rating). */
  const inRoom = !!open.room && !open.ended && !['transferred', 'escalated'].includes(c.state);
  const lead = isLead();
  const offices = peerOffices();
  const options = offices.map((d) => `<option value="${escapeHtml(d.id)}">${escapeHtml(d.name)}</option>`).join('');
  // Keep what the official was typing or had open across re-renders (live pushes re-render).
  const kept = new Map<string, string>();
  for (const f of el.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('[name]')) {
    if (f instanceof HTMLInputElement && f.type === 'radio') {
      if (f.checked) kept.set(f.name, f.value);
    } else kept.set(f.name, f.value);
  }
  const openDetails = [...el.querySelectorAll<HTMLDetailsElement>('details')].map((d) => d.open);
  el.innerHTML = `
    ${
      inSession
        ? `
      <div class="act-row">
        <label>${L('邀请会商', 'Invite an office')}
          <select name="invite">${options}<option value="up">${L('上一级同类部门', 'Same office, level above')}</option></select></label>
        <button type="button" class="btn" data-act="invite">${L('邀请加入', 'Invite')}</button>
      </div>
      ${
        lead
          ? `
      <details class="act-more"><summary>${L('转办 / 上报上级', 'Transfer / escalate')}</summary>
        <div class="act-row">
          <label>${L('转办给', 'Transfer to')}<select name="transfer">${options}</select></label>
          <label class="grow">${L('理由', 'Reason')}<input name="transfer-reason" maxlength="500" placeholder="${L('转办理由（必填）', 'Reason for the transfer (required)')}" /></label>
          <button type="button" class="btn" data-act="transfer">${L('转办', 'Transfer')}</button>
        </div>
        <div class="act-row">
          <label class="grow">${L('上报理由', 'Reason')}<input name="escalate-reason" maxlength="500" placeholder="${L('上报上级的理由（必填）', 'Reason for escalating (required)')}" /></label>
          <button type="button" class="btn" data-act="escalate">${L('上报上级', 'Escalate')}</button>
        </div>
      </details>
      <div class="opinion-box">
        <label>${L('办理意见', 'Handling opinion')}<textarea name="opinion" rows="4" maxlength="5000" placeholder="${L('写明事实、依据和处理意见', 'Facts, grounds and decision')}">${escapeHtml(c.opinion ?? '')}</textarea></label>
        <div class="act-row">
          <label class="inline"><input type="radio" name="accepted" value="yes" checked /> ${L('受理', 'Accepted')}</label>
          <label class="inline"><input type="radio" name="accepted" value="no" /> ${L('不予受理', 'Not accepted')}</label>
          <button type="button" class="btn primary" data-act="opinion">${L('提交办理意见', 'Save opinion')}</button>
        </div>
      </div>
`
          : `<p class="muted">${L('您是会商部门：可以邀请其他部门；办理意见、转办和结束由主办干部操作。', 'You were invited: you may invite other offices; the lead official writes the opinion, transfers and ends.')}</p>`
      }`
        : `<p class="muted">${open.ended ? L('本次接访已结束。', 'This session has ended.') : `${L('案件状态：', 'State: ')}${STATE_NAMES[c.state]}${c.state === 'handled' ? L('，等待信访人评价', ', waiting for the rating') : ''}`}</p>`
    }
    ${
      inRoom
        ? `<div class="act-row end-row">${
            lead ? `<button type="button" class="btn danger" data-act="end">${L('结束接访', 'End session')}</button>` : `<button type="button" class="btn" data-act="leave">${L('离开会商', 'Leave')}</button>`
          }</div>`
        : `<div class="act-row end-row"><button type="button" class="btn" data-act="close">${L('关闭案件', 'Close case')}</button></div>`
    }
    ${
      lead && !c.handleExtended && !['archived'].includes(c.state)
        ? `<details class="act-more"><summary>${L('延长办理期限（30 日，限一次）', 'Extend the handling deadline (30 days, once)')}</summary>
            <div class="act-row"><label class="grow">${L('延长理由', 'Reason')}<input name="extend-reason" maxlength="500" placeholder="${L('书面理由（必填）', 'Written reason (required)')}" /></label>
            <button type="button" class="btn" data-act="extend">${L('延长', 'Extend')}</button></div></details>`
        : ''
    }`;
  for (const f of el.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('[name]')) {
    const v = kept.get(f.name);
    if (v === undefined) continue;
    if (f instanceof HTMLInputElement && f.type === 'radio') f.checked = f.value === v;
    else f.value = v;
  }
  el.querySelectorAll<HTMLDetailsElement>('details').forEach((d, i) => (d.open = openDetails[i] ?? false));
  const val = (name: string) => (el.querySelector<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(`[name="${name}"]`)?.value ?? '').trim();
  const bind = (act: string, fn: () => Promise<unknown>) =>
    el.querySelector(`[data-act=${act}]`)?.addEventListener('click', () => void runAction(fn));
  bind('invite', async () => {
    const v = val('invite');
    const t = await api.post<{ id: string; departmentIds: string[] }>(`/cases/${c.id}/invite`, v === 'up' ? { level: 'up' } : { departmentId: v });
    await refreshOpen();
    // The timeline's invitation carries the office's full name.
    const ev = open?.timeline.filter((e) => e.type === 'invited' && e.data.ticketId === t.id).pop();
    const name = typeof ev?.data.departmentName === 'string' ? ev.data.departmentName : t.departmentIds.map(departmentLabel).join(L('、', ', '));
    showBanner(L(`已发出邀请：${escapeHtml(name)}，请等待对方加入。`, `Invited: ${escapeHtml(name)}; waiting for them to join.`), 'info', 5000);
  });
  bind('transfer', async () => {
    const reason = val('transfer-reason');
    if (!reason) throw new Error(L('请填写转办理由', 'Please give the reason for the transfer'));
    await api.post(`/cases/${c.id}/transfer`, { departmentId: val('transfer'), reason });
    showBanner(L('已转办，信访人留在通话中等待新部门接听。', 'Transferred; the petitioner stays in the call for the new office.'), 'info', 5000);
    endLocally();
  });
  bind('escalate', async () => {
    const reason = val('escalate-reason');
    if (!reason) throw new Error(L('请填写上报理由', 'Please give the reason for escalating'));
    await api.post(`/cases/${c.id}/escalate`, { reason });
    showBanner(L('已上报上级，信访人留在通话中等待上级部门接听。', 'Escalated; the petitioner stays in the call for the office above.'), 'info', 5000);
    endLocally();
  });
  bind('opinion', async () => {
    const opinion = val('opinion');
    if (!opinion) throw new Error(L('请填写办理意见', 'Please write the opinion'));
    const accepted = el.querySelector<HTMLInputElement>('[name=accepted]:checked')?.value !== 'no';
    open!.case = await api.post<Case>(`/cases/${c.id}/opinion`, { opinion, accepted });
    showBanner(L('办理意见已保存，信访人的终端正在请他评价。', 'Opinion saved; the terminal is asking the petitioner for a rating.'), 'info', 5000);
  });
  bind('extend', async () => {
    const reason = val('extend-reason');
    if (!reason) throw new Error(L('请填写延长理由', 'Please give the reason for the extension'));
    open!.case = await api.post<Case>(`/cases/${c.id}/extend`, { reason });
  });
  bind('end', async () => {
    await api.post(`/cases/${c.id}/end`, {});
    endLocally();
  });
  bind('leave', async () => endLocally());
  bind('close', async () => {
    leaveCall();
    open = null;
    renderWork();
    renderQueue();
  });
}

async function runAction(fn: () => Promise<unknown>): Promise<void> {
  if (busyAction) return;
  busyAction = true;
  try {
    await fn();
    await refreshOpen();
  } catch (err) {
    showError(err);
  } finally {
    busyAction = false;
    void refreshDesk();
  }
}

function endLocally(): void {
  leaveCall();
  if (open) open.ended = true;
}

// ---- the call -------------------------------------------------------------------------------------

function startCall(room: { roomId: string; token: string }): void {
  leaveCall();
  const s = new CallSession({ token: room.token, roomId: room.roomId });
  session = s;
  (window as unknown as { callSession: CallSession }).callSession = s;
  const view = new CallView(s, {
    onLeave: () => {
      // Hung up by mistake, or to step out: the session goes on; offer the way back in.
      session = null;
      const host = document.getElementById('call-host');
      if (!host || !open || open.ended) return;
      const caseId = open.case.id;
      host.innerHTML = `<div class="call-off">${L('您已离开通话，接访仍在进行。', 'You left the call; the session goes on.')}<button type="button" class="btn primary" data-act="rejoin">${L('重新加入通话', 'Rejoin the call')}</button></div>`;
      host.querySelector('[data-act=rejoin]')!.addEventListener('click', () => void resume(caseId));
    },
  });
  document.getElementById('call-host')?.replaceChildren(view.el);
  s.start().then(
    () => view.refresh(),
    (err: unknown) => showError(err),
  );
}

function leaveCall(): void {
  const s = session;
  session = null;
  s?.close();
  const host = document.getElementById('call-host');
  if (host) host.innerHTML = `<div class="call-off">${L('通话已结束', 'Call ended')}</div>`;
}

// ---- boot -------------------------------------------------------------------------------------------

async function boot(): Promise<void> {
  const ok = deskChrome({
    title: L('接访工作台', 'Official desk'),
    bar: '.dbar', tokenKey: 'official.token', roles: ['official'], role: L('接访干部', 'official'),
    app, token, claims,
  });
  if (!ok || !token) return;
  api = new Api('/api/petition', token);
  renderPresence();
  renderShell();
  try {
    let directory: { id: string; name: string; regionCode: string }[];
    [rules, desk, directory] = await Promise.all([
      api.get<RoutingRules>('/routing-rules'),
      api.get<Desk>('/desk'),
      api.get<{ id: string; name: string; regionCode: string }[]>('/departments'),
    ]);
    offices = new Map(directory.map((d) => [d.id, d]));
  } catch (err) {
    app.innerHTML = `<div class="card"><h2>${L('无法打开工作台', 'Cannot open the desk')}</h2><p>${escapeHtml(plainError(err))}</p></div>`;
    return;
  }
  const o = desk.official;
  document.getElementById('who')!.textContent = `${o.name}${o.post ? ` · ${o.post}` : ''} · ${departmentLabel(o.departmentId)} · ${L(`${LEVEL_NAMES[o.level]}级`, `${LEVEL_NAMES[o.level]} level`)}`;
  if (desk.presence !== 'offline') presence = desk.presence;
  renderPresence();
  void heartbeat();
  setInterval(() => void heartbeat(), HEARTBEAT_MS);

  live = new LiveClient(token);
  const mine = (ids: string[]) => ids.includes(o.departmentId) || ids.includes(`official:${o.id}`);
  live.on('petition:queue-changed', (p) => {
    if (mine(p.departmentIds)) refreshDeskSoon();
  });
  live.on('petition:assigned', () => refreshDeskSoon());
  live.on('petition:case-changed', (p) => {
    if (open && p.caseId === open.case.id) refreshOpenSoon();
  });
  live.onConnect(() => {
    refreshDeskSoon();
    if (open) void live.watchCase(open.case.id).catch(() => undefined);
  });
  // Timeline and clocks refresh while the desk stays open; offers count down.
  setInterval(() => {
    if (offer) {
      const left = Math.ceil((offer.until - Date.now()) / 1000);
      if (left <= 0) {
        offer = null;
        renderOffer();
        showBanner(L('确认超时，案件已放回队列。', 'Not confirmed in time; the case went back to the queue.'), 'info', 4000);
        refreshDeskSoon();
      } else {
        const el = document.getElementById('offer-left');
        if (el) el.textContent = confirmWithin(left);
      }
    }
  }, 1000);
  setInterval(() => renderQueue(), 30_000);
  renderQueue();
  // Resume the session this official holds (page reload, reconnect).
  const active = [...new Set(desk.active.map(caseIdOfTicket))];
  if (active.length === 1) void resume(active[0]!);
}

void boot();
