// What clients may send. Strict objects with bounded strings: unknown keys and oversize values
// are rejected before any domain code runs. Stored shapes live in types.ts.
import { z } from 'zod';
import { AppError } from '../core/errors.ts';
import { presenceStatusSchema } from '../scheduler/presence.ts';
import { RATINGS } from './types.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
export const idSchema = z.string().min(1).max(64).regex(/^[\w:.\-]+$/, 'letters, digits, _ : . - only');
export const caseIdSchema = z.string().regex(/^XF\d{8}-\d{6}$/, 'case number like XF20261126-000042');

export const startPetitionSchema = z.strictObject({
  terminalId: idSchema,
  category: z.string().min(1).max(32),
  /** All optional: a petitioner starts with one tap; a helper (代办员) may fill these in. */
  petitionerName: text(50).optional(),
  idNumber: z.string().trim().max(18).optional(),
  phone: z.string().trim().regex(/^1\d{10}$|^0\d{2,3}-?\d{7,8}$/, 'mobile or landline number').optional(),
  description: text(2000).optional(),
  flags: z
    .strictObject({ elderly: z.boolean().optional(), urgent: z.boolean().optional(), disabled: z.boolean().optional() })
    .optional(),
});
export type StartPetitionInput = z.infer<typeof startPetitionSchema>;

export const claimSchema = z.strictObject({
  /** A client-chosen id per claim attempt; the same id twice is refused as a replay. */
  requestId: z.string().min(8).max(64).regex(/^[\w\-]+$/).optional(),
});

export const acceptTicketSchema = claimSchema;
export const offerSchema = z.strictObject({ ticketId: idSchema, leaseToken: z.string().regex(/^\d{1,15}$/) });

export const inviteSchema = z.union([
  z.strictObject({ departmentId: idSchema }),
  z.strictObject({ level: z.literal('up') }),
]);
export type InviteTarget = z.infer<typeof inviteSchema>;

export const transferSchema = z.strictObject({ departmentId: idSchema, reason: text(500) });
export const escalateSchema = z.strictObject({ reason: text(500) });
export const opinionSchema = z.strictObject({ opinion: text(5000), accepted: z.boolean() });
export const extendSchema = z.strictObject({ reason: text(500) });
export const rateSchema = z.strictObject({ rating: z.enum(RATINGS) });
export const appointmentSchema = z.strictObject({ dayId: idSchema, slot: z.number().int().min(0).max(47) });
export const presenceSchema = z.strictObject({ status: presenceStatusSchema });
export const emptySchema = z.strictObject({});

/** Parses client input or throws `bad_request` naming every issue. Used by the router and,
 * again, by the service, so a socket handler that forgets to validate cannot store garbage. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(value ?? {});
  if (!r.success) {
    throw new AppError('bad_request', `invalid ${what}`, r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  return r.data;
}
