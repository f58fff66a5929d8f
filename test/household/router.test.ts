import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/core/log.ts';
import { createHouseholdRouter } from '../../server/household/index.ts';
import { createFixture, SEED, type Fixture } from './fixture.ts';

const H = SEED.households;
const D = SEED.devices;
const F = SEED.family;

let f: Fixture;
let server: Server;
let base: string;

beforeEach(async () => {
  f = await createFixture();
  const app = express();
  app.use('/api/household', createHouseholdRouter({ service: f.service, tokens: f.tokens, log: createLogger('silent') }));
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/household`;
});
afterEach(async () => {
  await new Promise((r) => server.close(r));
  await f.close();
});

function tokenFor(sub: string, role: 'family' | 'counsellor' | 'admin', name = sub): string {
  return f.tokens.issue({ sub, name, role, grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [] } });
}

async function call(method: string, path: string, token: string | null, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(base + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: await res.json() };
}

describe('household HTTP API', () => {
  it('refuses requests without a valid bearer token with 401', async () => {
    expect(await call('GET', '/households', null)).toMatchObject({ status: 401, json: { ok: false, error: { code: 'unauthorized' } } });
    expect(await call('GET', '/households', 'not-a-jwt')).toMatchObject({ status: 401, json: { ok: false, error: { code: 'unauthorized' } } });
  });

  it('a family member of household A gets 403 for calling, looking in on, or changing household B', async () => {
    const t = tokenFor(F.zhangWei, 'family');
    for (const [method, path, body] of [
      ['POST', `/households/${H.wang}/calls`, {}],
      ['POST', `/households/${H.wang}/look-ins`, {}],
      ['PATCH', `/households/${H.wang}/settings`, { lookInAllowed: false }],
      ['POST', `/households/${H.wang}/privacy`, { on: true }],
    ] as const) {
      expect(await call(method, path, t, body)).toMatchObject({ status: 403, json: { ok: false, error: { code: 'forbidden' } } });
    }
    expect((await call('GET', '/households', t)).json.data.map((v: { household: { id: string } }) => v.household.id)).toEqual([H.zhang]);
  });

  it('calls home, the device answers over HTTP with its own token, and look-in in privacy mode is refused with the reason', async () => {
    const { token: deviceToken } = await f.service.bindDevice(f.admin, H.zhang, { id: D.zhang, name: '客厅终端', place: 'living-room' });
    expect((await call('POST', '/device/heartbeat', deviceToken)).json.data.device.online).toBe(true);
    const liNa = tokenFor(F.liNa, 'family', '李娜');
    const started = await call('POST', `/households/${H.zhang}/calls`, liNa, { audioOnly: false });
    expect(started).toMatchObject({ status: 200, json: { ok: true, data: { call: { state: 'ringing' } } } });
    const callId = started.json.data.call.id as string;
    const answered = await call('POST', `/calls/${callId}/answer`, deviceToken);
    expect(answered).toMatchObject({ status: 200, json: { data: { call: { state: 'active' }, roomId: `household:${H.zhang}:call:${callId}` } } });
    expect(await call('POST', `/calls/${callId}/end`, liNa)).toMatchObject({ status: 200, json: { data: { state: 'ended' } } });

    expect(await call('POST', `/households/${H.zhang}/privacy`, deviceToken, { on: true })).toMatchObject({ status: 200, json: { data: { active: true, cause: 'button' } } });
    const refused = await call('POST', `/households/${H.zhang}/look-ins`, liNa, {});
    expect(refused).toMatchObject({ status: 403, json: { ok: false, error: { code: 'forbidden', details: { reason: 'privacy-mode' } } } });
    expect(refused.json.error.message).toMatch(/privacy mode/);
  });

  it('validates input: unknown settings fields, a schedule time that does not exist (naming the field), a bedroom device, bad ids and malformed JSON are 400', async () => {
    const t = tokenFor(F.zhangWei, 'family');
    expect(await call('PATCH', `/households/${H.zhang}/settings`, t, { lookInAllowed: 'yes' })).toMatchObject({ status: 400, json: { error: { code: 'bad_request' } } });
    expect(await call('PATCH', `/households/${H.zhang}/settings`, t, { autoAnswer: { mode: 'all-family', memberIds: [] }, extra: 1 })).toMatchObject({ status: 400 });
    expect(await call('POST', `/households/${H.zhang}/privacy`, t, '{"on": tru')).toMatchObject({ status: 400, json: { ok: false, error: { code: 'bad_request' } } });
    expect(await call('GET', `/households/${encodeURIComponent('a b')}`, t)).toMatchObject({ status: 400 });
    expect(await call('GET', `/households/${H.zhang}/missed-calls?limit=100000`, t)).toMatchObject({ status: 400 });
    const schedule = await call('PATCH', `/households/${H.zhang}/settings`, t, { privacySchedule: [{ days: [1], start: '25:00', end: '07:00' }] });
    expect(schedule).toMatchObject({ status: 400, json: { error: { code: 'bad_request' } } });
    expect(schedule.json.error.message).toMatch(/privacySchedule\.0\.start/);
    expect(await call('PATCH', `/households/${H.zhang}/settings`, t, { recordingAllowed: true, camera: 'bedroom' })).toMatchObject({ status: 400 });
    expect(await call('POST', `/households/${H.zhang}/devices`, tokenFor('root', 'admin'), { name: '卧室', place: 'bedroom' })).toMatchObject({ status: 400, json: { error: { code: 'bad_request' } } });
    const ok = await call('PATCH', `/households/${H.zhang}/settings`, t, { autoAnswer: { mode: 'all-family', memberIds: [] } });
    expect(ok).toMatchObject({ status: 200, json: { ok: true, data: { autoAnswer: { mode: 'all-family' }, recordingAllowed: false } } });
  });

  it('a counsellor sends a region notice that the devices there read from their state', async () => {
    const { token: deviceToken } = await f.service.bindDevice(f.admin, H.wang, { id: D.wang, name: '客厅终端', place: 'living-room' });
    const zhou = tokenFor(SEED.counsellors.zhou, 'counsellor', '周红');
    const sent = await call('POST', '/notices', zhou, { region: '341321', title: '防诈骗提醒', body: '陌生电话要求转账，一律不信。' });
    expect(sent).toMatchObject({ status: 200, json: { data: { householdIds: [H.wang] } } });
    const state = await call('GET', '/device/state', deviceToken);
    expect(state.json.data.notices.map((n: { title: string }) => n.title)).toEqual(['防诈骗提醒']);
  });
});
