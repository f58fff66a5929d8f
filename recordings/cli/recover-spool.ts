// npm run archive:recover-spool -- --spool DIR [--data-dir DIR]
// A node that died and does not come back leaves the segments its recorders had not yet moved in
// its local spool (DATA_DIR/spool). Mount or copy that folder anywhere and run this with the
// cluster's settings (RECORDINGS_DIR, DATABASE_URL): every segment whose session is in the
// archive is moved there, hash-checked (what a restarting node does itself, Archive.recoverSpool).
// A session still recording lists them when it is stopped or sealed as interrupted; one sealed
// already keeps them beside its manifest, and archive:verify names each file.
import { parseArgs } from 'node:util';
import { openArchiveFromConfig } from './open.ts';

const { values } = parseArgs({ options: { spool: { type: 'string' }, 'data-dir': { type: 'string' } } });
if (!values.spool) {
  console.error('usage: npm run archive:recover-spool -- --spool <the dead node\'s DATA_DIR/spool> [--data-dir DIR]');
  process.exit(2);
}
const { archive, close } = await openArchiveFromConfig(values['data-dir'], { spoolDir: values.spool });
try {
  const moved = await archive.recoverSpool();
  for (const m of moved) console.log(`${m.sessionId}: ${m.files.length} segment(s) moved to the archive store: ${m.files.join(', ')}`);
  console.log(`spool recovery: ${moved.reduce((n, m) => n + m.files.length, 0)} segment(s) of ${moved.length} session(s) moved; left in ${values.spool}: what could not be placed (see the log)`);
} finally {
  await archive.close();
  await close();
}
