// Shared set-up for the petition tests: a seeded SQLite file, a Redis connection on the test
// redis-server with a key prefix of its own, and actors as the server would derive them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { testRedis } from '../support/redis-client.ts';
import { CompiledQuery } from 'kysely';
import type { StoreLocation } from '../../server/core/db.ts';
import { TokenIssuer } from '../../server/auth/grants.ts';
import { idNumberCheckChar } from '../../server/petition/id-number.ts';
import { PetitionService, type PetitionServiceOptions } from '../../server/petition/service.ts';
import { openPetitionStore, type PetitionStore } from '../../server/petition/store.ts';
import type { Actor, Official } from '../../server/petition/types.ts';
import { RoutingRuleBook } from '../../server/scheduler/routing-rules.ts';
import { DbRoutingRules } from '../../server/petition/routing-rules-store.ts';
import { buildDirectory } from '../../server/petition/seed.ts';
import type { StartPetitionInput } from '../../server/protocol/http/petition.ts';

export const SECRET = 'petition-test-secret-0123456789';
export const RULES_FILE = path.resolve('config/routing-rules.json');

export function uniquePrefix(name: string): string {
  return `test:${name}:${randomBytes(4).toString('hex')}`;
}

export function tempDbFile(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sv-petition-${name}-`));
  return path.join(dir, 'app.db');
}

export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set (test/support/global-setup.ts starts redis-server)');
  return url;
}

export interface Harness {
  store: PetitionStore;
  redis: Redis;
  tokens: TokenIssuer;
  service: PetitionService;
  prefix: string;
  file: string;
  close(): Promise<void>;
}

export async function openHarness(
  opts: { name: string; file?: string; location?: StoreLocation; prefix?: string; url?: string; seed?: boolean } & Partial<PetitionServiceOptions> & { sweepIntervalMs?: number },
): Promise<Harness> {
  const file = opts.file ?? tempDbFile(opts.name);
  const prefix = opts.prefix ?? uniquePrefix(opts.name);
  const store = await openPetitionStore(opts.location ?? file, { seed: opts.seed ?? true });
  const redis = testRedis(opts.url ?? redisUrl());
  const tokens = new TokenIssuer(SECRET, 3600);
  const service = await PetitionService.create({
    repo: store.repo,
    redis,
    tokens,
    rules: await RoutingRuleBook.open(new DbRoutingRules(store.store)),
    prefix,
    sweepIntervalMs: opts.sweepIntervalMs ?? 0,
    ...opts,
  });
  return {
    store,
    redis,
    tokens,
    service,
    prefix,
    file,
    async close() {
      service.close();
      await redis.quit();
      await store.close();
      // A file the harness made itself goes with it; a file the test passed in is the test's.
      if (!opts.file) fs.rmSync(path.dirname(file), { recursive: true, force: true });
    },
  };
}

/** Raw SQL against the harness's store (SQLite: `?` placeholders), for what a test inspects directly. */
export async function rows<T>(h: Harness, text: string, params: unknown[] = []): Promise<T[]> {
  return (await h.store.store.db().executeQuery<T>(CompiledQuery.raw(text, params))).rows;
}

export const terminalActor = (terminalId: string): Actor => ({ id: `device-${terminalId}`, name: '终端', role: 'terminal', terminalId });
export const officialActor = (o: Official | string): Actor =>
  typeof o === 'string' ? { id: o, name: o, role: 'official' } : { id: o.id, name: o.name, role: 'official' };
export const coordinatorActor: Actor = { id: 'coord-1', name: '综治中心', role: 'coordinator' };

/** A syntactically valid resident ID number (correct check character). */
export function idNumber(region = '341321', birth = '19560312', serial = '123'): string {
  const first17 = `${region}${birth}${serial}`;
  return `${first17}${idNumberCheckChar(first17)}`;
}

// Seed facts the tests rely on (see server/petition/seed.ts).
export const VILLAGE_TERMINAL = 'T341321101201'; // 砀山县砀城镇, first village
export const VILLAGE_TERMINAL_2 = 'T341321102201';
/**
 * The i-th village terminal of 砀山县 (0 is VILLAGE_TERMINAL): a terminal holds one open petition
 * at a time, so a test that needs several waiting cases starts them at several terminals.
 */
export const dangshanTerminal = (i: number): string => DANGSHAN_VILLAGES[i] ?? `no-terminal-${i}`;
const DANGSHAN_VILLAGES = buildDirectory()
  .terminals.filter((t) => t.level === 'village' && t.regionCode.startsWith('341321'))
  .map((t) => t.id);
/** Starts a petition at the i-th 砀山 village terminal, as that terminal. */
export const startAt = (h: Harness, i: number, input: Omit<StartPetitionInput, 'terminalId'>) =>
  h.service.startPetition(terminalActor(dangshanTerminal(i)), { terminalId: dangshanTerminal(i), ...input });
export const DANGSHAN_RS = '341321-rs'; // 砀山县人社局
export const DANGSHAN_ZJ = '341321-zj'; // 砀山县住建局
export const DANGSHAN_ZRZY = '341321-zrzy';
export const CITY_RS = '341300-rs';
export const XIAO_RS = '341322-rs'; // 萧县人社局
