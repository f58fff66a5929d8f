// Operations: health and metrics, for load balancers and Prometheus. The public listener answers
// only whether the node is healthy; the detail (workers, pids) and the metrics are for the
// internal listener (INTERNAL_PORT) or a scraper with METRICS_TOKEN.
import { area, raw } from './contract.ts';
import type { StorageAlarm } from './archive-shapes.ts';

export interface HealthReport {
  nodeId: string;
  /**
   * ok; degraded: serving, but something needs attention (a recordings-storage alarm: no new
   * recordings; the archive's TSA) — still 200, the node stays in the load balancer's pool;
   * down: Redis or a worker is gone, or the node is stopping (503).
   */
  status: 'ok' | 'degraded' | 'down';
  redis: 'ok' | 'down';
  workers: { index: number; pid: number; alive: boolean; routers: number }[];
  /** e.g. `{ component: 'archive-timestamps', reason: 'TSA unreachable, 2 token(s) pending: …', since }`. */
  degraded: { component: string; reason: string; since?: string }[];
  /** Raised recordings-storage alarms (full or failing disks), also named in `degraded`. */
  storage: StorageAlarm[];
  /** The stopping node answers 503 so that load balancers drain it. */
  stopping: boolean;
  /** The cluster's live nodes (operators' view; clients get theirs in the join reply). */
  nodes: { nodeId: string; url: string }[];
}

export const opsArea = area({
  base: '',
  title: 'Operations',
  shapes: 'server/protocol/http/ops.ts',
  endpoints: {
    'ops.health': {
      method: 'GET', path: '/healthz', summary: 'Node health, 200 when Redis answers and every mediasoup worker is alive, else 503 (also while the node stops, so load balancers drain it): `{ ok }` on the public listener; `{ ok, data: HealthReport }` on the internal one or with the scrape token, where `data.status` is `degraded` (still 200) with `data.degraded` naming what needs attention, e.g. a recordings-storage alarm or an unreachable TSA, and `data.nodes` the cluster\'s live nodes',
      access: 'public', answer: raw('application/json { ok: boolean, data?: HealthReport }'),
    },
    'ops.metrics': {
      method: 'GET', path: '/metrics', summary: 'Prometheus metrics (workers, rooms, signalling)',
      access: 'internal', answer: raw('text/plain; Prometheus exposition format'),
    },
  },
});
