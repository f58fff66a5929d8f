// The kiosk layout rule (client-web/src/widgets/kiosk.css, docs/field.md), checked on a live
// page: the screen fits the viewport without scrolling and nothing of it is cut off, every
// primary control is inside it and at least 60 px each way, every piece of visible text is at
// least 18 px, and no name tag of the people talked to lies under the self-view inset. A long
// list (reception days, notices) may scroll inside its own `.kiosk-scroll` region; that region
// must be on screen, its buttons are reached by scrolling it. `kioskProblems` answers in words, one line per breach, so a failure says what
// to fix.
import type { Page } from 'playwright-core';

export const KIOSK_SIZES = [
  { width: 1024, height: 600 },
  { width: 1280, height: 800 },
] as const;

export const MIN_TARGET_PX = 60;
export const MIN_TEXT_PX = 18;

/** What breaks the rule on `page` as it is now (empty: the screen fits). */
export function kioskProblems(page: Page): Promise<string[]> {
  return page.evaluate(
    ({ minTarget, minText }) => {
      const out: string[] = [];
      const vw = window.innerWidth;
      const vh = window.innerHeight;
      const name = (el: Element) => {
        const id = el.id ? `#${el.id}` : '';
        const cls = typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
        const data = [...el.attributes].find((a) => a.name.startsWith('data-'));
        const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 24);
        return `${el.tagName.toLowerCase()}${id}${cls}${data ? `[${data.name}=${data.value}]` : ''}${text ? ` "${text}"` : ''}`;
      };
      const doc = document.scrollingElement ?? document.documentElement;
      if (doc.scrollHeight > vh + 1) out.push(`the page scrolls: ${doc.scrollHeight} px tall in a ${vh} px screen`);
      if (doc.scrollWidth > vw + 1) out.push(`the page scrolls sideways: ${doc.scrollWidth} px wide in a ${vw} px screen`);

      for (const main of document.querySelectorAll('main')) {
        if (main.scrollHeight > main.clientHeight + 1 && getComputedStyle(main).overflowY !== 'visible') out.push(`the screen is cut off: ${name(main).slice(0, 40)} holds ${main.scrollHeight} px in ${main.clientHeight} px`);
      }
      const shown = (el: Element) => {
        const r = el.getBoundingClientRect();
        return r.width > 1 && r.height > 1 && el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
      };
      // A control under a full-screen layer (the ringing screen over the clock) is not on screen.
      const covered = (el: Element, r: DOMRect) => {
        const x = Math.min(Math.max(r.left + r.width / 2, 0), vw - 1);
        const y = Math.min(Math.max(r.top + r.height / 2, 0), vh - 1);
        for (let top = document.elementFromPoint(x, y); top; top = top.parentElement) {
          if (top.contains(el)) return false;
          if (getComputedStyle(top).position === 'fixed') return true;
        }
        return false;
      };
      for (const el of document.querySelectorAll('button, a[href], input, select, textarea, summary, [role=button]')) {
        if (!shown(el)) continue;
        const r = el.getBoundingClientRect();
        if (covered(el, r)) continue;
        const region = el.closest('.kiosk-scroll');
        const box = region ? region.getBoundingClientRect() : r;
        if (box.top < -0.5 || box.left < -0.5 || box.bottom > vh + 0.5 || box.right > vw + 0.5) {
          out.push(`control outside the screen: ${name(el)} at ${Math.round(r.left)},${Math.round(r.top)}–${Math.round(r.right)},${Math.round(r.bottom)}`);
        }
        if (Math.min(r.width, r.height) < minTarget - 0.5) out.push(`target under ${minTarget} px: ${name(el)} is ${Math.round(r.width)}×${Math.round(r.height)}`);
      }

      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      const small = new Map<Element, number>();
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!el || !n.textContent?.trim() || el.closest('script, style, template, iframe')) continue;
        if (!shown(el)) continue;
        const size = parseFloat(getComputedStyle(el).fontSize);
        if (size < minText - 0.01) small.set(el, size);
      }
      for (const [el, size] of small) out.push(`text under ${minText} px: ${name(el)} is ${size} px`);

      for (const me of document.querySelectorAll('.tile.me')) {
        if (!shown(me)) continue;
        const m = me.getBoundingClientRect();
        for (const tag of document.querySelectorAll('.tile:not(.me) figcaption')) {
          if (!shown(tag)) continue;
          const r = tag.getBoundingClientRect();
          if (r.left < m.right && r.right > m.left && r.top < m.bottom && r.bottom > m.top) out.push(`name tag under the self-view: ${name(tag)}`);
        }
      }
      return out;
    },
    { minTarget: MIN_TARGET_PX, minText: MIN_TEXT_PX },
  );
}

/** Checks the screen on `page` at both kiosk sizes; `screen` names it in the failures. */
export async function kioskFitAtBothSizes(page: Page, screen: string): Promise<string[]> {
  const out: string[] = [];
  for (const size of KIOSK_SIZES) {
    await page.setViewportSize(size);
    // Let the layout (and any ResizeObserver) settle: two frames.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    for (const p of await kioskProblems(page)) out.push(`${screen} @${size.width}×${size.height}: ${p}`);
    // KIOSK_SHOTS=dir keeps a picture of each screen, to look at what the numbers say.
    if (process.env.KIOSK_SHOTS) await page.screenshot({ path: `${process.env.KIOSK_SHOTS}/${screen.replace(/[^\w]+/g, '-')}-${size.width}x${size.height}.png` });
  }
  return out;
}
