// One issued document (受理告知书 / 处理意见书 / 复查·复核意见书) exactly as stored, with its number and
// SHA-256, to read, print, or save as PDF (the browser's print to PDF keeps the A4 page layout).
import { html, nothing } from 'lit';
import { Api } from '../lib/api.ts';
import { startLanguage, t } from '../lib/i18n.ts';
import { PageElement, define } from '../lib/page.ts';
import { pageToken } from '../lib/token.ts';
import { plainError, type CaseDocumentWithHtml } from '../petition-ui/common.ts';

const KEYS = ['cases.token', 'official.token', 'coordinator.token'];

interface DocumentState {
  doc: CaseDocumentWithHtml | null;
  failure: string;
}

class DocumentPage extends PageElement<DocumentState> {
  constructor() {
    super({ doc: null, failure: '' });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#boot();
  }

  protected override render(): unknown {
    const d = this.state.doc;
    if (this.state.failure) return html`<div class="card">${this.state.failure}</div>`;
    if (!d) return nothing;
    return html`<div class="doc-bar">
        <b>${d.title}</b> <span>${d.number}</span>
        <code data-sha256 title="SHA-256">${d.sha256}</code>
        <button type="button" class="btn primary" data-act="print" @click=${() => this.querySelector('iframe')?.contentWindow?.print()}>${t('documentPage.print')}</button>
      </div>
      <iframe class="doc-frame" title=${d.title} sandbox="allow-modals allow-same-origin" .srcdoc=${d.html}></iframe>`;
  }

  async #boot(): Promise<void> {
    startLanguage();
    const token = pageToken(KEYS[0]!) ?? KEYS.slice(1).map((k) => localStorage.getItem(k)).find(Boolean);
    const id = new URL(location.href).searchParams.get('id');
    if (!token || !id) return this.set({ failure: t('documentPage.missing') });
    try {
      const doc = await new Api(token).call('petition.document', { params: { documentId: id } });
      document.title = `${doc.title} ${doc.number}`;
      this.set({ doc });
    } catch (err) {
      this.set({ failure: plainError(err) });
    }
  }
}

define('document-page', DocumentPage);
