// The mediasoup worker binary: MEDIASOUP_WORKER_BIN, else the project's cached offline build
// (scripts/worker/build.sh). Kept apart from anything importing mediasoup, which reads the
// variable once, when it is first imported.
import fs from 'node:fs';
import path from 'node:path';

export function workerBin(): string {
  if (process.env.MEDIASOUP_WORKER_BIN) return process.env.MEDIASOUP_WORKER_BIN;
  const cached = path.resolve('.cache/worker-bin');
  if (fs.existsSync(cached)) return fs.readFileSync(cached, 'utf8').trim();
  const root = path.join(process.env.XDG_CACHE_HOME ?? path.join(process.env.HOME ?? '/root', '.cache'), 'suzhou-video/mediasoup-worker');
  const dir = fs.existsSync(root) ? fs.readdirSync(root).find((d) => fs.existsSync(path.join(root, d, 'mediasoup-worker'))) : undefined;
  if (!dir) throw new Error('MEDIASOUP_WORKER_BIN is not set and no cached worker build was found (run scripts/worker/build.sh)');
  return path.join(root, dir, 'mediasoup-worker');
}
