// A SIGKILLed product node takes its mediasoup workers with it. A worker normally ends when it
// reads EOF on its channel; this proves more than that: workers that cannot read anything
// (stopped with SIGSTOP, as a worker stuck in a long turn would be) still die, because the
// kernel sends them the parent-death signal (sfu/worker-pool.ts launches them through setpriv).
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startProductNode, type ProductNode } from '../../scripts/harness/product-node.ts';
import { until } from '../support/evidence.ts';
import { childrenOf, processState as state } from '../support/processes.ts';

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
