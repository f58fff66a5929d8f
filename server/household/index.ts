// 平安心居 (household video): what the rest of the server wires. See docs/household.md.
export * from './domain.ts';
export { householdMigrations } from './migrations.ts';
export { HouseholdRepository } from './repository.ts';
export { HouseholdService, LookInRefused, DEFAULT_TIMINGS, systemClock, SYSTEM_ACTOR } from './service.ts';
export type { Actor, Clock, HouseholdTimings, HouseholdServiceDeps, HouseholdView, RoomTicket, DeviceState } from './service.ts';
export { HouseholdEventEmitter, forwardHouseholdEvents, HOUSEHOLD_EVENT_NAMES } from './events.ts';
export type {
  HouseholdEvents,
  PrivacyState,
  PrivacyCause,
  CallEndReason,
} from './events.ts';
export { createHouseholdRouter } from './router.ts';
export type { HouseholdRouterDeps } from './router.ts';
export { seedHouseholdDemo, SEED, SUZHOU_REGIONS } from './seed.ts';
