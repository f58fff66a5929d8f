// Process configuration: read once from the environment, validated, with documented defaults.
// A bad value stops start-up with a message naming the variable (see docs/configuration.md).
//
// Fails closed: an unset NODE_ENV is production. Development conveniences (the dev sign-in and
// token endpoints, the fixed development secret) need NODE_ENV=development set explicitly *and*
// a loopback HOST; anything else needs a real JWT_SECRET, and production also refuses a weak one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parseCidrList, type CidrList } from './cidr.ts';

const bool = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');
const port = z.coerce.number().int().min(0).max(65535);
const positive = z.coerce.number().int().min(1);
const list = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

/** The published development secret: accepted only in development on loopback. */
export const DEVELOPMENT_SECRET = 'development-only-secret-not-for-production';

/** Private networks a camera may live in by default: RFC 1918, CGNAT, IPv6 ULA. Not loopback, not link-local. */
export const DEFAULT_CAMERA_NETWORKS = '10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,fc00::/7';
/** RTSP (554, 8554 as many cameras use) and RTSP over TLS (322). */
export const DEFAULT_CAMERA_PORTS = [554, 8554, 322] as const;

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  HOST: z.string().default('0.0.0.0'),
  PORT: port.default(3000),
  PUBLIC_URL: z.string().url().optional(),
  NODE_ID: z.string().min(1).default(`${os.hostname()}-${process.pid}`),
  DATA_DIR: z.string().default(path.resolve('data')),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  // Unset: the product starts its own redis-server (see server/redis/embedded.ts).
  REDIS_URL: z.string().url().optional(),
  // Unset: SQLite in DATA_DIR/app.db (one node). postgres://… for a cluster; sqlite:<file> names a file.
  DATABASE_URL: z
    .string()
    .regex(/^(postgres(ql)?:\/\/.+|sqlite:.+)$/, 'expected postgres://user@host:port/db or sqlite:<file>')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  // The archive store; unset: DATA_DIR/recordings. A shared mount (NFS, CephFS) for a cluster.
  RECORDINGS_DIR: z.string().min(1).optional(),
  // Free space (MiB) on the archive store or the spool below which no new recording starts.
  RECORDINGS_MIN_FREE_MB: z.coerce.number().int().min(0).max(10_000_000).default(2048),
  // Length of a recorded segment: at most this much is held in the node's spool per track.
  RECORDING_SEGMENT_SECONDS: z.coerce.number().int().min(1).max(600).default(15),
  // A home device or petition terminal silent this long raises an alert (counsellor / coordinator).
  OFFLINE_ALERT_SECONDS: z.coerce.number().int().min(1).max(24 * 3600).default(60),
  // HS256 signing secret for access tokens; required outside development on loopback.
  JWT_SECRET: z.string().min(16).optional(),
  TOKEN_TTL_SECONDS: z.coerce.number().int().min(10).max(7 * 24 * 3600).default(4 * 3600),
  // Development sign-in and token endpoints (/dev/*); only with NODE_ENV=development on loopback.
  DEV_TOKENS: bool.optional(),
  MEDIASOUP_WORKER_BIN: z.string().optional(),
  MEDIASOUP_WORKERS: z.coerce.number().int().min(1).max(64).default(os.availableParallelism()),
  MEDIASOUP_LOG_LEVEL: z.enum(['debug', 'warn', 'error', 'none']).default('warn'),
  // Each worker's WebRtcServer takes RTC_PORT_BASE + workerIndex for both UDP and TCP.
  RTC_PORT_BASE: port.default(40000),
  RTC_LISTEN_IP: z.string().default('0.0.0.0'),
  RTC_ANNOUNCED_IP: z.string().optional(),
  // Port range for PlainTransports (ingest, recording).
  RTC_MIN_PORT: port.default(41000),
  RTC_MAX_PORT: port.default(41999),
  // UDP ports the recording transports send to, one bound per recorded track (recordings/ports.ts):
  // reserve them for this node's recorders (outside ip_local_port_range and the RTC range).
  RECORDER_RTP_PORT_MIN: port.default(61000),
  RECORDER_RTP_PORT_MAX: port.default(62999),
  FFMPEG_BIN: z.string().optional(),
  // TURN (coturn with use-auth-secret): the shared secret and the URLs handed to clients with
  // time-limited credentials at every join (docs/deployment.md). Both or neither.
  TURN_SECRET: z.string().min(16).optional(),
  TURN_URLS: list.optional(),

  // ---- sign-in and sessions (docs/identity.md) ----
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(3600).default(300),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(7 * 24).default(12),
  SIGN_IN_MAX_FAILURES: z.coerce.number().int().min(3).max(20).default(5),
  SIGN_IN_LOCK_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  // Roles that must sign in with a second factor (comma-separated); `none` for none.
  SECOND_FACTOR_ROLES: z.string().default('official,coordinator,counsellor,grid-worker,property,archivist,admin,security-admin,audit-admin'),

  // ---- single sign-on: the city's OpenID Connect provider (docs/identity.md); unset: none ----
  OIDC_ISSUER: z.url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_LABEL: z.string().min(1).max(40).default('统一身份认证'),
  OIDC_SCOPES: z.string().default('openid profile'),
  // The claim naming the person's role(s) at the provider, and provider value → role pairs.
  OIDC_ROLE_CLAIM: z.string().min(1).default('roles'),
  OIDC_ROLE_MAP: z.string().default('official:official,coordinator:coordinator,counsellor:counsellor,archivist:archivist'),
  // The claim holding the directory id of an official or counsellor.
  OIDC_DIRECTORY_ID_CLAIM: z.string().min(1).default('directory_id'),

  // ---- the edge (docs/security.md) ----
  // Browser origins besides the node's own that may call the API and open sockets.
  ALLOWED_ORIGINS: list.default([]),
  // express "trust proxy": how the client IP is found behind a reverse proxy (unset: the socket's peer).
  TRUST_PROXY: z.string().optional(),
  // Requests per RATE_LIMIT_WINDOW_SECONDS under /api and /dev, per client IP and per token identity.
  RATE_LIMIT_IP: positive.default(300),
  RATE_LIMIT_IDENTITY: positive.default(60),
  RATE_LIMIT_WINDOW_SECONDS: positive.max(3600).default(10),
  // Requests of one token identity in flight at once on a node (more are answered 429).
  RATE_LIMIT_CONCURRENT: positive.max(1000).default(6),
  // Signalling connections one token identity may hold at once on a node.
  RATE_LIMIT_SOCKETS: positive.max(1000).default(4),
  // Rooms one token identity occupies at once, across every node (a seat per room, a join or its capabilities request).
  ROOMS_PER_IDENTITY: positive.max(1000).default(3),
  // A request costs one point of the identity budget plus one per this many ms it took (0: one).
  RATE_LIMIT_COST_MS: z.coerce.number().int().min(0).max(60_000).default(25),
  // /metrics and the detailed /healthz: on this loopback-only port, or with this bearer token.
  INTERNAL_PORT: port.optional(),
  INTERNAL_HOST: z.string().default('127.0.0.1'),
  METRICS_TOKEN: z.string().min(32).optional(),
  // Where registered RTSP cameras may be (CIDR list) and on which ports.
  CAMERA_ALLOWED_NETWORKS: z.string().default(DEFAULT_CAMERA_NETWORKS),
  CAMERA_ALLOWED_PORTS: list.default(DEFAULT_CAMERA_PORTS.map(String)),
  // ---- the archive's evidence (docs/evidence.md) ----
  // RFC 3161 time-stamp authority for sealed manifests and audit checkpoints, and the CA
  // certificate(s) (PEM) its tokens must chain to. Unset: no tokens, and the node says so (alarm).
  TSA_URL: z.string().url().optional(),
  TSA_CA_FILE: z.string().optional(),
  // Archive signing algorithms, comma-separated: sm2, ed25519 (both by default).
  ARCHIVE_SIGNING: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(['sm2', 'ed25519'])).min(1))
    .default(['sm2', 'ed25519']),
  // Private signing keys (default DATA_DIR/keys; keep it off the archive's backup media).
  ARCHIVE_KEY_DIR: z.string().optional(),
  AUDIT_CHECKPOINT_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(60),
  // The composite court video: a font with Chinese glyphs, and the zone of its burned-in clock.
  COMPOSITE_FONT_FILE: z.string().optional(),
  COMPOSITE_TIME_ZONE: z.string().default('Asia/Shanghai'),
  // An export job whose node has not reported on it this long is failed by any node (its node died).
  EXPORT_STALE_SECONDS: z.coerce.number().int().min(3).max(3600).default(15),
  // Speech-to-text (sherpa-onnx): a folder holding model.int8.onnx (or model.onnx) and tokens.txt.
  TRANSCRIPT_MODEL_DIR: z.string().optional(),
  TRANSCRIPT_MODEL_KIND: z.enum(['sense-voice', 'paraformer']).default('sense-voice'),
  TRANSCRIPT_LANGUAGE: z.string().default('zh'),
});

