// The composition root: one server node = HTTP API + socket.io signalling + the SFU worker pool,
// sharing Redis with the other nodes. `startPlatform` returns only when everything listens.
import http from 'node:http';
import path from 'node:path';
import fs from 'node:fs';
import express from 'express';
import type { Redis } from 'ioredis';
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
import { SignInCodes } from '../auth/sign-in-codes.ts';
import { handshakeOriginAllowed, originGuard, scrapeTokenCheck, securityHeaders, staticSecurityHeaders } from '../core/http/edge.ts';
import { httpErrors, unknownEndpoint } from '../core/http/failure.ts';
import { createEdgeLimiter, OpenCounts } from '../core/http/limits.ts';
import { createTarpit } from '../core/http/tarpit.ts';
import { AppError, toErrorBody } from '../core/errors.ts';
import { cameraAddressCheck } from '../core/camera-address.ts';
import { createSessionRouter } from './http/session.ts';
import { sessionArea } from '../protocol/http/session.ts';
import { Revocations } from '../auth/revocations.ts';
import { createMetrics, registerArchiveMetrics } from './metrics.ts';
import { archiveNodeOptions } from '../../recordings/node-archive.ts';
import { attachSignalling, type SignallingServer } from './signalling/signalling.ts';
import { createOpsRouter } from './http/ops.ts';
import { RedisRoomRouting } from '../routing/redis-room-routing.ts';
import { RedisRoomBans } from './signalling/room-bans.ts';
import { RedisRoomSeats } from './signalling/room-seats.ts';
import { WorkerPool } from '../../sfu/worker-pool.ts';
import { RoomRegistry } from '../../sfu/rooms.ts';
import { startServices, type Services, type ServicesOptions } from './services.ts';
import { connectRedis } from './redis-clients.ts';
import { webBuild } from './web-build.ts';

/**
 * Every 429 of the edge limits, and every handshake they refuse, waits a second before it is
 * sent: a flooder's next request waits for the answer, so one second bounds it to its connection
 * count a second. Past 256 held for one address (4,096 in all, a few MB of paused sockets)
 * connections are cut unanswered.
 */
const REFUSAL_HOLD = { holdMs: 1000, perAddress: 256, total: 4096 };

/** How long the server's own shutdown may take before main.ts exits regardless (SIGTERM bound 10 s). */
export const SHUTDOWN_LIMIT_MS = 9_000;

export interface Platform {
  url: string;
  port: number;
  http: http.Server;
  /** The internal listener (metrics, detailed health), when INTERNAL_PORT is set. */
  internalUrl?: string;
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
  const metrics = createMetrics(pool, rooms, redisClients);
  // Every token check of this node (REST, signalling, /live) refuses what any node revoked.
  const revocations = await Revocations.start(redis, redisClients.connection('revocations'), keys, log.child({ mod: 'revocations' }));
  const tokens = new TokenIssuer(config.jwtSecret, config.TOKEN_TTL_SECONDS, revocations);
  const bans = new RedisRoomBans(redis, keys);

  const codes = new SignInCodes(redis, keys.signInCode);
  const tarpit = createTarpit(REFUSAL_HOLD);
  const limits = createEdgeLimiter(redis, keys.rateLimit, {
    perIp: config.RATE_LIMIT_IP,
    perIdentity: config.RATE_LIMIT_IDENTITY,
    windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
    concurrentPerIdentity: config.RATE_LIMIT_CONCURRENT,
    costUnitMs: config.RATE_LIMIT_COST_MS,
  }, log.child({ mod: 'limits' }));
  const origins = { allowed: config.ALLOWED_ORIGINS };
  // Filled in once the listeners have their ports: a camera is never one of this node's own.
  const listening: number[] = [];
  const redisPort = Number(new URL(o.redisUrl).port || 6379);
  const cameraAddresses = cameraAddressCheck({
    networks: config.cameraNetworks,
    ports: config.cameraPorts,
    ownPorts: () => [
      ...listening,
      redisPort,
      { min: config.RTC_PORT_BASE, max: config.RTC_PORT_BASE + config.MEDIASOUP_WORKERS - 1 },
      { min: config.RTC_MIN_PORT, max: config.RTC_MAX_PORT },
    ],
  });
  // Health reads what exists only later (the archive's storage watch, its TSA, the routing): late-bound.
  let services: Services | undefined;
  let routing: RedisRoomRouting | undefined;
  let stopping = false;
  const ops = {
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
  };

