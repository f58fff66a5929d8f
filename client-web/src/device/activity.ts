// The no-activity watch on the device (issue 14.3): the page looks at its own camera a couple of
// times a second, compares each small grey picture with the one before, and keeps per minute
// only the largest share of the picture that changed. Those numbers are all that leave the home;
// no picture is sent, and no media producer exists for it.

/** One minute's measurement, as the server's activity report wants it. */
export interface ActivityMinute {
  ageSeconds: number;
  level: number;
  samples: number;
}

const W = 64;
const H = 36;
/** A pixel "changed" when its grey level moved by more than this (out of 255): sensor noise stays below. */
const PIXEL_DELTA = 24;

/** The share (0..1) of pixels whose grey level differs by more than PIXEL_DELTA. */
export function changedShare(a: Uint8ClampedArray, b: Uint8ClampedArray): number {
  let changed = 0;
  const n = Math.min(a.length, b.length) / 4;
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    const ga = (a[o]! * 77 + a[o + 1]! * 150 + a[o + 2]! * 29) >> 8;
    const gb = (b[o]! * 77 + b[o + 1]! * 150 + b[o + 2]! * 29) >> 8;
    if (Math.abs(ga - gb) > PIXEL_DELTA) changed++;
  }
  return n ? changed / n : 0;
}

export class ActivityMeter {
  #stream: MediaStream | undefined;
  #video: HTMLVideoElement | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #previous: Uint8ClampedArray | undefined;
  readonly #canvas = document.createElement('canvas');
  /** Per minute (epoch ms of its start, on this device's clock): the highest level and the samples. */
  readonly #minutes = new Map<number, { level: number; samples: number }>();

  constructor(private readonly sampleMs = 500) {
    this.#canvas.width = W;
    this.#canvas.height = H;
  }

  get running(): boolean {
    return this.#stream !== undefined;
  }

  async start(): Promise<void> {
    if (this.#stream) return;
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 320 }, height: { ideal: 180 }, frameRate: { ideal: 5 } } });
    this.#stream = stream;
    const video = (this.#video = document.createElement('video'));
    video.muted = true;
    video.playsInline = true;
    video.srcObject = stream;
    await video.play().catch(() => undefined);
    const g = this.#canvas.getContext('2d', { willReadFrequently: true })!;
    this.#timer = setInterval(() => {
      if (video.readyState < 2) return;
      g.drawImage(video, 0, 0, W, H);
      const now = g.getImageData(0, 0, W, H).data;
      if (this.#previous) this.#note(changedShare(this.#previous, now));
      this.#previous = now;
    }, this.sampleMs);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    for (const t of this.#stream?.getTracks() ?? []) t.stop();
    this.#stream = undefined;
    if (this.#video) this.#video.srcObject = null;
    this.#video = undefined;
    this.#previous = undefined;
  }

  /** The minutes measured since the last take (the current one so far included), then forgets them. */
  take(nowMs = Date.now()): ActivityMinute[] {
    const out = [...this.#minutes].map(([start, m]) => ({ ageSeconds: Math.max(0, Math.round((nowMs - start) / 1000)), level: Math.round(m.level * 10_000) / 10_000, samples: m.samples }));
    this.#minutes.clear();
    // The server accepts at most two hours; older minutes (a long outage) are dropped.
    return out.filter((m) => m.ageSeconds <= 7200).slice(-120);
  }

  /** Minutes a failed report could not deliver: kept for the next one. */
  putBack(minutes: readonly ActivityMinute[], nowMs = Date.now()): void {
    for (const m of minutes) {
      const start = nowMs - m.ageSeconds * 1000;
      const key = start - (start % 60_000);
      const e = this.#minutes.get(key) ?? { level: 0, samples: 0 };
      this.#minutes.set(key, { level: Math.max(e.level, m.level), samples: e.samples + m.samples });
    }
  }

  #note(level: number): void {
    const now = Date.now();
    const key = now - (now % 60_000);
    const e = this.#minutes.get(key) ?? { level: 0, samples: 0 };
    this.#minutes.set(key, { level: Math.max(e.level, level), samples: e.samples + 1 });
  }
}
