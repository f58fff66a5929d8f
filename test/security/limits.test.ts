// Limits on the expensive paths (issue 9.7) against running nodes: per identity and per IP
// budgets on the API (429 with Retry-After) and on socket.io handshakes, requests in flight per
// identity, one open petition per
// terminal, and no recording for a petition room nobody has really joined.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { until } from '../support/evidence.ts';
import { personToken, send } from './edge-support.ts';

describe('rate limits', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform({ RATE_LIMIT_IDENTITY: '5', RATE_LIMIT_IP: '12', RATE_LIMIT_WINDOW_SECONDS: '60' });
  });
  afterAll(async () => {
    await platform?.close();
  });

  it('one identity past its budget gets 429 with Retry-After; another identity from the same address is still served', async () => {
    const token = personToken(platform, 'O341321-rs-1', 'official', { department: '341321-rs' });
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await send(platform.url, 'GET', '/api/petition/departments', { token }));
    expect(answers.slice(0, 5).map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const over = answers[5]!;
    expect({ status: over.status, code: over.body?.error?.code }).toEqual({ status: 429, code: 'rate_limited' });
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(over.headers.get('retry-after'))).toBeLessThanOrEqual(60);

    const other = await send(platform.url, 'GET', '/api/petition/departments', { token: personToken(platform, 'O341321-rs-2', 'official') });
    expect(other.status).toBe(200);
  });

  it('one address past its budget gets 429 whatever tokens it presents, and its socket handshakes are refused', async () => {
    // 7 requests spent above; a fresh identity for each of the rest.
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await send(platform.url, 'GET', '/api/petition/departments', { token: personToken(platform, `O-flood-${i}`, 'official') })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    // Junk tokens spend the same budget: refused before their signature is checked — from now on
    // before express runs at all, yet with the same headers and typed body as any answer.
    const junk = await send(platform.url, 'GET', '/api/petition/departments', { token: 'junk' });
    expect({ status: junk.status, code: junk.body?.error?.code }).toEqual({ status: 429, code: 'rate_limited' });
    expect(Number(junk.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(junk.headers.get('x-content-type-options')).toBe('nosniff');
    expect(junk.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");

    const refused = await new Promise<string>((resolve) => {
      const s: Socket = io(platform.url, { auth: { token: personToken(platform, 'o-sock', 'official') }, transports: ['websocket'], forceNew: true, reconnection: false });
      s.once('connect', () => (s.disconnect(), resolve('connected')));
      s.once('connect_error', () => (s.disconnect(), resolve('refused')));
    });
    expect(refused).toBe('refused');
  });

  it('an address over budget is answered slowly: each refusal is held a second and its connection closed, so a flood cannot outpace the node', async () => {
    // Ten keep-alive connections asking at once, twice over: each refusal comes after the hold,
    // and on a connection of its own — a flooder gets one answer a second per connection.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
    const ask = () =>
      new Promise<{ status: number; connection: string | undefined; ms: number; socket: unknown }>((resolve, reject) => {
        const t0 = performance.now();
        const req = http.get(`${platform.url}/api/petition/departments`, { agent, headers: { authorization: 'Bearer junk' } }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, ms: performance.now() - t0, socket: req.socket }));
        });
        req.on('error', reject);
      });
    try {
      const first = await Promise.all(Array.from({ length: 10 }, ask));
      const second = await Promise.all(Array.from({ length: 10 }, ask));
      for (const a of [...first, ...second]) {
        expect({ status: a.status, connection: a.connection }).toEqual({ status: 429, connection: 'close' });
        expect(a.ms).toBeGreaterThanOrEqual(900);
      }
      const sockets = new Set([...first, ...second].map((a) => a.socket));
      expect(sockets.size).toBe(20);
    } finally {
      agent.destroy();
    }
  });
});

