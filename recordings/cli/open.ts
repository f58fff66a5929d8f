// The archive as the command-line tools see it: RECORDINGS_DIR (or DATA_DIR's recordings), the catalog in the
// store that DATABASE_URL names (unset: DATA_DIR/app.db), as the server would open them.
import { loadToolConfig } from '../../server/core/config.ts';
import { Store, storeLocation } from '../../server/core/db.ts';
import { Archive } from '../archive.ts';

/** `spoolDir`: a spool other than this node's (that of a node that does not come back). */
export async function openArchiveFromConfig(dataDirArg?: string, o: { spoolDir?: string } = {}): Promise<{ archive: Archive; close(): Promise<void> }> {
  const config = loadToolConfig();
  const dataDir = dataDirArg ?? config.DATA_DIR;
  const store = await Store.open(storeLocation(config.DATABASE_URL, dataDir));
  // --data-dir names a whole data dir, recordings included; otherwise RECORDINGS_DIR as the server has it.
  const archive = await Archive.open({ dataDir, store, ...(dataDirArg ? {} : { recordingsDir: config.recordingsDir }), ...(o.spoolDir ? { spoolDir: o.spoolDir } : {}) });
  return { archive, close: () => store.close() };
}
