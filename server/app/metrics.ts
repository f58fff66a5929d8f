// Prometheus metrics (prom-client). One registry per server process; worker gauges are read
// from mediasoup's getResourceUsage() at scrape time, not polled.
import client from 'prom-client';
import type { WorkerPool } from '../../sfu/worker-pool.ts';
import type { RoomRegistry } from '../../sfu/rooms.ts';
import type { StorageWatch } from '../../recordings/storage-watch.ts';

export interface SignallingMetrics {
  connections: client.Gauge;
  connectRefused: client.Counter<'code'>;
  requests: client.Counter<'event' | 'outcome'>;
  requestSeconds: client.Histogram<'event'>;
}

export interface Metrics {
  registry: client.Registry;
  signalling: SignallingMetrics;
  workerDeaths: client.Counter;
  /** Exposes the recordings disks' free space and alarms (once the archive is open). */
  observeStorage(storage: StorageWatch): void;
}

/** What the Redis connections reported (server/app/redis-clients.ts): errors per connection name. */
export interface RedisErrorCounts {
  readonly errors: ReadonlyMap<string, number>;
}

export function createMetrics(pool: WorkerPool, rooms: RoomRegistry, redis: RedisErrorCounts): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });

  const signalling: SignallingMetrics = {
    connections: new client.Gauge({ name: 'sv_socket_connections', help: 'Connected signalling sockets', registers: [registry] }),
    connectRefused: new client.Counter({
      name: 'sv_socket_connect_refused_total',
      help: 'Connections refused at the handshake, by error code',
      labelNames: ['code'],
      registers: [registry],
    }),
    requests: new client.Counter({
      name: 'sv_signalling_requests_total',
      help: 'Signalling requests by event and outcome (ok or error code)',
      labelNames: ['event', 'outcome'],
      registers: [registry],
    }),
    requestSeconds: new client.Histogram({
      name: 'sv_signalling_request_seconds',
      help: 'Time to answer a signalling request',
      labelNames: ['event'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };

  const workerDeaths = new client.Counter({ name: 'sv_mediasoup_worker_deaths_total', help: 'mediasoup workers that died', registers: [registry] });
  pool.on('workerdied', () => workerDeaths.inc());

  new client.Gauge({
    name: 'sv_rooms',
    help: 'Rooms hosted by this node',
    registers: [registry],
    collect() {
      this.set(rooms.size);
    },
  });
  new client.Gauge({
    name: 'sv_peers',
    help: 'Peers in rooms hosted by this node',
    registers: [registry],
    collect() {
      let n = 0;
      for (const r of rooms.values()) n += r.peers.size;
      this.set(n);
    },
  });

  const usage = (name: string, help: string, pick: (u: Awaited<ReturnType<WorkerPool['slots'][number]['worker']['getResourceUsage']>>) => number) =>
    new client.Gauge({
      name,
      help,
      labelNames: ['worker'],
      registers: [registry],
      async collect() {
        await Promise.all(
          pool.slots.map(async (s) => {
            if (s.worker.closed) return;
            const u = await s.worker.getResourceUsage().catch(() => undefined);
            if (u) this.set({ worker: String(s.index) }, pick(u));
          }),
        );
      },
    });
  usage('sv_mediasoup_worker_cpu_user_seconds', 'mediasoup worker user CPU time (ru_utime)', (u) => u.ru_utime / 1000);
  usage('sv_mediasoup_worker_cpu_system_seconds', 'mediasoup worker system CPU time (ru_stime)', (u) => u.ru_stime / 1000);
  usage('sv_mediasoup_worker_max_rss_bytes', 'mediasoup worker peak resident memory', (u) => u.ru_maxrss * 1024);
  new client.Gauge({
    name: 'sv_mediasoup_worker_routers',
    help: 'Routers hosted per mediasoup worker',
    labelNames: ['worker'],
    registers: [registry],
    collect() {
      for (const s of pool.slots) this.set({ worker: String(s.index) }, s.routers);
    },
  });

  new client.Counter({
    name: 'sv_redis_errors_total',
    help: 'Errors reported by each Redis connection of this node (failed reconnects, broken sockets); rising while Redis is unreachable',
    labelNames: ['connection'],
    registers: [registry],
    collect() {
      // The connections count themselves (they exist before this registry): their totals as they are.
      this.reset();
      for (const [connection, n] of redis.errors) this.inc({ connection }, n);
    },
  });

  let storage: StorageWatch | undefined;
  new client.Gauge({
    name: 'sv_recordings_storage_alarm',
    help: 'Recordings storage alarms raised (1) by kind and disk; while any is 1 no new recording starts',
    labelNames: ['kind', 'area'],
    registers: [registry],
    collect() {
      this.reset();
      for (const kind of ['disk-low', 'write-failed', 'disk-unreadable'] as const) for (const area of ['archive', 'spool'] as const) this.set({ kind, area }, 0);
      for (const a of storage?.alarms ?? []) this.set({ kind: a.kind, area: a.area }, 1);
    },
  });
  new client.Gauge({
    name: 'sv_recordings_free_bytes',
    help: 'Free bytes on the recordings disks at the last check (archive store, node spool)',
    labelNames: ['area'],
    registers: [registry],
    collect() {
      for (const [area, free] of Object.entries(storage?.free ?? {})) this.set({ area }, free);
    },
  });

  return { registry, signalling, workerDeaths, observeStorage: (s) => void (storage = s) };
}

/**
 * Trusted timestamping of the archive (recordings/evidence.ts): `sv_archive_tsa_up` is 0 while
 * the TSA is unreachable or not configured — alert on it, and on pending tokens that do not fall.
 */
export function registerArchiveMetrics(registry: client.Registry, status: () => { state: string; pending: number }): void {
  new client.Gauge({
    name: 'sv_archive_tsa_up',
    help: 'Trusted timestamp authority answering (1), unreachable or not configured (0)',
    registers: [registry],
    collect() {
      this.set(status().state === 'ok' ? 1 : 0);
    },
  });
  new client.Gauge({
    name: 'sv_archive_timestamps_pending',
    help: 'Sealed manifests and audit checkpoints waiting for a trusted timestamp',
    registers: [registry],
    collect() {
      this.set(status().pending);
    },
  });
}
