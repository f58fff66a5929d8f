// No identity can be taken over (issue 9.1): whoever creates a device, camera or family member
// gets an id the server chose, never one naming somebody who exists, and /live pushes go to a
// role and an id together, so equal ids of different kinds never hear each other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../server/household/index.ts';
import { liveRoom } from '../../server/live/live-channel.ts';
import { subjectKey } from '../../server/protocol/live.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { until } from '../support/evidence.ts';
import { liveClient, personToken, send } from './edge-support.ts';

const OFFICIAL = 'O341321-rs-1'; // 砀山县人社局 (petition seed)
const TERMINAL = 'T341321101201';
const HOME = SEED.households.zhang;

let platform: TestPlatform;
let manager: string; // 张伟 manages 张家
beforeAll(async () => {
  platform = await startTestPlatform();
  manager = personToken(platform, SEED.family.zhangWei, 'family');
});
afterAll(async () => {
  await platform?.close();
});

const api = (method: string, path: string, body?: unknown) => send(platform.url, method, `/api/household${path}`, { token: manager, ...(body !== undefined ? { body } : {}) });

describe('identities a household manager creates', () => {
  it('a device cannot be bound under an official’s, a counsellor’s or another home’s device id', async () => {
    for (const id of [OFFICIAL, SEED.counsellors.chen, SEED.family.liNa, SEED.devices.wang]) {
      const r = await api('POST', `/households/${HOME}/devices`, { id, name: '客厅终端', place: 'living-room' });
      expect({ id, status: r.status, code: r.body?.error?.code }).toEqual({ id, status: 404, code: 'not_found' });
    }
    // Re-binding the household's own device still works.
    expect((await api('POST', `/households/${HOME}/devices`, { id: SEED.devices.zhang, name: '客厅终端', place: 'living-room' })).status).toBe(200);
  });

  it('a new device gets an id from the server, and its token’s subject is that id', async () => {
    const r = await api('POST', `/households/${HOME}/devices`, { name: '厨房终端', place: 'kitchen' });
    expect(r.status).toBe(200);
    const { device, token } = r.body!.data as { device: { id: string }; token: string };
    expect(device.id).toMatch(/^dev-[0-9a-f-]{36}$/);
    expect(platform.tokens.verify(token)).toMatchObject({ sub: device.id, role: 'home-device' });
  });

  it('nobody is linked by naming their id (an existing person is invited and accepts); a new one is named by the server', async () => {
    const stranger = await api('POST', `/households/${HOME}/family`, { memberId: OFFICIAL, name: '冒名', city: '杭州', relation: '儿子', permission: 'manage' });
    expect({ status: stranger.status, code: stranger.body?.error?.code, reason: (stranger.body?.error?.details as { reason?: string } | undefined)?.reason }).toEqual({ status: 403, code: 'forbidden', reason: 'invitation_required' });
    const fresh = await api('POST', `/households/${HOME}/family`, { name: '张小芳', city: '宁波', relation: '孙女', permission: 'call' });
    expect(fresh.status).toBe(200);
    expect((fresh.body!.data as { id: string }).id).toMatch(/^fm-[0-9a-f-]{36}$/);
  });

  it('a camera cannot be given an id at all', async () => {
    const r = await api('POST', `/households/${HOME}/cameras`, { id: OFFICIAL, name: '院子', place: 'yard', url: 'rtsp://10.0.0.5/cam' });
    expect({ status: r.status, code: r.body?.error?.code }).toEqual({ status: 400, code: 'bad_request' });
    const ok = await api('POST', `/households/${HOME}/cameras`, { name: '院子', place: 'yard', url: 'rtsp://10.0.0.5/cam' });
    expect((ok.body!.data as { id: string }).id).toMatch(/^cam-[0-9a-f-]{36}$/);
  });
});

describe('/live user rooms', () => {
  it('a device whose id equals an official’s does not receive the official’s assignment pushes', async () => {
    // As if a device of that id existed (an old row, or an import): the role keeps them apart.
    const impostor = await liveClient(platform, platform.tokens.issue({
      sub: OFFICIAL, name: '假终端', role: 'home-device', grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [] }, attributes: { householdId: HOME },
    }));
    const official = await liveClient(platform, personToken(platform, OFFICIAL, 'official', { department: '341321-rs' }));
    try {
      const petition = platform.services.petition;
      const started = await petition.startPetition({ id: `device-${TERMINAL}`, name: '终端', role: 'terminal', terminalId: TERMINAL }, { terminalId: TERMINAL, category: 'wages' });
      await petition.heartbeat({ id: OFFICIAL, name: OFFICIAL, role: 'official' }, 'available');
      expect((await petition.claimNext({ id: OFFICIAL, name: OFFICIAL, role: 'official' }))?.case.id).toBe(started.case.id);
      await until('the official told of the assignment', () => official.received.some((r) => r.event === 'petition:assigned'));
      // A marker for the impostor, published after the assignment: pushes to one socket keep
      // their order, so once it has the marker, an assignment push would have come before.
      platform.services.live.publish([liveRoom.user(subjectKey('home-device', OFFICIAL))], 'petition:case-changed', { caseId: 'marker', state: 'queued' });
      await until('the marker pushed to the device', () => impostor.received.some((r) => r.event === 'petition:case-changed'));
      expect(impostor.received.filter((r) => r.event === 'petition:assigned')).toEqual([]);
    } finally {
      impostor.close();
      official.close();
    }
  });
});
