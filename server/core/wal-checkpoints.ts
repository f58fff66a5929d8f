// WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the COMMIT that
// takes the WAL past 1,000 pages, on the thread that committed — here the event loop, which then
// copies pages into the database file and fsyncs it while claims and starts wait (≈5 µs of every
// commit on average, milliseconds at the one that checkpoints). A worker thread with a connection
// of its own checkpoints instead, PASSIVE (it never waits for, or blocks, the writer); should the
// worker fail, the main connection checkpoints automatically again, as before.
// (The whole connection on a thread was measured slower: docs/store.md.)
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Sqlite from 'better-sqlite3';
import type { Logger } from './log.ts';
import { SafeEmitter } from './safe-emitter.ts';

/** SQLite's own default: the main connection goes back to it when the worker fails. */
const AUTO_CHECKPOINT_PAGES = 1000;

// CommonJS, evaluated in the worker: tsx, vitest and plain node all run it as it is.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Sqlite = require(workerData.driver);
const db = new Sqlite(workerData.file);
db.pragma('busy_timeout = 1000');
let failures = 0;
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    failures = 0;
  } catch (err) {
    // A lock held elsewhere passes; one that never does ends the worker, and the main connection takes over.
    if (++failures >= 10) throw err;
  }
}, workerData.everyMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
parentPort.postMessage('ready');
`;

/** How often the worker checkpoints: the WAL holds about this long of writes at most. */
const EVERY_MS = 500;

export interface WalCheckpointsOptions {
  log?: Logger;
  /** The SQLite driver the worker loads (a test points it at one that fails). */
  driver?: string;
}

export class WalCheckpoints extends SafeEmitter<{ fallback: [Error] }> {
  readonly #db: Sqlite.Database;
  readonly #worker: Worker;
  readonly #log: Logger | undefined;
  #stopped = false;

  private constructor(db: Sqlite.Database, worker: Worker, log: Logger | undefined) {
    super();
    this.#db = db;
    this.#worker = worker;
    this.#log = log;
    worker.on('error', (err) => this.#fallBack(err));
    worker.on('exit', (code) => this.#fallBack(new Error(`checkpoint worker exited (${code})`)));
  }

  /**
   * Takes over the checkpoints of `db` (a WAL-mode file) once the worker has opened the file;
   * if it cannot, `db` keeps checkpointing itself and the failure is logged.
   */
  static async start(db: Sqlite.Database, file: string, opts: WalCheckpointsOptions = {}): Promise<WalCheckpoints> {
    const driver = opts.driver ?? createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, everyMs: EVERY_MS } });
    const checkpoints = new WalCheckpoints(db, worker, opts.log);
    await new Promise<void>((resolve) => {
      worker.once('message', () => resolve());
      checkpoints.once('fallback', () => resolve());
    });
    if (checkpoints.running) db.pragma('wal_autocheckpoint = 0');
    // A timer in another thread does not keep the process alive.
    worker.unref();
    return checkpoints;
  }

  /** Whether the worker is checkpointing (false once stopped or failed). */
  get running(): boolean {
    return !this.#stopped;
  }

  /** Ends the worker and closes its connection; call before closing `db`, whose close then checkpoints last. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const exited = new Promise((resolve) => this.#worker.once('exit', resolve));
    // Unreferenced, its exit would not keep the process alive for the wait.
    this.#worker.ref();
    this.#worker.postMessage('stop');
    await exited;
  }

  #fallBack(err: Error): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#db.open) this.#db.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
    this.#log?.warn({ err }, 'store | WAL checkpoint worker failed: the event loop checkpoints again');
    this.emit('fallback', err);
  }
}
