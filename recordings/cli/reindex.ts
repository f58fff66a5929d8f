// npm run archive:reindex [-- --data-dir DIR]
// Rebuilds the SQLite catalog from the session folders (manifests, bookmarks) and the audit log
// (seals, legal holds, deletion tombstones). Safe to run at any time; the catalog holds nothing
// that is not also in those files.
import { parseArgs } from 'node:util';
import { dataDirOf } from '../../server/core/config.ts';
import { Archive } from '../archive.ts';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' } } });
const archive = Archive.open({ dataDir: values['data-dir'] ?? dataDirOf() });
try {
  const r = archive.reindex();
  console.log(`catalog rebuilt from ${archive.root}: ${r.sessions} session(s), ${r.tombstones} tombstone(s), ${r.holds} legal hold(s), ${r.bookmarks} bookmark(s)`);
} finally {
  archive.close();
}
