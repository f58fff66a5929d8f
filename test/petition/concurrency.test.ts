// Two real server processes on one Redis and one SQLite file, many officials claiming many
// queued cases at once. Ground truth is the assignment stream the claim script appends to in the
// same atomic step, plus the durable assignment table.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type { Official } from '../../server/petition/types.ts';
import { DANGSHAN_RS, DANGSHAN_ZJ, openHarness, redisUrl, rows, terminalActor, type Harness } from './support.ts';

const CASES = 200;
const OFFICIALS_PER_DEPARTMENT = 10;

interface Worker {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  pid: Promise<number>;
  exited: Promise<number | null>;
}

function startWorker(cfg: Record<string, unknown>): Worker {
  const child = spawn('npx', ['tsx', 'test/petition/claim-worker.ts', JSON.stringify(cfg)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: Record<string, unknown>[] = [];
  let buf = '';
  let resolvePid: (pid: number) => void = () => {};
  const pid = new Promise<number>((r) => (resolvePid = r));
  child.stdout!.on('data', (b: Buffer) => {
    buf += b.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        const o = JSON.parse(line) as Record<string, unknown>;
        lines.push(o);
        if (o.ready) resolvePid(Number(o.pid));
      } catch {
        /* not ours (npx notices) */
      }
    }
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, lines, pid, exited };
}

/** Many extra officials for the two departments, one session at a time each. */
async function extraOfficials(h: Harness): Promise<{ rs: string[]; zj: string[] }> {
  const make = (dept: string, kind: string) =>
    Array.from({ length: OFFICIALS_PER_DEPARTMENT }, (_, i): Official => ({
      id: `X341321-${kind}-${i}`, name: `${kind}${i}`, departmentId: dept, level: 'county', regionCode: '341321', maxSessions: 1, post: null,
    }));
  const rs = make(DANGSHAN_RS, 'rs');
  const zj = make(DANGSHAN_ZJ, 'zj');
  await h.store.repo.importDirectory({ regions: [], terminals: [], departments: [], officials: [...rs, ...zj], receptionDays: [] });
  return { rs: rs.map((o) => o.id), zj: zj.map((o) => o.id) };
}

/**
 * Queues CASES cases from villages of 砀山县: wages → 人社局, housing → 住建局, some prioritised.
 * A terminal holds one open petition, so each case gets a terminal of its own (extra terminals
 * beside the seeded ones, in the same villages).
 */
async function queueCases(h: Harness): Promise<Map<string, { caseId: string; department: string }>> {
  const villages = (await h.store.repo.listTerminals()).filter((t) => t.level === 'village' && t.regionCode.startsWith('341321'));
  const terminals = Array.from({ length: CASES }, (_, i) => ({ ...villages[i % villages.length]!, id: `TX-${i}` }));
  await h.store.repo.importDirectory({ regions: [], terminals, departments: [], officials: [], receptionDays: [] });
  const tickets = new Map<string, { caseId: string; department: string }>();
  for (let i = 0; i < CASES; i++) {
    const t = terminals[i]!;
    const housing = i % 3 === 0;
    const s = await h.service.startPetition(terminalActor(t.id), {
      terminalId: t.id,
      category: housing ? 'housing' : 'wages',
      flags: { elderly: i % 5 === 0, urgent: i % 7 === 0 },
    });
    tickets.set(s.ticketId, { caseId: s.case.id, department: housing ? DANGSHAN_ZJ : DANGSHAN_RS });
  }
  return tickets;
}

/** `diedInSession`: cases a killed process had taken but not yet ended (they rest in session). */
async function expectEveryCaseAssignedOnce(h: Harness, tickets: Map<string, { caseId: string; department: string }>, diedInSession = new Set<string>()) {
  const log = await h.service.queue.assignmentLog();
  const assigned = log.map((e) => e.ticketId);
  expect(assigned.length).toBe(CASES);
  expect(new Set(assigned).size).toBe(CASES);
  expect(new Set(assigned)).toEqual(new Set(tickets.keys()));
  // Durable side: one assignment row per case, every case received by one lead official (each
  // worker ends its sessions, so they rest as handled).
  const perCase = await rows<{ case_id: string; n: number }>(h, 'SELECT case_id, count(*) AS n FROM petition_assignments GROUP BY case_id');
  expect(perCase.length).toBe(CASES);
  expect(perCase.every((r) => r.n === 1)).toBe(true);
  const inSession = await rows<{ id: string }>(h, "SELECT id FROM petition_cases WHERE state = 'in_session'");
  expect(inSession.every((r) => diedInSession.has(r.id))).toBe(true);
  const [handled] = await rows<{ n: number }>(h, "SELECT count(*) AS n FROM petition_cases WHERE state = 'handled'");
  expect(Number(handled!.n)).toBe(CASES - inSession.length);
  // Nothing left waiting or leased.
  expect(await h.service.queue.length(DANGSHAN_RS)).toBe(0);
  expect(await h.service.queue.length(DANGSHAN_ZJ)).toBe(0);
  expect(await h.redis.zcard(h.service.queue.keys.leases)).toBe(0);
  expect(await h.service.queue.unrecorded()).toEqual([]);
  return log;
}

describe('two server processes racing for the same queues', () => {
  const harnesses: Harness[] = [];
  const workers: Worker[] = [];
  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    for (const h of harnesses) await h.close();
  });

  it('assigns every case exactly once, in priority order, none lost', async () => {
    const h = await openHarness({ name: 'race' });
    harnesses.push(h);
    const officials = await extraOfficials(h);
    const tickets = await queueCases(h);
    const base = { file: h.file, prefix: h.prefix, redisUrl: redisUrl(), departments: [DANGSHAN_RS, DANGSHAN_ZJ], holdMs: 2, leaseMs: 10_000 };
    const a = startWorker({ ...base, name: 'a', officials: [...officials.rs.slice(0, 5), ...officials.zj.slice(0, 5)] });
    const b = startWorker({ ...base, name: 'b', officials: [...officials.rs.slice(5), ...officials.zj.slice(5)] });
    workers.push(a, b);
    await Promise.all([a.pid, b.pid]);
    a.child.stdin!.write('go\n');
    b.child.stdin!.write('go\n');
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);

    const log = await expectEveryCaseAssignedOnce(h, tickets);
    // Both processes took part.
    const byWorker = (w: Worker) => w.lines.filter((l) => l.assigned).length;
    expect(byWorker(a)).toBeGreaterThan(0);
    expect(byWorker(b)).toBeGreaterThan(0);
    expect(byWorker(a) + byWorker(b)).toBe(CASES);
    // Priority order: within each department, claims in global claim order took tickets in
    // strictly increasing score (priority class, then arrival).
    for (const dept of [DANGSHAN_RS, DANGSHAN_ZJ]) {
      const scores = log
        .filter((e) => tickets.get(e.ticketId)?.department === dept)
        .sort((x, y) => x.claimSeq - y.claimSeq)
        .map((e) => e.score);
      expect(scores.length).toBeGreaterThan(0);
      expect(scores).toEqual([...scores].sort((x, y) => x - y));
    }
    // The prioritised cases (elderly/urgent) were all claimed before any normal one of the same department.
    const rsLog = log.filter((e) => tickets.get(e.ticketId)?.department === DANGSHAN_RS).sort((x, y) => x.claimSeq - y.claimSeq);
    const firstNormal = rsLog.findIndex((e) => e.score >= 3e15);
    expect(rsLog.slice(firstNormal).every((e) => e.score >= 3e15)).toBe(true);
  });

  it('loses no case when one process is killed (SIGKILL) mid-way: its leases go back to the queue', async () => {
    const h = await openHarness({ name: 'kill' });
    harnesses.push(h);
    const officials = await extraOfficials(h);
    const tickets = await queueCases(h);
    const base = { file: h.file, prefix: h.prefix, redisUrl: redisUrl(), departments: [DANGSHAN_RS, DANGSHAN_ZJ], leaseMs: 1500 };
    // The victim holds each offer for a while, so it dies holding leases.
    const victimOfficials = [...officials.rs.slice(0, 5), ...officials.zj.slice(0, 5)];
    const victim = startWorker({ ...base, name: 'victim', holdMs: 300, officials: victimOfficials });
    const survivor = startWorker({ ...base, name: 'survivor', holdMs: 20, officials: [...officials.rs.slice(5), ...officials.zj.slice(5)] });
    workers.push(victim, survivor);
    const victimPid = await victim.pid;
    await survivor.pid;
    victim.child.stdin!.write('go\n');
    survivor.child.stdin!.write('go\n');

    // Kill it once a quarter of the cases are assigned and while it holds unconfirmed leases.
    const heldBy = async (ids: string[]) =>
      (await Promise.all(ids.map((o) => h.redis.scard(`${h.prefix}:leased:${o}`)))).reduce((x, y) => x + y, 0);
    const deadline = Date.now() + 30_000;
    let heldByVictim = 0;
    while (Date.now() < deadline) {
      heldByVictim = await heldBy(victimOfficials);
      if (heldByVictim > 0 && (await h.service.queue.assignmentLog()).length >= CASES / 4) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    process.kill(victimPid, 'SIGKILL');
    await victim.exited;
    // What it held when it died: leases stay until they expire (1.5 s), nobody can confirm them.
    heldByVictim = await heldBy(victimOfficials);
    expect(heldByVictim).toBeGreaterThan(0);

    expect(await survivor.exited).toBe(0);
    await h.service.sweep();
    // The victim may have died between taking a case and ending its session (even before saying
    // so on stdout): that case rests in session. Which cases it took is in the assignment log.
    const victimIds = new Set(victimOfficials);
    const victimCases = new Set((await h.service.queue.assignmentLog()).filter((e) => victimIds.has(e.officialId)).map((e) => e.caseId));
    await expectEveryCaseAssignedOnce(h, tickets, victimCases);

    // The victim's leases were released (lease expiry) and served by the survivor.
    const [released] = await rows<{ n: number }>(h, "SELECT count(*) AS n FROM petition_case_events WHERE type = 'claim_released'");
    expect(released!.n).toBeGreaterThan(0);
    const victimAssigned = new Set(victim.lines.filter((l) => l.assigned).map((l) => String(l.assigned)));
    const survivorAssigned = new Set(survivor.lines.filter((l) => l.assigned).map((l) => String(l.assigned)));
    expect([...victimAssigned].filter((t) => survivorAssigned.has(t))).toEqual([]);
    expect(survivor.lines.some((l) => l.done)).toBe(true);
    expect(victim.lines.some((l) => l.done)).toBe(false);
  });
});
