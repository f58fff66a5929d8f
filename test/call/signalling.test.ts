// The signalling contract against a real server, Redis and mediasoup worker: typed refusals for
// bad tokens, wrong rooms and malformed payloads; grants enforced on media; duplicate identities
// replaced; a killed worker replaced with its peers told to rejoin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import jwt from 'jsonwebtoken';
import { requestSchemas, type Reply, type RequestName } from '../../server/protocol/signalling.ts';
import { waitFor } from '../support/media.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

type Client = Socket;

const VP8_PARAMS = {
  codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'ccm', parameter: 'fir' }] }],
  encodings: [{ ssrc: 22222222 }],
  headerExtensions: [],
  rtcp: { cname: 'test' },
};

let platform: TestPlatform;
const clients: Client[] = [];

function connect(token: unknown): Client {
  const c = io(platform.url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  clients.push(c);
  return c;
}

function connected(c: Client): Promise<void> {
  return new Promise((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('connect_error', (e: Error & { data?: unknown }) => reject(Object.assign(new Error(e.message), { data: e.data })));
  });
}

async function refusal(token: unknown): Promise<{ code: string; message: string }> {
  const err = await connected(connect(token)).then(
    () => undefined,
    (e: { data?: { code: string; message: string } }) => e,
  );
  expect(err, 'connection should have been refused').toBeDefined();
  return err!.data!;
}

async function call<T = unknown>(c: Client, event: RequestName | string, payload: unknown): Promise<Reply<T>> {
  return (await c.timeout(5000).emitWithAck(event, payload)) as Reply<T>;
}

/** The router capabilities each client's join reply carried: what a Device would be loaded with. */
const routerCaps = new Map<Client, unknown>();

async function joinedClient(sub: string, room: string, grant: Record<string, unknown> = {}): Promise<Client> {
  const c = connect(platform.token(sub, 'official', { rooms: [room], ...grant }));
  await connected(c);
  const joined = await call<{ rtpCapabilities: unknown }>(c, 'join', { roomId: room });
  expect(joined).toMatchObject({ ok: true });
  if (joined.ok) routerCaps.set(c, joined.data.rtpCapabilities);
  return c;
}

/** A recv transport that can receive whatever the router sends (the capabilities a browser's Device would report, near enough). */
async function recvTransport(c: Client): Promise<string> {
  const t = await call<{ transportId: string }>(c, 'createWebRtcTransport', { direction: 'recv', rtpCapabilities: routerCaps.get(c) });
  expect(t.ok).toBe(true);
  return t.ok ? t.data.transportId : '';
}

beforeAll(async () => {
  platform = await startTestPlatform({ DEV_TOKENS: '1' });
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await platform?.close();
});

describe('connect', () => {
  it('refuses a missing or malformed token with unauthorized', async () => {
    expect((await refusal(undefined)).code).toBe('unauthorized');
    expect((await refusal('not-a-jwt')).code).toBe('unauthorized');
  });

  it('refuses a token signed with another secret', async () => {
    const forged = jwt.sign({ sub: 'x', name: 'x', role: 'admin', grant: { rooms: ['*'], canPublish: true, canSubscribe: true, sources: [] }, jti: 'j' }, 'another-secret-of-enough-length', { expiresIn: 60 });
    expect((await refusal(forged)).code).toBe('unauthorized');
  });

  it('refuses an expired token with token_expired', async () => {
    const expired = platform.tokens.issue({ sub: 'late', name: 'late', role: 'official', grant: { rooms: ['r'], canPublish: true, canSubscribe: true, sources: [] }, ttlSeconds: -10 });
    expect((await refusal(expired)).code).toBe('token_expired');
  });
});

describe('requests', () => {
  it('a token for room X cannot enter room Y', async () => {
    const c = connect(platform.token('u1', 'official', { rooms: ['test:x'] }));
    await connected(c);
    const j = await call(c, 'join', { roomId: 'test:y' });
    expect(j).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('answers a malformed payload for every event with bad_request and keeps serving', async () => {
    const room = 'test:malformed';
    const bad: unknown[] = [null, 42, 'x', [], { roomId: 5 }, { transportId: { $gt: '' } }, { extra: 'x'.repeat(10) }];
    let c!: Client;
    for (const name of Object.keys(requestSchemas) as RequestName[]) {
      // A client per event keeps this within one client's request budget.
      c = await joinedClient(`m-${name}`, room);
      for (const payload of bad) {
        const r = await call(c, name, payload);
        expect(r, `${name} ${JSON.stringify(payload)}`).toMatchObject({ ok: false, error: { code: 'bad_request' } });
      }
    }
    // Unknown events and missing acks are ignored, not fatal.
    c.emit('noSuchEvent', {});
    c.emit('join', { roomId: room });
    // The same connection and a new one are still served.
    expect(await call(c, 'leave', {})).toMatchObject({ ok: true });
    const other = await joinedClient('m2', room);
    expect(other.connected).toBe(true);
  });

  it('enforces publish grants and keeps producers of other rooms out of reach', async () => {
    const room = 'test:grants';
    const publisher = await joinedClient('pub', room);
    const t = await call<{ transportId: string }>(publisher, 'createWebRtcTransport', { direction: 'send' });
    expect(t.ok).toBe(true);
    const transportId = t.ok ? t.data.transportId : '';
    // The grant allows camera+microphone; a screen is refused, and a mislabelled kind too.
    expect(await call(publisher, 'produce', { transportId, kind: 'video', rtpParameters: VP8_PARAMS, source: 'screen' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await call(publisher, 'produce', { transportId, kind: 'audio', rtpParameters: VP8_PARAMS, source: 'camera' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    const produced = await call<{ producerId: string }>(publisher, 'produce', { transportId, kind: 'video', rtpParameters: VP8_PARAMS, source: 'camera' });
    expect(produced.ok).toBe(true);
    const producerId = produced.ok ? produced.data.producerId : '';

    // A viewer-only token may not open a send transport.
    const viewer = await joinedClient('viewer', room, { canPublish: false, sources: [] });
    expect(await call(viewer, 'createWebRtcTransport', { direction: 'send' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const consumed = await call<{ consumerId: string; peerId: string; source: string }>(viewer, 'consume', { transportId: await recvTransport(viewer), producerId });
    expect(consumed).toMatchObject({ ok: true, data: { peerId: 'pub', source: 'camera' } });

    // Consumers are made for the capabilities the recv transport carried: a device that
    // receives no video is refused it; a recv transport without them is malformed.
    const deaf = await joinedClient('audio-only-device', room);
    const opus = (routerCaps.get(deaf) as { codecs: { kind: string }[] }).codecs.filter((codec) => codec.kind === 'audio');
    expect(await call(deaf, 'createWebRtcTransport', { direction: 'recv' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    const audioRecv = await call<{ transportId: string }>(deaf, 'createWebRtcTransport', { direction: 'recv', rtpCapabilities: { codecs: opus, headerExtensions: [] } });
    expect(await call(deaf, 'consume', { transportId: audioRecv.ok ? audioRecv.data.transportId : '', producerId })).toMatchObject({
      ok: false,
      error: { code: 'bad_request', message: expect.stringMatching(/cannot receive/) },
    });

    // Someone in another room cannot consume it, even knowing its id.
    const outsider = await joinedClient('outsider', 'test:elsewhere');
    expect(await call(outsider, 'consume', { transportId: await recvTransport(outsider), producerId })).toMatchObject({ ok: false, error: { code: 'not_found' } });

    // Closing the producer tells the consumer's owner.
    const closed = new Promise((resolve) => viewer.once('consumerClosed', resolve));
    expect(await call(publisher, 'closeProducer', { producerId })).toMatchObject({ ok: true });
    expect(await closed).toMatchObject({ producerId });
  });

  it('the join reply carries a recv transport, on which the first consume tells what the device can receive', async () => {
    const room = 'test:join-recv';
    const publisher = await joinedClient('join-recv-pub', room);
    const t = await call<{ transportId: string }>(publisher, 'createWebRtcTransport', { direction: 'send' });
    const produced = await call<{ producerId: string }>(publisher, 'produce', { transportId: t.ok ? t.data.transportId : '', kind: 'video', rtpParameters: VP8_PARAMS, source: 'camera' });
    expect(produced.ok).toBe(true);
    const producerId = produced.ok ? produced.data.producerId : '';

    const viewer = connect(platform.token('join-recv-viewer', 'official', { rooms: [room] }));
    await connected(viewer);
    const joined = await call<{ rtpCapabilities: unknown; recv?: { transportId: string; iceCandidates: unknown[] } }>(viewer, 'join', { roomId: room });
    expect(joined).toMatchObject({ ok: true, data: { recv: { transportId: expect.any(String), iceCandidates: expect.any(Array) } } });
    if (!joined.ok) return;
    const transportId = joined.data.recv!.transportId;
    // Nothing told yet: no codec it could be sure the device receives.
    expect(await call(viewer, 'consume', { transportId, producerId })).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringMatching(/cannot receive/) } });
    expect(await call(viewer, 'consume', { transportId, producerId, rtpCapabilities: joined.data.rtpCapabilities })).toMatchObject({ ok: true, data: { producerId, source: 'camera' } });
  });

  it('the same identity joining twice replaces the older connection', async () => {
    const room = 'test:dup';
    const first = await joinedClient('same-person', room);
    const replaced = new Promise((resolve) => first.once('replaced', resolve));
    const disconnected = new Promise((resolve) => first.once('disconnect', resolve));
    const watcher = await joinedClient('watcher', room);
    const second = await joinedClient('same-person', room);
    expect(await replaced).toEqual({ reason: 'duplicate-identity' });
    await disconnected;
    expect(second.connected).toBe(true);
    const room_ = platform.rooms.get(room)!;
    expect([...room_.peers.keys()].sort()).toEqual(['same-person', 'watcher']);
    expect(watcher.connected).toBe(true);
  });
});

describe('leaving', () => {
  it('a client whose connection drops leaves the room, and the others are told peerLeft', async () => {
    const room = 'test:drop';
    const stays = await joinedClient('stays', room);
    const drops = await joinedClient('drops', room);
    const left = new Promise((resolve) => stays.once('peerLeft', resolve));
    drops.disconnect();
    expect(await left).toEqual({ peerId: 'drops' });
    expect([...platform.rooms.get(room)!.peers.keys()]).toEqual(['stays']);
  });

  it('a client whose connection drops while its join is under way leaves nobody behind in the room', async () => {
    const room = `test:ghost-${Date.now()}`;
    const joinsAnswered = async () => {
      const body = await (await fetch(`${platform.internalUrl}/metrics`)).text();
      return [...body.matchAll(/^sv_signalling_requests_total\{event="join",outcome="[^"]+"\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    };
    const joinsBefore = await joinsAnswered();
    const c = connect(platform.token('ghost', 'official', { rooms: [room] }));
    await connected(c);
    // The connection drops at the moment the room is ready, before the join can finish.
    const dropped = new Promise<void>((resolve) => {
      const onRoom = (r: { id: string }) => {
        if (r.id !== room) return;
        platform.rooms.off('room', onRoom);
        platform.io.sockets.sockets.get(c.id!)?.disconnect(true);
        resolve();
      };
      platform.rooms.on('room', onRoom);
    });
    const reply = call(c, 'join', { roomId: room }).catch(() => 'no answer');
    await dropped;
    expect(await reply).toBe('no answer');
    // The server finished the join (its answer is counted even with nobody left to hear it).
    await waitFor(joinsAnswered, (n) => n > joinsBefore, { what: 'the join handled', timeoutMs: 10_000 });
    expect([...platform.rooms.get(room)!.peers.keys()]).toEqual([]);
  });

  it('a client that leaves can join again on the same connection', async () => {
    const room = 'test:leave-rejoin';
    const c = await joinedClient('leaver', room);
    expect(await call(c, 'leave', {})).toMatchObject({ ok: true });
    expect(platform.rooms.get(room)!.peers.has('leaver')).toBe(false);
    expect(await call(c, 'createWebRtcTransport', { direction: 'recv', rtpCapabilities: routerCaps.get(c) })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await call(c, 'join', { roomId: room })).toMatchObject({ ok: true });
    expect(platform.rooms.get(room)!.peers.has('leaver')).toBe(true);
  });
});

describe('worker failure', () => {
  it('a worker killed with SIGKILL is replaced and its peers are told to rejoin', async () => {
    const room = 'test:worker-death';
    const c = await joinedClient('survivor', room);
    const slot = platform.pool.slots[platform.rooms.get(room)!.slot.index]!;
    const oldPid = slot.worker.pid;
    const told = new Promise((resolve) => c.once('rejoin', resolve));
    const replaced = new Promise<{ pid: number }>((resolve) => platform.pool.once('workerdied', resolve));
    process.kill(oldPid, 'SIGKILL');
    expect(await told).toEqual({ reason: 'worker-died' });
    expect((await replaced).pid).toBe(oldPid);
    const fresh = platform.pool.slots[slot.index]!;
    expect(fresh.worker.pid).not.toBe(oldPid);
    expect(fresh.worker.closed).toBe(false);

    // The client rejoins the same room on the new worker.
    expect(await call(c, 'join', { roomId: room })).toMatchObject({ ok: true });
    expect(platform.rooms.get(room)!.router.closed).toBe(false);

    const health = await fetch(`${platform.internalUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, data: { redis: 'ok' } });
  });
});

describe('http', () => {
  it('exposes Prometheus metrics including worker resource usage', async () => {
    const body = await (await fetch(`${platform.internalUrl}/metrics`)).text();
    expect(body).toMatch(/sv_mediasoup_worker_cpu_user_seconds\{worker="0"\} \d/);
    expect(body).toMatch(/sv_signalling_requests_total\{event="join",outcome="ok"\} [1-9]/);
    expect(body).toMatch(/sv_socket_connect_refused_total\{code="token_expired"\} 1/);
  });

  it('mints development tokens only with a valid request', async () => {
    const bad = await fetch(`${platform.url}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sub":1}' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });
});

describe('removing a participant', () => {
  it('a room admin removes a participant, who cannot come back even with a fresh token', async () => {
    const room = 'test:kick';
    const admin = await joinedClient('host', room, { roomAdmin: true });
    const guest = await joinedClient('guest', room);
    const plain = await joinedClient('plain', room);
    // Only admins may remove, and nobody unknown.
    expect(await call(plain, 'kickPeer', { peerId: 'guest' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await call(admin, 'kickPeer', { peerId: 'nobody' })).toMatchObject({ ok: false, error: { code: 'not_found' } });

    const told = new Promise((resolve) => guest.once('roomClosed', resolve));
    expect(await call(admin, 'kickPeer', { peerId: 'guest' })).toMatchObject({ ok: true });
    expect(await told).toEqual({ reason: 'kicked' });
    expect([...platform.rooms.get(room)!.peers.keys()].sort()).toEqual(['host', 'plain']);

    // A newly issued token for the same identity is still refused.
    const again = connect(platform.token('guest', 'official', { rooms: [room] }));
    await connected(again);
    expect(await call(again, 'join', { roomId: room })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});

describe('redis namespace', () => {
  it('the room\'s placement and bans are kept under the node\'s key prefix, not another deployment\'s', async () => {
    const room = 'test:namespace';
    const admin = await joinedClient('ns-host', room, { roomAdmin: true });
    await joinedClient('ns-guest', room);
    expect(await call(admin, 'kickPeer', { peerId: 'ns-guest' })).toMatchObject({ ok: true });
    const { keys, redis } = platform;
    expect(keys.prefix).not.toBe('sv:');
    // The room is placed on this node, whose heartbeat is under the same prefix.
    const host = await redis.get(keys.roomNode(room));
    expect(host).toBeTruthy();
    expect(await redis.exists(keys.node(host!))).toBe(1);
    expect(await redis.hexists(keys.roomBan(room), 'ns-guest')).toBe(1);
    // Nothing of this room is written in the default namespace.
    expect(await redis.exists(`sv:room-node:${room}`, `sv:room-ban:${room}`)).toBe(0);
  });
});

describe('flooding', () => {
  it('a client sending requests far faster than a call needs is slowed down, and others are still served', async () => {
    const room = 'test:flood';
    const flooder = await joinedClient('flooder', room);
    // `leave` answers ok whether or not the flooder is still in the room.
    const replies = await Promise.all(Array.from({ length: 500 }, () => call(flooder, 'leave', {})));
    const limited = replies.filter((r) => !r.ok && r.error.code === 'rate_limited').length;
    expect(limited).toBeGreaterThan(200);
    expect(replies.filter((r) => r.ok).length).toBeGreaterThan(0);
    const other = await joinedClient('calm', room);
    expect(await call(other, 'createWebRtcTransport', { direction: 'send' })).toMatchObject({ ok: true });
    // The budget refills: the flooder is answered again soon (refused requests cost nothing).
    const again = await waitFor(() => call(flooder, 'leave', {}), (r) => r.ok, { what: 'flooder served again', timeoutMs: 5000 });
    expect(again).toMatchObject({ ok: true });
  });
});
