// npm run archive:sweep [-- --data-dir DIR] [--dry-run]
// Deletes sessions whose retention period has ended and that are not under legal hold; each
// deletion leaves a tombstone (files and hashes, reason) in the audit log.
import { parseArgs } from 'node:util';
import { dataDirOf } from '../../server/core/config.ts';
import { Archive } from '../archive.ts';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, 'dry-run': { type: 'boolean', default: false } } });
const archive = Archive.open({ dataDir: values['data-dir'] ?? dataDirOf() });
try {
  if (values['dry-run']) {
    for (const row of archive.catalog.expired(new Date().toISOString())) console.log(`would delete ${row.sessionId} (class ${row.retentionClass}, until ${row.retainUntil})`);
  } else {
    const deleted = archive.sweepRetention();
    console.log(`retention sweep: ${deleted.length} session(s) deleted${deleted.length ? `: ${deleted.join(', ')}` : ''}`);
  }
} finally {
  archive.close();
}
