// When REDIS_URL is unset the product runs its own redis-server: loopback only, a free port,
// data under DATA_DIR/redis with AOF on, so a restart keeps queues and sessions.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Logger } from './log.ts';
import { diesWithParent } from './parent-death.ts';

export interface EmbeddedRedis {
  url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function startEmbeddedRedis(dataDir: string, log: Logger): Promise<EmbeddedRedis> {
  const dir = path.join(dataDir, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  const port = await freePort();
  // TERM when the node dies (even SIGKILLed): redis-server writes its AOF and exits instead of
  // holding DATA_DIR/redis against the restarted node.
  const child: ChildProcess = spawn(
    ...diesWithParent('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--appendonly', 'yes',
      '--appendfsync', 'everysec', '--save', '', '--daemonize', 'no', '--loglevel', 'warning'], 'TERM'),
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
  child.once('error', (err) => log.error({ err }, 'redis-server could not start (is it installed? run npm run setup)'));
  child.stderr?.on('data', (b: Buffer) => log.warn({ redis: b.toString().trim() }, 'redis-server'));
  child.stdout?.on('data', (b: Buffer) => log.debug({ redis: b.toString().trim() }, 'redis-server'));

  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (exited) throw new Error('embedded redis-server exited during start-up');
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined); // refusals are expected until the server listens
    try {
      await probe.connect();
      // AOF replay finishes before PING answers PONG instead of LOADING.
      if ((await probe.ping()) === 'PONG') { probe.disconnect(); break; }
    } catch {
      /* not up yet */
    }
    probe.disconnect();
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error('embedded redis-server did not start in 10 s'); }
    await new Promise((r) => setTimeout(r, 50));
  }
  log.info({ url, dir }, 'embedded redis-server started');
  return {
    url,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      await exitedPromise;
    },
  };
}
