// 平安心居 over HTTP: every endpoint of /api/household. Served by server/household/router.ts; the
// roles here are the first gate, every permission decision about a particular household (family
// level, assigned counsellor, the device's own home) is the service's.
import { z } from 'zod';
import { area, json } from './contract.ts';
import {
  activityReportSchema,
  addCameraSchema,
  bindDeviceSchema,
  callOutSchema,
  consentChangeSchema,
  newVisitSchema,
  privacyMasksSchema,
  villageContactSchema,
  idSchema,
  linkFamilySchema,
  newCheckInSchema,
  newHouseholdSchema,
  sendNoticeSchema,
  settingsPatchSchema,
  startCallSchema,
  startLookInSchema,
  type AccessLogEntry,
  type Call,
  type CallEvent,
  type CheckInDue,
  type CheckInSchedule,
  type ConsentRecord,
  type Counsellor,
  type Device,
  type HouseholdAlert,
  type HouseholdHistory,
  type NoticeReceipts,
  type VillageContact,
  type Visit,
  type DeviceState,
  type Household,
  type HouseholdCamera,
  type HouseholdSettings,
  type HouseholdView,
  type LookIn,
  type Notice,
  type PrivacyState,
  type RoomTicket,
} from './household-shapes.ts';

export const limitQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).optional() });
export const alertsQuery = z.strictObject({ all: z.enum(['0', '1']).optional() });
export const privacyBody = z.strictObject({ on: z.boolean() });
export const assignCounsellorBody = z.strictObject({ counsellorId: idSchema });
export const deviceRoomTokenBody = z.strictObject({ roomId: z.string().min(1).max(200) });

const householdParams = z.strictObject({ householdId: idSchema });
const deviceParams = z.strictObject({ householdId: idSchema, deviceId: idSchema });
const memberParams = z.strictObject({ householdId: idSchema, memberId: idSchema });
const cameraParams = z.strictObject({ householdId: idSchema, cameraId: idSchema });
const counsellorParams = z.strictObject({ householdId: idSchema, counsellorId: idSchema });
const callParams = z.strictObject({ callId: idSchema });
const lookInParams = z.strictObject({ lookInId: idSchema });
const alertParams = z.strictObject({ alertId: idSchema });
const noticeParams = z.strictObject({ noticeId: idSchema });
const maskDeviceParams = z.strictObject({ deviceId: idSchema });

// 三员分立: the system administrator installs a household (its devices, cameras, family links,
// counsellors) and sees what it set up, never the household's private life — its calls, look-ins,
// consents, access log, notices — nor takes part in it (settings, privacy, masks, hanging up).
/** Who has a view of some household's private life; the service checks which. */
const CARE_VIEWERS = ['family', 'counsellor', 'home-device'] as const;
/** The same, plus the administrator's view of what it installed (no consents, no alerts). */
const VIEWERS = [...CARE_VIEWERS, 'admin'] as const;
/** Who installs: the household's managers and the administrator. */
const MANAGERS = ['family', 'admin'] as const;
/** The home's own decisions about its privacy: its managers and its device. */
const HOME = ['family', 'home-device'] as const;
const DEVICES = ['home-device'] as const;
// A household's care (notices, check-ins, alerts, its record) is the counsellors' alone: under
// 三员分立 the system administrator installs and links, and has no part in a household's care.
const COUNSELLORS = ['counsellor'] as const;
/** Whom a call from home rings: they answer, decline or join it. */
const CALLEES = ['family', 'counsellor', 'grid-worker'] as const;
type Nothing = Record<string, never>;
type CallTicket = { call: Call } & RoomTicket;

