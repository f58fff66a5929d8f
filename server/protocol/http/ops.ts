// Operations: health and metrics, for load balancers and Prometheus. No token (keep them off
// the public network at the proxy).
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
      method: 'GET', path: '/healthz', summary: 'Node health: `{ ok, data: HealthReport }`, 200 when Redis answers and every mediasoup worker is alive, else 503',
      access: 'public', answer: raw('application/json { ok: boolean, data: HealthReport }'),
    },
    'ops.metrics': {
      method: 'GET', path: '/metrics', summary: 'Prometheus metrics (workers, rooms, signalling)',
      access: 'public', answer: raw('text/plain; Prometheus exposition format'),
    },
  },
});
