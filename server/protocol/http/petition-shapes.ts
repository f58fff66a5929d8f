// Shapes of 视频接访 as the HTTP API answers them, shared by the server and the pages (the single
// source: server/petition, server/scheduler and the pages import them from here). Stored shapes
// are what the repository returns; client-sent shapes are the zod schemas in petition.ts.
import { z } from 'zod';

export const LEVELS = ['village', 'township', 'county', 'city'] as const;
export type Level = (typeof LEVELS)[number];

/** Level rank: village 0 … city 3. */
export const levelRank = (l: Level): number => LEVELS.indexOf(l);

export const LEVEL_NAMES: Record<Level, string> = { village: '村', township: '乡', county: '县', city: '市' };

export interface Region {
  code: string;
  name: string;
  level: Level;
  parentCode: string | null;
}

export interface Terminal {
  id: string;
  name: string;
  level: Level;
  regionCode: string;
  parentRegionCode: string | null;
}

/** A department office at one region: 砀山县人社局 is kind `rs` at region 341321. */
export interface Department {
  id: string;
  kind: string;
  name: string;
  level: Level;
  regionCode: string;
}

export interface Official {
  id: string;
  name: string;
  departmentId: string;
  level: Level;
  regionCode: string;
  /** How many sessions this official may hold at once. */
  maxSessions: number;
  /** Leaders hold 领导接访日 reception days. */
  post: string | null;
  /** The department's head (部门负责人): approves extensions, signs replies off. */
  head?: boolean;
}

export const CASE_STATES = [
  'registered',
  'queued',
  'in_session',
  'joint_session',
  'handled',
  'rated',
  'archived',
  'transferred',
  'escalated',
  'appointment',
] as const;
export type CaseState = (typeof CASE_STATES)[number];

export interface PriorityFlags {
  elderly: boolean;
  urgent: boolean;
  disabled: boolean;
}

export interface Appointment {
  kind: 'reception_day' | 'callback';
  dayId: string | null;
  slot: number | null;
  /** Start of the booked slot, or when the call-back was asked for. */
  at: string;
}

export interface Case {
  id: string;
  terminalId: string;
  regionCode: string;
  category: string;
  petitionerName: string | null;
  /** Only ever the masked form, e.g. 341321********123X. */
  idNumberMasked: string | null;
  phone: string | null;
  description: string | null;
  flags: PriorityFlags;
  state: CaseState;
  /** Departments the case is routed to (queued in all; the first claim wins). */
  routedDepartmentIds: string[];
  /** Department of the official leading the session, once claimed. */
  departmentId: string | null;
  officialId: string | null;
  registeredAt: string;
  acceptDeadline: string;
  handleDeadline: string;
  handleExtended: boolean;
  extensionReason: string | null;
  acceptedAt: string | null;
  opinion: string | null;
  opinionAt: string | null;
  rating: Rating | null;
  ratedAt: string | null;
  appointment: Appointment | null;
  updatedAt: string;
  /** Where the matter is in its life (docs/case-life.md); `state` is where the reception is. */
  stage: CaseStage;
  /** The 受理告知 decision, once made. */
  acceptance: AcceptanceDecision | null;
  /** For `not_in_scope`: the body the matter belongs to (named in the notice). */
  acceptanceBody: string | null;
  /** The latest rating of a result (reply, review or re-review answer) by the petitioner. */
  resultRating: Rating | null;
  resultRatedAt: string | null;
}

/** The case life: intake → handling → replied → review → reviewed → re_review → re_reviewed, then closed → archived. */
export const CASE_STAGES = ['intake', 'handling', 'replied', 'review', 'reviewed', 're_review', 're_reviewed', 'closed', 'archived'] as const;
export type CaseStage = (typeof CASE_STAGES)[number];

export const ACCEPTANCE_DECISIONS = ['accepted', 'not_accepted', 'not_in_scope'] as const;
export type AcceptanceDecision = (typeof ACCEPTANCE_DECISIONS)[number];

/** The rounds of written answers: the reply (处理意见书), the review answer (复查意见书), the re-review answer (复核意见书). */
export const REPLY_ROUNDS = ['reply', 'review', 're_review'] as const;
export type ReplyRound = (typeof REPLY_ROUNDS)[number];

