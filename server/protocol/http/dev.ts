// Development sign-in and tokens (mounted only with DEV_TOKENS, which the config allows only
// with NODE_ENV=development on a loopback HOST): the seeded people and devices, a token for any of them, and a token for any
// claims (tests). Production tokens come from the city's single sign-on and device enrolment.
import { z } from 'zod';
import { attributesSchema, grantSchema, roleSchema, tokenUseSchema } from '../claims.ts';
import { area, json } from './contract.ts';

export const DEMO_KINDS = ['terminal', 'official', 'head', 'coordinator', 'archivist', 'family', 'device', 'counsellor', 'grid', 'property', 'resident', 'admin', 'security-admin', 'audit-admin'] as const;
export type DemoKind = (typeof DEMO_KINDS)[number];

export interface DemoIdentity {
  kind: DemoKind;
  id: string;
  name: string;
  detail: string;
}

export const signInBody = z.strictObject({ kind: z.enum(DEMO_KINDS), id: z.string().min(1).max(64) });

export const devTokenBody = z.strictObject({
  /** Unsaid: a room token when the grant names rooms, else an access token (server/auth/grants.ts). */
  use: tokenUseSchema.optional(),
  sub: z.string().min(1).max(128),
  name: z.string().min(1).max(100),
  role: roleSchema,
  grant: grantSchema,
  attributes: attributesSchema.optional(),
  ttlSeconds: z.number().int().min(1).max(24 * 3600).optional(),
});

export const devArea = area({
  base: '',
  title: 'Development sign-in',
  shapes: 'server/protocol/http/dev.ts',
  notes: 'Mounted only when `DEV_TOKENS` is on, which needs `NODE_ENV=development` and a loopback `HOST`. No token needed.',
  endpoints: {
    'dev.identities': {
      method: 'GET', path: '/dev/identities', summary: 'The seeded people and devices, a few of each kind',
      access: 'public', answer: json<DemoIdentity[]>('DemoIdentity[]'),
    },
    'dev.signIn': {
      method: 'POST', path: '/dev/sign-in', summary: 'Sign in as one seeded identity: the page it opens and a one-time code for its token (`page?code=…`, redeemed by `session.redeem`)',
      access: 'public', body: signInBody, answer: json<{ code: string; page: string }>('{ code: string; page: string }'),
    },
    'dev.token': {
      method: 'POST', path: '/dev/token', summary: 'A token for any claims (tests and local development)',
      access: 'public', body: devTokenBody, answer: json<{ token: string }>('{ token: string }'),
    },
  },
});
