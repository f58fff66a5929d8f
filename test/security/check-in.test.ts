// An administrator scheduling a check-in (issue 9.12, the household half) gets a validation
// error naming what is missing, not a 500; naming a counsellor who serves the home schedules it
// for that counsellor.
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

const schedule = (token: string, body: Record<string, unknown>) =>
  send<{ id: string; counsellorId: string }>(platform.url, 'POST', `/api/household/households/${SEED.households.zhang}/check-ins`, { token, body: { days: [2], time: '10:00', ...body } });

describe('scheduling a check-in', () => {
  it('an administrator without a counsellor gets a typed 400; with one not serving the home, too', async () => {
    const admin = personToken(platform, 'admin-1', 'admin');
    const none = await schedule(admin, {});
    expect({ status: none.status, code: none.body?.error?.code, details: none.body?.error?.details }).toEqual({ status: 400, code: 'bad_request', details: ['counsellorId: required'] });
    const wrong = await schedule(admin, { counsellorId: SEED.counsellors.zhou }); // serves 王家 and 刘家
    expect({ status: wrong.status, code: wrong.body?.error?.code }).toEqual({ status: 400, code: 'bad_request' });
  });

  it('an administrator naming the home’s counsellor schedules it for them; a counsellor cannot schedule for another', async () => {
    const ok = await schedule(personToken(platform, 'admin-1', 'admin'), { counsellorId: SEED.counsellors.chen });
    expect(ok.status).toBe(200);
    expect(ok.body?.data?.counsellorId).toBe(SEED.counsellors.chen);
    const list = await send<{ id: string }[]>(platform.url, 'GET', '/api/household/check-ins', { token: personToken(platform, SEED.counsellors.chen, 'counsellor') });
    expect(list.body?.data?.map((c) => c.id)).toContain(ok.body?.data?.id);
    const other = await schedule(personToken(platform, SEED.counsellors.chen, 'counsellor'), { counsellorId: SEED.counsellors.zhou });
    expect(other.status).toBe(403);
  });
});
