// Village terminal kiosk (视频接访终端): one tap on a big category button starts a petition; the
// screen then shows the case number, the place in the queue and an honest wait, offers a
// reception-day appointment or a call-back when waiting makes no sense, runs the call once an
// official accepts (audio-only fallback), asks for a rating with big buttons and ends on a
// receipt with the case number. Chinese, ≥24px text, nothing to type unless a helper (代办员)
// wants to fill in details.
import { Api } from '../lib/api.ts';
import { CallSession } from '../lib/call-session.ts';
import { CallView } from '../lib/call-view.ts';
import { LiveClient } from '../lib/live.ts';
import {
  friendlyDate,
  escapeHtml,
  iconOf,
  minutes,
  plainError,
  RATING_NAMES,
  signInToken,
  STATE_NAMES,
  tokenClaims,
  type AppointmentOffer,
  type Case,
  type CategoryRule,
  type Rating,
  type RoutingRules,
  type WaitInfo,
} from '../petition-ui/common.ts';
import { icon } from '../petition-ui/icons.ts';

const app = document.getElementById('app')!;
const toastEl = document.getElementById('toast')!;
const HEARTBEAT_MS = 10_000;
const WAIT_POLL_MS = 15_000;
/** After the receipt, the terminal goes back to the start screen for the next person. */
const RECEIPT_RESET_MS = 3 * 60_000;


interface Started {
  case: Case;
  ticketId: string;
  departments: { id: string; name: string }[];
  wait: WaitInfo;
  roomId: string;
  token: string;
}

type Screen = 'start' | 'waiting' | 'call' | 'rating' | 'receipt' | 'error';

const token = signInToken('terminal.token');
const claims = token ? tokenClaims(token) : null;
const terminalId = claims?.attributes.terminalId;
/** The case on screen, remembered per terminal so a reload resumes it. */
const CASE_KEY = `terminal.caseId.${terminalId ?? ''}`;

let api: Api;
let live: LiveClient;
let rules: RoutingRules | null = null;
let screen: Screen = 'start';
let current: Case | null = null;
let departmentNames: string[] = [];
let room: { roomId: string; token: string } | null = null;
let wait: WaitInfo | null = null;
let waitFetchedAt = 0;
let session: CallSession | null = null;
let audioOnly = false;
let hadPeers = false;
/** The petitioner hung up: do not pull them back into the call on the next push. */
let hungUp = false;
let resetTimer: ReturnType<typeof setTimeout> | undefined;
let pollTimer: ReturnType<typeof setInterval> | undefined;
const details = { petitionerName: '', phone: '', description: '', elderly: false, disabled: false, urgent: false };

function toast(msg: string, ms = 6000): void {
  toastEl.textContent = msg;
  toastEl.hidden = false;
  clearTimeout((toast as unknown as { t?: ReturnType<typeof setTimeout> }).t);
  (toast as unknown as { t?: ReturnType<typeof setTimeout> }).t = setTimeout(() => (toastEl.hidden = true), ms);
}

function setScreen(s: Screen): void {
  screen = s;
  document.body.dataset.screen = s;
}

// ---- spoken prompts: many petitioners read little; the terminal says what the screen says --------

let voiceOn = localStorage.getItem('terminal.voice') !== 'off';
let lastSaid = '';
function say(text: string): void {
  if (!voiceOn || text === lastSaid || !('speechSynthesis' in window)) return;
  lastSaid = text;
  try {
    speechSynthesis.cancel();
    const u = new SpeechSynthesisUtterance(text);
    u.lang = 'zh-CN';
    u.rate = 0.85;
    speechSynthesis.speak(u);
  } catch {
    // No speech on this machine: the screen still says it.
  }
}
/** A case number read out in groups, e.g. "XF 2026 1126, 000042". */
const spokenCaseNo = (id: string) => id.replace(/^XF(\d{4})(\d{4})-(\d+)$/, 'X F，$1，$2，$3').split('').join(' ');
function bindVoiceToggle(): void {
  const b = document.getElementById('voice')!;
  const label = () => {
    b.textContent = voiceOn ? '语音提示：开' : '语音提示：关';
    b.setAttribute('aria-pressed', String(voiceOn));
  };
  label();
  b.addEventListener('click', () => {
    voiceOn = !voiceOn;
    localStorage.setItem('terminal.voice', voiceOn ? 'on' : 'off');
    if (!voiceOn && 'speechSynthesis' in window) speechSynthesis.cancel();
    lastSaid = '';
    label();
  });
}

