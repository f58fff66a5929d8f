// Operations: health and metrics, for load balancers and Prometheus. No token (keep them off
// the public network at the proxy).
import { area, raw } from './contract.ts';
import type { StorageAlarm } from './archive-shapes.ts';

export interface HealthReport {
  nodeId: string;
  /**
   * ok; degraded: calls work but new recordings do not start (a storage alarm) — the node stays
   * in the load balancer's pool; down: Redis or a worker is gone, or the node is stopping (503).
   */
  status: 'ok' | 'degraded' | 'down';
  redis: 'ok' | 'down';
  workers: { index: number; pid: number; alive: boolean; routers: number }[];
  /** Raised recordings-storage alarms (full or failing disks). */
  storage: StorageAlarm[];
  /** The stopping node answers 503 so that load balancers drain it. */
  stopping: boolean;
  /** The cluster's live nodes: where a client goes when its node stops answering. */
  nodes: { nodeId: string; url: string }[];
}

export const opsArea = area({
  base: '',
  title: 'Operations',
  shapes: 'server/protocol/http/ops.ts',
  endpoints: {
    'ops.health': {
      method: 'GET', path: '/healthz', summary: 'Node health: `{ ok, data: HealthReport }`, 200 when Redis answers and every mediasoup worker is alive (status ok, or degraded under a storage alarm), else 503 (also while stopping)',
      access: 'public', answer: raw('application/json { ok: boolean, data: HealthReport }'),
    },
    'ops.metrics': {
      method: 'GET', path: '/metrics', summary: 'Prometheus metrics (workers, rooms, signalling)',
      access: 'public', answer: raw('text/plain; Prometheus exposition format'),
    },
  },
});
