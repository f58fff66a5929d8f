// Shapes of 平安心居 as the HTTP API answers them and zod schemas of what clients send, shared by
// the server and the pages (the single source: server/household imports them from here). Stored
// shapes (what the repository returns) and inbound shapes are kept apart: a client never sets
// ids, owners or timestamps.
import { z } from 'zod';

// ---- identifiers -----------------------------------------------------------------

/** Ids are also embedded in room names, so they use the room-name alphabet minus ':'. */
export const idSchema = z.string().min(1).max(64).regex(/^[\w.\-]+$/, 'id: letters, digits, _ . - only');

/** Administrative division code (GB/T 2260 style): 6 digits for a county, 9 for a township, 12 for a village. */
export const regionSchema = z.string().regex(/^\d{6}(\d{3}(\d{3})?)?$/, 'region: 6, 9 or 12 digit division code');

// ---- households -----------------------------------------------------------------------------

export const RESIDENT_KINDS = ['elderly', 'child', 'adult'] as const;
export const residentSchema = z.strictObject({
  name: z.string().min(1).max(50),
  kind: z.enum(RESIDENT_KINDS),
  birthYear: z.number().int().min(1900).max(2100).optional(),
  /** Care notes a counsellor needs on a call (hearing aid, medication times). */
  note: z.string().max(200).optional(),
});
export type Resident = z.infer<typeof residentSchema>;

/** "HH:MM", 00:00–24:00; 24:00 only makes sense as an end. */
const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'time: HH:MM');

/**
 * One weekly privacy window in the household's local time (China Standard Time). `days` are
 * 0=Sunday…6=Saturday, the day the window starts on; an end at or before the start crosses
 * midnight (22:00–07:00 covers the night).
 */
export const privacyWindowSchema = z.strictObject({
  days: z.array(z.number().int().min(0).max(6)).min(1).max(7),
  start: timeOfDay,
  end: timeOfDay,
});
export type PrivacyWindow = z.infer<typeof privacyWindowSchema>;

export const AUTO_ANSWER_MODES = ['off', 'all-family', 'selected'] as const;

/**
 * No-activity watch (issue 14.3): the home's cameras measure motion where they are (the device
 * page, or the server for IP cameras) and only an activity level per minute is stored. No minute
 * at or above `threshold` for `inactiveHours` inside the daytime window raises an alert.
 */
export const activityWatchSchema = z.strictObject({
  enabled: z.boolean(),
  /** The daytime window in local time; outside it (sleep) nothing is raised. */
  start: timeOfDay,
  end: timeOfDay,
  /** Quarter hours, so a short test window and the usual 2–4 hours are both expressible. */
  inactiveHours: z.number().min(0.25).max(12).multipleOf(0.25),
  /** Fraction of the picture that must change between two samples to count as activity. */
  threshold: z.number().min(0.001).max(0.5),
});
export type ActivityWatch = z.infer<typeof activityWatchSchema>;

export const householdSettingsSchema = z.strictObject({
  autoAnswer: z.strictObject({
    mode: z.enum(AUTO_ANSWER_MODES),
    /** With mode "selected": the family members whose calls are answered at once. */
    memberIds: z.array(idSchema).max(50),
  }),
  lookInAllowed: z.boolean(),
  privacySchedule: z.array(privacyWindowSchema).max(28),
  /** Calls in this home are never recorded unless the household turns this on. */
  recordingAllowed: z.boolean(),
  /**
   * Quiet hours (same window shape as the privacy schedule): calls still come through but the
   * home device does not ring loudly and notices do not chime; an SOS is never quiet.
   */
  quietHours: z.array(privacyWindowSchema).max(28).default([]),
  activityWatch: activityWatchSchema.default({ enabled: false, start: '08:00', end: '20:00', inactiveHours: 3, threshold: 0.02 }),
});
export type HouseholdSettings = z.infer<typeof householdSettingsSchema>;

/** What a family member with "manage" may change; every field optional, nothing else accepted. */
export const settingsPatchSchema = householdSettingsSchema.partial();
/** Settings as given (the defaults above fill in what older rows and clients leave out). */
export type HouseholdSettingsInput = z.input<typeof householdSettingsSchema>;
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export interface Household {
  id: string;
  name: string;
  address: string;
  region: string;
  residents: Resident[];
  settings: HouseholdSettings;
  /** The privacy button on the device (or in the family app): on until turned off. */
  privacyMode: boolean;
  createdAt: string;
}

