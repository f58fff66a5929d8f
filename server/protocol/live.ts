// The live channel (socket.io namespace `/live`): server pushes of domain events — queue
// changes, wait updates, ringing calls, notices, alerts — to the people they concern. Petition
// pushes carry ids and small summaries (clients fetch details over HTTP with their own token, so
// authorization stays in one place); household pushes carry the call, look-in, notice or alert
// itself. One discriminated union, shared by the server and the web client.
import { z } from 'zod';
import type { Role } from './claims.ts';

/**
 * Whom a push is for: role and subject together. Each connection joins the user room of its own
 * token's `role:sub`, so a device, a family member and an official that happen to share an id
 * never hear each other's pushes.
 */
export type SubjectKey = `${Role}:${string}`;
export const subjectKey = (role: Role, sub: string): SubjectKey => `${role}:${sub}`;

import type {
  Call,
  CallEndReason,
  CheckInSchedule,
  HouseholdAlert,
  HouseholdSettings,
  MaskRect,
  LookIn,
  LookInEndReason,
  Notice,
  PrivacyState,
} from './http/household-shapes.ts';
import type { CallbackRinging, CaseState, TicketKind, WaitInfo } from './http/petition-shapes.ts';
import type { Matter, PartyKind } from './http/property-shapes.ts';
import type { RevocationReason } from './claims.ts';

/** What each household push tells its recipients (devices, family members, counsellors). */
export interface HouseholdPushes {
  /** Devices ring loudly with one answer button; the caller hears ringback. */
  'call:ringing': { call: Call };
  /** The call is live (answered by the device or a callee, or at once by auto-answer): devices join `call.roomId`; other callees stop ringing. */
  'call:answered': { call: Call };
  /** A call from home changed while ringing (an SOS rang its next step): redraw who is being rung. */
  'call:updated': { call: Call };
  /** The call is over or never connected; devices stop ringing / leave; the SFU closes the room. */
  'call:ended': { call: Call; reason: CallEndReason };
  /** Someone is looking in: devices chime, show the live indicator and publish into `lookIn.roomId`. */
  'lookin:started': { lookIn: LookIn; viewerName: string };
  /** Look-in over: devices stop sending and hide the indicator; the SFU closes the room (removes viewers). */
  'lookin:ended': { lookIn: LookIn; reason: LookInEndReason };
  /** Privacy changed: while active, devices must stop sending camera (calls continue audio-only). */
  'privacy:changed': { householdId: string; privacy: PrivacyState };
  /** Settings changed (auto-answer, look-in allowed, schedule); devices and family apps refresh. */
  'settings:changed': { householdId: string; settings: HouseholdSettings };
  /** A notice to show on the devices' idle screen. */
  notice: { notice: Notice; householdIds: string[] };
  /** An alert: a device silent too long (counsellors), no activity or an SOS (counsellors and family). */
  'alert:raised': { alert: HouseholdAlert };
  /** It resolved by itself: the device is back, activity again, the SOS was answered. */
  'alert:resolved': { alert: HouseholdAlert };
  /** A household's device read a notice (to its sender: the read receipt). */
  'notice:read': { noticeId: string; householdId: string; readAt: string };
  /** Consent changed (granted or withdrawn): devices and family redraw who may look in. */
  'consent:changed': { householdId: string };
  /** A device's privacy masks changed: that device blacks out the new rectangles from now on. */
  'masks:changed': { householdId: string; deviceId: string; masks: MaskRect[] };
  /** A scheduled check-in call is due now. */
  'checkin:due': { schedule: CheckInSchedule; dueAt: string };
}
export type HouseholdPushType = keyof HouseholdPushes;

/** `household:event`'s body: `type` names the push and types its `payload`. */
export type HouseholdPush = { [K in HouseholdPushType]: { type: K; payload: HouseholdPushes[K] } }[HouseholdPushType];

export interface LiveEvents {
  /** Queues of these departments changed: refresh the desk's queue / the overview. */
  'petition:queue-changed': { departmentIds: string[] };
  /** A waiting petitioner's fresh position and estimate (to the watchers of the case). */
  'petition:wait': WaitInfo;
  /**
   * The same without the offer, which is as in this case's last `petition:wait`: merged into the
   * wait shown. Most pushes after a claim are only a new place; the offered slots are most of a
   * wait's bytes.
   */
  'petition:place': WaitPlace;
  /** Terminal offline alerts raised (gone for OFFLINE_ALERT_SECONDS) or cleared (back): coordinators re-read the terminals. */
  'petition:terminals-changed': { raised: string[]; cleared: string[] };
  /** A case changed state (watchers of the case and its parties). */
  'petition:case-changed': { caseId: string; state: CaseState };
  /** An official calls this terminal point back by video: ring, with the case on screen. */
  'petition:ringing': CallbackRinging;
  /** Work lists of these offices changed (approvals, deadlines, call-backs). */
  'petition:work-changed': { departmentIds: string[] };
  /** Today a booked leader reception slot of this terminal point begins. */
  'petition:reminder': { caseId: string; at: string; leaderName: string; place: string };
  /** A ticket was assigned to this official (a case or an invitation to join one). */
  'petition:assigned': { caseId: string; ticketId: string; kind: TicketKind };
  /** Household pushes, to the devices / family members / counsellors concerned. */
  'household:event': HouseholdPush;
  /** 红色物业: a matter changed (to its parties); `invited`: that party was just invited — ring its page. */
  'property:matter': { matter: Matter; invited?: PartyKind };
  /**
   * This connection's token was revoked (device bound again or revoked, family link removed,
   * account disabled): the server closes the connection next; the token is refused from now on.
   */
  'access:revoked': { reason: RevocationReason };
  /**
   * Sent on every connection: the build of the pages this node serves. A page that saw another
   * build on an earlier connection is stale (the node was upgraded under it) and reloads when idle.
   */
  'app:version': { build: string };
}
export type LiveEventName = keyof LiveEvents;

/** `petition:place`: a wait but its offer. */
export type WaitPlace = Omit<WaitInfo, 'offer'>;

/** Every push as one union, for code that handles them in one switch over `event`. */
export type LivePush = { [E in LiveEventName]: { event: E; payload: LiveEvents[E] } }[LiveEventName];

export type LiveServerToClient = { [E in LiveEventName]: (payload: LiveEvents[E]) => void };

export const liveRequestSchemas = {
  /** Follow one case's changes; allowed when the caller may read the case. */
  watchCase: z.strictObject({ caseId: z.string().min(1).max(64) }),
  unwatchCase: z.strictObject({ caseId: z.string().min(1).max(64) }),
} as const;
export type LiveRequestName = keyof typeof liveRequestSchemas;
