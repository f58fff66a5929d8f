// Sign-in sessions: the one-time code a sign-in puts in the page's address, exchanged for the
// page's token (server/auth/sign-in-codes.ts). No token needed: the code is the credential.
import { z } from 'zod';
import { area, json } from './contract.ts';

export const redeemBody = z.strictObject({ code: z.string().min(20).max(100).regex(/^[\w-]+$/) });

export const sessionArea = area({
  base: '/api/session',
  title: 'Sign-in sessions',
  shapes: 'server/protocol/http/session.ts',
  notes: 'A code works once, within a minute of the sign-in that issued it; anything else is `unauthorized`.',
  endpoints: {
    'session.redeem': {
      method: 'POST', path: '/redeem', summary: 'Exchange a one-time sign-in code for the token it stands for',
      access: 'public', body: redeemBody, answer: json<{ token: string }>('{ token: string }'),
    },
  },
});
