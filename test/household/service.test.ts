import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../server/core/errors.ts';
import { grantAllowsRoom } from '../../server/auth/grants.ts';
import { callRoomId, forwardHouseholdEvents, householdMigrations, lookInRoomId, seedHouseholdDemo } from '../../server/household/index.ts';
import type { HouseholdTables } from '../../server/household/repository.ts';
import { subjectKey } from '../../server/protocol/live.ts';
import { createFixture, NOON_CST, SEED, type Fixture } from './fixture.ts';

const H = SEED.households;
const D = SEED.devices;
const F = SEED.family;
const C = SEED.counsellors;
/** Push recipients are role + id (protocol/live.ts). */
const devKey = (id: string) => subjectKey('home-device', id);
const famKey = (id: string) => subjectKey('family', id);
const cnsKey = (id: string) => subjectKey('counsellor', id);

async function refusal(fn: () => unknown): Promise<{ code: string; reason?: string; message: string }> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { code: err.code, reason: (err.details as { reason?: string } | undefined)?.reason, message: err.message };
  }
  throw new Error('expected a refusal, but the call succeeded');
}

let f: Fixture;
beforeEach(async () => {
  f = await createFixture({ ringTimeoutMs: 45_000, offlineAlertAfterMs: 5 * 60_000 });
});
afterEach(() => f.close());

describe('authorization between households', () => {
  it('a family member of household A cannot call, look in on, or change settings of household B', async () => {
    const zhangWei = f.person(F.zhangWei, 'family', '张伟');
    const wangDevice = await f.device(D.wang);
    await f.service.heartbeat(wangDevice);
    expect((await refusal(() => f.service.startCall(zhangWei, H.wang))).code).toBe('forbidden');
    expect((await refusal(() => f.service.startLookIn(zhangWei, H.wang))).code).toBe('forbidden');
    expect((await refusal(() => f.service.updateSettings(zhangWei, H.wang, { lookInAllowed: false }))).code).toBe('forbidden');
    expect((await refusal(() => f.service.setPrivacyMode(zhangWei, H.wang, true))).code).toBe('forbidden');
    expect((await refusal(() => f.service.getHousehold(zhangWei, H.wang))).code).toBe('forbidden');
    expect((await f.service.listHouseholds(zhangWei)).map((v) => v.household.id)).toEqual([H.zhang]);
    expect(f.events.filter((e) => e.name === 'call:ringing' || e.name === 'call:answered')).toHaveLength(0);
  });

  it('permission levels are enforced inside one household: call-only cannot look in, look-in cannot manage', async () => {
    await f.service.heartbeat((await f.device(D.zhang)));
    const zhangLei = f.person(F.zhangLei, 'family');
    const liNa = f.person(F.liNa, 'family');
    expect((await refusal(() => f.service.startLookIn(zhangLei, H.zhang))).code).toBe('forbidden');
    expect((await refusal(() => f.service.updateSettings(liNa, H.zhang, { lookInAllowed: false }))).code).toBe('forbidden');
    expect((await f.service.startCall(zhangLei, H.zhang)).call.state).toBe('ringing');
  });

  it('a device token opens only its own household: its grant, answering, and joining another household’s room are refused', async () => {
    const zhangDevice = await f.device(D.zhang);
    const wangDevice = await f.device(D.wang);
    await f.service.heartbeat(zhangDevice);
    await f.service.heartbeat(wangDevice);
    const { call } = await f.service.startCall(f.person(F.wangQiang, 'family'), H.wang);
    // The long-lived token enters no room by itself; room tokens come from the service.
    expect(grantAllowsRoom(zhangDevice.grant, call.roomId)).toBe(false);
    expect(grantAllowsRoom(zhangDevice.grant, callRoomId(H.zhang, 'x'))).toBe(false);
    expect((await refusal(() => f.service.deviceRoomToken(zhangDevice, call.roomId))).code).toBe('forbidden');
    expect(f.tokens.verify((await f.service.deviceRoomToken(wangDevice, call.roomId)).token).grant.rooms).toEqual([call.roomId]);
    expect((await refusal(() => f.service.answerCall(zhangDevice, call.id))).code).toBe('forbidden');
    expect((await refusal(() => f.service.endCall(zhangDevice, call.id))).code).toBe('forbidden');
    expect((await refusal(() => f.service.authorizeJoin(zhangDevice, call.roomId))).code).toBe('forbidden');
    expect((await refusal(() => f.service.setPrivacyMode(zhangDevice, H.wang, true))).code).toBe('forbidden');
    await expect(f.service.authorizeJoin(wangDevice, call.roomId)).resolves.toBeUndefined();
  });

  it('binding a device again revokes its previous token', async () => {
    const old = await f.device(D.zhang);
    await f.service.heartbeat(old);
    const fresh = await f.device(D.zhang);
    expect((await refusal(() => f.service.heartbeat(old))).code).toBe('unauthorized');
    expect((await f.service.heartbeat(fresh)).device.online).toBe(true);
  });

  it('an ended call cannot be rejoined with a still-valid room token', async () => {
    const dev = await f.device(D.wang);
    await f.service.heartbeat(dev);
    const wangQiang = f.person(F.wangQiang, 'family');
    const { call } = await f.service.startCall(wangQiang, H.wang);
    await f.service.endCall(wangQiang, call.id);
    expect((await refusal(() => f.service.authorizeJoin(wangQiang, call.roomId))).code).toBe('gone');
  });
});

