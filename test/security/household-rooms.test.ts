// Household rooms against a real node, Redis and worker: privacy mode is the server's rule, not
// the token's — while it holds (button or schedule) the home's camera is closed at once and
// refused in any room, and the device is told why; a removed family link, a re-bound or revoked
// device cut their connections off on the spot, and their old tokens are refused on REST,
// signalling and /live alike.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Claims } from '../../server/auth/grants.ts';
import { until } from '../support/evidence.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { createFixture, createTestClock, NOON_CST, SEED, type Fixture, type TestClock } from '../household/fixture.ts';
import { Client, connectAs, refusedConnect, rest } from './support.ts';

const HOME = SEED.households.zhang;
const DEVICE = SEED.devices.zhang;

let platform: TestPlatform;
let f: Fixture;
let clock: TestClock;
const clients: Client[] = [];
const connect = async (token: string, namespace = '') => {
  const c = await connectAs(platform, token, namespace);
  clients.push(c);
  return c;
};

beforeAll(async () => {
  clock = createTestClock();
  platform = await startTestPlatform({}, { household: { clock } });
  f = await createFixture({}, { tokens: platform.tokens, platform, clock });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  const s = platform.services.households;
  // The home's manager (and caller of every call here) tidies up: an administrator may not (三员分立).
  const manager = f.person(SEED.family.zhangWei, 'family', '张伟');
  for (const call of await f.repo.listOpenCalls(HOME)) await s.endCall(manager, call.id);
  await s.setPrivacyMode(manager, HOME, false);
  clock.set(NOON_CST);
  await s.tick();
});
afterAll(async () => {
  await f?.close();
  await platform?.close();
});

/** The device bound (its long-lived token) and online, and 张伟's auto-answered call with the device's room token. */
async function callHome() {
  const s = platform.services.households;
  const { token: deviceToken } = await s.bindDevice(f.admin, HOME, { id: DEVICE, name: '客厅终端', place: 'living-room' });
  const device: Claims = platform.tokens.verify(deviceToken);
  await s.heartbeat(device);
  const caller = f.person(SEED.family.zhangWei, 'family', '张伟');
  const { call, token: familyToken } = await s.startCall(caller, HOME);
  expect(call.state).toBe('active');
  const { token: deviceRoomToken } = await s.deviceRoomToken(device, call.roomId);
  return { call, roomId: call.roomId, deviceToken, device, deviceRoomToken, familyToken };
}

/** Joins and publishes camera + microphone; the producers' ids. */
async function publishing(c: Client, roomId: string) {
  expect(await c.join(roomId)).toMatchObject({ ok: true });
  const t = await c.sendTransport();
  const camera = await c.produce(t, 'camera');
  const microphone = await c.produce(t, 'microphone');
  if (!camera.ok || !microphone.ok) throw new Error(`publishing refused: ${JSON.stringify([camera, microphone])}`);
  return { transportId: t, camera: camera.data.producerId, microphone: microphone.data.producerId };
}

