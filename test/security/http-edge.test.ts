// HTTP hardening (issue 9.11) against running nodes: security headers on pages and API answers,
// HSTS when the node is reached over TLS, browsers from other origins refused unless configured
// (HTTP and socket.io), metrics and the detailed health report only inside, error bodies without
// stacks or paths, and sign-in without a token in any address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { LEAK, personToken, send } from './edge-support.ts';

const EVIL = 'http://evil.example';
const FRIEND = 'http://desk.example:8443';
const METRICS_TOKEN = 'scrape-0123456789abcdef0123456789abcdef';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ DEV_TOKENS: '1', ALLOWED_ORIGINS: FRIEND, METRICS_TOKEN });
});
afterAll(async () => {
  await platform?.close();
});

describe('security headers', () => {
  it('every page and API answer forbids inline scripts and framing, sniffing and referrers', async () => {
    for (const path of ['/', '/terminal.html', '/api/petition/desk', '/healthz', '/no-such-page']) {
      const { headers } = await send(platform.url, 'GET', path);
      const csp = headers.get('content-security-policy') ?? '';
      expect(csp, path).toMatch(/script-src 'self'(;|$)/);
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(headers.get('x-frame-options'), path).toBe('DENY');
      expect(headers.get('strict-transport-security'), path).toBeNull();
      expect(headers.get('x-powered-by'), path).toBeNull();
    }
  });

  it('sends HSTS when the node is reached over TLS (PUBLIC_URL https)', async () => {
    const tls = await startTestPlatform({ PUBLIC_URL: 'https://xinfang.example' });
    try {
      const { headers } = await send(`http://127.0.0.1:${tls.port}`, 'GET', '/');
      expect(headers.get('strict-transport-security')).toMatch(/max-age=\d{7,}/);
    } finally {
      await tls.close();
    }
  });
});

