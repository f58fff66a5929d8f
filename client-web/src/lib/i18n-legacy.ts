// Transitional: what the pages not yet on lit call (they read the language once and reload to
// switch). Deleted when the last of them is migrated.
import { LANGUAGES, language, otherLanguage, setLanguage, startLanguage, t, type Lang } from './i18n.ts';
import type { zh } from '../i18n/zh.ts';

export type { Lang };

let started = false;
export function currentLang(): Lang {
  if (!started) {
    started = true;
    startLanguage();
  }
  return language();
}

export function toggleLang(): void {
  setLanguage(otherLanguage());
  location.reload();
}

type Section = 'call' | 'home';
type SectionKey = { [S in Section]: `${S}.${keyof (typeof zh)[S] & string}` }[Section];

/** Fills every element carrying data-i18n (a full key, or `language` for the switch). */
export function applyI18n(root: ParentNode = document): void {
  currentLang();
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]')) {
    const key = el.dataset.i18n!;
    el.textContent = key === 'language' ? LANGUAGES[otherLanguage()].name : t(key as SectionKey);
  }
}
