// GET /healthz: 200 when Redis answers and every mediasoup worker is alive, else 503.
import { Router } from 'express';
import type { Redis } from 'ioredis';
import type { WorkerPool } from '../../../sfu/worker-pool.ts';

export function createHealthRouter(redis: Redis, pool: WorkerPool, nodeId: string): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    const redisOk = await Promise.race([
      redis.ping().then((r) => r === 'PONG', () => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1000).unref()),
    ]);
    const workers = pool.slots.map((s) => ({ index: s.index, pid: s.worker.pid, alive: !s.worker.closed, routers: s.routers }));
    const healthy = redisOk && pool.allAlive();
    res.status(healthy ? 200 : 503).json({ ok: healthy, data: { nodeId, redis: redisOk ? 'ok' : 'down', workers } });
  });
  return router;
}