/** Helper-entered details do not linger for the next person: cleared after a while untouched. */
const IDLE_CLEAR_MS = 3 * 60_000;
let idleTimer: ReturnType<typeof setTimeout> | undefined;
function touchIdle(): void {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    if (screen !== 'start') return;
    Object.assign(details, { petitionerName: '', phone: '', description: '', elderly: false, disabled: false, urgent: false });
    renderStart();
  }, IDLE_CLEAR_MS);
}

// ---- start: category buttons and the helper's panel -------------------------------------------

function renderStart(): void {
  setScreen('start');
  clearTimeout(resetTimer);
  const cats = rules?.categories ?? [];
  app.innerHTML = `
    <section class="start">
      <h2 class="prompt">请点一下您要反映的问题</h2>
      <p class="sub">点一下就开始，不用写字。工作人员会通过视频和您面对面交谈。</p>
      <div class="cats" role="group" aria-label="问题类别">
        ${cats
          .map(
            (c) => `<button type="button" class="cat" data-category="${escapeHtml(c.code)}">
              <span class="cat-icon cat-${escapeHtml(c.icon)}">${iconOf(c.icon)}</span>
              <span class="cat-name">${escapeHtml(c.name)}</span></button>`,
          )
          .join('')}
      </div>
      <details class="helper" ${details.petitionerName || details.phone || details.description ? 'open' : ''}>
        <summary>代办员帮忙填写信息（可不填）</summary>
        <div class="helper-grid">
          <label>信访人姓名<input name="petitionerName" maxlength="50" autocomplete="off" value="${escapeHtml(details.petitionerName)}" /></label>
          <label>联系电话（回电用）<input name="phone" inputmode="tel" maxlength="13" autocomplete="off" value="${escapeHtml(details.phone)}" /></label>
          <label class="wide">反映的事情（简要）<textarea name="description" rows="3" maxlength="2000">${escapeHtml(details.description)}</textarea></label>
          <div class="flags wide" role="group" aria-label="优先照顾">
            <button type="button" class="flag" data-flag="elderly" aria-pressed="${details.elderly}">${icon('elderly')} 70 岁以上老人</button>
            <button type="button" class="flag" data-flag="disabled" aria-pressed="${details.disabled}">${icon('wheelchair')} 残疾人</button>
            <button type="button" class="flag" data-flag="urgent" aria-pressed="${details.urgent}">${icon('alert')} 情况紧急</button>
          </div>
          <p class="hint wide">填好后，再点上面的问题类别开始。</p>
        </div>
      </details>
    </section>`;
  for (const b of app.querySelectorAll<HTMLButtonElement>('.cat')) b.addEventListener('click', () => void start(b.dataset.category!, b));
  touchIdle();
  for (const input of app.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('.helper input, .helper textarea')) {
    input.addEventListener('input', () => ((details as Record<string, unknown>)[input.name] = input.value));
  }
  for (const b of app.querySelectorAll<HTMLButtonElement>('.flag')) {
    b.addEventListener('click', () => {
      const k = b.dataset.flag as 'elderly' | 'disabled' | 'urgent';
      details[k] = !details[k];
      b.setAttribute('aria-pressed', String(details[k]));
    });
  }
}

