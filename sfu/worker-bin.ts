// The mediasoup worker binary: MEDIASOUP_WORKER_BIN, else the path the set-up recorded in
// .cache/worker-bin, else the newest cached offline build of this mediasoup version
// (scripts/worker/build.sh). Kept apart from anything importing mediasoup, which reads the
// variable once, when it is first imported.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The binary the set-up built and recorded in .cache/worker-bin, if it is there. */
export function recordedWorkerBin(): string | undefined {
  const recorded = path.resolve('.cache/worker-bin');
  if (!fs.existsSync(recorded)) return undefined;
  const bin = fs.readFileSync(recorded, 'utf8').trim();
  return bin && fs.existsSync(bin) ? bin : undefined;
}

/** The binary if one is there (MEDIASOUP_WORKER_BIN is taken as given). */
export function findWorkerBin(): string | undefined {
  if (process.env.MEDIASOUP_WORKER_BIN) return process.env.MEDIASOUP_WORKER_BIN;
  const recorded = recordedWorkerBin();
  if (recorded) return recorded;
  const root = path.join(process.env.XDG_CACHE_HOME ?? path.join(process.env.HOME ?? '/root', '.cache'), 'suzhou-video/mediasoup-worker');
  if (!fs.existsSync(root)) return undefined;
  const version = (createRequire(import.meta.url)('mediasoup/package.json') as { version: string }).version;
  return fs
    .readdirSync(root)
    .filter((d) => d.startsWith(`${version}-`))
    .map((d) => path.join(root, d, 'mediasoup-worker'))
    .filter((bin) => fs.existsSync(bin))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
}

export function workerBin(): string {
  const bin = findWorkerBin();
  if (!bin) throw new Error('MEDIASOUP_WORKER_BIN is not set and no cached worker build was found (run scripts/worker/build.sh)');
  return bin;
}
