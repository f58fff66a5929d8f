// The home device kiosk's templates.
import { html, nothing, type TemplateResult } from 'lit';
import type { CallSession } from '../lib/call-session.ts';
import '../widgets/call-tiles.ts';
import type { DeviceView } from './view-model.ts';

export interface DeviceActions {
  answer(): void;
  togglePrivacy(): void;
  hangUp(): void;
  toggleLanguage(): void;
}

export function deviceTemplate(v: DeviceView, a: DeviceActions, call: CallSession | null, languageLabel: string): TemplateResult {
  if (v.fatal) return html`<main class="dev-idle" style="grid-template-columns:1fr"><p class="clock-date">${v.fatal}</p></main>`;
  return html`<header class="dev-bar">
      <span id="household" class="dev-household">${v.household}</span>
      <span id="net" class="dev-net" role="status" aria-live="polite" data-state=${v.net.state}>${v.net.text}</span>
      <span id="privacy-pill" class="privacy-pill" ?hidden=${!v.privacyPill}>${v.privacyPill ?? ''}</span>
      <button type="button" id="lang" class="dev-lang" @click=${() => a.toggleLanguage()}>${languageLabel}</button>
    </header>
    <div id="live" class="live" role="status" aria-live="assertive" ?hidden=${!v.live}><span class="live-dot" aria-hidden="true"></span><span id="live-text">${v.live ?? ''}</span></div>
    <main id="idle" class="dev-idle" ?hidden=${v.inCall}>
      <div class="clock">
        <div id="time" class="clock-time">${v.clock.time}</div>
        <div id="date" class="clock-date">${v.clock.date}</div>
      </div>
      <section class="dev-notices">
        <h2 id="notices-title">${v.notices.title}</h2>
        <ol id="notices" class="notice-list">
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
    </main>
    <section id="incoming" class="incoming" ?hidden=${!v.incoming} aria-live="assertive">
      <div id="incoming-who" class="incoming-who">${v.incoming?.who ?? ''}</div>
      <button type="button" id="answer" class="answer" ?disabled=${v.incoming?.disabled ?? true} @click=${() => a.answer()}>${v.incoming?.answer ?? ''}</button>
    </section>
    <section id="call" class="dev-call" ?hidden=${!v.inCall}>${call ? html`<call-tiles .session=${call} kiosk @leave=${() => a.hangUp()}></call-tiles>` : nothing}</section>
    <footer class="dev-foot">
      <div id="privacy-state" class="privacy-state" data-active=${String(v.privacy.active)}>${v.privacy.text}</div>
      <button type="button" id="privacy" class="privacy-btn" aria-pressed=${String(v.privacy.pressed)} ?disabled=${v.privacy.busy} @click=${() => a.togglePrivacy()}>${v.privacy.button}</button>
    </footer>`;
}