async function start(category: string, button: HTMLButtonElement): Promise<void> {
  if (!terminalId) return;
  for (const b of app.querySelectorAll<HTMLButtonElement>('.cat')) b.disabled = true;
  button.classList.add('busy');
  const phone = details.phone.replace(/\s+/g, '');
  const body = {
    terminalId,
    category,
    ...(details.petitionerName.trim() ? { petitionerName: details.petitionerName.trim() } : {}),
    ...(phone ? { phone } : {}),
    ...(details.description.trim() ? { description: details.description.trim() } : {}),
    ...(details.elderly || details.disabled || details.urgent ? { flags: { elderly: details.elderly, disabled: details.disabled, urgent: details.urgent } } : {}),
  };
  try {
    const started = await api.post<Started>('/cases', body);
    current = started.case;
    departmentNames = started.departments.map((d) => d.name);
    room = { roomId: started.roomId, token: started.token };
    localStorage.setItem(CASE_KEY, current.id);
    localStorage.setItem(`${CASE_KEY}.departments`, JSON.stringify(departmentNames));
    setWait(started.wait);
    Object.assign(details, { petitionerName: '', phone: '', description: '', elderly: false, disabled: false, urgent: false });
    await live.watchCase(current.id).catch(() => undefined);
    renderWaiting();
  } catch (err) {
    toast(plainError(err));
    renderStart();
  }
}

// ---- waiting: position, honest wait, offers -----------------------------------------------------

function setWait(w: WaitInfo): void {
  wait = w;
  waitFetchedAt = Date.now();
}

function waitText(w: WaitInfo): { big: string; small: string } {
  if (w.position === 0) return { big: '马上为您接通', small: '工作人员正在查看您的事项，请看着屏幕稍等。' };
  if (w.position === null) return { big: '请稍候', small: '' };
  const ahead = w.position - 1;
  const big = ahead === 0 ? '下一位就是您' : `前面还有 ${ahead} 位`;
  if (w.estimatedWaitSeconds === null) {
    return { big, small: w.availableOfficials === 0 ? '现在暂时没有工作人员在线，无法估计要等多久。' : '正在估算等待时间…' };
  }
  // The server's estimate assumes every official present has just begun a session: an upper bound.
  return { big, small: w.estimatedWaitSeconds === 0 ? '很快就能接通。' : `预计最多等 ${minutes(w.estimatedWaitSeconds)}（估算，有空闲的工作人员会更快）` };
}

function renderWaiting(): void {
  if (!current) return;
  setScreen('waiting');
  const w = wait;
  const t = w ? waitText(w) : { big: '请稍候', small: '' };
  const waited = w ? w.waitedSeconds + Math.round((Date.now() - waitFetchedAt) / 1000) : 0;
  app.innerHTML = `
    <section class="waiting">
      <div class="case-no">您的案件编号<strong data-case-id>${escapeHtml(current.id)}</strong></div>
      <div class="wait-card">
        <p class="dept">正在为您联系：${escapeHtml(departmentNames.join('、') || '相关部门')}</p>
        <p class="position" data-position="${w?.position ?? ''}">${escapeHtml(t.big)}</p>
        <p class="estimate">${escapeHtml(t.small)}</p>
        <p class="waited">已经等了 <span id="waited">${minutes(waited)}</span> · 在线工作人员 ${w?.availableOfficials ?? 0} 位</p>
      </div>
      ${w?.offer ? renderOffer(w.offer.appointments, w.offer.callback) : ''}
      <div class="row">
        <button type="button" class="kbtn ${audioOnly ? 'on' : ''}" data-act="audio-only" aria-pressed="${audioOnly}">${audioOnly ? `${icon('audio')} 已选：只用声音通话` : `${icon('audio')} 网络不好？只用声音通话`}</button>
      </div>
      <p class="sub">请不要离开。工作人员接听后，屏幕上会出现视频画面。</p>
    </section>`;
  app.querySelector('[data-act=audio-only]')!.addEventListener('click', () => {
    audioOnly = !audioOnly;
    renderWaiting();
  });
  say(`${t.big}。${t.small}${w?.offer ? '不想久等的话，可以预约，或者请工作人员回电。' : ''}`);
  for (const b of app.querySelectorAll<HTMLButtonElement>('[data-book]')) {
    b.addEventListener('click', () => void book(b.dataset.book!, Number(b.dataset.slot)));
  }
  app.querySelector('[data-act=callback]')?.addEventListener('click', () => void callback());
}

