// <qr-code text="…">: a QR code drawn here in the page (the `qrcode` library, no service asked),
// as a PNG image so it prints sharp on a thermal printer as well as on screen.
import { LitElement, html, nothing } from 'lit';
import QRCode from 'qrcode';

export class QrCode extends LitElement {
  static override properties = { text: {}, label: {}, src: { state: true } };
  declare text: string;
  declare label: string;
  declare src: string | null;

  constructor() {
    super();
    this.text = '';
    this.label = '';
    this.src = null;
  }

  // Light DOM: the page's print stylesheet sizes the image.
  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (!changed.has('text')) return;
    const text = this.text;
    if (!text) return void (this.src = null);
    void QRCode.toDataURL(text, { margin: 2, scale: 8, errorCorrectionLevel: 'M' }).then((url) => {
      if (this.text === text) this.src = url;
    });
  }

  protected override render(): unknown {
    return this.src ? html`<img class="qr" src=${this.src} alt=${this.label} data-qr=${this.text} />` : nothing;
  }
}

customElements.define('qr-code', QrCode);
