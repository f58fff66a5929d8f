// The two dialects the store's tests run against: a fresh SQLite file, and a fresh database on
// the run's throw-away PostgreSQL cluster (global-setup.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StoreLocation } from '../../server/core/db.ts';
import { createTestDatabase } from './postgres.ts';

export type DialectCase = [name: 'sqlite' | 'postgres', fresh: (label: string) => Promise<StoreLocation>];

export const DIALECTS: DialectCase[] = [
  ['sqlite', async (label) => ({ dialect: 'sqlite', file: path.join(fs.mkdtempSync(path.join(os.tmpdir(), `sv-${label}-`)), 'app.db') })],
  ['postgres', async (label) => ({ dialect: 'postgres', url: await createTestDatabase(label) })],
];