// ---- clocks (server/petition/clocks.ts) --------------------------------------------------------

export const CLOCK_KINDS = ['acceptance', 'handling', 'review_window', 'review', 're_review_window', 're_review'] as const;
export type ClockKind = (typeof CLOCK_KINDS)[number];

/** A time limit as stored: started, paused days, one extension, stopped. */
export interface ClockRecord {
  kind: ClockKind;
  startedAt: string;
  days: number;
  extensionDays: number;
  /** Whole days (China dates) the clock stood still, already taken off. */
  pausedDays: number;
  pausedAt: string | null;
  stoppedAt: string | null;
}

/** A clock as the API shows it: its due instant (24:00 China time of the last day) and state. */
export interface ClockView extends ClockRecord {
  state: 'running' | 'paused' | 'stopped';
  /** null while paused. */
  dueAt: string | null;
  /** A window for the petitioner (to ask for 复查/复核), not a limit on the office. */
  window: boolean;
  overdue: boolean;
  /** Once stopped: whether it stopped in time. */
  onTime: boolean | null;
}

export const RATINGS = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const;
export type Rating = (typeof RATINGS)[number];

export type ActorRole = 'petitioner' | 'terminal' | 'official' | 'head' | 'coordinator' | 'system';

export const CASE_EVENT_TYPES = [
  'registered',
  'queued',
  'claimed',
  'claim_released',
  'invited',
  'joined',
  'transferred',
  'escalated',
  'opinion_written',
  'deadline_extended',
  'session_ended',
  'rated',
  'archived',
  'appointment_booked',
  'callback_requested',
  'appointment_admitted',
  'withdrawn',
  // ---- the case life after the call (docs/case-life.md)
  'acceptance_notified',
  'handler_assigned',
  'co_handler_added',
  'note_added',
  'attachment_added',
  'clock_paused',
  'clock_resumed',
  'extension_requested',
  'extension_decided',
  'reply_submitted',
  'reply_decided',
  'reply_issued',
  'result_rated',
  'review_requested',
  'callback_done',
  'callback_missed',
  'appointment_reminded',
  'closed',
  'case_file_sealed',
] as const;
export type CaseEventType = (typeof CASE_EVENT_TYPES)[number];

export interface CaseEvent {
  seq: number;
  caseId: string;
  at: string;
  actorId: string;
  actorRole: ActorRole;
  type: CaseEventType;
  data: Record<string, unknown>;
}

/** A case event as the timeline API shows it: with the actor's name where it is known. */
export type TimelineEvent = CaseEvent & { actorName: string | null };

/** A department or level that took part in a session. */
export interface Participant {
  caseId: string;
  officialId: string;
  departmentId: string;
  role: 'lead' | 'invited';
  joinedAt: string;
}

/** A published 领导接访日 with bookable slots. */
export interface ReceptionDay {
  id: string;
  officialId: string;
  leaderName: string;
  post: string;
  portfolio: string;
  departmentId: string;
  regionCode: string;
  place: string;
  startsAt: string;
  slotMinutes: number;
  slots: number;
  capacityPerSlot: number;
}

// ---- the scheduler's view ---------------------------------------------------------------------

export const TICKET_KINDS = ['case', 'invite', 'transfer', 'escalate', 'appointment', 'review', 'callback'] as const;
export type TicketKind = (typeof TICKET_KINDS)[number];
export type TicketState = 'queued' | 'leased' | 'assigned' | 'done' | 'cancelled';

/** Priority classes, served in this order. */
export const PRIORITY_CLASSES = ['handover', 'appointment', 'priority', 'normal'] as const;
export type PriorityClass = (typeof PRIORITY_CLASSES)[number];

export interface Ticket {
  id: string;
  caseId: string;
  kind: TicketKind;
  departmentIds: string[];
  score: number;
  enqueuedAt: string;
  /** Department that issued an invite/transfer/escalation. */
  fromDepartmentId: string | null;
  state: TicketState;
  officialId: string | null;
  releases: number;
}

