// Waiting until a crashed node's session folders have stopped changing, before crash recovery
// hashes them. A recording ffmpeg is told to end when its node dies (parent-death signal,
// server/core/parent-death.ts) and then writes its open segment's trailer; one that outlived
// the node otherwise (an older build, a wrapper missing) writes on for a while. Hashing what is
// still being written seals a hash the finished file no longer has: a false `segment-altered`.
//
// Settled means: no process on this host holds a file under the folders open (Linux /proc), and
// no file there changed size or mtime for `quietMs`.
import fs from 'node:fs';
import path from 'node:path';

export interface SettleOptions {
  /** Give up waiting after this long (the files are then hashed as they are). Default 15 s. */
  timeoutMs?: number;
  /** How long nothing may change. Default 500 ms. */
  quietMs?: number;
}

/** Files under `dirs` that some process has open, from /proc/<pid>/fd (empty where there is no /proc). */
export function openFilesUnder(dirs: readonly string[]): string[] {
  const roots = dirs.map((d) => path.resolve(d) + path.sep);
  const open: string[] = [];
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return open;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to look at
    }
    for (const fd of fds) {
      try {
        const target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (roots.some((r) => target.startsWith(r))) open.push(target);
      } catch {
        // closed meanwhile
      }
    }
  }
  return open;
}

function snapshot(dirs: readonly string[]): string {
  const parts: string[] = [];
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        try {
          const st = fs.statSync(p);
          parts.push(`${p}:${st.size}:${st.mtimeMs}`);
        } catch {
          // removed meanwhile
        }
      }
    }
  };
  for (const d of dirs) walk(d);
  return parts.sort().join('\n');
}

/** Resolves true once the folders are settled, false if `timeoutMs` passed first. */
export async function waitUntilSettled(dirs: readonly string[], o: SettleOptions = {}): Promise<boolean> {
  const deadline = Date.now() + (o.timeoutMs ?? 15_000);
  const quietMs = o.quietMs ?? 500;
  let last = snapshot(dirs);
  let quietSince = Date.now();
  for (;;) {
    const busy = openFilesUnder(dirs).length > 0;
    const now = snapshot(dirs);
    if (busy || now !== last) {
      last = now;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= quietMs) {
      return true;
    }
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}