export const newHouseholdSchema = z.strictObject({
  id: idSchema.optional(),
  name: z.string().min(1).max(100),
  address: z.string().min(1).max(200),
  region: regionSchema,
  residents: z.array(residentSchema).max(20).default([]),
  settings: householdSettingsSchema.optional(),
});
export type NewHousehold = z.output<typeof newHouseholdSchema>;

// ---- devices --------------------------------------------------------------------------------

/** Where a device may stand. Bedrooms and bathrooms are not in the list on purpose (民法典 Art. 1032). */
export const DEVICE_PLACES = ['living-room', 'entrance', 'kitchen', 'dining-room', 'yard', 'study'] as const;
export type DevicePlace = (typeof DEVICE_PLACES)[number];

/**
 * A privacy mask: a rectangle of the device's picture, in fractions of its width and height,
 * blacked out by the device itself before any video leaves it (issue 14.4).
 */
export const maskRectSchema = z
  .strictObject({ x: z.number().min(0).max(1), y: z.number().min(0).max(1), w: z.number().min(0.01).max(1), h: z.number().min(0.01).max(1) })
  .refine((r) => r.x + r.w <= 1.0001 && r.y + r.h <= 1.0001, 'mask: the rectangle must lie inside the picture');
export type MaskRect = z.infer<typeof maskRectSchema>;
export const privacyMasksSchema = z.strictObject({ rects: z.array(maskRectSchema).max(8) });

export interface Device {
  id: string;
  householdId: string;
  name: string;
  place: DevicePlace;
  boundAt: string;
  lastSeenAt: string | null;
  /** Heartbeat within the online window. */
  online: boolean;
  /** Blacked out on the device before its camera picture is sent anywhere. */
  masks: MaskRect[];
}

export const bindDeviceSchema = z.strictObject({
  /** Re-bind this device of the household; leave out to bind a new one (the server names it). */
  id: idSchema.optional(),
  name: z.string().min(1).max(100),
  place: z.enum(DEVICE_PLACES),
});
export type BindDevice = z.output<typeof bindDeviceSchema>;

export const addCameraSchema = z.strictObject({
  name: z.string().min(1).max(100),
  place: z.enum(DEVICE_PLACES),
  // Only RTSP from clients: an http:// or file: URL would let anyone make the server fetch
  // internal addresses or read local files through ffmpeg.
  url: z.string().min(1).max(1000).regex(/^rtsps?:\/\/[^\s]+$/, 'url: rtsp:// or rtsps://'),
});
export type NewCamera = z.output<typeof addCameraSchema>;

/** An IP camera pulled by the server (sfu/ingest); look-in can show it under the same rules. */
export interface HouseholdCamera {
  id: string;
  householdId: string;
  name: string;
  place: DevicePlace;
}

// ---- people ---------------------------------------------------------------------------------

/** Ordered: each level includes the ones before it. */
export const PERMISSION_LEVELS = ['call', 'look-in', 'manage'] as const;
export type PermissionLevel = (typeof PERMISSION_LEVELS)[number];
export interface FamilyMember {
  id: string;
  name: string;
  /** Where they work, e.g. 杭州; shown to the household and counsellors. */
  city: string;
  phone: string | null;
}

export interface FamilyLink {
  householdId: string;
  memberId: string;
  relation: string;
  permission: PermissionLevel;
}

export const linkFamilySchema = z.strictObject({
  /** An existing family member to link; leave out (and give name and city) for a new one, whose id the server chooses. */
  memberId: idSchema.optional(),
  name: z.string().min(1).max(50).optional(),
  city: z.string().min(1).max(50).optional(),
  phone: z.string().regex(/^\+?\d{6,20}$/).optional(),
  relation: z.string().min(1).max(20),
  permission: z.enum(PERMISSION_LEVELS),
});
export type LinkFamily = z.output<typeof linkFamilySchema>;

/** A 村委会 / 网格员 contact: whom an SOS nobody answered escalates to (by division code). */
export const villageContactSchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1).max(50),
  organisation: z.string().min(1).max(100),
  region: regionSchema,
  phone: z.string().regex(/^\+?\d{6,20}$/).nullable().default(null),
});
export type VillageContact = z.output<typeof villageContactSchema>;

export interface Counsellor {
  id: string;
  name: string;
  organisation: string;
  /** Division codes this counsellor may send region notices to (prefix match). */
  regions: string[];
}

