// The recordings' two disks — the archive store (RECORDINGS_DIR, shared in a cluster) and this
// node's spool — watched for free space and for failed writes. Either raises an alarm that
// `/healthz` (degraded), the metrics and the coordinator's banner show; while one is raised no
// new recording starts (the running ones go on, and finish in the room that is left), so a full
// disk never takes the node down or damages what is already archived.
import fs from 'node:fs';
import type { Logger } from '../server/core/log.ts';
import { SafeEmitter } from '../server/core/safe-emitter.ts';
import type { StorageAlarm, StorageArea } from '../server/protocol/http/archive-shapes.ts';

export type { StorageAlarm, StorageArea } from '../server/protocol/http/archive-shapes.ts';

export interface StorageWatchEvents {
  /** The set of raised alarms changed (raised or cleared). */
  change: [alarms: StorageAlarm[]];
}

export interface StorageWatchOptions {
  dirs: Record<StorageArea, string>;
  /** Below this many free bytes on either disk: alarm, and no new recordings. */
  minFreeBytes: number;
  log?: Logger;
}

const CHECK_EVERY_MS = 5_000;

export class StorageWatch extends SafeEmitter<StorageWatchEvents> {
  readonly #o: StorageWatchOptions;
  readonly #alarms = new Map<string, StorageAlarm>();
  readonly #free: Partial<Record<StorageArea, number>> = {};
  #timer: NodeJS.Timeout | undefined;

  constructor(o: StorageWatchOptions) {
    super();
    this.#o = o;
  }

  get minFreeBytes(): number {
    return this.#o.minFreeBytes;
  }

  /** Raised alarms, oldest first. */
  get alarms(): StorageAlarm[] {
    return [...this.#alarms.values()];
  }

  /** Free bytes per disk at the last check. */
  get free(): Partial<Record<StorageArea, number>> {
    return { ...this.#free };
  }

  /** New recordings start only with no alarm raised. */
  get acceptsRecordings(): boolean {
    return this.#alarms.size === 0;
  }

  /** Checks now, then every 5 s until `stop()`. */
  async start(): Promise<void> {
    await this.check();
    this.#timer ??= setInterval(() => void this.check(), CHECK_EVERY_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Free space of both disks; an alarm below the floor, cleared above it. */
  async check(): Promise<void> {
    for (const [area, dir] of Object.entries(this.#o.dirs) as [StorageArea, string][]) {
      let free: number;
      try {
        const s = await fs.promises.statfs(dir);
        free = s.bavail * s.bsize;
      } catch (err) {
        this.#raise({ kind: 'disk-unreadable', area, detail: `${dir}: ${(err as Error).message}` });
        continue;
      }
      this.#free[area] = free;
      this.#clear('disk-unreadable', area);
      if (free < this.#o.minFreeBytes) {
        this.#raise({ kind: 'disk-low', area, detail: `${dir}: ${mib(free)} MiB free, below the ${mib(this.#o.minFreeBytes)} MiB floor`, freeBytes: free });
      } else {
        this.#clear('disk-low', area);
      }
    }
  }

  /** A write there failed (ENOSPC, EIO, read-only…): alarm until a write there succeeds again. */
  writeFailed(area: StorageArea, err: unknown): void {
    const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'error';
    this.#raise({ kind: 'write-failed', area, detail: `${code}: ${(err as Error | undefined)?.message ?? String(err)}`.slice(0, 300) });
    // Check space at once: a full disk is then also named as such.
    void this.check();
  }

  writeSucceeded(area: StorageArea): void {
    this.#clear('write-failed', area);
  }

  #raise(a: Omit<StorageAlarm, 'since'>): void {
    const key = `${a.kind}:${a.area}`;
    const before = this.#alarms.get(key);
    this.#alarms.set(key, { ...a, since: before?.since ?? new Date().toISOString() });
    // Listeners hear of an alarm once, when raised; its detail (free space) follows silently.
    if (before) return;
    this.#o.log?.error({ alarm: a }, 'recordings storage | alarm raised: new recordings will not start');
    this.emit('change', this.alarms);
  }

  #clear(kind: StorageAlarm['kind'], area: StorageArea): void {
    const key = `${kind}:${area}`;
    if (!this.#alarms.delete(key)) return;
    this.#o.log?.info({ kind, area }, 'recordings storage | alarm cleared');
    this.emit('change', this.alarms);
  }
}

function mib(bytes: number): number {
  return Math.round(bytes / 1048576);
}
