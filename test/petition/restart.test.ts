// Stop everything — the service, its Redis connection, the SQLite file and the redis-server
// itself (AOF on, as the product runs it) — then start again: queues, presence once heartbeats
// resume, appointments and open cases are all there.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/core/log.ts';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../server/core/embedded-redis.ts';
import { DANGSHAN_RS, dangshanTerminal, officialActor, openHarness, rows, startAt, tempDbFile, terminalActor, uniquePrefix, VILLAGE_TERMINAL, type Harness } from './support.ts';

/** The terminal of the i-th case (one open petition per terminal). */
const at = (i: number) => terminalActor(dangshanTerminal(i));

describe('restart', () => {
  const redisDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-petition-restart-redis-'));
  let redis: EmbeddedRedis | undefined;
  let h: Harness | undefined;
  const files: string[] = [];
  afterAll(async () => {
    await h?.close();
    await redis?.stop();
    for (const dir of [redisDir, ...files.map((f) => path.dirname(f))]) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps queues, presence (after heartbeats resume), appointments and open cases', async () => {
    const log = createLogger('warn');
    const file = tempDbFile('restart');
    files.push(file);
    const prefix = uniquePrefix('restart');
    redis = await startEmbeddedRedis(redisDir, log);
    h = await openHarness({ name: 'restart', file, prefix, url: redis.url, presenceTtlMs: 1000 });

    const rs = officialActor('O341321-rs-1');
    const started = [];
    for (let i = 0; i < 5; i++) started.push(await startAt(h, i, { category: 'wages', phone: '13900000000', flags: { elderly: i === 3 } }));
    await h.service.heartbeat(rs, 'available');
    const open = await h.service.claimNext(rs);
    expect(open?.case.id).toBe(started[3]!.case.id); // the elderly petitioner first
    const day = (await h.service.receptionDays())[0]!;
    await h.service.bookAppointment(at(4), started[4]!.case.id, day.id, 2);
    await h.service.requestCallback(at(2), started[2]!.case.id);

    const queueBefore = (await h.service.queue.entries(DANGSHAN_RS)).map((e) => e.ticketId);
    expect(queueBefore).toEqual([started[0]!.ticketId, started[1]!.ticketId]);
    const activeBefore = await h.service.queue.activeTickets(rs.id);
    expect(activeBefore).toEqual([open!.ticketId]);

    // Stop: service, connections, database, redis-server.
    await h.close();
    h = undefined;
    await redis.stop();
    await new Promise((r) => setTimeout(r, 1100)); // presence expires while nobody beats

    redis = await startEmbeddedRedis(redisDir, log);
    h = await openHarness({ name: 'restart', file, prefix, url: redis.url, presenceTtlMs: 1000, seed: false });

    expect((await h.service.queue.entries(DANGSHAN_RS)).map((e) => e.ticketId)).toEqual(queueBefore);
    expect((await h.service.wait(at(1), started[1]!.case.id)).position).toBe(2);
    expect(await h.service.queue.activeTickets(rs.id)).toEqual(activeBefore);
    const openCase = await h.service.getCase(rs, open!.case.id);
    expect(openCase).toMatchObject({ state: 'in_session', officialId: rs.id });
    expect((await h.service.roomAccess(rs, open!.case.id)).roomId).toBe(`petition:${open!.case.id}`);
    expect(await h.store.repo.getAppointment(started[4]!.case.id)).toMatchObject({ dayId: day.id, slot: 2 });
    expect((await h.service.receptionDays()).find((d) => d.id === day.id)!.booked[2]).toBe(1);
    expect((await h.service.getCase(at(2), started[2]!.case.id)).appointment?.kind).toBe('callback');

    // Presence: gone while no heartbeat came, back as soon as they resume.
    expect(await h.service.presence.online(DANGSHAN_RS)).toEqual([]);
    await h.service.heartbeat(rs, 'busy');
    expect(await h.service.presence.online(DANGSHAN_RS)).toEqual([{ officialId: rs.id, status: 'busy' }]);

    // And the scheduler carries on where it stopped.
    const next = await h.service.claimNext(rs);
    expect(next?.ticketId).toBe(queueBefore[0]);
  });

  it('re-issues what a crash between SQLite and Redis left out: a registered case, a transfer ticket', async () => {
    const file = tempDbFile('recover');
    files.push(file);
    const prefix = uniquePrefix('recover');
    const first = await openHarness({ name: 'recover', file, prefix });
    const t = terminalActor(VILLAGE_TERMINAL);
    const s = await first.service.startPetition(t, { terminalId: VILLAGE_TERMINAL, category: 'wages' });
    // Simulate a crash between the SQLite write and the enqueue: drop the Redis side, reset the state.
    await first.service.queue.cancel([s.ticketId]);
    await first.redis.del(first.service.queue.keys.ticket(s.ticketId));
    await rows(first, "UPDATE petition_cases SET state = 'registered' WHERE id = ?", [s.case.id]);
    // …and a crash between a transfer's SQLite write and its Redis ticket.
    const moved = await startAt(first, 1, { category: 'housing' });
    const zj = officialActor('O341321-zj-1');
    await first.service.claimNext(zj);
    await first.service.transfer(zj, moved.case.id, '341321-mz', '属于救助事项');
    const handover = (await first.service.queue.ticketsOfCase(moved.case.id)).find((x) => x.kind === 'transfer')!;
    await first.service.queue.cancel([handover.id]);
    await first.redis.del(first.service.queue.keys.ticket(handover.id));
    await first.close();

    // Started later than a start could still be on its way (10 s), as a restart after a crash is.
    const second = await openHarness({ name: 'recover', file, prefix, seed: false, now: () => new Date(Date.now() + 11_000) });
    try {
      expect((await second.service.getCase(t, s.case.id)).state).toBe('queued');
      expect((await second.service.queue.entries(DANGSHAN_RS)).map((e) => e.caseId)).toEqual([s.case.id]);
      expect((await second.service.queue.entries('341321-mz')).map((e) => [e.ticketId, e.kind, e.priority])).toEqual([[handover.id, 'transfer', 'handover']]);
    } finally {
      await second.close();
    }
  });
});
