// /api/identity (server/protocol/http/identity.ts): the endpoint table served over the identity
// services. The session cookie is set and read here and nowhere else.
import type { Request, Response, Router } from 'express';
import type { TokenIssuer } from '../auth/grants.ts';
import express from 'express';
import { bearerToken, createAreaRouter } from '../core/http/area-router.ts';
import { httpErrors } from '../core/http/failure.ts';
import type { Logger } from '../core/log.ts';
import { actorOf } from '../core/system-audit.ts';
import { identityArea } from '../protocol/http/identity.ts';
import type { SignInStep } from '../protocol/http/identity-shapes.ts';
import { AppError } from '../core/errors.ts';
import type { Identity } from './index.ts';
import { PASSWORD_RULES } from './password.ts';
import type { ClientInfo } from './sessions.ts';
import { relyingPartyOf } from './passkeys.ts';

export const SESSION_COOKIE = 'sv_session';
const COOKIE_PATH = identityArea.base;
/** The single sign-on ticket between the redirect out and the one back. */
const OIDC_COOKIE = 'sv_oidc';
const OIDC_PATH = `${identityArea.base}/oidc`;

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

export const sessionCookie = (req: Request): string | undefined => cookie(req, SESSION_COOKIE);

export const clientOf = (req: Request): ClientInfo => ({ ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null });

export interface IdentityRouterDeps {
  identity: Identity;
  tokens: TokenIssuer;
  log: Logger;
  /** Where invitation links point (PUBLIC_URL), else the request's origin. */
  publicUrl?: string;
}

export const originOf = (req: Request, publicUrl: string | undefined): string => publicUrl ?? `${req.protocol}://${req.get('host')}`;

