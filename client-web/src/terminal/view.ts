// The terminal's templates: they arrange what the view-model says and bind the page's actions.
import { html, nothing, type TemplateResult } from 'lit';
import type { CallSession } from '../lib/call-session.ts';
import type { Rating } from '../petition-ui/common.ts';
import '../widgets/call-tiles.ts';
import { icon } from '../widgets/icons.ts';
import type { Flag, HelperDetails, RatingBlock, TerminalView } from './view-model.ts';

export interface TerminalActions {
  start(category: string): void;
  setDetail(name: keyof HelperDetails, value: string): void;
  toggleFlag(flag: Flag): void;
  toggleAudioOnly(): void;
  book(dayId: string, slot: number): void;
  callback(): void;
  switchAudioOnly(): void;
  hangUp(): void;
  rate(r: Rating): void;
  skipRating(): void;
  backToCall(): void;
  toRating(): void;
  done(): void;
  toggleVoice(): void;
  toggleLanguage(): void;
}

const LOGO = html`<svg class="kbar-logo" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><rect x="2" y="6" width="14" height="12" rx="2" /><path d="M16 10l6-3v10l-6-3z" /></svg>`;

export function terminalTemplate(v: TerminalView, a: TerminalActions, session: CallSession | null, languageLabel: string, toast: unknown): TemplateResult {
  const h = v.header;
  return html`<header class="kbar">
      <div class="kbar-title">${LOGO} <span>${h.brand}</span></div>
      <div class="kbar-place" id="place">${h.place}</div>
      <div class="kbar-net" id="net" role="status" ?hidden=${!h.netLost}>${h.netLost ?? ''}</div>
      <button type="button" class="kbar-voice" id="voice" aria-pressed=${h.voice.pressed} title=${h.voice.title} @click=${() => a.toggleVoice()}>${h.voice.label}</button>
      <button type="button" class="kbar-voice kbar-lang" id="lang" @click=${() => a.toggleLanguage()}>${languageLabel}</button>
      <div class="kbar-clock" id="clock">${h.clock}</div>
    </header>
    <main id="app" aria-live="polite">${screen(v, a, session)}</main>
    <ui-toast id="toast" class="ktoast" role="alert" .message=${toast}></ui-toast>`;
}

