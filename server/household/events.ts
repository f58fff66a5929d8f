// Pushes the household service wants delivered in real time. The service does not know about
// sockets: every payload names its recipients in `to` as subject keys — role and id together
// (`home-device:<id>`, `family:<id>`, `counsellor:<id>`), so ids of different kinds never mix —
// and the live channel forwards each event to those identities' connections.
import { SafeEmitter } from '../core/safe-emitter.ts';
import type { HouseholdPush, HouseholdPushes, HouseholdPushType, SubjectKey } from '../protocol/live.ts';
import type { CallEndReason, PrivacyCause, PrivacyState } from './domain.ts';

export type { CallEndReason, PrivacyCause, PrivacyState };

/** Each push (documented in server/protocol/live.ts) with the identities it goes to. */
export type HouseholdEvents = { [K in HouseholdPushType]: [HouseholdPushes[K] & { to: SubjectKey[] }] };

/** Typed household events; a throwing listener never breaks the state change that caused it. */
export class HouseholdEventEmitter extends SafeEmitter<HouseholdEvents> {}

export const HOUSEHOLD_EVENT_NAMES = [
  'call:ringing', 'call:answered', 'call:updated', 'call:ended', 'lookin:started', 'lookin:ended', 'privacy:changed',
  'settings:changed', 'notice', 'notice:read', 'alert:raised', 'alert:resolved', 'checkin:due', 'consent:changed', 'masks:changed',
] as const satisfies readonly HouseholdPushType[];

/**
 * Calls `deliver` once per recipient of every household event with the push it receives (the
 * event without `to`); the app publishes it as the live channel's `household:event`. Returns a
 * function that detaches the listeners.
 */
export function forwardHouseholdEvents(events: HouseholdEventEmitter, deliver: (to: SubjectKey, push: HouseholdPush) => void): () => void {
  const detach: (() => void)[] = [];
  for (const name of HOUSEHOLD_EVENT_NAMES) {
    const listener = (p: HouseholdEvents[typeof name][0]): void => {
      const { to, ...payload } = p;
      // `payload` is HouseholdPushes[name]; TypeScript cannot pair it with `name` across the loop.
      const push = { type: name, payload } as HouseholdPush;
      for (const subject of new Set(to)) deliver(subject, push);
    };
    events.on(name, listener as never);
    detach.push(() => events.off(name, listener as never));
  }
  return () => detach.forEach((d) => d());
}
