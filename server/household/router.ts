// The HTTP API of the household service (mount at householdArea.base, /api/household): the
// endpoint table in server/protocol/http/household.ts served by the one area router. The table
// parses path, query and body; every permission decision stays in the service.
import type { Router } from 'express';
import { createAreaRouter, type TokenVerifier } from '../core/http/area-router.ts';
import type { Logger } from '../core/log.ts';
import { householdArea } from '../protocol/http/household.ts';
import type { HouseholdService } from './service.ts';

export interface HouseholdRouterDeps {
  service: HouseholdService;
  tokens: TokenVerifier;
  log: Logger;
}

export function createHouseholdRouter({ service: s, tokens, log }: HouseholdRouterDeps): Router {
  return createAreaRouter(
    householdArea,
    {
      // households
      'household.list': ({ claims }) => s.listHouseholds(claims),
      'household.create': ({ claims, body }) => s.createHousehold(claims, body),
      'household.get': ({ claims, params }) => s.getHousehold(claims, params.householdId),
      'household.updateSettings': ({ claims, params, body }) => s.updateSettings(claims, params.householdId, body),
      'household.setPrivacy': ({ claims, params, body }) => s.setPrivacyMode(claims, params.householdId, body.on),
      'household.bindDevice': ({ claims, params, body }) => s.bindDevice(claims, params.householdId, body),
      'household.revokeDevice': ({ claims, params }) => s.revokeDevice(claims, params.householdId, params.deviceId),
      'household.addCamera': ({ claims, params, body }) => s.addCamera(claims, params.householdId, body),
      'household.linkFamily': ({ claims, params, body }) => s.linkFamilyMember(claims, params.householdId, body),
      'household.unlinkFamily': async ({ claims, params }) => {
        await s.unlinkFamilyMember(claims, params.householdId, params.memberId);
        return {};
      },
      'household.assignCounsellor': async ({ claims, params, body }) => {
        await s.assignCounsellor(claims, params.householdId, body.counsellorId);
        return {};
      },
      // calls
      'household.startCall': ({ claims, params, body }) => s.startCall(claims, params.householdId, body),
      'household.missedCalls': ({ claims, params, query }) => s.listMissedCalls(claims, params.householdId, query.limit),
      'household.answerCall': ({ claims, params }) => s.answerCall(claims, params.callId),
      'household.declineCall': ({ claims, params }) => s.declineCall(claims, params.callId),
      'household.joinCall': ({ claims, params }) => s.joinCall(claims, params.callId),
      'household.endCall': ({ claims, params }) => s.endCall(claims, params.callId),
      // look-in
      'household.startLookIn': ({ claims, params, body }) => s.startLookIn(claims, params.householdId, body),
      'household.endLookIn': ({ claims, params }) => s.endLookIn(claims, params.lookInId),
      'household.accessLog': ({ claims, params, query }) => s.listAccessLog(claims, params.householdId, query.limit),
      // devices
      'household.deviceHeartbeat': ({ claims }) => s.heartbeat(claims),
      'household.deviceState': ({ claims }) => s.deviceState(claims),
      'household.deviceRoomToken': ({ claims, body }) => s.deviceRoomToken(claims, body.roomId),
      // counsellors
      'household.notices': ({ claims, params }) => s.listNotices(claims, params.householdId),
      'household.sendNotice': ({ claims, body }) => s.sendNotice(claims, body),
      'household.scheduleCheckIn': ({ claims, params, body }) => s.scheduleCheckIn(claims, params.householdId, body),
      'household.checkIns': ({ claims }) => s.listCheckIns(claims),
      'household.alerts': ({ claims, query }) => s.listAlerts(claims, query.resolved === '1'),
      'household.acknowledgeAlert': ({ claims, params }) => s.acknowledgeAlert(claims, params.alertId),
    },
    { tokens, log, bodyLimit: '32kb' },
  );
}
