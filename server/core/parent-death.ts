// Children that die with the node. A SIGKILLed (or OOM-killed) Node process takes nothing with
// it: its ffmpegs would go on writing into the archive for seconds (BRIEF §5), so a restarted
// node hashes files that are still changing. Every helper process the product starts (recording
// and camera-ingest ffmpegs, ffprobe, the embedded redis-server, the mediasoup workers through sfu/worker-pool.ts) is spawned
// through Debian's `setpriv --pdeathsig`, which asks the kernel to signal the child when its
// parent dies, then execs the real binary (same pid, same fds).
//
// The signal is per use: SIGTERM lets a recording ffmpeg write its open segment's trailer (it
// reads from the dead node's socket, so it ends at once anyway); SIGKILL for the rest.
import fs from 'node:fs';

const SETPRIV = '/usr/bin/setpriv';
let available: boolean | undefined;

/** Whether children can be given a parent-death signal here (Linux with util-linux's setpriv). */
export function parentDeathSignalAvailable(): boolean {
  available ??= process.platform === 'linux' && fs.existsSync(SETPRIV);
  return available;
}

/** The command line put before a program so that it gets `signal` when this process dies; undefined where that is not available. */
export function parentDeathPrefix(signal: 'TERM' | 'KILL' = 'KILL'): [string, ...string[]] | undefined {
  return parentDeathSignalAvailable() ? [SETPRIV, '--pdeathsig', signal, '--'] : undefined;
}

/** `[command, args]` that run `bin args` with `signal` sent to it when this process dies. */
export function diesWithParent(bin: string, args: readonly string[], signal: 'TERM' | 'KILL' = 'KILL'): [string, string[]] {
  const prefix = parentDeathPrefix(signal);
  if (!prefix) return [bin, [...args]];
  const [command, ...rest] = prefix;
  return [command, [...rest, bin, ...args]];
}
