// The ops area (server/protocol/http/ops.ts): GET /healthz — 200 when Redis answers and every
// mediasoup worker is alive, else 503; `status: degraded` with what is wrong when a part works but
// not as it should (the archive's TSA); the report's detail only for inside callers — and
// GET /metrics for Prometheus, inside callers only. Mounted on the public listener (inside =
// the scrape token) and on the internal one (everyone who reaches it is inside).
import type { Request, Router } from 'express';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { TokenIssuer } from '../../auth/grants.ts';
import { createAreaRouter } from '../../core/http/area-router.ts';
import { opsArea, type HealthReport } from '../../protocol/http/ops.ts';
import type { WorkerPool } from '../../../sfu/worker-pool.ts';

export interface OpsDeps {
  redis: Redis;
  pool: WorkerPool;
  nodeId: string;
  metrics: Registry;
  tokens: TokenIssuer;
  /** Is this caller inside (internal listener, scrape token)? */
  internal: (req: Request) => boolean;
  /** Parts that work, but not as they should (e.g. the archive's TSA): reported, not a 503. */
  degraded?: () => HealthReport['degraded'];
}

export function createOpsRouter(d: OpsDeps): Router {
  return createAreaRouter(
    opsArea,
    {
      'ops.health': async ({ req, res }) => {
        const redisOk = await Promise.race([
          d.redis.ping().then((r) => r === 'PONG', () => false),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1000).unref()),
        ]);
        const healthy = redisOk && d.pool.allAlive();
        if (!d.internal(req)) {
          res.status(healthy ? 200 : 503).json({ ok: healthy });
          return;
        }
        const workers = d.pool.slots.map((s) => ({ index: s.index, pid: s.worker.pid, alive: !s.worker.closed, routers: s.routers }));
        const degraded = d.degraded?.() ?? [];
        const data: HealthReport = { nodeId: d.nodeId, status: !healthy ? 'down' : degraded.length > 0 ? 'degraded' : 'ok', redis: redisOk ? 'ok' : 'down', workers, degraded };
        res.status(healthy ? 200 : 503).json({ ok: healthy, data });
      },
      'ops.metrics': async ({ res }) => {
        res.type(d.metrics.contentType).send(await d.metrics.metrics());
      },
    },
    { tokens: d.tokens, internal: d.internal },
  );
}
