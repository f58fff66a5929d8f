// The family app's templates.
import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { CallSession } from '../lib/call-session.ts';
import type { Message } from '../widgets/banner.ts';
import { homeLink } from '../widgets/home-link.ts';
import '../widgets/banner.ts';
import '../widgets/call-tiles.ts';
import { NIGHT, type CardView, type FamilyView, type SettingsDraft, type SettingsView } from './view-model.ts';
import { passkeysLink } from '../widgets/passkeys-link.ts';

export interface FamilyActions {
  call(householdId: string, audioOnly: boolean): void;
  sos(householdId: string): void;
  lookIn(householdId: string, source: string | null): void;
  leave(): void;
  editSettings(householdId: string, edit: (d: SettingsDraft) => SettingsDraft): void;
  saveSettings(householdId: string): void;
  setPrivacy(householdId: string, on: boolean): void;
  answer(callId: string): void;
  decline(callId: string): void;
  setConsent(householdId: string, memberId: string, grant: boolean): void;
  signOut(): void;
  toggleLanguage(): void;
}

export function familyTemplate(v: FamilyView, a: FamilyActions, session: CallSession | null, languageLabel: string, message: Message | undefined): TemplateResult {
  return html`<header class="bar">
      <h1 id="title">${v.title}</h1>
      <span id="who" class="fam-who">${v.who}</span>
      <button type="button" class="btn" id="lang" @click=${() => a.toggleLanguage()}>${languageLabel}</button>
      ${v.signedIn ? html`${passkeysLink()}<button type="button" class="btn" id="signout" @click=${() => a.signOut()}>${v.signOut}</button>` : nothing}
    </header>
    <ui-toast id="msg" class="fam-msg" role="alert" .message=${message}></ui-toast>
    ${v.incoming
      ? html`<section id="incoming" class="fam-incoming" data-sos=${String(v.incoming.sos)} data-call-id=${v.incoming.id} aria-live="assertive">
          <div class="fam-incoming-title">${v.incoming.title}</div>
          <div class="row">
            <button type="button" id="answer" class="btn primary big" @click=${() => a.answer(v.incoming!.id)}>${v.incoming.answer}</button>
            <button type="button" id="decline" class="btn big" @click=${() => a.decline(v.incoming!.id)}>${v.incoming.decline}</button>
          </div>
        </section>`
      : nothing}
    <main id="list" class="fam-list" ?hidden=${v.room !== null}>
      ${v.notice ? html`<p class="card">${v.notice}</p>${v.home ? homeLink() : nothing}` : repeat(v.cards, (c) => c.id, (c) => card(c, a))}
    </main>
    <section id="room" class="fam-room" ?hidden=${v.room === null}>
      <div id="room-title" class="fam-room-title" data-phase=${v.room?.phase ?? nothing}>${v.room?.title ?? ''}</div>
      ${session && v.room
        ? html`<call-tiles .session=${session} .preview=${v.room.preview} .leaveLabel=${v.room.leaveLabel} @leave=${() => a.leave()}></call-tiles>`
        : nothing}
    </section>`;
}

function card(c: CardView, a: FamilyActions): TemplateResult {
  return html`<article class="hh" data-household-id=${c.id}>
    <h2>${c.name} ${c.privacy ? html`<span class="badge privacy" data-privacy=${c.privacy.cause}>${c.privacy.label}</span>` : nothing}</h2>
    ${c.alerts.map((x) => html`<p class="fam-alert" data-alert-id=${x.id} data-kind=${x.kind} role="alert">${x.text}</p>`)}
    <p class="addr">${c.address}</p>
    <p class="residents">${c.residents}</p>
    <ul class="devices">
      ${c.devices.map((d) => html`<li data-online=${String(d.online)}>${d.name === null ? d.state : html`${d.name} · <span class="state">${d.state}</span>`}</li>`)}
    </ul>
    <div class="actions">
      ${c.sos ? html`<button type="button" class="btn sos" data-act="sos" @click=${() => a.sos(c.id)}>${c.sos}</button>` : nothing}
      <button type="button" class="btn" data-act="call" @click=${() => a.call(c.id, false)}>${c.call}</button>
      <button type="button" class="btn ${c.audio.suggest ? 'suggest' : ''}" data-act="audio" @click=${() => a.call(c.id, true)}>${c.audio.label}<small>${c.audio.sub}</small></button>
      ${c.lookIns.map(
        (l) => html`<button type="button" class="btn" data-act="lookin" data-source=${l.source ?? nothing} ?disabled=${l.disabled} @click=${() => a.lookIn(c.id, l.source)}>${l.label}</button>`,
      )}
    </div>
    ${c.hints.map((h) => html`<p class="hint">${h}</p>`)} ${c.settings ? settings(c.id, c.settings, a) : nothing}
    ${c.privacyRecord ? privacyRecord(c.id, c.privacyRecord, a) : nothing}
    <details class="missed" ?open=${c.missed.open}>
      <summary>${c.missed.summary}</summary>
      <ol>
        ${c.missed.items.map((m) => html`<li data-call-id=${m.id}>${m.text}<span class="reason">${m.reason}</span></li>`)}
      </ol>
    </details>
  </article>`;
}