describe('requests in flight', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform({ RATE_LIMIT_CONCURRENT: '1', RATE_LIMIT_COST_MS: '20' });
  });
  afterAll(async () => {
    await platform?.close();
  });

  it('one identity with a request still open gets 429 for the next; once it is answered, it is served again, and others meanwhile', async () => {
    const token = personToken(platform, 'O341321-rs-1', 'official', { department: '341321-rs' });
    const held = await heldRequest(platform, token, 'official:O341321-rs-1');

    const second = await send(platform.url, 'GET', '/api/petition/departments', { token });
    expect({ status: second.status, code: second.body?.error?.code }).toEqual({ status: 429, code: 'rate_limited' });
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const someoneElse = await send(platform.url, 'GET', '/api/petition/departments', { token: personToken(platform, 'O341321-rs-2', 'official') });
    expect(someoneElse.status).toBe(200);

    expect(await held.finish()).toBe(200);
    const after = await until('the identity to be served again', async () => {
      const a = await send(platform.url, 'GET', '/api/petition/departments', { token });
      return a.status === 429 ? undefined : a;
    });
    expect(after.status).toBe(200);
  });

  it('a request costs its identity one point per 20 ms it took: a slow one drains the budget faster', async () => {
    const token = personToken(platform, 'O341321-rs-3', 'official', { department: '341321-rs' });
    const held = await heldRequest(platform, token, 'official:O341321-rs-3');
    expect(await held.spent()).toBe(1);
    const t0 = performance.now();
    // Longer is always fine here: the charge only grows with the time.
    await until('the request to have taken 200 ms', () => performance.now() - t0 >= 200);
    expect(await held.finish()).toBe(200);
    await until('the time to be charged', async () => ((await held.spent()) >= 1 + 10 ? true : undefined));
  });
});

describe('signalling connections', () => {
  it('one identity holds at most RATE_LIMIT_SOCKETS of them; a closed one makes room, others are not affected', async () => {
    const platform = await startTestPlatform({ RATE_LIMIT_SOCKETS: '2' });
    try {
      const token = personToken(platform, 'O341321-rs-4', 'official');
      const attempt = (t: string) =>
        new Promise<{ socket: Socket; code?: string }>((resolve) => {
          const socket = connect(platform, t);
          socket.once('connect', () => resolve({ socket }));
          socket.once('connect_error', (e: Error & { data?: { code?: string } }) => resolve({ socket, code: e.data?.code ?? e.message }));
        });
      const [a, b] = [await attempt(token), await attempt(token)];
      expect([a.code, b.code]).toEqual([undefined, undefined]);
      const third = await attempt(token);
      expect(third.code).toBe('rate_limited');
      third.socket.close();
      const other = await attempt(personToken(platform, 'O341321-rs-5', 'official'));
      expect(other.code).toBeUndefined();
      a.socket.disconnect();
      const again = await until('a closed connection to make room', async () => {
        const r = await attempt(token);
        if (r.code) r.socket.close();
        return r.code ? undefined : r;
      });
      for (const s of [b.socket, other.socket, again.socket]) s.disconnect();
    } finally {
      await platform.close();
    }
  });
});

/**
 * A request of `identity` held in flight: the limits run before the body is read, and only half
 * of it is sent until `finish`. Resolves once the request has reached the limits (its identity's
 * budget in Redis is spent).
 */
async function heldRequest(platform: TestPlatform, token: string, identity: string) {
  const key = `${platform.keys.rateLimit('identity')}:${identity}`;
  const spent = async () => Number((await platform.redis.get(key)) ?? 0);
  const body = JSON.stringify({ status: 'available' });
  const req = http.request(`${platform.url}/api/petition/presence`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': String(body.length) },
  });
  const answer = new Promise<number>((resolve, reject) => {
    req.once('response', (res) => (res.resume(), resolve(res.statusCode!)));
    req.once('error', reject);
  });
  req.write(body.slice(0, 5));
  await until('the held request to be counted', async () => ((await spent()) > 0 ? true : undefined));
  return {
    spent,
    finish: () => (req.end(body.slice(5)), answer),
  };
}

