// A server process for the concurrency tests: its own PetitionService on the shared SQLite file
// and Redis, with many officials claiming at once. Prints one JSON line per fact (stdout to a
// pipe is synchronous on Linux, so lines written before a SIGKILL are not lost).
//   npx tsx test/petition/claim-worker.ts '<json config>'   then "go\n" on stdin.
import { testRedis } from '../support/redis-client.ts';
import { TokenIssuer } from '../../server/auth/grants.ts';
import { AppError } from '../../server/core/errors.ts';
import { PetitionService } from '../../server/petition/service.ts';
import { openPetitionStore } from '../../server/petition/store.ts';
import type { Actor } from '../../server/petition/types.ts';
import { RoutingRuleBook } from '../../server/scheduler/routing-rules.ts';
import { DbRoutingRules } from '../../server/petition/routing-rules-store.ts';

interface WorkerConfig {
  name: string;
  file: string;
  prefix: string;
  redisUrl: string;
  officials: string[];
  departments: string[];
  /** Time between the offer (lease) and its acceptance: a process killed meanwhile holds leases. */
  holdMs: number;
  leaseMs: number;
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
const say = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ worker: cfg.name, ...o })}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const store = await openPetitionStore(cfg.file);
const redis = testRedis(cfg.redisUrl);
const service = await PetitionService.create({
  repo: store.repo,
  redis,
  tokens: new TokenIssuer('petition-test-secret-0123456789', 3600),
  rules: await RoutingRuleBook.open(new DbRoutingRules(store.store)),
  prefix: cfg.prefix,
  leaseMs: cfg.leaseMs,
  sweepIntervalMs: Math.max(100, Math.floor(cfg.leaseMs / 3)),
});

async function drained(): Promise<boolean> {
  const lengths = await Promise.all(cfg.departments.map((d) => service.queue.length(d)));
  const leases = await redis.zcard(service.queue.keys.leases);
  return lengths.every((n) => n === 0) && leases === 0;
}

async function officialLoop(officialId: string): Promise<void> {
  const actor: Actor = { id: officialId, name: officialId, role: 'official' };
  let idle = 0;
  for (;;) {
    const offer = await service.offerNext(actor);
    if (!offer) {
      if (await drained()) {
        if (++idle >= 3) return;
      } else idle = 0;
      await sleep(50);
      continue;
    }
    idle = 0;
    await sleep(cfg.holdMs);
    try {
      const a = await service.acceptOffer(actor, offer);
      say({ assigned: a.ticketId, caseId: a.case.id, officialId });
      await service.endSession(actor, a.case.id);
    } catch (err) {
      if (err instanceof AppError && err.code === 'conflict') say({ lost: offer.ticketId, officialId });
      else throw err;
    }
  }
}

say({ ready: true, pid: process.pid });
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
process.stdin.destroy();
await Promise.all(cfg.officials.map((o) => officialLoop(o)));
say({ done: true });
service.close();
await redis.quit();
await store.close();
process.exit(0);
