// Bench-only seed: extra petition terminals in one county, written through the petition store's
// repository into a node's data directory before the node starts. The rule "one open petition per
// terminal" means N distinct waiting cases need N terminals; the demo directory has 88 per county.
import path from 'node:path';
import { buildDirectory } from '../../server/petition/seed.ts';
import { openPetitionStore } from '../../server/petition/store.ts';
import type { Terminal } from '../../server/petition/types.ts';

/**
 * Seeds the demo directory plus `count` village terminals spread over the villages of `countyCode`
 * into `dataDir/app.db` (the node's default store) and returns their ids, in order.
 */
export async function seedBenchTerminals(dataDir: string, countyCode: string, count: number): Promise<string[]> {
  const dir = buildDirectory();
  const villages = dir.regions.filter((r) => r.level === 'village' && r.code.startsWith(countyCode));
  if (villages.length === 0) throw new Error(`no villages in county ${countyCode}`);
  const terminals: Terminal[] = [...Array(count).keys()].map((i) => {
    const v = villages[i % villages.length]!;
    return { id: `TB${countyCode}-${String(i + 1).padStart(5, '0')}`, name: `${v.name}压测终端${i + 1}`, level: 'village', regionCode: v.code, parentRegionCode: v.parentCode };
  });
  const store = await openPetitionStore(path.join(dataDir, 'app.db'), { seed: true });
  try {
    await store.repo.importDirectory({ regions: [], terminals, departments: [], officials: [], receptionDays: [] });
  } finally {
    await store.close();
  }
  return terminals.map((t) => t.id);
}
