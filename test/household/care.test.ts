// Issue 14 on the household service with a real SQLite store and a clock the test moves: calls
// from home, the SOS ladder with its timeline, no-activity alerts that say how they were decided,
// consent that ends look-ins at once, privacy masks, visits and due check-ins, read receipts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../server/core/errors.ts';
import { createFixture, SEED, type Fixture } from './fixture.ts';
import { subjectKey } from '../../server/protocol/live.ts';

const H = SEED.households;
const D = SEED.devices;
const F = SEED.family;
const C = SEED.counsellors;
const V = SEED.villageContacts;

async function code(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof AppError) return `${err.code}${(err.details as { reason?: string } | undefined)?.reason ? `:${(err.details as { reason: string }).reason}` : ''}`;
    throw err;
  }
  throw new Error('expected a refusal, but the call succeeded');
}

let f: Fixture;
beforeEach(async () => {
  f = await createFixture({ ringTimeoutMs: 45_000, sosCounsellorAfterMs: 20_000, sosVillageAfterMs: 60_000, sosRingMs: 120_000, offlineAlertAfterMs: 30 * 60_000 }); // the clock moves minutes without heartbeats: no offline alerts here
});
afterEach(() => f.close());

describe('the home calls out', () => {
  it('rings the one family member it calls; answered, both sides see it live; a second family member joins', async () => {
    const device = await f.device(D.zhang);
    const state = await f.service.heartbeat(device);
    expect(state.contacts.map((c) => [c.id, c.role])).toEqual(expect.arrayContaining([[F.zhangWei, 'family'], [F.liNa, 'family'], [C.chen, 'counsellor']]));
    const { call } = await f.service.callOut(device, { calleeId: F.liNa, audioOnly: false });
    expect(call).toMatchObject({ direction: 'from-home', purpose: 'call', state: 'ringing' });
    expect(f.events.find((e) => e.name === 'call:ringing')?.payload.to).toEqual([subjectKey('family', F.liNa)]);
    const liNa = f.person(F.liNa, 'family', '李娜');
    expect((await f.service.myCalls(liNa)).map((c) => c.id)).toEqual([call.id]);
    const answered = await f.service.answerCall(liNa, call.id);
    expect(answered.call).toMatchObject({ state: 'active', answeredBy: { id: F.liNa } });
    // 张伟 in 杭州 joins the same call from another city.
    const joined = await f.service.joinCall(f.person(F.zhangWei, 'family', '张伟'), call.id);
    expect(joined.roomId).toBe(call.roomId);
    const { events } = await f.service.callTimeline(liNa, call.id);
    expect(events.map((e) => [e.type, e.personId])).toEqual([['raised', D.zhang], ['rang', F.liNa], ['answered', F.liNa], ['joined', F.zhangWei]]);
  });

  it('refuses to call someone outside the household; unanswered it is a missed call on both sides', async () => {
    const device = await f.device(D.zhang);
    await f.service.heartbeat(device);
    expect(await code(() => f.service.callOut(device, { calleeId: F.wangQiang, audioOnly: false }))).toBe('forbidden');
    const { call } = await f.service.callOut(device, { calleeId: F.zhangWei, audioOnly: false });
    f.clock.advance(46_000);
    await f.service.tick();
    const zhangWei = f.person(F.zhangWei, 'family', '张伟');
    expect((await f.service.myCalls(zhangWei))[0]).toMatchObject({ id: call.id, state: 'missed' });
    expect((await f.service.deviceState(device)).missedOut.map((c) => c.id)).toEqual([call.id]);
  });
});

