// Operations: health and metrics, for load balancers and Prometheus. The public listener answers
// only whether the node is healthy; the detail (workers, pids) and the metrics are for the
// internal listener (INTERNAL_PORT) or a scraper with METRICS_TOKEN.
import { area, raw } from './contract.ts';

export interface HealthReport {
  nodeId: string;
  /** down: Redis or a worker is gone (503); degraded: serving, but something needs attention. */
  status: 'ok' | 'degraded' | 'down';
  redis: 'ok' | 'down';
  workers: { index: number; pid: number; alive: boolean; routers: number }[];
  /** e.g. `{ component: 'archive-timestamps', reason: 'TSA unreachable, 2 token(s) pending: …', since }`. */
  degraded: { component: string; reason: string; since?: string }[];
}

export const opsArea = area({
  base: '',
  title: 'Operations',
  shapes: 'server/protocol/http/ops.ts',
  endpoints: {
    'ops.health': {
      method: 'GET', path: '/healthz', summary: 'Node health, 200 when Redis answers and every mediasoup worker is alive, else 503: `{ ok }` on the public listener; `{ ok, data: HealthReport }` on the internal one or with the scrape token, where `data.status` is `degraded` (still 200) with `data.degraded` naming what needs attention, e.g. an unreachable TSA',
      access: 'public', answer: raw('application/json { ok: boolean, data?: HealthReport }'),
    },
    'ops.metrics': {
      method: 'GET', path: '/metrics', summary: 'Prometheus metrics (workers, rooms, signalling)',
      access: 'internal', answer: raw('text/plain; Prometheus exposition format'),
    },
  },
});
