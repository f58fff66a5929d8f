// HTTP API of the household service. Mount under /api/household. Every route authenticates with
// `Authorization: Bearer <jwt>`, validates path and query with zod, leaves body validation and
// every permission decision to the service, and answers `{ ok: true, data }` or
// `{ ok: false, error: { code, message } }` with the AppError's status.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { AppError, badRequest, toErrorBody } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { TokenIssuer } from '../auth/grants.ts';
import { idSchema } from './domain.ts';
import type { Actor, HouseholdService } from './service.ts';

export interface HouseholdRouterDeps {
  service: HouseholdService;
  tokens: TokenIssuer;
  log: Logger;
}

const limitQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).optional() });
const alertsQuery = z.strictObject({ resolved: z.enum(['0', '1']).optional() });
const privacyBody = z.strictObject({ on: z.boolean() });
const assignBody = z.strictObject({ counsellorId: idSchema });
const roomTokenBody = z.strictObject({ roomId: z.string().min(1).max(200) });

type Handler = (req: Request, actor: Actor) => unknown;

export function createHouseholdRouter(deps: HouseholdRouterDeps): Router {
  const { service, tokens, log } = deps;
  const router = express.Router();
  router.use(express.json({ limit: '32kb' }));

  const param = (req: Request, name: string): string => {
    const r = idSchema.safeParse(req.params[name]);
    if (!r.success) throw badRequest(`${name}: invalid id`);
    return r.data;
  };
  const query = <T extends z.ZodType>(schema: T, req: Request): z.output<T> => {
    const r = schema.safeParse(req.query);
    if (!r.success) throw badRequest(`invalid query: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return r.data;
  };
  const body = <T extends z.ZodType>(schema: T, req: Request): z.output<T> => {
    const r = schema.safeParse(req.body ?? {});
    if (!r.success) throw badRequest(`invalid body: ${r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`);
    return r.data;
  };

  // Express 5 passes a rejected handler to the error middleware, as it does a thrown one.
  const route = (handler: Handler) => async (req: Request, res: Response) => {
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new AppError('unauthorized', 'missing Authorization: Bearer token');
    const claims = tokens.verify(m[1]);
    const data = await handler(req, claims);
    res.json({ ok: true, data });
  };

  // households
  router.get('/households', route((_req, a) => service.listHouseholds(a)));
  router.post('/households', route((req, a) => service.createHousehold(a, req.body)));
  router.get('/households/:householdId', route((req, a) => service.getHousehold(a, param(req, 'householdId'))));
  router.patch('/households/:householdId/settings', route((req, a) => service.updateSettings(a, param(req, 'householdId'), req.body)));
  router.post('/households/:householdId/privacy', route((req, a) => service.setPrivacyMode(a, param(req, 'householdId'), body(privacyBody, req).on)));
  router.post('/households/:householdId/devices', route((req, a) => service.bindDevice(a, param(req, 'householdId'), req.body)));
  router.post('/households/:householdId/cameras', route((req, a) => service.addCamera(a, param(req, 'householdId'), req.body)));
  router.post('/households/:householdId/family', route((req, a) => service.linkFamilyMember(a, param(req, 'householdId'), req.body)));
  router.post('/households/:householdId/counsellors', route(async (req, a) => {
    await service.assignCounsellor(a, param(req, 'householdId'), body(assignBody, req).counsellorId);
    return {};
  }));

  // calls
  router.post('/households/:householdId/calls', route((req, a) => service.startCall(a, param(req, 'householdId'), req.body)));
  router.get('/households/:householdId/missed-calls', route((req, a) => service.listMissedCalls(a, param(req, 'householdId'), query(limitQuery, req).limit)));
  router.post('/calls/:callId/answer', route((req, a) => service.answerCall(a, param(req, 'callId'))));
  router.post('/calls/:callId/decline', route((req, a) => service.declineCall(a, param(req, 'callId'))));
  router.post('/calls/:callId/join', route((req, a) => service.joinCall(a, param(req, 'callId'))));
  router.post('/calls/:callId/end', route((req, a) => service.endCall(a, param(req, 'callId'))));

  // look-in
  router.post('/households/:householdId/look-ins', route((req, a) => service.startLookIn(a, param(req, 'householdId'), req.body)));
  router.post('/look-ins/:lookInId/end', route((req, a) => service.endLookIn(a, param(req, 'lookInId'))));
  router.get('/households/:householdId/access-log', route((req, a) => service.listAccessLog(a, param(req, 'householdId'), query(limitQuery, req).limit)));

  // devices
  router.post('/device/heartbeat', route((_req, a) => service.heartbeat(a)));
  router.get('/device/state', route((_req, a) => service.deviceState(a)));
  router.post('/device/room-token', route((req, a) => service.deviceRoomToken(a, body(roomTokenBody, req).roomId)));

  // counsellors
  router.get('/households/:householdId/notices', route((req, a) => service.listNotices(a, param(req, 'householdId'))));
  router.post('/notices', route((req, a) => service.sendNotice(a, req.body)));
  router.post('/households/:householdId/check-ins', route((req, a) => service.scheduleCheckIn(a, param(req, 'householdId'), req.body)));
  router.get('/check-ins', route((_req, a) => service.listCheckIns(a)));
  router.get('/alerts', route((req, a) => service.listAlerts(a, query(alertsQuery, req).resolved === '1')));
  router.post('/alerts/:alertId/ack', route((req, a) => service.acknowledgeAlert(a, param(req, 'alertId'))));

  router.use((_req: Request, _res: Response, next: NextFunction) => next(new AppError('not_found', 'no such household endpoint')));
  // Express 5 forwards thrown errors here, including express.json's own (malformed JSON, too large).
  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = err instanceof AppError ? err.status : jsonErrorStatus(err);
    const error = err instanceof AppError || status === 500 ? toErrorBody(err) : { code: 'bad_request' as const, message: 'malformed request body' };
    if (status >= 500) log.error({ err, path: req.path }, 'household route failed');
    res.status(status).json({ ok: false, error });
  });
  return router;
}

/** body-parser errors carry a 4xx `status`; anything else is ours and a 500. */
function jsonErrorStatus(err: unknown): number {
  const s = (err as { status?: unknown } | null)?.status;
  return typeof s === 'number' && s >= 400 && s < 500 ? 400 : 500;
}
