// What the two desk pages (official, coordinator) share: the signed-in session by role, and the
// card shown to someone without one (with the way to the sign-in page).
import { html, type TemplateResult } from 'lit';
import type { T } from '../lib/i18n.ts';
import { homeLink } from '../widgets/home-link.ts';
import { PageSession, SIGN_IN_PAGE } from '../lib/session.ts';

/** The desk's session, or null when there is none or it is of another role. */
export function deskSignIn(tokenKey: string, roles: string[]): Promise<PageSession | null> {
  return PageSession.start(tokenKey, roles);
}

export function signInCard(roleName: string, t: T): TemplateResult {
  return html`<div class="card" id="signed-out">
    <h2>${t('desk.signInTitle')}</h2>
    <p>${t('desk.signInHint', { role: roleName })}</p>
    <a class="btn primary" id="to-sign-in" href=${SIGN_IN_PAGE}>${t('desk.toSignIn')}</a>
    ${homeLink()}
  </div>`;
}
