// Opens the petition store: the SQLite file, its migrations, and (optionally) the seed directory.
import path from 'node:path';
import { migrate, openDb, type Db } from '../core/db.ts';
import { petitionMigrations } from './migrations.ts';
import { SqlitePetitionRepository } from './repository.ts';
import { buildDirectory, type SeedOptions } from './seed.ts';

export const petitionDbFile = (dataDir: string) => path.join(dataDir, 'app.db');

export interface PetitionStore {
  db: Db;
  repo: SqlitePetitionRepository;
  close(): void;
}

export function openPetitionStore(file: string, opts: { seed?: SeedOptions | boolean } = {}): PetitionStore {
  const db = openDb(file);
  migrate(db, petitionMigrations);
  const repo = new SqlitePetitionRepository(db);
  if (opts.seed) repo.importDirectory(buildDirectory(opts.seed === true ? {} : opts.seed));
  return { db, repo, close: () => db.close() };
}
