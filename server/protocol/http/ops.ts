// Operations: health and metrics, for load balancers and Prometheus. The public listener answers
// only whether the node is healthy; the detail (workers, pids) and the metrics are for the
// internal listener (INTERNAL_PORT) or a scraper with METRICS_TOKEN.
import { area, raw } from './contract.ts';

export interface HealthReport {
  nodeId: string;
  redis: 'ok' | 'down';
  workers: { index: number; pid: number; alive: boolean; routers: number }[];
}

export const opsArea = area({
  base: '',
  title: 'Operations',
  shapes: 'server/protocol/http/ops.ts',
  endpoints: {
    'ops.health': {
      method: 'GET', path: '/healthz', summary: 'Node health, 200 when Redis answers and every mediasoup worker is alive, else 503: `{ ok }` on the public listener, `{ ok, data: HealthReport }` on the internal one or with the scrape token',
      access: 'public', answer: raw('application/json { ok: boolean, data?: HealthReport }'),
    },
    'ops.metrics': {
      method: 'GET', path: '/metrics', summary: 'Prometheus metrics (workers, rooms, signalling)',
      access: 'internal', answer: raw('text/plain; Prometheus exposition format'),
    },
  },
});
