// The one call-state model every page shows: what a participant can rely on right now, derived
// from the facts CallSession gathers (its signalling lifecycle, the transports' connection
// states, which local devices send and which remote ones do). Pure, so every page and the unit
// tests read the same answer; CallSession feeds it and announces each change (`status`).
import type { MediaSource } from '../../../server/protocol/signalling.ts';

export type CallPhase = 'connecting' | 'connected' | 'reconnecting' | 'media-degraded' | 'ended';

/** A device of the call's own: a camera or a microphone (a shared screen is never required). */
export type DeviceSource = Extract<MediaSource, 'camera' | 'microphone'>;

/**
 * Where a local device stands: `unwanted` (not to be sent: audio-only, privacy, a viewer's
 * grant, turned off for good), `pending` (being acquired), `live` (sending), or why it cannot
 * be: `denied` (permission refused), `missing` (none plugged in, or unplugged), `failed`.
 */
export type DeviceStatus = 'unwanted' | 'pending' | 'live' | 'denied' | 'missing' | 'failed';

/** Something that keeps media from flowing although the call is up; each is told in words. */
export type Degradation =
  | { kind: 'local'; source: DeviceSource; status: 'denied' | 'missing' | 'failed' }
  | { kind: 'remote'; source: DeviceSource; peerId: string; name: string };

export interface RemotePublisher {
  peerId: string;
  name: string;
  /** It sends audio / video (a paused producer still counts: muting is a choice, not a fault). */
  audio: boolean;
  video: boolean;
  /** In the room long enough that a source it does not send is missing, not still starting. */
  settled: boolean;
}

export interface CallFacts {
  /** CallSession's signalling lifecycle. */
  session: 'connecting' | 'joined' | 'reconnecting' | 'closed' | 'failed';
  /** Why, with the lifecycle state (`ended`, `kicked`, `replaced`, an error message). */
  detail?: string | undefined;
  /** mediasoup transports' connection states, by direction. */
  transports: Partial<Record<'send' | 'recv', string>>;
  devices: Record<DeviceSource, DeviceStatus>;
  /** Remote participants expected to send camera and microphone. */
  publishers: RemotePublisher[];
  /** The network is poor now (`poorNetwork()` over the link scores): told as 网络较差. */
  poorNetwork?: boolean;
  /** Video is off by choice to spare a poor network. */
  audioOnly?: boolean;
}

export interface CallStatus {
  phase: CallPhase;
  detail?: string | undefined;
  /** Empty unless the phase is `media-degraded`. */
  degraded: Degradation[];
  /**
   * 网络较差: the call is up but its links lose too much (the server's scores of this
   * participant's producers and consumers); the page offers audio-only. Only while the call is
   * `connected` or `media-degraded`.
   */
  poorNetwork?: boolean;
  /** Video is off by the participant's choice (audio-only on a poor network): the page offers it back. */
  audioOnly?: boolean;
}

export function callStatus(f: CallFacts): CallStatus {
  if (f.session === 'closed' || f.session === 'failed') return { phase: 'ended', detail: f.detail ?? f.session, degraded: [] };
  if (f.session === 'connecting') return { phase: 'connecting', degraded: [] };
  // ICE lost (a network change): CallSession restarts it; media is not flowing meanwhile.
  const iceLost = Object.values(f.transports).some((s) => s === 'disconnected' || s === 'failed');
  if (f.session === 'reconnecting' || iceLost) return { phase: 'reconnecting', detail: f.detail, degraded: [] };

  const degraded: Degradation[] = [];
  for (const source of ['microphone', 'camera'] as const) {
    const status = f.devices[source];
    if (status === 'denied' || status === 'missing' || status === 'failed') degraded.push({ kind: 'local', source, status });
  }
  for (const p of f.publishers) {
    if (!p.settled) continue;
    if (!p.audio) degraded.push({ kind: 'remote', source: 'microphone', peerId: p.peerId, name: p.name });
    if (!p.video) degraded.push({ kind: 'remote', source: 'camera', peerId: p.peerId, name: p.name });
  }
  return {
    phase: degraded.length > 0 ? 'media-degraded' : 'connected',
    degraded,
    ...(f.poorNetwork ? { poorNetwork: true } : {}),
    ...(f.audioOnly ? { audioOnly: true } : {}),
  };
}

/** A link score (mediasoup's 0–10) at or under this makes the network poor… */
export const POOR_SCORE = 6;
/** …and it is good again once every link is at or over this (no flicker at the edge). */
export const GOOD_AGAIN_SCORE = 8;

/**
 * Whether the network is poor, from the lowest score of the participant's links (its producers'
 * scores: its uplink; its consumers' scores: its downlink), with hysteresis over `wasPoor`.
 * No score yet: as it was.
 */
export function poorNetwork(wasPoor: boolean, lowestScore: number | undefined): boolean {
  if (lowestScore === undefined) return wasPoor;
  return wasPoor ? lowestScore < GOOD_AGAIN_SCORE : lowestScore <= POOR_SCORE;
}

/** What a failed getUserMedia means for the device. */
export function deviceFailure(err: unknown): 'denied' | 'missing' | 'failed' {
  const name = (err as { name?: string } | undefined)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'missing';
  return 'failed';
}

export function sameStatus(a: CallStatus, b: CallStatus): boolean {
  return (
    a.phase === b.phase &&
    a.detail === b.detail &&
    !a.poorNetwork === !b.poorNetwork &&
    !a.audioOnly === !b.audioOnly &&
    JSON.stringify(a.degraded) === JSON.stringify(b.degraded)
  );
}
