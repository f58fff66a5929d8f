// Terminals hold one connection: their presence is the `/live` socket (no HTTP heartbeat) and
// every waiting terminal is told its new place when the queue moves (no polling, no cap).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

const DANGSHAN = '341321';
const OFFICIAL = { id: 'O341321-rs-2', name: 'O341321-rs-2', role: 'official' } as const; // 砀山县人社局
const COORDINATOR = { id: 'coordinator-test', name: '综治中心', role: 'coordinator' } as const;
// One open petition per terminal, and the seed has 88 terminals in 砀山 (one queue): 80 distinct ones.
const WAITING = 80;

describe('terminals on the live channel', () => {
  let platform: TestPlatform;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // 150 terminals on one loopback address: in the field each has its own (or TRUST_PROXY names it).
    platform = await startTestPlatform({ RATE_LIMIT_IP: '100000' });
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await platform?.close();
  });

  const connect = async (terminalId: string): Promise<Socket> => {
    const token = platform.tokens.issue({
      sub: `device-${terminalId}`,
      name: '终端',
      role: 'terminal',
      grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [] },
      attributes: { terminalId },
    });
    const s = io(`${platform.url}/live`, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false });
    sockets.push(s);
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('connect_error', reject);
    });
    return s;
  };
  const onlineIn = async (terminalId: string) => {
    const county = (await platform.services.petition.terminals(COORDINATOR)).find((g) => g.regionCode === DANGSHAN)!;
    return !county.offline.map((x) => x.id).includes(terminalId);
  };
  const dangshanTerminals = async () =>
    (await platform.services.petition.terminals(COORDINATOR)).find((g) => g.regionCode === DANGSHAN)!;

  it('a terminal is online while its live socket is connected, and offline once it drops', async () => {
    const terminalId = (await dangshanTerminals()).offline.map((x) => x.id)[0]!;
    expect(await onlineIn(terminalId)).toBe(false);
    const s = await connect(terminalId);
    await vi.waitFor(async () => expect(await onlineIn(terminalId)).toBe(true), { timeout: 10_000, interval: 50 });
    s.disconnect();
    await vi.waitFor(async () => expect(await onlineIn(terminalId)).toBe(false), { timeout: 10_000, interval: 50 });
  });

  it('a terminal with two connections (a reload) stays online until the last one closes', async () => {
    const terminalId = (await dangshanTerminals()).offline.map((x) => x.id)[1]!;
    const a = await connect(terminalId);
    const b = await connect(terminalId);
    await vi.waitFor(async () => expect(await onlineIn(terminalId)).toBe(true), { timeout: 10_000, interval: 50 });
    const liveSockets = platform.io.of('/live').sockets;
    const before = liveSockets.size;
    a.disconnect();
    // Once the server has seen a close, b still holds the terminal online.
    await vi.waitFor(() => expect(liveSockets.size).toBe(before - 1), { timeout: 10_000, interval: 20 });
    expect(await onlineIn(terminalId)).toBe(true);
    b.disconnect();
    await vi.waitFor(async () => expect(await onlineIn(terminalId)).toBe(false), { timeout: 10_000, interval: 50 });
  });

  it(`every one of ${WAITING} waiting terminals is pushed its new place after a claim`, async () => {
    const petition = platform.services.petition;
    const county = await dangshanTerminals();
    const ids = county.offline.map((x) => x.id);
    const cases: string[] = [];
    for (let i = 0; i < WAITING; i++) {
      const terminalId = ids[i % ids.length]!;
      const actor = { id: `device-${terminalId}`, name: '终端', role: 'terminal', terminalId } as const;
      cases.push((await petition.startPetition(actor, { terminalId, category: 'wages' })).case.id);
    }
    // What each terminal has been told, last push first.
    const told = new Map<string, (number | null)[]>();
    await Promise.all(
      cases.map(async (caseId, i) => {
        const s = await connect(ids[i % ids.length]!);
        // The whole wait or only the place (its offer unchanged): both tell the place.
        for (const event of ['petition:wait', 'petition:place']) {
          s.on(event, (w: { caseId: string; position: number | null }) => {
            if (w.caseId === caseId) told.set(caseId, [w.position, ...(told.get(caseId) ?? [])]);
          });
        }
        expect(await s.timeout(10_000).emitWithAck('watchCase', { caseId })).toEqual({ ok: true, data: {} });
      }),
    );
    await petition.heartbeat(OFFICIAL, 'available');
    expect((await petition.claimNext(OFFICIAL))?.case.id).toBe(cases[0]);
    // The case at place i+1 before the claim is told place i, every one of them.
    await vi.waitFor(
      () => {
        const behind = cases.slice(1).filter((caseId, i) => told.get(caseId)?.[0] !== i + 1);
        expect(behind).toEqual([]);
      },
      { timeout: 20_000, interval: 100 },
    );
    // Nobody is pushed a place the queue never gave them.
    for (const [i, caseId] of cases.slice(1).entries()) expect(told.get(caseId)!.every((p) => p === i + 1 || p === i + 2)).toBe(true);
  });
});
