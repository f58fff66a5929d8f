// Routing rules: which department kind(s) at which level receive a petition category. Kept in
// config/routing-rules.json so the coordinator can change them; validated strictly at load and
// on every change (an invalid file never replaces the rules in use).
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../core/errors.ts';

const code = z.string().regex(/^[a-z][a-z0-9_]{1,31}$/, 'lower-case code, 2-32 characters');

export const categoryRuleSchema = z.strictObject({
  code,
  name: z.string().min(1).max(40),
  /** An icon name the terminal shows on the big button. */
  icon: z.string().min(1).max(40),
  /** Department kinds; the case waits in all of them and the first official to claim takes it. */
  departments: z.array(code).min(1).max(4),
  /** Level of the region that handles it; climbs to the next level up where no such office exists. */
  level: z.enum(['township', 'county', 'city']),
});
export type CategoryRule = z.infer<typeof categoryRuleSchema>;

export const routingRulesSchema = z
  .strictObject({
    version: z.number().int().min(1),
    /** Department kind that receives escalations when the case's own kind has no office above. */
    escalationDepartment: code,
    /** When a waiting petitioner is offered an appointment or call-back (overrides the service defaults). */
    waiting: z
      .strictObject({
        /** …after this long with no official of the office present, */
        offerAfterSeconds: z.number().int().min(10).max(86_400),
        /** …or as soon as the estimated wait is longer than this. */
        maxWaitSeconds: z.number().int().min(60).max(86_400),
      })
      .optional(),
    categories: z.array(categoryRuleSchema).min(1).max(100),
  })
  .superRefine((r, ctx) => {
    const seen = new Set<string>();
    for (const c of r.categories) {
      if (seen.has(c.code)) ctx.addIssue({ code: 'custom', message: `duplicate category ${c.code}`, path: ['categories'] });
      seen.add(c.code);
    }
  });
export type RoutingRules = z.infer<typeof routingRulesSchema>;

export const DEFAULT_RULES_FILE = path.resolve('config/routing-rules.json');

export function parseRoutingRules(raw: unknown): RoutingRules {
  const parsed = routingRulesSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError('bad_request', 'invalid routing rules', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  return parsed.data;
}

/**
 * The rules in use, backed by their file. Another server process (or the coordinator editing
 * the file) changes it; every read notices a new modification time and reloads. A file that no
 * longer validates is not taken: the rules in use stay, and `lastError` says why.
 */
export class RoutingRuleBook {
  private mtimeMs = 0;
  lastError: string | null = null;

  private constructor(
    private rules: RoutingRules,
    readonly file: string | null,
  ) {
    if (file) this.mtimeMs = fs.statSync(file).mtimeMs;
  }

  static fromFile(file = DEFAULT_RULES_FILE): RoutingRuleBook {
    return new RoutingRuleBook(parseRoutingRules(JSON.parse(fs.readFileSync(file, 'utf8'))), file);
  }

  static fromRules(rules: unknown): RoutingRuleBook {
    return new RoutingRuleBook(parseRoutingRules(rules), null);
  }

  get current(): RoutingRules {
    if (this.file) {
      try {
        const mtimeMs = fs.statSync(this.file).mtimeMs;
        if (mtimeMs !== this.mtimeMs) {
          this.mtimeMs = mtimeMs;
          this.reload();
        }
      } catch (err) {
        this.lastError ??= err instanceof Error ? err.message : String(err);
      }
    }
    return this.rules;
  }

  category(codeValue: string): CategoryRule {
    const rule = this.current.categories.find((c) => c.code === codeValue);
    if (!rule) throw new AppError('bad_request', `unknown petition category "${codeValue}"`, { reason: 'unknown_category' });
    return rule;
  }

  /** Validates, then replaces the rules (and the file, written atomically). */
  replace(raw: unknown): RoutingRules {
    const next = parseRoutingRules(raw);
    if (this.file) {
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`);
      fs.renameSync(tmp, this.file);
      this.mtimeMs = fs.statSync(this.file).mtimeMs;
    }
    this.rules = next;
    this.lastError = null;
    return next;
  }

  /** Re-reads the file; throws (and keeps the rules in use) if it does not validate. */
  reload(): RoutingRules {
    if (!this.file) return this.rules;
    try {
      this.rules = parseRoutingRules(JSON.parse(fs.readFileSync(this.file, 'utf8')));
      this.lastError = null;
    } catch (err) {
      this.lastError = err instanceof AppError ? `${err.message}: ${JSON.stringify(err.details)}` : err instanceof Error ? err.message : String(err);
      throw err;
    }
    return this.rules;
  }
}
