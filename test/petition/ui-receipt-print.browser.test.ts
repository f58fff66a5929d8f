// The terminal's receipt as its 80 mm thermal printer prints it: printed to PDF by Chromium, the
// page is 80 mm wide and carries the case number, query code, time, office and how to follow up;
// the QR code on it decodes (jsQR on a print-media screenshot) to the phone status page of that
// case (case.html), which opens with the number filled in, waiting for the query code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jsqr from 'jsqr';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { DbPetitionRepository } from '../../server/petition/repository.ts';
import type { Terminal } from '../../server/petition/types.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { openSignedIn, petitionTokens } from './ui-support.ts';

const MM_IN_POINTS = 72 / 25.4;
// jsqr is CommonJS with its function on `default`; the loader may or may not unwrap it.
const jsQR = ((jsqr as unknown as { default?: typeof jsqr.default }).default ?? jsqr) as typeof jsqr.default;

describe('printed receipt', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let terminal: Terminal;
  const errors: string[] = [];

  beforeAll(async () => {
    platform = await startTestPlatform();
    browser = await launchBrowser();
    terminal = (await new DbPetitionRepository(platform.services.store).listTerminals()).find((t) => t.level === 'village')!;
  });
  afterAll(async () => {
    await browser?.cleanup();
    await platform?.close();
  });

  it('prints on an 80 mm page with the case, code, time, office, follow-up and a QR code that opens its phone status page', async () => {
    const token = petitionTokens(platform).terminal(terminal);
    const kiosk = await openSignedIn(browser, platform.url, errors, terminal.id, 'terminal.html', token);
    await kiosk.locator('[data-category=wages]').click();
    const caseId = (await kiosk.locator('.waiting [data-case-id]').textContent())!.trim();
    await kiosk.locator('[data-act=give-up]').click();
    await kiosk.locator('#dialog [data-act=withdraw]').click();
    await kiosk.locator('[data-receipt]').waitFor({ timeout: 10_000 });
    const code = (await kiosk.locator('[data-query-code]').textContent())!.trim();
    expect(await kiosk.locator('[data-act=print]').isVisible()).toBe(true);
    expect(await kiosk.locator('.print-slip').isVisible()).toBe(false);
    await kiosk.locator('.print-slip img.qr').waitFor({ state: 'attached' });

    const pdf = await kiosk.pdf({ preferCSSPageSize: true, printBackground: true });
    const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(pdf.toString('latin1'));
    expect(box).not.toBeNull();
    expect(Number(box![1]) / MM_IN_POINTS).toBeCloseTo(80, 0);

    await kiosk.emulateMedia({ media: 'print' });
    const slip = (await kiosk.locator('.print-slip').textContent())!;
    for (const text of [caseId, code, '登记时间', '受理部门', '查询', '手机扫码，输入查询码查看办理进度']) expect(slip).toContain(text);
    // The printed picture's pixels, as the page has them.
    const shot = await kiosk.locator('.print-slip img.qr').evaluate((img: HTMLImageElement) => {
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const g = c.getContext('2d')!;
      g.drawImage(img, 0, 0);
      return { width: c.width, height: c.height, data: Array.from(g.getImageData(0, 0, c.width, c.height).data) };
    });
    const decoded = jsQR(new Uint8ClampedArray(shot.data), shot.width, shot.height);
    expect(decoded?.data).toBe(`${platform.url}/case.html?case=${caseId}`);
    await kiosk.emulateMedia({ media: 'screen' });
    await kiosk.close();

    // The QR code's address, on a phone with no session: the case number filled in, the code to type.
    const phone = await browser.newPage();
    await phone.setViewportSize({ width: 375, height: 667 });
    phone.on('pageerror', (e) => errors.push(`[phone] ${e.message}`));
    await phone.goto(decoded!.data);
    await expect.poll(() => phone.locator('input[name=case]').inputValue(), { timeout: 15_000 }).toBe(caseId);
    expect(await phone.locator('input[name=code]').inputValue()).toBe('');
    expect(errors).toEqual([]);
    await phone.close();
  }, 90_000);

  it('prints an appointment receipt on 80 mm: leader, place, date, slot and query code, nothing cut off', async () => {
    const t2 = (await new DbPetitionRepository(platform.services.store).listTerminals()).filter((t) => t.level === 'village' && t.regionCode.startsWith('341321'))[1]!;
    const kiosk = await openSignedIn(browser, platform.url, errors, t2.id, 'terminal.html', petitionTokens(platform).terminal(t2));
    await kiosk.locator('[data-act=days]').click();
    const day = kiosk.locator('[data-day]').first();
    await day.waitFor({ timeout: 10_000 });
    const dayId = (await day.getAttribute('data-day'))!;
    const slot = day.locator('[data-slot]:not([disabled])').nth(1);
    const slotNo = Number(await slot.getAttribute('data-slot'));
    const slotLabel = (await slot.textContent())!.trim();
    await slot.click();
    await kiosk.locator('[data-book-category=wages]').click();
    await kiosk.locator('[data-receipt]').waitFor({ timeout: 10_000 });
    const code = (await kiosk.locator('[data-query-code]').textContent())!.trim();
    const days = await fetch(`${platform.url}/api/petition/reception-days`, { headers: { authorization: `Bearer ${petitionTokens(platform).coordinator()}` } }).then(async (r) => ((await r.json()) as { data: { id: string; leaderName: string; place: string; startsAt: string; slotMinutes: number }[] }).data);
    const booked = days.find((d) => d.id === dayId)!;
    const at = new Date(Date.parse(booked.startsAt) + slotNo * booked.slotMinutes * 60_000);
    const china = (o: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', ...o }).formatToParts(at);
    const month = china({ month: 'numeric' }).find((p) => p.type === 'month')!.value;
    const date = china({ day: 'numeric' }).find((p) => p.type === 'day')!.value;
    await kiosk.locator('.print-slip img.qr').waitFor({ state: 'attached' });

    const pdf = await kiosk.pdf({ preferCSSPageSize: true, printBackground: true });
    const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(pdf.toString('latin1'));
    expect(Number(box![1]) / MM_IN_POINTS).toBeCloseTo(80, 0);

    await kiosk.emulateMedia({ media: 'print' });
    // Printed at 80 mm: the page is that wide (96 px an inch).
    await kiosk.setViewportSize({ width: Math.round((80 / 25.4) * 96), height: 1200 });
    const slip = await kiosk.locator('.print-slip').innerText();
    for (const text of [booked.leaderName, booked.place, `${month}月${date}日`, slotLabel.replace(/^0/, ''), code]) expect(slip, text).toContain(text);
    // Nothing cut off: every line of the slip lies inside the slip, and the slip inside the paper; no text overflows its box.
    const cut = await kiosk.locator('.print-slip').evaluate((el) => {
      const paper = document.documentElement.clientWidth;
      const s = el.getBoundingClientRect();
      const bad: string[] = [];
      if (s.left < 0 || s.right > paper + 0.5) bad.push(`slip ${Math.round(s.left)}–${Math.round(s.right)} on ${paper} px paper`);
      for (const n of el.querySelectorAll<HTMLElement>('*')) {
        const r = n.getBoundingClientRect();
        if (r.width === 0 || getComputedStyle(n).visibility === 'hidden') continue;
        if (r.left < s.left - 0.5 || r.right > s.right + 0.5) bad.push(`${n.tagName.toLowerCase()} "${n.textContent?.slice(0, 20)}" ${Math.round(r.left)}–${Math.round(r.right)}`);
        if (n.scrollWidth > n.clientWidth + 1 && getComputedStyle(n).overflowX !== 'visible') bad.push(`${n.tagName.toLowerCase()} "${n.textContent?.slice(0, 20)}" clipped`);
      }
      return bad;
    });
    expect(cut).toEqual([]);
    await kiosk.emulateMedia({ media: 'screen' });
    expect(errors).toEqual([]);
    await kiosk.close();
  }, 90_000);
});
