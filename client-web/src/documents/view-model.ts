// The document page's pure parts: which document the address names and which remembered sign-in
// fetches it (it opens in a new tab from the case, official or coordinator page, so it borrows
// whichever of their tokens it finds), and what it shows — the document with its number and
// SHA-256, or why there is none.
import type { ViewContext } from '../lib/i18n.ts';
import type { CaseDocumentWithHtml } from '../petition-ui/common.ts';

/** The pages that link to documents remember their tokens under these keys; the first is also where a `?token=` is kept. */
export const TOKEN_KEYS = ['cases.token', 'official.token', 'coordinator.token'] as const;

export interface DocumentState {
  doc: CaseDocumentWithHtml | null;
  failure: string;
}

export const initialDocument = (): DocumentState => ({ doc: null, failure: '' });

/** The fetch the page makes: the first token found (in `TOKEN_KEYS` order) and the `?id=`; null when either is missing. */
export function documentRequest(href: string, tokens: readonly (string | null)[]): { token: string; documentId: string } | null {
  const token = tokens.find(Boolean);
  const documentId = new URL(href).searchParams.get('id');
  return token && documentId ? { token, documentId } : null;
}

export type DocumentView =
  | { kind: 'loading' }
  | { kind: 'failure'; text: string }
  | { kind: 'document'; title: string; number: string; sha256: string; html: string; print: string; pageTitle: string };

export function documentView(s: DocumentState, { t }: ViewContext): DocumentView {
  if (s.failure) return { kind: 'failure', text: s.failure };
  const d = s.doc;
  if (!d) return { kind: 'loading' };
  return { kind: 'document', title: d.title, number: d.number, sha256: d.sha256, html: d.html, print: t('documentPage.print'), pageTitle: `${d.title} ${d.number}` };
}
