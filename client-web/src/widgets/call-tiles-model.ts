// What the call tiles show, as a pure function of the call's state: the status line, a tile per
// participant (own preview first) with the media it plays, and the controls' labels.
import type { PeerInfo } from '../../../server/protocol/signalling.ts';
import type { CallState, RemoteTrack } from '../lib/call-session.ts';
import type { T } from '../lib/i18n.ts';

export interface CallSnapshot {
  state: CallState;
  /** The reason given with the state (e.g. 'replaced'). */
  detail?: string | undefined;
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

export interface CallTilesModel {
  status: { text: string; state: string };
  recording: boolean;
  tiles: TileModel[];
  /** Nobody else is in the room. */
  alone: boolean;
  controls: { mic: ControlModel; cam: ControlModel; leave: string };
}

export function callTilesModel(s: CallSnapshot, t: T, leaveLabel?: string): CallTilesModel {
  const status = s.failure
    ? { text: `${t('call.failed')}: ${s.failure}`, state: 'failed' }
    : s.error
      ? { text: `${t('call.errorPrefix')}: ${s.error}`, state: 'error' }
      : {
          text:
            s.detail === 'replaced'
              ? t('call.replaced')
              : s.state === 'joined' && s.peers.size === 0
                ? `${t('call.joined')} · ${t('call.waitingOthers')}`
                : t(`call.${s.state}`),
          state: s.state,
        };

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

  return {
    status,
    recording: s.recording,
    tiles,
    alone: s.peers.size === 0,
    controls: {
      mic: { hidden: !s.mic.has, label: t(s.mic.on ? 'call.micOn' : 'call.micOff'), pressed: !s.mic.on },
      cam: { hidden: !s.cam.has, label: t(s.cam.on ? 'call.cameraOn' : 'call.cameraOff'), pressed: !s.cam.on },
      leave: leaveLabel ?? t('call.leave'),
    },
  };
}