function renderOffer(appointments: AppointmentOffer[], callbackOffered: boolean): string {
  const hasPhone = !!current?.phone;
  return `
    <div class="offer" data-offer>
      <h3>现在人手不够，不想久等的话可以：</h3>
      ${appointments
        .map(
          (a) => `<button type="button" class="kbtn offer-btn" data-book="${escapeHtml(a.dayId)}" data-slot="${a.slot}">
            ${icon('calendar')} 预约 ${escapeHtml(friendlyDate(a.slotStartsAt, true))}<br><small>${escapeHtml(a.post)} ${escapeHtml(a.leaderName)} 接访 · ${escapeHtml(a.place)}</small></button>`,
        )
        .join('')}
      ${
        callbackOffered
          ? hasPhone
            ? `<button type="button" class="kbtn offer-btn" data-act="callback">${icon('phone')} 请工作人员打电话给我<br><small>${escapeHtml(current!.phone!)}</small></button>`
            : `<p class="hint">如需工作人员回电，请代办员在登记时填写电话。</p>`
          : ''
      }
      <p class="hint">也可以继续等待，您的位置不变。</p>
    </div>`;
}

async function book(dayId: string, slot: number): Promise<void> {
  if (!current) return;
  try {
    current = await api.post<Case>(`/cases/${current.id}/appointment`, { dayId, slot });
    renderReceipt();
  } catch (err) {
    toast(plainError(err));
    void refreshWait();
  }
}

async function callback(): Promise<void> {
  if (!current) return;
  try {
    current = await api.post<Case>(`/cases/${current.id}/callback`, {});
    renderReceipt();
  } catch (err) {
    toast(plainError(err));
    void refreshWait();
  }
}

async function refreshWait(): Promise<void> {
  if (!current || screen !== 'waiting') return;
  try {
    const w = await api.get<WaitInfo>(`/cases/${current.id}/wait`);
    setWait(w);
    if (w.state !== current.state) return refreshCase();
    if (screen === 'waiting') renderWaiting();
  } catch (err) {
    toast(plainError(err));
  }
}

// ---- the call ---------------------------------------------------------------------------------------

const IN_ROOM: Case['state'][] = ['in_session', 'joint_session', 'transferred', 'escalated'];

async function refreshCase(): Promise<void> {
  if (!current) return;
  try {
    current = await api.get<Case>(`/cases/${current.id}`);
  } catch (err) {
    toast(plainError(err));
    return;
  }
  follow();
}

/** Moves the screen to where the case is. */
function follow(): void {
  if (!current) return;
  const s = current.state;
  if (s === 'queued' || s === 'registered') {
    if (screen !== 'waiting') renderWaiting();
    else void refreshWait();
  } else if (IN_ROOM.includes(s)) {
    if (session) showCallBanner();
    else if (hungUp) renderReceipt();
    else void joinCall();
  } else if (s === 'handled') {
    if (session) showRatingOverCall();
    else if (screen !== 'rating') renderRating();
  } else {
    leaveCall();
    renderReceipt();
  }
}

let joiningCall = false;
async function joinCall(): Promise<void> {
  if (!current || session || joiningCall) return;
  joiningCall = true;
  try {
    room ??= await api.post<{ roomId: string; token: string }>(`/cases/${current.id}/room-token`, {});
  } catch (err) {
    toast(plainError(err));
    return;
  } finally {
    joiningCall = false;
  }
  if (session) return;
  setScreen('call');
  app.innerHTML = `
    <section class="incall">
      <div class="call-banner" id="call-banner"></div>
      <div id="call-host"></div>
      <div id="rate-host"></div>
    </section>`;
  showCallBanner();
  await startSession();
}

