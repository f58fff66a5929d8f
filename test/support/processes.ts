// Processes as /proc shows them, for tests about children that must (not) outlive their parent.
import fs from 'node:fs';

/** Fields after the command name in /proc/<pid>/stat: [state, ppid, …]; undefined once gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Process state (R, S, T stopped, Z zombie…), or 'gone'. */
export function processState(pid: number): string {
  return statFields(pid)?.[0] ?? 'gone';
}

/** Running or stopped: neither gone nor a zombie waiting to be reaped. */
export function processAlive(pid: number): boolean {
  const s = processState(pid);
  return s !== 'gone' && s !== 'Z';
}

/** The children of `ppid`, with their command lines (arguments joined by spaces). */
export function childrenOf(ppid: number): { pid: number; cmdline: string }[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .flatMap((pid) => {
      if (Number(statFields(pid)?.[1]) !== ppid) return [];
      try {
        return [{ pid, cmdline: fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ') }];
      } catch {
        return [];
      }
    });
}
