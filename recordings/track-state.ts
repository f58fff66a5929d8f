// What a track recorder is doing, as one explicit state and a transition table — and the lane's
// gap ledger derived from it: the open gap is part of the state, so a gap opens or closes exactly
// when a transition changes it, never because some flag was set somewhere.
//
// The track's RTP is captured from its consumer's first packet by the intake (rtp-intake.ts),
// which holds what no ffmpeg takes yet. A run is one ffmpeg fed from it; the phase says what the
// recorder does about ffmpeg:
//
//   new ──start──▶ starting ──first-packet──▶ recording
//                   ▲  │                        │
//          restart  │  │ ffmpeg-exited /        │ idle-timeout (paused or silent
//                   │  │ start-failed           │ for a segment length)
//              restarting ◀── ffmpeg-exited ────┤
//                                               ▼
//        starting ◀── run-ended ─────────── ending-idle
//         (media back)      │ (still none)
//                           ▼
//                          idle ──resume / packets──▶ starting
//
//   every live phase ──stop──▶ stopping ──stopped──▶ stopped
//
// Beside the phase: `paused` (the producer is paused, by mediasoup or by the room) and `silent`
// (no packet for noPacketSeconds), and `gap`, the reason media of this track is missing from the
// recording right now. Starting a run opens no gap: media that comes meanwhile is held and
// written once ffmpeg is up. A gap opens only where media is missing — the producer sends none
// (paused, silent), or it was lost (an ffmpeg died with media it had not written, or held media
// had to be dropped) — and closes when recorded media begins again. A run exists in starting,
// recording and ending-idle; see track-recorder.ts for what each phase does on entry.
//
// Cells are a target phase, a function of the state choosing one (or 'ignore'), 'ignore' (a late
// report that no longer matters: a silence check made before a stop), or absent: forbidden, a
// bug — `transition()` throws, the recorder logs it and keeps its state.
import type { Gap } from './manifest.ts';

export type GapReason = Gap['reason'];

export const TRACK_PHASES = ['new', 'starting', 'recording', 'ending-idle', 'idle', 'restarting', 'stopping', 'stopped'] as const;
export type TrackPhase = (typeof TRACK_PHASES)[number];

export interface OpenGap {
  readonly reason: GapReason;
  readonly since: Date;
  readonly detail?: string;
}

export interface TrackState {
  readonly phase: TrackPhase;
  readonly paused: boolean;
  readonly silent: boolean;
  /** The lane's open gap as far as this track is concerned; a new object is a new gap. */
  readonly gap: OpenGap | undefined;
}

export type TrackEvent =
  /** The recorder was created (`at`: when the producer was added). */
  | { type: 'start'; at: Date }
  /** The current run was given its first media (`at`: when that packet arrived). */
  | { type: 'first-packet'; at: Date }
  | { type: 'pause'; at: Date; detail?: string }
  | { type: 'resume'; at: Date }
  /** No packets for noPacketSeconds (`at`: the last packet, or the start). */
  | { type: 'silence'; at: Date; detail: string }
  /** Packets again. */
  | { type: 'packets'; at: Date }
  /** Paused or silent for a segment length: end the run on purpose. */
  | { type: 'idle-timeout'; at: Date }
  /** The run ended on purpose (idle) is torn down. */
  | { type: 'run-ended'; at: Date }
  /**
   * The current run's ffmpeg exited without being asked to. `lostSince`: it had been given media
   * and this is where what it wrote ends (what it held is lost); absent when it had none.
   */
  | { type: 'ffmpeg-exited'; at: Date; detail: string; lostSince?: Date }
  /** The current run could not be built (the intake keeps what arrives for the next one). */
  | { type: 'start-failed'; at: Date; detail: string }
  /** Media held for a run was dropped (`at`: the first dropped packet's arrival). */
  | { type: 'media-lost'; at: Date; detail: string }
  /** The back-off after a failure is over. */
  | { type: 'restart'; at: Date }
  | { type: 'stop'; at: Date }
  | { type: 'stopped'; at: Date };
export type TrackEventType = TrackEvent['type'];

export const TRACK_EVENT_TYPES = [
  'start', 'first-packet', 'pause', 'resume', 'silence', 'packets', 'idle-timeout',
  'run-ended', 'ffmpeg-exited', 'start-failed', 'media-lost', 'restart', 'stop', 'stopped',
] as const satisfies readonly TrackEventType[];

type Cell = TrackPhase | 'ignore' | ((s: TrackState) => TrackPhase | 'ignore');

const lacksMedia = (s: TrackState) => s.paused || s.silent;
/** Same phase when `when` holds, else nothing to do. */
const stayIf = (phase: TrackPhase, when: (s: TrackState) => boolean) => (s: TrackState) => (when(s) ? phase : 'ignore');
const pause = (phase: TrackPhase) => stayIf(phase, (s) => !s.paused);
const resume = (phase: TrackPhase) => stayIf(phase, (s) => s.paused);
const live = { stop: 'stopping' } as const;