// ---- calls and look-ins -----------------------------------------------------------------------

export const CALL_STATES = ['ringing', 'active', 'ended', 'missed', 'declined', 'cancelled'] as const;
export type CallState = (typeof CALL_STATES)[number];

/** `to-home`: family or a counsellor calls the home; `from-home`: the home device calls out. */
export const CALL_DIRECTIONS = ['to-home', 'from-home'] as const;
export type CallDirection = (typeof CALL_DIRECTIONS)[number];
/** `sos`: the 求助 button — rings everyone at once and escalates (issue 14.2). */
export type CallPurpose = 'call' | 'sos';
/** Who a call from home rings: family, the assigned counsellor, the village committee / 网格员. */
export const CALLEE_ROLES = ['family', 'counsellor', 'grid-worker'] as const;
export type CalleeRole = (typeof CALLEE_ROLES)[number];

/** One person a call from home rings. `step`: the SOS escalation step that brought them in. */
export interface Callee {
  id: string;
  role: CalleeRole;
  name: string;
  step: number;
  state: 'ringing' | 'answered' | 'declined' | 'missed' | 'joined';
  rungAt: string;
}

export interface Call {
  id: string;
  householdId: string;
  roomId: string;
  direction: CallDirection;
  purpose: CallPurpose;
  callerId: string;
  callerRole: 'family' | 'counsellor' | 'home-device';
  callerName: string;
  state: CallState;
  audioOnly: boolean;
  autoAnswered: boolean;
  /** During the household's quiet hours the device rings softly (never for an SOS). */
  quiet: boolean;
  createdAt: string;
  answeredAt: string | null;
  /** Who picked up: the device (calls to home) or the callee who answered (calls from home). */
  answeredBy: { id: string; name: string; role: string } | null;
  endedAt: string | null;
  /** Calls from home: everyone rung, with their answer. Empty for calls to home. */
  callees: Callee[];
}

export const startCallSchema = z.strictObject({ audioOnly: z.boolean().default(false) });
export type StartCall = z.output<typeof startCallSchema>;

/** The home device calls one family member or one of its counsellors (a big picture button each). */
export const callOutSchema = z.strictObject({
  calleeId: idSchema,
  audioOnly: z.boolean().default(false),
});
export type CallOut = z.output<typeof callOutSchema>;

/** One step of a call's timeline: who was rung, escalations, who answered, when (SOS log). */
export const CALL_EVENT_TYPES = ['raised', 'rang', 'escalated', 'answered', 'declined', 'joined', 'ended'] as const;
export type CallEventType = (typeof CALL_EVENT_TYPES)[number];
export interface CallEvent {
  id: number;
  callId: string;
  at: string;
  type: CallEventType;
  /** The person concerned (rung, answering, declining), or null for the system. */
  personId: string | null;
  personName: string | null;
  personRole: string | null;
  /** rang/escalated: the step; escalated: why; ended: the reason. */
  data: Record<string, string | number | boolean | null>;
}

export interface LookIn {
  id: string;
  householdId: string;
  roomId: string;
  memberId: string;
  /** "device" or the id of a household camera. */
  source: string;
  startedAt: string;
  endsAt: string;
  endedAt: string | null;
  endReason: LookInEndReason | null;
}
export const LOOK_IN_END_REASONS = ['viewer-left', 'time-limit', 'privacy', 'consent-withdrawn', 'camera-unavailable'] as const;
export type LookInEndReason = (typeof LOOK_IN_END_REASONS)[number];

export const startLookInSchema = z.strictObject({ source: idSchema.default('device') });
export type StartLookIn = z.output<typeof startLookInSchema>;

/** Why a look-in was refused; the family app shows a message per reason. */
export const LOOK_IN_REFUSALS = ['privacy-mode', 'privacy-schedule', 'look-in-disabled', 'no-consent', 'device-offline'] as const;
export type LookInRefusal = (typeof LOOK_IN_REFUSALS)[number];

export interface AccessLogEntry {
  id: number;
  householdId: string;
  actorId: string;
  /** Who it was by name (the directory's), so the household reads a person, not an id. */
  actorName: string | null;
  actorRole: string;
  action: 'look-in';
  outcome: 'granted' | 'refused';
  reason: string | null;
  lookInId: string | null;
  at: string;
  /** Granted look-ins: what was watched and for how long (null while it is still open). */
  source: string | null;
  endedAt: string | null;
  seconds: number | null;
}

