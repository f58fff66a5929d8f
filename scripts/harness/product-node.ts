// One product node as its own process (`server/main.ts`), the way it is deployed: benchmarks and
// fault tests start it, talk to it over HTTP and socket.io, and can kill it. Development mode, so
// `POST /dev/token` mints the tokens a bench needs.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { freeRtcPorts } from './rtc-ports.ts';
import type { HealthReport } from '../../server/protocol/http/ops.ts';

/** The scrape token harness nodes share unless told otherwise: the detailed /healthz needs it. */
export const HARNESS_METRICS_TOKEN = 'harness-scrape-token-0123456789abcdef';

export interface ProductNode {
  url: string;
  dataDir: string;
  child: ChildProcess;
  /** The detailed /healthz (with the node's METRICS_TOKEN): workers and their pids, live nodes, alarms. */
  health(): Promise<HealthReport>;
  /** A token from the node's development endpoint. */
  token(req: { sub: string; name?: string; role: string; rooms: string[]; attributes?: Record<string, string> }): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function startProductNode(env: Record<string, string> = {}, o: { readyTimeoutMs?: number; nodeArgs?: string[] } = {}): Promise<ProductNode> {
  const dataDir = env.DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sv-node-'));
  // A given PORT restarts a node where its clients expect it.
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const rtc = await freeRtcPorts(900);
  // nodeArgs: e.g. `--cpu-prof --cpu-prof-dir DIR` (a bench profiling the node; written on its exit).
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), '--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      RTC_LISTEN_IP: '127.0.0.1',
      RTC_PORT_BASE: String(rtc.base),
      RTC_MIN_PORT: String(rtc.min),
      RTC_MAX_PORT: String(rtc.max),
      LOG_LEVEL: process.env.NODE_LOG_LEVEL ?? 'warn',
      METRICS_TOKEN: HARNESS_METRICS_TOKEN,
      ...env,
    },
    // NODE_LOG_LEVEL=debug shows the node's log (stdout) with the test's output.
    stdio: ['ignore', process.env.NODE_LOG_LEVEL ? 'inherit' : 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`product node exited (${code}) before it was ready`))));
  exited.catch(() => undefined);
  const deadline = Date.now() + (o.readyTimeoutMs ?? 60_000);
  // Ready is what a load balancer would see: /healthz answering.
  for (;;) {
    const ok = await Promise.race([fetch(`${url}/healthz`).then((r) => r.ok, () => false), exited]);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`product node at ${url} not ready in time`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    dataDir,
    child,
    async health() {
      const res = await fetch(`${url}/healthz`, { headers: { authorization: `Bearer ${env.METRICS_TOKEN ?? HARNESS_METRICS_TOKEN}` } });
      const body = (await res.json()) as { data?: HealthReport };
      if (!body.data) throw new Error(`no detailed health from ${url}: ${JSON.stringify(body)}`);
      return body.data;
    },
    async token(req) {
      const res = await fetch(`${url}/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          sub: req.sub,
          name: req.name ?? req.sub,
          role: req.role,
          grant: { rooms: req.rooms, canPublish: true, canSubscribe: true, sources: ['camera', 'microphone'] },
          ...(req.attributes ? { attributes: req.attributes } : {}),
        }),
      });
      const body = (await res.json()) as { ok: boolean; data?: { token: string } };
      if (!body.ok || !body.data) throw new Error(`dev token refused: ${JSON.stringify(body)}`);
      return body.data.token;
    },
    async stop(signal = 'SIGTERM') {
      // Gone already (exited, or killed by a signal): nothing to wait for.
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill(signal);
        await gone;
      }
      if (!env.DATA_DIR) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
