// The 四民 steps of a compound matter as the property service enforces them, over a real SQLite
// store with the demo compound: 民提 raised → 民议 discussing (a second party joined) → 民决
// decided (the session ends) → 民评 rated by the resident it is about; each step only from the one
// before it, each by the party it belongs to; and who may enter the matter's room and a camera view.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokenIssuer, type Claims, type Role } from '../../server/auth/grants.ts';
import { Store } from '../../server/core/db.ts';
import { AppError } from '../../server/core/errors.ts';
import { createLogger } from '../../server/core/log.ts';
import { PROPERTY_SEED as P, PropertyRepository, PropertyService, propertyMigrations, seedPropertyDemo, type PropertyEvents } from '../../server/property/index.ts';
import { defaultCameraRules } from '../support/camera-rules.ts';

const GRID = 'vc-fuli-wang';
const POLICE = '341302101-ga';
const POLICE_OFFICER = 'O341302101-ga-1';
const CAMERA_URL = 'rtsp://192.168.10.20:554/east';

interface Ctx {
  dir: string;
  store: Store;
  service: PropertyService;
  clock: { now: number };
  events: { name: keyof PropertyEvents; payload: unknown }[];
  as(sub: string, role: Role, attributes?: Record<string, string>): Claims;
}

let c: Ctx;
beforeEach(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-property-'));
  const store = await Store.open({ dialect: 'sqlite', file: path.join(dir, 'store.sqlite') });
  await store.migrate(propertyMigrations);
  const repo = new PropertyRepository(store);
  await seedPropertyDemo(repo);
  const tokens = new TokenIssuer('test-secret-0123456789abcdef', 3600);
  const clock = { now: Date.parse('2026-11-26T04:00:00Z') };
  const service = new PropertyService({
    repository: repo,
    tokens,
    cameraAddresses: defaultCameraRules,
    log: createLogger('silent'),
    now: () => clock.now,
    viewMaxMs: 60_000,
    directory: {
      departmentsOf: async (regions) => (regions.includes('341302101') ? [{ id: POLICE, name: '符离镇派出所', regionCode: '341302101' } as never] : []),
      department: async (id) => (id === POLICE || id === '341302101-mz' ? ({ id, name: id === POLICE ? '符离镇派出所' : '符离镇民政办', regionCode: '341302101' } as never) : undefined),
      gridWorkerRegion: async (sub) => (sub === GRID ? '341302101' : undefined),
      gridWorkersFor: async (region) => (region.startsWith('341302101') ? [GRID] : []),
    },
  });
  const events: Ctx['events'] = [];
  for (const name of ['matter:changed', 'camera:added', 'session:ended'] as const) service.events.on(name, (payload: unknown) => void events.push({ name, payload }));
  const as = (sub: string, role: Role, attributes: Record<string, string> = {}) =>
    tokens.verify(tokens.issue({ sub, name: sub, role, grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [] }, attributes }));
  c = { dir, store, service, clock, events, as };
});
afterEach(async () => {
  await c.store.close();
  fs.rmSync(c.dir, { recursive: true, force: true });
});

const office = () => c.as(P.staff.liu, 'property');
const chen = () => c.as(P.residents.chen, 'resident');
const sun = () => c.as(P.residents.sun, 'resident');
const grid = () => c.as(GRID, 'grid-worker');
const police = () => c.as(POLICE_OFFICER, 'official', { department: POLICE });

async function refusal(fn: () => Promise<unknown>): Promise<{ code: string; reason?: string }> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { code: err.code, reason: (err.details as { reason?: string } | undefined)?.reason };
  }
  throw new Error('expected a refusal, but the call succeeded');
}

const raiseForChen = () =>
  c.service.raise(office(), { compoundId: P.compound, category: 'repair', location: '东门', description: '东门道闸坏了', residentId: P.residents.chen });

