// The composition root: one server node = HTTP API + socket.io signalling + the SFU worker pool,
// sharing Redis with the other nodes. `startPlatform` returns only when everything listens.
import http from 'node:http';
import path from 'node:path';
import fs from 'node:fs';
import express from 'express';
import { Redis } from 'ioredis';
import { Server as IoServer } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { ConfigError, type Config } from '../core/config.ts';
import type { IdentityPolicy } from '../identity/index.ts';
import { parseRoleMap, type OidcSettings } from '../identity/oidc.ts';
import { PERSON_ROLES, type PersonRole } from '../protocol/http/identity-shapes.ts';
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
  const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: 2 });
  const pub = redis.duplicate();
  const sub = redis.duplicate();

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
  // Services start after the ops router is mounted; their degradations are read at request time.
  let degraded: () => { component: string; reason: string; since?: string }[] = () => [];
  app.use(createOpsRouter({ redis, pool, nodeId: config.NODE_ID, metrics: metrics.registry, tokens, degraded: () => degraded() }));
  const server = http.createServer(app);
  const io: SignallingServer = new IoServer(server, {
    adapter: createAdapter(pub, sub, { key: keys.adapterChannel }),
    maxHttpBufferSize: 256 * 1024,
    pingInterval: 10_000,
    pingTimeout: 10_000,
  });
  const services = await startServices({
    dataDir: config.DATA_DIR,
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
    identity: identityPolicy(config),
    ...(config.OIDC_ISSUER ? { singleSignOn: oidcSettings(config) } : {}),
    ...(config.PUBLIC_URL ? { publicUrl: config.PUBLIC_URL } : {}),
    ...(o.recordingSegmentSeconds ? { recordingSegmentSeconds: o.recordingSegmentSeconds } : {}),
  });
  services.mount(app);
  degraded = () => services.degraded();
  registerArchiveMetrics(metrics.registry, () => services.archive.evidence.status);
  if (o.webDir && fs.existsSync(o.webDir)) {
    app.use(express.static(o.webDir, { index: 'index.html', maxAge: '1h' }));
  }


  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve((server.address() as { port: number }).port));
  });
  const url = config.PUBLIC_URL ?? `http://127.0.0.1:${port}`;
  const routing = await RedisRoomRouting.start(redis, keys, config.NODE_ID, url, log.child({ mod: 'routing' }));
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
    access: services.access,
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
        await services.stopRecordings();
        rooms.closeAll('server-shutdown');
        await routing.close();
        await new Promise<void>((resolve) => io.close(() => resolve()));
        await services.close();
        await revocations.close();
        await pool.close();
        // quit, not disconnect: replies still owed (the socket.io adapter's publishes are not
        // awaited by it) arrive before the socket closes, instead of rejecting unhandled.
        // A Redis that is down would hold QUIT in the offline queue: give up after 2 s.
        await Promise.all(
          [pub, sub, redis].map(async (c) => {
            const gaveUp = new Promise<void>((resolve) => setTimeout(resolve, 2000).unref());
            await Promise.race([c.quit().catch(() => undefined), gaveUp]);
            c.disconnect();
          }),
        );
      })();
      return closing;
    },
  };
}

export const WEB_DIR = path.resolve('dist/web');

/** Session lifetimes, lock-out and second-factor rules from the configuration. */
export function identityPolicy(c: Config): Partial<IdentityPolicy> {
  const roles = c.SECOND_FACTOR_ROLES.split(',').map((r) => r.trim()).filter((r) => r && r !== 'none');
  const unknown = roles.filter((r) => !(PERSON_ROLES as readonly string[]).includes(r));
  if (unknown.length > 0) throw new ConfigError(`SECOND_FACTOR_ROLES: unknown role(s) ${unknown.join(', ')}`);
  return {
    accessTokenSeconds: c.ACCESS_TOKEN_TTL_SECONDS,
    sessionIdleSeconds: c.SESSION_IDLE_MINUTES * 60,
    sessionMaxSeconds: c.SESSION_MAX_HOURS * 3600,
    maxFailures: c.SIGN_IN_MAX_FAILURES,
    lockSeconds: c.SIGN_IN_LOCK_MINUTES * 60,
    secondFactorRoles: roles as PersonRole[],
    secureCookies: (c.PUBLIC_URL ?? '').startsWith('https://'),
    ...(c.PUBLIC_URL ? { publicUrl: c.PUBLIC_URL } : {}),
  };
}

/** The city's identity provider (OIDC_*), when one is configured. */
export function oidcSettings(c: Config): OidcSettings {
  let roleMap;
  try {
    roleMap = parseRoleMap(c.OIDC_ROLE_MAP);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  return {
    issuer: c.OIDC_ISSUER!,
    clientId: c.OIDC_CLIENT_ID!,
    clientSecret: c.OIDC_CLIENT_SECRET!,
    label: c.OIDC_LABEL,
    scopes: c.OIDC_SCOPES,
    roleClaim: c.OIDC_ROLE_CLAIM,
    roleMap,
    subjectClaim: c.OIDC_DIRECTORY_ID_CLAIM,
  };
}
