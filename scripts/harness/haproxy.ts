// Debian's HAProxy in front of product nodes for tests, configured by the same
// scripts/haproxy-conf.sh that docs/deployment.md gives operators (so the failover test runs the
// documented configuration), with a plain-HTTP entry on a free loopback port instead of TLS.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './product-node.ts';

export interface TestHaproxy {
  /** The entry URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `nodes`: name → the node's URL. `port`: the entry port (a free one when not given). Resolves once a node answers through it. */
export async function startTestHaproxy(nodes: Record<string, string>, o: { port?: number } = {}): Promise<TestHaproxy> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-haproxy-'));
  const port = o.port ?? (await freePort());
  const conf = path.join(dir, 'haproxy.cfg');
  const script = path.resolve(import.meta.dirname, '../haproxy-conf.sh');
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HAPROXY_BIND: `127.0.0.1:${port}`,
    HAPROXY_MAXCONN: '1000', // within a test process's open-files limit
    HAPROXY_NODES: Object.entries(nodes).map(([name, url]) => `${name}=${new URL(url).host}`).join(','),
  };
  fs.writeFileSync(conf, execFileSync('bash', [script], { env }));
  // -db: in the foreground, no daemon; -W: master-worker (the worker leaves with the master).
  const child = spawn('haproxy', ['-db', '-W', '-f', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited (${child.exitCode}): ${output}`);
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`haproxy did not pass a request to a node in 15 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
