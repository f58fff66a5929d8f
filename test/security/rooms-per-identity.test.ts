// Rooms per identity (issue 9.7): one identity occupies at most ROOMS_PER_IDENTITY rooms at once,
// counted across every node — a token granting many rooms, or sockets spread over nodes, does not
// open more. Over the cap a capabilities request or a join is refused `conflict`
// (`reason: rooms_per_identity`) before a room is made; leaving one frees its seat, taking the
// same room again (a reconnect replacing the old connection) is no extra room.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/evidence.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { Client, connectAs } from './support.ts';

describe('rooms per identity', () => {
  let a: TestPlatform;
  let b: TestPlatform;
  const clients: Client[] = [];
  const on = async (node: TestPlatform, token: string) => {
    const c = await connectAs(node, token);
    clients.push(c);
    return c;
  };
  const redisPrefix = `t${process.pid}-seats-${Date.now()}:`;

  beforeAll(async () => {
    [a, b] = await Promise.all([startTestPlatform({ ROOMS_PER_IDENTITY: '2' }, { redisPrefix }), startTestPlatform({ ROOMS_PER_IDENTITY: '2' }, { redisPrefix })]);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all([a?.close(), b?.close()]);
  });

  it('holds one identity to its cap across nodes; leaving a room frees its seat; others are not affected', async () => {
    const rooms = [1, 2, 3].map((i) => `test:seats-${Date.now()}-${i}`);
    const token = a.token('O341321-rs-7', 'official', { rooms });
    const first = await on(a, token);
    const second = await on(b, token);
    expect(await first.join(rooms[0]!)).toMatchObject({ ok: true });
    expect(await second.join(rooms[1]!)).toMatchObject({ ok: true });

    const third = await on(a, token);
    const over = { ok: false, error: { code: 'conflict', details: { reason: 'rooms_per_identity', max: 2 } } };
    expect(await third.join(rooms[2]!)).toMatchObject(over);
    expect(a.rooms.get(rooms[2]!)).toBeUndefined(); // refused before the room was made

    // Someone else is not counted against this identity.
    const other = await on(a, a.token('O341321-rs-8', 'official', { rooms }));
    expect(await other.join(rooms[2]!)).toMatchObject({ ok: true });

    // A reconnect into a room already held replaces the old connection and keeps the one seat.
    const again = await on(b, token);
    expect(await again.join(rooms[1]!)).toMatchObject({ ok: true });
    await second.gone();
    expect(await third.join(rooms[2]!)).toMatchObject(over);

    // Leaving frees the seat for another room.
    expect(await first.call('leave', {})).toMatchObject({ ok: true });
    const joined = await until('the freed seat taken', async () => {
      const r = await third.join(rooms[2]!);
      return r.ok ? r : undefined;
    });
    expect(joined).toMatchObject({ ok: true });
  });
});
