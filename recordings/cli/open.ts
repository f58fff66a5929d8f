// The archive as the command-line tools see it: RECORDINGS_DIR (or DATA_DIR's recordings), the catalog in the
// store that DATABASE_URL names (unset: DATA_DIR/app.db), as the server would open them.
import { loadToolConfig } from '../../server/core/config.ts';
import { Store, storeLocation } from '../../server/core/db.ts';
import { Archive } from '../archive.ts';

export async function openArchiveFromConfig(dataDirArg?: string): Promise<{ archive: Archive; close(): Promise<void> }> {
  const config = loadToolConfig();
  const dataDir = dataDirArg ?? config.DATA_DIR;
  const store = await Store.open(storeLocation(config.DATABASE_URL, dataDir));
  // --data-dir names a whole data dir, recordings included; otherwise RECORDINGS_DIR as the server has it.
  const archive = await Archive.open({ dataDir, store, ...(dataDirArg ? {} : { recordingsDir: config.recordingsDir }) });
  return { archive, close: () => store.close() };
}
