// The HTTP API of the household service (mount at householdArea.base, /api/household): the
// endpoint table in server/protocol/http/household.ts served by the one area router. The table
// parses path, query and body; every permission decision stays in the service.
import type { Router } from 'express';
import { createAreaRouter, type TokenVerifier } from '../core/http/area-router.ts';
import type { Logger } from '../core/log.ts';
import { actorOf, type SystemAudit } from '../core/system-audit.ts';
import { householdArea } from '../protocol/http/household.ts';
import type { HouseholdService } from './service.ts';

export interface HouseholdRouterDeps {
  service: HouseholdService;
  tokens: TokenVerifier;
  /**
   * Cameras added and removed and counsellor assignments are directory changes of the system
   * trail (absent only in the area's own router tests, which have no trail).
   */
  audit?: Pick<SystemAudit, 'record'>;
  log: Logger;
}

export function createHouseholdRouter({ service: s, tokens, audit, log }: HouseholdRouterDeps): Router {
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
      'household.addCamera': async ({ claims, params, body }) => {
        const camera = await s.addCamera(claims, params.householdId, body);
        await audit?.record({ type: 'camera-added', actor: actorOf(claims), details: { householdId: camera.householdId, cameraId: camera.id, name: camera.name, place: camera.place } });
        return camera;
      },
      'household.removeCamera': async ({ claims, params }) => {
        await s.removeCamera(claims, params.householdId, params.cameraId);
        await audit?.record({ type: 'camera-removed', actor: actorOf(claims), details: { householdId: params.householdId, cameraId: params.cameraId } });
        return {};
      },
      'household.counsellors': ({ claims }) => s.listCounsellors(claims),
      'household.unassignCounsellor': async ({ claims, params }) => {
        await s.unassignCounsellor(claims, params.householdId, params.counsellorId);
        await audit?.record({ type: 'counsellor-unassigned', actor: actorOf(claims), details: { householdId: params.householdId, counsellorId: params.counsellorId } });
        return {};
      },
      'household.linkFamily': ({ claims, params, body }) => s.linkFamilyMember(claims, params.householdId, body),
      'household.unlinkFamily': async ({ claims, params }) => {
        await s.unlinkFamilyMember(claims, params.householdId, params.memberId);
        return {};
      },
      'household.assignCounsellor': async ({ claims, params, body }) => {
        await s.assignCounsellor(claims, params.householdId, body.counsellorId);
        await audit?.record({ type: 'counsellor-assigned', actor: actorOf(claims), details: { householdId: params.householdId, counsellorId: body.counsellorId } });
        return {};
      },
      // calls
      'household.startCall': ({ claims, params, body }) => s.startCall(claims, params.householdId, body),
      'household.raiseSos': ({ claims, params }) => s.raiseSosFor(claims, params.householdId),
      'household.missedCalls': ({ claims, params, query }) => s.listMissedCalls(claims, params.householdId, query.limit),
      'household.answerCall': ({ claims, params }) => s.answerCall(claims, params.callId),
      'household.declineCall': ({ claims, params }) => s.declineCall(claims, params.callId),
      // A room token (a call page renewing its own) is taken for its own call only.
      'household.joinCall': ({ claims, params }) => s.joinCall(claims, params.callId, claims.use === 'room' ? claims.grant : undefined),
      'household.endCall': ({ claims, params }) => s.endCall(claims, params.callId),
      'household.myCalls': ({ claims, query }) => s.myCalls(claims, query.limit),
      'household.callTimeline': ({ claims, params }) => s.callTimeline(claims, params.callId),
      // look-in
      'household.startLookIn': ({ claims, params, body }) => s.startLookIn(claims, params.householdId, body),
      'household.endLookIn': ({ claims, params }) => s.endLookIn(claims, params.lookInId),
      'household.accessLog': ({ claims, params, query }) => s.listAccessLog(claims, params.householdId, query.limit),
      'household.consents': ({ claims, params }) => s.listConsents(claims, params.householdId),
      'household.changeConsent': ({ claims, params, body }) => s.changeConsent(claims, params.householdId, body),
      'household.setMasks': ({ claims, params, body }) => s.setMasks(claims, params.deviceId, body.rects),
      // devices
      'household.deviceHeartbeat': ({ claims }) => s.heartbeat(claims),
      'household.deviceState': ({ claims }) => s.deviceState(claims),
      'household.deviceRoomToken': ({ claims, body }) => s.deviceRoomToken(claims, body.roomId),
      'household.callOut': ({ claims, body }) => s.callOut(claims, body),
      'household.sos': ({ claims }) => s.raiseSos(claims),
      'household.reportActivity': ({ claims, body }) => s.reportActivity(claims, body),
      'household.readNotice': ({ claims, params }) => s.markNoticeRead(claims, params.noticeId),
      // counsellors
      'household.notices': ({ claims, params }) => s.listNotices(claims, params.householdId),
      'household.sendNotice': ({ claims, body }) => s.sendNotice(claims, body),
      'household.scheduleCheckIn': ({ claims, params, body }) => s.scheduleCheckIn(claims, params.householdId, body),
      'household.checkIns': ({ claims }) => s.listCheckIns(claims),
      'household.alerts': ({ claims, query }) => s.listAlerts(claims, query.all === '1'),
      'household.acknowledgeAlert': ({ claims, params }) => s.acknowledgeAlert(claims, params.alertId),
      'household.dueCheckIns': ({ claims }) => s.dueCheckIns(claims),
      'household.recordVisit': ({ claims, params, body }) => s.recordVisit(claims, params.householdId, body),
      'household.history': ({ claims, params }) => s.history(claims, params.householdId),
      'household.sentNotices': ({ claims, query }) => s.sentNotices(claims, query.limit),
      'household.noticeReceipts': ({ claims, params }) => s.noticeReceipts(claims, params.noticeId),
      'household.addVillageContact': ({ claims, body }) => s.addVillageContact(claims, body),
    },
    { tokens, log, bodyLimit: '32kb' },
  );
}
