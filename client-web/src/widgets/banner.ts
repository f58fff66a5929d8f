// The one banner and the one toast: a strip that shows a message (text or a lit template, e.g.
// with a button in it) until it is replaced or cleared, and the toast, the same strip that hides
// by itself after a while. Both are driven by their `message` property: the host element carries
// `hidden`, `data-kind` and `data-reason`, so pages style and tests find them by the page's id.
import { html, nothing, type PropertyValues } from 'lit';
import { LightElement, define } from '../lib/page.ts';

export interface Message {
  content: unknown;
  kind?: 'info' | 'error' | 'invite' | 'warn';
  /** A machine-readable cause (e.g. a refusal reason), reflected as `data-reason`. */
  reason?: string;
  /** Toast only: hide after this many ms (default 6000; 0 keeps it up). */
  ms?: number;
}

export class UiBanner extends LightElement {
  static override properties = { message: { attribute: false } };
  declare message: Message | undefined;

  protected get shown(): boolean {
    return this.message !== undefined;
  }

  protected override updated(): void {
    this.hidden = !this.shown;
    const m = this.message;
    if (m?.kind) this.dataset.kind = m.kind;
    else delete this.dataset.kind;
    if (m?.reason) this.dataset.reason = m.reason;
    else delete this.dataset.reason;
  }

  protected override render(): unknown {
    return this.shown ? html`${this.message!.content}` : nothing;
  }
}

export class UiToast extends UiBanner {
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The message whose time ran out: it stays hidden until another one is set. */
  #expired: Message | undefined;

  protected override get shown(): boolean {
    return this.message !== undefined && this.message !== this.#expired;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('message')) return;
    clearTimeout(this.#timer);
    const m = this.message;
    const ms = m?.ms ?? 6000;
    if (m && ms > 0) {
      this.#timer = setTimeout(() => {
        this.#expired = m;
        this.requestUpdate();
      }, ms);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#timer);
  }
}

define('ui-banner', UiBanner);
define('ui-toast', UiToast);

declare global {
  interface HTMLElementTagNameMap {
    'ui-banner': UiBanner;
    'ui-toast': UiToast;
  }
}
