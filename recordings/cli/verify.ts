// npm run archive:verify [-- --data-dir DIR] [--session ID] [--package FILE.tar] [--json]
// Re-hashes every segment, checks every manifest against its seal, walks the audit chain.
// Exit 0: intact. Exit 1: something altered or missing (each named). Exit 2: usage error.
// Read-only: it can run against a backup copy or write-protected media.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../server/core/config.ts';
import { verifyArchive, verifyPackage, type VerifyReport } from '../verify.ts';

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        'data-dir': { type: 'string' },
        session: { type: 'string' },
        package: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  let rep: VerifyReport;
  let what: string;
  if (args.package) {
    what = `package ${args.package}`;
    rep = await verifyPackage(path.resolve(args.package));
  } else {
    const root = args['data-dir'] ? path.resolve(args['data-dir'], 'recordings') : loadConfig().recordingsDir;
    what = args.session ? `session ${args.session} in ${root}` : `archive ${root}`;
    rep = await verifyArchive(root, args.session ? { sessionId: args.session } : {});
  }
  if (args.json) {
    console.log(JSON.stringify(rep, null, 2));
  } else {
    for (const p of rep.problems) console.log(`${p.severity === 'error' ? 'FAIL' : 'warn'}  ${p.kind}  ${p.message}`);
    console.log(
      `${rep.ok ? 'OK' : 'FAILED'}: ${what}: ${rep.sessionsChecked} session(s), ${rep.segmentsChecked} segment(s), ` +
        `${rep.auditEntries} audit entries, ${rep.deleted.length} deleted with tombstone, ` +
        `${rep.problems.filter((p) => p.severity === 'error').length} error(s)`,
    );
  }
  return rep.ok ? 0 : 1;
}

process.exitCode = await main();