  // The edge, in order: headers on every answer, the origin rule, limits on the API, then the
  // areas; whatever no area serves ends in the one error middleware (no stack, no path, any mode).
  const app = express();
  app.disable('x-powered-by');
  if (config.TRUST_PROXY !== undefined) app.set('trust proxy', trustProxyValue(config.TRUST_PROXY));
  app.use(securityHeaders({ tls: config.PUBLIC_URL?.startsWith('https:') ?? false, allowedOrigins: config.ALLOWED_ORIGINS }));
  app.use(originGuard(origins));
  app.use(['/api', '/dev'], limits.middleware(tokens, tarpit));
  app.use(createOpsRouter({ ...ops, internal: scrapeTokenCheck(config.METRICS_TOKEN) }));
  app.use(sessionArea.base, createSessionRouter({ tokens, codes }));
  // An address over its budget is answered here, before express: no routing, no middleware, no
  // body read, no Redis — and slowly (tarpit.ts), so a flood of refusals cannot outpace the node
  // and crowd everyone else out of its event loop.
  const refusal = {
    ...staticSecurityHeaders({ tls: config.PUBLIC_URL?.startsWith('https:') ?? false, allowedOrigins: config.ALLOWED_ORIGINS }),
    'content-type': 'application/json; charset=utf-8',
  };
  const server = http.createServer((req, res) => {
    const limited = req.url !== undefined && (req.url.startsWith('/api/') || req.url.startsWith('/dev/'));
    const address = limited ? clientIp(app, req) : undefined;
    const retryAfter = address === undefined ? undefined : limits.ipRefusedFor(address);
    if (retryAfter === undefined) return app(req, res);
    tarpit.refuse(address!, req, res, () => {
      const error = new AppError('rate_limited', `too many requests from this address; try again in ${retryAfter} s`, { retryAfterSeconds: retryAfter });
      res.writeHead(429, { ...refusal, 'retry-after': String(retryAfter) });
      res.end(JSON.stringify({ ok: false, error: toErrorBody(error) }));
    });
  });
  const io: SignallingServer = new IoServer(server, {
    adapter: createAdapter(pub, sub, { key: keys.adapterChannel }),
    maxHttpBufferSize: 256 * 1024,
    pingInterval: 10_000,
    pingTimeout: 10_000,
    // Browsers on other origins only when configured; the same per-IP budget as the API.
    cors: { origin: [...config.ALLOWED_ORIGINS] },
    allowRequest: (req, callback) => {
      if (!handshakeOriginAllowed(origins, req)) return callback('origin not allowed', false);
      const address = clientIp(app, req);
      // Refused handshakes wait in the tarpit like refused requests: a reconnect loop is slowed too.
      const refuse = () => tarpit.refuseHandshake(address, req, () => callback('too many connections from this address', false));
      if (limits.ipRefusedFor(address) !== undefined) return refuse();
      limits.spendIp(address).then(() => callback(null, true), refuse);
    },
  });
  // One identity holds at most RATE_LIMIT_SOCKETS signalling connections on a node: each has its
  // own request budget, so without a cap one token opening hundreds would multiply it.
  const sockets = new OpenCounts(config.RATE_LIMIT_SOCKETS);
  io.use((socket, next) => {
    let who: string;
    try {
      const claims = tokens.verify(socket.handshake.auth?.token);
      socket.data.claims = claims; // signalling's own check takes these instead of verifying again
      who = `${claims.role}:${claims.sub}`;
    } catch {
      return next(); // signalling's own check refuses it with the reason
    }
    if (!sockets.take(who)) {
      const err = new AppError('rate_limited', 'too many connections for this account', { retryAfterSeconds: 1 });
      return tarpit.refuseHandshake(clientIp(app, socket.request), socket.request, () => next(Object.assign(new Error(err.message), { data: toErrorBody(err) })));
    }
    socket.once('disconnect', () => sockets.release(who));
    next();
  });
  const build = webBuild(o.webDir);
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
    codes,
    cameraAddresses,
    keys,
    recorderPorts: { min: config.RECORDER_RTP_PORT_MIN, max: config.RECORDER_RTP_PORT_MAX },
    archive: archiveNodeOptions(config),
    revocations,
    bans,
    ...(o.household ? { household: o.household } : {}),
    ...(o.petition ? { petition: o.petition } : {}),
    recordingSegmentSeconds: o.recordingSegmentSeconds ?? config.RECORDING_SEGMENT_SECONDS,
    offlineAlertSeconds: config.OFFLINE_ALERT_SECONDS,
    identity: identityPolicy(config),
    ...(config.OIDC_ISSUER ? { singleSignOn: oidcSettings(config) } : {}),
    ...(config.PUBLIC_URL ? { publicUrl: config.PUBLIC_URL } : {}),
    webBuild: build,
  });
  metrics.observeStorage(services.archive.storage);
  services.mount(app);
  registerArchiveMetrics(metrics.registry, () => services.archive.evidence.status);
  if (o.webDir && fs.existsSync(o.webDir)) {
    // Pages are revalidated at every load (a reload after an upgrade must get the new build) and
    // say which build they are (Server-Timing, which the page reads of its own navigation);
    // scripts and styles are named by their content hash and kept for good.
    app.use(
      express.static(o.webDir, {
        index: 'index.html',
        setHeaders: (res, file) => {
          if (file.includes(`${path.sep}assets${path.sep}`)) return void res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
          res.setHeader('Cache-Control', 'no-cache');
          if (build) res.setHeader('Server-Timing', `build;desc="${build}"`);
        },
      }),
    );
  }
  app.use(unknownEndpoint, httpErrors(log.child({ mod: 'http' })));

  // Monitoring on its own listener (loopback by default): metrics and the detailed health report.
  let internal: http.Server | undefined;
  if (config.INTERNAL_PORT !== undefined) {
    const inside = express();
    inside.disable('x-powered-by');
    inside.use(createOpsRouter({ ...ops, internal: () => true }));
    inside.use(unknownEndpoint, httpErrors(log.child({ mod: 'http-internal' })));
    internal = http.createServer(inside);
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve((server.address() as { port: number }).port));
  });
  listening.push(port);
  const url = config.PUBLIC_URL ?? `http://127.0.0.1:${port}`;
  const internalPort = internal
    ? await new Promise<number>((resolve, reject) => {
        internal.once('error', reject);
        internal.listen(config.INTERNAL_PORT, config.INTERNAL_HOST, () => resolve((internal.address() as { port: number }).port));
      })
    : undefined;
  if (internalPort !== undefined) listening.push(internalPort);
  routing = await RedisRoomRouting.start(redis, keys, config.NODE_ID, url, log.child({ mod: 'routing' }), config.METRICS_TOKEN);
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
    seats: new RedisRoomSeats(redis, keys, config.ROOMS_PER_IDENTITY),
    revocations,
    ...(config.turn ? { turn: config.turn } : {}),
  });
  services.accessChanges.on('changed', (scope) => signalling.recheck(scope));
  log.info({ url, nodeId: config.NODE_ID, workers: pool.slots.length }, 'platform listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    http: server,
    ...(internalPort !== undefined ? { internalUrl: `http://${config.INTERNAL_HOST}:${internalPort}` } : {}),
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
        signalling.close();
        rooms.closeAll('server-shutdown');
        await routing!.close();
        // io.close() waits for every HTTP connection to end; a browser's keep-alive or an
        // in-flight request would hold the stop open, so they are cut.
        const ioClosed = new Promise<void>((resolve) => io.close(() => resolve()));
        server.closeAllConnections();
        await ioClosed;
        if (internal) {
          const internalClosed = new Promise<void>((resolve) => internal!.close(() => resolve()));
          internal.closeAllConnections();
          await internalClosed;
        }
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

/** TRUST_PROXY as express takes it: a hop count, `true`/`false`, or names and subnets ("loopback, 10.0.0.0/8"). */
function trustProxyValue(v: string): boolean | number | string {
  if (v === 'true' || v === 'false') return v === 'true';
  return /^\d+$/.test(v) ? Number(v) : v;
}

/** The client address of a raw request as express would see it (trust proxy applied). */
function clientIp(app: express.Express, req: http.IncomingMessage): string {
  const trust = app.get('trust proxy fn') as ((addr: string, i: number) => boolean) | undefined;
  const peer = req.socket.remoteAddress ?? 'unknown';
  const forwarded = req.headers['x-forwarded-for'];
  if (!trust || typeof forwarded !== 'string') return peer;
  // Walk from the nearest hop outwards while the hop is trusted, as proxy-addr does.
  const hops = [peer, ...forwarded.split(',').map((s) => s.trim()).reverse()];
  let i = 0;
  while (i < hops.length - 1 && trust(hops[i]!, i)) i++;
  return hops[i]!;
}
