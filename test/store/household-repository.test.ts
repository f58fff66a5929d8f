// The household repository on both dialects: the demo seed (also from two nodes at once), the
// access log that the database itself keeps append-only, region notices, and "one open call
// per home" holding when two callers press at once — on PostgreSQL from two nodes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../server/core/errors.ts';
import { Store } from '../../server/core/db.ts';
import { createLogger } from '../../server/core/log.ts';
import { defaultCameraRules } from '../support/camera-rules.ts';
import { TokenIssuer } from '../../server/auth/grants.ts';
import { HouseholdRepository, HouseholdService, householdMigrations, seedHouseholdDemo, SEED } from '../../server/household/index.ts';
import type { HouseholdTables } from '../../server/household/repository.ts';
import { DIALECTS } from '../support/stores.ts';

const NOON_CST = Date.parse('2026-11-26T04:00:00Z');

describe.each(DIALECTS)('the household repository on %s', (dialect, fresh) => {
  let stores: Store[];
  let repos: HouseholdRepository[];
  const repo = () => repos[0]!;

  beforeAll(async () => {
    const location = await fresh('household');
    const first = await Store.open(location);
    await first.migrate(householdMigrations);
    stores = dialect === 'postgres' ? [first, await Store.open(location)] : [first];
    repos = stores.map((s) => new HouseholdRepository(s));
    // Every node seeds at start-up; only one of them creates the demo.
    const seeded = await Promise.all(repos.map((r) => seedHouseholdDemo(r, NOON_CST)));
    expect(seeded.filter((x) => x.created)).toHaveLength(1);
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
  });

  it('reads the seed back: households, family with levels, devices, counsellors', async () => {
    expect((await repo().listHouseholds()).map((h) => h.id)).toEqual(Object.values(SEED.households).sort());
    expect((await repo().listFamily(SEED.households.zhang)).map((m) => [m.id, m.permission])).toEqual([
      [SEED.family.liNa, 'look-in'],
      [SEED.family.zhangLei, 'call'],
      [SEED.family.zhangWei, 'manage'],
    ]);
    expect((await repo().listHouseholdsInRegion('341302')).map((h) => h.id)).toEqual([SEED.households.zhang]);
    expect(await repo().isAssigned(SEED.households.wang, SEED.counsellors.zhou)).toBe(true);
    expect((await repo().getDevice(SEED.devices.zhang))?.boundAtMs).toBe(NOON_CST);
  });

  it('keeps the access log append-only in the database itself', async () => {
    await repo().appendAccessLog({ householdId: SEED.households.wang, actorId: SEED.family.wangQiang, actorName: '王强', actorRole: 'family', action: 'look-in', outcome: 'granted', reason: null, lookInId: 'look-1', atMs: NOON_CST });
    expect(await repo().countGrantedLookIns(SEED.households.wang, SEED.family.wangQiang, NOON_CST - 1)).toBe(1);
    const db = stores[0]!.db<HouseholdTables>();
    await expect(db.deleteFrom('household_access_log').execute()).rejects.toThrow(/append-only/);
    await expect(db.updateTable('household_access_log').set({ outcome: 'refused' }).execute()).rejects.toThrow(/append-only/);
    expect(await repo().listAccessLog(SEED.households.wang, 10)).toMatchObject([{ outcome: 'granted', lookInId: 'look-1' }]);
  });

  it('delivers a region notice to every household inside the region, and only there', async () => {
    await repo().insertNotice({ id: 'n-1', senderId: 'c', senderName: '周红', householdId: null, region: '341321', title: '降温', body: '注意保暖', createdAtMs: NOON_CST, expiresAtMs: null });
    const wang = (await repo().getHousehold(SEED.households.wang))!;
    const zhang = (await repo().getHousehold(SEED.households.zhang))!;
    expect((await repo().listNoticesFor(wang, NOON_CST, 10)).map((n) => n.id)).toEqual(['n-1']);
    expect(await repo().listNoticesFor(zhang, NOON_CST, 10)).toEqual([]);
  });

  it('opens one call per home when two family members call at the same moment', async () => {
    const tokens = new TokenIssuer('test-secret-0123456789abcdef', 3600);
    const clock = { now: () => NOON_CST };
    const services = await Promise.all(repos.map((r) => HouseholdService.create({ repository: r, tokens, cameraAddresses: defaultCameraRules, log: createLogger('silent'), clock })));
    const admin = tokens.verify(tokens.issue({ sub: 'admin', name: 'a', role: 'admin', grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [] } }));
    const { token } = await services[0]!.bindDevice(admin, SEED.households.zhang, { id: SEED.devices.zhang, name: '客厅', place: 'living-room' });
    await services[0]!.heartbeat(tokens.verify(token));
    const caller = (sub: string) => tokens.verify(tokens.issue({ sub, name: sub, role: 'family', grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [] } }));
    const results = await Promise.allSettled(
      [SEED.family.zhangWei, SEED.family.liNa, SEED.family.zhangLei, SEED.family.zhangWei].map((sub, i) => services[i % services.length]!.startCall(caller(sub), SEED.households.zhang)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(AppError);
    expect(await repo().listOpenCalls(SEED.households.zhang)).toHaveLength(1);
  });
});
