// Debian's coturn as a real TURN server for tests, configured by the same scripts/turn-conf.sh
// that scripts/setup.sh installs (so the tests exercise the deployed configuration): TURN REST
// shared secret (time-limited credentials: username `<expiry>:<id>`, password base64 HMAC-SHA1 of
// it), UDP and TCP on one free port on loopback, relaying to the SFU's address (loopback) only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { freePort } from './product-node.ts';

export interface TestTurn {
  /** `turn:127.0.0.1:<port>` (add `?transport=tcp` for TCP). */
  host: string;
  port: number;
  secret: string;
  realm: string;
  /** The UDP ports coturn relays from: what the SFU sees as the peer of a relayed client. */
  relayPorts: { min: number; max: number };
  /** TURN over TLS (`turns:127.0.0.1:<tlsPort>?transport=tcp`), when started with a certificate. */
  tlsPort: number | null;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startTestTurn(o: { secret?: string; realm?: string; tls?: { cert: string; key: string } } = {}): Promise<TestTurn> {
  const secret = o.secret ?? 'test-turn-secret-0123456789abcdef';
  const realm = o.realm ?? 'sv.test';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-turn-'));
  const port = await freePort();
  const tlsPort = o.tls ? await freePort() : null;
  const relayBase = 50000 + Math.floor(Math.random() * 10000);
  const conf = path.join(dir, 'turnserver.conf');
  const script = path.resolve(import.meta.dirname, '../turn-conf.sh');
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    TURN_SECRET: secret,
    TURN_URLS: `turn:127.0.0.1:${port}`,
    TURN_REALM: realm,
    TURN_PORT: String(port),
    TURN_LISTEN_IP: '127.0.0.1',
    TURN_PEER_IP: '127.0.0.1',
    TURN_RELAY_MIN_PORT: String(relayBase),
    TURN_RELAY_MAX_PORT: String(relayBase + 200),
    TURN_LOG_FILE: 'stdout',
    ...(o.tls && tlsPort ? { TURN_TLS_CERT: o.tls.cert, TURN_TLS_KEY: o.tls.key, TURN_TLS_PORT: String(tlsPort) } : {}),
  };
  fs.writeFileSync(conf, execFileSync('bash', [script], { env }));
  const child = spawn('turnserver', ['-c', conf, `--pidfile=${path.join(dir, 'turn.pid')}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  // Ready when its TCP listeners (plain, then TLS) accept.
  const deadline = Date.now() + 20_000;
  for (const listening of [port, ...(tlsPort ? [tlsPort] : [])])
  for (;;) {
    if (child.exitCode !== null) throw new Error(`turnserver exited: ${output}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(listening, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`turnserver not listening in time: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host: `127.0.0.1:${port}`,
    port,
    secret,
    realm,
    relayPorts: { min: relayBase, max: relayBase + 200 },
    tlsPort,
    child,
    async stop() {
      if (child.exitCode === null) {
        const gone = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        await gone;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