// ---- consent (issue 14.4) ---------------------------------------------------------------------

/**
 * Who agreed that a family member may look in, on which camera (`device`: the home device,
 * a camera id, or `*`: every camera of the household), at which level, and when. Append-only;
 * the latest record per member and source is in force. Withdrawing ends open look-ins at once.
 */
export interface ConsentRecord {
  id: number;
  householdId: string;
  memberId: string;
  memberName: string;
  source: string;
  level: 'look-in';
  action: 'granted' | 'withdrawn';
  byId: string;
  byName: string;
  byRole: string;
  at: string;
}
export const consentChangeSchema = z.strictObject({
  memberId: idSchema,
  source: z.union([z.literal('device'), z.literal('*'), idSchema]).default('device'),
  action: z.enum(['granted', 'withdrawn']),
});
export type ConsentChange = z.output<typeof consentChangeSchema>;

// ---- notices, check-ins, alerts ---------------------------------------------------------------

export interface Notice {
  id: string;
  senderId: string;
  senderName: string;
  householdId: string | null;
  region: string | null;
  title: string;
  body: string;
  createdAt: string;
  expiresAt: string | null;
  /** For a household's own view: when its device marked the notice read (null: not yet). */
  readAt?: string | null;
}

/** A sent notice with its read receipts: which households' devices have read it, and when. */
export interface NoticeReceipts {
  notice: Notice;
  households: { householdId: string; name: string; readAt: string | null }[];
}

export const sendNoticeSchema = z.union([
  z.strictObject({
    householdId: idSchema,
    title: z.string().min(1).max(60),
    body: z.string().min(1).max(1000),
    expiresAt: z.iso.datetime().optional(),
  }),
  z.strictObject({
    region: regionSchema,
    title: z.string().min(1).max(60),
    body: z.string().min(1).max(1000),
    expiresAt: z.iso.datetime().optional(),
  }),
]);
export type SendNotice = z.infer<typeof sendNoticeSchema>;

export interface CheckInSchedule {
  id: string;
  householdId: string;
  counsellorId: string;
  /** 0=Sunday…6=Saturday, local time. */
  days: number[];
  time: string;
  durationMinutes: number;
  note: string;
  /** The next occurrence after now. */
  nextAt: string;
}

export const newCheckInSchema = z.strictObject({
  days: z.array(z.number().int().min(0).max(6)).min(1).max(7),
  time: timeOfDay,
  durationMinutes: z.number().int().min(5).max(180).default(20),
  note: z.string().max(200).default(''),
  /** Who calls: the counsellor scheduling it, and only them (an administrator schedules no check-ins, 三员分立). */
  counsellorId: idSchema.optional(),
});
export type NewCheckIn = z.output<typeof newCheckInSchema>;

/**
 * How a no-activity alert was decided: the rule as it stood, and what was measured. Shown with
 * the alert so the counsellor and the family can judge it (issue 14.3).
 */
export interface ActivityDecision {
  rule: { start: string; end: string; inactiveHours: number; threshold: number };
  /** The span looked at (inside the daytime window). */
  from: string;
  to: string;
  /** Minutes with a measurement in the span, of the minutes in it. */
  measuredMinutes: number;
  spanMinutes: number;
  /** Highest level measured in the span (below the threshold, or there would be no alert). */
  maxLevel: number;
  /** The last minute at or above the threshold, if any in the last day. */
  lastActiveAt: string | null;
  /** What measured: the home device's own camera (in the page) or IP cameras (on the server). */
  sources: { id: string; kind: 'device' | 'camera'; minutes: number }[];
}

