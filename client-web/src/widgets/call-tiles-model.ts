// What the call tiles show, as a pure function of the call-state model (`lib/call-state.ts`):
// the status line and, in words, every sound or picture that does not flow; a tile per
// participant (own preview first) with the media it plays; the controls. Once the call has
// ended nothing of it is shown but that line: no tiles, no recording notice, no controls.
import type { PeerInfo } from '../../../server/protocol/signalling.ts';
import type { RemoteTrack } from '../lib/call-session.ts';
import type { CallPhase, CallStatus, Degradation } from '../lib/call-state.ts';
import type { T } from '../lib/i18n.ts';

export interface CallSnapshot {
  status: CallStatus;
  /** The last error, until the next state change. */
  error?: string | undefined;
  /** Set by the page when joining failed for good. */
  failure?: string | undefined;
  peers: ReadonlyMap<string, PeerInfo>;
  remote: Iterable<RemoteTrack>;
  /** The own preview tile is shown. */
  preview: boolean;
  recording: boolean;
  mic: { has: boolean; on: boolean };
  cam: { has: boolean; on: boolean };
}

/** 网络较差, in words, with the audio-only switch it offers (or the way back to video). */
export interface NetworkModel {
  text: string;
  /** The switch's words; pressing it toggles audio-only. */
  action: string;
  audioOnly: boolean;
}

export interface TileModel {
  peerId: string;
  me: boolean;
  name: string;
  /** The camera is paused: the picture is dimmed with a note. */
  paused: boolean;
  /** Consumer ids of the video and audio the tile plays. */
  video: string | undefined;
  audio: string | undefined;
}

export interface ControlModel {
  hidden: boolean;
  label: string;
  pressed: boolean;
}

export interface NoticeModel {
  kind: Degradation['kind'];
  source: Degradation['source'];
  text: string;
}

export interface CallTilesModel {
  /** `state`: the phase, or `error` / `failed`. */
  status: { text: string; state: CallPhase | 'error' | 'failed' };
  /** What does not flow, in words (media-degraded). */
  notices: NoticeModel[];
  ended: boolean;
  recording: boolean;
  tiles: TileModel[];
  /** Nobody else is in the room. */
  alone: boolean;
  /** Shown while the network is poor, or while video is off to spare it. */
  network: NetworkModel | undefined;
  controls: { mic: ControlModel; cam: ControlModel; leave: string };
}

export function callTilesModel(s: CallSnapshot, t: T, leaveLabel?: string): CallTilesModel {
  const { phase, detail } = s.status;
  const ended = phase === 'ended';
  const status: CallTilesModel['status'] = s.failure
    ? { text: `${t('call.failed')}: ${s.failure}`, state: 'failed' }
    : s.error && !ended
      ? { text: `${t('call.errorPrefix')}: ${s.error}`, state: 'error' }
      : {
          text:
            ended && detail === 'replaced'
              ? t('call.replaced')
              : phase === 'connected' && s.peers.size === 0
                ? `${t('call.connected')} · ${t('call.waitingOthers')}`
                : t(`call.${phase}`),
          state: phase,
        };
  const notices = s.status.degraded.map((d): NoticeModel => ({
    kind: d.kind,
    source: d.source,
    text: d.kind === 'local' ? t(`call.local.${d.source}_${d.status}`) : t(`call.remote.${d.source}`, { name: d.name }),
  }));
  if (ended) {
    const hidden = { hidden: true, label: '', pressed: false };
    return { status, notices: [], ended, recording: false, tiles: [], alone: true, network: undefined, controls: { mic: hidden, cam: hidden, leave: '' } };
  }

  // The latest track of each kind per peer plays (a replaced producer's consumer comes later).
  const media = new Map<string, { video?: RemoteTrack; audio?: RemoteTrack }>();
  for (const r of s.remote) {
    const m = media.get(r.peerId) ?? {};
    m[r.track.kind === 'video' ? 'video' : 'audio'] = r;
    media.set(r.peerId, m);
  }
  const remoteTile = (peerId: string): TileModel => {
    const m = media.get(peerId);
    return { peerId, me: false, name: s.peers.get(peerId)?.name ?? '', paused: m?.video?.paused ?? false, video: m?.video?.consumerId, audio: m?.audio?.consumerId };
  };
  const tiles: TileModel[] = [];
  if (s.preview) tiles.push({ peerId: 'me', me: true, name: t('call.me'), paused: false, video: undefined, audio: undefined });
  for (const peerId of s.peers.keys()) tiles.push(remoteTile(peerId));
  // A track can arrive just before its peer is announced.
  for (const peerId of media.keys()) if (!s.peers.has(peerId)) tiles.push(remoteTile(peerId));

  const { poorNetwork, audioOnly = false } = s.status;
  const network: NetworkModel | undefined =
    poorNetwork || audioOnly
      ? { text: t(audioOnly ? 'call.poorNetworkAudioOnly' : 'call.poorNetwork'), action: t(audioOnly ? 'call.audioOnlyOff' : 'call.audioOnlyOn'), audioOnly }
      : undefined;
  return {
    status,
    notices,
    ended,
    recording: s.recording,
    tiles,
    alone: s.peers.size === 0,
    network,
    controls: {
      mic: { hidden: !s.mic.has, label: t(s.mic.on ? 'call.micOn' : 'call.micOff'), pressed: !s.mic.on },
      cam: { hidden: !s.cam.has, label: t(s.cam.on ? 'call.cameraOn' : 'call.cameraOff'), pressed: !s.cam.on },
      leave: leaveLabel ?? t('call.leave'),
    },
  };
}
