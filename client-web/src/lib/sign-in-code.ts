// A sign-in puts a one-time code in the page's address (`page.html?code=…`), never the token:
// the code leaves the address bar at once and is exchanged for the token here, before any page
// code runs — the top-level await holds back every module that imports this one. A code works
// once and for a minute, so the address left in history, logs or a screenshot is worthless.
// The HTTP client is loaded only for a code: a page opened without one (a call link) does not
// wait for the whole API contract to load.

async function redeem(): Promise<string | null> {
  // Outside a page (the view-model unit tests run in node) there is no address to read.
  if (typeof location === 'undefined') return null;
  const url = new URL(location.href);
  const code = url.searchParams.get('code');
  if (!code) return null;
  url.searchParams.delete('code');
  history.replaceState(history.state, '', url);
  try {
    // The code is the credential: no token yet.
    const { Api } = await import('./api.ts');
    return (await new Api('').call('session.redeem', { body: { code } })).token;
  } catch {
    return null;
  }
}

/** The token a `?code=` in this page's address stood for; null without one (or when it was refused). */
export const redeemedToken: string | null = await redeem();
