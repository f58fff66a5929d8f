// `npm run seed [-- --db <file>]`: loads the Suzhou-like directory into the store (idempotent).
import { dataDirOf } from '../core/config.ts';
import { buildDirectory } from './seed.ts';
import { openPetitionStore, petitionDbFile } from './store.ts';

const i = process.argv.indexOf('--db');
const file = i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : petitionDbFile(dataDirOf());
const dir = buildDirectory();
const store = openPetitionStore(file);
store.repo.importDirectory(dir);
store.close();
const byLevel = (l: string) => dir.terminals.filter((t) => t.level === l).length;
console.log(
  `seeded ${file}: ${dir.regions.length} regions, ${dir.terminals.length} terminals ` +
    `(市 ${byLevel('city')}, 县区 ${byLevel('county')}, 乡镇 ${byLevel('township')}, 村 ${byLevel('village')}), ` +
    `${dir.departments.length} departments, ${dir.officials.length} officials, ${dir.receptionDays.length} reception days`,
);
