// Line icons as inline SVG (stroke = currentColor), so buttons show a picture on any machine:
// many village PCs have no colour-emoji font. Names are the routing rules' `icon`s plus a few the
// pages use themselves.
import { html, type TemplateResult } from 'lit';
import { unsafeSVG } from 'lit/directives/unsafe-svg.js';

/** The icons' drawings (constants of this module: the only SVG markup a page renders unescaped). */
export const ICON_PATHS: Record<string, string> = {
  wallet: '<rect x="3" y="6" width="18" height="14" rx="2"/><path d="M3 10h18M16 15h2"/><path d="M6 6l9-3 2 3"/>',
  shield: '<path d="M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z"/><path d="M8.5 12l2.5 2.5 4.5-5"/>',
  field: '<path d="M2 20L7 9h10l5 11z"/><path d="M9.5 9L8 20M14.5 9L16 20M4.5 14.5h15"/><path d="M12 9V3l4 1.5L12 6"/>',
  wheat: '<path d="M12 22V8"/><path d="M12 8c-2-1-3-3-3-5 2 0 3 2 3 5zM12 8c2-1 3-3 3-5-2 0-3 2-3 5z"/><path d="M12 13c-2.5-.5-4-2.5-4-4.5 2.5.5 4 2 4 4.5zM12 13c2.5-.5 4-2.5 4-4.5-2.5.5-4 2-4 4.5zM12 18c-2.5-.5-4-2.5-4-4.5 2.5.5 4 2 4 4.5zM12 18c2.5-.5 4-2.5 4-4.5-2.5.5-4 2-4 4.5z"/>',
  house: '<path d="M3 11l9-7 9 7"/><path d="M5 10v10h14V10"/><path d="M10 20v-6h4v6"/>',
  police: '<path d="M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z"/><path d="M12 8l1.2 2.6 2.8.3-2.1 1.9.6 2.8L12 14.2l-2.5 1.4.6-2.8L8 10.9l2.8-.3z"/>',
  hands: '<path d="M12 20s-7-4.5-7-10a4 4 0 0 1 7-2.6A4 4 0 0 1 19 10c0 5.5-7 10-7 10z"/>',
  cross: '<rect x="3" y="3" width="18" height="18" rx="4"/><path d="M12 7v10M7 12h10"/>',
  chat: '<path d="M4 5h16v11H9l-5 4z"/><path d="M8.5 10.5h.01M12 10.5h.01M15.5 10.5h.01" stroke-width="3"/>',
  doc: '<path d="M6 3h9l4 4v14H6z"/><path d="M15 3v4h4M9 12h7M9 16h7"/>',
  video: '<rect x="2" y="6" width="14" height="12" rx="2"/><path d="M16 10l6-3v10l-6-3z"/>',
  audio: '<path d="M4 9v6h4l5 4V5L8 9z"/><path d="M16 9a4 4 0 0 1 0 6M18.5 6.5a7.5 7.5 0 0 1 0 11"/>',
  phone: '<path d="M5 3h4l2 5-2.5 1.5a11 11 0 0 0 6 6L16 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 5a2 2 0 0 1 2-2z"/>',
  calendar: '<rect x="3" y="5" width="18" height="16" rx="2"/><path d="M3 10h18M8 3v4M16 3v4"/>',
  check: '<circle cx="12" cy="12" r="9"/><path d="M7.5 12.5l3 3 6-6.5"/>',
  alert: '<path d="M12 3l10 18H2z"/><path d="M12 10v5M12 18h.01"/>',
  elderly: '<circle cx="11" cy="4.5" r="2"/><path d="M11 8l-2 6 3 2v6M9 14l-3 8M11 9l4 3"/><path d="M17 12v10"/>',
  wheelchair: '<circle cx="10" cy="4" r="2"/><path d="M10 7v7h6l2 6"/><path d="M10 10h5"/><path d="M7 11a6 6 0 1 0 8.5 7"/>',
  happy: '<circle cx="12" cy="12" r="9.5"/><path d="M8.5 9.5h.01M15.5 9.5h.01" stroke-width="3"/><path d="M7.5 14a5 5 0 0 0 9 0"/>',
  neutral: '<circle cx="12" cy="12" r="9.5"/><path d="M8.5 9.5h.01M15.5 9.5h.01" stroke-width="3"/><path d="M8 15h8"/>',
  sad: '<circle cx="12" cy="12" r="9.5"/><path d="M8.5 9.5h.01M15.5 9.5h.01" stroke-width="3"/><path d="M7.5 16.5a5 5 0 0 1 9 0"/>',
  close: '<circle cx="12" cy="12" r="9.5"/><path d="M8.5 8.5l7 7M15.5 8.5l-7 7"/>',
  people: '<circle cx="8" cy="8" r="3"/><circle cx="17" cy="9" r="2.5"/><path d="M2.5 20a5.5 5.5 0 0 1 11 0M14 14.5a4.5 4.5 0 0 1 7.5 3.5"/>',
};

/** An inline SVG icon (unknown names fall back to a document). */
export function icon(name: string, cls = 'icon'): TemplateResult {
  return html`<svg class=${cls} viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${unsafeSVG(ICON_PATHS[name] ?? ICON_PATHS.doc)}</svg>`;
}
