// Synchronized playback of a recorded session: one shared clock, one player per recorded track.
//
// Each track is a run of short WebM/Matroska segments, each placed on the session's timeline by
// its manifest `offsetSeconds` (first-packet wall time minus session start). A TrackPlayer owns
// two media elements: the active one plays the segment covering the clock, the standby one
// preloads the next segment so the switch at a boundary is a swap, not a load. Every tick each
// player steers its element toward `clock - offset`: a hard seek when far off, a slight playback
// rate change when close, so all tracks stay within a frame or two of the clock. While a player
// that should be playing has no data yet, the clock holds (for a few seconds at most), so a slow
// segment fetch does not leave that track behind.
import { ApiError } from '../lib/api.ts';
import type { ArchiveClient, SegmentView, TrackView } from './client.ts';

/** The one clock every player follows. Seconds from the session start. */
export class SharedClock {
  #base = 0;
  #baseAt = performance.now();
  #playing = false;
  #held = false;
  #rate = 1;

  constructor(readonly duration: number) {}

  get playing(): boolean {
    return this.#playing;
  }
  get held(): boolean {
    return this.#held;
  }
  get rate(): number {
    return this.#rate;
  }
  get position(): number {
    if (!this.#playing || this.#held) return this.#base;
    return Math.min(this.duration, this.#base + ((performance.now() - this.#baseAt) / 1000) * this.#rate);
  }
  #rebase(): void {
    this.#base = this.position;
    this.#baseAt = performance.now();
  }
  play(): void {
    if (this.#playing) return;
    if (this.#base >= this.duration - 0.05) this.#base = 0;
    this.#baseAt = performance.now();
    this.#playing = true;
  }
  pause(): void {
    if (!this.#playing) return;
    this.#rebase();
    this.#playing = false;
  }
  seek(t: number): void {
    this.#base = Math.max(0, Math.min(this.duration, t));
    this.#baseAt = performance.now();
  }
  setRate(r: number): void {
    this.#rebase();
    this.#rate = r;
  }
  /** Freezes time while a player catches up (buffering). */
  hold(on: boolean): void {
    if (on === this.#held) return;
    this.#rebase();
    this.#held = on;
  }
}

export type Integrity = 'ok' | 'mismatch' | 'missing' | 'unchecked';

/**
 * Fetches segments once (with the bearer token) and hands out object URLs; keeps the most
 * recent. Every fetched segment is hashed in the browser and compared with the manifest's
 * SHA-256, so an archivist sees at once when what plays is not what was recorded.
 */
export class SegmentCache {
  readonly #urls = new Map<string, Promise<string>>();
  readonly #inUse: () => Set<string>;
  readonly integrity = new Map<string, Integrity>();
  onIntegrity: (segmentId: string, result: Integrity) => void = () => undefined;

  constructor(
    private readonly client: ArchiveClient,
    inUse: () => Set<string>,
    private readonly limit = 24,
  ) {
    this.#inUse = inUse;
  }

  async #check(seg: SegmentView, blob: Blob): Promise<void> {
    if (this.integrity.has(seg.id)) return;
    let result: Integrity = 'unchecked';
    if (globalThis.crypto?.subtle) {
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
      const hex = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
      result = hex === seg.sha256 ? 'ok' : 'mismatch';
    }
    this.integrity.set(seg.id, result);
    this.onIntegrity(seg.id, result);
  }

  get(seg: SegmentView): Promise<string> {
    let p = this.#urls.get(seg.id);
    if (p) {
      // Refresh recency.
      this.#urls.delete(seg.id);
      this.#urls.set(seg.id, p);
      return p;
    }
    p = this.client.blob(seg.url).then((b) => {
      this.#check(seg, b).catch(() => undefined);
      return URL.createObjectURL(b);
    });
    p.catch((err: unknown) => {
      this.#urls.delete(seg.id);
      if (err instanceof ApiError && err.code === 'gone') {
        this.integrity.set(seg.id, 'missing');
        this.onIntegrity(seg.id, 'missing');
      }
    });
    this.#urls.set(seg.id, p);
    this.#evict();
    return p;
  }

  #evict(): void {
    if (this.#urls.size <= this.limit) return;
    const busy = this.#inUse();
    for (const [id, p] of this.#urls) {
      if (this.#urls.size <= this.limit) break;
      void p.then((url) => {
        if (busy.has(url)) return;
        URL.revokeObjectURL(url);
      }, () => undefined);
      this.#urls.delete(id);
    }
  }

  dispose(): void {
    for (const p of this.#urls.values()) void p.then((u) => URL.revokeObjectURL(u), () => undefined);
    this.#urls.clear();
  }
}

export type PlayerState = 'idle' | 'gap' | 'loading' | 'ready' | 'error';

interface Slot {
  el: HTMLMediaElement;
  seg: SegmentView | undefined;
  ready: boolean;
  failed: boolean;
  /** Why the segment cannot play: the fetch's error message, or undefined for a decode error. */
  error?: string;
}

/** How far past a segment's end it still counts as covering (segment boundaries are not exact). */
const END_SLACK = 0.3;
/** Hard seek beyond this drift; steer by playback rate below it. */
const SEEK_DRIFT = 0.3;
const STEER_DRIFT = 0.04;
/** The clock waits at most this long for one player's data. */
const MAX_HOLD_MS = 3000;

export class TrackPlayer {
  readonly #slots: [Slot, Slot];
  #active = 0;
  #state: PlayerState = 'idle';
  #stalledSince: number | undefined;
  #onState: (s: PlayerState) => void;

  constructor(
    readonly track: TrackView,
    private readonly cache: SegmentCache,
    make: () => HTMLMediaElement,
    onState: (s: PlayerState) => void,
  ) {
    const slot = (): Slot => {
      const el = make();
      el.preload = 'auto';
      const s: Slot = { el, seg: undefined, ready: false, failed: false };
      el.addEventListener('loadedmetadata', () => (s.ready = true));
      el.addEventListener('error', () => {
        if (el.getAttribute('src')) s.failed = true;
      });
      return s;
    };
    this.#slots = [slot(), slot()];
    this.#slots[1].el.classList.add('standby');
    this.#onState = onState;
    this.track.segments.sort((a, b) => a.offsetSeconds - b.offsetSeconds);
  }

  get elements(): HTMLMediaElement[] {
    return this.#slots.map((s) => s.el);
  }
  get activeElement(): HTMLMediaElement {
    return this.#slots[this.#active]!.el;
  }
  get state(): PlayerState {
    return this.#state;
  }
  /** Where this player really is on the session timeline (segment offset + element time). */
  get timelinePosition(): number | undefined {
    const s = this.#slots[this.#active]!;
    return s.seg && s.ready ? s.seg.offsetSeconds + s.el.currentTime : undefined;
  }
  get activeSegment(): SegmentView | undefined {
    return this.#slots[this.#active]!.seg;
  }
  /** The error code of the active segment's fetch ('gone' when the file is missing), if any. */
  get activeError(): string | undefined {
    return this.#slots[this.#active]!.error;
  }
  /** Covered by a segment, supposed to play, but no data yet (and not for too long). */
  get stalled(): boolean {
    if (this.#stalledSince === undefined) return false;
    return performance.now() - this.#stalledSince < MAX_HOLD_MS;
  }

  set muted(m: boolean) {
    for (const s of this.#slots) s.el.muted = m;
  }

  segmentAt(t: number): SegmentView | undefined {
    let found: SegmentView | undefined;
    for (const seg of this.track.segments) {
      if (seg.offsetSeconds <= t + 0.02) found = seg;
      else break;
    }
    if (found && t < found.offsetSeconds + found.durationSeconds + END_SLACK) return found;
    return undefined;
  }

  #setState(s: PlayerState): void {
    if (s === this.#state) return;
    this.#state = s;
    this.#onState(s);
  }

  #load(slot: Slot, seg: SegmentView): void {
    if (slot.seg?.id === seg.id) return;
    slot.seg = seg;
    slot.ready = false;
    slot.failed = false;
    delete slot.error;
    slot.el.pause();
    slot.el.removeAttribute('src');
    this.cache.get(seg).then(
      (url) => {
        if (slot.seg?.id !== seg.id) return; // replaced meanwhile
        slot.el.src = url;
        slot.el.load();
      },
      (err: unknown) => {
        if (slot.seg?.id !== seg.id) return;
        slot.failed = true;
        slot.error = err instanceof ApiError ? err.code : 'fetch';
      },
    );
  }

  /** Called every tick with the shared clock's state. */
  sync(t: number, playing: boolean, rate: number): void {
    const seg = this.segmentAt(t);
    if (!seg) {
      for (const s of this.#slots) if (!s.el.paused) s.el.pause();
      this.#stalledSince = undefined;
      this.#setState('gap');
      // Get the next segment ready for when the clock reaches it.
      const next = this.track.segments.find((x) => x.offsetSeconds > t);
      if (next && next.offsetSeconds - t < 3) this.#load(this.#slots[this.#active]!, next);
      return;
    }
    let active = this.#slots[this.#active]!;
    let standby = this.#slots[1 - this.#active]!;
    if (active.seg?.id !== seg.id) {
      if (standby.seg?.id === seg.id) {
        // The preloaded next segment: swap.
        active.el.pause();
        this.#active = 1 - this.#active;
        active.el.classList.add('standby');
        standby.el.classList.remove('standby');
        [active, standby] = [standby, active];
      } else {
        this.#load(active, seg);
      }
    }
    if (active.failed) {
      this.#stalledSince = undefined;
      this.#setState('error');
      return;
    }
    if (!active.ready || active.el.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) {
      if (playing) this.#stalledSince ??= performance.now();
      this.#setState('loading');
      return;
    }
    this.#setState('ready');
    const el = active.el;
    const target = Math.max(0, t - seg.offsetSeconds);
    const drift = el.currentTime - target;
    // The manifest's duration and the file's can differ by a few frames; play() on an ended
    // element would restart it from zero, so an ended segment holds its last frame instead.
    const mediaEnd = Number.isFinite(el.duration) ? el.duration : seg.durationSeconds;
    const pastEnd = el.ended || target >= mediaEnd - 0.05;
    if (playing && !pastEnd) {
      if (Math.abs(drift) > SEEK_DRIFT) {
        if (!el.seeking) el.currentTime = target;
      } else if (Math.abs(drift) > STEER_DRIFT) {
        el.playbackRate = rate * (1 - Math.max(-0.1, Math.min(0.1, drift / 2)));
      } else if (el.playbackRate !== rate) {
        el.playbackRate = rate;
      }
      if (el.paused) el.play().catch(() => undefined);
      // Wait for data after a seek without letting the others run away.
      if (el.readyState < HTMLMediaElement.HAVE_FUTURE_DATA && !el.ended) this.#stalledSince ??= performance.now();
      else this.#stalledSince = undefined;
    } else {
      this.#stalledSince = undefined;
      if (!el.paused) el.pause();
      const want = Math.min(target, mediaEnd);
      if (Math.abs(el.currentTime - want) > STEER_DRIFT && !el.seeking) el.currentTime = want;
    }
    // Preload the following segment into the standby element near the end of this one.
    const idx = this.track.segments.indexOf(seg);
    const next = this.track.segments[idx + 1];
    if (next && t > seg.offsetSeconds + seg.durationSeconds - 3 && standby.seg?.id !== next.id) {
      this.#load(standby, next);
    }
  }

  pauseAll(): void {
    for (const s of this.#slots) s.el.pause();
  }
}

/** Drives every TrackPlayer from one SharedClock. */
export class SessionPlayer {
  readonly clock: SharedClock;
  readonly players: TrackPlayer[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #listeners = new Set<(t: number) => void>();

  constructor(duration: number) {
    this.clock = new SharedClock(duration);
  }

  add(p: TrackPlayer): void {
    this.players.push(p);
  }

  onTick(fn: (t: number) => void): void {
    this.#listeners.add(fn);
  }

  start(): void {
    this.#timer ??= setInterval(() => this.tick(), 80);
    this.tick();
  }

  tick(): void {
    const c = this.clock;
    if (c.playing && c.position >= c.duration - 0.01) c.pause();
    const t = c.position;
    for (const p of this.players) p.sync(t, c.playing, c.rate);
    c.hold(c.playing && this.players.some((p) => p.stalled));
    for (const fn of this.#listeners) fn(t);
  }

  play(): void {
    this.clock.play();
    this.tick();
  }
  pause(): void {
    this.clock.pause();
    this.tick();
  }
  seek(t: number): void {
    this.clock.seek(t);
    this.tick();
  }
  setRate(r: number): void {
    this.clock.setRate(r);
    this.tick();
  }

  dispose(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const p of this.players) p.pauseAll();
    this.#listeners.clear();
  }
}
