// Room and Peer lifecycle against a real mediasoup worker, without sockets: every way out of a
// room closes the peer once with its reason and tells its client the one thing that reason
// means; the empty-room timeout spares a reconnecting last peer; a dead worker is never given a
// new room.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Claims } from '../../server/auth/grants.ts';
import { createLogger } from '../../server/core/log.ts';
import type { PeerCloseReason, ServerToClientEvents } from '../../server/protocol/signalling.ts';
import { Peer } from '../../sfu/peer.ts';
import { Room } from '../../sfu/room.ts';
import { WorkerPool } from '../../sfu/worker-pool.ts';
import { freeRtcPorts } from '../../scripts/harness/rtc-ports.ts';

const log = createLogger('silent');

type Note = { event: keyof ServerToClientEvents; payload: unknown };
interface TestPeer {
  peer: Peer;
  /** What its client was told, in order. */
  told: Note[];
  /** Reasons of every `close` the peer emitted (exactly one is expected). */
  closes: PeerCloseReason[];
}

function claims(sub: string, roomId: string, grant: Partial<Claims['grant']> = {}): Claims {
  return {
    use: 'room',
    sub,
    name: sub,
    role: 'official',
    grant: { rooms: [roomId], canPublish: true, canSubscribe: true, sources: ['camera', 'microphone'], ...grant },
    attributes: {},
    jti: `jti-${sub}`,
    iat: 0,
    exp: 4_102_444_800,
  };
}

function testPeer(sub: string, room: Room, grant: Partial<Claims['grant']> = {}): TestPeer {
  const told: Note[] = [];
  const peer = new Peer(sub, sub, claims(sub, room.id, grant), (event, ...args) => void told.push({ event, payload: args[0] }));
  const closes: PeerCloseReason[] = [];
  peer.on('close', (reason) => void closes.push(reason));
  return { peer, told, closes };
}

function joined(sub: string, room: Room, grant: Partial<Claims['grant']> = {}): TestPeer {
  const p = testPeer(sub, room, grant);
  room.join(p.peer, room.rtpCapabilities);
  return p;
}

/** Room and peer events in the order they happened. */
function roomLog(room: Room): string[] {
  const out: string[] = [];
  room.on('peerjoined', (p) => void out.push(`peerjoined:${p.id}`));
  room.on('peerleft', (p) => void out.push(`peerleft:${p.id}`));
  room.on('close', (reason) => void out.push(`close:${reason}`));
  return out;
}

async function startPool(size: number): Promise<WorkerPool> {
  // Random port bases so parallel test processes on this machine do not collide.
  for (let attempt = 0; ; attempt++) {
    const { base, min, max } = await freeRtcPorts(300);
    try {
      return await WorkerPool.create({ size, logLevel: 'warn', listenIp: '127.0.0.1', portBase: base, rtcMinPort: min, rtcMaxPort: max }, log);
    } catch (err) {
      if (attempt >= 4) throw err;
    }
  }
}

let n = 0;
const newRoomId = () => `test:lifecycle-${process.pid}-${++n}`;

