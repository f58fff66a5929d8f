// The pool of mediasoup workers: one per core by default, each with one WebRtcServer so every
// worker needs exactly one UDP and one TCP port. A worker that dies is replaced on the same
// slot (same port) and the pool emits `workerdied` so rooms on it can tell their peers.
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import type { Logger } from '../server/core/log.ts';
import { AppError } from '../server/core/errors.ts';
import { parentDeathPrefix } from '../server/core/parent-death.ts';
import { SafeEmitter } from '../server/core/safe-emitter.ts';

export interface WorkerPoolOptions {
  size: number;
  logLevel: types.WorkerLogLevel;
  listenIp: string;
  announcedIp?: string;
  /** Worker i listens on portBase + i (UDP and TCP). */
  portBase: number;
  rtcMinPort: number;
  rtcMaxPort: number;
}

export interface WorkerSlot {
  index: number;
  worker: types.Worker;
  webRtcServer: types.WebRtcServer;
  /** Routers currently hosted: the load measure used to place new rooms. */
  routers: number;
}

export interface WorkerPoolEvents {
  /** A worker died; `slot` already holds its replacement when this fires. */
  workerdied: [{ index: number; pid: number; error: Error }];
}

export class WorkerPool extends SafeEmitter<WorkerPoolEvents> {
  readonly #slots: WorkerSlot[] = [];
  #closed = false;

  private constructor(
    private readonly options: WorkerPoolOptions,
    private readonly log: Logger,
  ) {
    super();
  }

  static async create(options: WorkerPoolOptions, log: Logger): Promise<WorkerPool> {
    const pool = new WorkerPool(options, log);
    for (let i = 0; i < options.size; i++) pool.#slots.push(await pool.#startSlot(i));
    return pool;
  }

  get slots(): readonly WorkerSlot[] {
    return this.#slots;
  }

  /**
   * The live slot hosting the fewest routers; ties go to the lowest index. A slot whose worker
   * died and is not yet replaced hosts no routers, so it would look the least loaded: it is
   * skipped, and with every worker down the caller is told to retry.
   */
  leastLoaded(): WorkerSlot {
    if (this.#closed) throw new AppError('unavailable', 'media workers are shutting down');
    let best: WorkerSlot | undefined;
    for (const s of this.#slots) if (!s.worker.closed && (!best || s.routers < best.routers)) best = s;
    if (!best) throw new AppError('unavailable', 'no media worker available; try again shortly');
    return best;
  }

  async createRouter(mediaCodecs: types.RtpCodecCapability[]): Promise<{ router: types.Router; slot: WorkerSlot }> {
    const slot = this.leastLoaded();
    const router = await slot.worker.createRouter({ mediaCodecs });
    slot.routers++;
    router.observer.once('close', () => {
      // A replaced slot starts from zero; only a router of the live slot lowers its count.
      if (this.#slots[slot.index] === slot) slot.routers--;
    });
    return { router, slot };
  }

  allAlive(): boolean {
    return !this.#closed && this.#slots.length > 0 && this.#slots.every((s) => !s.worker.closed);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const s of this.#slots) s.worker.close();
  }

  async #startSlot(index: number): Promise<WorkerSlot> {
    const o = this.options;
    const worker = await withParentDeath(() =>
      mediasoup.createWorker({
        logLevel: o.logLevel,
        rtcMinPort: o.rtcMinPort,
        rtcMaxPort: o.rtcMaxPort,
        appData: { index },
      }),
    );
    const port = o.portBase + index;
    const listen = { ip: o.listenIp, announcedIp: o.announcedIp, port };
    const webRtcServer = await worker.createWebRtcServer({
      listenInfos: [
        { protocol: 'udp', ...listen },
        { protocol: 'tcp', ...listen },
      ],
    });
    const slot: WorkerSlot = { index, worker, webRtcServer, routers: 0 };
    worker.on('died', (error) => this.#onDied(slot, error));
    this.log.info({ index, pid: worker.pid, port }, 'mediasoup worker started');
    return slot;
  }

  #onDied(slot: WorkerSlot, error: Error): void {
    const pid = slot.worker.pid;
    this.log.error({ index: slot.index, pid, err: error }, 'mediasoup worker died; replacing it');
    if (this.#closed) return;
    this.#replace(slot.index, pid, error, 0);
  }

  #replace(index: number, pid: number, error: Error, attempt: number): void {
    this.#startSlot(index).then(
      (fresh) => {
        this.#slots[index] = fresh;
        this.emit('workerdied', { index, pid, error });
      },
      (err: unknown) => {
        // The dead worker's port can take a moment to free; retry with back-off, never give up.
        const delay = Math.min(5000, 200 * 2 ** attempt);
        this.log.error({ index, err, retryInMs: delay }, 'could not start replacement worker');
        setTimeout(() => this.#replace(index, pid, error, attempt + 1), delay).unref();
      },
    );
  }
}

const LAUNCHER_ENV = ['MEDIASOUP_USE_VALGRIND', 'MEDIASOUP_VALGRIND_BIN', 'MEDIASOUP_VALGRIND_OPTIONS'] as const;

/**
 * Starts a worker that dies with this node (server/core/parent-death.ts). A worker already ends
 * when its channel closes, but a SIGKILLed node must not depend on a worker noticing that.
 * mediasoup's one launcher hook is its valgrind prefix, read from the environment while the
 * Worker is constructed — synchronously inside createWorker(): it spawns MEDIASOUP_VALGRIND_BIN
 * with MEDIASOUP_VALGRIND_OPTIONS, then the worker binary and its arguments. With setpriv there,
 * setpriv sets the parent-death signal and execs the worker: same pid, same channel fds 3–6.
 * The environment is restored at once, so no other child inherits it; someone really running
 * the worker under valgrind (MEDIASOUP_USE_VALGRIND=true) keeps that.
 */
function withParentDeath<T>(start: () => Promise<T>): Promise<T> {
  const prefix = parentDeathPrefix('KILL');
  if (!prefix || process.env.MEDIASOUP_USE_VALGRIND === 'true') return start();
  const saved = LAUNCHER_ENV.map((k) => process.env[k]);
  const [bin, ...options] = prefix;
  Object.assign(process.env, { MEDIASOUP_USE_VALGRIND: 'true', MEDIASOUP_VALGRIND_BIN: bin, MEDIASOUP_VALGRIND_OPTIONS: options.join(' ') });
  try {
    return start();
  } finally {
    LAUNCHER_ENV.forEach((k, i) => {
      if (saved[i] === undefined) delete process.env[k];
      else process.env[k] = saved[i];
    });
  }
}