function screen(v: TerminalView, a: TerminalActions, session: CallSession | null): unknown {
  const b = v.body;
  switch (b?.kind) {
    case 'error':
      return html`<section class="fatal"><p>${icon('alert')} ${b.message}</p><p class="sub">${b.sub}</p></section>`;
    case 'start':
      return html`<section class="start">
        <h2 class="prompt">${b.prompt}</h2>
        <p class="sub">${b.sub}</p>
        <div class="cats" role="group" aria-label=${b.categoriesLabel}>
          ${b.categories.map(
            (c) => html`<button type="button" class="cat ${c.busy ? 'busy' : ''}" data-category=${c.code} ?disabled=${c.disabled} @click=${() => a.start(c.code)}>
              <span class="cat-icon cat-${c.icon}">${icon(c.icon)}</span>
              <span class="cat-name">${c.name}</span>
            </button>`,
          )}
        </div>
        <details class="helper" ?open=${b.helper.open}>
          <summary>${b.helper.summary}</summary>
          <div class="helper-grid">
            ${b.helper.fields.map((f) =>
              f.name === 'description'
                ? html`<label class="wide">${f.label}<textarea name=${f.name} rows="3" maxlength="2000" .value=${f.value} @input=${(e: Event) => a.setDetail(f.name, (e.target as HTMLTextAreaElement).value)}></textarea></label>`
                : html`<label>${f.label}<input name=${f.name} maxlength=${f.name === 'phone' ? 13 : 50} inputmode=${f.name === 'phone' ? 'tel' : nothing} autocomplete="off" .value=${f.value} @input=${(e: Event) => a.setDetail(f.name, (e.target as HTMLInputElement).value)} /></label>`,
            )}
            <div class="flags wide" role="group" aria-label=${b.helper.flagsLabel}>
              ${b.helper.flags.map((f) => html`<button type="button" class="flag" data-flag=${f.flag} aria-pressed=${f.pressed} @click=${() => a.toggleFlag(f.flag)}>${icon(f.icon)} ${f.label}</button>`)}
            </div>
            <p class="hint wide">${b.helper.hint}</p>
          </div>
        </details>
      </section>`;
    case 'waiting':
      return html`<section class="waiting">
        <div class="case-no">${b.caseNumberLabel}<strong data-case-id>${b.caseId}</strong></div>
        <div class="wait-card">
          <p class="dept">${b.contacting}</p>
          <p class="position" data-position=${b.positionAttr}>${b.position}</p>
          <p class="estimate">${b.estimate}</p>
          <p class="waited">${b.waited}</p>
        </div>
        ${b.offer
          ? html`<div class="offer" data-offer>
              <h3>${b.offer.title}</h3>
              ${b.offer.appointments.map(
                (o) => html`<button type="button" class="kbtn offer-btn" data-book=${o.dayId} data-slot=${o.slot} @click=${() => a.book(o.dayId, o.slot)}>
                  ${icon('calendar')} ${o.label}<br /><small>${o.detail}</small>
                </button>`,
              )}
              ${b.offer.callback?.kind === 'button'
                ? html`<button type="button" class="kbtn offer-btn" data-act="callback" @click=${() => a.callback()}>${icon('phone')} ${b.offer.callback.label}<br /><small>${b.offer.callback.phone}</small></button>`
                : b.offer.callback?.kind === 'hint'
                  ? html`<p class="hint">${b.offer.callback.text}</p>`
                  : nothing}
              <p class="hint">${b.offer.hint}</p>
            </div>`
          : nothing}
        <div class="row">
          <button type="button" class="kbtn ${b.audioOnly.pressed ? 'on' : ''}" data-act="audio-only" aria-pressed=${b.audioOnly.pressed} @click=${() => a.toggleAudioOnly()}>
            ${icon(b.audioOnly.icon)} ${b.audioOnly.label}
          </button>
        </div>
        <p class="sub">${b.sub}</p>
      </section>`;
    case 'call': {
      const audioSwitch = html`<button type="button" class="btn audio-only" data-act="audio-only" aria-pressed=${b.audioSwitch.pressed} @click=${() => a.switchAudioOnly()}>
        ${icon(b.audioSwitch.icon)} ${b.audioSwitch.label}
      </button>`;
      return html`<section class="incall ${b.rating ? 'rating-mode' : ''}">
        <div class="call-banner" id="call-banner"><span class="dot"></span> ${b.banner} <span class="case-chip">${b.caseChip}</span></div>
        <div id="call-host">${session ? html`<call-tiles .session=${session} kiosk .extra=${audioSwitch} @leave=${() => a.hangUp()}></call-tiles>` : nothing}</div>
        <div id="rate-host">${b.rating ? rating(b.rating, a) : nothing}</div>
      </section>`;
    }
    case 'rating':
      return html`<section class="rating-screen">
        ${b.opinion ? html`<div class="opinion"><h3>${b.opinion.title}</h3><p>${b.opinion.text}</p></div>` : nothing} ${rating(b.rating, a)}
        <div class="row"><button type="button" class="kbtn" data-act="skip-rating" @click=${() => a.skipRating()}>${b.skip}</button></div>
      </section>`;
    case 'receipt':
      return html`<section class="receipt" data-receipt>
        <p class="receipt-title">${icon('check')} ${b.title}</p>
        <p class="receipt-label">${b.label}</p>
        <p class="receipt-no" data-case-id>${b.caseId}</p>
        <p class="receipt-state">${b.state}</p>
        <ul class="receipt-lines">
          ${b.lines.map((l) => html`<li>${l}</li>`)}
        </ul>
        <div class="row">
          ${b.backToCall ? html`<button type="button" class="kbtn" data-act="back-to-call" @click=${() => a.backToCall()}>${icon('video')} ${b.backToCall}</button>` : nothing}
          ${b.toRating ? html`<button type="button" class="kbtn" data-act="to-rating" @click=${() => a.toRating()}>${icon('happy')} ${b.toRating}</button>` : nothing}
          <button type="button" class="kbtn primary" data-act="done" @click=${() => a.done()}>${b.done}</button>
        </div>
      </section>`;
    default:
      return nothing;
  }
}

function rating(r: RatingBlock, a: TerminalActions): TemplateResult {
  return html`<div class="rating" data-rating>
    <h2>${r.question}</h2>
    <p class="sub">${r.sub}</p>
    <div class="rate-row">
      ${r.buttons.map(
        (b) => html`<button type="button" class="rate rate-${b.rating}" data-rate=${b.rating} ?disabled=${b.disabled} @click=${() => a.rate(b.rating)}>${icon(b.icon)}${b.label}</button>`,
      )}
    </div>
  </div>`;
}
