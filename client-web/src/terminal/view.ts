// The terminal's templates: they arrange what the view-model says and bind the page's actions.
import { html, nothing, type TemplateResult } from 'lit';
import type { CallSession } from '../lib/call-session.ts';
import type { Rating } from '../petition-ui/common.ts';
import '../widgets/call-tiles.ts';
import '../widgets/qr-code.ts';
import { icon } from '../widgets/icons.ts';
import { homeLink } from '../widgets/home-link.ts';
import type { DaysView, FoundView, KeypadView, RingingView } from './life-view-model.ts';
import type { Flag, HelperDetails, RatingBlock, ReceiptView, TerminalView } from './view-model.ts';

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
  // ---- the case life after the call
  openLookup(): void;
  key(key: string): void;
  field(field: 'case' | 'code'): void;
  submitLookup(): void;
  rateResult(r: Rating): void;
  requestReview(): void;
  requestCallback(): void;
  openDocument(id: string): void;
  closeDocument(): void;
  openDays(): void;
  chooseSlot(dayId: string, slot: number): void;
  bookCategory(category: string): void;
  answerRinging(): void;
  backToStart(): void;
  // ---- walk-away safety
  askWithdraw(): void;
  withdraw(): void;
  keepWaiting(): void;
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
    ${v.document
      ? html`<div class="doc-over" id="document" role="dialog" aria-label=${v.document.title}>
          <iframe title=${v.document.title} sandbox="allow-modals allow-same-origin" .srcdoc=${v.document.html}></iframe>
          <div class="row">
            <button type="button" class="kbtn primary" data-act="print" @click=${(e: Event) => ((e.target as HTMLElement).closest('.doc-over')!.querySelector('iframe')!.contentWindow!.print())}>${v.document.print}</button>
            <button type="button" class="kbtn" data-act="close-document" @click=${() => a.closeDocument()}>${v.document.close}</button>
          </div>
        </div>`
      : nothing}
    ${v.dialog
      ? html`<div class="kdialog" id="dialog" role="alertdialog" aria-modal="true" aria-labelledby="dialog-title" data-dialog=${v.dialog.kind}>
          <div class="kdialog-box">
            <h2 id="dialog-title">${v.dialog.title}</h2>
            <p>${v.dialog.text}</p>
            <div class="row">
              ${v.dialog.buttons.map(
                (d) => html`<button type="button" class="kbtn ${d.danger ? 'danger' : 'primary'}" data-act=${d.act} @click=${() => (d.act === 'withdraw' ? a.withdraw() : a.keepWaiting())}>${d.label}</button>`,
              )}
            </div>
          </div>
        </div>`
      : nothing}
    <ui-toast id="toast" class="ktoast" role="alert" .message=${toast}></ui-toast>`;
}

function screen(v: TerminalView, a: TerminalActions, session: CallSession | null): unknown {
  const b = v.body;
  switch (b?.kind) {
    case 'error':
      return html`<section class="fatal"><p>${icon('alert')} ${b.message}</p><p class="sub">${b.sub}</p>${homeLink()}</section>`;
    case 'start':
      return html`<section class="start kiosk-screen">
        <h2 class="prompt">${b.prompt}</h2>
        <p class="sub">${b.sub}</p>
        <div class="doors">
          <button type="button" class="kbtn door" data-act="lookup" @click=${() => a.openLookup()}>${icon('doc')} ${b.lookup}</button>
          <button type="button" class="kbtn door" data-act="days" @click=${() => a.openDays()}>${icon('calendar')} ${b.days}</button>
        </div>
        <div class="cats kiosk-grow" role="group" aria-label=${b.categoriesLabel}>
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
      return html`<section class="waiting kiosk-screen">
        <div class="case-no">${b.caseNumberLabel}<strong data-case-id>${b.caseId}</strong></div>
        <div class="wait-card">
          <p class="dept">${b.contacting}</p>
          <p class="position" data-position=${b.positionAttr}>${b.position}</p>
          <p class="estimate">${b.estimate}</p>
          <p class="waited">${b.waited}</p>
        </div>
        ${b.offer
          ? html`<div class="offer kiosk-scroll" data-offer>
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
          <button type="button" class="kbtn danger give-up" data-act="give-up" @click=${() => a.askWithdraw()}>${icon('close')} ${b.giveUp}</button>
        </div>
        <p class="sub">${b.sub}</p>
      </section>`;
    case 'call': {
      const audioSwitch = html`<button type="button" class="btn audio-only" data-act="audio-only" aria-pressed=${b.audioSwitch.pressed} @click=${() => a.switchAudioOnly()}>
        ${icon(b.audioSwitch.icon)} ${b.audioSwitch.label}
      </button>`;
      return html`<section class="incall kiosk-screen ${b.rating ? 'rating-mode' : ''}">
        <div class="call-banner" id="call-banner"><span class="dot"></span> ${b.banner} <span class="case-chip">${b.caseChip}</span></div>
        <div id="call-host" class="kiosk-grow">${session ? html`<call-tiles .session=${session} kiosk .extra=${audioSwitch} @leave=${() => a.hangUp()}></call-tiles>` : nothing}</div>
        <div id="rate-host">${b.rating ? rating(b.rating, a) : nothing}</div>
      </section>`;
    }
    case 'rating':
      return html`<section class="rating-screen kiosk-screen">
        ${b.opinion ? html`<div class="opinion"><h3>${b.opinion.title}</h3><p>${b.opinion.text}</p></div>` : nothing} ${rating(b.rating, a)}
        <div class="row"><button type="button" class="kbtn" data-act="skip-rating" @click=${() => a.skipRating()}>${b.skip}</button></div>
      </section>`;
    case 'receipt':
      return html`<section class="receipt kiosk-screen" data-receipt>
        <p class="receipt-title">${icon('check')} ${b.title}</p>
        <div class="receipt-ticket">
          <p class="receipt-label">${b.label}</p>
          <p class="receipt-no" data-case-id>${b.caseId}</p>
          ${b.code ? html`<p class="receipt-code">${b.code.label} <strong data-query-code>${b.code.value}</strong></p>` : nothing}
        </div>
        <div class="receipt-info kiosk-scroll">
          <p class="receipt-state">${b.state}</p>
          <ul class="receipt-lines">
            ${b.lines.map((l) => html`<li>${l}</li>`)}
          </ul>
        </div>
        <div class="row">
          ${b.backToCall ? html`<button type="button" class="kbtn" data-act="back-to-call" @click=${() => a.backToCall()}>${icon('video')} ${b.backToCall}</button>` : nothing}
          ${b.toRating ? html`<button type="button" class="kbtn" data-act="to-rating" @click=${() => a.toRating()}>${icon('happy')} ${b.toRating}</button>` : nothing}
          <button type="button" class="kbtn" data-act="print" @click=${() => window.print()}>${b.print}</button>
          <button type="button" class="kbtn primary" data-act="done" @click=${() => a.done()}>${b.done}</button>
        </div>
        ${printSlip(b.slip)}
      </section>`;
    case 'lookup':
      return keypad(b, a);
    case 'found':
      return found(b, a);
    case 'days':
      return days(b, a);
    case 'ringing':
      return ringing(b, a);
    default:
      return nothing;
  }
}

/**
 * The receipt as the terminal's 80 mm thermal printer prints it (shown only in print): the case,
 * its query code, time and office, how to follow up, and a QR code that opens the case's status
 * page on the petitioner's phone (case.html) with the number filled in; the code stays on paper.
 */
function printSlip(p: ReceiptView['slip']): TemplateResult {
  const lookup = new URL(`case.html?case=${encodeURIComponent(p.lookup)}`, location.href).href;
  return html`<div class="print-slip" aria-hidden="true">
    <h1>${p.title}</h1>
    <dl>${p.rows.map((r) => html`<dt>${r.term}</dt><dd>${r.value}</dd>`)}</dl>
    <ul>${p.lines.map((l) => html`<li>${l}</li>`)}</ul>
    <p class="follow-up">${p.followUp}</p>
    <qr-code text=${lookup} label=${p.scan}></qr-code>
    <p class="scan">${p.scan}</p>
  </div>`;
}

function keypad(b: KeypadView, a: TerminalActions): TemplateResult {
  return html`<section class="lookup kiosk-screen">
    <h2 class="prompt">${b.title}</h2>
    <p class="sub">${b.sub}</p>
    <div class="lookup-grid">
      <div class="entry">
        <button type="button" class="entry-field ${b.field === 'case' ? 'on' : ''}" data-field="case" @click=${() => a.field('case')}>
          <span>${b.caseLabel}</span><strong id="entry-case">${b.caseShown}</strong>
        </button>
        <button type="button" class="entry-field ${b.field === 'code' ? 'on' : ''}" data-field="code" @click=${() => a.field('code')}>
          <span>${b.codeLabel}</span><strong id="entry-code">${b.codeShown}</strong>
        </button>
        <div class="row">
          <button type="button" class="kbtn" data-act="back-to-start" @click=${() => a.backToStart()}>${b.back}</button>
          <button type="button" class="kbtn primary" data-act="lookup-submit" ?disabled=${b.submit.disabled} @click=${() => a.submitLookup()}>${b.submit.label}</button>
        </div>
      </div>
      <div class="keypad" role="group">
        ${b.keys.map((k) => html`<button type="button" class="key" data-key=${k.key} @click=${() => a.key(k.key)}>${k.label}</button>`)}
      </div>
    </div>
  </section>`;
}

function found(b: FoundView, a: TerminalActions): TemplateResult {
  return html`<section class="found kiosk-screen" data-found=${b.caseId}>
    <div class="case-no"><strong data-case-id>${b.caseId}</strong> · ${b.category}</div>
    <div class="kiosk-scroll">
    <dl class="found-rows">${b.rows.map((r) => html`<dt>${r.term}</dt><dd data-row=${r.key}>${r.value}</dd>`)}</dl>
    ${b.answer ? html`<div class="opinion" data-answer><h3>${b.answer.title} · ${b.answer.date}</h3><p>${b.answer.text}</p></div>` : nothing}
    ${b.documents.length ? html`<div class="row">${b.documents.map((d) => html`<button type="button" class="kbtn" data-document=${d.id} @click=${() => a.openDocument(d.id)}>${icon('doc')} ${d.label}</button>`)}</div>` : nothing}
    ${b.rating
      ? html`<div class="rating" data-rating>
          <h2>${b.rating.question}</h2>
          <div class="rate-row">
            ${b.rating.buttons.map((r) => html`<button type="button" class="rate rate-${r.rating}" data-rate-result=${r.rating} ?disabled=${r.disabled} @click=${() => a.rateResult(r.rating)}>${icon(r.icon)}${r.label}</button>`)}
          </div>
        </div>`
      : nothing}
    ${b.rated ? html`<p class="found-rated" data-rated>${b.rated}</p>` : nothing}
    ${b.callbackState ? html`<p class="found-rated" data-callback-state>${b.callbackState}</p>` : nothing}
    </div>
    <div class="row">
      ${b.review ? html`<button type="button" class="kbtn" data-act="review" title=${b.review.hint} @click=${() => a.requestReview()}>${icon('people')} ${b.review.label}</button>` : nothing}
      ${b.callback ? html`<button type="button" class="kbtn" data-act="ask-callback" @click=${() => a.requestCallback()}>${icon('phone')} ${b.callback.label}</button>` : nothing}
      <button type="button" class="kbtn primary" data-act="back-to-start" @click=${() => a.backToStart()}>${b.back}</button>
    </div>
  </section>`;
}

function days(b: DaysView, a: TerminalActions): TemplateResult {
  const back = html`<div class="row"><button type="button" class="kbtn" data-act="back-to-start" @click=${() => a.backToStart()}>${b.back}</button></div>`;
  // A slot chosen: only what the matter is about remains to tap.
  if (b.categories)
    return html`<section class="days kiosk-screen">
      <h2 class="prompt">${b.categories.title}</h2>
      <p class="sub" data-chosen-slot>${icon('calendar')} ${b.categories.chosen}</p>
      <div class="cats small kiosk-grow">
        ${b.categories.items.map(
          (c) => html`<button type="button" class="cat" data-book-category=${c.code} @click=${() => a.bookCategory(c.code)}>
            <span class="cat-icon cat-${c.icon}">${icon(c.icon)}</span><span class="cat-name">${c.name}</span>
          </button>`,
        )}
      </div>
      ${back}
    </section>`;
  return html`<section class="days kiosk-screen">
    <h2 class="prompt">${b.title}</h2>
    ${b.empty ? html`<p class="sub">${b.empty}</p>` : nothing}
    <div class="day-list kiosk-scroll">${b.days.map(
      (d) => html`<div class="day" data-day=${d.id}>
        <p class="day-head">${d.head}</p>
        <p class="sub">${d.detail}</p>
        <div class="slots">
          ${d.slots.map(
            (s) => html`<button type="button" class="slot ${s.chosen ? 'on' : ''}" data-slot=${s.slot} ?disabled=${!s.free} aria-pressed=${s.chosen} @click=${() => a.chooseSlot(d.id, s.slot)}>${s.label}</button>`,
          )}
        </div>
      </div>`,
    )}</div>
    ${back}
  </section>`;
}

function ringing(b: RingingView, a: TerminalActions): TemplateResult {
  return html`<section class="ringing kiosk-screen" data-ringing>
    <p class="ring-title">${icon('video')} ${b.title}</p>
    <p class="ring-who">${b.who}</p>
    <p class="sub">${b.caseLine}</p>
    <button type="button" class="kbtn primary big-answer" data-act="answer" @click=${() => a.answerRinging()}>${icon('phone')} ${b.answer}</button>
  </section>`;
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
