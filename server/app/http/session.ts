// The session area (server/protocol/http/session.ts): a one-time sign-in code for its token.
import type { Router } from 'express';
import type { TokenIssuer } from '../../auth/grants.ts';
import type { SignInCodes } from '../../auth/sign-in-codes.ts';
import { createAreaRouter } from '../../core/http/area-router.ts';
import { sessionArea } from '../../protocol/http/session.ts';

export function createSessionRouter(d: { tokens: TokenIssuer; codes: SignInCodes }): Router {
  return createAreaRouter(
    sessionArea,
    { 'session.redeem': async ({ body }) => ({ token: await d.codes.redeem(body.code) }) },
    { tokens: d.tokens, bodyLimit: '1kb' },
  );
}