describe('SOS', () => {
  it('with nobody answering rings the family, then the counsellor, then the village contact; the contact answers; every step on the timeline', async () => {
    const device = await f.device(D.zhang);
    await f.service.heartbeat(device);
    const { call } = await f.service.raiseSos(device);
    expect(call.callees.map((c) => c.id).sort()).toEqual([F.liNa, F.zhangLei, F.zhangWei].sort());
    // The SOS alert is with the counsellor (and the family) at once, signed in or not.
    const chen = f.person(C.chen, 'counsellor', '陈静');
    expect(await f.service.listAlerts(chen)).toMatchObject([{ kind: 'sos', callId: call.id, resolvedAt: null }]);

    f.clock.advance(20_000);
    await f.service.tick();
    expect((await f.service.callTimeline(chen, call.id)).call.callees.map((c) => c.id)).toContain(C.chen);

    // 陈静 is busy and declines; the family keep ringing, so the ladder waits for its time.
    await f.service.declineCall(chen, call.id);
    f.clock.advance(40_000);
    await f.service.tick();
    const gw = f.person(V.zhangzhuang, 'grid-worker', '王建华');
    expect((await f.service.myCalls(gw)).map((c) => c.id)).toEqual([call.id]);
    const answered = await f.service.answerCall(gw, call.id);
    expect(answered.call).toMatchObject({ state: 'active', answeredBy: { id: V.zhangzhuang } });
    // The contact's room token opens the SOS room although they are not of the household.
    await f.service.authorizeJoin(gw, call.roomId);

    const { events } = await f.service.callTimeline(chen, call.id);
    expect(events.map((e) => e.type)).toEqual(['raised', 'rang', 'rang', 'rang', 'escalated', 'rang', 'declined', 'escalated', 'rang', 'answered']);
    expect(events.slice(1, 4).map((e) => e.personId).sort()).toEqual([F.liNa, F.zhangLei, F.zhangWei].sort());
    expect(events.slice(4).map((e) => [e.type, e.personId, e.data.to ?? null])).toEqual([
      ['escalated', null, 'counsellor'],
      ['rang', C.chen, null],
      ['declined', C.chen, null],
      ['escalated', null, 'grid-worker'],
      ['rang', V.zhangzhuang, null],
      ['answered', V.zhangzhuang, null],
    ]);
    expect(events.find((e) => e.type === 'answered')?.data.afterSeconds).toBe(60);
    // Answered: the alert resolved but stays listed until the counsellor acknowledges it.
    const [alert] = await f.service.listAlerts(chen);
    expect(alert).toMatchObject({ kind: 'sos', resolvedAt: expect.any(String), acknowledgedBy: null });
    await f.service.acknowledgeAlert(chen, alert!.id);
    expect(await f.service.listAlerts(chen)).toEqual([]);
    expect((await f.service.listAlerts(chen, true)).map((a) => a.id)).toEqual([alert!.id]);
  });

  it('when everyone rung declines, the next step rings at once instead of waiting', async () => {
    const device = await f.device(D.wang);
    await f.service.heartbeat(device);
    const { call } = await f.service.raiseSos(device);
    await f.service.declineCall(f.person(F.wangQiang, 'family'), call.id);
    const after = await f.service.callTimeline(f.person(C.zhou, 'counsellor'), call.id);
    expect(after.events.filter((e) => e.type === 'escalated').map((e) => [e.data.to, e.data.reason])).toEqual([['counsellor', 'all-declined']]);
    expect(after.call.callees.find((c) => c.id === C.zhou)?.state).toBe('ringing');
  });

  it('ends a call in progress: help comes first', async () => {
    const device = await f.device(D.zhang);
    await f.service.heartbeat(device);
    const { call: chat } = await f.service.startCall(f.person(F.zhangWei, 'family', '张伟'), H.zhang);
    const { call } = await f.service.raiseSos(device);
    expect(call.purpose).toBe('sos');
    expect(f.events.find((e) => e.name === 'call:ended' && 'call' in e.payload && e.payload.call.id === chat.id)?.payload).toMatchObject({ reason: 'sos' });
  });

  it('for a home with only a camera, a family member raises it from their page: the same ladder, the same alert, the raiser hears the answer', async () => {
    await f.service.addCamera(f.admin, H.zhang, { name: '院子摄像头', place: 'yard', url: 'rtsp://10.255.255.1/yard' });
    const zhangWei = f.person(F.zhangWei, 'family', '张伟');
    // Only the household's own family and assigned counsellors; a home without a camera has nothing to raise it for.
    expect(await code(() => f.service.raiseSosFor(f.person(C.zhou, 'counsellor'), H.zhang))).toBe('forbidden');
    expect(await code(() => f.service.raiseSosFor(f.person(F.wangQiang, 'family'), H.zhang))).toBe('forbidden');
    expect(await code(() => f.service.raiseSosFor(f.person(F.liuFang, 'family'), H.liu))).toBe('conflict');
    const { call } = await f.service.raiseSosFor(zhangWei, H.zhang);
    expect(call).toMatchObject({ purpose: 'sos', callerId: F.zhangWei, callerRole: 'family' });
    // Everyone but the raiser, from the first step.
    expect(call.callees.map((c) => c.id).sort()).toEqual([F.liNa, F.zhangLei].sort());
    const chen = f.person(C.chen, 'counsellor', '陈静');
    expect(await f.service.listAlerts(chen)).toMatchObject([{ kind: 'sos', callId: call.id, deviceId: null, resolvedAt: null }]);
    f.clock.advance(20_000);
    await f.service.tick();
    expect((await f.service.myCalls(chen)).map((c) => c.id)).toEqual([call.id]);
    f.events.length = 0;
    await f.service.answerCall(chen, call.id);
    expect(f.events.find((e) => e.name === 'call:answered')?.payload.to).toContain(subjectKey('family', F.zhangWei));
    const { events } = await f.service.callTimeline(zhangWei, call.id);
    expect(events.map((e) => e.type)).toEqual(['raised', 'rang', 'rang', 'escalated', 'rang', 'answered']);
    expect(events.filter((e) => e.type !== 'escalated').map((e) => e.personId)).toEqual([F.zhangWei, expect.any(String), expect.any(String), C.chen, C.chen]);
    // The camera joins when the call's room opens (openSosCamera); with the device on, the device's button is the way.
    expect(await f.service.openSosCamera(call.id)).toMatchObject({ householdId: H.zhang, url: 'rtsp://10.255.255.1/yard' });
    await f.service.endCall(chen, call.id);
    await f.service.heartbeat(await f.device(D.zhang));
    expect(await code(() => f.service.raiseSosFor(zhangWei, H.zhang))).toBe('conflict');
  });
});

