// The track recorder's transition table, cell by cell, and the gap ledger it implies.
import { describe, expect, it } from 'vitest';
import {
  ForbiddenTransition,
  INITIAL_TRACK_STATE,
  TRACK_EVENT_TYPES,
  TRACK_PHASES,
  idleTimerRuns,
  transition,
  type TrackEvent,
  type TrackEventType,
  type TrackPhase,
  type TrackState,
} from '../../recordings/track-state.ts';

type Outcome = TrackPhase | 'ignore';
/** One outcome whatever the media, or one per media condition. */
type Cell = Outcome | { flowing: Outcome; paused: Outcome; silent: Outcome };

// Written out by hand from the design (docs/recordings.md), not derived from the table under test.
// An event missing from a phase's row is forbidden there.
const EXPECTED: Record<TrackPhase, Partial<Record<TrackEventType, Cell>>> = {
  new: { start: 'starting' },
  starting: {
    'first-packet': 'recording',
    pause: { flowing: 'starting', paused: 'ignore', silent: 'starting' },
    resume: { flowing: 'ignore', paused: 'starting', silent: 'ignore' },
    silence: { flowing: 'starting', paused: 'ignore', silent: 'ignore' },
    packets: { flowing: 'ignore', paused: 'ignore', silent: 'starting' },
    'idle-timeout': { flowing: 'ignore', paused: 'ending-idle', silent: 'ending-idle' },
    'ffmpeg-exited': { flowing: 'restarting', paused: 'idle', silent: 'idle' },
    'start-failed': 'restarting',
    'media-lost': 'starting',
    stop: 'stopping',
  },
  recording: {
    pause: { flowing: 'recording', paused: 'ignore', silent: 'recording' },
    resume: { flowing: 'ignore', paused: 'recording', silent: 'ignore' },
    silence: { flowing: 'recording', paused: 'ignore', silent: 'ignore' },
    packets: { flowing: 'ignore', paused: 'ignore', silent: 'recording' },
    'idle-timeout': { flowing: 'ignore', paused: 'ending-idle', silent: 'ending-idle' },
    'ffmpeg-exited': { flowing: 'restarting', paused: 'idle', silent: 'idle' },
    'media-lost': 'ignore',
    stop: 'stopping',
  },
  'ending-idle': {
    pause: { flowing: 'ending-idle', paused: 'ignore', silent: 'ending-idle' },
    resume: { flowing: 'ignore', paused: 'ending-idle', silent: 'ignore' },
    silence: 'ignore',
    packets: 'ignore',
    'run-ended': { flowing: 'starting', paused: 'idle', silent: 'idle' },
    'media-lost': 'ignore',
    stop: 'stopping',
  },
  idle: {
    pause: { flowing: 'idle', paused: 'ignore', silent: 'idle' },
    resume: { flowing: 'ignore', paused: 'starting', silent: 'ignore' },
    silence: 'ignore',
    packets: { flowing: 'starting', paused: 'ignore', silent: 'starting' },
    'media-lost': 'ignore',
    stop: 'stopping',
  },
  restarting: {
    pause: { flowing: 'restarting', paused: 'ignore', silent: 'restarting' },
    resume: { flowing: 'ignore', paused: 'restarting', silent: 'ignore' },
    silence: 'ignore',
    packets: 'ignore',
    restart: 'starting',
    'media-lost': 'restarting',
    stop: 'stopping',
  },
  stopping: { pause: 'ignore', resume: 'ignore', silence: 'ignore', packets: 'ignore', 'run-ended': 'ignore', 'media-lost': 'ignore', stop: 'ignore', stopped: 'stopped' },
  stopped: { pause: 'ignore', resume: 'ignore', silence: 'ignore', packets: 'ignore', 'media-lost': 'ignore', stop: 'ignore' },
};