describe('民提: raising a matter', () => {
  it('the property office raises a matter for a resident: raised, the office and the resident are parties, the office is in the session, the cameras at that place are pulled in', async () => {
    const gate = await c.service.addCamera(office(), P.compound, { name: '东门摄像头', location: '东门', url: CAMERA_URL });
    await c.service.addCamera(office(), P.compound, { name: '地库摄像头', location: '3 号楼地库', url: CAMERA_URL });
    const { matter, roomId, token } = await raiseForChen();
    expect(matter).toMatchObject({ state: 'raised', sessionOpen: true, residentId: P.residents.chen, cameraIds: [gate.id], roomId });
    expect(matter.parties.map((p) => [p.kind, p.joinedBy])).toEqual([['property', P.staff.liu], ['resident', null]]);
    expect(token).toBeTruthy();
  });

  it('a resident raises a matter about themself; one of another compound, or the office without a resident, is refused', async () => {
    const { matter } = await c.service.raise(chen(), { compoundId: P.compound, category: 'environment', location: '5 号楼', description: '楼道垃圾无人清理' });
    expect(matter).toMatchObject({ state: 'raised', residentId: P.residents.chen, raisedBy: { id: P.residents.chen, role: 'resident' } });
    expect(await refusal(() => c.service.raise(c.as('pr-elsewhere', 'resident'), { compoundId: P.compound, category: 'other', location: '东门', description: 'x' }))).toEqual({ code: 'forbidden', reason: 'not_a_party' });
    expect((await refusal(() => c.service.raise(office(), { compoundId: P.compound, category: 'other', location: '东门', description: 'x' }))).code).toBe('bad_request');
    expect((await refusal(() => c.service.raise(grid(), { compoundId: P.compound, category: 'other', location: '东门', description: 'x', residentId: P.residents.chen }))).code).toBe('forbidden');
  });

  it('the property office picks the resident from its own compound; nobody else lists them', async () => {
    expect((await c.service.residents(office(), P.compound)).map((r) => r.name)).toEqual(['陈桂兰', '孙立平']);
    expect((await refusal(() => c.service.residents(grid(), P.compound))).code).toBe('forbidden');
    expect((await refusal(() => c.service.residents(chen(), P.compound))).code).toBe('forbidden');
  });
});

describe('民议: the joint session', () => {
  it('stays raised while only the office is in, and is discussing once a second party joins', async () => {
    const { matter } = await raiseForChen();
    await c.service.invite(office(), matter.id, { party: 'community' });
    expect((await c.service.getMatter(office(), matter.id)).matter.state).toBe('raised');
    await c.service.join(grid(), matter.id);
    const { matter: now, events } = await c.service.getMatter(office(), matter.id);
    expect(now.state).toBe('discussing');
    expect(events.map((e) => e.type)).toEqual(['raised', 'joined', 'invited', 'joined', 'session-opened']);
    // Joining again is not a second entry on the record.
    await c.service.join(grid(), matter.id);
    expect((await c.service.getMatter(office(), matter.id)).events).toHaveLength(5);
  });

  it('a party is invited once; a 网格员 or an office not invited is kept out of the session and its room', async () => {
    const { matter } = await raiseForChen();
    expect(await refusal(() => c.service.join(grid(), matter.id))).toEqual({ code: 'forbidden', reason: 'not_invited' });
    expect(await refusal(() => c.service.matterRoomPermission(police(), matter.id))).toEqual({ code: 'forbidden', reason: 'not_invited' });
    await c.service.invite(office(), matter.id, { party: 'department', departmentId: POLICE });
    expect(await refusal(() => c.service.invite(office(), matter.id, { party: 'department', departmentId: POLICE }))).toEqual({ code: 'conflict', reason: 'duplicate_invite' });
    expect(await refusal(() => c.service.invite(office(), matter.id, { party: 'department', departmentId: 'nope' }))).toEqual({ code: 'not_found', reason: 'unknown_department' });
    const seat = await c.service.matterRoomPermission(police(), matter.id);
    expect(seat).toMatchObject({ roomAdmin: false, principal: false });
    expect(await c.service.matterRoomPermission(office(), matter.id)).toMatchObject({ roomAdmin: true, principal: true });
    // The invited office is rung through its department room.
    expect(c.events.some((e) => e.name === 'matter:changed' && (e.payload as { invited?: string; departments: string[] }).invited === 'department' && (e.payload as { departments: string[] }).departments.includes(POLICE))).toBe(true);
    // The other resident of the compound is no party of it.
    expect(await refusal(() => c.service.getMatter(sun(), matter.id))).toEqual({ code: 'forbidden', reason: 'not_a_party' });
  });
});

