// Transitional: the icons as markup strings for the pages still built with innerHTML (the
// drawings live in widgets/icons.ts). Deleted with the last of those pages.
import { ICON_PATHS } from '../widgets/icons.ts';

export function icon(name: string, cls = 'icon'): string {
  return `<svg class="${cls}" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${ICON_PATHS[name] ?? ICON_PATHS.doc}</svg>`;
}