export const householdArea = area({
  base: '/api/household',
  title: '平安心居 (households)',
  shapes: 'server/protocol/http/household-shapes.ts',
  notes:
    'Ids are letters, digits, `_ . -` (they are part of room names). Family members act at their ' +
    'permission level in each household (`call` < `look-in` < `manage`); a refused look-in is ' +
    '`forbidden` with `details.reason` (`privacy-mode`, `privacy-schedule`, `look-in-disabled`, ' +
    '`device-offline`); a device token that was replaced by binding again is `unauthorized`.',
  endpoints: {
    // ---- households
    'household.list': {
      method: 'GET', path: '/households', summary: 'Households the caller may see: linked (family), assigned (counsellor), own (device), all (admin)',
      access: { roles: VIEWERS }, answer: json<HouseholdView[]>('HouseholdView[]'),
    },
    'household.create': {
      method: 'POST', path: '/households', summary: 'Register a household (administrators)',
      access: { roles: ['admin'] }, body: newHouseholdSchema, answer: json<Household>('Household'),
    },
    'household.get': {
      method: 'GET', path: '/households/:householdId', summary: 'One household with its privacy state, devices, cameras, family and counsellors',
      access: { roles: VIEWERS }, params: householdParams, answer: json<HouseholdView>('HouseholdView'),
    },
    'household.updateSettings': {
      method: 'PATCH', path: '/households/:householdId/settings', summary: 'Change auto-answer, look-in, privacy schedule or recording consent (family with manage)',
      access: { roles: ['family'] }, params: householdParams, body: settingsPatchSchema, answer: json<HouseholdSettings>('HouseholdSettings'),
    },
    'household.setPrivacy': {
      method: 'POST', path: '/households/:householdId/privacy', summary: 'The privacy button: cameras stop at once while on',
      access: { roles: HOME }, params: householdParams, body: privacyBody, answer: json<PrivacyState>('PrivacyState'),
    },
    'household.bindDevice': {
      method: 'POST', path: '/households/:householdId/devices', summary: "Bind (or re-bind) a home device and issue its token; the previous token stops working",
      access: { roles: MANAGERS }, params: householdParams, body: bindDeviceSchema, answer: json<{ device: Device; token: string }>('{ device: Device; token: string }'),
    },
    'household.revokeDevice': {
      method: 'POST', path: '/households/:householdId/devices/:deviceId/revoke', summary: 'Revoke a lost or stolen device: every token it holds stops working, its connections close on every node',
      access: { roles: MANAGERS }, params: deviceParams, answer: json<Device>('Device'),
    },
    'household.addCamera': {
      method: 'POST', path: '/households/:householdId/cameras', summary: 'Register an RTSP camera for look-in (the URL never leaves the server)',
      access: { roles: MANAGERS }, params: householdParams, body: addCameraSchema, answer: json<HouseholdCamera>('HouseholdCamera'),
    },
    'household.removeCamera': {
      method: 'DELETE', path: '/households/:householdId/cameras/:cameraId', summary: 'Remove an IP camera; a look-in showing it ends',
      access: { roles: MANAGERS }, params: cameraParams, answer: json<Nothing>('{}'),
    },
    'household.linkFamily': {
      method: 'POST', path: '/households/:householdId/family', summary: 'Link a family member (created when new) with a permission level',
      access: { roles: MANAGERS }, params: householdParams, body: linkFamilySchema, answer: json<HouseholdView['family'][number]>("HouseholdView['family'][number]"),
    },
    'household.unlinkFamily': {
      method: 'DELETE', path: '/households/:householdId/family/:memberId', summary: "Take a family member out of the household: their calls and look-ins here end at once, their tokens for it stop working",
      access: { roles: MANAGERS }, params: memberParams, answer: json<Nothing>('{}'),
    },
    'household.counsellors': {
      method: 'GET', path: '/counsellors', summary: 'Every counsellor (administrators: whom to assign)',
      access: { roles: ['admin'] }, answer: json<Counsellor[]>('Counsellor[]'),
    },
    'household.unassignCounsellor': {
      method: 'DELETE', path: '/households/:householdId/counsellors/:counsellorId', summary: 'The counsellor no longer looks after the household (administrators)',
      access: { roles: ['admin'] }, params: counsellorParams, answer: json<Nothing>('{}'),
    },
    'household.assignCounsellor': {
      method: 'POST', path: '/households/:householdId/counsellors', summary: 'Assign a counsellor to the household (administrators)',
      access: { roles: ['admin'] }, params: householdParams, body: assignCounsellorBody, answer: json<Nothing>('{}'),
    },

    // ---- calls
    'household.startCall': {
      method: 'POST', path: '/households/:householdId/calls', summary: "Call home: rings the devices, or is live at once where the household chose auto-answer; 503 when the device is offline (listed as missed)",
      access: { roles: ['family', 'counsellor'] }, params: householdParams, body: startCallSchema, answer: json<CallTicket>('{ call: Call } & RoomTicket'),
    },
    'household.raiseSos': {
      method: 'POST', path: '/households/:householdId/sos', summary: "求助 for a home with only an IP camera (no device to press): the same ladder as the device's SOS rings everyone else, and the home's camera joins the call unless privacy is on; 409 while the home device is on (it has its own button)",
      access: { roles: ['family', 'counsellor'] }, params: householdParams, answer: json<CallTicket>('{ call: Call } & RoomTicket'),
    },
    'household.missedCalls': {
      method: 'GET', path: '/households/:householdId/missed-calls', summary: 'Calls nobody answered, newest first',
      access: { roles: CARE_VIEWERS }, params: householdParams, query: limitQuery, answer: json<Call[]>('Call[]'),
    },
    'household.answerCall': {
      method: 'POST', path: '/calls/:callId/answer', summary: "Answer: the device's button for calls to home; a callee's for calls from home and SOS (first answer wins)",
      access: { roles: [...DEVICES, ...CALLEES] }, params: callParams, answer: json<CallTicket>('{ call: Call } & RoomTicket'),
    },
    'household.declineCall': {
      method: 'POST', path: '/calls/:callId/decline', summary: 'Decline a ringing call (the device; or one callee of a call from home — an SOS then rings its next step)',
      access: { roles: [...DEVICES, ...CALLEES] }, params: callParams, answer: json<Call>('Call'),
    },
    'household.joinCall': {
      method: 'POST', path: '/calls/:callId/join', summary: "Join the household's open call: another family member, or anyone a call from home rang (also how a call page renews its room token: a room token is taken for its own call only)",
      access: { roles: CALLEES, roomTokens: true }, params: callParams, answer: json<CallTicket>('{ call: Call } & RoomTicket'),
    },
    'household.endCall': {
      method: 'POST', path: '/calls/:callId/end', summary: 'Hang up for everyone (the caller, whoever answered, a device of the household)',
      access: { roles: ['family', 'counsellor', 'grid-worker', 'home-device'] }, params: callParams, answer: json<Call>('Call'),
    },
    'household.myCalls': {
      method: 'GET', path: '/my/calls', summary: 'Calls from home that rang me: ringing now, answered, missed — newest first',
      access: { roles: CALLEES }, query: limitQuery, answer: json<Call[]>('Call[]'),
    },
    'household.callTimeline': {
      method: 'GET', path: '/calls/:callId/timeline', summary: 'Every step of a call: who was rung, escalations, who answered or declined, when (the SOS log)',
      access: { roles: [...CARE_VIEWERS, 'grid-worker'] }, params: callParams, answer: json<{ call: Call; events: CallEvent[] }>('{ call: Call; events: CallEvent[] }'),
    },

    // ---- look-in
    'household.startLookIn': {
      method: 'POST', path: '/households/:householdId/look-ins', summary: 'A view-only look at home, refused (and logged) in privacy mode or schedule, when not allowed, or with the device offline',
      access: { roles: ['family'] }, params: householdParams, body: startLookInSchema, answer: json<{ lookIn: LookIn } & RoomTicket>('{ lookIn: LookIn } & RoomTicket'),
    },
    'household.endLookIn': {
      method: 'POST', path: '/look-ins/:lookInId/end', summary: 'End a look-in (the viewer, the home)',
      access: { roles: HOME }, params: lookInParams, answer: json<LookIn>('LookIn'),
    },
    'household.accessLog': {
      method: 'GET', path: '/households/:householdId/access-log', summary: 'Every look-in granted or refused, newest first, with what was watched and for how long',
      access: { roles: HOME }, params: householdParams, query: limitQuery, answer: json<AccessLogEntry[]>('AccessLogEntry[]'),
    },
    'household.consents': {
      method: 'GET', path: '/households/:householdId/consents', summary: 'The consent record: who agreed that whom may look in on which camera, when (oldest first)',
      access: { roles: HOME }, params: householdParams, answer: json<ConsentRecord[]>('ConsentRecord[]'),
    },
    'household.changeConsent': {
      method: 'POST', path: '/households/:householdId/consents', summary: "Grant or withdraw a family member's look-in on a camera; withdrawing ends their open look-ins at once",
      access: { roles: HOME }, params: householdParams, body: consentChangeSchema, answer: json<ConsentRecord[]>('ConsentRecord[]'),
    },
    'household.setMasks': {
      method: 'PUT', path: '/devices/:deviceId/masks', summary: "Privacy masks: rectangles of the device's picture it blacks out before sending (the device, or a manager)",
      access: { roles: HOME }, params: maskDeviceParams, body: privacyMasksSchema, answer: json<Device>('Device'),
    },

    // ---- home devices
    'household.deviceHeartbeat': {
      method: 'POST', path: '/device/heartbeat', summary: "The device's heartbeat (every 15 s); answers its state",
      access: { roles: DEVICES }, answer: json<DeviceState>('DeviceState'),
    },
    'household.deviceState': {
      method: 'GET', path: '/device/state', summary: 'What the kiosk needs to (re)draw itself: household, privacy, open calls and look-ins, notices',
      access: { roles: DEVICES }, answer: json<DeviceState>('DeviceState'),
    },
    'household.callOut': {
      method: 'POST', path: '/device/calls', summary: 'The home calls a family member or one of its counsellors (their page rings); 409 while the home is in a call',
      access: { roles: DEVICES }, body: callOutSchema, answer: json<CallTicket>('{ call: Call } & RoomTicket'),
    },
    'household.sos': {
      method: 'POST', path: '/device/sos', summary: '求助: rings the family and the counsellors at once, then the village contact; always accepted',
      access: { roles: DEVICES }, answer: json<CallTicket>('{ call: Call } & RoomTicket'),
    },
    'household.reportActivity': {
      method: 'POST', path: '/device/activity', summary: "Activity levels per minute from the device's own camera (measured in the page; no picture is sent)",
      access: { roles: DEVICES }, body: activityReportSchema, answer: json<{ recorded: number }>('{ recorded: number }'),
    },
    'household.readNotice': {
      method: 'POST', path: '/device/notices/:noticeId/read', summary: 'The resident read a notice: its sender sees the receipt',
      access: { roles: DEVICES }, params: noticeParams, answer: json<{ readAt: string }>('{ readAt: string }'),
    },
    'household.deviceRoomToken': {
      method: 'POST', path: '/device/room-token', summary: 'A room token for the device: to join an auto-answered call or publish into a look-in (camera only while privacy is off)',
      access: { roles: DEVICES }, body: deviceRoomTokenBody, answer: json<RoomTicket>('RoomTicket'),
    },

    // ---- counsellors
    'household.notices': {
      method: 'GET', path: '/households/:householdId/notices', summary: 'Notices shown to the household',
      access: { roles: CARE_VIEWERS }, params: householdParams, answer: json<Notice[]>('Notice[]'),
    },
    'household.sendNotice': {
      method: 'POST', path: '/notices', summary: 'A notice to one assigned household, or to every household of a region the counsellor covers',
      access: { roles: COUNSELLORS }, body: sendNoticeSchema, answer: json<{ notice: Notice; householdIds: string[] }>('{ notice: Notice; householdIds: string[] }'),
    },
    'household.scheduleCheckIn': {
      method: 'POST', path: '/households/:householdId/check-ins', summary: 'A weekly check-in call schedule for an assigned household',
      access: { roles: COUNSELLORS }, params: householdParams, body: newCheckInSchema, answer: json<CheckInSchedule>('CheckInSchedule'),
    },
    'household.checkIns': {
      method: 'GET', path: '/check-ins', summary: "The counsellor's check-in schedules, next due first",
      access: { roles: ['counsellor'] }, answer: json<CheckInSchedule[]>('CheckInSchedule[]'),
    },
    'household.alerts': {
      method: 'GET', path: '/alerts', summary: 'Alerts of the assigned households (offline, no activity, SOS): open or not yet acknowledged (`?all=1`: every one)',
      access: { roles: COUNSELLORS }, query: alertsQuery, answer: json<HouseholdAlert[]>('HouseholdAlert[]'),
    },
    'household.acknowledgeAlert': {
      method: 'POST', path: '/alerts/:alertId/ack', summary: 'Acknowledge an alert',
      access: { roles: COUNSELLORS }, params: alertParams, answer: json<HouseholdAlert>('HouseholdAlert'),
    },
    'household.dueCheckIns': {
      method: 'GET', path: '/check-ins/due', summary: 'Check-ins that fell due without a visit record: due, or overdue a day after',
      access: { roles: ['counsellor'] }, answer: json<CheckInDue[]>('CheckInDue[]'),
    },
    'household.recordVisit': {
      method: 'POST', path: '/households/:householdId/visits', summary: 'The visit record after a check-in: mood, concerns, follow-up',
      access: { roles: ['counsellor'] }, params: householdParams, body: newVisitSchema, answer: json<Visit>('Visit'),
    },
    'household.history': {
      method: 'GET', path: '/households/:householdId/history', summary: "A household's visits, calls and alerts, newest first",
      access: { roles: COUNSELLORS }, params: householdParams, answer: json<HouseholdHistory>('HouseholdHistory'),
    },
    'household.sentNotices': {
      method: 'GET', path: '/notices/sent', summary: 'The notices I sent, with read receipts per household',
      access: { roles: ['counsellor'] }, query: limitQuery, answer: json<NoticeReceipts[]>('NoticeReceipts[]'),
    },
    'household.noticeReceipts': {
      method: 'GET', path: '/notices/:noticeId/receipts', summary: "A notice's read receipts (its sender)",
      access: { roles: COUNSELLORS }, params: noticeParams, answer: json<NoticeReceipts>('NoticeReceipts'),
    },
    'household.addVillageContact': {
      method: 'POST', path: '/village-contacts', summary: 'Register a 村委会 / 网格员 contact an SOS escalates to (administrators)',
      access: { roles: ['admin'] }, body: villageContactSchema, answer: json<VillageContact>('VillageContact'),
    },
  },
});
