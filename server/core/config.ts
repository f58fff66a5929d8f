// Process configuration: read once from the environment, validated, with documented defaults.
// A bad value stops start-up with a message naming the variable (see docs/configuration.md).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const bool = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');
const port = z.coerce.number().int().min(0).max(65535);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
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
  // HS256 signing secret for access tokens; required in production.
  JWT_SECRET: z.string().min(16).optional(),
  TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(7 * 24 * 3600).default(4 * 3600),
  // Development token endpoint (POST /dev/token); never enabled in production.
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
  // Speech-to-text (sherpa-onnx): a folder holding model.int8.onnx (or model.onnx) and tokens.txt.
  TRANSCRIPT_MODEL_DIR: z.string().optional(),
  TRANSCRIPT_MODEL_KIND: z.enum(['sense-voice', 'paraformer']).default('sense-voice'),
  TRANSCRIPT_LANGUAGE: z.string().default('zh'),
});

export type Config = z.infer<typeof schema> & { jwtSecret: string; devTokens: boolean; recordingsDir: string };

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.fromEntries(
    Object.keys(schema.shape)
      .filter((k) => env[k] !== undefined && env[k] !== '')
      .map((k) => [k, env[k]]),
  );
  const parsed = schema.safeParse(known);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const production = c.NODE_ENV === 'production';
  if (production && !c.JWT_SECRET) throw new ConfigError('JWT_SECRET: required when NODE_ENV=production');
  if (production && c.DEV_TOKENS) throw new ConfigError('DEV_TOKENS: not allowed when NODE_ENV=production');
  if (c.RTC_MIN_PORT > c.RTC_MAX_PORT) throw new ConfigError('RTC_MIN_PORT: must not exceed RTC_MAX_PORT');
  if (c.RECORDER_RTP_PORT_MIN > c.RECORDER_RTP_PORT_MAX) throw new ConfigError('RECORDER_RTP_PORT_MIN: must not exceed RECORDER_RTP_PORT_MAX');
  if (c.TSA_URL && !c.TSA_CA_FILE) throw new ConfigError('TSA_CA_FILE: required with TSA_URL (the CA its tokens must chain to)');
  if (c.TSA_CA_FILE && !fs.existsSync(c.TSA_CA_FILE)) throw new ConfigError(`TSA_CA_FILE: ${c.TSA_CA_FILE} does not exist`);
  return {
    ...c,
    // Outside production a fixed development secret keeps tokens valid across restarts.
    jwtSecret: c.JWT_SECRET ?? 'development-only-secret-not-for-production',
    devTokens: c.DEV_TOKENS ?? !production,
    recordingsDir: path.resolve(c.RECORDINGS_DIR ?? path.join(c.DATA_DIR, 'recordings')),
  };
}
