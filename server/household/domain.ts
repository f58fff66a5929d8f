// 平安心居 domain: households, their devices, family members, counsellors, calls, look-ins,
// notices and check-ins. The shapes and inbound schemas are part of the HTTP contract and live in
// server/protocol/http/household-shapes.ts (re-exported here); this adds room names, defaults and
// the permission order.
import type { HouseholdSettings, PermissionLevel } from '../protocol/http/household-shapes.ts';
import { PERMISSION_LEVELS } from '../protocol/http/household-shapes.ts';

export * from '../protocol/http/household-shapes.ts';

// ---- room names ---------------------------------------------------------------------------------

export function callRoomId(householdId: string, callId: string): string {
  return `household:${householdId}:call:${callId}`;
}
export function lookInRoomId(householdId: string, lookInId: string): string {
  return `household:${householdId}:lookin:${lookInId}`;
}
/** The rooms a device token may enter: only its own household's. */
export function householdRoomPattern(householdId: string): string {
  return `household:${householdId}:*`;
}

export const DEFAULT_SETTINGS: HouseholdSettings = {
  autoAnswer: { mode: 'off', memberIds: [] },
  lookInAllowed: false,
  privacySchedule: [],
  recordingAllowed: false,
};

export function permits(held: PermissionLevel, needed: PermissionLevel): boolean {
  return PERMISSION_LEVELS.indexOf(held) >= PERMISSION_LEVELS.indexOf(needed);
}

