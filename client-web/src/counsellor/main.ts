// Counsellor / social worker desk: assigned households with their residents' care notes and the
// home devices' online status, device-offline alerts (pushed when raised and resolved), weekly
// check-in schedules with a prompt when one falls due, calls home (counsellor calls always
// ring), and notices to one household or to every household in a region, shown on the devices.
import { Api, ApiError } from '../lib/api.ts';
import { CallSession } from '../lib/call-session.ts';
import { CallView } from '../lib/call-view.ts';
import { LiveClient } from '../lib/live.ts';
import { toggleLang } from '../lib/i18n.ts';
import {
  dictionary,
  esc,
  fmtTime,
  pageToken,
  regionName,
  tokenClaims,
  type Call,
  type CallEndReason,
  type CheckInSchedule,
  type DeviceAlert,
  type HouseholdView,
  type Notice,
  type RoomTicket,
} from '../household/common.ts';

const T = dictionary(
  {
    title: '平安心居 · 社工工作台',
    lang: 'English',
    noToken: '请先登录（缺少访问令牌）。',
    alerts: '提醒',
    noAlerts: '没有需要处理的提醒',
    offlineAlert: '{home} 的「{device}」已离线（最后在线：{last}，提醒于 {raised}）',
    never: '从未上线',
    ack: '已知悉',
    acked: '已知悉',
    resolved: '{home} 的设备已恢复在线',
    households: '我负责的家庭',
    hName: '家庭',
    hResidents: '家里的人',
    hDevices: '设备',
    hActions: '',
    online: '在线',
    offline: '离线',
    privacy: '隐私模式中',
    callHome: '视频回访',
    checkins: '定期回访',
    noCheckins: '还没有回访计划',
    next: '下次：{at}',
    days: '每周',
    time: '时间',
    note: '备注',
    household: '家庭',
    addCheckin: '添加回访计划',
    due: '该回访了：{home}（{time}）{note}',
    callNow: '现在呼叫',
    notice: '发送通知（显示在家里的设备上）',
    target: '发给',
    oneHousehold: '单户：{name}',
    region: '区域：{name}（全部家庭）',
    nTitle: '标题',
    nBody: '内容',
    send: '发送通知',
    sent: '通知已发送到 {n} 户',
    saved: '回访计划已添加',
    recent: '最近发出的通知',
    noRecent: '还没有发过通知',
    toRegion: '发往 {name}',
    ringing: '正在呼叫 {home}，等待接听…',
    inCall: '与 {home} 通话中',
    end_missed: '{home} 没有接听。',
    end_declined: '{home} 暂时不方便接听。',
    end_hungup: '与 {home} 的通话已结束。',
    end_cancelled: '呼叫已取消。',
    e_offline: '{home} 的设备不在线，无法呼叫。',
    error: '操作失败：{m}',
    w0: '日', w1: '一', w2: '二', w3: '三', w4: '四', w5: '五', w6: '六',
  },
  {
    title: 'Safe Home · Counsellor desk',
    lang: '中文',
    noToken: 'Please sign in (no access token).',
    alerts: 'Alerts',
    noAlerts: 'Nothing needs attention',
    offlineAlert: '{home}: “{device}” is offline (last seen {last}, alert at {raised})',
    never: 'never',
    ack: 'Acknowledge',
    acked: 'acknowledged',
    resolved: '{home}: the device is back online',
    households: 'My households',
    hName: 'Household',
    hResidents: 'Residents',
    hDevices: 'Devices',
    hActions: '',
    online: 'online',
    offline: 'offline',
    privacy: 'privacy mode',
    callHome: 'Video check-in',
    checkins: 'Scheduled check-ins',
    noCheckins: 'No check-ins scheduled',
    next: 'next: {at}',
    days: 'Weekly on',
    time: 'Time',
    note: 'Note',
    household: 'Household',
    addCheckin: 'Add check-in',
    due: 'Check-in due: {home} ({time}) {note}',
    callNow: 'Call now',
    notice: 'Send a notice (shown on the home devices)',
    target: 'To',
    oneHousehold: 'Household: {name}',
    region: 'Region: {name} (every household)',
    nTitle: 'Title',
    nBody: 'Text',
    send: 'Send notice',
    sent: 'Notice sent to {n} household(s)',
    saved: 'Check-in scheduled',
    recent: 'Recent notices',
    noRecent: 'No notices sent yet',
    toRegion: 'to {name}',
    ringing: 'Calling {home}…',
    inCall: 'In a call with {home}',
    end_missed: '{home} did not answer.',
    end_declined: '{home} cannot take the call now.',
    end_hungup: 'The call with {home} has ended.',
    end_cancelled: 'The call was cancelled.',
    e_offline: 'The device at {home} is offline.',
    error: 'Failed: {m}',
    w0: 'Sun', w1: 'Mon', w2: 'Tue', w3: 'Wed', w4: 'Thu', w5: 'Fri', w6: 'Sat',
  },
);
type Key = Parameters<typeof T>[0];