export function createIdentityRouter(d: IdentityRouterDeps): Router {
  const { identity } = d;
  const cookieOptions = {
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: identity.policy.secureCookies,
    path: COOKIE_PATH,
    maxAge: identity.policy.sessionMaxSeconds * 1000,
  };
  /** Sets the cookie when the step opened a session; answers the step. */
  const answer = (res: Response, r: { step: SignInStep; cookie?: string }): SignInStep => {
    if (r.cookie) res.cookie(SESSION_COOKIE, r.cookie, cookieOptions);
    return r.step;
  };
  const sso = identity.singleSignOn;
  const ssoRefused = (res: Response, reason: string) => res.redirect(302, `/sign-in.html?sso=${encodeURIComponent(reason)}`);
  const reasonOf = (err: unknown) => (err instanceof AppError ? ((err.details as { reason?: string } | undefined)?.reason ?? err.code) : 'internal');
  const area = createAreaRouter(
    identityArea,
    {
      'identity.options': () => ({ singleSignOn: sso ? { label: sso.label } : null, passwordRules: PASSWORD_RULES }),
      'identity.oidcStart': async ({ req, res }) => {
        if (!sso) return ssoRefused(res, 'not_configured');
        try {
          const { url, ticket } = await sso.start(`${originOf(req, d.publicUrl)}${OIDC_PATH}/callback`);
          // Lax, not Strict: the provider's redirect back is a cross-site navigation.
          res.cookie(OIDC_COOKIE, ticket, { httpOnly: true, sameSite: 'lax', secure: identity.policy.secureCookies, path: OIDC_PATH, maxAge: identity.policy.challengeSeconds * 1000 });
          res.redirect(302, url);
        } catch (err) {
          d.log.warn({ err }, 'oidc | start failed');
          ssoRefused(res, reasonOf(err));
        }
      },
      'identity.oidcCallback': async ({ req, res, query }) => {
        res.clearCookie(OIDC_COOKIE, { path: OIDC_PATH });
        if (!sso) return ssoRefused(res, 'not_configured');
        if (query.error) return ssoRefused(res, 'provider_refused');
        try {
          const url = new URL(req.originalUrl, `${originOf(req, d.publicUrl)}`);
          const { cookie: session, signedIn } = await sso.callback(url, cookie(req, OIDC_COOKIE), clientOf(req));
          res.cookie(SESSION_COOKIE, session, cookieOptions);
          res.redirect(302, `/${signedIn.page}`);
        } catch (err) {
          d.log.warn({ err }, 'oidc | callback refused');
          ssoRefused(res, reasonOf(err));
        }
      },
      'identity.signIn': async ({ body, req, res }) => answer(res, await identity.signIn.password(body.username, body.password, clientOf(req))),
      'identity.signInTotp': async ({ body, req, res }) => answer(res, await identity.signIn.totp(body.challenge, body.code, clientOf(req))),
      'identity.signInNewPassword': async ({ body, req, res }) => answer(res, await identity.signIn.newPassword(body.challenge, body.newPassword, clientOf(req))),
      'identity.signInEnrolTotp': async ({ body, req, res }) => answer(res, await identity.signIn.enrolTotp(body.challenge, body.code, clientOf(req))),
      'identity.enrolPasskeyOptions': ({ body, req }) => identity.signIn.enrolPasskeyOptions(body.challenge, relyingPartyOf(originOf(req, d.publicUrl))),
      'identity.signInEnrolPasskey': async ({ body, req, res }) => answer(res, await identity.signIn.enrolPasskey(body.challenge, body.ceremony, body.response, body.name, clientOf(req))),
      'identity.passkeySignInOptions': ({ body, req }) => identity.signIn.passkeyOptions(body.challenge, relyingPartyOf(originOf(req, d.publicUrl))),
      'identity.signInPasskey': async ({ body, req, res }) => answer(res, await identity.signIn.passkey(body.ceremony, body.response, body.challenge, clientOf(req))),
      'identity.refresh': ({ body, req }) => identity.sessions.refresh(sessionCookie(req), body.active ?? false),
      'identity.signOut': async ({ req, res }) => {
        await identity.sessions.signOut(sessionCookie(req));
        res.clearCookie(SESSION_COOKIE, { path: COOKIE_PATH });
        return {};
      },
      'identity.signOutEverywhere': async ({ claims, res }) => {
        const a = await identity.accounts.ofClaims(claims);
        res.clearCookie(SESSION_COOKIE, { path: COOKIE_PATH });
        return { ended: await identity.sessions.revokeAll(a.id, 'sign-out', actorOf(claims)) };
      },
      'identity.me': async ({ claims, req }) => {
        const a = await identity.accounts.ofClaims(claims);
        return { account: await identity.accounts.get(a.id), sessions: await identity.sessions.list(a.id, await identity.sessions.idOf(sessionCookie(req))) };
      },
      'identity.changePassword': async ({ claims, body, req }) => {
        await identity.accounts.changeOwnPassword(claims, body.currentPassword, body.newPassword, await identity.sessions.idOf(sessionCookie(req)));
        return {};
      },
      'identity.myPasskeys': async ({ claims }) => identity.passkeys.list((await identity.accounts.ofClaims(claims)).id),
      'identity.passkeyRegisterOptions': async ({ claims, req }) => identity.passkeys.registrationOptions(await identity.accounts.ofClaims(claims), relyingPartyOf(originOf(req, d.publicUrl))),
      'identity.registerPasskey': async ({ claims, body }) => identity.passkeys.register(await identity.accounts.ofClaims(claims), body.ceremony, body.response, body.name, actorOf(claims)),
      'identity.removePasskey': async ({ claims, params }) => {
        await identity.passkeys.remove(await identity.accounts.ofClaims(claims), params.passkeyId, actorOf(claims));
        return {};
      },
      'identity.beginTotp': ({ claims }) => identity.accounts.beginTotp(claims),
      'identity.confirmTotp': async ({ claims, body }) => {
        await identity.accounts.confirmTotp(claims, body.challenge, body.code);
        return {};
      },
      'identity.createInvitation': ({ claims, body, req }) => identity.invitations.create(claims, body, originOf(req, d.publicUrl)),
      'identity.previewInvitation': ({ body }) => identity.invitations.preview(body.code),
      'identity.acceptInvitation': async ({ body, req, res }) => answer(res, await identity.invitations.acceptNew(body.code, body, clientOf(req))),
      'identity.myInvitations': ({ claims }) => identity.invitations.mine(claims),
      'identity.answerInvitation': ({ claims, params, body }) => identity.invitations.answer(claims, params.invitationId, body.accept),
      'identity.householdInvitations': ({ claims, params }) => identity.invitations.listForHousehold(claims, params.householdId),
      'identity.withdrawInvitation': ({ claims, params }) => identity.invitations.withdraw(claims, params.invitationId),
      'identity.removeMember': async ({ claims, params }) => {
        await identity.invitations.removeMember(claims, params.householdId, params.memberId);
        return {};
      },
      'identity.listAccounts': () => identity.accounts.list(),
      'identity.createAccount': ({ claims, body }) => identity.accounts.create(actorOf(claims), body),
      'identity.updateAccount': ({ claims, params, body }) => identity.accounts.patch(claims, params.accountId, body),
      'identity.unlockAccount': ({ claims, params }) => identity.accounts.unlock(claims, params.accountId),
      'identity.resetPassword': ({ claims, params }) => identity.accounts.resetPassword(claims, params.accountId),
      'identity.resetSecondFactor': ({ claims, params }) => identity.accounts.resetSecondFactor(claims, params.accountId),
      // The cookie reaches this path too: the administrator's own session is marked (and the page offers no revoke for it).
      'identity.listSessions': async ({ req }) => identity.sessions.list(undefined, await identity.sessions.idOf(sessionCookie(req))),
      'identity.revokeSession': async ({ claims, params }) => ({ revoked: await identity.sessions.revoke(params.sessionId, 'revoked', actorOf(claims)) }),
      'identity.searchAudit': async ({ query }) => {
        const person = query.text ? await identity.accounts.subjectOfUsername(query.text) : undefined;
        return identity.audit.search({ ...query, ...(person ? { actors: [person] } : {}) });
      },
      'identity.verifyAudit': async () => {
        const r = await identity.audit.verify();
        return { ok: r.problems.length === 0, entries: r.entries, problems: r.problems };
      },
    },
    { tokens: d.tokens, log: d.log, bodyLimit: '8kb' },
  );
  // One request, one identity. A browser holding a sign-in session may also hold a development
  // token of someone else (a page opened with ?token=); answered as the token, an administrator's
  // session would sign out, change a password or list sessions as another person. A Bearer token
  // that does not name the session's own person is refused as ambiguous, whatever its role.
  const outer = express.Router();
  outer.use(async (req, _res, next) => {
    const token = bearerToken(req.get('authorization'));
    const cookieValue = sessionCookie(req);
    if (!token || !cookieValue) return next();
    let claims: { role: string; sub: string };
    try {
      claims = d.tokens.verify(token);
    } catch {
      return next(); // the gate answers a bad token with its own reason
    }
    try {
      const holder = await identity.sessions.holderOf(cookieValue);
      if (holder && (holder.role !== claims.role || holder.sub !== claims.sub)) {
        return next(new AppError('unauthorized', 'this request carries a sign-in session and a token of someone else; use one of them', { reason: 'ambiguous_credentials' }));
      }
      next();
    } catch (err) {
      next(err);
    }
  });
  outer.use(area);
  outer.use(httpErrors(d.log));
  return outer;
}
