// A waiting petitioner's terminal is told its new place in the queue when the queue moves,
// without asking: the live channel pushes `petition:wait` to the watchers of the case.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

const TERMINAL = 'T341321102201'; // 砀山县, a village (seed)
const TERMINAL_2 = 'T341321102202'; // its neighbour: one open petition per terminal
const OFFICIAL = 'O341321-rs-2'; // 砀山县人社局

describe('live queue position', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform();
  });
  afterAll(async () => {
    await platform?.close();
  });

  it('pushes the new position to the terminal whose case moved up', async () => {
    const petition = platform.services.petition;
    const terminal = { id: `device-${TERMINAL}`, name: '终端', role: 'terminal', terminalId: TERMINAL } as const;
    const terminal2 = { id: `device-${TERMINAL_2}`, name: '终端', role: 'terminal', terminalId: TERMINAL_2 } as const;
    const first = await petition.startPetition(terminal, { terminalId: TERMINAL, category: 'wages' });
    const second = await petition.startPetition(terminal2, { terminalId: TERMINAL_2, category: 'wages' });
    expect((await petition.wait(terminal2, second.case.id)).position).toBe(2);

    const token = platform.tokens.issue({ sub: terminal2.id, name: '终端', role: 'terminal', grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [] }, attributes: { terminalId: TERMINAL_2 } });
    const live = io(`${platform.url}/live`, { auth: { token }, transports: ['websocket'], forceNew: true });
    await new Promise<void>((resolve, reject) => {
      live.once('connect', () => resolve());
      live.once('connect_error', reject);
    });
    expect(await live.timeout(5000).emitWithAck('watchCase', { caseId: second.case.id })).toEqual({ ok: true, data: {} });
    // The whole wait, or only the place when the offer is as last pushed.
    const pushed = new Promise<{ caseId: string; position: number | null }>((resolve) => {
      for (const event of ['petition:wait', 'petition:place']) {
        live.on(event, (w: { caseId: string; position: number | null }) => {
          if (w.caseId === second.case.id && w.position === 1) resolve(w);
        });
      }
    });

    const official = { id: OFFICIAL, name: OFFICIAL, role: 'official' } as const;
    await petition.heartbeat(official, 'available');
    expect((await petition.claimNext(official))?.case.id).toBe(first.case.id);
    expect(await pushed).toMatchObject({ caseId: second.case.id, position: 1 });

    // Another terminal cannot follow this case.
    const otherToken = platform.tokens.issue({ sub: 'device-T341321103201', name: '终端', role: 'terminal', grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [] }, attributes: { terminalId: 'T341321103201' } });
    const other = io(`${platform.url}/live`, { auth: { token: otherToken }, transports: ['websocket'], forceNew: true });
    expect(await other.timeout(5000).emitWithAck('watchCase', { caseId: second.case.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    live.disconnect();
    other.disconnect();
  });
});
