// Loads the machine the way a busy CI box does, for tests whose promise must hold under load
// (a recording that starts with the session) and for benches that report "at load N":
// Debian's stress-ng with one CPU hog per core (or `workers`), stopped with the returned function.
import os from 'node:os';
import { spawn } from 'node:child_process';

export interface CpuLoad {
  stop(): Promise<void>;
}

export async function startCpuLoad(o: { workers?: number; percent?: number } = {}): Promise<CpuLoad> {
  const workers = o.workers ?? os.availableParallelism();
  const child = spawn('stress-ng', ['--cpu', String(workers), '--cpu-load', String(o.percent ?? 100), '--quiet'], { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', (err) => reject(new Error(`stress-ng did not start (scripts/setup.sh installs it): ${err.message}`)));
  });
  return {
    async stop() {
      if (child.exitCode !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await gone;
    },
  };
}
