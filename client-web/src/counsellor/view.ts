// The counsellor desk's templates.
import { html, nothing, type TemplateResult } from 'lit';
import type { CallSession } from '../lib/call-session.ts';
import type { Message } from '../widgets/banner.ts';
import '../widgets/banner.ts';
import '../widgets/call-tiles.ts';
import { homeLink } from '../widgets/home-link.ts';
import type { CheckInForm, CounsellorView, NoticeForm, VisitForm } from './view-model.ts';
import { passkeysLink } from '../widgets/passkeys-link.ts';

export interface CounsellorActions {
  call(householdId: string, scheduleId?: string): void;
  sos(householdId: string): void;
  ack(alertId: string): void;
  answer(callId: string): void;
  recordVisit(householdId: string, scheduleId?: string, dueAt?: string): void;
  setVisit(patch: Partial<VisitForm>): void;
  saveVisit(): void;
  cancelVisit(): void;
  showHistory(householdId: string): void;
  closeHistory(): void;
  decline(callId: string): void;
  hangUp(): void;
  setCheckIn(patch: Partial<CheckInForm>): void;
  toggleDay(day: number, on: boolean): void;
  addCheckIn(): void;
  setNotice(patch: Partial<NoticeForm>): void;
  sendNotice(): void;
  signOut(): void;
  toggleLanguage(): void;
}

const value = (e: Event) => (e.target as HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement).value;
const submit = (fn: () => void) => (e: Event) => {
  e.preventDefault();
  fn();
};

export function counsellorTemplate(v: CounsellorView, a: CounsellorActions, session: CallSession | null, languageLabel: string, message: Message | undefined): TemplateResult {
  return html`<header class="bar">
      <h1 id="title">${v.title}</h1>
      <span id="who" class="cs-who">${v.who}</span>
      <button type="button" class="btn" id="lang" @click=${() => a.toggleLanguage()}>${languageLabel}</button>
      ${v.signedIn ? html`${passkeysLink()}<button type="button" class="btn" id="signout" @click=${() => a.signOut()}>${v.signOut}</button>` : nothing}
    </header>
    <ui-toast id="msg" class="cs-msg" role="status" aria-live="polite" .message=${message}></ui-toast>
    ${v.incoming
      ? html`<section id="incoming" class="cs-incoming" data-sos=${String(v.incoming.sos)} data-call-id=${v.incoming.id} aria-live="assertive">
          <strong>${v.incoming.title}</strong>
          <button type="button" id="answer" class="btn primary" @click=${() => a.answer(v.incoming!.id)}>${v.incoming.answer}</button>
          <button type="button" id="decline" class="btn" @click=${() => a.decline(v.incoming!.id)}>${v.incoming.decline}</button>
        </section>`
      : nothing}
    <section id="room" class="cs-room" ?hidden=${!v.room}>
      <div id="room-title" class="cs-room-title">${v.room?.title ?? ''}</div>
      ${session ? html`<call-tiles .session=${session} @leave=${() => a.hangUp()}></call-tiles>` : nothing}
    </section>
    <main id="desk" class="cs-desk" ?hidden=${!!v.room}>${v.noToken ? html`<p class="card">${v.noToken}</p>${homeLink()}` : desk(v, a)}</main>`;
}

/** The visit record after a check-in, and a household's history of visits. */
function visitPanels(v: CounsellorView, a: CounsellorActions): TemplateResult {
  const w = v.visit;
  const h = v.history;
  return html`${w
      ? html`<section class="cs-panel cs-visit">
          <h2>${w.title}</h2>
          <form id="visit-form" class="cs-form" @submit=${submit(() => a.saveVisit())}>
            <label
              >${w.moodLabel}<select name="mood" @change=${(e: Event) => a.setVisit({ mood: value(e) as VisitForm['mood'] })}>
                ${w.moods.map((m) => html`<option value=${m.value} ?selected=${m.selected}>${m.label}</option>`)}
              </select></label
            >
            <label>${w.concernsLabel}<textarea name="concerns" rows="2" maxlength="1000" .value=${w.concerns} @input=${(e: Event) => a.setVisit({ concerns: value(e) })}></textarea></label>
            <label>${w.followUpLabel}<textarea name="followUp" rows="2" maxlength="1000" .value=${w.followUp} @input=${(e: Event) => a.setVisit({ followUp: value(e) })}></textarea></label>
            <div class="row"><button class="btn primary">${w.save}</button><button type="button" class="btn" @click=${() => a.cancelVisit()}>${w.cancel}</button></div>
          </form>
        </section>`
      : nothing}
    ${h
      ? html`<section class="cs-panel cs-history" id="history">
          <h2>${h.title}</h2>
          <ol>
            ${h.empty ? html`<li>${h.empty}</li>` : h.items.map((x) => html`<li data-visit-id=${x.id}>${x.text}</li>`)}
          </ol>
          <button type="button" class="btn" @click=${() => a.closeHistory()}>${h.close}</button>
        </section>`
      : nothing}`;
}

