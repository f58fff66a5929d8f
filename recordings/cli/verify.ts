// npm run archive:verify [-- --data-dir DIR] [--session ID] [--package FILE.tar] [--tsa-ca CA.pem] [--json]
// Re-hashes every segment (SHA-256 and SM3), checks every manifest against its seal, walks the
// audit chain, checks the seals' and checkpoints' signatures and their RFC 3161 tokens. It prints
// the fingerprints it trusted (archive keys, TSA CA): compare them with the published ones.
// Exit 0: intact. Exit 1: something altered or missing (each named). Exit 2: usage error.
// Read-only: it can run against a backup copy or write-protected media.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadToolConfig } from '../../server/core/config.ts';
import { verifyArchive, verifyPackage, type VerifyReport } from '../verify.ts';

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        'data-dir': { type: 'string' },
        session: { type: 'string' },
        package: { type: 'string' },
        // The TSA's CA as the records office got it from the TSA (default: the package's own copy,
        // or TSA_CA_FILE for the archive).
        'tsa-ca': { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  let rep: VerifyReport;
  let what: string;
  const caFile = args['tsa-ca'];
  if (caFile && !fs.existsSync(caFile)) {
    console.error(`--tsa-ca: ${caFile} does not exist`);
    return 2;
  }
  if (args.package) {
    what = `package ${args.package}`;
    rep = await verifyPackage(path.resolve(args.package), caFile ? { tsaCaPem: fs.readFileSync(caFile, 'utf8') } : {});
  } else {
    const config = loadToolConfig();
    const root = args['data-dir'] ? path.resolve(args['data-dir'], 'recordings') : config.recordingsDir;
    what = args.session ? `session ${args.session} in ${root}` : `archive ${root}`;
    const ca = caFile ?? config.TSA_CA_FILE;
    rep = await verifyArchive(root, { ...(args.session ? { sessionId: args.session } : {}), ...(ca ? { tsaCaPem: fs.readFileSync(ca, 'utf8') } : {}) });
  }
  if (args.json) {
    console.log(JSON.stringify(rep, null, 2));
  } else {
    for (const p of rep.problems) console.log(`${p.severity === 'error' ? 'FAIL' : 'warn'}  ${p.kind}${p.file ? `  ${p.file}` : ''}  ${p.message}`);
    for (const k of rep.trust?.keys ?? []) console.log(`trusted  ${k.alg} key ${k.keyId}  SHA-256 fingerprint ${k.fingerprintSha256}`);
    if (rep.trust?.tsaCa) console.log(`trusted  TSA CA (${rep.trust.tsaCa.source})  SHA-256 fingerprint ${rep.trust.tsaCa.fingerprintSha256}`);
    console.log(
      `${rep.ok ? 'OK' : 'FAILED'}: ${what}: ${rep.sessionsChecked} session(s), ${rep.segmentsChecked} segment(s), ` +
        `${rep.auditEntries} audit entries, ${rep.signaturesChecked ?? 0} signed statement(s), ${rep.timestampsChecked ?? 0} timestamp token(s), ` +
        `${rep.deleted.length} deleted with tombstone, ` +
        `${rep.problems.filter((p) => p.severity === 'error').length} error(s)`,
    );
  }
  return rep.ok ? 0 : 1;
}

process.exitCode = await main();