export interface QueueEntry {
  ticketId: string;
  score: number;
  caseId: string;
  kind: TicketKind;
  enqueuedAt: string;
  priority: PriorityClass;
}

export const PRESENCE_STATUSES = ['available', 'busy', 'away'] as const;
export const presenceStatusSchema = z.enum(PRESENCE_STATUSES);
export type PresenceStatus = z.infer<typeof presenceStatusSchema>;

// ---- routing rules (the coordinator edits them; terminals show the categories) -----------------

const code = z.string().regex(/^[a-z][a-z0-9_]{1,31}$/, 'lower-case code, 2-32 characters');

export const categoryRuleSchema = z.strictObject({
  code,
  name: z.string().min(1).max(40),
  /** An icon name the terminal shows on the big button. */
  icon: z.string().min(1).max(40),
  /** Department kinds; the case waits in all of them and the first official to claim takes it. */
  departments: z.array(code).min(1).max(4),
  /** Level of the region that handles it; climbs to the next level up where no such office exists. */
  level: z.enum(['township', 'county', 'city']),
});
export type CategoryRule = z.infer<typeof categoryRuleSchema>;

export const routingRulesSchema = z
  .strictObject({
    version: z.number().int().min(1),
    /** Department kind that receives escalations when the case's own kind has no office above. */
    escalationDepartment: code,
    /** When a waiting petitioner is offered an appointment or call-back (overrides the service defaults). */
    waiting: z
      .strictObject({
        /** …after this long with no official of the office present, */
        offerAfterSeconds: z.number().int().min(10).max(86_400),
        /** …or as soon as the estimated wait is longer than this. */
        maxWaitSeconds: z.number().int().min(60).max(86_400),
        /** The terminal asks 还在吗? after its waiting screen is this long untouched (default 300), */
        stillThereAfterSeconds: z.number().int().min(5).max(3_600).optional(),
        /** …and gives the place up (a call-back if the case has a phone number) this long after (default 60). */
        stillThereAnswerSeconds: z.number().int().min(5).max(600).optional(),
        /** A receipt stays this long before the terminal is back at its start screen (default 180). */
        receiptSeconds: z.number().int().min(5).max(3_600).optional(),
      })
      .optional(),
    categories: z.array(categoryRuleSchema).min(1).max(100),
  })
  .superRefine((r, ctx) => {
    const seen = new Set<string>();
    for (const c of r.categories) {
      if (seen.has(c.code)) ctx.addIssue({ code: 'custom', message: `duplicate category ${c.code}`, path: ['categories'] });
      seen.add(c.code);
    }
  });
export type RoutingRules = z.infer<typeof routingRulesSchema>;

// ---- what a waiting petitioner is told --------------------------------------------------------

export interface AppointmentOffer {
  dayId: string;
  leaderName: string;
  post: string;
  portfolio: string;
  place: string;
  slot: number;
  slotStartsAt: string;
}

export interface WaitInfo {
  caseId: string;
  state: CaseState;
  /** 1-based place in the queue; 0 while an official is being offered the case; null when not waiting. */
  position: number | null;
  /** Officials of the case's offices present (available or busy, not away). */
  availableOfficials: number;
  /** …of whom free right now: a place up to this number is about to be taken ("马上为您接通"). */
  freeOfficials: number;
  estimatedWaitSeconds: number | null;
  waitedSeconds: number;
  /** Present when waiting on is not reasonable: book a reception day, or ask to be called back. */
  offer: { appointments: AppointmentOffer[]; callback: true } | null;
}

// ---- answers of the workflow ------------------------------------------------------------------

/** A token for the petition session's room. */
export interface RoomAccess {
  roomId: string;
  token: string;
}

export interface StartedPetition extends RoomAccess {
  case: Case;
  /** The receipt's query code (6 digits): with the case number, looks the case up at any terminal. Only answered when the case is registered. */
  queryCode: string | null;
  ticketId: string;
  departments: Department[];
  wait: WaitInfo;
}

export interface Assignment extends RoomAccess {
  case: Case;
  ticketId: string;
  kind: TicketKind;
  /** For invites: the department that asked. */
  fromDepartmentId: string | null;
}

