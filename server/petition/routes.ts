// HTTP API of 视频接访, as an express Router the server mounts (suggested: /api/petition).
// Every request: `Authorization: Bearer <jwt>` verified by TokenIssuer, body/params validated
// by zod, answer `{ ok: true, data }` or `{ ok: false, error: { code, message, details? } }`
// with the AppError's status. Documented in docs/petition.md.
import express, { type Request, type Response, type Router } from 'express';
import type { TokenIssuer } from '../auth/grants.ts';
import { AppError, toErrorBody } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { actorFromClaims } from './access.ts';
import {
  acceptTicketSchema,
  appointmentSchema,
  caseIdSchema,
  claimSchema,
  emptySchema,
  escalateSchema,
  extendSchema,
  idSchema,
  offerSchema,
  inviteSchema,
  opinionSchema,
  parseInput as parse,
  presenceSchema,
  rateSchema,
  startPetitionSchema,
  transferSchema,
} from './schemas.ts';
import type { PetitionService } from './service.ts';
import type { Actor } from './types.ts';

export interface PetitionRouterDeps {
  service: PetitionService;
  tokens: TokenIssuer;
  log?: Logger;
}

function actorOf(req: Request, tokens: TokenIssuer): Actor {
  const header = req.headers.authorization;
  const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : undefined;
  return actorFromClaims(tokens.verify(token));
}

/** Redis unreachable (ioredis gave up retrying) or SQLite locked past its busy timeout. */
function storeUnavailable(err: unknown): boolean {
  if (!(err instanceof Error) || err instanceof AppError) return false;
  return (
    err.name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|ECONNREFUSED|LOADING|stream isn't writeable/.test(err.message) ||
    (err as { code?: unknown }).code === 'SQLITE_BUSY'
  );
}

export function createPetitionRouter(deps: PetitionRouterDeps): Router {
  const { service, tokens, log } = deps;
  const router = express.Router();
  router.use(express.json({ limit: '32kb' }));

  type Handler = (actor: Actor, req: Request) => unknown;
  const route = (method: 'get' | 'post' | 'put', path: string, handler: Handler) => {
    router[method](path, async (req: Request, res: Response) => {
      try {
        const actor = actorOf(req, tokens);
        const data = await handler(actor, req);
        res.json({ ok: true, data: data ?? {} });
      } catch (caught) {
        const err = storeUnavailable(caught) ? new AppError('unavailable', 'the scheduler is unavailable, try again shortly') : caught;
        if (!(err instanceof AppError) || err.code === 'unavailable') log?.error({ err: caught, path: req.path }, 'petition http | failed');
        res.status(err instanceof AppError ? err.status : 500).json({ ok: false, error: toErrorBody(err) });
      }
    });
  };
  const caseId = (req: Request) => parse(caseIdSchema, req.params.caseId, 'case number');

  route('post', '/cases', (a, req) => service.startPetition(a, parse(startPetitionSchema, req.body, 'petition')));
  route('get', '/cases/:caseId', (a, req) => service.getCase(a, caseId(req)));
  route('get', '/cases/:caseId/wait', (a, req) => service.wait(a, caseId(req)));
  route('get', '/cases/:caseId/timeline', (a, req) => service.timeline(a, caseId(req)));
  route('post', '/cases/:caseId/room-token', (a, req) => {
    parse(emptySchema, req.body, 'request');
    return service.roomAccess(a, caseId(req));
  });
  route('post', '/cases/:caseId/invite', (a, req) => service.invite(a, caseId(req), parse(inviteSchema, req.body, 'invite')));
  route('post', '/cases/:caseId/transfer', (a, req) => {
    const b = parse(transferSchema, req.body, 'transfer');
    return service.transfer(a, caseId(req), b.departmentId, b.reason);
  });
  route('post', '/cases/:caseId/escalate', (a, req) => service.escalate(a, caseId(req), parse(escalateSchema, req.body, 'escalation').reason));
  route('post', '/cases/:caseId/opinion', (a, req) => {
    const b = parse(opinionSchema, req.body, 'opinion');
    return service.writeOpinion(a, caseId(req), b.opinion, b.accepted);
  });
  route('post', '/cases/:caseId/extend', (a, req) => service.extendDeadline(a, caseId(req), parse(extendSchema, req.body, 'extension').reason));
  route('post', '/cases/:caseId/end', (a, req) => {
    parse(emptySchema, req.body, 'request');
    return service.endSession(a, caseId(req));
  });
  route('post', '/cases/:caseId/rate', (a, req) => service.rate(a, caseId(req), parse(rateSchema, req.body, 'rating').rating));
  route('post', '/cases/:caseId/archive', (a, req) => {
    parse(emptySchema, req.body, 'request');
    return service.archive(a, caseId(req));
  });
  route('post', '/cases/:caseId/appointment', (a, req) => {
    const b = parse(appointmentSchema, req.body, 'appointment');
    return service.bookAppointment(a, caseId(req), b.dayId, b.slot);
  });
  route('post', '/cases/:caseId/callback', (a, req) => {
    parse(emptySchema, req.body, 'request');
    return service.requestCallback(a, caseId(req));
  });
  route('post', '/claims', (a, req) => {
    const b = parse(claimSchema, req.body, 'claim');
    return service.claimNext(a, b.requestId ? { requestId: b.requestId } : {});
  });
  route('post', '/offers', (a, req) => {
    const b = parse(claimSchema, req.body, 'offer request');
    return service.offerNext(a, b.requestId ? { requestId: b.requestId } : {});
  });
  route('post', '/offers/accept', (a, req) => service.acceptOffer(a, parse(offerSchema, req.body, 'offer')));
  route('post', '/offers/decline', async (a, req) => ({ released: await service.declineOffer(a, parse(offerSchema, req.body, 'offer')) }));
  route('post', '/tickets/:ticketId/accept', (a, req) => {
    const b = parse(acceptTicketSchema, req.body, 'accept');
    return service.acceptTicket(a, parse(idSchema, req.params.ticketId, 'ticket id'), b.requestId ? { requestId: b.requestId } : {});
  });
  route('post', '/presence', async (a, req) => {
    await service.heartbeat(a, parse(presenceSchema, req.body, 'presence').status);
    return {};
  });
  route('get', '/desk', (a) => service.desk(a));
  route('get', '/queues', (a) => service.queues(a));
  route('get', '/overdue', (a) => service.overdue(a));
  route('get', '/sessions', (a) => service.liveSessions(a));
  route('get', '/terminals', (a) => service.terminals(a));
  route('post', '/terminal-presence', async (a, req) => {
    parse(emptySchema, req.body, 'request');
    await service.terminalHeartbeat(a);
    return {};
  });
  route('get', '/reception-days', () => service.receptionDays());
  route('get', '/departments', (a) => service.departments(a));
  route('get', '/routing-rules', () => service.routingRules());
  route('put', '/routing-rules', (a, req) => service.replaceRoutingRules(a, req.body));

  // Malformed JSON or an oversize body: body-parser's error, answered in the same shape.
  router.use((err: unknown, _req: Request, res: Response, next: (e?: unknown) => void) => {
    if (res.headersSent) return next(err);
    const status = typeof err === 'object' && err !== null && 'status' in err && err.status === 413 ? 413 : 400;
    res.status(status).json({ ok: false, error: { code: 'bad_request', message: status === 413 ? 'request body too large' : 'malformed JSON body' } });
  });

  return router;
}
