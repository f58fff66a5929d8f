// RFC 3161 trusted timestamps through Debian's `openssl ts`: the query is made by `openssl ts
// -query`, sent over HTTP to the configured TSA, and the reply checked by `openssl ts -verify`
// (against the query's nonce and imprint, and the TSA's CA) before it is kept. The same command
// checks tokens in `archive:verify` and is what docs/evidence.md tells a records office to run:
// verification by the reference implementation rather than by a second CMS parser of our own.
// The product already depends on Debian binaries (ffmpeg); each call costs one short process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sha256Hex } from '../server/core/audit-chain.ts';

const run = promisify(execFile);

export interface TsaConfig {
  url: string;
  /** PEM of the CA certificate(s) the TSA's tokens must chain to. */
  caFile: string;
  /** Per request (default 10 s). */
  timeoutMs?: number;
}

export interface TimestampToken {
  /** The TimeStampResp, DER (what `openssl ts -verify -in` reads). */
  token: Buffer;
  /** The TSA's time (genTime), ISO 8601. */
  genTime: string;
  serial: string;
}

export class TsaError extends Error {}

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'sv-ts-'));
  try {
    return await fn(dir);
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

const opensslError = (err: unknown): string => {
  const e = err as { stderr?: string; stdout?: string; message?: string };
  return (e.stdout?.match(/Verification: FAILED/) ? 'Verification: FAILED. ' : '') + (e.stderr || e.message || String(err)).trim().split('\n').slice(-2).join(' ');
};

/** Reads genTime and serial from a reply (`openssl ts -reply -text`). */
async function describe(dir: string, tsr: string): Promise<{ genTime: string; serial: string }> {
  const { stdout } = await run('openssl', ['ts', '-reply', '-in', tsr, '-text'], { cwd: dir });
  const time = /^Time stamp: (.+)$/m.exec(stdout)?.[1];
  const serial = /^Serial number: (.+)$/m.exec(stdout)?.[1] ?? '';
  const at = time ? new Date(time.replace(/\.\d+/, '')) : undefined;
  if (!at || Number.isNaN(at.getTime())) throw new TsaError('timestamp reply has no readable time');
  return { genTime: at.toISOString(), serial: serial.trim() };
}

/** Asks the TSA for a token over SHA-256(data); resolves only with a token that verifies. */
export async function requestTimestamp(cfg: TsaConfig, data: Buffer): Promise<TimestampToken> {
  const digest = sha256Hex(data);
  return withTempDir(async (dir) => {
    const tsq = path.join(dir, 'q.tsq');
    const tsr = path.join(dir, 'r.tsr');
    await run('openssl', ['ts', '-query', '-digest', digest, '-sha256', '-cert', '-out', tsq]);
    let res: Response;
    try {
      res = await fetch(cfg.url, {
        method: 'POST',
        headers: { 'content-type': 'application/timestamp-query' },
        body: await fs.promises.readFile(tsq),
        signal: AbortSignal.timeout(cfg.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new TsaError(`TSA ${cfg.url} unreachable: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`);
    }
    if (res.status !== 200) throw new TsaError(`TSA ${cfg.url} answered HTTP ${res.status}`);
    const token = Buffer.from(await res.arrayBuffer());
    await fs.promises.writeFile(tsr, token);
    try {
      await run('openssl', ['ts', '-verify', '-queryfile', tsq, '-in', tsr, '-CAfile', cfg.caFile]);
    } catch (err) {
      throw new TsaError(`TSA ${cfg.url} answered a token that does not verify: ${opensslError(err)}`);
    }
    return { token, ...(await describe(dir, tsr)) };
  });
}

export interface TokenCheck {
  ok: boolean;
  genTime?: string;
  error?: string;
}

/** Checks a token against the data it stamps and the CA it must chain to (PEM text). */
export async function verifyTimestamp(token: Buffer, data: Buffer, caPem: string): Promise<TokenCheck> {
  return withTempDir(async (dir) => {
    const f = (n: string) => path.join(dir, n);
    await Promise.all([fs.promises.writeFile(f('t.tsr'), token), fs.promises.writeFile(f('data'), data), fs.promises.writeFile(f('ca.pem'), caPem)]);
    try {
      await run('openssl', ['ts', '-verify', '-data', f('data'), '-in', f('t.tsr'), '-CAfile', f('ca.pem')]);
    } catch (err) {
      return { ok: false, error: opensslError(err) };
    }
    try {
      return { ok: true, genTime: (await describe(dir, f('t.tsr'))).genTime };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  });
}
