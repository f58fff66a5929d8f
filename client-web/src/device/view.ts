// The home device kiosk's templates.
import { html, nothing, type TemplateResult } from 'lit';
import type { CallSession } from '../lib/call-session.ts';
import '../widgets/call-tiles.ts';
import { homeLink } from '../widgets/home-link.ts';
import type { DeviceView } from './view-model.ts';

export interface DeviceActions {
  answer(): void;
  callOut(contactId: string): void;
  sos(): void;
  cancelOutgoing(): void;
  openMasks(): void;
  /** Pointer events on the mask editor's picture (drawing a rectangle). */
  maskPointer(e: PointerEvent): void;
  clearMasks(): void;
  saveMasks(): void;
  closeMasks(): void;
  toggleConsents(): void;
  decline(): void;
  togglePrivacy(): void;
  hangUp(): void;
  toggleLanguage(): void;
}

export function deviceTemplate(v: DeviceView, a: DeviceActions, call: CallSession | null, languageLabel: string): TemplateResult {
  if (v.fatal) return html`<main class="dev-idle" style="grid-template-columns:1fr"><p class="clock-date">${v.fatal}</p>${homeLink()}</main>`;
  return html`<header class="dev-bar">
      <span id="household" class="dev-household">${v.household}</span>
      <span id="net" class="dev-net" role="status" aria-live="polite" data-state=${v.net.state}>${v.net.text}</span>
      <span id="privacy-pill" class="privacy-pill" ?hidden=${!v.privacyPill}>${v.privacyPill ?? ''}</span>
      <button type="button" id="lang" class="dev-lang" @click=${() => a.toggleLanguage()}>${languageLabel}</button>
      <button type="button" id="sos" class="sos-btn" ?disabled=${v.sos.busy} @click=${() => a.sos()}>${v.sos.label}</button>
    </header>
    <div id="live" class="live" role="status" aria-live="assertive" ?hidden=${!v.live}><span class="live-dot" aria-hidden="true"></span><span id="live-text">${v.live ?? ''}</span></div>
    <main id="idle" class="dev-idle" ?hidden=${v.inCall}>
      <div class="clock">
        <div id="time" class="clock-time">${v.clock.time}</div>
        <div id="date" class="clock-date">${v.clock.date}</div>
      </div>
      <section class="dev-notices">
        ${v.missed ? missedCalls(v.missed, v.contacts.disabled, a) : nothing}
        <h2 id="notices-title">${v.notices.title}</h2>
        <ol id="notices" class="notice-list kiosk-scroll">
          ${v.notices.empty
            ? html`<li class="empty">${v.notices.empty}</li>`
            : v.notices.items.map(
                (n) => html`<li data-notice-id=${n.id}>
                  <div class="n-title">${n.title}</div>
                  <div class="n-body">${n.body}</div>
                  <div class="n-meta">${n.meta}</div>
                </li>`,
              )}
        </ol>
      </section>
      <section class="dev-contacts" aria-labelledby="contacts-title">
        <h2 id="contacts-title" class="sr-only">${v.contacts.title}</h2>
        <ul id="contacts" class="contact-list kiosk-scroll">
          ${v.contacts.items.map(
            (c) => html`<li>
              <button type="button" class="contact" data-contact=${c.id} data-role=${c.role} ?disabled=${v.contacts.disabled} @click=${() => a.callOut(c.id)}>
                <span class="avatar" aria-hidden="true">${c.initial}</span><span class="c-name">${c.name}</span><span class="c-sub">${c.sub}</span>
              </button>
            </li>`,
          )}
        </ul>
      </section>
    </main>
    <section id="outgoing" class="outgoing" ?hidden=${!v.outgoing} data-sos=${String(!!v.outgoing?.sos)} aria-live="assertive">
      <div class="outgoing-title">${v.outgoing?.title ?? ''}</div>
      <ol id="ladder" class="ladder">
        ${(v.outgoing?.steps ?? []).map(
          (st) => html`<li data-step=${st.step}><span class="step-label">${st.label}</span>${st.people.map(
            (p) => html`<span class="callee" data-callee=${p.id} data-state=${p.state}>${p.name} · ${p.text}</span>`,
          )}</li>`,
        )}
      </ol>
      ${v.outgoing && !v.outgoing.sos ? html`<button type="button" id="cancel-call" class="btn cancel" @click=${() => a.cancelOutgoing()}>${v.outgoing.cancel}</button>` : nothing}
    </section>
    ${v.masks.editor ? maskEditor(v.masks.editor, a) : nothing}
    ${v.consents.panel ? consentsPanel(v.consents.panel, a) : nothing}
    <section id="incoming" class="incoming" ?hidden=${!v.incoming} aria-live="assertive">
      <div id="incoming-who" class="incoming-who">${v.incoming?.who ?? ''}</div>
      <div class="incoming-actions">
        <button type="button" id="answer" class="answer" ?disabled=${v.incoming?.disabled ?? true} @click=${() => a.answer()}>${v.incoming?.answer ?? ''}</button>
        <button type="button" id="decline" class="decline" ?disabled=${v.incoming?.disabled ?? true} @click=${() => a.decline()}>${v.incoming?.decline ?? ''}</button>
      </div>
    </section>
    <section id="call" class="dev-call" ?hidden=${!v.inCall}>${call ? html`<call-tiles .session=${call} kiosk @leave=${() => a.hangUp()}></call-tiles>` : nothing}</section>
    <footer class="dev-foot">
      <div id="privacy-state" class="privacy-state" data-active=${String(v.privacy.active)}>${v.privacy.text}</div>
      <button type="button" id="masks" class="masks-btn" @click=${() => a.openMasks()}>${v.masks.button}</button>
      <button type="button" id="consents" class="masks-btn" @click=${() => a.toggleConsents()}>${v.consents.button}</button>
      <button type="button" id="privacy" class="privacy-btn" aria-pressed=${String(v.privacy.pressed)} ?disabled=${v.privacy.busy} @click=${() => a.togglePrivacy()}>${v.privacy.button}</button>
    </footer>`;
}

