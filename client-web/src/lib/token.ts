// The page's sign-in token: the one a `?code=` in the address stood for (client-web/src/lib/
// sign-in-code.ts) or a `?token=` (both remembered and removed from the address bar), else the
// one remembered before; and its claims, read for display only — the server verifies every
// token, a page never trusts what it reads here.
import { redeemedToken } from './sign-in-code.ts';

export interface Claims {
  sub: string;
  name: string;
  role: string;
  attributes: Record<string, string>;
}

/**
 * A redeemed sign-in code or `?token=` wins and is remembered under `key` in `storage`; otherwise the remembered token.
 * The token leaves the address bar so it does not end up in history, screenshots or over a
 * shoulder.
 */
export function pageToken(key: string, storage: Storage = localStorage): string | null {
  const url = new URL(location.href);
  const fromUrl = redeemedToken ?? url.searchParams.get('token');
  if (fromUrl) {
    storage.setItem(key, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url);
    return fromUrl;
  }
  return storage.getItem(key);
}

/** The JWT's payload claims, unverified; null when it is not a readable JWT. */
export function readClaims(token: string): Claims | null {
  try {
    const part = token.split('.')[1];
    if (!part) return null;
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
    const json = new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
    const c = JSON.parse(json) as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' ? v : '');
    const attributes: Record<string, string> = {};
    if (c.attributes && typeof c.attributes === 'object') {
      for (const [k, v] of Object.entries(c.attributes)) if (typeof v === 'string') attributes[k] = v;
    }
    return { sub: str(c.sub), name: str(c.name), role: str(c.role), attributes };
  } catch {
    return null;
  }
}
