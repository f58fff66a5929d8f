// A household's care is its counsellors' (三员分立): an administrator installs devices and links
// people, but schedules no check-ins, sends no notices, reads no alerts and no care record — each
// is refused with a 403 by the role gate, never a 500. A counsellor schedules only their own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../server/household/index.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { personToken, send } from './edge-support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await platform?.close();
});

const HOME = SEED.households.zhang;
const schedule = (token: string, body: Record<string, unknown>) =>
  send<{ id: string; counsellorId: string }>(platform.url, 'POST', `/api/household/households/${HOME}/check-ins`, { token, body: { days: [2], time: '10:00', ...body } });
const answer = (r: { status: number; body?: { error?: { code: string } } }) => ({ status: r.status, code: r.body?.error?.code });

describe('a household’s care', () => {
  it('an administrator schedules no check-in, not even one naming the home’s own counsellor', async () => {
    const admin = personToken(platform, 'admin-1', 'admin');
    expect(answer(await schedule(admin, {}))).toEqual({ status: 403, code: 'forbidden' });
    expect(answer(await schedule(admin, { counsellorId: SEED.counsellors.chen }))).toEqual({ status: 403, code: 'forbidden' });
    const chen = personToken(platform, SEED.counsellors.chen, 'counsellor');
    const list = await send<{ householdId: string }[]>(platform.url, 'GET', '/api/household/check-ins', { token: chen });
    expect(list.body?.data?.filter((c) => c.householdId === HOME)).toEqual([]);
  });

  it('an administrator sends no notice and reads no alerts, care record or receipts', async () => {
    const admin = personToken(platform, 'admin-1', 'admin');
    const tries = [
      send(platform.url, 'POST', '/api/household/notices', { token: admin, body: { householdId: HOME, title: '通知', body: '正文' } }),
      send(platform.url, 'GET', '/api/household/alerts', { token: admin }),
      send(platform.url, 'GET', `/api/household/households/${HOME}/history`, { token: admin }),
      send(platform.url, 'GET', '/api/household/notices/notice-none/receipts', { token: admin }),
    ];
    for (const r of await Promise.all(tries)) expect(answer(r)).toEqual({ status: 403, code: 'forbidden' });
  });

  it('the home’s counsellor schedules their own check-in; a counsellor cannot schedule for another', async () => {
    const chen = personToken(platform, SEED.counsellors.chen, 'counsellor');
    const ok = await schedule(chen, {});
    expect(ok.status).toBe(200);
    expect(ok.body?.data?.counsellorId).toBe(SEED.counsellors.chen);
    const list = await send<{ id: string }[]>(platform.url, 'GET', '/api/household/check-ins', { token: chen });
    expect(list.body?.data?.map((c) => c.id)).toContain(ok.body?.data?.id);
    expect(answer(await schedule(chen, { counsellorId: SEED.counsellors.zhou }))).toEqual({ status: 403, code: 'forbidden' });
    // A malformed schedule is the client's mistake: a typed 400.
    expect(answer(await schedule(chen, { days: [9] }))).toEqual({ status: 400, code: 'bad_request' });
  });
});