describe('privacy mode', () => {
  it('turned on during a call: the home camera stops at once, the device is told why, and no token brings it back until privacy is off', async () => {
    const h = await callHome();
    const home = await connect(h.deviceRoomToken);
    const sent = await publishing(home, h.roomId);
    const family = await connect(h.familyToken);
    expect(await family.join(h.roomId)).toMatchObject({ ok: true });
    const seen = family.pushed.length;

    await platform.services.households.setPrivacyMode(h.device, HOME, true);
    expect(await home.told('permissions')).toMatchObject({ sources: ['microphone'], narrowedBy: 'privacy' });
    expect(await family.told('producerClosed', (p: { producerId: string }) => p.producerId === sent.camera, seen)).toBeTruthy();
    const peer = platform.rooms.get(h.roomId)!.peers.get(DEVICE)!;
    expect([...peer.producers.values()].map((p) => p.appData.source)).toEqual(['microphone']);

    // Sending it again is refused with the reason, on the device's own room token…
    expect(await home.produce(sent.transportId, 'camera')).toMatchObject({ ok: false, error: { code: 'forbidden', details: { reason: 'privacy' } } });
    // …and on any token naming the room with the camera in it.
    home.close();
    const forged = await connect(platform.token(DEVICE, 'home-device', { rooms: [h.roomId], sources: ['camera', 'microphone'] }, { attributes: { householdId: HOME } }));
    expect(await forged.join(h.roomId)).toMatchObject({ ok: true, data: { permission: { sources: ['microphone'], narrowedBy: 'privacy' } } });
    const t = await forged.sendTransport();
    expect(await forged.produce(t, 'camera')).toMatchObject({ ok: false, error: { code: 'forbidden', details: { reason: 'privacy' } } });
    expect(await forged.produce(t, 'microphone')).toMatchObject({ ok: true });

    // Privacy off: the camera may be sent again on the same connection.
    const before = forged.pushed.length;
    await platform.services.households.setPrivacyMode(h.device, HOME, false);
    expect(await forged.told('permissions', () => true, before)).toMatchObject({ sources: ['camera', 'microphone'] });
    expect(await forged.produce(t, 'camera')).toMatchObject({ ok: true });
  });

  it('holds in any room, not only the household’s: a home device in privacy mode sends no camera anywhere', async () => {
    const h = await callHome();
    await platform.services.households.setPrivacyMode(h.device, HOME, true);
    const elsewhere = await connect(platform.token(DEVICE, 'home-device', { rooms: ['test:elsewhere'] }, { attributes: { householdId: HOME } }));
    expect(await elsewhere.join('test:elsewhere')).toMatchObject({ ok: true });
    const t = await elsewhere.sendTransport();
    expect(await elsewhere.produce(t, 'camera')).toMatchObject({ ok: false, error: { code: 'forbidden', details: { reason: 'privacy' } } });
    // Someone else's camera in the same room is theirs to send.
    const other = await connect(platform.token('u-visitor', 'official', { rooms: ['test:elsewhere'] }));
    expect(await other.join('test:elsewhere')).toMatchObject({ ok: true });
    expect(await other.produce(await other.sendTransport(), 'camera')).toMatchObject({ ok: true });
  });

  it('by schedule: when the household’s private hours begin, the camera stops as it does for the button', async () => {
    const h = await callHome();
    const home = await connect(h.deviceRoomToken);
    await publishing(home, h.roomId);
    // 23:00 in 宿州: inside the demo household's 22:00–07:00 window.
    clock.set(Date.parse('2026-11-26T15:00:00Z'));
    await platform.services.households.tick();
    expect(await home.told('permissions')).toMatchObject({ sources: ['microphone'], narrowedBy: 'privacy' });
    await until('the camera producer closed', () => ![...(platform.rooms.get(h.roomId)?.peers.get(DEVICE)?.producers.values() ?? [])].some((p) => p.appData.source === 'camera'));
  });
});

describe('links and devices withdrawn', () => {
  it('a removed family link ends the member’s call on the spot; the call token is refused at connect', async () => {
    const h = await callHome();
    const s = platform.services.households;
    const grandson = f.person(SEED.family.zhangLei, 'family', '张磊');
    const { token } = await s.joinCall(grandson, h.call.id);
    const member = await connect(token);
    expect(await member.join(h.roomId)).toMatchObject({ ok: true });
    const caller = await connect(h.familyToken);
    expect(await caller.join(h.roomId)).toMatchObject({ ok: true });

    await s.unlinkFamilyMember(f.person(SEED.family.zhangWei, 'family'), HOME, SEED.family.zhangLei);
    expect(await member.told('roomClosed')).toEqual({ reason: 'revoked' });
    await member.gone();
    expect(caller.disconnected).toBe(false);
    expect(await refusedConnect(platform, token)).toMatchObject({ code: 'unauthorized', details: { reason: 'link-removed' } });
    // Over REST the household is closed to them as well.
    const r = await rest(platform, 'GET', `/api/household/households/${HOME}`, platform.token(SEED.family.zhangLei, 'family', { rooms: [] }));
    expect(r.status).toBe(403);
  });

  it('re-binding a device cuts off its /live and signalling connections, and its old tokens are refused on REST, signalling and /live', async () => {
    const h = await callHome();
    const live = await connect(h.deviceToken, '/live');
    const inCall = await connect(h.deviceRoomToken);
    expect(await inCall.join(h.roomId)).toMatchObject({ ok: true });

    const { token: fresh } = await platform.services.households.bindDevice(f.admin, HOME, { id: DEVICE, name: '客厅终端', place: 'living-room' });
    expect(await live.told('access:revoked')).toEqual({ reason: 'device-rebound' });
    await live.gone();
    expect(await inCall.told('roomClosed')).toEqual({ reason: 'revoked' });
    await inCall.gone();

    expect(await refusedConnect(platform, h.deviceToken, '/live')).toMatchObject({ code: 'unauthorized', details: { reason: 'device-rebound' } });
    expect(await refusedConnect(platform, h.deviceRoomToken)).toMatchObject({ code: 'unauthorized', details: { reason: 'device-rebound' } });
    expect(await rest(platform, 'GET', '/api/household/device/state', h.deviceToken)).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    // The token just issued is the device's one good token.
    expect((await rest(platform, 'GET', '/api/household/device/state', fresh)).status).toBe(200);
    await connect(fresh, '/live');
  });

  it('revoking a lost device over HTTP cuts off everything it holds', async () => {
    const h = await callHome();
    const live = await connect(h.deviceToken, '/live');
    const inCall = await connect(h.deviceRoomToken);
    expect(await inCall.join(h.roomId)).toMatchObject({ ok: true });
    const manager = platform.token(SEED.family.zhangWei, 'family', { rooms: [] });

    const r = await rest(platform, 'POST', `/api/household/households/${HOME}/devices/${DEVICE}/revoke`, manager);
    expect(r.status).toBe(200);
    expect(await live.told('access:revoked')).toEqual({ reason: 'device-revoked' });
    expect(await inCall.told('roomClosed')).toEqual({ reason: 'revoked' });
    await Promise.all([live.gone(), inCall.gone()]);
    for (const [token, ns] of [[h.deviceToken, '/live'], [h.deviceToken, ''], [h.deviceRoomToken, '']] as const) {
      expect(await refusedConnect(platform, token, ns)).toMatchObject({ code: 'unauthorized', details: { reason: 'device-revoked' } });
    }
    expect((await rest(platform, 'POST', '/api/household/device/heartbeat', h.deviceToken)).status).toBe(401);
    // Only a manager of the household revokes its devices.
    const other = platform.token(SEED.family.wangQiang, 'family', { rooms: [] });
    expect((await rest(platform, 'POST', `/api/household/households/${HOME}/devices/${DEVICE}/revoke`, other)).status).toBe(403);
  });
});