describe('Room and Peer lifecycle', () => {
  let pool: WorkerPool;
  beforeAll(async () => {
    pool = await startPool(2);
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('a peer whose connection is gone leaves the room: the room emits peerleft, the others are told peerLeft, its transports close', async () => {
    const room = await Room.create({ roomId: newRoomId(), pool, log });
    const events = roomLog(room);
    const gone = joined('gone', room);
    const stays = joined('stays', room);
    await room.createWebRtcTransport(gone.peer, 'send');
    const [transport] = gone.peer.transports.values();

    room.leave(gone.peer, 'disconnected');

    expect(gone.closes).toEqual(['disconnected']);
    // Its socket is gone: nothing is sent to it.
    expect(gone.told.filter((t) => ['rejoin', 'roomClosed', 'replaced'].includes(t.event))).toEqual([]);
    expect(stays.told).toContainEqual({ event: 'peerLeft', payload: { peerId: 'gone' } });
    expect(events).toContain('peerleft:gone');
    expect([...room.peers.keys()]).toEqual(['stays']);
    expect(transport!.closed).toBe(true);
    // Leaving twice is harmless, and the room goes on.
    room.leave(gone.peer, 'left');
    expect(gone.closes).toEqual(['disconnected']);
    expect(room.closed).toBe(false);
    room.close('ended');
  });

  it('a second join of the same identity replaces the older peer, which is told replaced', async () => {
    const room = await Room.create({ roomId: newRoomId(), pool, log });
    const older = joined('same', room);
    const watcher = joined('watcher', room);
    const newer = joined('same', room);

    expect(older.closes).toEqual(['duplicate-identity']);
    expect(older.told).toContainEqual({ event: 'replaced', payload: { reason: 'duplicate-identity' } });
    expect(room.peers.get('same')).toBe(newer.peer);
    expect(watcher.told).toEqual([
      { event: 'peerLeft', payload: { peerId: 'same' } },
      { event: 'peerJoined', payload: expect.objectContaining({ peerId: 'same' }) },
    ]);
    expect(newer.closes).toEqual([]);
    room.close('ended');
  });

  it('a removed participant is told roomClosed kicked; the room stays open for the rest', async () => {
    const room = await Room.create({ roomId: newRoomId(), pool, log });
    const host = joined('host', room, { roomAdmin: true });
    const guest = joined('guest', room);
    await room.kick(host.peer, room.assertPeer('guest'), async () => undefined);

    expect(guest.closes).toEqual(['kicked']);
    expect(guest.told).toContainEqual({ event: 'roomClosed', payload: { reason: 'kicked' } });
    expect(host.told).toContainEqual({ event: 'peerLeft', payload: { peerId: 'guest' } });
    expect(room.closed).toBe(false);
    room.close('ended');
  });

  it('a room ended by its session tells every peer roomClosed ended; they leave in order and the room closes', async () => {
    const room = await Room.create({ roomId: newRoomId(), pool, log });
    const events = roomLog(room);
    const a = joined('a', room);
    const b = joined('b', room);

    room.close('ended');

    for (const p of [a, b]) {
      expect(p.closes).toEqual(['ended']);
      expect(p.told.at(-1)).toEqual({ event: 'roomClosed', payload: { reason: 'ended' } });
      expect(p.told.some((t) => t.event === 'rejoin')).toBe(false);
    }
    expect(events.slice(-3)).toEqual(['peerleft:a', 'peerleft:b', 'close:ended']);
    expect(room.router.closed).toBe(true);
    expect(() => room.join(testPeer('late', room).peer, room.rtpCapabilities)).toThrow(/room closed/);
  });

  it('a node shutting down tells every peer to rejoin (elsewhere), not that the session is over', async () => {
    const room = await Room.create({ roomId: newRoomId(), pool, log });
    const events = roomLog(room);
    const a = joined('a', room);
    const b = joined('b', room);

    room.close('server-shutdown');
    room.close('ended'); // a second close changes nothing

    for (const p of [a, b]) {
      expect(p.closes).toEqual(['server-shutdown']);
      expect(p.told.at(-1)).toEqual({ event: 'rejoin', payload: { reason: 'server-shutdown' } });
      expect(p.told.some((t) => t.event === 'roomClosed')).toBe(false);
    }
    expect(events.slice(-3)).toEqual(['peerleft:a', 'peerleft:b', 'close:server-shutdown']);
  });

  it('the empty-room timeout keeps the room while its last peer reconnects, and closes it once nobody came back', async () => {
    // The worker is real; only the room's clock is simulated, so the test waits for nothing.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const room = await Room.create({ roomId: newRoomId(), pool, log, emptyTimeoutMs: 5000 });
      const events = roomLog(room);
      const first = joined('last', room);
      room.leave(first.peer, 'disconnected');
      vi.advanceTimersByTime(4000);
      expect(room.closed).toBe(false);

      // The same person comes back within the timeout, on a new connection.
      const again = joined('last', room);
      vi.advanceTimersByTime(60_000);
      expect(room.closed).toBe(false);
      expect(room.peers.get('last')).toBe(again.peer);

      room.leave(again.peer, 'disconnected');
      vi.advanceTimersByTime(4999);
      expect(room.closed).toBe(false);
      vi.advanceTimersByTime(1);
      expect(room.closed).toBe(true);
      expect(events.at(-1)).toBe('close:empty');
      expect(room.router.closed).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a worker that died is never given a new room, even before its replacement is up; peers on it are told to rejoin', async () => {
    // One room on each worker: once the first worker dies its slot hosts no routers at all, so
    // by load alone it would look the best place for the next room.
    const onFirst = await Room.create({ roomId: newRoomId(), pool, log });
    const onSecond = await Room.create({ roomId: newRoomId(), pool, log });
    expect(onFirst.slot.index).not.toBe(onSecond.slot.index);
    const victim = onFirst.slot;
    const victimPid = victim.worker.pid;
    const events = roomLog(onFirst);
    const inside = joined('inside', onFirst);

    // Rooms asked for the moment the death is known, before the pool has replaced the worker.
    const placedDuringDeath = new Promise<Room[]>((resolve, reject) => {
      victim.worker.once('died', () => {
        Promise.all([1, 2, 3].map(() => Room.create({ roomId: newRoomId(), pool, log }))).then(resolve, reject);
      });
    });
    const replaced = new Promise<{ index: number }>((resolve) => pool.once('workerdied', resolve));
    process.kill(victimPid, 'SIGKILL');

    const rooms = await placedDuringDeath;
    for (const r of rooms) {
      expect(r.slot.worker.closed).toBe(false);
      expect(r.slot.worker.pid).not.toBe(victimPid);
      expect(r.router.closed).toBe(false);
    }
    // The room on the dead worker closed; its peer is told to rejoin; no orderly peerleft (the
    // recording shows an interruption, not a departure).
    expect(onFirst.closed).toBe(true);
    expect(inside.closes).toEqual(['worker-died']);
    expect(inside.told.at(-1)).toEqual({ event: 'rejoin', payload: { reason: 'worker-died' } });
    expect(events).toEqual(['peerjoined:inside', 'close:worker-died']);

    // Once replaced, the fresh worker takes new rooms again.
    expect((await replaced).index).toBe(victim.index);
    const fresh = pool.slots[victim.index]!;
    expect(fresh.worker.pid).not.toBe(victimPid);
    const later = await Room.create({ roomId: newRoomId(), pool, log });
    expect(later.slot).toBe(fresh);
    expect(later.router.closed).toBe(false);
    for (const r of [onSecond, ...rooms, later]) r.close('ended');
  });
});
