// Which waits are pushed, and whole or as a place only: WaitPushFilter.
import { describe, expect, it } from 'vitest';
import { WaitPushFilter } from '../../server/petition/wait-pushes.ts';
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