type Parsed = z.infer<typeof schema>;

/** A TURN server (coturn) sharing a secret with this node: clients get credentials derived from it. */
export interface TurnConfig {
  secret: string;
  urls: string[];
}
/** What the command-line tools get: the validated settings and where the archive store is. */
export type ToolConfig = Parsed & { recordingsDir: string };
export type Config = Omit<Parsed, 'CAMERA_ALLOWED_NETWORKS' | 'CAMERA_ALLOWED_PORTS'> & {
  /** TURN_SECRET and TURN_URLS together, when set. */
  turn?: TurnConfig;
  jwtSecret: string;
  devTokens: boolean;
  /** NODE_ENV=development on a loopback HOST: the only place development conveniences exist. */
  developmentOnLoopback: boolean;
  cameraNetworks: CidrList;
  cameraPorts: number[];
  /** RECORDINGS_DIR, or DATA_DIR/recordings. */
  recordingsDir: string;
};

export class ConfigError extends Error {}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * A lower bound on the bits of a secret: its length times the bits of the smallest alphabet it
 * fits (hex, base64url, printable), and nothing at all when it repeats itself (few distinct
 * characters, low per-character Shannon entropy), which no random secret does.
 */
export function secretEntropyBits(secret: string): number {
  const chars = [...secret];
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  const shannon = [...counts.values()].reduce((h, n) => h - (n / chars.length) * Math.log2(n / chars.length), 0);
  if (counts.size < 10 || shannon < 3) return 0;
  const alphabet = /^[0-9a-f]+$/i.test(secret) ? 16 : /^[\w\-+/=]+$/.test(secret) ? 64 : 95;
  return chars.length * Math.log2(alphabet);
}

