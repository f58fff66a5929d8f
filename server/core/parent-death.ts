// Children that die with the node. A SIGKILLed (or OOM-killed) Node process takes nothing with
// it: its ffmpegs would go on writing into the archive for seconds (BRIEF §5), so a restarted
// node hashes files that are still changing. Every helper process the product starts (recording
// and camera-ingest ffmpegs, the mediasoup workers through sfu/worker-guard.ts) is spawned
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

/** `[command, args]` that run `bin args` with `signal` sent to it when this process dies. */
export function diesWithParent(bin: string, args: readonly string[], signal: 'TERM' | 'KILL' = 'KILL'): [string, string[]] {
  if (!parentDeathSignalAvailable()) return [bin, [...args]];
  return [SETPRIV, ['--pdeathsig', signal, '--', bin, ...args]];
}