async function startSession(): Promise<void> {
  if (!room || !current) return;
  hadPeers = false;
  const s = new CallSession({ token: room.token, roomId: room.roomId, ...(current.petitionerName ? { note: current.petitionerName } : {}), audioOnly });
  session = s;
  (window as unknown as { callSession: CallSession }).callSession = s;
  const view = new CallView(s, { kiosk: true, onLeave: () => onHangUp() });
  const host = app.querySelector('#call-host')!;
  host.replaceChildren(view.el);
  // The audio-only switch sits with the call's own buttons.
  const btn = document.createElement('button');
  btn.type = 'button';
  btn.className = 'btn audio-only';
  btn.dataset.act = 'audio-only';
  btn.innerHTML = audioOnly ? `${icon('video')} 恢复视频` : `${icon('audio')} 画面卡？只用声音`;
  btn.setAttribute('aria-pressed', String(audioOnly));
  btn.addEventListener('click', () => void switchAudioOnly(!audioOnly));
  view.el.querySelector('.call-controls')?.append(btn);
  s.on('peers', (peers) => {
    if (peers.size > 0) hadPeers = true;
    // Everyone left after the opinion: the session is over, time to rate.
    else if (hadPeers && current?.state === 'handled' && screen === 'call') showRatingOverCall();
  });
  s.on('state', (st) => {
    if (st === 'failed') toast('视频连接失败，请稍候，工作人员会再联系您');
  });
  try {
    await s.start();
    view.refresh();
  } catch (err) {
    console.error('terminal call | failed', err);
    toast('暂时无法接通视频，请稍候，工作人员会再联系您');
  }
}

async function switchAudioOnly(on: boolean): Promise<void> {
  audioOnly = on;
  const old = session;
  session = null;
  old?.close();
  await startSession();
}

function showCallBanner(): void {
  const el = document.getElementById('call-banner');
  if (!el || !current) return;
  const joint = current.state === 'joint_session';
  const moving = current.state === 'transferred' || current.state === 'escalated';
  const text = moving ? '正在为您转接其他部门，请不要离开' : joint ? '多个部门正在一起为您接访' : '工作人员已接通，请对着屏幕说话';
  el.innerHTML = `<span class="dot"></span> ${text} <span class="case-chip">案件编号 ${escapeHtml(current.id)}</span>`;
  say(text);
}

function onHangUp(): void {
  session = null;
  hungUp = true;
  if (current?.state === 'handled') renderRating();
  else renderReceipt();
}

function leaveCall(): void {
  const s = session;
  session = null;
  s?.close();
}

// ---- rating and receipt ---------------------------------------------------------------------------

const RATING_BUTTONS: { rating: Rating; icon: string }[] = [
  { rating: 'satisfied', icon: 'happy' },
  { rating: 'basically_satisfied', icon: 'neutral' },
  { rating: 'unsatisfied', icon: 'sad' },
];

function ratingHtml(): string {
  return `
    <div class="rating" data-rating>
      <h2>您对这次接访满意吗？</h2>
      <p class="sub">点一下就行</p>
      <div class="rate-row">
        ${RATING_BUTTONS.map((b) => `<button type="button" class="rate rate-${b.rating}" data-rate="${b.rating}">${icon(b.icon)}${RATING_NAMES[b.rating]}</button>`).join('')}
      </div>
    </div>`;
}

function bindRating(root: ParentNode): void {
  for (const b of root.querySelectorAll<HTMLButtonElement>('[data-rate]')) b.addEventListener('click', () => void rate(b.dataset.rate as Rating));
}

