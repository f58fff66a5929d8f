// Operations: health and metrics, for load balancers and Prometheus. No token (keep them off
// the public network at the proxy).
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
      method: 'GET', path: '/healthz', summary: 'Node health: `{ ok, data: HealthReport }`, 200 when Redis answers and every mediasoup worker is alive, else 503; `data.status` is `degraded` (still 200) with `data.degraded` naming what needs attention, e.g. an unreachable TSA',
      access: 'public', answer: raw('application/json { ok: boolean, data: HealthReport }'),
    },
    'ops.metrics': {
      method: 'GET', path: '/metrics', summary: 'Prometheus metrics (workers, rooms, signalling)',
      access: 'public', answer: raw('text/plain; Prometheus exposition format'),
    },
  },
});
