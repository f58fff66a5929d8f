// The routing rules' revisions in the store every node shares (table petition_routing_rules,
// migration petition-006): each change is a new row, so which rules were in force when stays on record.
import type { Kysely } from 'kysely';
import type { Store } from '../core/db.ts';
import type { RoutingRules, RoutingRulesStore, RulesRevision } from '../scheduler/routing-rules.ts';

interface RulesTables {
  petition_routing_rules: { revision: number; rules_json: string; changed_by: string; changed_at: string };
}

export class DbRoutingRules implements RoutingRulesStore {
  readonly #db: Kysely<RulesTables>;

  constructor(store: Store) {
    this.#db = store.db<RulesTables>();
  }

  async latestRevision(): Promise<number> {
    const r = await this.#db.selectFrom('petition_routing_rules').select((eb) => eb.fn.max('revision').as('revision')).executeTakeFirst();
    return Number(r?.revision ?? 0);
  }

  async latest(): Promise<RulesRevision | undefined> {
    const r = await this.#db.selectFrom('petition_routing_rules').select(['revision', 'rules_json']).orderBy('revision', 'desc').limit(1).executeTakeFirst();
    return r && { revision: Number(r.revision), rules: JSON.parse(r.rules_json) as unknown };
  }

  async append(revision: number, rules: RoutingRules, changedBy: string, changedAt: string): Promise<boolean> {
    const r = await this.#db
      .insertInto('petition_routing_rules')
      .values({ revision, rules_json: JSON.stringify(rules), changed_by: changedBy, changed_at: changedAt })
      .onConflict((oc) => oc.column('revision').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }
}