/** A ticket held for an official who has not accepted it yet. */
export interface Offer {
  ticketId: string;
  leaseToken: string;
  kind: TicketKind;
  expiresInMs: number;
  case: Case | null;
}

/** The official's desk: own queues, sessions held now (to resume after a reconnect), presence. */
export interface Desk {
  official: Official;
  queue: QueueEntry[];
  active: string[];
  presence: PresenceStatus | 'offline';
}

export type ReceptionDayWithBookings = ReceptionDay & { booked: number[] };

// ---- what the 综治中心 coordinator sees ---------------------------------------------------------

export interface DepartmentQueue {
  /** Office id, or `official:<id>` for a leader's personal queue. */
  departmentId: string;
  name: string;
  length: number;
  online: number;
  oldestWaitSeconds: number | null;
}

export interface TerminalGroup {
  regionCode: string;
  name: string;
  total: number;
  online: number;
  /** The terminals not connected now, by name. */
  offline: OfflineTerminal[];
}

export interface OfflineTerminal {
  id: string;
  name: string;
  /** Its offline alert is raised (connected before, gone for OFFLINE_ALERT_SECONDS): when it was last connected. */
  alertSince: string | null;
}

export interface LiveSession {
  case: Case;
  roomId: string;
  /** Who is in the session, by name as the directory has them (ids for links and tests). */
  participants: { officialId: string; officialName: string; departmentId: string; departmentName: string; role: 'lead' | 'invited' }[];
}

export interface OverdueCase {
  case: Case;
  /** The office's clocks past their due instant. */
  overdue: ClockKind[];
}

// ---- the case life after the call (docs/case-life.md) ------------------------------------------

export const DOCUMENT_KINDS = ['acceptance_notice', 'reply', 'review', 're_review'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** An issued document (受理告知书, 处理意见书, 复查/复核意见书): its text is fixed at issue, with its hash. */
export interface CaseDocument {
  id: string;
  caseId: string;
  kind: DocumentKind;
  /** The office's document number, e.g. 砀山县人力资源和社会保障局〔2026〕受字第3号. */
  number: string;
  title: string;
  office: string;
  issuedAt: string;
  issuedBy: string;
  /** SHA-256 (hex) of the UTF-8 bytes of `html`, stored at issue. */
  sha256: string;
}
export type CaseDocumentWithHtml = CaseDocument & { html: string };

export interface Attachment {
  id: string;
  caseId: string;
  at: string;
  actorId: string;
  name: string;
  mime: string;
  size: number;
  sha256: string;
}

export const APPROVAL_KINDS = ['extension', 'reply'] as const;
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];

/** Something a department head decides: an extension of the handling clock, or a reply's sign-off. */
export interface Approval {
  id: string;
  caseId: string;
  kind: ApprovalKind;
  departmentId: string;
  requestedBy: string;
  requestedAt: string;
  /** extension: { days, reason }; reply: { round, text }. */
  payload: { days?: number; reason?: string; round?: ReplyRound; text?: string };
  state: 'pending' | 'approved' | 'rejected';
  decidedBy: string | null;
  decidedAt: string | null;
  note: string | null;
}

export interface Handler {
  caseId: string;
  departmentId: string;
  role: 'lead' | 'co';
  addedAt: string;
}

export interface Callback {
  id: string;
  caseId: string;
  departmentId: string;
  /** The terminal point that asked: a video call-back rings there. */
  terminalId: string;
  requestedAt: string;
  dueAt: string;
  state: 'pending' | 'done' | 'missed';
  channel: 'video' | 'phone' | null;
  attempts: number;
  doneAt: string | null;
  doneBy: string | null;
  note: string | null;
}

/** Everything about a case after the call, for the people working on it. */
export interface CaseLife {
  case: Case;
  clocks: ClockView[];
  handlers: Handler[];
  approvals: Approval[];
  documents: CaseDocument[];
  attachments: Attachment[];
  callbacks: Callback[];
  /** What happens next, in one word the pages translate. */
  next: NextStep;
}