/** Calls nobody at home picked up: who and when, and one big button to ring them back. */
function missedCalls(m: NonNullable<DeviceView['missed']>, disabled: boolean, a: DeviceActions): TemplateResult {
  return html`<h2 id="missed-title">${m.title}</h2>
    <ul id="missed" class="missed-list kiosk-scroll" aria-labelledby="missed-title">
      ${m.items.map(
        (c) => html`<li data-call-id=${c.id}>
          <span class="m-who">${c.who}</span><span class="m-when">${c.when}</span>
          ${c.callBack ? html`<button type="button" class="call-back" data-call-back=${c.callBack} ?disabled=${disabled} @click=${() => a.callOut(c.callBack!)}>${m.callBackLabel}</button>` : nothing}
        </li>`,
      )}
    </ul>`;
}

/** The household draws rectangles on the device's own preview (shown here only, never sent). */
function maskEditor(e: NonNullable<DeviceView['masks']['editor']>, a: DeviceActions): TemplateResult {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  return html`<section id="mask-editor" class="mask-editor" aria-labelledby="mask-title">
    <h2 id="mask-title">${e.title}</h2>
    <p class="hint">${e.hint}</p>
    <div id="mask-stage" class="mask-stage" @pointerdown=${a.maskPointer} @pointermove=${a.maskPointer} @pointerup=${a.maskPointer}>
      <video id="mask-preview" autoplay muted playsinline></video>
      ${e.rects.map((r) => html`<div class="mask-rect" style="left:${pct(r.x)};top:${pct(r.y)};width:${pct(r.w)};height:${pct(r.h)}"></div>`)}
    </div>
    <div class="mask-actions">
      <button type="button" id="mask-clear" class="btn" @click=${() => a.clearMasks()}>${e.clear}</button>
      <button type="button" id="mask-save" class="btn primary" @click=${() => a.saveMasks()}>${e.save}</button>
      <button type="button" id="mask-close" class="btn" @click=${() => a.closeMasks()}>${e.close}</button>
    </div>
  </section>`;
}

/** The consents in force, so the people at home see who may look in and when nobody may. */
function consentsPanel(p: NonNullable<DeviceView['consents']['panel']>, a: DeviceActions): TemplateResult {
  return html`<section id="consents-panel" class="mask-editor consents-panel" aria-labelledby="consents-title">
    <h2 id="consents-title">${p.title}</h2>
    <ul id="consent-list" class="consent-list">
      ${p.empty
        ? html`<li class="empty">${p.empty}</li>`
        : p.items.map((c) => html`<li data-consent-id=${c.id}><span class="c-who">${c.who}</span> · <span class="c-what">${c.what}</span><div class="c-since">${c.since}</div></li>`)}
    </ul>
    ${p.when.map((w) => html`<p class="hint consent-when">${w}</p>`)}
    <div class="mask-actions"><button type="button" id="consents-close" class="btn" @click=${() => a.toggleConsents()}>${p.close}</button></div>
  </section>`;
}