describe('calling home', () => {
  it('auto-answers at once for a caller the household chose, and the device is told to join', async () => {
    const dev = await f.device(D.zhang);
    await f.service.heartbeat(dev);
    const { call, roomId, token } = await f.service.startCall(f.person(F.zhangWei, 'family', '张伟'), H.zhang);
    expect(call.state).toBe('active');
    expect(call.autoAnswered).toBe(true);
    expect(roomId).toBe(`household:${H.zhang}:call:${call.id}`);
    const grant = f.tokens.verify(token).grant;
    expect(grant).toMatchObject({ rooms: [roomId], canPublish: true, canSubscribe: true, sources: ['camera', 'microphone'] });
    const answered = f.events.find((e) => e.name === 'call:answered');
    expect(answered?.payload).toMatchObject({ to: [devKey(D.zhang), famKey(F.zhangWei)], call: { id: call.id, state: 'active' } });
  });

  it('rings for other callers and connects only when the device answers', async () => {
    const dev = await f.device(D.zhang);
    await f.service.heartbeat(dev);
    const { call } = await f.service.startCall(f.person(F.liNa, 'family', '李娜'), H.zhang);
    expect(call.state).toBe('ringing');
    expect(f.events.at(-1)).toMatchObject({ name: 'call:ringing', payload: { to: [devKey(D.zhang)], call: { id: call.id } } });
    const answer = await f.service.answerCall(dev, call.id);
    expect(answer.call.state).toBe('active');
    expect(f.tokens.verify(answer.token).grant.rooms).toEqual([call.roomId]);
    expect((await refusal(() => f.service.answerCall(dev, call.id))).code).toBe('gone');
  });

  it('a ringing call nobody answers becomes a missed call after the ring timeout', async () => {
    await f.service.heartbeat((await f.device(D.liu)));
    const liuFang = f.person(F.liuFang, 'family');
    const { call } = await f.service.startCall(liuFang, H.liu);
    f.clock.advance(44_000);
    await f.service.tick();
    expect((await f.repo.getCall(call.id))?.state).toBe('ringing');
    f.clock.advance(2_000);
    await f.service.tick();
    expect((await f.repo.getCall(call.id))?.state).toBe('missed');
    expect(f.events.at(-1)).toMatchObject({ name: 'call:ended', payload: { reason: 'missed', to: [devKey(D.liu), famKey(F.liuFang)] } });
    expect((await f.service.listMissedCalls(liuFang, H.liu)).map((c) => c.id)).toEqual([call.id]);
  });

  it('a call to an offline home is refused as unavailable and listed as missed', async () => {
    const liuFang = f.person(F.liuFang, 'family');
    const r = (await refusal(() => f.service.startCall(liuFang, H.liu)));
    expect(r.code).toBe('unavailable');
    expect((await f.service.listMissedCalls(liuFang, H.liu))).toHaveLength(1);
  });

  it('several family members from different cities join one call with the home', async () => {
    const dev = await f.device(D.zhang);
    await f.service.heartbeat(dev);
    const first = await f.service.startCall(f.person(F.zhangWei, 'family'), H.zhang);
    const conflict = (await refusal(() => f.service.startCall(f.person(F.liNa, 'family'), H.zhang)));
    expect(conflict.code).toBe('conflict');
    const second = await f.service.joinCall(f.person(F.liNa, 'family'), first.call.id);
    expect(second.roomId).toBe(first.roomId);
    expect((await refusal(() => f.service.joinCall(f.person(F.wangQiang, 'family'), first.call.id))).code).toBe('forbidden');
    // A member who joined leaves the room; only the caller (or the home) ends it for everyone.
    expect((await refusal(() => f.service.endCall(f.person(F.liNa, 'family'), first.call.id))).code).toBe('forbidden');
    expect((await f.service.endCall(f.person(F.zhangWei, 'family'), first.call.id)).state).toBe('ended');
  });

  it('privacy mode suspends auto-answer and the device may send audio only', async () => {
    const dev = await f.device(D.zhang);
    await f.service.heartbeat(dev);
    await f.service.setPrivacyMode(dev, H.zhang, true);
    const { call } = await f.service.startCall(f.person(F.zhangWei, 'family'), H.zhang);
    expect(call.state).toBe('ringing');
    const { token } = await f.service.answerCall(dev, call.id);
    expect(f.tokens.verify(token).grant.sources).toEqual(['microphone']);
    expect(f.tokens.verify((await f.service.deviceRoomToken(dev, call.roomId)).token).grant.sources).toEqual(['microphone']);
    expect((await f.service.mediaPolicy(H.zhang)).cameraAllowed).toBe(false);
    await f.service.setPrivacyMode(dev, H.zhang, false);
    expect(f.tokens.verify((await f.service.deviceRoomToken(dev, call.roomId)).token).grant.sources).toEqual(['camera', 'microphone']);
  });
});

