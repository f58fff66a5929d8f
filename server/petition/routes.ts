// The HTTP API of 视频接访 (mount at petitionArea.base, /api/petition): the endpoint table in
// server/protocol/http/petition.ts served by the one area router, each entry handed to the
// service with the verified actor and the input the table parsed. Documented in docs/http-api.md.
import type { Router } from 'express';
import { createAreaRouter, type TokenVerifier } from '../core/http/area-router.ts';
import type { Logger } from '../core/log.ts';
import { petitionArea } from '../protocol/http/petition.ts';
import { actorFromClaims } from './access.ts';
import type { PetitionService } from './service.ts';

export interface PetitionRouterDeps {
  service: PetitionService;
  tokens: TokenVerifier;
  log?: Logger;
}

export function createPetitionRouter({ service: s, tokens, log }: PetitionRouterDeps): Router {
  const a = actorFromClaims;
  return createAreaRouter(
    petitionArea,
    {
      'petition.start': ({ claims, body }) => s.startPetition(a(claims), body),
      'petition.getCase': ({ claims, params }) => s.getCase(a(claims), params.caseId),
      'petition.wait': ({ claims, params }) => s.wait(a(claims), params.caseId),
      'petition.timeline': ({ claims, params }) => s.timeline(a(claims), params.caseId),
      'petition.roomToken': ({ claims, params }) => s.roomAccess(a(claims), params.caseId),
      'petition.rate': ({ claims, params, body }) => s.rate(a(claims), params.caseId, body.rating),
      'petition.bookAppointment': ({ claims, params, body }) => s.bookAppointment(a(claims), params.caseId, body.dayId, body.slot),
      'petition.requestCallback': ({ claims, params }) => s.requestCallback(a(claims), params.caseId),
      'petition.heartbeat': async ({ claims, body }) => {
        await s.heartbeat(a(claims), body.status);
        return {};
      },
      'petition.desk': ({ claims }) => s.desk(a(claims)),
      'petition.claimNext': ({ claims, body }) => s.claimNext(a(claims), body),
      'petition.offerNext': ({ claims, body }) => s.offerNext(a(claims), body),
      'petition.acceptOffer': ({ claims, body }) => s.acceptOffer(a(claims), body),
      'petition.declineOffer': async ({ claims, body }) => ({ released: await s.declineOffer(a(claims), body) }),
      'petition.acceptTicket': ({ claims, params, body }) => s.acceptTicket(a(claims), params.ticketId, body),
      'petition.invite': ({ claims, params, body }) => s.invite(a(claims), params.caseId, body),
      'petition.transfer': ({ claims, params, body }) => s.transfer(a(claims), params.caseId, body.departmentId, body.reason),
      'petition.escalate': ({ claims, params, body }) => s.escalate(a(claims), params.caseId, body.reason),
      'petition.writeOpinion': ({ claims, params, body }) => s.writeOpinion(a(claims), params.caseId, body.opinion, body.accepted),
      'petition.extendDeadline': ({ claims, params, body }) => s.extendDeadline(a(claims), params.caseId, body.reason),
      'petition.endSession': ({ claims, params }) => s.endSession(a(claims), params.caseId),
      'petition.archive': ({ claims, params }) => s.archive(a(claims), params.caseId),
      'petition.departments': ({ claims }) => s.departments(a(claims)),
      'petition.queues': ({ claims }) => s.queues(a(claims)),
      'petition.liveSessions': ({ claims }) => s.liveSessions(a(claims)),
      'petition.terminals': ({ claims }) => s.terminals(a(claims)),
      'petition.overdue': ({ claims }) => s.overdue(a(claims)),
      'petition.replaceRoutingRules': ({ claims, body }) => s.replaceRoutingRules(a(claims), body),
      'petition.receptionDays': () => s.receptionDays(),
      'petition.routingRules': () => s.routingRules(),
    },
    { tokens, ...(log ? { log } : {}), bodyLimit: '32kb' },
  );
}
