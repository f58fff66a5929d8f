// One issued document (受理告知书 / 处理意见书 / 复查·复核意见书) exactly as stored, with its number and
// SHA-256, to read, print, or save as PDF (the browser's print to PDF keeps the A4 page layout).
import { html, nothing } from 'lit';
import { Api } from '../lib/api.ts';
import { startLanguage, t, viewContext } from '../lib/i18n.ts';
import { PageElement, define } from '../lib/page.ts';
import { pageToken } from '../lib/token.ts';
import { plainError } from '../petition-ui/common.ts';
import { TOKEN_KEYS, documentRequest, documentView, initialDocument, type DocumentState } from './view-model.ts';

class DocumentPage extends PageElement<DocumentState> {
  constructor() {
    super(initialDocument());
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#boot();
  }

  protected override render(): unknown {
    const v = documentView(this.state, viewContext());
    if (v.kind === 'failure') return html`<div class="card">${v.text}</div>`;
    if (v.kind === 'loading') return nothing;
    return html`<div class="doc-bar">
        <b>${v.title}</b> <span>${v.number}</span>
        <code data-sha256 title="SHA-256">${v.sha256}</code>
        <button type="button" class="btn primary" data-act="print" @click=${() => this.querySelector('iframe')?.contentWindow?.print()}>${v.print}</button>
      </div>
      <iframe class="doc-frame" title=${v.title} sandbox="allow-modals allow-same-origin" .srcdoc=${v.html}></iframe>`;
  }

  protected override updated(): void {
    const v = documentView(this.state, viewContext());
    if (v.kind === 'document') document.title = v.pageTitle;
  }

  async #boot(): Promise<void> {
    startLanguage();
    const [own, ...others] = TOKEN_KEYS;
    const request = documentRequest(location.href, [pageToken(own), ...others.map((k) => localStorage.getItem(k))]);
    if (!request) return this.set({ failure: t('documentPage.missing') });
    try {
      this.set({ doc: await new Api(request.token).call('petition.document', { params: { documentId: request.documentId } }) });
    } catch (err) {
      this.set({ failure: plainError(err) });
    }
  }
}

define('document-page', DocumentPage);
