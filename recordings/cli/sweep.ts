// npm run archive:sweep [-- --data-dir DIR] [--dry-run]
// Deletes sessions whose retention period has ended and that are not under legal hold; each
// deletion leaves a tombstone (files and hashes, reason) in the audit log. Safe while the server
// runs: both append to the audit log under its lock file (server/core/audit-chain.ts).
import { parseArgs } from 'node:util';
import { openArchiveFromConfig } from './open.ts';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, 'dry-run': { type: 'boolean', default: false } } });
const { archive, close } = await openArchiveFromConfig(values['data-dir']);
try {
  if (values['dry-run']) {
    for (const row of await archive.catalog.expired(new Date().toISOString())) console.log(`would delete ${row.sessionId} (class ${row.retentionClass}, until ${row.retainUntil})`);
  } else {
    const deleted = await archive.sweepRetention();
    console.log(`retention sweep: ${deleted.length} session(s) deleted${deleted.length ? `: ${deleted.join(', ')}` : ''}`);
  }
} finally {
  await close();
}
