// 视频接访 over HTTP: every endpoint of /api/petition, with what clients may send. Strict objects
// with bounded strings: unknown keys and oversize values are refused before any domain code runs.
// Served by server/petition/routes.ts; who may act on which case is the service's decision, the
// roles here are the first gate.
import { z } from 'zod';
import { area, json, raw } from './contract.ts';
import {
  ACCEPTANCE_DECISIONS,
  RATINGS,
  type Approval,
  type Attachment,
  type Callback,
  type CaseDocumentWithHtml,
  type CaseLife,
  type CaseLookup,
  type CaseStatus,
  type CoordinatorWorkList,
  type HeadWorkList,
  type OfficialWorkList,
  type Stats,
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
  /** Booked from the start screen's 领导接访日 list: registered and booked at once, not queued. */
  booking: z.strictObject({ dayId: z.string().min(1).max(64).regex(/^[\w:.\-]+$/), slot: z.number().int().min(0).max(47) }).optional(),
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
/** `accepted` also makes the 受理告知 decision of a case at intake (its notice is issued with it). */
export const opinionSchema = z.strictObject({ opinion: text(5000), accepted: z.boolean().optional() });
export const extendSchema = z.strictObject({ reason: text(500), days: z.number().int().min(1).max(30).optional() });
export const acceptanceSchema = z.strictObject({ decision: z.enum(ACCEPTANCE_DECISIONS), body: text(100).optional(), reason: text(2000) });
export const handlerSchema = z.strictObject({ officialId: idSchema });
export const coHandlerSchema = z.strictObject({ departmentId: idSchema });
export const noteSchema = z.strictObject({ text: text(2000) });
/** A photo or scan, base64: at most 4 MiB of bytes. */
export const attachmentSchema = z.strictObject({
  name: text(120),
  mime: z.enum(['image/jpeg', 'image/png', 'application/pdf']),
  base64: z.string().min(4).max(5_600_000).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64'),
});
export const replySchema = z.strictObject({ text: text(5000) });
export const decisionSchema = z.strictObject({ approve: z.boolean(), note: text(500).optional() });
export const queryCodeSchema = z.string().regex(/^\d{6}$/, 'six digits');
export const lookupSchema = z.strictObject({ caseId: caseIdSchema, code: queryCodeSchema });
export const lookupRateSchema = z.strictObject({ caseId: caseIdSchema, code: queryCodeSchema, rating: z.enum(RATINGS) });
export const lookupDocumentSchema = z.strictObject({ caseId: caseIdSchema, code: queryCodeSchema, documentId: idSchema });
export const callBackSchema = z.strictObject({ channel: z.enum(['video', 'phone']), note: text(500).optional() });
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/, 'YYYY-MM-DD or an ISO instant');
export const statsQuery = z.strictObject({ from: isoDate, to: isoDate, departmentId: idSchema.optional() });
export const receptionDaySchema = z.strictObject({
  officialId: idSchema,
  post: text(40),
  portfolio: text(100),
  place: text(100),
  startsAt: z.string().datetime(),
  slotMinutes: z.number().int().min(10).max(120),
  slots: z.number().int().min(1).max(48),
  capacityPerSlot: z.number().int().min(1).max(20),
});
export type ReceptionDayInput = z.output<typeof receptionDaySchema>;
export const rateSchema = z.strictObject({ rating: z.enum(RATINGS) });
/** Why a waiting case is withdrawn: the petitioner said 不等了, or nobody answered 还在吗? at the terminal. */
export const withdrawSchema = z.strictObject({ why: z.enum(['petitioner', 'idle']) });
export const appointmentSchema = z.strictObject({ dayId: idSchema, slot: z.number().int().min(0).max(47) });
export const presenceSchema = z.strictObject({ status: presenceStatusSchema });
export const emptySchema = z.strictObject({});

