// Pushes the household service wants delivered in real time. The service does not know about
// sockets: every payload names its recipients in `to` as subject keys — role and id together
// (`home-device:<id>`, `family:<id>`, `counsellor:<id>`), so ids of different kinds never mix —
// and the live channel forwards each event to those identities' connections.
import { SafeEmitter } from '../core/safe-emitter.ts';
import type { SubjectKey } from '../protocol/live.ts';
import type {
  Call,
  CallEndReason,
  CheckInSchedule,
  DeviceAlert,
  HouseholdSettings,
  LookIn,
  LookInEndReason,
  Notice,
  PrivacyCause,
  PrivacyState,
} from './domain.ts';

export type { CallEndReason, PrivacyCause, PrivacyState };

export interface HouseholdEvents {
  /** Devices ring loudly with one answer button; the caller hears ringback. */
  'call:ringing': [{ to: SubjectKey[]; call: Call }];
  /** The call is live (answered by the device, or at once by auto-answer): devices join `call.roomId`. */
  'call:answered': [{ to: SubjectKey[]; call: Call }];
  /** The call is over or never connected; devices stop ringing / leave; the SFU closes the room. */
  'call:ended': [{ to: SubjectKey[]; call: Call; reason: CallEndReason }];
  /** Someone is looking in: devices chime, show the live indicator and publish into `lookIn.roomId`. */
  'lookin:started': [{ to: SubjectKey[]; lookIn: LookIn; viewerName: string }];
  /** Look-in over: devices stop sending and hide the indicator; the SFU closes the room (removes viewers). */
  'lookin:ended': [{ to: SubjectKey[]; lookIn: LookIn; reason: LookInEndReason }];
  /** Privacy changed: while active, devices must stop sending camera (calls continue audio-only). */
  'privacy:changed': [{ to: SubjectKey[]; householdId: string; privacy: PrivacyState }];
  /** Settings changed (auto-answer, look-in allowed, schedule); devices and family apps refresh. */
  'settings:changed': [{ to: SubjectKey[]; householdId: string; settings: HouseholdSettings }];
  /** A notice to show on the devices' idle screen. */
  notice: [{ to: SubjectKey[]; notice: Notice; householdIds: string[] }];
  /** A device has not sent heartbeats for longer than the set time. */
  'alert:raised': [{ to: SubjectKey[]; alert: DeviceAlert }];
  /** The device is back (heartbeat received). */
  'alert:resolved': [{ to: SubjectKey[]; alert: DeviceAlert }];
  /** A scheduled check-in call is due now. */
  'checkin:due': [{ to: SubjectKey[]; schedule: CheckInSchedule; dueAt: string }];
}

/** Typed household events; a throwing listener never breaks the state change that caused it. */
export class HouseholdEventEmitter extends SafeEmitter<HouseholdEvents> {}

/** What a recipient receives: the event without its routing list. */
export type HouseholdPushPayload<K extends keyof HouseholdEvents> = Omit<HouseholdEvents[K][0], 'to'>;

/** For socket.io typing: merge into the server's ServerToClientEvents. */
export type HouseholdServerToClientEvents = {
  [K in keyof HouseholdEvents]: (payload: HouseholdPushPayload<K>) => void;
};

export const HOUSEHOLD_EVENT_NAMES = [
  'call:ringing', 'call:answered', 'call:ended', 'lookin:started', 'lookin:ended', 'privacy:changed',
  'settings:changed', 'notice', 'alert:raised', 'alert:resolved', 'checkin:due',
] as const satisfies readonly (keyof HouseholdEvents)[];

/**
 * Calls `deliver` once per recipient of every household event, with `to` removed. The live
 * channel passes `(to, event, payload) => live.publish([liveRoom.user(to)], …)`.
 * Returns a function that detaches the listeners.
 */
export function forwardHouseholdEvents(
  events: HouseholdEventEmitter,
  deliver: <K extends keyof HouseholdEvents>(to: SubjectKey, event: K, payload: HouseholdPushPayload<K>) => void,
): () => void {
  const detach: (() => void)[] = [];
  for (const name of HOUSEHOLD_EVENT_NAMES) {
    const listener = (p: HouseholdEvents[typeof name][0]): void => {
      const { to, ...payload } = p;
      for (const subject of new Set(to)) deliver(subject, name, payload as HouseholdPushPayload<typeof name>);
    };
    events.on(name, listener as never);
    detach.push(() => events.off(name, listener as never));
  }
  return () => detach.forEach((d) => d());
}