describe('民决 and 民评', () => {
  it('only the property office decides; the decision ends the session, its room and further invitations', async () => {
    const { matter } = await raiseForChen();
    await c.service.invite(office(), matter.id, { party: 'community' });
    expect(await refusal(() => c.service.decide(grid(), matter.id, '社区来修'))).toEqual({ code: 'forbidden', reason: 'not_a_party' });
    const decided = await c.service.decide(office(), matter.id, '物业三日内修复道闸');
    expect(decided).toMatchObject({ state: 'decided', sessionOpen: false, decision: '物业三日内修复道闸' });
    expect(c.events.filter((e) => e.name === 'session:ended')).toEqual([{ name: 'session:ended', payload: { matterId: matter.id, roomId: matter.roomId } }]);
    expect(await refusal(() => c.service.decide(office(), matter.id, '再决定一次'))).toEqual({ code: 'conflict', reason: 'wrong_state' });
    expect(await refusal(() => c.service.invite(office(), matter.id, { party: 'department', departmentId: POLICE }))).toEqual({ code: 'conflict', reason: 'wrong_state' });
    expect((await refusal(() => c.service.join(grid(), matter.id))).code).toBe('gone');
    expect((await refusal(() => c.service.matterRoomPermission(office(), matter.id))).code).toBe('gone');
  });

  it('only the resident it is about rates it, only once it is decided, and only once', async () => {
    const { matter } = await raiseForChen();
    expect(await refusal(() => c.service.rate(chen(), matter.id, { score: 5, comment: '' }))).toEqual({ code: 'conflict', reason: 'wrong_state' });
    await c.service.decide(office(), matter.id, '物业三日内修复道闸');
    expect(await refusal(() => c.service.rate(sun(), matter.id, { score: 1, comment: '' }))).toEqual({ code: 'forbidden', reason: 'not_the_resident' });
    expect(await refusal(() => c.service.rate(office() as Claims, matter.id, { score: 5, comment: '' }))).toEqual({ code: 'forbidden', reason: 'not_the_resident' });
    const rated = await c.service.rate(chen(), matter.id, { score: 4, comment: '修得很快' });
    expect(rated).toMatchObject({ state: 'rated', rating: { score: 4, comment: '修得很快' } });
    expect(await refusal(() => c.service.rate(chen(), matter.id, { score: 1, comment: '改主意了' }))).toEqual({ code: 'conflict', reason: 'wrong_state' });
    expect((await c.service.listMatters(chen())).map((m) => [m.id, m.state])).toEqual([[matter.id, 'rated']]);
  });
});

describe('camera views', () => {
  it('a camera view is its viewer’s own, for a limited time; a resident cannot open one', async () => {
    const gate = await c.service.addCamera(office(), P.compound, { name: '东门摄像头', location: '东门', url: CAMERA_URL });
    const { roomId } = await c.service.viewCamera(grid(), gate.id);
    const viewId = roomId.split(':').pop()!;
    expect(await c.service.viewRoomPermission(grid(), P.compound, viewId)).toMatchObject({ canPublish: false });
    expect(await refusal(() => c.service.viewRoomPermission(office(), P.compound, viewId))).toEqual({ code: 'forbidden', reason: 'not_a_party' });
    expect((await refusal(() => c.service.viewCamera(chen(), gate.id))).code).toBe('forbidden');
    c.clock.now += 60_000;
    expect(await refusal(() => c.service.viewRoomPermission(grid(), P.compound, viewId))).toEqual({ code: 'gone', reason: 'time-limit' });
  });
});
