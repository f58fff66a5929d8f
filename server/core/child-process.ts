// Children that die with their node. A SIGKILLed Node process takes none of its children with it
// (an orphaned ffmpeg kept writing a session for ~10 s, and recovery then hashed files still
// growing), so every long-lived child — recording ffmpeg, camera ingest, embedded redis-server,
// mediasoup workers — starts through Debian's `setpriv --pdeathsig KILL`: it sets the
// parent-death signal and execs the program, so the child keeps its pid, stdio and extra fds and
// the kernel kills it the moment this process is gone, however it went. Without setpriv (not
// Linux) children start as they are.
import fs from 'node:fs';
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const SETPRIV = '/usr/bin/setpriv';
const PDEATHSIG = ['--pdeathsig', 'KILL', '--'];

/** Whether children here get a parent-death signal. */
export const childrenBound = process.platform === 'linux' && fs.existsSync(SETPRIV);

/** `spawn` for a child that must not outlive this process. */
export function spawnBound(bin: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  return childrenBound ? spawn(SETPRIV, [...PDEATHSIG, bin, ...args], options) : spawn(bin, [...args], options);
}

/**
 * mediasoup spawns its workers itself; its only hook for a wrapper program is the one meant for
 * valgrind (read in each Worker's constructor), so it is pointed at setpriv. Call before
 * `createWorker`.
 */
export function bindMediasoupWorkers(): void {
  if (!childrenBound || process.env.MEDIASOUP_USE_VALGRIND) return;
  process.env.MEDIASOUP_USE_VALGRIND = 'true';
  process.env.MEDIASOUP_VALGRIND_BIN = SETPRIV;
  process.env.MEDIASOUP_VALGRIND_OPTIONS = PDEATHSIG.join(' ');
}
