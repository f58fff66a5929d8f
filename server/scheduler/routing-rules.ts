// Routing rules: which department kind(s) at which level receive a petition category. Kept in the
// store every node shares, one revision per change (which rules routed a case stays on record), so a
// change made through one node routes the next petition on every node. Validated strictly on every
// change and every load: a revision that does not validate never replaces the rules in use.
import fs from 'node:fs';
import path from 'node:path';
import { routingRulesSchema, type CategoryRule, type RoutingRules } from '../protocol/http/petition-shapes.ts';
import { AppError } from '../core/errors.ts';

export { categoryRuleSchema, routingRulesSchema } from '../protocol/http/petition-shapes.ts';
export type { CategoryRule, RoutingRules };

/** The rules a new store starts with (the city's defaults, in the repository). */
export const DEFAULT_RULES_FILE = path.resolve('config/routing-rules.json');

export function parseRoutingRules(raw: unknown): RoutingRules {
  const parsed = routingRulesSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError('bad_request', 'invalid routing rules', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  return parsed.data;
}

export function readRulesFile(file = DEFAULT_RULES_FILE): RoutingRules {
  return parseRoutingRules(JSON.parse(fs.readFileSync(file, 'utf8')));
}

/** What the system audit trail records of a change: each category's route. */
export function rulesChangeDetails(rules: RoutingRules): { setting: 'routing-rules'; categories: string[] } {
  return { setting: 'routing-rules', categories: rules.categories.map((c) => `${c.code}→${c.departments.join('+')}@${c.level}`) };
}

/** One stored revision of the rules (`rules` as stored: validated again when loaded). */
export interface RulesRevision {
  revision: number;
  rules: unknown;
}

/** Where the revisions are kept (server/petition/routing-rules-store.ts; in this process for benches: `inMemory`). */
export interface RoutingRulesStore {
  latestRevision(): Promise<number>;
  latest(): Promise<RulesRevision | undefined>;
  /** Adds `revision`; false when another node added that revision first. */
  append(revision: number, rules: RoutingRules, changedBy: string, changedAt: string): Promise<boolean>;
}

/**
 * The rules in use on this node: read synchronously by routing, refreshed from the store when a
 * node says they changed (and at every petition sweep, should that message be lost). A revision
 * that no longer validates (edited by hand in the database) is not taken: the rules in use stay,
 * and `lastError` says why.
 */
export class RoutingRuleBook {
  #rules: RoutingRules;
  #revision: number;
  #refreshing: Promise<void> | undefined;
  lastError: string | null = null;

  private constructor(
    private readonly store: RoutingRulesStore,
    first: RulesRevision & { rules: RoutingRules },
  ) {
    this.#rules = first.rules;
    this.#revision = first.revision;
  }

  /** The store's latest revision; a store without any starts with `seed` as revision 1. */
  static async open(store: RoutingRulesStore, seed: () => RoutingRules = () => readRulesFile()): Promise<RoutingRuleBook> {
    let latest = await store.latest();
    if (!latest) {
      // Two nodes starting on a new store at once: one revision 1, the other reads it.
      await store.append(1, parseRoutingRules(seed()), 'system', new Date().toISOString());
      latest = (await store.latest())!;
    }
    return new RoutingRuleBook(store, { revision: latest.revision, rules: parseRoutingRules(latest.rules) });
  }

  /** Rules held in this process only (benches, tests of routing alone). */
  static inMemory(rules: unknown = readRulesFile()): Promise<RoutingRuleBook> {
    return RoutingRuleBook.open(memoryRules(), () => parseRoutingRules(rules));
  }

  get current(): RoutingRules {
    return this.#rules;
  }

  /** The store's revision of the rules in use. */
  get revision(): number {
    return this.#revision;
  }

  category(codeValue: string): CategoryRule {
    const rule = this.#rules.categories.find((c) => c.code === codeValue);
    if (!rule) throw new AppError('bad_request', `unknown petition category "${codeValue}"`, { reason: 'unknown_category' });
    return rule;
  }

  /** Validates, then stores the rules as the next revision and uses them (a whole replacement: the last one stored wins). */
  async replace(raw: unknown, changedBy: string): Promise<RoutingRules> {
    const next = parseRoutingRules(raw);
    for (let revision = Math.max(this.#revision, await this.store.latestRevision()) + 1; ; revision++) {
      if (await this.store.append(revision, next, changedBy, new Date().toISOString())) {
        this.#rules = next;
        this.#revision = revision;
        this.lastError = null;
        return next;
      }
    }
  }

  /** Takes a newer revision from the store, if there is one (one at a time); none is read when the `announced` one is held already. */
  refresh(announced?: number): Promise<void> {
    if (announced !== undefined && announced <= this.#revision) return Promise.resolve();
    this.#refreshing ??= this.#refresh().finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  async #refresh(): Promise<void> {
    if ((await this.store.latestRevision()) <= this.#revision) return;
    const latest = await this.store.latest();
    if (!latest || latest.revision <= this.#revision) return;
    try {
      this.#rules = parseRoutingRules(latest.rules);
      this.#revision = latest.revision;
      this.lastError = null;
    } catch (err) {
      this.lastError = err instanceof AppError ? `revision ${latest.revision}: ${err.message}: ${JSON.stringify(err.details)}` : String(err);
    }
  }
}

/** Revisions in this process only. */
function memoryRules(): RoutingRulesStore {
  const revisions: RulesRevision[] = [];
  return {
    latestRevision: async () => revisions.at(-1)?.revision ?? 0,
    latest: async () => revisions.at(-1),
    async append(revision, rules) {
      if (revisions.some((r) => r.revision === revision)) return false;
      revisions.push({ revision, rules: structuredClone(rules) });
      revisions.sort((a, b) => a.revision - b.revision);
      return true;
    },
  };
}
