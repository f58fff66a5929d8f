// The ops area (server/protocol/http/ops.ts): GET /healthz — 200 when Redis answers and every
// mediasoup worker is alive, else 503, and 503 while the node stops; `status: degraded` with what
// is wrong when a part works but not as it should (a recordings-storage alarm, the archive's
// TSA); the report's detail only for inside callers — and GET /metrics for Prometheus, inside
// callers only. Mounted on the public listener (inside = the scrape token) and on the internal
// one (everyone who reaches it is inside).
import type { Request, Router } from 'express';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { TokenIssuer } from '../../auth/grants.ts';
import { createAreaRouter } from '../../core/http/area-router.ts';
import { opsArea, type HealthReport } from '../../protocol/http/ops.ts';
import type { WorkerPool } from '../../../sfu/worker-pool.ts';

/** What the node learns only once it is up (services, routing); read at each request. */
export interface NodeHealth {
  storageAlarms(): HealthReport['storage'];
  nodes(): Promise<HealthReport['nodes']>;
  stopping(): boolean;
  /** Parts that work, but not as they should (e.g. the archive's TSA): reported, not a 503. */
  degraded(): HealthReport['degraded'];
}

export interface OpsDeps {
  redis: Redis;
  pool: WorkerPool;
  nodeId: string;
  metrics: Registry;
  tokens: TokenIssuer;
  health: NodeHealth;
  /** Is this caller inside (internal listener, scrape token)? */
  internal: (req: Request) => boolean;
}

const REDIS_PROBE_MS = 1000;

export function createOpsRouter(d: OpsDeps): Router {
  const withinProbe = <T>(p: Promise<T>, fallback: T) =>
    Promise.race([p.catch(() => fallback), new Promise<T>((resolve) => setTimeout(() => resolve(fallback), REDIS_PROBE_MS).unref())]);
  return createAreaRouter(
    opsArea,
    {
      'ops.health': async ({ req, res }) => {
        const redisOk = await withinProbe(d.redis.ping().then((r) => r === 'PONG'), false);
        const healthy = redisOk && d.pool.allAlive() && !d.health.stopping();
        if (!d.internal(req)) {
          res.status(healthy ? 200 : 503).json({ ok: healthy });
          return;
        }
        const nodes = await withinProbe(d.health.nodes(), []);
        const workers = d.pool.slots.map((s) => ({ index: s.index, pid: s.worker.pid, alive: !s.worker.closed, routers: s.routers }));
        const storage = d.health.storageAlarms();
        const degraded = [...storage.map((a) => ({ component: `recordings-${a.area}`, reason: `${a.kind}: ${a.detail}`, since: a.since })), ...d.health.degraded()];
        const status: HealthReport['status'] = !healthy ? 'down' : degraded.length > 0 ? 'degraded' : 'ok';
        const data: HealthReport = { nodeId: d.nodeId, status, redis: redisOk ? 'ok' : 'down', workers, degraded, storage, stopping: d.health.stopping(), nodes };
        res.status(healthy ? 200 : 503).json({ ok: healthy, data });
      },
      'ops.metrics': async ({ res }) => {
        res.type(d.metrics.contentType).send(await d.metrics.metrics());
      },
    },
    { tokens: d.tokens, internal: d.internal },
  );
}
