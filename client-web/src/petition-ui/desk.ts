// What the two desk pages (official, coordinator) share: sign-in by role, sign-out, and the card
// shown to someone without the right token.
import { html, type TemplateResult } from 'lit';
import type { T } from '../lib/i18n.ts';
import { pageToken, readClaims, type Claims } from '../lib/token.ts';

/** The desk's token and claims, or null when there is none or it is of another role. */
export function deskSignIn(tokenKey: string, roles: string[]): { token: string; claims: Claims } | null {
  const token = pageToken(tokenKey);
  const claims = token ? readClaims(token) : null;
  return token && claims && roles.includes(claims.role) ? { token, claims } : null;
}

export function signOut(tokenKey: string): void {
  localStorage.removeItem(tokenKey);
  location.href = 'index.html';
}

export function signInCard(roleName: string, t: T): TemplateResult {
  return html`<div class="card"><h2>${t('desk.signInTitle')}</h2><p>${t('desk.signInHint', { role: roleName })}</p></div>`;
}
