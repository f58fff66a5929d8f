// Devices are enrolled with a pairing code, against a running node: a fresh terminal, paired by a
// system administrator, starts a petition with its own token; a home device, paired by its
// household's manager, takes a call; its refresh token rotates and an old one stops; revoking
// the device ends its open call, closes its /live connection and refuses every later refresh.
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../server/household/index.ts';
import type { DeviceSession, EnrolledDevice, Pairing, PairingPoll, SystemAuditEntry } from '../../server/protocol/http/identity-shapes.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { Browser } from './support.ts';

let platform: TestPlatform;
let api: Browser;
let admin: string;
const TERMINAL = 'T341302101201'; // 埇桥区符离镇, a village (seed)

beforeAll(async () => {
  platform = await startTestPlatform();
  api = new Browser(platform);
  admin = platform.token('sysadmin-1', 'admin', { rooms: [] }, { name: '系统管理员' });
});
afterAll(async () => {
  await platform?.close();
});

async function pairAndClaim(kind: 'terminal' | 'home-device', installer: string, target: Record<string, string>) {
  const pairing = await api.data<Pairing>('POST', '/api/enrol/pairings', { body: { kind } });
  expect(pairing.code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  expect(pairing.qr).toMatch(/^data:image\/png;base64,/);
  const poll = () => api.data<PairingPoll>('POST', `/api/enrol/pairings/${pairing.id}/poll`, { body: { pollSecret: pairing.pollSecret } });
  expect(await poll()).toMatchObject({ state: 'waiting' });
  // The installer types the code as read off the screen, in lower case without the dash.
  const device = await api.data<EnrolledDevice>('POST', '/api/enrol/claims', { token: installer, body: { kind, code: pairing.code.replace('-', '').toLowerCase(), ...target } });
  const enrolled = await poll();
  if (enrolled.state !== 'enrolled') throw new Error('not enrolled');
  expect(enrolled.deviceId).toBe(device.id);
  // Handed over once: the next poll finds nothing.
  expect((await api.send('POST', `/api/enrol/pairings/${pairing.id}/poll`, { body: { pollSecret: pairing.pollSecret } })).status).toBe(404);
  return { device, refreshToken: enrolled.refreshToken };
}

function connectLive(token: string): Promise<Socket> {
  const s = io(`${platform.url}/live`, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

describe('terminal enrolment', () => {
  it('a fresh terminal enrolled by a system administrator starts a petition with its own token', async () => {
    const { device, refreshToken } = await pairAndClaim('terminal', admin, { terminalId: TERMINAL, name: '符离镇张庄村接访终端' });
    expect(device).toMatchObject({ kind: 'terminal', terminalId: TERMINAL, state: 'active', enrolledBy: 'sysadmin-1' });
    const s = await api.data<DeviceSession>('POST', '/api/enrol/refresh', { body: { deviceId: device.id, refreshToken } });
    expect(platform.tokens.verify(s.token)).toMatchObject({ sub: device.id, role: 'terminal', attributes: { terminalId: TERMINAL, level: 'village' } });
    const started = await api.data<{ case: { id: string; terminalId: string; state: string } }>('POST', '/api/petition/cases', { token: s.token, body: { terminalId: TERMINAL, category: 'wages' } });
    expect(started.case).toMatchObject({ terminalId: TERMINAL, state: 'queued' });

    // The refresh token rotates: the next one works, the used one no longer does once the next is used.
    const s2 = await api.data<DeviceSession>('POST', '/api/enrol/refresh', { body: { deviceId: device.id, refreshToken: s.refreshToken } });
    await api.data('POST', '/api/enrol/refresh', { body: { deviceId: device.id, refreshToken: s2.refreshToken } });
    const stale = await api.send('POST', '/api/enrol/refresh', { body: { deviceId: device.id, refreshToken: s.refreshToken } });
    expect(stale.body).toMatchObject({ ok: false, error: { code: 'unauthorized', details: { reason: 'not_enrolled' } } });
  });

  it('takes a refresh again whose answer was lost', async () => {
    const { device, refreshToken } = await pairAndClaim('terminal', admin, { terminalId: TERMINAL, name: '备用终端' });
    await api.data('POST', '/api/enrol/refresh', { body: { deviceId: device.id, refreshToken } }); // the answer "lost"
    const again = await api.data<DeviceSession>('POST', '/api/enrol/refresh', { body: { deviceId: device.id, refreshToken } });
    expect(platform.tokens.verify(again.token).sub).toBe(device.id);
  });

  it('refuses terminal enrolment to anyone but a system administrator, and codes that no device shows', async () => {
    const pairing = await api.data<Pairing>('POST', '/api/enrol/pairings', { body: { kind: 'terminal' } });
    const manager = platform.token(SEED.family.zhangWei, 'family', { rooms: [] });
    const byFamily = await api.send('POST', '/api/enrol/claims', { token: manager, body: { kind: 'terminal', code: pairing.code, terminalId: TERMINAL, name: 'x' } });
    expect(byFamily.status).toBe(403);
    const unknown = await api.send('POST', '/api/enrol/claims', { token: admin, body: { kind: 'terminal', code: 'ABCD-EFGH', terminalId: TERMINAL, name: 'x' } });
    expect(unknown.body).toMatchObject({ ok: false, error: { code: 'not_found', details: { reason: 'pairing_unknown' } } });
  });
});

describe('home device enrolment', () => {
  it('the household manager enrols a device; revoking it ends its call and its /live, and refresh is refused', async () => {
    const manager = platform.token(SEED.family.zhangWei, 'family', { rooms: [] }, { name: '张伟' });
    const { device, refreshToken } = await pairAndClaim('home-device', manager, { householdId: SEED.households.zhang, name: '客厅新终端', place: 'living-room' });
    expect(device).toMatchObject({ kind: 'home-device', householdId: SEED.households.zhang });
    const s = await api.data<DeviceSession>('POST', '/api/enrol/refresh', { body: { deviceId: device.id, refreshToken } });
    const state = await api.data<{ device: { id: string }; household: { id: string } }>('POST', '/api/household/device/heartbeat', { token: s.token });
    expect(state).toMatchObject({ device: { id: device.id }, household: { id: SEED.households.zhang } });

    const live = await connectLive(s.token);
    const closed = new Promise<string>((resolve) => live.once('disconnect', (reason) => resolve(reason)));
    const managerLive = await connectLive(manager);
    // 张伟 calls home; the 张 household answers his calls at once (auto-answer), so it is live.
    const { call } = await api.data<{ call: { id: string; state: string } }>('POST', `/api/household/households/${SEED.households.zhang}/calls`, { token: manager, body: {} });
    const callEnded = new Promise<string>((resolve) =>
      managerLive.on('household:event', (e: { type: string; payload: { call: { id: string; state: string } } }) => {
        if (e.type === 'call:ended' && e.payload.call.id === call.id) resolve(e.payload.call.id);
      }),
    );

    const listed = await api.data<EnrolledDevice[]>('GET', `/api/enrol/devices?householdId=${SEED.households.zhang}`, { token: manager });
    expect(listed.map((d) => d.id)).toContain(device.id);
    expect(await api.data<EnrolledDevice>('POST', `/api/enrol/devices/${device.id}/revoke`, { token: manager })).toMatchObject({ state: 'revoked' });

    expect(await closed).toBe('io server disconnect');
    expect(await callEnded).toBe(call.id);
    expect((await api.send('POST', '/api/household/device/heartbeat', { token: s.token })).status).toBe(401);
    expect((await api.send('POST', '/api/enrol/refresh', { body: { deviceId: device.id, refreshToken: s.refreshToken } })).status).toBe(401);
    live.close();
    managerLive.close();
  });

  it('does not let a manager enrol into another household', async () => {
    const pairing = await api.data<Pairing>('POST', '/api/enrol/pairings', { body: { kind: 'home-device' } });
    const manager = platform.token(SEED.family.zhangWei, 'family', { rooms: [] });
    const r = await api.send('POST', '/api/enrol/claims', { token: manager, body: { kind: 'home-device', code: pairing.code, householdId: SEED.households.wang, name: 'x', place: 'living-room' } });
    expect(r.status).toBe(403);
  });

  it('records every enrolment and revocation in the system audit trail', async () => {
    const auditor = platform.token('auditor-1', 'audit-admin', { rooms: [] });
    const entries = await api.data<SystemAuditEntry[]>('GET', '/api/identity/audit?limit=1000', { token: auditor });
    expect(entries.filter((e) => e.type === 'device-enrolled').length).toBeGreaterThanOrEqual(3);
    expect(entries.some((e) => e.type === 'device-revoked' && e.details.householdId === SEED.households.zhang)).toBe(true);
  });
});