export const TRANSITIONS: { readonly [P in TrackPhase]: { readonly [E in TrackEventType]?: Cell } } = {
  new: { start: 'starting' },
  starting: {
    ...live,
    'first-packet': 'recording',
    pause: pause('starting'),
    resume: resume('starting'),
    // Nothing from the producer since the start (or since the run before ended).
    silence: stayIf('starting', (s) => !s.paused && !s.silent),
    packets: stayIf('starting', (s) => s.silent),
    'idle-timeout': stayIf('ending-idle', lacksMedia),
    'ffmpeg-exited': (s) => (lacksMedia(s) ? 'idle' : 'restarting'),
    'start-failed': 'restarting',
    'media-lost': 'starting',
  },
  recording: {
    ...live,
    pause: pause('recording'),
    resume: resume('recording'),
    silence: stayIf('recording', (s) => !s.paused && !s.silent),
    packets: stayIf('recording', (s) => s.silent),
    'idle-timeout': stayIf('ending-idle', lacksMedia),
    // Ended for lack of packets while the gap already says why there are none: idle, not a crash.
    'ffmpeg-exited': (s) => (lacksMedia(s) ? 'idle' : 'restarting'),
    'media-lost': 'ignore', // a run takes the media: nothing is held
  },
  'ending-idle': {
    ...live,
    pause: pause('ending-idle'),
    resume: resume('ending-idle'),
    silence: 'ignore',
    packets: 'ignore', // held by the intake; run-ended starts the next run for them
    'run-ended': (s) => (lacksMedia(s) ? 'idle' : 'starting'),
    'media-lost': 'ignore',
  },
  idle: {
    ...live,
    pause: pause('idle'),
    resume: stayIf('starting', (s) => s.paused),
    silence: 'ignore',
    packets: stayIf('starting', (s) => !s.paused),
    'media-lost': 'ignore',
  },
  restarting: {
    ...live,
    pause: pause('restarting'),
    resume: resume('restarting'),
    silence: 'ignore',
    packets: 'ignore',
    restart: 'starting',
    'media-lost': 'restarting',
  },
  stopping: {
    pause: 'ignore',
    resume: 'ignore',
    silence: 'ignore',
    packets: 'ignore',
    'run-ended': 'ignore', // stop() met a run going idle and waits for the same teardown
    'media-lost': 'ignore',
    stop: 'ignore',
    stopped: 'stopped',
  },
  stopped: { pause: 'ignore', resume: 'ignore', silence: 'ignore', packets: 'ignore', 'media-lost': 'ignore', stop: 'ignore' },
};

export class ForbiddenTransition extends Error {
  constructor(readonly phase: TrackPhase, readonly event: TrackEventType) {
    super(`track recorder: '${event}' is not allowed in phase '${phase}'`);
  }
}

export const INITIAL_TRACK_STATE: TrackState = { phase: 'new', paused: false, silent: false, gap: undefined };

/** The next state, or the same object when the event is ignored. Throws ForbiddenTransition. */
export function transition(s: TrackState, e: TrackEvent): TrackState {
  const cell = TRANSITIONS[s.phase][e.type];
  if (cell === undefined) throw new ForbiddenTransition(s.phase, e.type);
  const phase = typeof cell === 'function' ? cell(s) : cell;
  if (phase === 'ignore') return s;
  const paused = e.type === 'pause' ? true : e.type === 'resume' ? false : s.paused;
  // A pause replaces a no-packets gap; media recorded again ends silence.
  const silent = e.type === 'silence' ? true : e.type === 'pause' || e.type === 'packets' || e.type === 'first-packet' ? false : s.silent;
  return { phase, paused, silent, gap: gapAfter(s, e, { phase, paused, silent }) };
}

/** Keeps the open gap if it has this reason, else opens one at the event. */
function ensure(s: TrackState, e: TrackEvent, reason: GapReason, detail?: string): OpenGap {
  if (s.gap?.reason === reason) return s.gap;
  return { reason, since: e.at, ...(detail !== undefined ? { detail } : {}) };
}

/**
 * Why media is missing from the recording after `e`:
 *  - stopping: unchanged — the lane owns the gap from here (producer closed, session end);
 *  - paused: producer-paused, whatever the phase;
 *  - recording: no-packets while silent, else none;
 *  - an ffmpeg that died with media it had not written: a new recorder-exited from where its
 *    written media ends (each crash is its own gap); held media dropped: recorder-exited;
 *  - silent: no-packets;
 *  - otherwise (a run starting, restarting, idle) the gap that is open — none when the media is
 *    only being held — until the next run's first media.
 */
function gapAfter(s: TrackState, e: TrackEvent, next: Pick<TrackState, 'phase' | 'paused' | 'silent'>): OpenGap | undefined {
  if (next.phase === 'stopping' || next.phase === 'stopped') return s.gap;
  if (next.paused) return ensure(s, e, 'producer-paused', e.type === 'pause' ? e.detail : undefined);
  if (next.phase === 'recording') return next.silent ? ensure(s, e, 'no-packets', e.type === 'silence' ? e.detail : undefined) : undefined;
  // Dying while the producer sent nothing (paused, silent) is idle, not a crash: nothing was lost.
  if (e.type === 'ffmpeg-exited' && e.lostSince && next.phase === 'restarting') return { reason: 'recorder-exited', since: e.lostSince, detail: e.detail };
  if (e.type === 'media-lost') return s.gap ?? { reason: 'recorder-exited', since: e.at, detail: e.detail };
  if (next.silent) return ensure(s, e, 'no-packets', e.type === 'silence' ? e.detail : undefined);
  return s.gap;
}

/** In these phases a run is ended on purpose once media has been missing for a segment length. */
export function idleTimerRuns(s: TrackState): boolean {
  return (s.phase === 'starting' || s.phase === 'recording') && lacksMedia(s);
}
