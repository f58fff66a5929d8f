// `npm run seed [-- --db <sqlite file>]`: loads the Suzhou-like directory into the store that
// DATABASE_URL names (default: DATA_DIR/app.db). Idempotent.
import { loadToolConfig } from '../core/config.ts';
import { describeLocation, storeLocation } from '../core/db.ts';
import { buildDirectory } from './seed.ts';
import { openPetitionStore } from './store.ts';

const i = process.argv.indexOf('--db');
const config = loadToolConfig();
const location = i > 0 && process.argv[i + 1] ? storeLocation(`sqlite:${process.argv[i + 1]}`, config.DATA_DIR) : storeLocation(config.DATABASE_URL, config.DATA_DIR);
const dir = buildDirectory();
const store = await openPetitionStore(location);
await store.repo.importDirectory(dir);
await store.close();
const byLevel = (l: string) => dir.terminals.filter((t) => t.level === l).length;
console.log(
  `seeded ${describeLocation(location)}: ${dir.regions.length} regions, ${dir.terminals.length} terminals ` +
    `(市 ${byLevel('city')}, 县区 ${byLevel('county')}, 乡镇 ${byLevel('township')}, 村 ${byLevel('village')}), ` +
    `${dir.departments.length} departments, ${dir.officials.length} officials, ${dir.receptionDays.length} reception days`,
);
