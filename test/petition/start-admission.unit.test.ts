// Petition starts admitted a few at a time, the rest in arrival order (server/petition/start-admission.ts).
import { describe, expect, it } from 'vitest';
import { StartAdmission } from '../../server/petition/start-admission.ts';

describe('start admission', () => {
  it('runs at most `limit` at once and serves the waiting in arrival order, failures included', async () => {
    const gate = new StartAdmission(2);
    const release = new Map<number, () => void>();
    const started: number[] = [];
    const finished: number[] = [];
    const runs = [0, 1, 2, 3, 4].map((i) =>
      gate
        .run(async () => {
          started.push(i);
          await new Promise<void>((r) => release.set(i, r));
          if (i === 1) throw new Error('start 1 failed');
          return i;
        })
        .then((v) => finished.push(v), () => finished.push(-i)),
    );
    const settle = () => new Promise<void>((r) => setImmediate(r));
    await settle();
    expect(started).toEqual([0, 1]);
    expect(gate.waiting).toBe(3);
    release.get(1)!(); // a failed start gives its turn up too
    await settle();
    expect(started).toEqual([0, 1, 2]);
    release.get(0)!();
    await settle();
    expect(started).toEqual([0, 1, 2, 3]);
    release.get(3)!();
    release.get(2)!();
    await settle();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    release.get(4)!();
    await Promise.all(runs);
    expect(finished).toEqual([-1, 0, 3, 2, 4]);
    expect(gate.waiting).toBe(0);
    // Nothing held: a new run starts at once.
    await expect(gate.run(async () => 'next')).resolves.toBe('next');
  });
});
