// 三员分立 against a running node: the system administrator installs households and compounds and
// sees what it installed, never anyone's private content. A household as the administrator reads
// it has its devices and family links but no consents; the household's calls, look-ins, consents,
// access log, masks, privacy, settings and notices are refused by the role gate, and the household
// service refuses the private records itself too — and refuses every service administrator
// (admin, security-admin, audit-admin) a live household's call timeline, hang-up, look-in,
// privacy button and settings, which stay with the household's own people (its caller, viewer,
// manager); a 红色物业 matter is no business of its.
// (The matter room and the petition and household rooms are rows of rooms-authorization.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../server/household/index.ts';
import { ADMIN_ROLES } from '../../server/protocol/http/identity-shapes.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { createTestClock } from '../household/fixture.ts';
import { personToken, send, type Answer } from './edge-support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({}, { household: { clock: createTestClock() } });
});
afterAll(async () => {
  await platform?.close();
});

const HOME = SEED.households.zhang;
const verdict = (a: Answer) => ({ status: a.status, reason: (a.body?.error?.details as { reason?: string } | undefined)?.reason });
type View = { devices: unknown[]; family: { id: string }[]; consents: unknown[]; alerts: unknown[] };

describe('三员分立: the system administrator', () => {
  it('reads a household as installed: its family links, but not the consents its manager sees', async () => {
    const admin = personToken(platform, 'admin-1', 'admin');
    const manager = personToken(platform, SEED.family.zhangWei, 'family');
    const asAdmin = await send<View>(platform.url, 'GET', `/api/household/households/${HOME}`, { token: admin });
    const asManager = await send<View>(platform.url, 'GET', `/api/household/households/${HOME}`, { token: manager });
    expect(asManager.body?.data?.consents.length).toBeGreaterThan(0);
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body?.data?.family.map((m) => m.id)).toContain(SEED.family.zhangWei);
    expect({ consents: asAdmin.body?.data?.consents, alerts: asAdmin.body?.data?.alerts }).toEqual({ consents: [], alerts: [] });
    const listed = await send<View[]>(platform.url, 'GET', '/api/household/households', { token: admin });
    expect(listed.body?.data?.flatMap((h) => h.consents)).toEqual([]);
  });

  it('neither sees nor changes a household’s calls, look-ins, consents, privacy or notices', async () => {
    const admin = personToken(platform, 'admin-1', 'admin');
    const h = `/api/household/households/${HOME}`;
    const tries: [string, string, unknown?][] = [
      ['GET', `${h}/consents`],
      ['POST', `${h}/consents`, { memberId: SEED.family.liNa, source: '*', action: 'granted' }],
      ['GET', `${h}/access-log`],
      ['GET', `${h}/missed-calls`],
      ['GET', `${h}/notices`],
      ['PATCH', `${h}/settings`, { lookIn: { enabled: true } }],
      ['POST', `${h}/privacy`, { on: false }],
      ['PUT', `/api/household/devices/${SEED.devices.zhang}/masks`, { rects: [] }],
      ['GET', '/api/household/calls/call-any/timeline'],
      ['POST', '/api/household/calls/call-any/end'],
      ['POST', '/api/household/look-ins/li-any/end'],
    ];
    const answers = await Promise.all(tries.map(([method, path, body]) => send(platform.url, method, path, { token: admin, ...(body ? { body } : {}) })));
    expect(answers.map((a, i) => [tries[i]![0], tries[i]![1], verdict(a)])).toEqual(tries.map(([m, p]) => [m, p, { status: 403, reason: 'role_not_allowed' }]));
  });

  it('is refused the consent record and the access log by the household service itself', async () => {
    const admin = platform.tokens.verify(personToken(platform, 'admin-1', 'admin'));
    const households = platform.services.households;
    await expect(households.listConsents(admin, HOME)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(households.listAccessLog(admin, HOME)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(households.listNotices(admin, HOME)).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('is refused a live call and look-in, the privacy button and the settings by the household service itself, whichever administrator', async () => {
    const households = platform.services.households;
    const device = platform.tokens.verify((await households.bindDevice(platform.tokens.verify(personToken(platform, 'admin-1', 'admin')), HOME, { id: SEED.devices.zhang, name: '客厅终端', place: 'living-room' })).token);
    await households.heartbeat(device);
    const caller = platform.tokens.verify(personToken(platform, SEED.family.zhangWei, 'family'));
    const { call } = await households.startCall(caller, HOME);
    const { lookIn } = await households.startLookIn(caller, HOME, { source: 'device' });
    const before = await households.getHousehold(caller, HOME);
    expect({ call: call.state, lookIn: lookIn.endedAt, privacy: before.privacy.active }).toEqual({ call: 'active', lookIn: null, privacy: false });

    for (const role of ADMIN_ROLES) {
      const admin = platform.tokens.verify(personToken(platform, `${role}-1`, role));
      const refused = async (what: string, act: () => Promise<unknown>) => ({ what, code: await act().then(() => 'done', (e: { code?: string }) => e.code) });
      expect(
        await Promise.all([
          refused('timeline', () => households.callTimeline(admin, call.id)),
          refused('end call', () => households.endCall(admin, call.id)),
          refused('end look-in', () => households.endLookIn(admin, lookIn.id)),
          refused('privacy', () => households.setPrivacyMode(admin, HOME, true)),
          refused('settings', () => households.updateSettings(admin, HOME, { lookInAllowed: false })),
        ]),
        role,
      ).toEqual(['timeline', 'end call', 'end look-in', 'privacy', 'settings'].map((what) => ({ what, code: 'forbidden' })));
    }
    // Nothing moved: the call is live, the look-in open, privacy off, look-in still allowed.
    const after = await households.getHousehold(caller, HOME);
    expect({ privacy: after.privacy.active, lookInAllowed: after.household.settings.lookInAllowed }).toEqual({ privacy: false, lookInAllowed: true });
    expect((await households.callTimeline(caller, call.id)).call.state).toBe('active');
    // The household's own people still can: the viewer ends the look-in, the caller hangs up.
    expect((await households.endLookIn(caller, lookIn.id)).endedAt).not.toBeNull();
    expect((await households.endCall(caller, call.id)).state).toBe('ended');
  });

  it('lists compounds it sets up, but no 红色物业 matter', async () => {
    const admin = personToken(platform, 'admin-1', 'admin');
    expect((await send(platform.url, 'GET', '/api/property/compounds', { token: admin })).status).toBe(200);
    expect(verdict(await send(platform.url, 'GET', '/api/property/matters', { token: admin }))).toEqual({ status: 403, reason: 'role_not_allowed' });
    expect(verdict(await send(platform.url, 'GET', '/api/property/matters/m-any', { token: admin }))).toEqual({ status: 403, reason: 'role_not_allowed' });
  });
});
