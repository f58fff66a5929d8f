// /api/enrol (server/protocol/http/enrolment.ts) over the enrolment service.
import type { Router } from 'express';
import type { TokenIssuer } from '../auth/grants.ts';
import { createAreaRouter } from '../core/http/area-router.ts';
import type { Logger } from '../core/log.ts';
import { enrolmentArea } from '../protocol/http/enrolment.ts';
import type { Enrolment } from './enrolment.ts';
import { originOf } from './router.ts';


export function createEnrolmentRouter(d: { enrolment: Enrolment; tokens: TokenIssuer; log: Logger; publicUrl?: string }): Router {
  const e = d.enrolment;
  return createAreaRouter(
    enrolmentArea,
    {
      'enrol.begin': ({ body, req }) => e.begin(body.kind, originOf(req, d.publicUrl)),
      'enrol.poll': ({ params, body }) => e.poll(params.pairingId, body.pollSecret),
      'enrol.claim': ({ claims, body }) => e.claim(claims, body),
      'enrol.refresh': ({ body }) => e.refresh(body.deviceId, body.refreshToken),
      'enrol.devices': ({ claims, query }) => e.list(claims, query.householdId),
      'enrol.updateDevice': ({ claims, params, body }) => e.update(claims, params.deviceId, body),
      'enrol.disableDevice': ({ claims, params }) => e.setDisabled(claims, params.deviceId, true),
      'enrol.enableDevice': ({ claims, params }) => e.setDisabled(claims, params.deviceId, false),
      'enrol.revokeDevice': ({ claims, params }) => e.revoke(claims, params.deviceId),
    },
    { tokens: d.tokens, log: d.log, bodyLimit: '4kb' },
  );
}