export const NEXT_STEPS = [
  'wait_for_session',
  'notify_acceptance',
  'handle_and_reply',
  'sign_off_reply',
  'rate_or_review',
  'review_session',
  'answer_review',
  'rate_or_re_review',
  'answer_re_review',
  'close',
  'archive',
  'none',
] as const;
export type NextStep = (typeof NEXT_STEPS)[number];

/** One case on a work list, with its most pressing clock. */
export interface WorkItem {
  case: Case;
  /** The running clock due first (windows excluded), if any. */
  clock: ClockView | null;
  next: NextStep;
}

export interface OfficialWorkList {
  /** Cases this official handles (or their office co-handles), by next deadline. */
  cases: WorkItem[];
  /** Call-backs of the office still to make, by due time. */
  callbacks: (Callback & { case: Case })[];
}

export interface HeadWorkList {
  department: Department;
  approvals: (Approval & { case: Case })[];
  /** Running clocks of the department due within `soonDays` or already over. */
  deadlines: WorkItem[];
  officials: Official[];
}

export interface CoordinatorWorkList {
  /** Every running clock past its due instant, all departments. */
  overdue: WorkItem[];
  /** Cases handed to the level above (escalations, reviews) not yet taken up. */
  escalations: WorkItem[];
  missedCallbacks: (Callback & { case: Case })[];
}

/** What a petitioner sees after looking a case up by number and query code. */
export interface CaseLookup {
  caseId: string;
  /** The category's code (its words in the page's language: petition.category.<code>) and its name in the rules. */
  categoryCode: string;
  category: string;
  state: CaseState;
  stage: CaseStage;
  next: NextStep;
  registeredAt: string;
  acceptance: AcceptanceDecision | null;
  acceptanceBody: string | null;
  /** The office handling it now. */
  office: string | null;
  /** The running clock the office must meet, and the petitioner's own window if one is open. */
  deadline: ClockView | null;
  window: ClockView | null;
  /** The latest written answer (reply, review or re-review), if any. */
  answer: { round: ReplyRound; text: string; issuedAt: string } | null;
  documents: CaseDocument[];
  resultRating: Rating | null;
  canRate: boolean;
  canRequestReview: boolean;
  canRequestCallback: boolean;
  callback: Callback | null;
}

/** Where a case is, in the five words a petitioner's phone shows (docs/field.md "The phone's case status page"). */
export const CASE_PHASES = ['registered', 'in_handling', 'replied', 'to_rate', 'closed'] as const;
export type CasePhase = (typeof CASE_PHASES)[number];

/**
 * What the phone page opened from a receipt's QR code may see of a case, given its number and
 * query code: where it is, its deadlines, and the written answer. Nothing else (no office, no
 * documents, no names): the page is public and a receipt can be lost.
 */
export interface CaseStatus {
  caseId: string;
  phase: CasePhase;
  registeredAt: string;
  /** The office's running limit, then the petitioner's own window (to ask for 复查/复核), when open. */
  deadlines: { kind: ClockKind; dueAt: string; window: boolean }[];
  reply: { round: ReplyRound; text: string; issuedAt: string } | null;
}

/** A ringing video call-back, pushed to the terminal point. */
export interface CallbackRinging {
  callbackId: string;
  caseId: string;
  office: string;
  officialName: string;
  /** The rules' code, so a page in English can name a shipped category in English (the name is the rules' Chinese). */
  categoryCode: string;
  category: string;
}

export interface StatsFilter {
  from: string;
  to: string;
  departmentId?: string;
}

export interface Stats {
  from: string;
  to: string;
  departmentId: string | null;
  total: number;
  byCategory: { key: string; n: number }[];
  byLevel: { key: Level; n: number }[];
  byDepartment: { key: string; name: string; n: number }[];
  byMonth: { key: string; n: number }[];
  /** Of the clocks of this kind that stopped in the period's cases: how many in time. */
  onTime: { kind: 'acceptance' | 'handling'; stopped: number; onTime: number; rate: number | null }[];
  satisfaction: { key: Rating; n: number }[];
  avgWaitSeconds: number | null;
  avgSessionSeconds: number | null;
  busiestTerminals: { key: string; name: string; n: number }[];
}
