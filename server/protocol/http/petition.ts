// 视频接访 over HTTP: every endpoint of /api/petition, with what clients may send. Strict objects
// with bounded strings: unknown keys and oversize values are refused before any domain code runs.
// Served by server/petition/routes.ts; who may act on which case is the service's decision, the
// roles here are the first gate.
import { z } from 'zod';
import { area, json } from './contract.ts';
import {
  RATINGS,
  presenceStatusSchema,
  routingRulesSchema,
  type Assignment,
  type Case,
  type Department,
  type DepartmentQueue,
  type Desk,
  type LiveSession,
  type Offer,
  type OverdueCase,
  type ReceptionDayWithBookings,
  type RoomAccess,
  type RoutingRules,
  type StartedPetition,
  type TerminalGroup,
  type Ticket,
  type TimelineEvent,
  type WaitInfo,
} from './petition-shapes.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
export const idSchema = z.string().min(1).max(64).regex(/^[\w:.\-]+$/, 'letters, digits, _ : . - only');
export const caseIdSchema = z.string().regex(/^XF\d{8}-\d{6}$/, 'case number like XF20261126-000042');

export const startPetitionSchema = z.strictObject({
  terminalId: idSchema,
  category: z.string().min(1).max(32),
  /** All optional: a petitioner starts with one tap; a helper (代办员) may fill these in. */
  petitionerName: text(50).optional(),
  idNumber: z.string().trim().max(18).optional(),
  phone: z.string().trim().regex(/^1\d{10}$|^0\d{2,3}-?\d{7,8}$/, 'mobile or landline number').optional(),
  description: text(2000).optional(),
  flags: z
    .strictObject({ elderly: z.boolean().optional(), urgent: z.boolean().optional(), disabled: z.boolean().optional() })
    .optional(),
});
export type StartPetitionInput = z.output<typeof startPetitionSchema>;

export const claimSchema = z.strictObject({
  /** A client-chosen id per claim attempt; the same id twice is refused as a replay. */
  requestId: z.string().min(8).max(64).regex(/^[\w\-]+$/).optional(),
});
export type ClaimInput = z.output<typeof claimSchema>;

export const offerSchema = z.strictObject({ ticketId: idSchema, leaseToken: z.string().regex(/^\d{1,15}$/) });
export type OfferInput = z.output<typeof offerSchema>;

export const inviteSchema = z.union([z.strictObject({ departmentId: idSchema }), z.strictObject({ level: z.literal('up') })]);
export type InviteTarget = z.output<typeof inviteSchema>;

export const transferSchema = z.strictObject({ departmentId: idSchema, reason: text(500) });
export const reasonSchema = z.strictObject({ reason: text(500) });
export const opinionSchema = z.strictObject({ opinion: text(5000), accepted: z.boolean() });
export const rateSchema = z.strictObject({ rating: z.enum(RATINGS) });
export const appointmentSchema = z.strictObject({ dayId: idSchema, slot: z.number().int().min(0).max(47) });
export const presenceSchema = z.strictObject({ status: presenceStatusSchema });
export const emptySchema = z.strictObject({});

const caseParams = z.strictObject({ caseId: caseIdSchema });
const ticketParams = z.strictObject({ ticketId: idSchema });

const PARTIES = ['petitioner', 'terminal', 'official', 'coordinator', 'admin'] as const;
const PETITIONER_SIDE = ['petitioner', 'terminal'] as const;
const OFFICIALS = ['official'] as const;
const SUPERVISORS = ['coordinator', 'admin'] as const;
const STAFF = ['official', 'coordinator', 'admin'] as const;
const PETITIONER_OR_SUPERVISOR = ['petitioner', 'terminal', 'coordinator', 'admin'] as const;
type Nothing = Record<string, never>;