describe('look-in and privacy', () => {
  it('a permitted family member looks in view-only; the device is told to show its live indicator; the access is logged', async () => {
    const dev = await f.device(D.zhang);
    await f.service.heartbeat(dev);
    const { lookIn, token } = await f.service.startLookIn(f.person(F.liNa, 'family', '李娜'), H.zhang);
    expect(lookIn.roomId).toBe(lookInRoomId(H.zhang, lookIn.id));
    expect(f.tokens.verify(token).grant).toMatchObject({ rooms: [lookIn.roomId], canPublish: false, canSubscribe: true, sources: [] });
    expect(f.events.at(-1)).toMatchObject({ name: 'lookin:started', payload: { to: [devKey(D.zhang)], viewerName: '李娜' } });
    const log = await f.service.listAccessLog(f.person(F.zhangWei, 'family'), H.zhang);
    expect(log[0]).toMatchObject({ actorId: F.liNa, outcome: 'granted', lookInId: lookIn.id });
  });

  it('privacy mode refuses look-in with a clear reason, ends the running look-in and tells the device to stop the camera', async () => {
    const dev = await f.device(D.zhang);
    await f.service.heartbeat(dev);
    const liNa = f.person(F.liNa, 'family');
    const running = await f.service.startLookIn(liNa, H.zhang);
    f.events.length = 0;
    await f.service.setPrivacyMode(dev, H.zhang, true);
    expect(f.events.map((e) => e.name)).toEqual(['lookin:ended', 'privacy:changed']);
    expect(f.events[0]?.payload).toMatchObject({ reason: 'privacy', to: [devKey(D.zhang), famKey(F.liNa)] });
    expect(f.events[1]?.payload).toMatchObject({ privacy: { active: true, cause: 'button' } });
    expect(f.events[1]?.payload.to).toContain(devKey(D.zhang));
    const r = (await refusal(() => f.service.startLookIn(liNa, H.zhang)));
    expect(r).toMatchObject({ code: 'forbidden', reason: 'privacy-mode' });
    expect(r.message).toMatch(/privacy mode/);
    expect((await refusal(() => f.service.authorizeJoin(liNa, running.roomId))).code).toBe('gone');
    expect((await f.repo.listAccessLog(H.zhang, 10))[0]).toMatchObject({ outcome: 'refused', reason: 'privacy-mode' });
  });

  it('the privacy schedule refuses look-in at night and announces its start and end', async () => {
    const dev = await f.device(D.zhang);
    f.clock.set(Date.parse('2026-11-26T13:59:00Z')); // 21:59 CST
    await f.service.heartbeat(dev);
    await f.service.tick();
    expect(f.events.filter((e) => e.name === 'privacy:changed')).toHaveLength(0);
    f.clock.set(Date.parse('2026-11-26T14:00:30Z')); // 22:00:30 CST
    await f.service.heartbeat(dev);
    await f.service.tick();
    expect(f.events.at(-1)).toMatchObject({ name: 'privacy:changed', payload: { privacy: { active: true, cause: 'schedule' } } });
    expect((await refusal(() => f.service.startLookIn(f.person(F.liNa, 'family'), H.zhang))).reason).toBe('privacy-schedule');
    f.clock.set(Date.parse('2026-11-26T23:00:00Z')); // 07:00 CST next day
    await f.service.heartbeat(dev);
    await f.service.tick();
    expect(f.events.at(-1)).toMatchObject({ name: 'privacy:changed', payload: { privacy: { active: false } } });
    expect((await f.service.startLookIn(f.person(F.liNa, 'family'), H.zhang)).lookIn.endedAt).toBeNull();
  });

  it('look-in is a glance, not a watch: more than the hourly number is refused and logged', async () => {
    const dev = await f.device(D.wang);
    await f.service.heartbeat(dev);
    const wangQiang = f.person(F.wangQiang, 'family');
    for (let i = 0; i < f.service.timings.lookInsPerHour; i++) {
      const { lookIn } = await f.service.startLookIn(wangQiang, H.wang);
      await f.service.endLookIn(wangQiang, lookIn.id);
      f.clock.advance(60_000);
      await f.service.heartbeat(dev);
    }
    expect((await refusal(() => f.service.startLookIn(wangQiang, H.wang))).code).toBe('rate_limited');
    expect((await f.repo.listAccessLog(H.wang, 1))[0]).toMatchObject({ outcome: 'refused', reason: 'rate-limited' });
    f.clock.advance(3600_000);
    await f.service.heartbeat(dev);
    expect((await f.service.startLookIn(wangQiang, H.wang)).lookIn.endedAt).toBeNull();
  });

  it('a household that does not allow look-in refuses it', async () => {
    await f.service.heartbeat((await f.device(D.liu)));
    const manager = f.person(F.liuFang, 'family');
    await f.repo.linkFamilyMember({ householdId: H.liu, memberId: F.liuFang, relation: '女儿', permission: 'look-in' });
    expect((await refusal(() => f.service.startLookIn(manager, H.liu))).reason).toBe('look-in-disabled');
  });

  it('a look-in ends by itself at the time limit', async () => {
    await f.service.heartbeat((await f.device(D.wang)));
    const { lookIn } = await f.service.startLookIn(f.person(F.wangQiang, 'family'), H.wang);
    f.clock.advance(f.service.timings.lookInMaxMs);
    await f.service.tick();
    expect((await f.repo.getLookIn(lookIn.id))?.endReason).toBe('time-limit');
  });
});

