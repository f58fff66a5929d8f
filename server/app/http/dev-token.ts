// POST /dev/token — mints tokens for local development and tests. Mounted only when
// DEV_TOKENS is on, which config forbids in production.
import { Router, json } from 'express';
import { z } from 'zod';
import { attributesSchema, grantSchema, roleSchema, type TokenIssuer } from '../../auth/grants.ts';
import { badRequest } from '../../core/errors.ts';
import { sendError } from './reply.ts';

const devTokenRequest = z.strictObject({
  sub: z.string().min(1).max(128),
  name: z.string().min(1).max(100),
  role: roleSchema,
  grant: grantSchema,
  attributes: attributesSchema.optional(),
  ttlSeconds: z.number().int().min(1).max(24 * 3600).optional(),
});

export function createDevTokenRouter(tokens: TokenIssuer): Router {
  const router = Router();
  router.post('/dev/token', json({ limit: '16kb' }), (req, res) => {
    const parsed = devTokenRequest.safeParse(req.body);
    if (!parsed.success) {
      sendError(res, badRequest('invalid token request', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))));
      return;
    }
    res.json({ ok: true, data: { token: tokens.issue(parsed.data) } });
  });
  return router;
}
