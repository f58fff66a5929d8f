// npm run archive:reindex [-- --data-dir DIR]
// Rebuilds the catalog (in the store DATABASE_URL names) from the session folders (manifests,
// bookmarks) and the audit log (seals, legal holds, deletion tombstones). Safe to run at any
// time; the catalog holds nothing that is not also in those files. With a shared PostgreSQL,
// every node's sessions must be in this DATA_DIR's recordings/ (docs/store.md).
import { parseArgs } from 'node:util';
import { openArchiveFromConfig } from './open.ts';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' } } });
const { archive, close } = await openArchiveFromConfig(values['data-dir']);
try {
  const r = await archive.reindex();
  console.log(`catalog rebuilt from ${archive.root}: ${r.sessions} session(s), ${r.tombstones} tombstone(s), ${r.holds} legal hold(s), ${r.bookmarks} bookmark(s)`);
} finally {
  await close();
}
