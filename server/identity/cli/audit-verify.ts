// npm run audit:verify [-- --database-url URL | --data-dir DIR] [--json]
// Walks the system audit trail (table system_audit of the store DATABASE_URL names, or of
// DATA_DIR/app.db without one) from its first entry and names every entry that was altered,
// removed, inserted or reordered. Exit 0: intact; 1: broken; 2: usage or no trail.
// Read-only (no migration runs): it can run against a backup copy.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { Store, describeLocation, storeLocation } from '../../core/db.ts';
import { SystemAudit } from '../../core/system-audit.ts';

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({ options: { 'database-url': { type: 'string' }, 'data-dir': { type: 'string' }, json: { type: 'boolean', default: false } } }).values;
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const location = storeLocation(args['database-url'] ?? (process.env.DATABASE_URL || undefined), path.resolve(args['data-dir'] ?? (process.env.DATA_DIR || 'data')));
  if (location.dialect === 'sqlite' && !fs.existsSync(location.file)) {
    console.error(`no store at ${location.file}`);
    return 2;
  }
  const where = describeLocation(location);
  const store = await Store.open(location);
  try {
    let report;
    try {
      report = await new SystemAudit(store).verify();
    } catch (err) {
      console.error(`no audit trail in ${where}: ${(err as Error).message}`);
      return 2;
    }
    const { entries, problems } = report;
    if (args.json) console.log(JSON.stringify({ ok: problems.length === 0, entries, problems }, null, 2));
    else {
      for (const p of problems) console.log(`FAIL  entry ${p.line}${p.seq !== undefined ? ` (seq ${p.seq})` : ''}: ${p.problem}`);
      console.log(`${problems.length === 0 ? 'OK' : 'FAILED'}: ${where}: ${entries} entries, ${problems.length} problem(s)`);
    }
    return problems.length === 0 ? 0 : 1;
  } finally {
    await store.close();
  }
}

process.exitCode = await main();
