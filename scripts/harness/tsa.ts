// A real RFC 3161 time-stamp authority for tests: Debian's `openssl ts -reply` behind a tiny HTTP
// endpoint (POST application/timestamp-query → application/timestamp-reply), with its own CA and
// a TSA certificate (extendedKeyUsage timeStamping, critical) made at start. `stop()` takes it
// down so a test can show what the product does while the TSA is unreachable; `start()` again
// brings it back on the same port.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestTsa {
  url: string;
  /** PEM of the CA that issued the TSA certificate (what a verifier trusts). */
  caCertPem: string;
  /** PEM of the TSA's own certificate. */
  tsaCertPem: string;
  /** Tokens issued so far. */
  readonly issued: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

const CONFIG = (dir: string) => `
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = placeholder
[ ca_ext ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ tsa_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = ${dir}
serial = ${dir}/serial
crypto_device = builtin
signer_cert = ${dir}/tsa.crt
certs = ${dir}/ca.crt
signer_key = ${dir}/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.5
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`;

export async function startTestTsa(): Promise<TestTsa> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-tsa-'));
  const cnf = path.join(dir, 'tsa.cnf');
  fs.writeFileSync(cnf, CONFIG(dir));
  fs.writeFileSync(path.join(dir, 'serial'), '01\n');
  const ssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  await ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt',
    '-days', '3650', '-subj', '/CN=Test Time-Stamp CA', '-config', cnf, '-extensions', 'ca_ext');
  await ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'tsa.key', '-out', 'tsa.csr', '-subj', '/CN=Test TSA', '-config', cnf);
  await ssl('x509', '-req', '-in', 'tsa.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'tsa.crt', '-days', '3650',
    '-extfile', cnf, '-extensions', 'tsa_ext');

  let issued = 0;
  let seq = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.headers['content-type'] !== 'application/timestamp-query') {
        res.writeHead(400).end();
        return;
      }
      const n = ++seq;
      const q = path.join(dir, `q${n}.tsq`);
      const r = path.join(dir, `r${n}.tsr`);
      fs.writeFileSync(q, Buffer.concat(chunks));
      run('openssl', ['ts', '-reply', '-config', cnf, '-queryfile', q, '-out', r], { cwd: dir }).then(
        () => {
          issued++;
          res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(fs.readFileSync(r));
          fs.rmSync(q, { force: true });
          fs.rmSync(r, { force: true });
        },
        () => res.writeHead(500).end(),
      );
    });
  });
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  await listen();
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return {
    url: `http://127.0.0.1:${port}/tsa`,
    caCertPem: fs.readFileSync(path.join(dir, 'ca.crt'), 'utf8'),
    tsaCertPem: fs.readFileSync(path.join(dir, 'tsa.crt'), 'utf8'),
    get issued() {
      return issued;
    },
    stop,
    start: listen,
    async close() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
