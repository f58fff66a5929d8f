// The pairing screen of a device that has no credential yet (a petition terminal, a home device):
// the code in big letters and as a QR, who enters it, and until when (lib/device-credential.ts).
import { html } from 'lit';
import { language, t } from '../lib/i18n.ts';
import { formatTime } from '../lib/time.ts';
import type { DeviceKind, Pairing } from '../../../server/protocol/http/identity-shapes.ts';

export function pairingScreen(kind: DeviceKind, p: Pairing | null): unknown {
  return html`<main class="pairing" id="pairing">
    <h1>${t('pairing.title')}</h1>
    ${p
      ? html`<p class="pairing-code" id="pairing-code" data-code=${p.code}>${p.code}</p>
          <img class="pairing-qr" src=${p.qr} alt=${t('pairing.qrAlt')} width="220" height="220" />
          <p>${kind === 'terminal' ? t('pairing.hintTerminal') : t('pairing.hintHome')}</p>
          <p class="pairing-expires">${t('pairing.expires', { at: formatTime(Date.parse(p.expiresAt), 'time', language()) })}</p>`
      : html`<p>${t('common.loading')}</p>`}
  </main>`;
}
