// The way from a signed-in person's page to their own account area (sign-in.html?passkeys), where
// they add a passkey of this browser or remove one: every page with a sign-out offers it.
import { html, type TemplateResult } from 'lit';
import { t } from '../lib/i18n.ts';

export const MY_PASSKEYS_PAGE = 'sign-in.html?passkeys';

/** `cls`: the page's own button class (`btn`, `pbtn`), so it sits with the sign-out beside it. */
export function passkeysLink(cls = 'btn'): TemplateResult {
  return html`<a class=${cls} id="to-passkeys" href=${MY_PASSKEYS_PAGE}>${t('common.myPasskeys')}</a>`;
}
