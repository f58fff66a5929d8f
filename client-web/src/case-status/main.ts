// case.html: a petitioner's phone, opened from the QR code on a receipt (`?case=<case number>`),
// no sign-in. The query code is typed here, never carried in the address, so a photo of the QR
// code alone shows nothing. One call, petition.caseStatus; the server locks a case's lookups
// after five wrong codes (docs/field.md "The phone's case status page").
import { html, nothing } from 'lit';
import { Api } from '../lib/api.ts';
import { LANGUAGES, otherLanguage, startLanguage, t, toggleLanguage, viewContext } from '../lib/i18n.ts';
import { PageElement, define } from '../lib/page.ts';
import { CODE_DIGITS, caseNumberOf, caseStatusView, codeOf, initialCaseStatus, lookupOf, type CaseStatusState } from './view-model.ts';

/** The endpoint is public: no token. */
const api = new Api('');

class CaseStatusPage extends PageElement<CaseStatusState> {
  constructor() {
    super(initialCaseStatus(new URLSearchParams(location.search).get('case')));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    startLanguage();
  }

  async #submit(): Promise<void> {
    if (this.state.busy) return;
    const q = lookupOf(this.state);
    if (!q.ok) return this.set({ failure: { kind: q.kind } });
    this.set({ busy: true, failure: null, caseInput: q.caseId });
    try {
      const status = await api.call('petition.caseStatus', { body: { caseId: q.caseId, code: q.code } });
      this.set({ busy: false, status, code: '' });
    } catch (err) {
      this.set({ busy: false, failure: { kind: 'refused', err } });
    }
  }

  protected override render(): unknown {
    const v = caseStatusView(this.state, viewContext());
    const r = v.result;
    return html`<header class="phone-bar">
        <h1>${v.title}</h1>
        <button type="button" class="btn lang" id="lang" @click=${() => toggleLanguage()}>${LANGUAGES[otherLanguage()].name}</button>
      </header>
      <main class="phone-main">
        ${r
          ? html`<section class="phone-card" data-status=${r.phase}>
              <p class="case-no" data-case-no>${r.caseNo}</p>
              <p class="phase-label">${r.now}</p>
              <p class="phase phase-${r.phase}" data-phase>${r.phaseText}</p>
              <p class="hint">${r.hint}</p>
              <dl class="rows">${r.rows.map((x) => html`<dt>${x.term}</dt><dd data-row=${x.key}>${x.value}</dd>`)}</dl>
              <h2>${r.deadlinesTitle}</h2>
              ${r.noDeadline
                ? html`<p class="muted" data-no-deadline>${r.noDeadline}</p>`
                : html`<dl class="rows">${r.deadlines.map((x) => html`<dt>${x.term}</dt><dd data-deadline=${x.key}>${x.value}</dd>`)}</dl>`}
              ${r.reply
                ? html`<article class="reply" data-reply>
                    <h2>${r.reply.title}</h2>
                    <p class="muted">${r.reply.date}</p>
                    <p class="reply-text">${r.reply.text}</p>
                  </article>`
                : nothing}
              <button type="button" class="btn" id="another" @click=${() => this.set({ status: null, failure: null })}>${r.another}</button>
            </section>`
          : html`<form
              class="phone-card"
              id="lookup"
              @submit=${(e: Event) => {
                e.preventDefault();
                void this.#submit();
              }}
            >
              <h2>${v.heading}</h2>
              <p class="hint">${v.lead}</p>
              <label>${v.caseLabel}<input name="case" autocomplete="off" autocapitalize="characters" spellcheck="false" placeholder="XF20261126-000042" .value=${this.state.caseInput}
                @input=${(e: Event) => this.set({ caseInput: (e.target as HTMLInputElement).value, failure: null })}
                @change=${(e: Event) => this.set({ caseInput: caseNumberOf((e.target as HTMLInputElement).value) ?? (e.target as HTMLInputElement).value })} /></label>
              <label>${v.codeLabel}<input name="code" class="code" inputmode="numeric" autocomplete="one-time-code" maxlength=${CODE_DIGITS} .value=${this.state.code}
                @input=${(e: Event) => {
                  const el = e.target as HTMLInputElement;
                  el.value = codeOf(el.value);
                  this.set({ code: el.value, failure: null });
                }} /></label>
              <output id="error" role="alert" class="late">${v.error ?? nothing}</output>
              <button class="btn primary" id="submit" ?disabled=${v.submit.disabled}>${v.submit.label}</button>
            </form>`}
        <p class="privacy">${v.privacy}</p>
      </main>`;
  }

  protected override updated(): void {
    document.title = t('caseStatus.title');
  }
}

define('case-status-page', CaseStatusPage);
