// 三员分立 against a running node: the system administrator installs households and compounds and
// sees what it installed, never anyone's private content. A household as the administrator reads
// it has its devices and family links but no consents; the household's calls, look-ins, consents,
// access log, masks, privacy, settings and notices are refused by the role gate, and the household
// service refuses the private records itself too; a 红色物业 matter is no business of its.
// (The matter room and the petition and household rooms are rows of rooms-authorization.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../server/household/index.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { personToken, send, type Answer } from './edge-support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
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

  it('lists compounds it sets up, but no 红色物业 matter', async () => {
    const admin = personToken(platform, 'admin-1', 'admin');
    expect((await send(platform.url, 'GET', '/api/property/compounds', { token: admin })).status).toBe(200);
    expect(verdict(await send(platform.url, 'GET', '/api/property/matters', { token: admin }))).toEqual({ status: 403, reason: 'role_not_allowed' });
    expect(verdict(await send(platform.url, 'GET', '/api/property/matters/m-any', { token: admin }))).toEqual({ status: 403, reason: 'role_not_allowed' });
  });
});