function known(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.keys(schema.shape)
      .filter((k) => env[k] !== undefined && env[k] !== '')
      .map((k) => [k, env[k]!]),
  );
}

function fail(issues: string[]): never {
  throw new ConfigError(`invalid configuration:\n${issues.map((l) => `  ${l}`).join('\n')}`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(known(env));
  if (!parsed.success) fail(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const { CAMERA_ALLOWED_NETWORKS, CAMERA_ALLOWED_PORTS, ...c } = parsed.data;
  const production = c.NODE_ENV === 'production';
  const developmentOnLoopback = c.NODE_ENV === 'development' && isLoopbackHost(c.HOST);
  const issues: string[] = [];
  if (c.DEV_TOKENS && !developmentOnLoopback) issues.push('DEV_TOKENS: only with NODE_ENV=development and a loopback HOST');
  if (!c.JWT_SECRET && !developmentOnLoopback) issues.push('JWT_SECRET: required unless NODE_ENV=development with a loopback HOST');
  if (c.JWT_SECRET === DEVELOPMENT_SECRET && !developmentOnLoopback) issues.push('JWT_SECRET: the published development secret is refused here');
  if (production && c.JWT_SECRET && secretEntropyBits(c.JWT_SECRET) < 256) {
    issues.push('JWT_SECRET: needs at least 32 random bytes (e.g. `openssl rand -hex 32`)');
  }
  if (c.RTC_MIN_PORT > c.RTC_MAX_PORT) issues.push('RTC_MIN_PORT: must not exceed RTC_MAX_PORT');
  if (c.RECORDER_RTP_PORT_MIN > c.RECORDER_RTP_PORT_MAX) issues.push('RECORDER_RTP_PORT_MIN: must not exceed RECORDER_RTP_PORT_MAX');
  if (c.OIDC_ISSUER && (!c.OIDC_CLIENT_ID || !c.OIDC_CLIENT_SECRET)) issues.push('OIDC_CLIENT_ID, OIDC_CLIENT_SECRET: required with OIDC_ISSUER');
  for (const o of c.ALLOWED_ORIGINS) {
    if (!/^https?:\/\/[^/\s]+$/.test(o)) issues.push(`ALLOWED_ORIGINS: ${o} is not an origin (scheme://host[:port])`);
  }
  let cameraNetworks: CidrList | undefined;
  try {
    cameraNetworks = parseCidrList(CAMERA_ALLOWED_NETWORKS);
  } catch (err) {
    issues.push(`CAMERA_ALLOWED_NETWORKS: ${(err as Error).message}`);
  }
  const cameraPorts = CAMERA_ALLOWED_PORTS.map(Number);
  if (cameraPorts.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) issues.push('CAMERA_ALLOWED_PORTS: a comma-separated list of ports');
  if (c.TSA_URL && !c.TSA_CA_FILE) issues.push('TSA_CA_FILE: required with TSA_URL (the CA its tokens must chain to)');
  if (c.TSA_CA_FILE && !fs.existsSync(c.TSA_CA_FILE)) issues.push(`TSA_CA_FILE: ${c.TSA_CA_FILE} does not exist`);
  if (!c.TURN_SECRET !== !c.TURN_URLS?.length) issues.push('TURN_SECRET, TURN_URLS: set both or neither');
  // Whoever knows it can mint credentials for anyone, so it is held to the JWT secret's standard.
  if (production && c.TURN_SECRET && secretEntropyBits(c.TURN_SECRET) < 256) issues.push('TURN_SECRET: needs at least 32 random bytes (e.g. `openssl rand -hex 32`)');
  for (const u of c.TURN_URLS ?? []) {
    if (!/^turns?:[^\s/?]+(\?transport=(udp|tcp))?$/.test(u)) issues.push(`TURN_URLS: ${u} is not a TURN URL (turn:host:port[?transport=udp|tcp] or turns:host:port?transport=tcp)`);
  }
  if (issues.length > 0) fail(issues);
  return {
    ...(c.TURN_SECRET && c.TURN_URLS?.length ? { turn: { secret: c.TURN_SECRET, urls: c.TURN_URLS } } : {}),
    ...c,
    jwtSecret: c.JWT_SECRET ?? DEVELOPMENT_SECRET,
    devTokens: c.DEV_TOKENS ?? developmentOnLoopback,
    developmentOnLoopback,
    cameraNetworks: cameraNetworks!,
    cameraPorts,
    recordingsDir: recordingsDirOf(c),
  };
}

/**
 * The settings as the command-line tools (seed, archive:verify/reindex/sweep) need them: every
 * value validated, but none of the server's fail-closed rules (secrets, dev sign-in), which are
 * about serving requests.
 */
export function loadToolConfig(env: NodeJS.ProcessEnv = process.env): ToolConfig {
  const parsed = schema.safeParse(known(env));
  if (!parsed.success) fail(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  return { ...parsed.data, recordingsDir: recordingsDirOf(parsed.data) };
}

function recordingsDirOf(c: Pick<Parsed, 'RECORDINGS_DIR' | 'DATA_DIR'>): string {
  return path.resolve(c.RECORDINGS_DIR ?? path.join(c.DATA_DIR, 'recordings'));
}
