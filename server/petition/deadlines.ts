// Deadlines of 信访 practice (《信访工作条例》; article numbers deliberately not quoted here):
// acceptance decided within 15 days of registration; handling finished within 60 days of
// acceptance, extendable once by at most 30 days with written reasons. Calendar days, UTC.

export const ACCEPT_DAYS = 15;
export const HANDLE_DAYS = 60;
export const EXTENSION_DAYS = 30;

const DAY_MS = 24 * 3600 * 1000;

export function addDays(iso: string, days: number): string {
  return new Date(Date.parse(iso) + days * DAY_MS).toISOString();
}

export interface Deadlines {
  acceptDeadline: string;
  handleDeadline: string;
}

/** At registration the handling deadline is provisional: counted as if accepted today. */
export function deadlinesAtRegistration(registeredAt: string): Deadlines {
  return { acceptDeadline: addDays(registeredAt, ACCEPT_DAYS), handleDeadline: addDays(registeredAt, HANDLE_DAYS) };
}

/** Once accepted, the 60 days run from the acceptance date. */
export function handleDeadlineFromAcceptance(acceptedAt: string): string {
  return addDays(acceptedAt, HANDLE_DAYS);
}

export function extendedHandleDeadline(handleDeadline: string): string {
  return addDays(handleDeadline, EXTENSION_DAYS);
}

export function isOverdue(deadline: string, now: string): boolean {
  return Date.parse(now) > Date.parse(deadline);
}