describe('no activity', () => {
  const still = (n: number) => ({ minutes: Array.from({ length: n }, (_, i) => ({ ageSeconds: i * 60, level: 0.001, samples: 120 })) });

  it('three still daytime hours raise an alert to counsellor and family that says how it was decided; motion clears it', async () => {
    const device = await f.device(D.zhang);
    await f.service.heartbeat(device);
    // 12:00 local; the window is 08:00–20:00 and the rule 3 hours below 2 %.
    for (let h = 0; h < 3; h++) {
      await f.service.reportActivity(device, still(60));
      f.clock.advance(3600_000);
      await f.service.heartbeat(device);
    }
    await f.service.tick();
    const raised = f.events.find((e) => e.name === 'alert:raised' && 'alert' in e.payload && e.payload.alert.kind === 'no-activity');
    expect(raised?.payload.to).toEqual(expect.arrayContaining([subjectKey('counsellor', C.chen), subjectKey('family', F.zhangWei), subjectKey('family', F.liNa)]));
    const chen = f.person(C.chen, 'counsellor', '陈静');
    const [alert] = (await f.service.listAlerts(chen)).filter((a) => a.kind === 'no-activity');
    expect(alert?.activity).toMatchObject({
      rule: { start: '08:00', end: '20:00', inactiveHours: 3, threshold: 0.02 },
      spanMinutes: 180,
      maxLevel: 0.001,
      sources: [{ id: D.zhang, kind: 'device' }],
    });
    expect(alert!.activity!.measuredMinutes).toBeGreaterThanOrEqual(90);
    // The family sees it on the household too.
    expect((await f.service.getHousehold(f.person(F.zhangWei, 'family'), H.zhang)).alerts.map((a) => a.kind)).toContain('no-activity');

    await f.service.reportActivity(device, { minutes: [{ ageSeconds: 0, level: 0.2, samples: 120 }] });
    expect((await f.service.listAlerts(chen)).find((a) => a.id === alert!.id)?.resolvedAt).not.toBeNull();
  });

  it('a camera that measured too little proves nothing: no alert without enough measured minutes', async () => {
    const device = await f.device(D.zhang);
    await f.service.heartbeat(device);
    await f.service.reportActivity(device, still(30));
    f.clock.advance(3 * 3600_000);
    await f.service.heartbeat(device);
    await f.service.tick();
    expect(f.events.some((e) => e.name === 'alert:raised' && 'alert' in e.payload && e.payload.alert.kind === 'no-activity')).toBe(false);
  });
});