export const ALERT_KINDS = ['device-offline', 'no-activity', 'sos'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/**
 * Something a counsellor must see. Kept until acknowledged, also after it resolved by itself,
 * so nothing raised while nobody was signed in is lost.
 */
export interface HouseholdAlert {
  id: string;
  kind: AlertKind;
  householdId: string;
  /** device-offline: the device; no-activity: null (see details); sos: the device that called. */
  deviceId: string | null;
  /** device-offline: when the device was last heard from (null: never since it was bound). */
  lastSeenAt: string | null;
  raisedAt: string;
  resolvedAt: string | null;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  /** no-activity: how it was decided; sos: the SOS call. */
  activity: ActivityDecision | null;
  callId: string | null;
}

// ---- activity (issue 14.3) ----------------------------------------------------------------------

/**
 * What a device reports: per minute, the highest share of its picture that changed between two
 * samples (0 = still, 1 = everything moved) and how many samples it took. No picture, ever.
 * `ageSeconds` places the minute on the server's clock (a device's own clock is not trusted).
 */
export const activityReportSchema = z.strictObject({
  minutes: z
    .array(z.strictObject({ ageSeconds: z.number().int().min(0).max(24 * 3600), level: z.number().min(0).max(1), samples: z.number().int().min(1).max(10_000) }))
    .min(1)
    .max(120),
});
export type ActivityReport = z.output<typeof activityReportSchema>;

// ---- counsellor work (issue 14.5) ---------------------------------------------------------------

export const MOODS = ['good', 'fair', 'low', 'distressed'] as const;
export type Mood = (typeof MOODS)[number];

/** What a counsellor writes after a check-in: mood, concerns, follow-up. */
export const newVisitSchema = z.strictObject({
  callId: idSchema.optional(),
  scheduleId: idSchema.optional(),
  /** The scheduled occurrence this visit fulfils (ISO), from the due list. */
  dueAt: z.iso.datetime().optional(),
  mood: z.enum(MOODS),
  concerns: z.string().max(1000).default(''),
  followUp: z.string().max(1000).default(''),
  followUpBy: z.iso.date().optional(),
});
export type NewVisit = z.output<typeof newVisitSchema>;

export interface Visit {
  id: string;
  householdId: string;
  counsellorId: string;
  counsellorName: string;
  callId: string | null;
  scheduleId: string | null;
  dueAt: string | null;
  at: string;
  mood: Mood;
  concerns: string;
  followUp: string;
  followUpBy: string | null;
}

/** One occurrence of a check-in schedule that has no visit record yet. */
export interface CheckInDue {
  schedule: CheckInSchedule;
  dueAt: string;
  /** due: within its day; overdue: a day past its time without a visit record. */
  state: 'due' | 'overdue';
}

/** A household's record for its counsellor: visits, calls, alerts, newest first. */
export interface HouseholdHistory {
  householdId: string;
  visits: Visit[];
  calls: Call[];
  alerts: HouseholdAlert[];
}

// ---- privacy and calls, as pushed and answered ------------------------------------------------

export type PrivacyCause = 'button' | 'schedule';
export interface PrivacyState {
  active: boolean;
  /** Why it is active; null when it is not. The button wins when both apply. */
  cause: PrivacyCause | null;
}

export type CallEndReason = 'hung-up' | 'missed' | 'declined' | 'cancelled' | 'sos';

// ---- answers ----------------------------------------------------------------------------------

export interface HouseholdView {
  household: Household;
  privacy: PrivacyState;
  devices: Device[];
  cameras: HouseholdCamera[];
  family: (Omit<FamilyMember, 'phone'> & { relation: string; permission: PermissionLevel })[];
  counsellorIds: string[];
  /** The counsellors by name (the home device's call buttons). */
  counsellors: Pick<Counsellor, 'id' | 'name' | 'organisation'>[];
  /** Open and unacknowledged no-activity and SOS alerts (family and counsellors act on them); none for administrators. */
  alerts: HouseholdAlert[];
  /** Consent in force: who may look in on what; none for administrators (三员分立). */
  consents: ConsentRecord[];
  /** The asking family member's level; absent for counsellors, devices and admins. */
  myPermission?: PermissionLevel;
}

/** A room and a token for it. */
export interface RoomTicket {
  roomId: string;
  token: string;
}

/** What a home device needs to (re)draw itself after a reconnect. */
export interface DeviceState {
  device: Device;
  household: Pick<Household, 'id' | 'name' | 'settings'>;
  privacy: PrivacyState;
  /** Quiet hours now: ring softly, no chimes. */
  quiet: boolean;
  openCalls: Call[];
  openLookIns: LookIn[];
  notices: Notice[];
  /** The big picture buttons: family members and counsellors the home can call. */
  contacts: { id: string; role: 'family' | 'counsellor'; name: string; relation: string; city: string }[];
  /** Consent in force, shown on the kiosk so the people at home can see and withdraw it. */
  consents: ConsentRecord[];
  /** Calls from home nobody picked up, newest first. */
  missedOut: Call[];
  /** Calls to home nobody picked up and not yet returned (who, when; the last week, newest first): the device lists them with a call-back button. */
  missedIn: Call[];
  /** How often the device beats (faster when the offline alert is set shorter than 60 s). */
  heartbeatSeconds: number;
}
