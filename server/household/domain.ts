// 平安心居 domain: households, their devices, family members, counsellors, calls, look-ins,
// notices and check-ins. The shapes and inbound schemas are part of the HTTP contract and live in
// server/protocol/http/household-shapes.ts (re-exported here); this adds room names, defaults and
// the permission order.
import type { HouseholdSettings, PermissionLevel } from '../protocol/http/household-shapes.ts';
import { PERMISSION_LEVELS } from '../protocol/http/household-shapes.ts';

export * from '../protocol/http/household-shapes.ts';

// ---- room names ---------------------------------------------------------------------------------

export { householdCallRoomId as callRoomId, householdLookInRoomId as lookInRoomId } from '../protocol/room-id.ts';

export const DEFAULT_SETTINGS: HouseholdSettings = {
  autoAnswer: { mode: 'off', memberIds: [] },
  lookInAllowed: false,
  privacySchedule: [],
  recordingAllowed: false,
  quietHours: [],
  activityWatch: { enabled: false, start: '08:00', end: '20:00', inactiveHours: 3, threshold: 0.02 },
};

export function permits(held: PermissionLevel, needed: PermissionLevel): boolean {
  return PERMISSION_LEVELS.indexOf(held) >= PERMISSION_LEVELS.indexOf(needed);
}

