// Routing rules: which department kind(s) at which level receive a petition category. Kept in
// config/routing-rules.json so the coordinator can change them; validated strictly at load and
// on every change (an invalid file never replaces the rules in use).
import fs from 'node:fs';
import path from 'node:path';
import { routingRulesSchema, type CategoryRule, type RoutingRules } from '../protocol/http/petition-shapes.ts';
import { AppError } from '../core/errors.ts';

export { categoryRuleSchema, routingRulesSchema } from '../protocol/http/petition-shapes.ts';
export type { CategoryRule, RoutingRules };

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