function showRatingOverCall(): void {
  const host = document.getElementById('rate-host');
  if (!host) return renderRating();
  if (host.querySelector('[data-rating]')) return;
  host.innerHTML = ratingHtml();
  bindRating(host);
  say('您对这次接访满意吗？请点一下：满意，基本满意，还是不满意。');
  app.querySelector('.incall')?.classList.add('rating-mode');
  host.scrollIntoView({ behavior: 'smooth', block: 'end' });
}

function renderRating(): void {
  setScreen('rating');
  say('您对这次接访满意吗？请点一下：满意，基本满意，还是不满意。');
  app.innerHTML = `<section class="rating-screen">${current?.opinion ? `<div class="opinion"><h3>办理意见</h3><p>${escapeHtml(current.opinion)}</p></div>` : ''}${ratingHtml()}
    <div class="row"><button type="button" class="kbtn" data-act="skip-rating">先不评价，看案件编号</button></div></section>`;
  bindRating(app);
  app.querySelector('[data-act=skip-rating]')!.addEventListener('click', () => renderReceipt());
  // Nobody there any more: the receipt (which resets the terminal later) instead of waiting forever.
  clearTimeout(resetTimer);
  resetTimer = setTimeout(() => renderReceipt(), RECEIPT_RESET_MS);
}

async function rate(r: Rating): Promise<void> {
  if (!current) return;
  for (const b of app.querySelectorAll<HTMLButtonElement>('[data-rate]')) b.disabled = true;
  try {
    current = await api.post<Case>(`/cases/${current.id}/rate`, { rating: r });
    leaveCall();
    renderReceipt();
  } catch (err) {
    toast(plainError(err));
    for (const b of app.querySelectorAll<HTMLButtonElement>('[data-rate]')) b.disabled = false;
  }
}

function renderReceipt(): void {
  if (!current) return renderStart();
  setScreen('receipt');
  const c = current;
  const appt = c.appointment;
  const lines: string[] = [];
  if (appt?.kind === 'reception_day') lines.push(`已为您预约：${friendlyDate(appt.at, true)}，请按时来到接访点，工作人员会视频接待您。`);
  if (appt?.kind === 'callback') lines.push(`工作人员会打电话给您：${escapeHtml(c.phone ?? '')}`);
  if (c.opinion) lines.push(`办理意见：${escapeHtml(c.opinion)}`);
  if (c.rating) lines.push(`您的评价：${RATING_NAMES[c.rating]}，谢谢！`);
  if (c.acceptedAt) lines.push(`已受理，${friendlyDate(c.handleDeadline)}前办理完毕。`);
  else if (!c.opinion) lines.push(`${friendlyDate(c.acceptDeadline)}前会告诉您是否受理。`);
  app.innerHTML = `
    <section class="receipt" data-receipt>
      <p class="receipt-title">${icon('check')} ${c.rating ? '接访完成，谢谢您的评价' : appt?.kind === 'reception_day' ? '已为您预约' : appt?.kind === 'callback' ? '已登记回电' : '已为您登记'}</p>
      <p class="receipt-label">请记下您的案件编号，以后查询要用</p>
      <p class="receipt-no" data-case-id>${escapeHtml(c.id)}</p>
      <p class="receipt-state">当前状态：${STATE_NAMES[c.state]}</p>
      <ul class="receipt-lines">${lines.map((l) => `<li>${l}</li>`).join('')}</ul>
      <div class="row">
        ${IN_ROOM.includes(c.state) ? `<button type="button" class="kbtn" data-act="back-to-call">${icon('video')} 回到通话</button>` : ''}
        ${c.state === 'handled' ? `<button type="button" class="kbtn" data-act="to-rating">${icon('happy')} 评价这次接访</button>` : ''}
        <button type="button" class="kbtn primary" data-act="done">完成，回到首页</button>
      </div>
    </section>`;
  app.querySelector('[data-act=done]')!.addEventListener('click', () => finish());
  app.querySelector('[data-act=to-rating]')?.addEventListener('click', () => renderRating());
  // Hung up by mistake while the officials are still there: one tap back in.
  app.querySelector('[data-act=back-to-call]')?.addEventListener('click', () => {
    clearTimeout(resetTimer);
    hungUp = false;
    void joinCall();
  });
  say(`${c.rating ? '接访完成，谢谢您的评价' : '已为您登记'}。您的案件编号是：${spokenCaseNo(c.id)}。请记下来，以后查询要用。`);
  clearTimeout(resetTimer);
  resetTimer = setTimeout(() => finish(), RECEIPT_RESET_MS);
}

