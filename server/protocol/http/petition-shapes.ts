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
}

export const RATINGS = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const;
export type Rating = (typeof RATINGS)[number];

export type ActorRole = 'petitioner' | 'terminal' | 'official' | 'coordinator' | 'system';

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

export const TICKET_KINDS = ['case', 'invite', 'transfer', 'escalate', 'appointment'] as const;
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
  availableOfficials: number;
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
  offlineIds: string[];
}

export interface LiveSession {
  case: Case;
  roomId: string;
  participants: { officialId: string; departmentId: string; role: 'lead' | 'invited' }[];
}

export interface OverdueCase {
  case: Case;
  overdue: ('acceptance' | 'handling')[];
}
