// A redis-server of a test's own, to kill and bring back: the same port and data dir (AOF on,
// `appendfsync everysec`, as the product's embedded Redis), so a restart finds what was durable.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { testRedis } from './redis-client.ts';
import { freePort } from '../../scripts/harness/product-node.ts';

export interface RedisProcess {
  url: string;
  /** SIGKILL: no shutdown save, the last second of AOF may be lost. */
  kill(): Promise<void>;
  /** SIGSTOP: a frozen Redis host — connections stay open, nothing is answered — until `resume`. */
  pause(): void;
  /** SIGCONT after `pause`. */
  resume(): void;
  /** Starts it again on the same port and data dir; resolves once it answers PING. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** How many `command`s (lower case, e.g. "ping") the server has run so far, asked synchronously from another client: the caller's event loop stays busy. */
  served(command: string): number;
}

export async function startRedisProcess(): Promise<RedisProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const start = async () => {
    const proc = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--loglevel', 'warning'], {
      stdio: 'ignore',
    });
    child = proc;
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`redis-server exited (${proc.exitCode}) while starting`);
      const probe = testRedis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      const ok = await probe.connect().then(() => probe.ping(), () => undefined).catch(() => undefined);
      probe.disconnect();
      if (ok === 'PONG') return;
      if (Date.now() > deadline) throw new Error('redis-server did not answer in 15 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const signal = async (sig: NodeJS.Signals) => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise((r) => proc.once('exit', r));
    proc.kill(sig);
    await gone;
  };
  await start();
  return {
    url,
    kill: () => signal('SIGKILL'),
    served: (command) => {
      const info = execFileSync('redis-cli', ['-u', url, 'INFO', 'commandstats'], { encoding: 'utf8' });
      return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
    },
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    start,
    async stop() {
      child?.kill('SIGCONT'); // a paused one would not act on SIGTERM
      await signal('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
