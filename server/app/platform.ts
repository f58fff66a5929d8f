// The composition root: one server node = HTTP API + socket.io signalling + the SFU worker pool,
// sharing Redis with the other nodes. `startPlatform` returns only when everything listens.
import http from 'node:http';
import path from 'node:path';
import fs from 'node:fs';
import express from 'express';
import type { Redis } from 'ioredis';
import { Server as IoServer } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/log.ts';
import { redisKeys, type RedisKeys } from '../core/redis-keys.ts';
import { reportListenerErrorsTo } from '../core/safe-emitter.ts';
import { TokenIssuer } from '../auth/grants.ts';
import { Revocations } from '../auth/revocations.ts';
import { createMetrics, registerArchiveMetrics } from './metrics.ts';
import { archiveNodeOptions } from '../../recordings/node-archive.ts';
import { attachSignalling, type SignallingServer } from './signalling/signalling.ts';
import { createOpsRouter } from './http/ops.ts';
import { RedisRoomRouting } from '../routing/redis-room-routing.ts';
import { RedisRoomBans } from './signalling/room-bans.ts';
import { WorkerPool } from '../../sfu/worker-pool.ts';
import { RoomRegistry } from '../../sfu/rooms.ts';
import { startServices, type Services, type ServicesOptions } from './services.ts';
import { connectRedis } from './redis-clients.ts';
import { AppError } from '../core/errors.ts';

/** How long the server's own shutdown may take before main.ts exits regardless (SIGTERM bound 10 s). */
export const SHUTDOWN_LIMIT_MS = 9_000;

export interface Platform {
  url: string;
  port: number;
  http: http.Server;
  io: SignallingServer;
  pool: WorkerPool;
  rooms: RoomRegistry;
  tokens: TokenIssuer;
  /** Revoked tokens, shared with every node through Redis. */
  revocations: Revocations;
  redis: Redis;
  /** Every Redis key and channel this node uses, under its prefix. */
  keys: RedisKeys;
  services: Services;
  close(): Promise<void>;
}

export interface PlatformOptions {
  config: Config;
  redisUrl: string;
  log: Logger;
  /** Built web client; served statically when present. */
  webDir?: string;
  roomEmptyTimeoutMs?: number;
  /** Load the demo directory when the store is empty (default: outside production). */
  seedDemo?: boolean;
  /** Prefix of every Redis key and channel this node uses (default "sv:"); nodes of one
   * deployment share it, tests isolate themselves with their own. */
  redisPrefix?: string;
  household?: ServicesOptions['household'];
  petition?: ServicesOptions['petition'];
  recordingSegmentSeconds?: number;
}

