// A SIGKILLed product node takes its mediasoup workers with it. A worker normally ends when it
// reads EOF on its channel; this proves more than that: workers that cannot read anything
// (stopped with SIGSTOP, as a worker stuck in a long turn would be) still die, because the
// kernel sends them the parent-death signal (sfu/worker-pool.ts launches them through setpriv).
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startProductNode, type ProductNode } from '../../scripts/harness/product-node.ts';
import { until } from '../support/evidence.ts';

/** Process state from /proc (R, S, T stopped, Z zombie…), or 'gone'. */
function state(pid: number): string {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!;
  } catch {
    return 'gone';
  }
}

function childrenOf(ppid: number): { pid: number; cmdline: string }[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .flatMap((pid) => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== ppid) return [];
        return [{ pid, cmdline: fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ') }];
      } catch {
        return [];
      }
    });
}

describe('mediasoup workers of a product node', () => {
  let node: ProductNode | undefined;
  let workers: number[] = [];

  afterAll(async () => {
    for (const pid of workers) if (state(pid) !== 'gone') process.kill(pid, 'SIGKILL');
    await node?.stop('SIGKILL');
  });

  it('die when the node is SIGKILLed, even while they are stopped and read nothing', async () => {
    node = await startProductNode();
    const pid = node.child.pid!;
    workers = (await until('the node\'s mediasoup workers', () => {
      const w = childrenOf(pid).filter((c) => c.cmdline.includes('mediasoup-worker'));
      return w.length > 0 && w;
    })).map((c) => c.pid);
    // exec'd by setpriv: the child is the worker itself, same pid.
    for (const w of workers) expect(fs.readFileSync(`/proc/${w}/cmdline`, 'utf8').split('\0')[0]).toMatch(/mediasoup-worker$/);
    for (const w of workers) process.kill(w, 'SIGSTOP');
    await until('the workers stopped', () => workers.every((w) => state(w) === 'T'));
    await node.stop('SIGKILL');
    await until('every worker dead', () => workers.every((w) => state(w) === 'gone' || state(w) === 'Z'), 5000);
  });
});
