// The way back to the home page from a page opened without a session (no token, revoked, not
// signed in): nobody is left on a dead end.
import { html, type TemplateResult } from 'lit';
import { t } from '../lib/i18n.ts';

export function homeLink(): TemplateResult {
  return html`<a class="btn home-link" data-act="home" href="./index.html">${t('common.backHome')}</a>`;
}
