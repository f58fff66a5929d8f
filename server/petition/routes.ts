// The HTTP API of 视频接访 (mount at petitionArea.base, /api/petition): the endpoint table in
// server/protocol/http/petition.ts served by the one area router, each entry handed to the
// service with the verified actor and the input the table parsed. Documented in docs/http-api.md.
import type { Router } from 'express';
import { createAreaRouter, type TokenVerifier } from '../core/http/area-router.ts';
import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { actorOf, type SystemAudit } from '../core/system-audit.ts';
import { petitionArea } from '../protocol/http/petition.ts';
import { rulesChangeDetails } from '../scheduler/routing-rules.ts';
import { actorFromClaims } from './access.ts';
import type { PetitionService } from './service.ts';

export interface PetitionRouterDeps {
  service: PetitionService;
  tokens: TokenVerifier;
  /**
   * Where an official, head or coordinator opening a case's file is recorded (the system trail).
   * Every page that opens a case reads its timeline, so that read is the one recorded; the
   * petitioner's own terminal reading its case is not a file view.
   */
  audit?: Pick<SystemAudit, 'record'>;
  log?: Logger;
}

const FILE_READERS: ReadonlySet<string> = new Set(['official', 'head', 'coordinator']);
// The desk re-reads an open case's timeline on every update: one entry per viewer and case in
// this window says who opened the file without a transaction per refresh.
const VIEW_WINDOW_MS = 10 * 60_000;