function desk(v: CounsellorView, a: CounsellorActions): TemplateResult {
  const f = v.checkInForm;
  const n = v.notice;
  return html`${visitPanels(v, a)}<section class="cs-panel cs-alerts-panel">
      <h2 id="alerts-title">${v.alerts.title}</h2>
      <div id="due">
        ${v.alerts.due.map(
          (d) => html`<div class="cs-due" data-schedule-id=${d.scheduleId} data-state=${d.state}>
            <span class="what">${d.text}</span>
            <button type="button" class="btn primary" data-call=${d.householdId} data-schedule=${d.scheduleId} @click=${() => a.call(d.householdId, d.scheduleId)}>${d.call}</button>
            <button type="button" class="btn" data-record=${d.scheduleId} @click=${() => a.recordVisit(d.householdId, d.scheduleId, d.dueAt)}>${d.record}</button>
          </div>`,
        )}
      </div>
      <ul id="alerts" class="cs-alerts" aria-live="assertive">
        ${v.alerts.empty
          ? html`<li class="ok">${v.alerts.empty}</li>`
          : v.alerts.items.map(
              (x) => html`<li data-alert-id=${x.id} data-household-id=${x.householdId} data-kind=${x.kind} data-resolved=${String(!!x.resolved)} class=${x.acked ? 'acked' : ''}>
                <span class="what">${x.text}</span>${x.resolved ? html` <span class="badge">${x.resolved}</span>` : nothing}${x.ack ? html`<button type="button" class="btn" data-ack=${x.id} @click=${() => a.ack(x.id)}>${x.ack}</button>` : html`<span>${x.ackedLabel}</span>`}
              </li>`,
            )}
      </ul>
    </section>
    <section class="cs-panel cs-households-panel">
      <h2 id="households-title">${v.households.title}</h2>
      <table class="cs-table">
        <thead><tr id="households-head">${v.households.headers.map((h) => html`<th>${h}</th>`)}</tr></thead>
        <tbody id="households">
          ${v.households.rows.map(
            (r) => html`<tr data-household-id=${r.id}>
              <td><strong>${r.name}</strong>${r.privacy ? html` <span class="badge">${r.privacy}</span>` : nothing}<div class="addr">${r.addr}</div></td>
              <td>${r.residents.map((x, i) => html`${i ? html`<br />` : nothing}${x.name}${x.note ? html` <span class="note">${x.note}</span>` : nothing}`)}</td>
              <td>${r.devices.map((d, i) => html`${i ? html`<br />` : nothing}<span class="dev-state" data-online=${String(d.online)}>${d.name} · ${d.state}</span>`)}</td>
              <td>
                <button type="button" class="btn primary" data-call=${r.id} @click=${() => a.call(r.id)}>${r.call}</button>
                ${r.sos ? html`<button type="button" class="btn sos" data-sos=${r.id} @click=${() => a.sos(r.id)}>${r.sos}</button>` : nothing}
                <button type="button" class="btn" data-history=${r.id} @click=${() => a.showHistory(r.id)}>${r.history}</button>
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
    </section>
    <section class="cs-panel">
      <h2 id="checkins-title">${v.checkIns.title}</h2>
      <ul id="checkins" class="cs-checkins">
        ${v.checkIns.empty ? html`<li>${v.checkIns.empty}</li>` : v.checkIns.items.map((c) => html`<li data-schedule-id=${c.id}><strong>${c.home}</strong>${c.text}</li>`)}
      </ul>
      <form id="checkin-form" class="cs-form" @submit=${submit(() => a.addCheckIn())}>
        <label
          >${f.householdLabel}<select name="household" required @change=${(e: Event) => a.setCheckIn({ household: value(e) })}>
            ${f.households.map((o) => html`<option value=${o.value} ?selected=${o.selected}>${o.label}</option>`)}
          </select></label
        >
        <div class="days" role="group" aria-label=${f.daysLabel}>
          ${f.daysLabel}
          ${f.days.map(
            (d) => html`<label><input type="checkbox" name="day" value=${d.day} .checked=${d.checked} @change=${(e: Event) => a.toggleDay(d.day, (e.target as HTMLInputElement).checked)} />${d.label}</label>`,
          )}
        </div>
        <div class="row">
          <label>${f.timeLabel}<input type="time" name="time" required .value=${f.time} @input=${(e: Event) => a.setCheckIn({ time: value(e) })} /></label>
          <label>${f.noteLabel}<input name="note" maxlength="200" .value=${f.note} @input=${(e: Event) => a.setCheckIn({ note: value(e) })} /></label>
        </div>
        <button class="btn primary">${f.submit}</button>
      </form>
    </section>
    <section class="cs-panel">
      <h2 id="notice-title">${n.title}</h2>
      <form id="notice-form" class="cs-form" @submit=${submit(() => a.sendNotice())}>
        <label
          >${n.targetLabel}<select name="target" id="notice-target" @change=${(e: Event) => a.setNotice({ target: value(e) })}>
            ${n.targets.map((o) => html`<option value=${o.value} ?selected=${o.selected}>${o.label}</option>`)}
          </select></label
        >
        <label>${n.titleLabel}<input name="title" maxlength="60" required .value=${n.titleValue} @input=${(e: Event) => a.setNotice({ title: value(e) })} /></label>
        <label>${n.bodyLabel}<textarea name="body" rows="3" maxlength="1000" required .value=${n.bodyValue} @input=${(e: Event) => a.setNotice({ body: value(e) })}></textarea></label>
        <button class="btn primary">${n.send}</button>
      </form>
      <div id="notices-recent" class="cs-recent">
        <h3>${v.recent.title}</h3>
        ${v.recent.empty
          ? html`<p>${v.recent.empty}</p>`
          : html`<ul>
              ${v.recent.items.map((r) => html`<li data-notice-id=${r.id}><strong>${r.title}</strong>${r.rest} · <span class="reads">${r.reads}</span></li>`)}
            </ul>`}
      </div>
    </section>`;
}