const caseParams = z.strictObject({ caseId: caseIdSchema });
const ticketParams = z.strictObject({ ticketId: idSchema });
const approvalParams = z.strictObject({ approvalId: idSchema });
const documentParams = z.strictObject({ documentId: idSchema });
const attachmentParams = z.strictObject({ attachmentId: idSchema });
const callbackParams = z.strictObject({ callbackId: idSchema });
const dayParams = z.strictObject({ dayId: idSchema });

// No administrator role reads petition content (三员分立: the system administrator keeps the
// directory and the routing rules through /api/admin, nothing of the cases themselves).
const PARTIES = ['petitioner', 'terminal', 'official', 'head', 'coordinator'] as const;
const HANDLERS = ['official', 'head'] as const;
const HEADS = ['head'] as const;
const CASE_STAFF = ['official', 'head', 'coordinator'] as const;
const PETITIONER_SIDE = ['petitioner', 'terminal'] as const;
const OFFICIALS = ['official'] as const;
const SUPERVISORS = ['coordinator'] as const;
const STAFF = ['official', 'coordinator'] as const;
const PETITIONER_OR_SUPERVISOR = ['petitioner', 'terminal', 'coordinator'] as const;
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
      access: { roles: PARTIES, roomTokens: true }, params: caseParams, body: emptySchema, answer: json<RoomAccess>('RoomAccess'),
    },
    'petition.rate': {
      method: 'POST', path: '/cases/:caseId/rate', summary: 'The petitioner rates the handling (满意度评价)',
      access: { roles: PETITIONER_SIDE }, params: caseParams, body: rateSchema, answer: json<Case>('Case'),
    },
    'petition.bookAppointment': {
      method: 'POST', path: '/cases/:caseId/appointment', summary: 'Leave the queue for a slot of a leader reception day (领导接访日)',
      access: { roles: PETITIONER_OR_SUPERVISOR }, params: caseParams, body: appointmentSchema, answer: json<Case>('Case'),
    },
    'petition.withdraw': {
      method: 'POST', path: '/cases/:caseId/withdraw', summary: 'The petitioner stops waiting (不等了): the case leaves the queue and is closed as withdrawn',
      access: { roles: PETITIONER_OR_SUPERVISOR }, params: caseParams, body: withdrawSchema, answer: json<Case>('Case'),
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
      method: 'POST', path: '/cases/:caseId/extend', summary: "Ask the department head to extend the handling deadline once (≤ 30 days, default 30) with the written reason",
      access: { roles: OFFICIALS }, params: caseParams, body: extendSchema, answer: json<Case>('Case'),
    },
    'petition.endSession': {
      method: 'POST', path: '/cases/:caseId/end', summary: 'End the session: its room closes for everyone and the recording is sealed',
      access: { roles: STAFF }, params: caseParams, body: emptySchema, answer: json<Case>('Case'),
    },
    'petition.archive': {
      method: 'POST', path: '/cases/:caseId/archive', summary: '归档: seal the case file of a closed case (documents, attachments, recordings, with its hash)',
      access: { roles: CASE_STAFF }, params: caseParams, body: emptySchema, answer: json<Case>('Case'),
    },

    // ---- the case life after the call (docs/case-life.md)
    'petition.life': {
      method: 'GET', path: '/cases/:caseId/life', summary: 'The case with its clocks, handlers, approvals, documents, attachments, call-backs and next step',
      access: { roles: PARTIES }, params: caseParams, answer: json<CaseLife>('CaseLife'),
    },
    'petition.notifyAcceptance': {
      method: 'POST', path: '/cases/:caseId/acceptance', summary: '受理告知: accept, not accept, or not within scope (naming the body); issues the 受理告知书',
      access: { roles: OFFICIALS }, params: caseParams, body: acceptanceSchema, answer: json<Case>('Case'),
    },
    'petition.assignHandler': {
      method: 'POST', path: '/cases/:caseId/handler', summary: "The head assigns the case to an official of the department",
      access: { roles: HEADS }, params: caseParams, body: handlerSchema, answer: json<Case>('Case'),
    },
    'petition.addCoHandler': {
      method: 'POST', path: '/cases/:caseId/co-handlers', summary: 'The handler adds an office to the joint handling (the handler\'s office stays lead)',
      access: { roles: OFFICIALS }, params: caseParams, body: coHandlerSchema, answer: json<Case>('Case'),
    },
    'petition.addNote': {
      method: 'POST', path: '/cases/:caseId/notes', summary: 'An interim note on the case (offices handling it, their heads)',
      access: { roles: HANDLERS }, params: caseParams, body: noteSchema, answer: json<Case>('Case'),
    },
    'petition.addAttachment': {
      method: 'POST', path: '/cases/:caseId/attachments', summary: 'A photo or scan (JPEG, PNG, PDF ≤ 4 MiB, base64), stored with its SHA-256',
      access: { roles: HANDLERS }, params: caseParams, body: attachmentSchema, bodyLimit: '6mb', answer: json<Attachment>('Attachment'),
    },
    'petition.attachment': {
      method: 'GET', path: '/attachments/:attachmentId', summary: "An attachment's bytes (who may see its case)",
      access: { roles: CASE_STAFF }, params: attachmentParams, answer: raw('the stored bytes, with their type'),
    },
    'petition.pauseClock': {
      method: 'POST', path: '/cases/:caseId/pause', summary: "Stop the office's running clock (a hearing, an appraisal: time that does not count)",
      access: { roles: OFFICIALS }, params: caseParams, body: reasonSchema, answer: json<Case>('Case'),
    },
    'petition.resumeClock': {
      method: 'POST', path: '/cases/:caseId/resume', summary: 'Run the paused clock again; the paused days are added to its due date',
      access: { roles: OFFICIALS }, params: caseParams, body: emptySchema, answer: json<Case>('Case'),
    },
    'petition.submitReply': {
      method: 'POST', path: '/cases/:caseId/reply', summary: 'The handler submits the written answer of this round (处理/复查/复核意见) for the head to sign off',
      access: { roles: OFFICIALS }, params: caseParams, body: replySchema, answer: json<Approval>('Approval'),
    },
    'petition.decideApproval': {
      method: 'POST', path: '/approvals/:approvalId/decision', summary: 'The head (never the requester) approves or rejects an extension or a reply; an approved reply is issued',
      access: { roles: HEADS }, params: approvalParams, body: decisionSchema, answer: json<Case>('Case'),
    },
    'petition.closeCase': {
      method: 'POST', path: '/cases/:caseId/close', summary: '办结: once the answer stands (its review window passed, or after 复核)',
      access: { roles: CASE_STAFF }, params: caseParams, body: emptySchema, answer: json<Case>('Case'),
    },
    'petition.document': {
      method: 'GET', path: '/documents/:documentId', summary: 'An issued document: its printable HTML exactly as issued, and its SHA-256',
      access: { roles: CASE_STAFF }, params: documentParams, answer: json<CaseDocumentWithHtml>('CaseDocumentWithHtml'),
    },
    'petition.workList': {
      method: 'GET', path: '/work', summary: "The official's cases by next deadline, and the office's call-backs",
      access: { roles: OFFICIALS }, answer: json<OfficialWorkList>('OfficialWorkList'),
    },
    'petition.headWork': {
      method: 'GET', path: '/head/work', summary: "The head's approvals waiting, and the department's cases near or over a deadline",
      access: { roles: HEADS }, answer: json<HeadWorkList>('HeadWorkList'),
    },
    'petition.coordinatorWork': {
      method: 'GET', path: '/coordinator/work', summary: 'Every office: cases over a deadline, escalations and reviews not yet taken up, missed call-backs',
      access: { roles: SUPERVISORS }, answer: json<CoordinatorWorkList>('CoordinatorWorkList'),
    },
    'petition.stats': {
      method: 'GET', path: '/stats', summary: "Statistics of the cases registered in [from, to): the coordinator's for any office, an official's or head's for their own",
      access: { roles: CASE_STAFF }, query: statsQuery, answer: json<Stats>('Stats'),
    },
    'petition.callBack': {
      method: 'POST', path: '/callbacks/:callbackId/call', summary: 'Call back: by video (the terminal point rings) or by phone (noted by hand)',
      access: { roles: OFFICIALS }, params: callbackParams, body: callBackSchema, answer: json<{ callback: Callback; assignment: Assignment | null }>('{ callback: Callback; assignment: Assignment | null }'),
    },
    'petition.answerCallback': {
      method: 'POST', path: '/callbacks/:callbackId/answer', summary: 'The ringing terminal point answers the video call-back: a token for the room',
      access: { roles: PETITIONER_SIDE }, params: callbackParams, body: emptySchema, answer: json<RoomAccess>('RoomAccess'),
    },

    // ---- any terminal, by case number + query code (a wrong code answers 404 like an unknown case)
    'petition.lookup': {
      method: 'POST', path: '/lookup', summary: 'Look a case up by its number and query code: status, next step, deadline, the answer',
      access: { roles: PETITIONER_SIDE }, body: lookupSchema, answer: json<CaseLookup>('CaseLookup'),
    },
    'petition.lookupRate': {
      method: 'POST', path: '/lookup/rate', summary: 'Rate the result (the latest written answer)',
      access: { roles: PETITIONER_SIDE }, body: lookupRateSchema, answer: json<CaseLookup>('CaseLookup'),
    },
    'petition.lookupReview': {
      method: 'POST', path: '/lookup/review', summary: 'Ask for 复查 (or 复核) within 30 days: the level above receives the petitioner at this terminal',
      access: { roles: PETITIONER_SIDE }, body: lookupSchema, answer: json<StartedPetition>('StartedPetition'),
    },
    'petition.lookupCallback': {
      method: 'POST', path: '/lookup/callback', summary: 'Ask the office handling the case to call this terminal point back',
      access: { roles: PETITIONER_SIDE }, body: lookupSchema, answer: json<Callback>('Callback'),
    },
    'petition.lookupDocument': {
      method: 'POST', path: '/lookup/document', summary: 'One of the case’s issued documents, to read and print at the terminal',
      access: { roles: PETITIONER_SIDE }, body: lookupDocumentSchema, answer: json<CaseDocumentWithHtml>('CaseDocumentWithHtml'),
    },

    // ---- a petitioner's phone, no sign-in: the page a receipt's QR code opens (same code check and lock)
    'petition.caseStatus': {
      method: 'POST', path: '/status', summary: 'A case’s state in words, its deadlines and the written answer, by number and query code (public; five wrong codes lock the case’s lookups for 15 minutes)',
      access: 'public', body: lookupSchema, answer: json<CaseStatus>('CaseStatus'),
    },

    // ---- 领导接访日, published from the administration
    'petition.saveReceptionDay': {
      method: 'PUT', path: '/reception-days/:dayId', summary: 'Publish or change a leader reception day (administration)',
      access: { roles: SUPERVISORS }, params: dayParams, body: receptionDaySchema, answer: json<ReceptionDayWithBookings>('ReceptionDayWithBookings'),
    },
    'petition.removeReceptionDay': {
      method: 'DELETE', path: '/reception-days/:dayId', summary: 'Withdraw a reception day nobody has booked',
      access: { roles: SUPERVISORS }, params: dayParams, answer: json<{ removed: boolean }>('{ removed: boolean }'),
    },
    'petition.departments': {
      method: 'GET', path: '/departments', summary: 'The offices cases can be invited, transferred or escalated to',
      access: { roles: CASE_STAFF }, answer: json<Department[]>('Department[]'),
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
      method: 'PUT', path: '/routing-rules', summary: 'Replace the routing rules on every node (validated whole; stored as a new revision; audited as a configuration change)',
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
