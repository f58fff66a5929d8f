// The no-activity watch for homes with IP cameras (issue 14.3): the server looks at each watched
// camera at a low rate (one small grey picture every few seconds, decoded by ffmpeg and never
// stored or forwarded), compares it with the one before, and hands the household service one
// activity level per minute — the same numbers a home device measures in its own page. Cameras
// of households in privacy mode, or whose watch is off, are not looked at.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '../core/log.ts';
import { resolveFfmpegBin } from '../core/ffmpeg-binaries.ts';
import type { HouseholdService } from '../household/index.ts';
import { inputArgs, redact } from '../../sfu/ingest/probe.ts';

const W = 64;
const H = 36;
/** A pixel changed when its grey level moved by more than this (out of 255); codec noise stays below. */
const PIXEL_DELTA = 24;

/** The share (0..1) of grey pixels that changed by more than PIXEL_DELTA between two pictures. */
export function changedShare(a: Uint8Array, b: Uint8Array): number {
  let changed = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (Math.abs(a[i]! - b[i]!) > PIXEL_DELTA) changed++;
  return n ? changed / n : 0;
}

export interface CameraActivityOptions {
  households: HouseholdService;
  log: Logger;
  /** Seconds between two pictures of one camera. Default 5. */
  sampleSeconds?: number;
  /** How often the watched cameras are re-read and finished minutes reported. Default 60 s. */
  refreshMs?: number;
  ffmpegBin?: string;
  /** The server's clock (tests); minutes are placed on it. */
  now?: () => number;
  /** With several nodes, only the node holding the household lease looks at cameras. */
  leader?: () => boolean | Promise<boolean>;
}

/** One camera looked at by one ffmpeg; restarted with back-off when the stream ends. */
class CameraMotion {
  #child: ChildProcess | undefined;
  #previous: Uint8Array | undefined;
  #pending = Buffer.alloc(0);
  #restartTimer: NodeJS.Timeout | undefined;
  #restarts = 0;
  #stopped = false;
  readonly minutes = new Map<number, { level: number; samples: number }>();

  constructor(
    readonly cameraId: string,
    readonly url: string,
    private readonly o: Required<Pick<CameraActivityOptions, 'sampleSeconds' | 'now' | 'log'>> & { bin: string },
  ) {
    this.#spawn();
  }

  #spawn(): void {
    const args = [
      '-hide_banner', '-loglevel', 'error', '-nostdin', ...inputArgs(this.url), '-i', this.url,
      '-an', '-vf', `fps=1/${this.o.sampleSeconds},scale=${W}:${H},format=gray`, '-f', 'rawvideo', 'pipe:1',
    ];
    const child = spawn(this.o.bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    let lastError = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (s: string) => (lastError = redact(s.trim()).slice(-300)));
    child.stdout?.on('data', (chunk: Buffer) => this.#onData(chunk));
    child.on('error', (err) => (lastError = err.message));
    child.on('exit', (code, signal) => {
      if (this.#stopped) return;
      const delay = Math.min(60_000, 2000 * 2 ** Math.min(this.#restarts++, 5));
      this.o.log.warn({ cameraId: this.cameraId, code, signal, lastError, delay }, 'camera activity | ffmpeg ended, restarting');
      this.#previous = undefined;
      this.#restartTimer = setTimeout(() => this.#spawn(), delay);
      this.#restartTimer.unref();
    });
  }

  #onData(chunk: Buffer): void {
    this.#pending = Buffer.concat([this.#pending, chunk]);
    while (this.#pending.length >= W * H) {
      const frame = new Uint8Array(this.#pending.subarray(0, W * H));
      this.#pending = this.#pending.subarray(W * H);
      this.#restarts = 0;
      if (this.#previous) {
        const now = this.o.now();
        const minute = now - (now % 60_000);
        const e = this.minutes.get(minute) ?? { level: 0, samples: 0 };
        this.minutes.set(minute, { level: Math.max(e.level, changedShare(this.#previous, frame)), samples: e.samples + 1 });
      }
      this.#previous = frame;
    }
  }

  /** The measured minutes so far (the current one included: the store keeps the highest level), then forgets them. */
  take(): { minuteMs: number; level: number; samples: number }[] {
    const out = [...this.minutes].map(([minuteMs, m]) => ({ minuteMs, level: Math.round(m.level * 10_000) / 10_000, samples: m.samples }));
    this.minutes.clear();
    return out;
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#restartTimer);
    this.#child?.kill('SIGKILL');
  }
}

/**
 * Keeps one low-rate analyser per watched camera and reports what they measured every
 * `refreshMs`; `refresh` does it now (tests), `stop` ends every analyser (shutdown).
 */
export function watchCameraActivity(o: CameraActivityOptions): { refresh(): Promise<void>; stop(): void } {
  const opts = { sampleSeconds: o.sampleSeconds ?? 5, now: o.now ?? Date.now, log: o.log, bin: o.ffmpegBin ?? resolveFfmpegBin() };
  const running = new Map<string, CameraMotion>();
  let busy = false;

  const flush = async (): Promise<void> => {
    for (const m of running.values()) {
      const minutes = m.take();
      if (minutes.length) await o.households.reportCameraActivity(m.cameraId, minutes).catch((err: unknown) => o.log.warn({ err, cameraId: m.cameraId }, 'camera activity | report failed'));
    }
  };
  const refresh = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      await flush();
      const lead = o.leader ? await o.leader() : true;
      const wanted = new Map(lead ? (await o.households.watchedCameras()).map((c) => [c.cameraId, c]) : []);
      for (const [id, m] of running) {
        if (wanted.get(id)?.url === m.url) continue;
        m.stop();
        running.delete(id);
      }
      for (const [id, c] of wanted) if (!running.has(id)) running.set(id, new CameraMotion(id, c.url, opts));
    } catch (err) {
      o.log.error({ err }, 'camera activity | refresh failed');
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void refresh(), o.refreshMs ?? 60_000);
  timer.unref();
  void refresh();
  return {
    refresh,
    stop() {
      clearInterval(timer);
      for (const m of running.values()) m.stop();
      running.clear();
    },
  };
}
