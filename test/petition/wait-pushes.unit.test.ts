// Which waits are pushed, and whole or as a place only (WaitPushFilter); when passes run.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { serveWaitPushes, WaitPushFilter } from '../../server/petition/wait-pushes.ts';
import type { WaitInfo } from '../../server/petition/wait.ts';

const slot = (dayId: string, slot: number) => ({ dayId, leaderName: '孙桂兰', post: '副市长', portfolio: '城乡建设', place: '市信访接待中心', slot, slotStartsAt: '2026-12-04T01:00:00.000Z' });
const wait = (position: number, appointments: ReturnType<typeof slot>[] | null = null): WaitInfo => ({
  caseId: 'XF20261203-000001',
  state: 'queued',
  position,
  availableOfficials: 2,
  freeOfficials: 0,
  estimatedWaitSeconds: position * 600,
  waitedSeconds: 30,
  offer: appointments && { appointments, callback: true },
});
const sent = (f: WaitPushFilter, w: WaitInfo) => f.changed([w]).map((x) => (x.full ? 'wait' : 'place'));

describe('wait pushes', () => {
  it('pushes the first wait whole, then only changed places, whole again when the offer changes or the case is forgotten', () => {
    const f = new WaitPushFilter();
    expect(sent(f, wait(5))).toEqual(['wait']);
    expect(sent(f, { ...wait(5), waitedSeconds: 31 })).toEqual([]);
    expect(sent(f, wait(4))).toEqual(['place']);
    expect(sent(f, wait(4, [slot('RD1', 0)]))).toEqual(['wait']);
    expect(sent(f, wait(3, [slot('RD1', 0)]))).toEqual(['place']);
    expect(sent(f, wait(3, [slot('RD1', 1)]))).toEqual(['wait']);
    f.forget('XF20261203-000001');
    expect(sent(f, wait(3, [slot('RD1', 1)]))).toEqual(['wait']);
  });
});

describe('wait passes', () => {
  const harness = () => {
    const calls: string[][] = [];
    const told: { queues: string[]; left: string[] }[] = [];
    let finish: () => void = () => undefined;
    const log = { warn: () => undefined } as unknown as Parameters<typeof serveWaitPushes>[0]['log'];
    const pushes = serveWaitPushes({
      waits: (queues) => {
        calls.push(queues);
        return new Promise((resolve) => (finish = () => resolve([])));
      },
      channel: { watchedHere: () => true, pushHere: () => undefined, tellNodes: (n) => told.push(n), onNodes: () => undefined, onUnwatched: () => undefined },
      log,
    });
    return { calls, told, pushes, finish: async () => (finish(), await vi.advanceTimersByTimeAsync(0)) };
  };
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs a lone move at once, coalesces the moves during a pass into one pass 50 ms after it, and tells the other nodes once per turn', async () => {
    const h = harness();
    h.pushes.queuesMoved(['a']);
    h.pushes.left('XF1');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.calls).toEqual([['a']]);
    expect(h.told).toEqual([{ queues: ['a'], left: ['XF1'] }]);

    h.pushes.queuesMoved(['b']);
    h.pushes.queuesMoved(['c', 'b']);
    await h.finish();
    await vi.advanceTimersByTimeAsync(49);
    expect(h.calls).toEqual([['a']]);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.calls).toEqual([['a'], ['b', 'c']]);

    await h.finish();
    h.pushes.queuesMoved(['d']);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.calls).toEqual([['a'], ['b', 'c'], ['d']]);
    h.pushes.close();
  });
});