export function createPetitionRouter({ service: s, tokens, audit, log }: PetitionRouterDeps): Router {
  const a = actorFromClaims;
  const viewed = new Map<string, number>();
  const recordView = async (claims: Parameters<typeof actorOf>[0], caseId: string) => {
    const key = `${claims.sub}\n${caseId}`;
    const now = Date.now();
    if (now - (viewed.get(key) ?? -Infinity) < VIEW_WINDOW_MS) return;
    if (viewed.size > 10_000) for (const [k, at] of viewed) if (now - at >= VIEW_WINDOW_MS) viewed.delete(k);
    await audit!.record({ type: 'case-viewed', actor: actorOf(claims), details: { caseId } });
    viewed.set(key, now);
  };
  return createAreaRouter(
    petitionArea,
    {
      'petition.start': ({ claims, body }) => s.startPetition(a(claims), body),
      'petition.getCase': ({ claims, params }) => s.getCase(a(claims), params.caseId),
      'petition.wait': ({ claims, params }) => s.wait(a(claims), params.caseId),
      'petition.timeline': async ({ claims, params }) => {
        const timeline = await s.timeline(a(claims), params.caseId);
        if (audit && FILE_READERS.has(claims.role)) await recordView(claims, params.caseId);
        return timeline;
      },
      'petition.roomToken': ({ claims, params }) => s.roomAccess(a(claims), params.caseId, claims.grant),
      'petition.rate': ({ claims, params, body }) => s.rate(a(claims), params.caseId, body.rating),
      'petition.bookAppointment': ({ claims, params, body }) => s.bookAppointment(a(claims), params.caseId, body.dayId, body.slot),
      'petition.requestCallback': ({ claims, params }) => s.requestCallback(a(claims), params.caseId),
      'petition.withdraw': ({ claims, params, body }) => s.withdraw(a(claims), params.caseId, body.why),
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
      'petition.extendDeadline': ({ claims, params, body }) => s.extendDeadline(a(claims), params.caseId, body.reason, body.days),
      'petition.endSession': ({ claims, params }) => s.endSession(a(claims), params.caseId),
      'petition.archive': ({ claims, params }) => s.archive(a(claims), params.caseId),
      'petition.departments': ({ claims }) => s.departments(a(claims)),
      'petition.queues': ({ claims }) => s.queues(a(claims)),
      'petition.liveSessions': ({ claims }) => s.liveSessions(a(claims)),
      'petition.terminals': ({ claims }) => s.terminals(a(claims)),
      'petition.overdue': ({ claims }) => s.overdue(a(claims)),
      'petition.replaceRoutingRules': async ({ claims, body }) => {
        const rules = await s.replaceRoutingRules(a(claims), body);
        await audit?.record({ type: 'configuration-changed', actor: actorOf(claims), details: rulesChangeDetails(rules) });
        return rules;
      },
      'petition.life': ({ claims, params }) => s.caseLife(a(claims), params.caseId),
      'petition.notifyAcceptance': ({ claims, params, body }) => s.life.notifyAcceptance(a(claims), params.caseId, body),
      'petition.assignHandler': ({ claims, params, body }) => s.life.assignHandler(a(claims), params.caseId, body.officialId),
      'petition.addCoHandler': ({ claims, params, body }) => s.life.addCoHandler(a(claims), params.caseId, body.departmentId),
      'petition.addNote': ({ claims, params, body }) => s.life.addNote(a(claims), params.caseId, body.text),
      'petition.addAttachment': ({ claims, params, body }) => s.life.addAttachment(a(claims), params.caseId, body),
      'petition.attachment': async ({ claims, params, res }) => {
        const file = await s.attachment(a(claims), params.attachmentId);
        res.type(file.mime).set('x-content-sha256', file.sha256).set('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(file.name)}`).send(file.bytes);
      },
      'petition.pauseClock': ({ claims, params, body }) => s.life.pause(a(claims), params.caseId, body.reason),
      'petition.resumeClock': ({ claims, params }) => s.life.resume(a(claims), params.caseId),
      'petition.submitReply': ({ claims, params, body }) => s.life.submitReply(a(claims), params.caseId, body.text),
      'petition.decideApproval': ({ claims, params, body }) => s.life.decide(a(claims), params.approvalId, body.approve, body.note ?? null),
      'petition.closeCase': ({ claims, params }) => s.life.close(a(claims), params.caseId, 'by_hand'),
      'petition.document': ({ claims, params }) => s.document(a(claims), params.documentId),
      'petition.workList': ({ claims }) => s.workList(a(claims)),
      'petition.headWork': ({ claims }) => s.life.headWorkList(a(claims)),
      'petition.coordinatorWork': ({ claims }) => s.coordinatorWork(a(claims)),
      'petition.stats': ({ claims, query }) => s.stats(a(claims), query),
      'petition.callBack': ({ claims, params, body }) => s.callBack(a(claims), params.callbackId, body),
      'petition.answerCallback': ({ claims, params }) => s.answerCallback(a(claims), params.callbackId),
      'petition.lookup': ({ claims, body }) => s.lookup(a(claims), body.caseId, body.code, () => s.life.lookup(body.caseId, body.code)),
      'petition.lookupRate': ({ claims, body }) =>
        s.lookup(a(claims), body.caseId, body.code, async () => {
          await s.life.rateResult(a(claims), body.caseId, body.rating, 'terminal');
          return s.life.lookup(body.caseId, body.code);
        }),
      'petition.lookupReview': ({ claims, body }) => s.lookup(a(claims), body.caseId, body.code, () => s.requestReview(a(claims), body.caseId, body.code)),
      'petition.lookupCallback': ({ claims, body }) => s.lookup(a(claims), body.caseId, body.code, () => s.lookupCallback(a(claims), body.caseId, body.code)),
      'petition.lookupDocument': ({ claims, body }) =>
        s.lookup(a(claims), body.caseId, body.code, async () => {
          const d = await s.life.document(body.documentId);
          if (d.caseId !== body.caseId) throw new AppError('not_found', `no document ${body.documentId} in case ${body.caseId}`);
          return d;
        }),
      'petition.caseStatus': ({ body }) => s.caseStatus(body.caseId, body.code),
      'petition.saveReceptionDay': ({ claims, params, body }) => s.saveReceptionDay(a(claims), params.dayId, body),
      'petition.removeReceptionDay': async ({ claims, params }) => ({ removed: await s.removeReceptionDay(a(claims), params.dayId) }),
      'petition.receptionDays': () => s.receptionDays(),
      'petition.routingRules': () => s.routingRules(),
    },
    { tokens, ...(log ? { log } : {}), bodyLimit: '32kb' },
  );
}
