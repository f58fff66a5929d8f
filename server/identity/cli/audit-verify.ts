// npm run audit:verify [-- --data-dir DIR] [--json]
// Walks the system audit trail (DATA_DIR/audit/system.jsonl) from its first entry and names every
// entry that was altered, removed, inserted or reordered. Exit 0: intact; 1: broken; 2: usage.
// Read-only: it can run against a backup copy.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { SystemAudit, systemAuditFile } from '../../core/system-audit.ts';

function main(): number {
  let args;
  try {
    args = parseArgs({ options: { 'data-dir': { type: 'string' }, json: { type: 'boolean', default: false } } }).values;
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const file = systemAuditFile(args['data-dir'] ?? (process.env.DATA_DIR || path.resolve('data')));
  if (!fs.existsSync(file)) {
    console.error(`no audit trail at ${file}`);
    return 2;
  }
  const { entries, problems } = new SystemAudit(file).verify();
  if (args.json) console.log(JSON.stringify({ ok: problems.length === 0, entries, problems }, null, 2));
  else {
    for (const p of problems) console.log(`FAIL  line ${p.line}${p.seq !== undefined ? ` (seq ${p.seq})` : ''}: ${p.problem}`);
    console.log(`${problems.length === 0 ? 'OK' : 'FAILED'}: ${file}: ${entries} entries, ${problems.length} problem(s)`);
  }
  return problems.length === 0 ? 0 : 1;
}

process.exitCode = main();
