// The page pattern: state → pure view-model → lit template. A page is a custom element that
// renders into the light DOM (the page's stylesheet and the browser tests' selectors reach every
// node; no shadow roots to pierce), holds one state object that is replaced — never mutated —
// on every change (lit batches the re-render), and re-renders when the language changes.
import { LitElement } from 'lit';
import { LanguageController } from './i18n.ts';

/** A lit element without a shadow root, re-rendered on a language change. */
export class LightElement extends LitElement {
  constructor() {
    super();
    new LanguageController(this);
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }
}

/** A page's root element. `state` is its one reactive property. */
export abstract class PageElement<S extends object> extends LightElement {
  static override properties = { state: { state: true } };
  declare state: S;

  constructor(initial: S) {
    super();
    this.state = initial;
  }

  /** The next state: the old one with `patch` applied. */
  protected set(patch: Partial<S>): void {
    this.state = { ...this.state, ...patch };
  }
}

/** Registers a custom element once (a module evaluated twice must not throw). */
export function define(name: string, ctor: CustomElementConstructor): void {
  if (!customElements.get(name)) customElements.define(name, ctor);
}