describe('counsellors', () => {
  it('a device whose heartbeats stop raises the offline alert for its counsellor after the set time, and clears when it returns', async () => {
    const dev = await f.device(D.zhang);
    await f.service.heartbeat(dev);
    f.clock.advance(5 * 60_000 - 1_000);
    await f.service.tick();
    const zhangAlerts = () => f.events.filter((e) => e.name === 'alert:raised' && 'alert' in e.payload && e.payload.alert.deviceId === D.zhang);
    expect(zhangAlerts()).toHaveLength(0);
    f.clock.advance(2_000);
    await f.service.tick();
    const raised = zhangAlerts();
    expect(raised.map((e) => e.payload)).toEqual([
      expect.objectContaining({ to: [cnsKey(C.chen)], alert: expect.objectContaining({ deviceId: D.zhang, kind: 'device-offline' }) }),
    ]);
    // Raised once, not on every tick.
    f.clock.advance(60_000);
    await f.service.tick();
    expect(zhangAlerts()).toHaveLength(1);
    const chen = f.person(C.chen, 'counsellor');
    expect((await f.service.listAlerts(chen)).map((a) => a.deviceId)).toContain(D.zhang);
    expect((await f.service.listAlerts(f.person(C.zhou, 'counsellor'))).map((a) => a.deviceId)).not.toContain(D.zhang);
    await f.service.heartbeat(dev);
    expect(f.events.at(-1)).toMatchObject({ name: 'alert:resolved', payload: { to: [cnsKey(C.chen)] } });
    // Resolved by itself, it stays on the list until the counsellor has seen it.
    const [resolved] = (await f.service.listAlerts(chen)).filter((a) => a.deviceId === D.zhang);
    expect(resolved).toMatchObject({ kind: 'device-offline', resolvedAt: expect.any(String), acknowledgedBy: null });
    await f.service.acknowledgeAlert(chen, resolved!.id);
    expect((await f.service.listAlerts(chen)).map((a) => a.deviceId)).not.toContain(D.zhang);
  });

  it('a notice to a region reaches the devices there and no others; a region outside the counsellor’s area is refused', async () => {
    for (const d of Object.values(D)) (await f.service.heartbeat((await f.device(d))));
    const zhou = f.person(C.zhou, 'counsellor', '周红');
    const { householdIds } = await f.service.sendNotice(zhou, { region: '341321', title: '降温提醒', body: '明日降温，请老人注意保暖。' });
    expect(householdIds).toEqual([H.wang]);
    expect(f.events.at(-1)).toMatchObject({ name: 'notice', payload: { to: [devKey(D.wang)], notice: { title: '降温提醒' } } });
    expect((await f.service.deviceState((await f.device(D.wang)))).notices.map((n) => n.title)).toEqual(['降温提醒']);
    expect((await f.service.deviceState((await f.device(D.zhang)))).notices).toEqual([]);
    expect((await refusal(() => f.service.sendNotice(zhou, { region: '341302', title: 't', body: 'b' }))).code).toBe('forbidden');
    expect((await refusal(() => f.service.sendNotice(zhou, { householdId: H.zhang, title: 't', body: 'b' }))).code).toBe('forbidden');
    expect((await refusal(() => f.service.sendNotice(f.person(F.zhangWei, 'family'), { region: '341302', title: 't', body: 'b' }))).code).toBe('forbidden');
  });

  it('a scheduled check-in is announced to its counsellor once when it falls due', async () => {
    const chen = f.person(C.chen, 'counsellor');
    const thursday = new Date(NOON_CST + 8 * 3600_000).getUTCDay();
    const s = await f.service.scheduleCheckIn(chen, H.zhang, { days: [thursday], time: '14:30', durationMinutes: 20, note: '' });
    expect(s.nextAt).toBe('2026-11-26T06:30:00.000Z');
    expect((await refusal(() => f.service.scheduleCheckIn(chen, H.wang, { days: [1], time: '10:00', durationMinutes: 20, note: '' }))).code).toBe('forbidden');
    f.clock.set(Date.parse('2026-11-26T06:29:59Z'));
    await f.service.tick();
    expect(f.events.filter((e) => e.name === 'checkin:due')).toHaveLength(0);
    f.clock.set(Date.parse('2026-11-26T06:30:05Z'));
    await f.service.tick();
    await f.service.tick();
    expect(f.events.filter((e) => e.name === 'checkin:due').map((e) => e.payload.to)).toEqual([[cnsKey(C.chen)]]);
  });

  it('an assigned counsellor can place a check-in call, which rings rather than auto-answers', async () => {
    await f.service.heartbeat((await f.device(D.wang)));
    const { call } = await f.service.startCall(f.person(C.zhou, 'counsellor'), H.wang);
    expect(call).toMatchObject({ state: 'ringing', callerRole: 'counsellor' });
    expect((await refusal(() => f.service.startCall(f.person(C.chen, 'counsellor'), H.wang))).code).toBe('forbidden');
  });
});