describe('room tokens', () => {
  it('open their room and renew themselves for their own call, and are no credential anywhere else on REST', async () => {
    const h = await callHome();
    const s = platform.services.households;
    const zhangWei = f.person(SEED.family.zhangWei, 'family', '张伟');
    // The family member's and the device's room tokens open the call.
    const family = await connect(h.familyToken);
    expect(await family.join(h.roomId)).toMatchObject({ ok: true });
    const home = await connect(h.deviceRoomToken);
    expect(await home.join(h.roomId)).toMatchObject({ ok: true });

    // The same tokens as REST credentials: refused at the gate, whoever holds them, whatever they ask.
    const asked: [string, string, string][] = [
      [h.familyToken, 'GET', '/api/household/households'],
      [h.familyToken, 'GET', `/api/household/households/${HOME}`],
      [h.familyToken, 'GET', `/api/household/calls/${h.call.id}/timeline`],
      [h.familyToken, 'POST', `/api/household/calls/${h.call.id}/end`],
      [h.familyToken, 'GET', '/api/identity/me'],
      [h.deviceRoomToken, 'GET', '/api/household/device/state'],
      [h.deviceRoomToken, 'POST', `/api/household/households/${HOME}/privacy`],
    ];
    const answers = await Promise.all(asked.map(([token, method, path]) => rest(platform, method, path, token, method === 'POST' ? { on: true } : undefined)));
    expect(answers.map((a, i) => [asked[i]![1], asked[i]![2], a.status, (a.body.error?.details as { reason?: string } | undefined)?.reason])).toEqual(
      asked.map(([, method, path]) => [method, path, 403, 'room_token']),
    );
    // Nothing happened: the call is still on, privacy still off.
    expect((await s.callTimeline(zhangWei, h.call.id)).call.state).toBe('active');
    expect((await s.getHousehold(zhangWei, HOME)).privacy.active).toBe(false);

    // Its one REST use: renewing itself for the same call (what a call page does before it lapses).
    const renewed = await rest(platform, 'POST', `/api/household/calls/${h.call.id}/join`, h.familyToken);
    expect(renewed.status).toBe(200);
    const fresh = platform.tokens.verify((renewed.body.data as { token: string }).token);
    expect({ use: fresh.use, rooms: fresh.grant.rooms, sub: fresh.sub }).toEqual({ use: 'room', rooms: [h.roomId], sub: SEED.family.zhangWei });

    // A token for one call renews no other: the next call of the same home is refused to it.
    await s.endCall(zhangWei, h.call.id);
    const next = await s.startCall(zhangWei, HOME);
    const other = await rest(platform, 'POST', `/api/household/calls/${next.call.id}/join`, h.familyToken);
    expect({ status: other.status, reason: (other.body.error?.details as { reason?: string } | undefined)?.reason }).toEqual({ status: 403, reason: 'other_room' });
    expect((await rest(platform, 'POST', `/api/household/calls/${next.call.id}/join`, next.token)).status).toBe(200);
  });
});