function finish(): void {
  leaveCall();
  current = null;
  room = null;
  wait = null;
  audioOnly = false;
  hungUp = false;
  localStorage.removeItem(CASE_KEY);
  localStorage.removeItem(`${CASE_KEY}.departments`);
  lastSaid = '';
  renderStart();
  say('请点一下您要反映的问题。');
}

// ---- boot ---------------------------------------------------------------------------------------------

function fatal(msg: string): void {
  setScreen('error');
  app.innerHTML = `<section class="fatal"><p>${icon('alert')} ${escapeHtml(msg)}</p><p class="sub">请联系村里的管理员。</p></section>`;
}

function tickClock(): void {
  document.getElementById('clock')!.textContent = new Date().toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hour12: false });
  const w = document.getElementById('waited');
  if (w && wait) w.textContent = minutes(wait.waitedSeconds + Math.round((Date.now() - waitFetchedAt) / 1000));
}

async function boot(): Promise<void> {
  // The kiosk speaks Chinese, including the shared call view's buttons (they follow this key).
  localStorage.setItem('lang', 'zh');
  setInterval(tickClock, 1000);
  tickClock();
  if (!token || !claims || claims.role !== 'terminal' || !terminalId) {
    return fatal('本终端还没有登录（缺少终端令牌）');
  }
  document.getElementById('place')!.textContent = claims.name;
  bindVoiceToggle();
  app.addEventListener('input', touchIdle);
  app.addEventListener('click', touchIdle);
  api = new Api('/api/petition', token);
  live = new LiveClient(token);
  // The server pushes this case's new place in the queue whenever its queues change.
  live.on('petition:wait', (w) => {
    if (screen !== 'waiting' || !current || w.caseId !== current.id) return;
    setWait(w as WaitInfo);
    if (w.state !== current.state) void refreshCase();
    else renderWaiting();
  });
  live.on('petition:case-changed', (p) => {
    if (current && p.caseId === current.id) void refreshCase();
  });
  const net = document.getElementById('net')!;
  live.socket.on('disconnect', () => (net.hidden = false));
  live.socket.io.on('reconnect_attempt', () => (net.hidden = false));
  live.onConnect(() => {
    net.hidden = true;
    if (current) void live.watchCase(current.id).then(() => refreshCase(), () => undefined);
  });
  const beat = () => api.post('/terminal-presence', {}).catch(() => undefined);
  void beat();
  setInterval(beat, HEARTBEAT_MS);
  pollTimer = setInterval(() => {
    if (screen === 'waiting') void refreshWait();
  }, WAIT_POLL_MS);
  void pollTimer;

  try {
    rules = await api.get<RoutingRules>('/routing-rules');
  } catch (err) {
    return fatal(plainError(err));
  }
  const saved = localStorage.getItem(CASE_KEY);
  if (saved) {
    try {
      current = await api.get<Case>(`/cases/${saved}`);
      departmentNames = JSON.parse(localStorage.getItem(`${CASE_KEY}.departments`) ?? '[]') as string[];
      if (['rated', 'archived'].includes(current.state)) return finish();
      if (current.state === 'queued') setWait(await api.get<WaitInfo>(`/cases/${saved}/wait`));
      follow();
      return;
    } catch {
      localStorage.removeItem(CASE_KEY);
      current = null;
    }
  }
  renderStart();
  say('请点一下您要反映的问题。');
}

export type { CategoryRule };
void boot();
