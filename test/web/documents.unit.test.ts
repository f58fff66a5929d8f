// The document page's view-model: which document and which remembered sign-in it fetches with,
// and what it shows — the document with its number and SHA-256, or why there is none.
import { describe, expect, it } from 'vitest';
import { translator, type Lang, type ViewContext } from '../../client-web/src/lib/i18n.ts';
import { documentRequest, documentView, initialDocument } from '../../client-web/src/documents/view-model.ts';
import type { CaseDocumentWithHtml } from '../../client-web/src/petition-ui/common.ts';

const ctx = (lang: Lang = 'zh'): ViewContext => ({ t: translator(lang), lang, now: 0 });
const PAGE = 'http://localhost/document.html';
const DOC = {
  id: 'doc-1', caseId: 'c-1', kind: 'reply', number: '砀山县人力资源和社会保障局〔2026〕处字第3号', title: '信访事项处理意见书',
  office: '砀山县人社局', issuedAt: '2026-11-26T04:00:00Z', issuedBy: 'O341321-rs-1', sha256: 'ab'.repeat(32), html: '<p>已责令其十日内足额支付</p>',
} as CaseDocumentWithHtml;

describe('document page view-model', () => {
  it('fetches the document the address names with the first token it finds', () => {
    expect(documentRequest(`${PAGE}?id=doc%2F1`, [null, 'official-token', 'coordinator-token'])).toEqual({ token: 'official-token', documentId: 'doc/1' });
    expect(documentRequest(`${PAGE}?id=doc-1`, ['case-token', 'official-token'])).toEqual({ token: 'case-token', documentId: 'doc-1' });
  });

  it('fetches nothing without a document id or without any sign-in', () => {
    expect(documentRequest(PAGE, ['case-token'])).toBeNull();
    expect(documentRequest(`${PAGE}?id=`, ['case-token'])).toBeNull();
    expect(documentRequest(`${PAGE}?id=doc-1`, [null, '', null])).toBeNull();
  });

  it('shows nothing while loading, then the document with its number, SHA-256 and print button', () => {
    expect(documentView(initialDocument(), ctx())).toEqual({ kind: 'loading' });
    expect(documentView({ doc: DOC, failure: '' }, ctx())).toEqual({
      kind: 'document', title: DOC.title, number: DOC.number, sha256: DOC.sha256, html: DOC.html, print: '打印 / 存为 PDF', pageTitle: `信访事项处理意见书 ${DOC.number}`,
    });
    expect(documentView({ doc: DOC, failure: '' }, ctx('en'))).toMatchObject({ print: ctx('en').t('documentPage.print') });
  });

  it('says why there is no document', () => {
    expect(documentView({ doc: null, failure: '没有指定文书，或未登录' }, ctx())).toEqual({ kind: 'failure', text: '没有指定文书，或未登录' });
  });
});
