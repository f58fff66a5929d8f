// The 视频接访 domain: regions, terminals, departments, officials, cases and their timeline.
// These are the stored shapes (what the repository returns); client-sent shapes live in
// schemas.ts and are never used as stored ones.

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

/** Who is acting, as the server knows them (from a verified token, never from the request body). */
export interface Actor {
  id: string;
  name: string;
  role: 'petitioner' | 'terminal' | 'official' | 'coordinator' | 'admin' | 'system' | 'other';
  terminalId?: string;
}
