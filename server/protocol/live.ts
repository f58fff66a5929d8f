// The live channel (socket.io namespace `/live`): server pushes of domain events — queue
// changes, ringing calls, notices, alerts — to the people they concern. Payloads carry ids and
// small summaries; clients fetch details over HTTP with their own token, so authorization stays
// in one place. Shared by the server and the web client.
import { z } from 'zod';
import type { Role } from './claims.ts';

/**
 * Whom a push is for: role and subject together. Each connection joins the user room of its own
 * token's `role:sub`, so a device, a family member and an official that happen to share an id
 * never hear each other's pushes.
 */
export type SubjectKey = `${Role}:${string}`;
export const subjectKey = (role: Role, sub: string): SubjectKey => `${role}:${sub}`;

export interface LiveEvents {
  /** Queues of these departments changed: refresh the desk's queue / the overview. */
  'petition:queue-changed': { departmentIds: string[] };
  /** A waiting petitioner's fresh position and estimate (to the watchers of the case). */
  'petition:wait': {
    caseId: string;
    state: string;
    position: number | null;
    availableOfficials: number;
    estimatedWaitSeconds: number | null;
    waitedSeconds: number;
    offer: unknown;
  };
  /** A case changed state (watchers of the case and its parties). */
  'petition:case-changed': { caseId: string; state: string };
  /** A ticket was assigned to this official (a case or an invitation to join one). */
  'petition:assigned': { caseId: string; ticketId: string; kind: string };
  /** Household pushes, to the devices / family members / counsellors concerned. */
  'household:event': { type: string; payload: unknown };
}
export type LiveEventName = keyof LiveEvents;

export type LiveServerToClient = { [E in LiveEventName]: (payload: LiveEvents[E]) => void };

export const liveRequestSchemas = {
  /** Follow one case's changes; allowed when the caller may read the case. */
  watchCase: z.strictObject({ caseId: z.string().min(1).max(64) }),
  unwatchCase: z.strictObject({ caseId: z.string().min(1).max(64) }),
} as const;
export type LiveRequestName = keyof typeof liveRequestSchemas;