describe('petitions and their rooms', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform({}, { recordingSegmentSeconds: 2 });
  });
  afterAll(async () => {
    await platform?.close();
  });

  const TERMINAL = 'T341321101203';
  const terminalToken = () => personToken(platform, `device-${TERMINAL}`, 'terminal', { terminalId: TERMINAL });

  it('a terminal holds one open petition: starts racing each other, and a later one, all get the same case', async () => {
    const start = () => send<{ case: { id: string }; roomId: string }>(platform.url, 'POST', '/api/petition/cases', { token: terminalToken(), body: { terminalId: TERMINAL, category: 'wages' } });
    const racing = await Promise.all(Array.from({ length: 5 }, start));
    expect(racing.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const ids = new Set(racing.map((r) => r.body!.data!.case.id));
    expect(ids.size).toBe(1);
    const later = await start();
    expect(later.body!.data!.case.id).toBe([...ids][0]);
    // The queue holds it once, and nothing else from this terminal.
    const queue = await send<{ queue: { caseId: string }[] }>(platform.url, 'GET', '/api/petition/desk', { token: personToken(platform, 'O341321-rs-1', 'official') });
    const fromTerminal = queue.body!.data!.queue.filter((e) => racing.some((r) => r.body!.data!.case.id === e.caseId) || e.caseId === later.body!.data!.case.id);
    expect(fromTerminal).toHaveLength(1);
  });

  // The negative half is proven by the next test (a room only a hidden observer joined); this
  // one shows the recording does start, at the first participant's join and not before.
  it('a petition room nobody really joined is never recorded; the first real participant starts the recording', async () => {
    const petition = platform.services.petition;
    const terminal = { id: `device-T341321101204`, name: '终端', role: 'terminal', terminalId: 'T341321101204' } as const;
    const official = { id: 'O341321-rs-2', name: '王干部', role: 'official' } as const;
    const started = await petition.startPetition(terminal, { terminalId: 'T341321101204', category: 'wages' });
    await petition.heartbeat(official, 'available');
    expect((await petition.acceptTicket(official, started.ticketId)).case.id).toBe(started.case.id);
    const roomId = started.roomId;
    const recordings = () => platform.services.archive.audit.entries().filter((e) => e.type === 'recording-start' && e.details.roomId === roomId);

    // A hidden observer joins first (and so makes the room): not a participant.
    const caller = connect(platform, started.token);
    const observer = connect(platform, platform.tokens.issue({
      sub: 'coordinator-city', name: '综治中心', role: 'coordinator',
      grant: { rooms: [roomId], canPublish: false, canSubscribe: true, sources: [], hidden: true },
    }));
    expect(await ask(observer, 'join', { roomId })).toMatchObject({ ok: true });
    const beforeRealJoin = new Date().toISOString();
    expect(recordings()).toEqual([]);

    // The petitioner joins: now the session is recorded, from this moment on.
    expect(await ask(caller, 'join', { roomId })).toMatchObject({ ok: true });
    const [first] = await until('the recording to start', () => (recordings().length > 0 ? recordings() : undefined));
    expect(first!.at >= beforeRealJoin).toBe(true);
    caller.disconnect();
    observer.disconnect();
  });

  it('a petition room only a hidden observer joined closes without a recording', async () => {
    const petition = platform.services.petition;
    const terminal = { id: `device-T341321101205`, name: '终端', role: 'terminal', terminalId: 'T341321101205' } as const;
    const started = await petition.startPetition(terminal, { terminalId: 'T341321101205', category: 'wages' });
    // Taken by an official, so the room may be opened at all (security-rooms.md).
    const official = { id: 'O341321-rs-3', name: '李干部', role: 'official' } as const;
    await petition.heartbeat(official, 'available');
    await petition.acceptTicket(official, started.ticketId);
    const observer = connect(platform, platform.tokens.issue({
      sub: 'coordinator-city', name: '综治中心', role: 'coordinator',
      grant: { rooms: [started.roomId], canPublish: false, canSubscribe: true, sources: [], hidden: true },
    }));
    expect(await ask(observer, 'join', { roomId: started.roomId })).toMatchObject({ ok: true });
    expect(platform.rooms.get(started.roomId)).toBeDefined();
    observer.disconnect();
    // Empty rooms close after the test platform's 2 s.
    await until('the empty room to close', () => platform.rooms.get(started.roomId) === undefined);
    expect(platform.services.archive.audit.entries().filter((e) => e.details.roomId === started.roomId)).toEqual([]);
  });
});

function connect(platform: TestPlatform, token: string): Socket {
  return io(platform.url, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false });
}

async function ask<T = unknown>(s: Socket, event: string, payload: unknown): Promise<{ ok: boolean; data?: T; error?: { code: string } }> {
  return (await s.timeout(10_000).emitWithAck(event, payload)) as { ok: boolean; data?: T; error?: { code: string } };
}
