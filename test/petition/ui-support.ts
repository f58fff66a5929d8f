// What the petition pages' browser tests share: the desk and terminal tokens the server's demo
// sign-in would hand out, and a page opened signed in, its errors collected.
import type { BrowserContext, Page } from 'playwright-core';
import type { Official, Terminal } from '../../server/petition/types.ts';
import type { TestPlatform } from '../support/platform.ts';

const NO_GRANT = { rooms: [], canPublish: false, canSubscribe: false, sources: [] };

export function petitionTokens(platform: TestPlatform) {
  return {
    terminal: (t: Terminal) =>
      platform.tokens.issue({ sub: t.id, name: t.name, role: 'terminal', grant: NO_GRANT, attributes: { terminalId: t.id, level: t.level, region: t.regionCode } }),
    /** An official's desk token, or a department head's (role `head`) for a head of the directory. */
    staff: (o: Official) =>
      platform.tokens.issue({ sub: o.id, name: o.name, role: o.head ? 'head' : 'official', grant: NO_GRANT, attributes: { department: o.departmentId, level: o.level, region: o.regionCode } }),
    coordinator: () => platform.tokens.issue({ sub: 'coordinator-city', name: '综治中心值班员', role: 'coordinator', grant: NO_GRANT, attributes: { level: 'city', region: '341300' } }),
  };
}

/** Opens `path` signed in with `token`; uncaught page errors land in `errors`, named. */
export async function openSignedIn(browser: BrowserContext, url: string, errors: string[], name: string, path: string, token: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => errors.push(`[${name}] ${e.message}`));
  await page.goto(`${url}/${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`);
  return page;
}