describe('forwarding events to sockets', () => {
  it('delivers each event once to every recipient, without the routing list, and stops when detached', async () => {
    const dev = await f.device(D.zhang);
    const delivered: [string, string, unknown][] = [];
    const detach = forwardHouseholdEvents(f.service.events, (subject, push) => void delivered.push([subject, push.type, push.payload]));
    await f.service.setPrivacyMode(dev, H.zhang, true);
    expect(delivered.map(([s, e]) => `${s} ${e}`).sort()).toEqual(
      [devKey(D.zhang), famKey(F.liNa), famKey(F.zhangLei), famKey(F.zhangWei)].map((s) => `${s} privacy:changed`).sort(),
    );
    expect(delivered[0]?.[2]).toEqual({ householdId: H.zhang, privacy: { active: true, cause: 'button' } });
    detach();
    await f.service.setPrivacyMode(dev, H.zhang, false);
    expect(delivered).toHaveLength(4);
  });

  it('a throwing listener does not undo the state change or starve other listeners', async () => {
    const dev = await f.device(D.zhang);
    f.service.events.on('privacy:changed', () => {
      throw new Error('socket layer bug');
    });
    let later = 0;
    f.service.events.on('privacy:changed', () => void later++);
    expect((await f.service.setPrivacyMode(dev, H.zhang, true)).active).toBe(true);
    expect(later).toBe(1);
    expect((await f.repo.getHousehold(H.zhang))?.privacyMode).toBe(true);
  });
});

