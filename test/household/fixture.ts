// A household service over a real SQLite file with the demo seed and a clock the test moves.
import fs from 'node:fs';
import { defaultCameraRules } from '../support/camera-rules.ts';
import os from 'node:os';
import path from 'node:path';
import { Store } from '../../server/core/db.ts';
import { createLogger } from '../../server/core/log.ts';
import { TokenIssuer, type Claims, type Role } from '../../server/auth/grants.ts';
import {
  HouseholdRepository,
  HouseholdService,
  householdMigrations,
  HOUSEHOLD_EVENT_NAMES,
  seedHouseholdDemo,
  SEED,
  type Actor,
  type HouseholdEvents,
  type HouseholdTimings,
} from '../../server/household/index.ts';

/** 2026-11-26 12:00 China Standard Time: outside the demo's night privacy window. */
export const NOON_CST = Date.parse('2026-11-26T04:00:00Z');

export interface Fixture {
  dir: string;
  store: Store;
  repo: HouseholdRepository;
  service: HouseholdService;
  tokens: TokenIssuer;
  clock: TestClock;
  admin: Actor;
  person(sub: string, role: Role, name?: string): Claims;
  /** Binds (re-binds) a seeded device and returns its verified claims, as the device would present them. */
  device(deviceId: string): Promise<Claims>;
  /** Every event the service emitted, in order. */
  events: { name: keyof HouseholdEvents; payload: HouseholdEvents[keyof HouseholdEvents][0] }[];
  close(): Promise<void>;
}

export interface TestClock {
  now(): number;
  set(ms: number): void;
  advance(ms: number): void;
}

export function createTestClock(start = NOON_CST): TestClock {
  let now = start;
  return { now: () => now, set: (ms: number) => void (now = ms), advance: (ms: number) => void (now += ms) };
}

export interface FixtureOptions {
  tokens?: TokenIssuer;
  /** Use a running platform's own household service (created with `clock`) instead of a private one. */
  platform?: { services: { households: HouseholdService; store: Store } };
  clock?: TestClock;
}

export async function createFixture(timings: Partial<HouseholdTimings> = {}, opts: FixtureOptions = {}): Promise<Fixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-household-'));
  const clock = opts.clock ?? createTestClock();
  const owned = !opts.platform;
  const store = opts.platform?.services.store ?? (await Store.open({ dialect: 'sqlite', file: path.join(dir, 'store.sqlite') }));
  if (owned) await store.migrate(householdMigrations);
  const repo = new HouseholdRepository(store);
  if (owned) await seedHouseholdDemo(repo, clock.now());
  const tokens = opts.tokens ?? new TokenIssuer('test-secret-0123456789abcdef', 3600);
  const log = createLogger('silent');
  const service = opts.platform?.services.households ?? (await HouseholdService.create({ repository: repo, tokens, cameraAddresses: defaultCameraRules, log, clock, timings }));
  const events: Fixture['events'] = [];
  for (const name of HOUSEHOLD_EVENT_NAMES) service.events.on(name, (payload: Fixture['events'][number]['payload']) => void events.push({ name, payload }));

  const person = (sub: string, role: Role, name = sub): Claims =>
    tokens.verify(tokens.issue({ sub, name, role, grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [] } }));
  const admin = person('admin-1', 'admin');
  const householdOf = async (deviceId: string): Promise<string> => {
    const rec = await repo.getDevice(deviceId);
    if (!rec) throw new Error(`no device ${deviceId}`);
    return rec.device.householdId;
  };
  const device = async (deviceId: string): Promise<Claims> => {
    const { token } = await service.bindDevice(admin, await householdOf(deviceId), { id: deviceId, name: '客厅终端', place: 'living-room' });
    return tokens.verify(token);
  };
  return {
    dir, store, repo, service, tokens, clock, admin, person, device, events,
    async close() {
      if (owned) {
        service.stop();
        await store.close();
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { SEED };
