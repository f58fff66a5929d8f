// Bench-only seed: extra petition terminals, written through the petition store's repository into
// a store file before the bench uses it (before the node starts, for a product node). The rule
// "one open petition per terminal" means N distinct waiting cases need N terminals; the demo
// directory has 88 per county.
import type { StoreLocation } from '../../server/core/db.ts';
import { buildDirectory } from '../../server/petition/seed.ts';
import { openPetitionStore } from '../../server/petition/store.ts';
import type { Terminal } from '../../server/petition/types.ts';

/**
 * Seeds the demo directory plus `count` village terminals, spread in turn over the villages of
 * `counties`, into the store at `location` (a SQLite file path, or a location); returns them in order. `tag` keeps several sets apart.
 */
export async function seedBenchTerminals(location: StoreLocation | string, count: number, counties: readonly string[], tag = 'B'): Promise<Terminal[]> {
  const dir = buildDirectory();
  const villagesOf = counties.map((c) => dir.regions.filter((r) => r.level === 'village' && r.code.startsWith(c)));
  if (villagesOf.some((v) => v.length === 0)) throw new Error(`no villages in one of ${counties.join(', ')}`);
  const terminals: Terminal[] = [...Array(count).keys()].map((i) => {
    const villages = villagesOf[i % counties.length]!;
    const v = villages[Math.floor(i / counties.length) % villages.length]!;
    return { id: `T${tag}-${String(i + 1).padStart(5, '0')}`, name: `${v.name}压测终端${i + 1}`, level: 'village', regionCode: v.code, parentRegionCode: v.parentCode };
  });
  const store = await openPetitionStore(location, { seed: true });
  try {
    await store.repo.importDirectory({ regions: [], terminals, departments: [], officials: [], receptionDays: [] });
  } finally {
    await store.close();
  }
  return terminals;
}