describe('store and timers', () => {
  it('migrations and the demo seed run once: a second run changes nothing', async () => {
    expect(await f.store.migrate(householdMigrations)).toEqual([]);
    expect(await seedHouseholdDemo(f.repo, Date.now())).toEqual({ created: false });
    expect((await f.repo.listHouseholds())).toHaveLength(4);
  });

  it('the access log refuses to be rewritten', async () => {
    await f.service.heartbeat((await f.device(D.wang)));
    await f.service.startLookIn(f.person(F.wangQiang, 'family'), H.wang);
    const db = f.store.db<HouseholdTables>();
    await expect(db.deleteFrom('household_access_log').execute()).rejects.toThrow(/append-only/);
    await expect(db.updateTable('household_access_log').set({ outcome: 'refused' }).execute()).rejects.toThrow(/append-only/);
  });

  it('start() runs the checker in-process, only while this node leads', async () => {
    await f.service.heartbeat((await f.device(D.liu)));
    const { call } = await f.service.startCall(f.person(F.liuFang, 'family'), H.liu);
    f.clock.advance(f.service.timings.ringTimeoutMs + 1);
    f.service.start(10, { leader: () => false });
    await new Promise((r) => setTimeout(r, 80));
    expect((await f.repo.getCall(call.id))?.state).toBe('ringing');
    f.service.stop();
    f.service.start(10, { leader: async () => true });
    await new Promise((r) => setTimeout(r, 80));
    f.service.stop();
    expect((await f.repo.getCall(call.id))?.state).toBe('missed');
  });
});