describe('origins', () => {
  it('refuses a browser request from another origin before any endpoint runs', async () => {
    const r = await send(platform.url, 'POST', '/api/household/households/hh-1/privacy', {
      token: personToken(platform, 'fm-zhang-wei', 'family'), body: { on: true }, headers: { origin: EVIL },
    });
    expect({ status: r.status, code: r.body?.error?.code, reason: (r.body?.error?.details as { reason?: string })?.reason }).toEqual({ status: 403, code: 'forbidden', reason: 'origin_not_allowed' });
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves its own origin and a configured one (with CORS for the latter)', async () => {
    const own = await send(platform.url, 'GET', '/api/petition/desk', { headers: { origin: platform.url } });
    expect(own.status).toBe(401); // reached the endpoint: no token
    const friend = await send(platform.url, 'GET', '/api/petition/desk', { headers: { origin: FRIEND } });
    expect(friend.status).toBe(401);
    expect(friend.headers.get('access-control-allow-origin')).toBe(FRIEND);
    const preflight = await send(platform.url, 'OPTIONS', '/api/petition/desk', { headers: { origin: FRIEND, 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');
  });

  it('refuses a socket.io handshake from another origin, accepts a configured one', async () => {
    const token = personToken(platform, 'o-1', 'official');
    const attempt = (origin: string) =>
      new Promise<'connected' | 'refused'>((resolve) => {
        const s = io(platform.url, { auth: { token }, transports: ['websocket'], extraHeaders: { origin }, forceNew: true, reconnection: false });
        s.once('connect', () => (s.disconnect(), resolve('connected')));
        s.once('connect_error', () => (s.disconnect(), resolve('refused')));
      });
    expect(await attempt(EVIL)).toBe('refused');
    expect(await attempt(FRIEND)).toBe('connected');
    expect(await attempt(platform.url)).toBe('connected');
  });
});

describe('monitoring', () => {
  it('serves metrics on the public listener only with the scrape token', async () => {
    expect((await send(platform.url, 'GET', '/metrics')).status).toBe(401);
    expect((await send(platform.url, 'GET', '/metrics', { token: personToken(platform, 'admin-1', 'admin') })).status).toBe(403);
    const scraped = await send(platform.url, 'GET', '/metrics', { token: METRICS_TOKEN });
    expect(scraped.status).toBe(200);
    expect(scraped.text).toMatch(/sv_mediasoup_worker/);
    expect((await send(platform.internalUrl, 'GET', '/metrics')).status).toBe(200);
  });

  it('says only “healthy or not” on the public listener; the detail is for the inside', async () => {
    const pub = await send<unknown>(platform.url, 'GET', '/healthz');
    expect(pub.status).toBe(200);
    expect(pub.body).toEqual({ ok: true });
    const inside = await send<{ workers: { pid: number }[] }>(platform.internalUrl, 'GET', '/healthz');
    expect(inside.body?.data?.workers[0]?.pid).toBeGreaterThan(0);
    expect((await send<unknown>(platform.url, 'GET', '/healthz', { token: METRICS_TOKEN })).body).toMatchObject({ data: { redis: 'ok' } });
  });
});

describe('error bodies', () => {
  it('answers what no router serves with JSON, without a stack or a path, in development mode too', async () => {
    // Pages that do not exist (the static server used to echo the path in HTML), a path that
    // climbs out, and a path parameter that is not valid percent-encoding (was a 500).
    const paths = [['/%E0%A4%A', 404], ['/no/such/page.html', 404], ['/assets/%2e%2e%2fserver%2fmain.ts', 404], ['/api/petition/cases/%E0%A4%A', 400]] as const;
    for (const [path, status] of paths) {
      const r = await send(platform.url, 'GET', path);
      expect({ path, status: r.status, ok: r.body?.ok }).toEqual({ path, status, ok: false });
      expect(r.text, path).not.toMatch(LEAK);
      expect(r.text, path).not.toContain('<pre>');
    }
  });
});

describe('the role gate', () => {
  it('refuses a caller before reading the body: an oversize or broken body from nobody is 401, not 413 or 400', async () => {
    for (const body of ['{"note":"' + 'x'.repeat(100_000) + '"}', '{"broken":']) {
      const r = await fetch(`${platform.url}/api/petition/cases`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer junk' }, body });
      expect(r.status).toBe(401);
    }
    // With a token of a role the endpoint does not admit: 403, whatever the body.
    const r = await fetch(`${platform.url}/api/petition/cases`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${personToken(platform, 'fm-zhang-wei', 'family')}` }, body: '{"broken":',
    });
    expect(r.status).toBe(403);
  });
});

describe('sign-in without a token in the address', () => {
  it('the dev sign-in answers a one-time code, which buys the token once', async () => {
    const signIn = await send<{ code: string; page: string; token?: string }>(platform.url, 'POST', '/dev/sign-in', { body: { kind: 'terminal', id: 'T341321101201' } });
    expect(signIn.status).toBe(200);
    const { code, page } = signIn.body!.data!;
    expect(page).toBe('terminal.html');
    expect(signIn.body!.data).not.toHaveProperty('token');
    expect(code).not.toMatch(/^ey/); // not a JWT
    const redeemed = await send<{ token: string }>(platform.url, 'POST', '/api/session/redeem', { body: { code } });
    expect(platform.tokens.verify(redeemed.body!.data!.token)).toMatchObject({ sub: 'T341321101201', role: 'terminal' });
    const again = await send(platform.url, 'POST', '/api/session/redeem', { body: { code } });
    expect({ status: again.status, code: again.body?.error?.code }).toEqual({ status: 401, code: 'unauthorized' });
  });

  it('the dev sign-in cannot mint a coordinator or archivist under another id', async () => {
    for (const kind of ['coordinator', 'archivist']) {
      const r = await send(platform.url, 'POST', '/dev/sign-in', { body: { kind, id: 'O341321-rs-1' } });
      expect({ kind, status: r.status }).toEqual({ kind, status: 404 });
    }
  });
});