const $ = <E extends HTMLElement = HTMLElement>(id: string): E => document.getElementById(id) as E;

class CounsellorApp {
  readonly #api: Api;
  readonly #live: LiveClient;
  #households: HouseholdView[] = [];
  #alerts: DeviceAlert[] = [];
  #checkIns: CheckInSchedule[] = [];
  readonly #due = new Map<string, { schedule: CheckInSchedule; dueAt: string }>();
  #room: { call: Call; home: string; session: CallSession } | undefined;

  constructor(token: string) {
    this.#api = new Api('/api/household', token);
    this.#live = new LiveClient(token);
    this.#live.on('household:event', ({ type, payload }) => this.#onEvent(type, payload as Record<string, unknown>));
    this.#live.onConnect(() => void this.refresh());
    $('households').addEventListener('click', (e) => {
      const btn = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-call]');
      if (btn) void this.call(btn.dataset.call!);
    });
    $('alerts').addEventListener('click', (e) => {
      const btn = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-ack]');
      if (btn) void this.#ack(btn.dataset.ack!);
    });
    $('due').addEventListener('click', (e) => {
      const btn = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-call]');
      if (!btn) return;
      this.#due.delete(btn.dataset.schedule!);
      void this.call(btn.dataset.call!);
    });
    $('notice-form').addEventListener('submit', (e) => (e.preventDefault(), void this.#sendNotice()));
    $('checkin-form').addEventListener('submit', (e) => (e.preventDefault(), void this.#addCheckIn()));
    // Online status comes from heartbeats; redraw it now and then.
    setInterval(() => void this.refresh(), 20_000);
  }

  async refresh(): Promise<void> {
    try {
      const [households, alerts, checkIns] = await Promise.all([
        this.#api.get<HouseholdView[]>('/households'),
        this.#api.get<DeviceAlert[]>('/alerts'),
        this.#api.get<CheckInSchedule[]>('/check-ins'),
      ]);
      const first = this.#households.length === 0;
      this.#households = households;
      this.#alerts = alerts;
      this.#checkIns = checkIns;
      this.#renderHouseholds();
      this.#renderAlerts();
      this.#renderCheckIns();
      if (first) this.#renderForms();
      void this.#loadNotices();
    } catch (err) {
      this.#show(T('error', { m: (err as Error).message }), 'error');
    }
  }

  #home(id: string): string {
    return this.#households.find((h) => h.household.id === id)?.household.name ?? id;
  }

  #onEvent(type: string, p: Record<string, unknown>): void {
    switch (type) {
      case 'alert:raised': {
        const a = p.alert as DeviceAlert;
        if (!this.#alerts.some((x) => x.id === a.id)) this.#alerts.unshift(a);
        this.#renderAlerts();
        void this.refresh();
        break;
      }
      case 'alert:resolved': {
        const a = p.alert as DeviceAlert;
        this.#alerts = this.#alerts.filter((x) => x.id !== a.id);
        this.#renderAlerts();
        this.#show(T('resolved', { home: this.#home(a.householdId) }));
        void this.refresh();
        break;
      }
      case 'checkin:due': {
        const schedule = p.schedule as CheckInSchedule;
        this.#due.set(schedule.id, { schedule, dueAt: String(p.dueAt) });
        this.#renderAlerts();
        break;
      }
      case 'call:answered':
        if (this.#room && (p.call as Call).id === this.#room.call.id) $('room-title').textContent = T('inCall', { home: this.#room.home });
        break;
      case 'call:ended': {
        const call = p.call as Call;
        if (this.#room && call.id === this.#room.call.id) {
          const reason = p.reason as CallEndReason;
          const key: Key = reason === 'missed' ? 'end_missed' : reason === 'declined' ? 'end_declined' : reason === 'cancelled' ? 'end_cancelled' : 'end_hungup';
          this.#show(T(key, { home: this.#room.home }));
          this.#closeRoom(false);
        }
        break;
      }
      default:
        break;
    }
  }

  // ---- actions -------------------------------------------------------------------------------

  async call(householdId: string): Promise<void> {
    if (this.#room) return;
    const home = this.#home(householdId);
    try {
      const t = await this.#api.post<{ call: Call } & RoomTicket>(`/households/${encodeURIComponent(householdId)}/calls`, {});
      const session = new CallSession({ token: t.token, roomId: t.roomId });
      this.#room = { call: t.call, home, session };
      (window as unknown as { callSession: CallSession }).callSession = session;
      const view = new CallView(session, { onLeave: () => this.#closeRoom(true) });
      $('room-title').textContent = t.call.state === 'ringing' ? T('ringing', { home }) : T('inCall', { home });
      $('room').replaceChildren($('room-title'), view.el);
      $('room').hidden = false;
      $('desk').hidden = true;
      session.on('state', (s) => {
        if (s === 'closed' || s === 'failed') setTimeout(() => this.#room?.session === session && this.#closeRoom(false), 0);
      });
      await session.start();
      view.refresh();
    } catch (err) {
      // A call that ended while we were joining already said why.
      if (this.#room === undefined && !(err instanceof ApiError)) return;
      if (err instanceof ApiError && err.code === 'unavailable') this.#show(T('e_offline', { home }), 'error');
      else this.#show(T('error', { m: (err as Error).message }), 'error');
      this.#closeRoom(false);
    }
  }

  #closeRoom(hangUp: boolean): void {
    const r = this.#room;
    this.#room = undefined;
    if (r) {
      r.session.close();
      if (hangUp) void this.#api.post(`/calls/${encodeURIComponent(r.call.id)}/end`).catch(() => undefined);
    }
    $('room').hidden = true;
    $('desk').hidden = false;
  }

  async #ack(alertId: string): Promise<void> {
    try {
      const a = await this.#api.post<DeviceAlert>(`/alerts/${encodeURIComponent(alertId)}/ack`);
      this.#alerts = this.#alerts.map((x) => (x.id === a.id ? a : x));
      this.#renderAlerts();
    } catch (err) {
      this.#show(T('error', { m: (err as Error).message }), 'error');
    }
  }

  async #sendNotice(): Promise<void> {
    const f = new FormData($<HTMLFormElement>('notice-form'));
    const target = String(f.get('target'));
    const [kind, id] = [target.slice(0, 2), target.slice(2)];
    const body = { ...(kind === 'r:' ? { region: id } : { householdId: id }), title: String(f.get('title')).trim(), body: String(f.get('body')).trim() };
    try {
      const r = await this.#api.post<{ notice: Notice; householdIds: string[] }>('/notices', body);
      this.#show(T('sent', { n: r.householdIds.length }));
      $<HTMLFormElement>('notice-form').reset();
      void this.#loadNotices();
    } catch (err) {
      this.#show(T('error', { m: (err as Error).message }), 'error');
    }
  }

  async #addCheckIn(): Promise<void> {
    const form = $<HTMLFormElement>('checkin-form');
    const f = new FormData(form);
    const days = f.getAll('day').map(Number);
    try {
      await this.#api.post(`/households/${encodeURIComponent(String(f.get('household')))}/check-ins`, {
        days,
        time: String(f.get('time')),
        note: String(f.get('note') ?? ''),
      });
      this.#show(T('saved'));
      await this.refresh();
    } catch (err) {
      this.#show(T('error', { m: (err as Error).message }), 'error');
    }
  }

  /** What the assigned households' devices show now (one list, newest first). */
  async #loadNotices(): Promise<void> {
    const lists = await Promise.all(this.#households.map((v) => this.#api.get<Notice[]>(`/households/${encodeURIComponent(v.household.id)}/notices`).catch(() => [])));
    const byId = new Map<string, Notice>();
    for (const n of lists.flat()) byId.set(n.id, n);
    const recent = [...byId.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, 8);
    const target = (n: Notice): string => (n.region ? regionName(n.region.slice(0, 6)) : this.#home(n.householdId ?? ''));
    $('notices-recent').innerHTML =
      `<h3>${esc(T('recent'))}</h3>` +
      (recent.length
        ? `<ul>${recent.map((n) => `<li data-notice-id="${esc(n.id)}"><strong>${esc(n.title)}</strong> · ${esc(T('toRegion', { name: target(n) }))} · ${esc(n.senderName)} · ${esc(fmtTime(n.createdAt))}</li>`).join('')}</ul>`
        : `<p>${esc(T('noRecent'))}</p>`);
  }

  // ---- rendering -----------------------------------------------------------------------------

  #renderAlerts(): void {
    $('alerts-title').textContent = T('alerts');
    $('due').innerHTML = [...this.#due.values()]
      .map(
        ({ schedule: s, dueAt }) =>
          `<div class="cs-due" data-schedule-id="${esc(s.id)}"><span class="what">${esc(T('due', { home: this.#home(s.householdId), time: fmtTime(dueAt), note: s.note }))}</span>` +
          `<button type="button" class="btn primary" data-call="${esc(s.householdId)}" data-schedule="${esc(s.id)}">${esc(T('callNow'))}</button></div>`,
      )
      .join('');
    const deviceName = (a: DeviceAlert): string =>
      this.#households.find((h) => h.household.id === a.householdId)?.devices.find((d) => d.id === a.deviceId)?.name ?? a.deviceId;
    $('alerts').innerHTML = this.#alerts.length
      ? this.#alerts
          .map(
            (a) =>
              `<li data-alert-id="${esc(a.id)}" data-household-id="${esc(a.householdId)}" class="${a.acknowledgedBy ? 'acked' : ''}"><span class="what">${esc(
                T('offlineAlert', { home: this.#home(a.householdId), device: deviceName(a), last: a.lastSeenAt ? fmtTime(a.lastSeenAt) : T('never'), raised: fmtTime(a.raisedAt) }),
              )}</span>${a.acknowledgedBy ? `<span>${esc(T('acked'))}</span>` : `<button type="button" class="btn" data-ack="${esc(a.id)}">${esc(T('ack'))}</button>`}</li>`,
          )
          .join('')
      : `<li class="ok">${esc(T('noAlerts'))}</li>`;
  }

  #renderHouseholds(): void {
    $('households-title').textContent = T('households');
    $('households-head').innerHTML = (['hName', 'hResidents', 'hDevices', 'hActions'] as const).map((k) => `<th>${esc(T(k))}</th>`).join('');
    $('households').innerHTML = this.#households
      .map((v) => {
        const h = v.household;
        const residents = h.residents.map((r) => `${esc(r.name)}${r.note ? ` <span class="note">（${esc(r.note)}）</span>` : ''}`).join('<br>');
        const devices = v.devices.map((d) => `<span class="dev-state" data-online="${d.online}">${esc(d.name)} · ${esc(T(d.online ? 'online' : 'offline'))}</span>`).join('<br>');
        return `<tr data-household-id="${esc(h.id)}"><td><strong>${esc(h.name)}</strong>${v.privacy.active ? ` <span class="badge">${esc(T('privacy'))}</span>` : ''}<div class="addr">${esc(regionName(h.region.slice(0, 6)))} · ${esc(h.address)}</div></td>` +
          `<td>${residents}</td><td>${devices}</td><td><button type="button" class="btn primary" data-call="${esc(h.id)}">${esc(T('callHome'))}</button></td></tr>`;
      })
      .join('');
  }

  #renderCheckIns(): void {
    $('checkins-title').textContent = T('checkins');
    $('checkins').innerHTML = this.#checkIns.length
      ? this.#checkIns
          .map((s) => `<li data-schedule-id="${esc(s.id)}"><strong>${esc(this.#home(s.householdId))}</strong> · ${esc(T('days'))} ${s.days.map((d) => esc(T(`w${d}` as Key))).join('、')} ${esc(s.time)} · ${esc(T('next', { at: fmtTime(s.nextAt) }))}${s.note ? ` · ${esc(s.note)}` : ''}</li>`)
          .join('')
      : `<li>${esc(T('noCheckins'))}</li>`;
  }

  #renderForms(): void {
    const options = this.#households.map((v) => `<option value="${esc(v.household.id)}">${esc(v.household.name)}</option>`).join('');
    $('checkin-form').innerHTML = `
      <label>${esc(T('household'))}<select name="household" required>${options}</select></label>
      <div class="days" role="group" aria-label="${esc(T('days'))}">${esc(T('days'))} ${[1, 2, 3, 4, 5, 6, 0]
        .map((d) => `<label><input type="checkbox" name="day" value="${d}"${d === 3 ? ' checked' : ''} />${esc(T(`w${d}` as Key))}</label>`)
        .join('')}</div>
      <div class="row"><label>${esc(T('time'))}<input type="time" name="time" value="10:00" required /></label>
      <label>${esc(T('note'))}<input name="note" maxlength="200" /></label></div>
      <button class="btn primary">${esc(T('addCheckin'))}</button>`;
    const regions = [...new Set(this.#households.map((v) => v.household.region.slice(0, 6)))];
    $('notice-title').textContent = T('notice');
    $('notice-form').innerHTML = `
      <label>${esc(T('target'))}<select name="target" id="notice-target">
        ${regions.map((r) => `<option value="r:${esc(r)}">${esc(T('region', { name: `${regionName(r)} ${r}` }))}</option>`).join('')}
        ${this.#households.map((v) => `<option value="h:${esc(v.household.id)}">${esc(T('oneHousehold', { name: v.household.name }))}</option>`).join('')}
      </select></label>
      <label>${esc(T('nTitle'))}<input name="title" maxlength="60" required /></label>
      <label>${esc(T('nBody'))}<textarea name="body" rows="3" maxlength="1000" required></textarea></label>
      <button class="btn primary">${esc(T('send'))}</button>`;
  }

  #show(text: string, kind: 'info' | 'error' = 'info'): void {
    const el = $('msg');
    el.textContent = text;
    el.dataset.kind = kind;
    el.hidden = false;
  }
}

document.title = T('title');
$('title').textContent = T('title');
$('lang').textContent = T('lang');
$('lang').addEventListener('click', toggleLang);
const token = pageToken('household-counsellor-token', sessionStorage);
if (!token) {
  $('desk').innerHTML = `<p class="card">${esc(T('noToken'))}</p>`;
} else {
  $('who').textContent = tokenClaims(token).name ?? '';
  const app = new CounsellorApp(token);
  (window as unknown as { counsellorApp: CounsellorApp }).counsellorApp = app;
  void app.refresh();
}