export async function startPlatform(o: PlatformOptions): Promise<Platform> {
  const { config, log } = o;
  reportListenerErrorsTo((event, err) => log.error({ err, event: String(event) }, 'event listener threw'));
  const keys = redisKeys(o.redisPrefix);
  const redisClients = await connectRedis(o.redisUrl, log.child({ mod: 'redis' }));
  const { redis, pub, sub } = redisClients;

  const pool = await WorkerPool.create(
    {
      size: config.MEDIASOUP_WORKERS,
      logLevel: config.MEDIASOUP_LOG_LEVEL,
      listenIp: config.RTC_LISTEN_IP,
      announcedIp: config.RTC_ANNOUNCED_IP ?? (config.RTC_LISTEN_IP === '0.0.0.0' ? '127.0.0.1' : undefined),
      portBase: config.RTC_PORT_BASE,
      rtcMinPort: config.RTC_MIN_PORT,
      rtcMaxPort: config.RTC_MAX_PORT,
    },
    log.child({ mod: 'sfu' }),
  );
  const rooms = new RoomRegistry(pool, log.child({ mod: 'room' }), o.roomEmptyTimeoutMs);
  const metrics = createMetrics(pool, rooms);
  // Every token check of this node (REST, signalling, /live) refuses what any node revoked.
  const revocations = await Revocations.start(redis, keys, log.child({ mod: 'revocations' }));
  const tokens = new TokenIssuer(config.jwtSecret, config.TOKEN_TTL_SECONDS, revocations);
  const bans = new RedisRoomBans(redis, keys);

  const app = express();
  app.disable('x-powered-by');
  // Health reads what exists only later (the archive's storage watch, its TSA, the routing): late-bound.
  let services: Services | undefined;
  let routing: RedisRoomRouting | undefined;
  let stopping = false;
  app.use(
    createOpsRouter({
      redis,
      pool,
      nodeId: config.NODE_ID,
      metrics: metrics.registry,
      tokens,
      health: {
        storageAlarms: () => services?.archive.storage.alarms ?? [],
        nodes: async () => (routing ? routing.liveNodes() : []),
        stopping: () => stopping,
        degraded: () => services?.degraded() ?? [],
      },
    }),
  );
  const server = http.createServer(app);
  const io: SignallingServer = new IoServer(server, {
    adapter: createAdapter(pub, sub, { key: keys.adapterChannel }),
    maxHttpBufferSize: 256 * 1024,
    pingInterval: 10_000,
    pingTimeout: 10_000,
  });
  services = await startServices({
    dataDir: config.DATA_DIR,
    recordingsDir: config.recordingsDir,
    recordingsMinFreeBytes: config.RECORDINGS_MIN_FREE_MB * 1024 * 1024,
    ...(config.DATABASE_URL ? { databaseUrl: config.DATABASE_URL } : {}),
    databasePoolSize: config.DATABASE_POOL_SIZE,
    nodeId: config.NODE_ID,
    redis,
    tokens,
    log,
    io,
    rooms,
    seedDemo: o.seedDemo ?? config.NODE_ENV !== 'production',
    devSignIn: config.devTokens,
    keys,
    recorderPorts: { min: config.RECORDER_RTP_PORT_MIN, max: config.RECORDER_RTP_PORT_MAX },
    archive: archiveNodeOptions(config),
    revocations,
    bans,
    ...(o.household ? { household: o.household } : {}),
    ...(o.petition ? { petition: o.petition } : {}),
    recordingSegmentSeconds: o.recordingSegmentSeconds ?? config.RECORDING_SEGMENT_SECONDS,
  });
  metrics.observeStorage(services.archive.storage);
  services.mount(app);
  registerArchiveMetrics(metrics.registry, () => services.archive.evidence.status);
  if (o.webDir && fs.existsSync(o.webDir)) {
    app.use(express.static(o.webDir, { index: 'index.html', maxAge: '1h' }));
  }


  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve((server.address() as { port: number }).port));
  });
  const url = config.PUBLIC_URL ?? `http://127.0.0.1:${port}`;
  routing = await RedisRoomRouting.start(redis, keys, config.NODE_ID, url, log.child({ mod: 'routing' }));
  rooms.on('room', (room) => {
    room.once('close', () => {
      routing.release(room.id).catch((err: unknown) => log.warn({ err, roomId: room.id }, 'room release failed'));
    });
  });
  const signalling = attachSignalling(io, {
    tokens,
    rooms,
    routing,
    log: log.child({ mod: 'signalling' }),
    metrics: metrics.signalling,
    // A stopping node takes no joins: its clients are being sent to rejoin elsewhere or after the restart.
    access: {
      authorize: async (claims, roomId) => {
        if (stopping) throw new AppError('unavailable', 'this node is stopping; try again');
        return services!.access.authorize(claims, roomId);
      },
    },
    bans,
    revocations,
  });
  services.accessChanges.on('changed', (scope) => signalling.recheck(scope));
  log.info({ url, nodeId: config.NODE_ID, workers: pool.slots.length }, 'platform listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    http: server,
    io,
    pool,
    rooms,
    tokens,
    revocations,
    redis,
    keys,
    services,
    close() {
      closing ??= (async () => {
        stopping = true;
        await services!.stopRecordings();
        rooms.closeAll('server-shutdown');
        await routing!.close();
        // io.close() waits for every HTTP connection to end; a browser's keep-alive or an
        // in-flight request would hold the stop open, so they are cut.
        const ioClosed = new Promise<void>((resolve) => io.close(() => resolve()));
        server.closeAllConnections();
        await ioClosed;
        await services!.close();
        await revocations.close();
        await pool.close();
        await redisClients.close();
      })();
      return closing;
    },
  };
}

export const WEB_DIR = path.resolve('dist/web');