export const petitionArea = area({
  base: '/api/petition',
  title: '视频接访 (petitions)',
  shapes: 'server/protocol/http/petition-shapes.ts',
  notes:
    'Cases are named by their case number (`XF20261126-000042`). The role list is the first gate; ' +
    'whether this petitioner, official or coordinator may act on this case is decided by the service ' +
    '(`forbidden` with `details.reason`: `not_a_party`, `not_lead`, `not_invited`, …). A store out ' +
    'of reach answers 503 `unavailable`.',
  endpoints: {
    // ---- the petitioner side
    'petition.start': {
      method: 'POST', path: '/cases', summary: 'Register a petition at a terminal and queue it; answers the case, the wait and a room token',
      access: { roles: PETITIONER_OR_SUPERVISOR }, body: startPetitionSchema, answer: json<StartedPetition>('StartedPetition'),
    },
    'petition.getCase': {
      method: 'GET', path: '/cases/:caseId', summary: 'The case, for its petitioner, officials who took part, coordinators',
      access: { roles: PARTIES }, params: caseParams, answer: json<Case>('Case'),
    },
    'petition.wait': {
      method: 'GET', path: '/cases/:caseId/wait', summary: 'Queue position, honest wait estimate, and an appointment/call-back offer when waiting makes no sense',
      access: { roles: PARTIES }, params: caseParams, answer: json<WaitInfo>('WaitInfo'),
    },
    'petition.timeline': {
      method: 'GET', path: '/cases/:caseId/timeline', summary: 'The case events, each with the name of who acted',
      access: { roles: PARTIES }, params: caseParams, answer: json<TimelineEvent[]>('TimelineEvent[]'),
    },
    'petition.roomToken': {
      method: 'POST', path: '/cases/:caseId/room-token', summary: 'A token for the session room (petitioner, officials holding a ticket, coordinators watching hidden)',
      access: { roles: PARTIES }, params: caseParams, body: emptySchema, answer: json<RoomAccess>('RoomAccess'),
    },
    'petition.rate': {
      method: 'POST', path: '/cases/:caseId/rate', summary: 'The petitioner rates the handling (满意度评价)',
      access: { roles: PETITIONER_SIDE }, params: caseParams, body: rateSchema, answer: json<Case>('Case'),
    },
    'petition.bookAppointment': {
      method: 'POST', path: '/cases/:caseId/appointment', summary: 'Leave the queue for a slot of a leader reception day (领导接访日)',
      access: { roles: PETITIONER_OR_SUPERVISOR }, params: caseParams, body: appointmentSchema, answer: json<Case>('Case'),
    },
    'petition.requestCallback': {
      method: 'POST', path: '/cases/:caseId/callback', summary: 'Leave the queue and be called back (needs a phone number on the case)',
      access: { roles: PETITIONER_OR_SUPERVISOR }, params: caseParams, body: emptySchema, answer: json<Case>('Case'),
    },

    // ---- the official side
    'petition.heartbeat': {
      method: 'POST', path: '/presence', summary: 'The official is available, busy or away (expires without heartbeats)',
      access: { roles: OFFICIALS }, body: presenceSchema, answer: json<Nothing>('{}'),
    },
    'petition.desk': {
      method: 'GET', path: '/desk', summary: "The official's queues, sessions held now and presence",
      access: { roles: OFFICIALS }, answer: json<Desk>('Desk'),
    },
    'petition.claimNext': {
      method: 'POST', path: '/claims', summary: 'Take the best waiting ticket at once; `null` when nobody waits',
      access: { roles: OFFICIALS }, body: claimSchema, answer: json<Assignment | null>('Assignment | null'),
    },
    'petition.offerNext': {
      method: 'POST', path: '/offers', summary: 'Hold the best waiting ticket for the official to accept within the lease; `null` when nobody waits',
      access: { roles: OFFICIALS }, body: claimSchema, answer: json<Offer | null>('Offer | null'),
    },
    'petition.acceptOffer': {
      method: 'POST', path: '/offers/accept', summary: 'Accept a held offer (`conflict` lease_lost once it went back to the queue)',
      access: { roles: OFFICIALS }, body: offerSchema, answer: json<Assignment>('Assignment'),
    },
    'petition.declineOffer': {
      method: 'POST', path: '/offers/decline', summary: 'Put a held offer back in its place in the queue',
      access: { roles: OFFICIALS }, body: offerSchema, answer: json<{ released: boolean }>('{ released: boolean }'),
    },
    'petition.acceptTicket': {
      method: 'POST', path: '/tickets/:ticketId/accept', summary: "Accept one named ticket of the official's queues (an invitation, say)",
      access: { roles: OFFICIALS }, params: ticketParams, body: claimSchema, answer: json<Assignment>('Assignment'),
    },
    'petition.invite': {
      method: 'POST', path: '/cases/:caseId/invite', summary: 'Invite another department, or the level above, into the session (联合接访)',
      access: { roles: OFFICIALS }, params: caseParams, body: inviteSchema, answer: json<Ticket>('Ticket'),
    },
    'petition.transfer': {
      method: 'POST', path: '/cases/:caseId/transfer', summary: 'Hand the case to another department (转办)',
      access: { roles: STAFF }, params: caseParams, body: transferSchema, answer: json<Case>('Case'),
    },
    'petition.escalate': {
      method: 'POST', path: '/cases/:caseId/escalate', summary: 'Send the case one level up (上报上级)',
      access: { roles: STAFF }, params: caseParams, body: reasonSchema, answer: json<Case>('Case'),
    },
    'petition.writeOpinion': {
      method: 'POST', path: '/cases/:caseId/opinion', summary: 'The lead official writes the handling opinion (办理意见)',
      access: { roles: OFFICIALS }, params: caseParams, body: opinionSchema, answer: json<Case>('Case'),
    },
    'petition.extendDeadline': {
      method: 'POST', path: '/cases/:caseId/extend', summary: 'Extend the handling deadline once by 30 days, with the written reason',
      access: { roles: STAFF }, params: caseParams, body: reasonSchema, answer: json<Case>('Case'),
    },
    'petition.endSession': {
      method: 'POST', path: '/cases/:caseId/end', summary: 'End the session: its room closes for everyone and the recording is sealed',
      access: { roles: STAFF }, params: caseParams, body: emptySchema, answer: json<Case>('Case'),
    },
    'petition.archive': {
      method: 'POST', path: '/cases/:caseId/archive', summary: 'Archive a handled or rated case',
      access: { roles: STAFF }, params: caseParams, body: emptySchema, answer: json<Case>('Case'),
    },
    'petition.departments': {
      method: 'GET', path: '/departments', summary: 'The offices cases can be invited, transferred or escalated to',
      access: { roles: STAFF }, answer: json<Department[]>('Department[]'),
    },

    // ---- the 综治中心 coordinator
    'petition.queues': {
      method: 'GET', path: '/queues', summary: "Every office with someone waiting or online, then leaders' personal queues",
      access: { roles: SUPERVISORS }, answer: json<DepartmentQueue[]>('DepartmentQueue[]'),
    },
    'petition.liveSessions': {
      method: 'GET', path: '/sessions', summary: 'Sessions running now and who is in them',
      access: { roles: SUPERVISORS }, answer: json<LiveSession[]>('LiveSession[]'),
    },
    'petition.terminals': {
      method: 'GET', path: '/terminals', summary: 'Terminals online and offline per county',
      access: { roles: SUPERVISORS }, answer: json<TerminalGroup[]>('TerminalGroup[]'),
    },
    'petition.overdue': {
      method: 'GET', path: '/overdue', summary: 'Open cases past the acceptance or handling deadline',
      access: { roles: SUPERVISORS }, answer: json<OverdueCase[]>('OverdueCase[]'),
    },
    'petition.replaceRoutingRules': {
      method: 'PUT', path: '/routing-rules', summary: 'Replace the routing rules (validated whole; the file is written atomically)',
      access: { roles: SUPERVISORS }, body: routingRulesSchema, answer: json<RoutingRules>('RoutingRules'),
    },

    // ---- everyone signed in
    'petition.receptionDays': {
      method: 'GET', path: '/reception-days', summary: 'Upcoming leader reception days with their bookings per slot',
      access: { roles: 'any' }, answer: json<ReceptionDayWithBookings[]>('ReceptionDayWithBookings[]'),
    },
    'petition.routingRules': {
      method: 'GET', path: '/routing-rules', summary: 'The routing rules in use (the terminal shows their categories)',
      access: { roles: 'any' }, answer: json<RoutingRules>('RoutingRules'),
    },
  },
});
