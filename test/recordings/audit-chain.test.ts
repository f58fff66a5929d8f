// The audit log's writer: appends resolve once durable, stay chained in call order, leave the
// event loop free while they are written, and share one chain with another process appending to
// the same file (the retention sweep CLI while the server runs).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, verifyAuditChain, type AuditActor } from '../../server/core/audit-chain.ts';

const archivist: AuditActor = { kind: 'user', sub: 'u-1', name: '档案员甲', role: 'archivist' };

describe('the audit log writer', () => {
  let tmp: string;
  let file: string;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-'));
    file = path.join(tmp, 'audit.jsonl');
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('resolves an append only once its entry is in the file', async () => {
    const log = new AuditLog(file);
    const seen = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        log.append({ type: 'view', sessionId: 's', actor: archivist, details: { i } }).then((entry) => fs.readFileSync(file, 'utf8').includes(entry.hash)),
      ),
    );
    expect(seen).toEqual(Array(20).fill(true));
  });

  it('chains 1,000 appends made at once in call order, and the event loop keeps turning while they are written', async () => {
    const log = new AuditLog(file);
    let turns = 0;
    let ticking = true;
    const tick = () => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const entries = await Promise.all(Array.from({ length: 1000 }, (_, i) => log.append({ type: 'view', sessionId: `s-${i % 7}`, actor: archivist, details: { i } })));
    ticking = false;
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i));
    expect(entries.map((e) => e.details.i)).toEqual(entries.map((_, i) => i));
    expect(log.entries()).toEqual(entries);
    expect(verifyAuditChain(log.rawLines(), { fromGenesis: true })).toEqual([]);
    // A synchronous append would have finished all 1,000 before the ticker ran once.
    expect(turns).toBeGreaterThan(0);
  });

  it('chains appends from separate AuditLog instances on the same file', async () => {
    const a = new AuditLog(file);
    const b = new AuditLog(file);
    await Promise.all([a.append({ type: 'view', actor: archivist }), b.append({ type: 'view', actor: archivist }), a.append({ type: 'view', actor: archivist })]);
    await b.append({ type: 'search', actor: archivist });
    expect(a.entries().map((e) => [e.seq, e.type])).toEqual([[0, 'view'], [1, 'view'], [2, 'view'], [3, 'search']]);
    expect(verifyAuditChain(a.rawLines(), { fromGenesis: true })).toEqual([]);
  });

  it('extends one chain when another process appends to the same file, in turns and at the same time', async () => {
    // The other process: on `turn`, 10 appends at once, then `ok`; on `free`, 30 rounds of 10 as
    // fast as it can, then `done`.
    const script = path.join(tmp, 'append.mts');
    fs.writeFileSync(
      script,
      `import readline from 'node:readline';
import { AuditLog } from ${JSON.stringify(path.resolve('server/core/audit-chain.ts'))};
const log = new AuditLog(process.argv[2]!);
const ten = (round: number) => Promise.all(Array.from({ length: 10 }, (_, i) => log.append({ type: 'deletion', actor: { kind: 'system', sub: 'sweep' }, details: { round, i } })));
for await (const line of readline.createInterface({ input: process.stdin })) {
  if (line === 'turn') { await ten(-1); console.log('ok'); }
  if (line === 'free') { for (let round = 0; round < 30; round++) await ten(round); console.log('done'); process.exit(0); }
}
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script, file], { stdio: ['pipe', 'pipe', 'inherit'] });
    const replies = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const died = exited.then((code) => Promise.reject(new Error(`appending process exited early (${code})`)));
    const ask = async (what: string) => {
      child.stdin.write(`${what}\n`);
      return (await Promise.race([replies.next(), died])).value as string;
    };
    const log = new AuditLog(file);
    const ten = (round: number) => Promise.all(Array.from({ length: 10 }, (_, i) => log.append({ type: 'view', actor: archivist, details: { round, i } })));

    // In turns: each of this process's batches follows one of the other's, so its head in memory
    // is stale every time.
    for (let turn = 0; turn < 5; turn++) {
      await ten(-1);
      expect(await ask('turn')).toBe('ok');
    }
    // At the same time: the lock file orders the batches.
    const other = ask('free');
    for (let round = 0; round < 30; round++) await ten(round);
    expect(await other).toBe('done');
    expect(await exited).toBe(0);

    await log.append({ type: 'search', actor: archivist });
    const entries = log.entries();
    expect(entries).toHaveLength(701);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i));
    expect(entries.filter((e) => e.actor.sub === 'sweep')).toHaveLength(350);
    expect(entries.slice(0, 100).map((e) => e.actor.sub)).toEqual(Array.from({ length: 100 }, (_, i) => (Math.floor(i / 10) % 2 === 0 ? 'u-1' : 'sweep')));
    expect(verifyAuditChain(log.rawLines(), { fromGenesis: true })).toEqual([]);
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });
});