function settings(hid: string, s: SettingsView, a: FamilyActions): TemplateResult {
  const edit = (fn: (d: SettingsDraft) => SettingsDraft) => a.editSettings(hid, fn);
  const checked = (e: Event) => (e.target as HTMLInputElement).checked;
  const value = (e: Event) => (e.target as HTMLInputElement).value;
  return html`<details class="settings">
    <summary>${s.summary}</summary>
    <form
      class="settings-form"
      @submit=${(e: Event) => {
        e.preventDefault();
        (document.activeElement as HTMLElement | null)?.blur();
        a.saveSettings(hid);
      }}
    >
      <fieldset>
        <legend>${s.autoAnswer.legend}</legend>
        ${s.autoAnswer.options.map(
          (o) => html`<label class="opt"><input type="radio" name="autoAnswer" value=${o.mode} .checked=${o.checked} @change=${() => edit((d) => ({ ...d, mode: o.mode }))} /> ${o.label}</label>`,
        )}
        <div class="members">
          ${s.autoAnswer.members.map(
            (m) => html`<label class="opt"
              ><input
                type="checkbox"
                name="member"
                value=${m.id}
                .checked=${m.checked}
                @change=${(e: Event) => edit((d) => ({ ...d, memberIds: checked(e) ? [...d.memberIds, m.id] : d.memberIds.filter((x) => x !== m.id) }))}
              />
              ${m.label}</label
            >`,
          )}
        </div>
      </fieldset>
      <label class="opt"><input type="checkbox" name="lookInAllowed" .checked=${s.lookIn.checked} @change=${(e: Event) => edit((d) => ({ ...d, lookInAllowed: checked(e) }))} /> ${s.lookIn.label}</label>
      <fieldset class="windows">
        <legend>${s.windows.legend}</legend>
        ${repeat(
          s.windows.rows,
          (w) => w.key,
          (w) => {
            const row = (fn: (x: SettingsDraft['windows'][number]) => SettingsDraft['windows'][number]) =>
              edit((d) => ({ ...d, windows: d.windows.map((x) => (x.key === w.key ? fn(x) : x)) }));
            return html`<div class="window" data-window>
              ${w.days.map(
                (day) => html`<label class="day"
                  ><input type="checkbox" value=${day.day} .checked=${day.checked} @change=${(e: Event) => row((x) => ({ ...x, days: checked(e) ? [...x.days, day.day] : x.days.filter((y) => y !== day.day) }))} />${day.label}</label
                >`,
              )}
              <input type="time" name="start" .value=${w.start} required @input=${(e: Event) => row((x) => ({ ...x, start: value(e) }))} /> –
              <input type="time" name="end" .value=${w.end} required @input=${(e: Event) => row((x) => ({ ...x, end: value(e) }))} />
              <button type="button" class="btn" data-act="remove-window" @click=${() => edit((d) => ({ ...d, windows: d.windows.filter((x) => x.key !== w.key) }))}>${w.remove}</button>
            </div>`;
          },
        )}
        <button type="button" class="btn" data-act="add-window" @click=${() => edit((d) => ({ ...d, windows: [...d.windows, { ...NIGHT, days: [...NIGHT.days], key: Math.max(-1, ...d.windows.map((x) => x.key)) + 1 }] }))}>
          ${s.windows.add}
        </button>
      </fieldset>
      <div class="row">
        <button class="btn primary">${s.save}</button>
        <button type="button" class="btn" data-act="privacy" data-on=${String(s.privacy.on)} @click=${() => a.setPrivacy(hid, s.privacy.on)}>${s.privacy.label}</button>
      </div>
    </form>
  </details>`;
}

/** The household manager's view of who may look in (and withdrawing it), and who did. */
function privacyRecord(hid: string, r: NonNullable<CardView['privacyRecord']>, a: FamilyActions): TemplateResult {
  return html`<details class="privacy-record">
    <summary>${r.summary}</summary>
    <h3>${r.consentTitle}</h3>
    <ul class="consents">
      ${r.consents.map(
        (c) => html`<li data-member-id=${c.memberId} data-granted=${String(c.granted)}>
          <span>${c.text}</span>
          <button type="button" class="btn" data-act="consent" @click=${() => a.setConsent(hid, c.memberId, !c.granted)}>${c.button}</button>
        </li>`,
      )}
    </ul>
    <h3>${r.logTitle}</h3>
    <ol class="access-log">
      ${r.emptyLog ? html`<li>${r.emptyLog}</li>` : r.log.map((e) => html`<li data-outcome=${e.outcome}>${e.text}</li>`)}
    </ol>
  </details>`;
}
