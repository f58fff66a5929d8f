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

/**
 * The port is picked free, then handed to redis-server: another process can take it in between
 * (a client socket's ephemeral port, a second node starting). redis-server then exits without
 * binding, and a new port is tried; and the probe checks it reached this redis-server (its
 * process id), not another one that listens there.
 */
export async function startEmbeddedRedis(dataDir: string, log: Logger, pickPort: () => Promise<number> = freePort): Promise<EmbeddedRedis> {
  const dir = path.join(dataDir, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  for (let attempt = 1; ; attempt++) {
    const started = await startOn(await pickPort(), dir, log);
    if (started !== 'port taken') return started;
    if (attempt >= 5) throw new Error('embedded redis-server could not bind a free port in 5 attempts');
    log.warn({ attempt }, 'embedded redis-server | port taken meanwhile, trying another');
  }
}

async function startOn(port: number, dir: string, log: Logger): Promise<EmbeddedRedis | 'port taken'> {
  // TERM when the node dies (even SIGKILLed): redis-server writes its AOF and exits instead of
  // holding DATA_DIR/redis against the restarted node.
  const child: ChildProcess = spawn(
    ...diesWithParent('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--appendonly', 'yes',
      '--appendfsync', 'everysec', '--save', '', '--daemonize', 'no', '--loglevel', 'warning'], 'TERM'),
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let exited = false;
  let stderr = '';
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
  child.once('error', (err) => log.error({ err }, 'redis-server could not start (is it installed? run npm run setup)'));
  child.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString();
    log.warn({ redis: b.toString().trim() }, 'redis-server');
  });
  child.stdout?.on('data', (b: Buffer) => {
    stderr += b.toString();
    log.debug({ redis: b.toString().trim() }, 'redis-server');
  });

  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (exited) {
      if (/Address already in use|bind/i.test(stderr)) return 'port taken';
      throw new Error(`embedded redis-server exited during start-up: ${stderr.trim().slice(-300)}`);
    }
    // Timeouts: something else listening there may accept the connection and never answer.
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000, commandTimeout: 1000 });
    probe.on('error', () => undefined); // refusals are expected until the server listens
    try {
      await probe.connect();
      // AOF replay finishes before PING answers PONG instead of LOADING.
      if ((await probe.ping()) === 'PONG') {
        const pid = /process_id:(\d+)/.exec(await probe.info('server'))?.[1];
        probe.disconnect();
        if (Number(pid) === child.pid) break;
        // Another redis-server listens there: ours cannot bind and exits.
        child.kill('SIGKILL');
        await exitedPromise;
        return 'port taken';
      }
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
