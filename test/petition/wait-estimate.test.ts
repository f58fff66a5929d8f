// Honest waits (issue 12 item 7): with an official of the office free the terminal is told it is
// about to be connected, not "up to 15 minutes"; otherwise the estimate it is told when it joins
// the queue is checked against the wait it then measures — two officials serving back to back,
// sessions of 220 s and 260 s, on a test clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../server/petition/types.ts';
import { DANGSHAN_RS, officialActor, openHarness, startAt, terminalActor, dangshanTerminal, type Harness } from './support.ts';

describe('wait estimates', () => {
  let h: Harness;
  let now = new Date('2026-11-26T02:00:00Z');
  const advance = (s: number) => (now = new Date(now.getTime() + s * 1000));
  const officials = [officialActor('O341321-rs-1'), officialActor('O341321-rs-2')];

  beforeAll(async () => {
    h = await openHarness({ name: 'wait-estimate', now: () => now, defaultSessionSeconds: 900 });
  });
  afterAll(async () => {
    await h.close();
  });

  /** An official takes the head of the queue and is busy with it. */
  const serve = async (o: Actor) => {
    await h.service.heartbeat(o, 'available');
    const a = await h.service.claimNext(o);
    await h.service.heartbeat(o, 'busy');
    return a!.case.id;
  };

  it('a free official: "about to be connected", with no estimate to wait out', async () => {
    await h.service.heartbeat(officials[0]!, 'available');
    const started = await startAt(h, 0, { category: 'wages' });
    expect(started.wait).toMatchObject({ position: 1, freeOfficials: 1, availableOfficials: 1, estimatedWaitSeconds: 0 });
    // Busy again: the same place now waits for the session to end.
    await h.service.heartbeat(officials[0]!, 'busy');
    const w = await h.service.wait(terminalActor(dangshanTerminal(0)), started.case.id);
    expect(w).toMatchObject({ position: 1, freeOfficials: 0, estimatedWaitSeconds: 900 });
    // Served and finished: the office's mean session length is measured from here on.
    expect(await serve(officials[0]!)).toBe(started.case.id);
    advance(240);
    await h.service.endSession(officials[0]!, started.case.id);
  });

  it('estimates told on joining the queue hold against the waits then measured', async () => {
    // Both officials busy with a case each, five more petitioners arrive at once.
    const lengths = [220, 260];
    const busy = new Map<string, { caseId: string; endsAt: number }>();
    for (const [i, o] of officials.entries()) {
      const started = await startAt(h, 1 + i, { category: 'wages' });
      expect(await serve(o)).toBe(started.case.id);
      busy.set(o.id, { caseId: started.case.id, endsAt: now.getTime() + lengths[i % 2]! * 1000 });
    }
    const told = new Map<string, { estimate: number; at: number }>();
    for (let i = 3; i < 8; i++) {
      const started = await startAt(h, i, { category: 'wages' });
      expect(started.wait.freeOfficials).toBe(0);
      told.set(started.case.id, { estimate: started.wait.estimatedWaitSeconds!, at: now.getTime() });
    }

    // The officials end their sessions and take the next case in turn, sessions alternating 220/260 s.
    const measured = new Map<string, number>();
    let n = 0;
    while (measured.size < told.size) {
      const [id, s] = [...busy.entries()].sort((a, b) => a[1].endsAt - b[1].endsAt)[0]!;
      const o = officials.find((x) => x.id === id)!;
      now = new Date(s.endsAt);
      await h.service.endSession(o, s.caseId);
      const next = await serve(o);
      measured.set(next, (now.getTime() - told.get(next)!.at) / 1000);
      busy.set(o.id, { caseId: next, endsAt: now.getTime() + lengths[n++ % 2]! * 1000 });
    }
    const avg = (await h.service.queue.avgSessionSeconds(DANGSHAN_RS))!;
    const rows = [...told.entries()].map(([caseId, t]) => ({ caseId, estimate: t.estimate, measured: measured.get(caseId)! }));
    // The estimate is the measured mean: each wait it told is off by no more than the sessions' own
    // spread (±20 s a session here), never by a whole session.
    for (const r of rows) expect(Math.abs(r.estimate - r.measured), JSON.stringify(rows)).toBeLessThanOrEqual(0.3 * avg);
    // …and across the queue it neither promises short nor scares off: within 10 % in total.
    const total = (k: 'estimate' | 'measured') => rows.reduce((s, r) => s + r[k], 0);
    expect(Math.abs(total('estimate') - total('measured')) / total('measured')).toBeLessThanOrEqual(0.1);
  });
});
