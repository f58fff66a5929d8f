// What every HTTP answer of a node carries and what every request must pass before any router:
// security headers (helmet: a CSP without inline scripts, no framing, nosniff, no referrer, HSTS
// when the node is reached over TLS) and the origin rule — a browser on another origin is refused
// unless ALLOWED_ORIGINS lists it, in which case it gets CORS headers (no credentials: tokens
// travel as Bearer headers, never cookies). socket.io's handshake uses the same rule.
import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { AppError } from '../errors.ts';
import { bearerToken } from './area-router.ts';

export function securityHeaders(o: { tls: boolean; allowedOrigins: readonly string[] }): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Inline style attributes (lit templates, echarts) carry no script; scripts stay 'self' only.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'blob:'],
        fontSrc: ["'self'", 'data:'],
        // The pages talk to their own node, and to the other nodes of the deployment a room may
        // live on (ALLOWED_ORIGINS), over HTTP and WebSocket.
        connectSrc: ["'self'", ...o.allowedOrigins, ...o.allowedOrigins.map((x) => x.replace(/^http/, 'ws'))],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    strictTransportSecurity: o.tls ? { maxAge: 180 * 24 * 3600, includeSubDomains: false } : false,
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    // Same-origin pages only; CORS-enabled fetches from ALLOWED_ORIGINS are not affected.
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
}

/**
 * The headers `securityHeaders` puts on an answer, computed once: for the refusals the node sends
 * before express (an address over budget), which must carry the same headers as every answer.
 */
export function staticSecurityHeaders(o: { tls: boolean; allowedOrigins: readonly string[] }): Record<string, string> {
  const out: Record<string, string> = {};
  const res = {
    setHeader: (k: string, v: string | number | readonly string[]) => (out[k.toLowerCase()] = String(v)),
    removeHeader: (k: string) => delete out[k.toLowerCase()],
    getHeader: (k: string) => out[k.toLowerCase()],
  };
  securityHeaders(o)({ headers: {}, method: 'GET', url: '/' } as Request, res as unknown as Response, () => undefined);
  return out;
}

export interface OriginRule {
  /** Origins besides the request's own that browsers may call from. */
  allowed: readonly string[];
}

/**
 * May a browser request with this `Origin` header reach the node? No header (not a browser, or
 * a same-origin navigation), the request's own origin, or a configured one.
 */
export function originAllowed(rule: OriginRule, origin: string | undefined, host: string | undefined): 'same' | 'listed' | false {
  if (origin === undefined) return 'same';
  if (rule.allowed.includes(origin)) return 'listed';
  try {
    if (host && new URL(origin).host === host) return 'same';
  } catch {
    // "null" and other opaque origins are never allowed
  }
  return false;
}

export function originGuard(rule: OriginRule): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.get('origin');
    const verdict = originAllowed(rule, origin, req.get('host'));
    if (!verdict) {
      next(new AppError('forbidden', 'requests from this origin are not allowed', { reason: 'origin_not_allowed' }));
      return;
    }
    if (verdict === 'listed') {
      res.set('Access-Control-Allow-Origin', origin!);
      res.vary('Origin');
      if (req.method === 'OPTIONS') {
        res.set('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE');
        res.set('Access-Control-Allow-Headers', 'Authorization, Content-Type, Range');
        res.set('Access-Control-Max-Age', '600');
        res.status(204).end();
        return;
      }
      res.set('Access-Control-Expose-Headers', 'Retry-After, Content-Range, Content-Disposition');
    }
    next();
  };
}

/** For socket.io's `allowRequest`: the same origin rule on the handshake (WebSocket upgrades have no CORS). */
export function handshakeOriginAllowed(rule: OriginRule, req: IncomingMessage): boolean {
  return originAllowed(rule, req.headers.origin, req.headers.host) !== false;
}

/**
 * Does the request carry the scrape token (METRICS_TOKEN) as its Bearer? On the public listener
 * that is the only way to metrics and the detailed health report; the internal listener serves
 * them to anyone who can reach it.
 */
export function scrapeTokenCheck(scrapeToken: string | undefined): (req: Request) => boolean {
  const expected = scrapeToken ? Buffer.from(scrapeToken) : undefined;
  return (req) => {
    const given = bearerToken(req.get('authorization'));
    if (!expected || !given) return false;
    const b = Buffer.from(given);
    return b.length === expected.length && timingSafeEqual(b, expected);
  };
}
