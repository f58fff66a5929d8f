// A data directory written by the first, SQLite-only version opens with the new store: the
// migrations it already has are recognised, the new ones run, and its records read back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../server/core/db.ts';
import { petitionMigrations } from '../../server/petition/migrations.ts';
import { HouseholdRepository, householdMigrations, SEED } from '../../server/household/index.ts';
import { ARCHIVE_MIGRATIONS } from '../../recordings/catalog.ts';
import { DbPetitionRepository } from '../../server/petition/repository.ts';
import { DbRoutingRules } from '../../server/petition/routing-rules-store.ts';
import { readRulesFile, RoutingRuleBook } from '../../server/scheduler/routing-rules.ts';

// test/store/fixtures/v1-app.db: made by the first version (commit 1cee397): the seed directory,
// two cases claimed by 砀山县人社局 with 住建局 invited, the household demo.
const FIXTURE = path.resolve('test/store/fixtures/v1-app.db');

describe('a store from the first version', () => {
  it('migrates forward in place and keeps every record', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-upgrade-'));
    const file = path.join(dir, 'app.db');
    fs.copyFileSync(FIXTURE, file);
    const store = await Store.open({ dialect: 'sqlite', file });
    try {
      expect(await store.migrate([...petitionMigrations, ...householdMigrations, ...ARCHIVE_MIGRATIONS])).toEqual(['petition-004-participant-order', 'petition-005-case-life', 'petition-006-routing-rules', 'petition-007-cases-by-terminal-and-state', 'household-002-care', 'archive-001-sessions', 'archive-002-retention', 'archive-003-export-jobs']);
      const repo = new DbPetitionRepository(store);
      // The first version kept its routing rules in DATA_DIR, not here: the first open stores revision 1.
      const rules = await RoutingRuleBook.open(new DbRoutingRules(store), () => readRulesFile());
      expect([rules.revision, rules.category('wages').level]).toEqual([1, 'county']);
      expect((await repo.listTerminals()).length).toBe(513);
      const cases = await repo.listCases(['in_session']);
      expect(cases.map((c) => c.id)).toEqual(['XF20261121-000001', 'XF20261121-000002']);
      expect((await repo.listParticipants(cases[0]!.id)).map((p) => p.role)).toEqual(['lead', 'invited']);
      // The day's counter carries on where the first version stopped.
      const at = '2026-11-21T05:00:00.000Z';
      const next = await repo.createCase({ ...cases[0]!, state: 'registered', registeredAt: at }, { at, actorId: 'system', actorRole: 'system', type: 'registered' });
      expect(next.id).toBe('XF20261121-000003');
      // The household records of the first version read back through the new repository.
      const households = new HouseholdRepository(store);
      expect((await households.listHouseholds()).map((h) => h.id)).toEqual(Object.values(SEED.households).sort());
      expect((await households.getFamilyLink(SEED.households.zhang, SEED.family.liNa))?.permission).toBe('look-in');
      // Calls of the first version are calls to the home; its alerts survive the alerts table's rebuild.
      const calls = await households.listCalls(SEED.households.zhang, 50);
      expect(calls.every((c) => c.direction === 'to-home' && c.purpose === 'call' && c.callees.length === 0)).toBe(true);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