describe('privacy the household can see', () => {
  it('withdrawing consent ends the open look-in at once and refuses the next; both are in the record and the access log', async () => {
    const device = await f.device(D.zhang);
    await f.service.heartbeat(device);
    const liNa = f.person(F.liNa, 'family', '李娜');
    const zhangWei = f.person(F.zhangWei, 'family', '张伟');
    const { lookIn } = await f.service.startLookIn(liNa, H.zhang);
    await f.service.changeConsent(zhangWei, H.zhang, { memberId: F.liNa, source: '*', action: 'withdrawn' });
    expect(f.events.find((e) => e.name === 'lookin:ended')?.payload).toMatchObject({ lookIn: { id: lookIn.id }, reason: 'consent-withdrawn' });
    expect(await code(() => f.service.startLookIn(liNa, H.zhang))).toBe('forbidden:no-consent');
    const record = await f.service.listConsents(zhangWei, H.zhang);
    expect(record.filter((r) => r.memberId === F.liNa).map((r) => [r.action, r.byId])).toEqual([['granted', 'system'], ['withdrawn', F.zhangWei]]);
    const log = await f.service.listAccessLog(zhangWei, H.zhang);
    expect(log.map((e) => [e.actorName, e.outcome, e.reason])).toEqual([['李娜', 'refused', 'no-consent'], ['李娜', 'granted', null]]);
    // The household manager reads it; someone who may only look in does not.
    expect(await code(() => f.service.listAccessLog(liNa, H.zhang))).toBe('forbidden');
  });

  it('masks drawn by the household reach the device; a stranger cannot draw them', async () => {
    const device = await f.device(D.zhang);
    const rects = [{ x: 0, y: 0, w: 0.5, h: 0.5 }];
    const d = await f.service.setMasks(f.person(F.zhangWei, 'family'), D.zhang, rects);
    expect(d.masks).toEqual(rects);
    expect(f.events.find((e) => e.name === 'masks:changed')?.payload.to).toContain(subjectKey('home-device', D.zhang));
    expect((await f.service.deviceState(device)).device.masks).toEqual(rects);
    expect(await code(() => f.service.setMasks(f.person(F.wangQiang, 'family'), D.zhang, []))).toBe('forbidden');
  });
});

describe("the counsellor's work", () => {
  it('a check-in falls due, turns overdue a day later, and is done by a visit record that shows in the history', async () => {
    const chen = f.person(C.chen, 'counsellor', '陈静');
    // Thursday 2026-11-26 12:00 local; every Thursday at 13:00.
    const s = await f.service.scheduleCheckIn(chen, H.zhang, { days: [4], time: '13:00', durationMinutes: 20, note: '' });
    f.clock.advance(2 * 3600_000);
    expect(await f.service.dueCheckIns(chen)).toMatchObject([{ schedule: { id: s.id }, state: 'due' }]);
    f.clock.advance(25 * 3600_000);
    const [due] = await f.service.dueCheckIns(chen);
    expect(due).toMatchObject({ state: 'overdue' });
    const visit = await f.service.recordVisit(chen, H.zhang, { scheduleId: s.id, dueAt: due!.dueAt, mood: 'low', concerns: '腿疼，不愿出门', followUp: '联系村医上门', followUpBy: '2026-11-30' });
    expect(await f.service.dueCheckIns(chen)).toEqual([]);
    expect((await f.service.history(chen, H.zhang)).visits).toEqual([visit]);
    expect(await code(() => f.service.recordVisit(f.person(C.zhou, 'counsellor'), H.zhang, { mood: 'good', concerns: '', followUp: '' }))).toBe('forbidden');
  });

  it('a notice shows who has read it', async () => {
    const chen = f.person(C.chen, 'counsellor', '陈静');
    const device = await f.device(D.zhang);
    const { notice } = await f.service.sendNotice(chen, { householdId: H.zhang, title: '流感疫苗', body: '周五上午村卫生室免费接种' });
    expect((await f.service.noticeReceipts(chen, notice.id)).households).toEqual([{ householdId: H.zhang, name: '张家', readAt: null }]);
    await f.service.markNoticeRead(device, notice.id);
    expect((await f.service.sentNotices(chen))[0]?.households[0]?.readAt).toEqual(expect.any(String));
    expect(f.events.find((e) => e.name === 'notice:read')?.payload.to).toEqual([subjectKey('counsellor', C.chen)]);
  });
});
