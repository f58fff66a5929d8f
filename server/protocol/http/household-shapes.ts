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
});
export type HouseholdSettings = z.infer<typeof householdSettingsSchema>;

/** What a family member with "manage" may change; every field optional, nothing else accepted. */
export const settingsPatchSchema = householdSettingsSchema.partial();
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

export interface Device {
  id: string;
  householdId: string;
  name: string;
  place: DevicePlace;
  boundAt: string;
  lastSeenAt: string | null;
  /** Heartbeat within the online window. */
  online: boolean;
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

export interface Call {
  id: string;
  householdId: string;
  roomId: string;
  callerId: string;
  callerRole: 'family' | 'counsellor';
  callerName: string;
  state: CallState;
  audioOnly: boolean;
  autoAnswered: boolean;
  createdAt: string;
  answeredAt: string | null;
  endedAt: string | null;
}

export const startCallSchema = z.strictObject({ audioOnly: z.boolean().default(false) });
export type StartCall = z.output<typeof startCallSchema>;

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
export const LOOK_IN_END_REASONS = ['viewer-left', 'time-limit', 'privacy', 'camera-unavailable'] as const;
export type LookInEndReason = (typeof LOOK_IN_END_REASONS)[number];

export const startLookInSchema = z.strictObject({ source: idSchema.default('device') });
export type StartLookIn = z.output<typeof startLookInSchema>;

/** Why a look-in was refused; the family app shows a message per reason. */
export const LOOK_IN_REFUSALS = ['privacy-mode', 'privacy-schedule', 'look-in-disabled', 'device-offline'] as const;
export type LookInRefusal = (typeof LOOK_IN_REFUSALS)[number];

export interface AccessLogEntry {
  id: number;
  householdId: string;
  actorId: string;
  actorRole: string;
  action: 'look-in';
  outcome: 'granted' | 'refused';
  reason: string | null;
  lookInId: string | null;
  at: string;
}

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
  /** Who calls: an administrator names a counsellor assigned to the household; a counsellor, only themself. */
  counsellorId: idSchema.optional(),
});
export type NewCheckIn = z.output<typeof newCheckInSchema>;

export interface DeviceAlert {
  id: string;
  kind: 'device-offline';
  deviceId: string;
  householdId: string;
  /** When the device was last heard from (null: never since it was bound). */
  lastSeenAt: string | null;
  raisedAt: string;
  resolvedAt: string | null;
  acknowledgedBy: string | null;
}

// ---- privacy and calls, as pushed and answered ------------------------------------------------

export type PrivacyCause = 'button' | 'schedule';
export interface PrivacyState {
  active: boolean;
  /** Why it is active; null when it is not. The button wins when both apply. */
  cause: PrivacyCause | null;
}

export type CallEndReason = 'hung-up' | 'missed' | 'declined' | 'cancelled';

// ---- answers ----------------------------------------------------------------------------------

export interface HouseholdView {
  household: Household;
  privacy: PrivacyState;
  devices: Device[];
  cameras: HouseholdCamera[];
  family: (Omit<FamilyMember, 'phone'> & { relation: string; permission: PermissionLevel })[];
  counsellorIds: string[];
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
  openCalls: Call[];
  openLookIns: LookIn[];
  notices: Notice[];
}
