// The one i18n of every page: i18next over the two dictionaries in client-web/src/i18n/.
// Chinese by default; `?lang=en` or the header's switch picks English (remembered per browser
// unless the page says otherwise); `<html lang>` follows. Keys and interpolation variables are
// typed from the Chinese dictionary, so a missing key or a forgotten `{{var}}` is a type error.
import i18next from 'i18next';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { zh } from '../i18n/zh.ts';
import { en } from '../i18n/en.ts';

declare module 'i18next' {
  interface CustomTypeOptions {
    resources: { translation: typeof zh };
    strictKeyChecks: true;
    strictInterpolationChecks: true;
  }
}

export type Lang = 'zh' | 'en';

/** Each language by its own name (the switch shows the other one), and its BCP 47 tag. */
export const LANGUAGES: Record<Lang, { name: string; tag: string }> = {
  zh: { name: '中文', tag: 'zh-CN' },
  en: { name: 'English', tag: 'en' },
};

const STORAGE_KEY = 'lang';

const i18n = i18next.createInstance();
void i18n.init({
  lng: 'zh',
  fallbackLng: false,
  resources: { zh: { translation: zh }, en: { translation: en } },
  initAsync: false,
  // lit escapes every interpolated value; i18next must not escape a second time.
  interpolation: { escapeValue: false },
});

/** A translate function bound to one language. */
export type T = ReturnType<typeof i18n.getFixedT<'translation'>>;

/** Translates in the page's current language. */
export const t: T = i18n.getFixedT(null, 'translation');

/** Translates in `lang`, whatever the page's language (view-model tests, fixed-language text). */
export function translator(lang: Lang): T {
  return i18n.getFixedT(lang);
}

export function language(): Lang {
  return i18n.language === 'en' ? 'en' : 'zh';
}

/** The other language, for the switch's label. */
export function otherLanguage(): Lang {
  return language() === 'en' ? 'zh' : 'en';
}

/**
 * Picks the page's language at start: `?lang=` (remembered), then the remembered choice, then
 * Chinese. `remember: false` (the terminal kiosk) starts in Chinese whatever was chosen before.
 */
export function startLanguage(opts: { remember?: boolean } = {}): Lang {
  const remember = opts.remember ?? true;
  const q = new URLSearchParams(location.search).get('lang');
  const fromUrl = q === 'en' || q === 'zh' ? q : null;
  const stored = remember ? localStorage.getItem(STORAGE_KEY) : null;
  setLanguage(fromUrl ?? (stored === 'en' ? 'en' : 'zh'), { remember: remember && fromUrl !== null });
  return language();
}

/** Switches every mounted view at once (they re-render on the change); no reload. */
export function setLanguage(lang: Lang, opts: { remember?: boolean } = {}): void {
  if (opts.remember ?? true) {
    localStorage.setItem(STORAGE_KEY, lang);
    // A `?lang=` left in the address bar would undo the choice on the next reload.
    const u = new URL(location.href);
    if (u.searchParams.has('lang')) {
      u.searchParams.delete('lang');
      history.replaceState(history.state, '', u);
    }
  }
  document.documentElement.lang = LANGUAGES[lang].tag;
  if (i18n.language !== lang) void i18n.changeLanguage(lang);
}

export function toggleLanguage(opts: { remember?: boolean } = {}): void {
  setLanguage(otherLanguage(), opts);
}

export function onLanguageChange(fn: (lang: Lang) => void): () => void {
  const listener = (l: string) => fn(l === 'en' ? 'en' : 'zh');
  i18n.on('languageChanged', listener);
  return () => i18n.off('languageChanged', listener);
}

/** Re-renders a lit element when the language changes. */
export class LanguageController implements ReactiveController {
  #off: (() => void) | undefined;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    this.#off = onLanguageChange(() => this.host.requestUpdate());
  }

  hostDisconnected(): void {
    this.#off?.();
    this.#off = undefined;
  }
}

/** What every view-model needs besides its state: words, language and the time. */
export interface ViewContext {
  t: T;
  lang: Lang;
  now: number;
}

/** The context of a render now, in the page's language. */
export function viewContext(): ViewContext {
  return { t, lang: language(), now: Date.now() };
}
