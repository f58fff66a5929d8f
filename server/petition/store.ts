// Opens the petition store on its own (tests, benches, the seed command): the node's store, the
// petition migrations, and (optionally) the seed directory. The server opens one store for all
// areas instead (server/app/services.ts).
import { Store, type StoreLocation } from '../core/db.ts';
import { petitionMigrations } from './migrations.ts';
import { DbPetitionRepository } from './repository.ts';
import { buildDirectory, type SeedOptions } from './seed.ts';

export interface PetitionStore {
  store: Store;
  repo: DbPetitionRepository;
  close(): Promise<void>;
}

/** `location`: a SQLite file path, or where DATABASE_URL points. */
export async function openPetitionStore(location: StoreLocation | string, opts: { seed?: SeedOptions | boolean } = {}): Promise<PetitionStore> {
  const store = await Store.open(typeof location === 'string' ? { dialect: 'sqlite', file: location } : location);
  await store.migrate(petitionMigrations);
  const repo = new DbPetitionRepository(store);
  if (opts.seed) await repo.importDirectory(buildDirectory(opts.seed === true ? {} : opts.seed));
  return { store, repo, close: () => store.close() };
}