const T0 = Date.parse('2026-05-01T08:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000);

function event(type: TrackEventType, s = 1): TrackEvent {
  switch (type) {
    case 'silence':
      return { type, at: at(s), detail: 'no RTP for 5s' };
    case 'ffmpeg-exited':
      return { type, at: at(s), detail: 'ffmpeg signal SIGKILL', lostSince: at(s - 0.5) };
    case 'start-failed':
    case 'media-lost':
      return { type, at: at(s), detail: `ffmpeg ${type}` };
    case 'start':
    case 'first-packet':
    case 'pause':
    case 'resume':
    case 'packets':
    case 'idle-timeout':
    case 'run-ended':
    case 'restart':
    case 'stop':
    case 'stopped':
      return { type, at: at(s) };
  }
}

const MEDIA = {
  flowing: { paused: false, silent: false },
  paused: { paused: true, silent: false },
  silent: { paused: false, silent: true },
} as const;

describe('the track recorder transition table', () => {
  for (const phase of TRACK_PHASES) {
    for (const type of TRACK_EVENT_TYPES) {
      const cell = EXPECTED[phase][type];
      for (const media of Object.keys(MEDIA) as (keyof typeof MEDIA)[]) {
        const expected: Outcome | 'forbidden' = cell === undefined ? 'forbidden' : typeof cell === 'string' ? cell : cell[media];
        it(`${phase} + ${type} (${media}) → ${expected}`, () => {
          const s: TrackState = { phase, ...MEDIA[media], gap: { reason: 'producer-closed', since: at(0) } };
          if (expected === 'forbidden') {
            expect(() => transition(s, event(type))).toThrow(ForbiddenTransition);
          } else if (expected === 'ignore') {
            expect(transition(s, event(type))).toBe(s);
          } else {
            expect(transition(s, event(type)).phase).toBe(expected);
          }
        });
      }
    }
  }
});

/** Applies events as the recorder does and writes down the ledger calls the gap changes imply. */
function play(events: TrackEvent[]): { state: TrackState; ledger: string[] } {
  let s = INITIAL_TRACK_STATE;
  const ledger: string[] = [];
  const t = (d: Date) => `+${(d.getTime() - T0) / 1000}`;
  for (const e of events) {
    const next = transition(s, e);
    if (next.gap !== s.gap) ledger.push(next.gap ? `open ${next.gap.reason} ${t(next.gap.since)}${next.gap.detail ? ` (${next.gap.detail})` : ''}` : `close ${t(e.at)}`);
    s = next;
  }
  return { state: s, ledger };
}

const e = (type: TrackEventType, s: number, detail?: string): TrackEvent => ({ ...event(type, s), ...(detail ? { detail } : {}) }) as TrackEvent;

describe('the gap ledger, derived from transitions', () => {
  it('opens no gap while the first run starts: media is held from the first packet', () => {
    expect(play([e('start', 0), e('first-packet', 0.4)]).ledger).toEqual([]);
  });

  it('closes the gap a track inherits from its lane (producer replaced, worker died) at its first media', () => {
    let s: TrackState = { ...INITIAL_TRACK_STATE, gap: { reason: 'worker-died', since: at(0) } };
    const closes: string[] = [];
    for (const ev of [e('start', 2), e('first-packet', 2.3)]) {
      const next = transition(s, ev);
      if (next.gap !== s.gap) closes.push(next.gap ? `open ${next.gap.reason}` : `close +${(ev.at.getTime() - T0) / 1000}`);
      s = next;
    }
    expect(closes).toEqual(['close +2.3']);
  });

  it('keeps an ffmpeg that died before it was given media out of the ledger: what arrives is held for the next', () => {
    const { state, ledger } = play([e('start', 0), { type: 'ffmpeg-exited', at: at(0.3), detail: 'ffmpeg exit code 1' }, e('restart', 0.5), e('first-packet', 0.2)]);
    expect(ledger).toEqual([]);
    expect(state.phase).toBe('recording');
  });

  it('dates a crash from the end of what the dead ffmpeg wrote, and logs each crash as its own gap', () => {
    const crash = (s: number): TrackEvent[] => [{ type: 'ffmpeg-exited', at: at(s), detail: 'ffmpeg signal SIGKILL', lostSince: at(s - 0.4) }, e('restart', s + 0.2)];
    const { ledger } = play([e('start', 0), e('first-packet', 0.2), ...crash(5), e('first-packet', 5.1), ...crash(5.5), e('first-packet', 6)]);
    expect(ledger).toEqual([
      'open recorder-exited +4.6 (ffmpeg signal SIGKILL)', 'close +5.1',
      'open recorder-exited +5.1 (ffmpeg signal SIGKILL)', 'close +6',
    ]);
  });

  it('logs nothing for a start that failed (the media waits), and recorder-exited once held media is dropped', () => {
    const { ledger } = play([e('start', 0), e('start-failed', 0.1, 'start failed: no free UDP port'), e('restart', 0.3), e('start-failed', 0.4, 'start failed: no free UDP port')]);
    expect(ledger).toEqual([]);
    expect(play([e('start', 0), e('start-failed', 0.1), { type: 'media-lost', at: at(0.05), detail: 'dropped' }, e('restart', 3), e('first-packet', 3.2)]).ledger).toEqual(['open recorder-exited +0.05 (dropped)', 'close +3.2']);
  });

  it('logs a pause while recording from pause to resume', () => {
    const { ledger } = play([e('start', 0), e('first-packet', 0.2), { type: 'pause', at: at(3), detail: 'privacy mode' }, e('resume', 4)]);
    expect(ledger).toEqual(['open producer-paused +3 (privacy mode)', 'close +4']);
  });

  it('dates no-packets from the last packet and closes it when packets come again', () => {
    const { ledger } = play([e('start', 0), e('first-packet', 0.2), { type: 'silence', at: at(2), detail: 'no RTP for 5s' }, e('packets', 9)]);
    expect(ledger).toEqual(['open no-packets +2 (no RTP for 5s)', 'close +9']);
  });

  it('logs a producer that never sends as no-packets from the start until its first media', () => {
    const { ledger } = play([e('start', 0), { type: 'silence', at: at(0), detail: 'no RTP for 5s' }, e('packets', 7), e('first-packet', 7)]);
    expect(ledger).toEqual(['open no-packets +0 (no RTP for 5s)', 'close +7']);
  });

  it('lets a pause replace silence, and keeps the pause gap through an idle run until the next first packet', () => {
    const { state, ledger } = play([
      e('start', 0), e('first-packet', 0.2),
      { type: 'silence', at: at(2), detail: 'no RTP for 5s' },
      e('pause', 8),
      e('idle-timeout', 11), e('run-ended', 11.5),
      e('resume', 20), e('first-packet', 20.1),
    ]);
    expect(ledger).toEqual(['open no-packets +2 (no RTP for 5s)', 'open producer-paused +8', 'close +20.1']);
    expect(state).toMatchObject({ phase: 'recording', paused: false, silent: false, gap: undefined });
  });

  it('wakes an idle silent track when packets return, closing no-packets at the new run\'s first media', () => {
    const s = play([e('start', 0), e('first-packet', 0.2), e('silence', 2), e('idle-timeout', 10), e('run-ended', 10.5)]);
    expect(s.state.phase).toBe('idle');
    const woken = play([e('start', 0), e('first-packet', 0.2), e('silence', 2), e('idle-timeout', 10), e('run-ended', 10.5), e('packets', 30), e('first-packet', 30)]);
    expect(woken.ledger).toEqual(['open no-packets +2 (no RTP for 5s)', 'close +30']);
  });

  it('treats ffmpeg ending during a pause as idle, not a crash', () => {
    const { state, ledger } = play([e('start', 0), e('first-packet', 0.2), e('pause', 1), { type: 'ffmpeg-exited', at: at(11), detail: 'ffmpeg exit code 0', lostSince: at(1) }]);
    expect(state.phase).toBe('idle');
    expect(ledger).toEqual(['open producer-paused +1']);
  });

  it('keeps a producer paused at the start paused past its first packet, until it resumes', () => {
    const { ledger } = play([e('start', 0), { type: 'pause', at: at(0.3), detail: 'producer paused when recording started' }, e('first-packet', 0.5), e('resume', 4)]);
    expect(ledger).toEqual(['open producer-paused +0.3 (producer paused when recording started)', 'close +4']);
  });

  it('leaves the open gap to the lane once stopping (producer closed, session end)', () => {
    const { state, ledger } = play([e('start', 0), e('first-packet', 0.2), e('silence', 2), e('stop', 9), e('packets', 9.1), e('stopped', 9.5)]);
    expect(ledger).toEqual(['open no-packets +2 (no RTP for 5s)']);
    expect(state).toMatchObject({ phase: 'stopped', gap: { reason: 'no-packets' } });
  });

  it('keeps its invariants over random walks: a pause is always the gap, recording media is never a gap, silence always is', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let walk = 0; walk < 200; walk++) {
      let s = transition(INITIAL_TRACK_STATE, e('start', 0));
      for (let step = 1; step < 60 && s.phase !== 'stopped'; step++) {
        const type = TRACK_EVENT_TYPES[Math.floor(random() * TRACK_EVENT_TYPES.length)]!;
        if (EXPECTED[s.phase][type] === undefined) continue; // forbidden: the recorder never sends it
        s = transition(s, event(type, step));
        if (s.phase === 'stopping' || s.phase === 'stopped') continue;
        const where = `${s.phase} paused=${s.paused} silent=${s.silent}`;
        expect(!(s.paused && s.silent), where).toBe(true);
        if (s.paused) expect(s.gap?.reason, where).toBe('producer-paused');
        else if (s.silent) expect(s.gap?.reason, where).toBe('no-packets');
        else if (s.phase === 'recording') expect(s.gap, where).toBeUndefined();
        expect(idleTimerRuns(s)).toBe((s.phase === 'starting' || s.phase === 'recording') && (s.paused || s.silent));
      }
    }
  });
});
