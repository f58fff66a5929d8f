// Real RTP into mediasoup without a browser: a VP8+Opus clip encoded once with ffmpeg's testsrc
// and sine, then sent by `ffmpeg -re -c copy -f rtp` into PlainTransport producers. Shared by
// the recording tests and scripts/bench/recording.ts.
import fs from 'node:fs';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';

export const MEDIA_CODECS: types.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

const VIDEO_PT = 101;
const AUDIO_PT = 100;

/** Needs MEDIASOUP_WORKER_BIN set before mediasoup was imported (test global setup does). */
export async function createTestWorker(): Promise<types.Worker> {
  return mediasoup.createWorker({ logLevel: 'warn', rtcMinPort: 42000, rtcMaxPort: 42999 });
}

/**
 * A short VP8 (key frame every `gop` frames) + Opus clip. Sent in a loop. ffmpeg as a sender
 * does not answer PLI, so frequent key frames (default every 6 frames, 240 ms) stand in for a
 * browser answering the recorder's key-frame requests within a round trip.
 */
export function makeClip(file: string, opts: { seconds?: number; size?: string; fps?: number; gop?: number; bitrate?: string } = {}): string {
  if (fs.existsSync(file)) return file;
  const fps = opts.fps ?? 25;
  execFileSync(
    'ffmpeg',
    [
      '-v', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc=size=${opts.size ?? '640x360'}:rate=${fps}`,
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-t', String(opts.seconds ?? 4),
      '-c:v', 'libvpx', '-b:v', opts.bitrate ?? '500k', '-deadline', 'realtime', '-cpu-used', '8',
      '-g', String(opts.gop ?? 6), '-keyint_min', String(opts.gop ?? 6),
      '-c:a', 'libopus', '-b:a', '48k', '-ac', '2',
      file,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return file;
}

export interface FeedAppData extends types.AppData {
  source: 'camera' | 'microphone';
  participantId: string;
}

export interface Feed<A extends types.AppData = types.AppData> {
  participantId: string;
  video: types.Producer<FeedAppData & A>;
  audio: types.Producer<FeedAppData & A>;
  transports: types.PlainTransport[];
  /** The sending ffmpeg; undefined until send() when the feed was made with `sendLater`. */
  sender: ChildProcess | undefined;
  /** Starts the sender (done at once unless `sendLater`); idempotent. */
  send(): ChildProcess;
  /** Stops the sender (SIGKILL) and closes the producers' transports. */
  close(): void;
}

export interface FeedOptions<A extends types.AppData> {
  /**
   * Makes the ingest transports; default: straight on the router. A test with a real room passes
   * `(o) => room.createPlainTransport(peer, 'send', o)`, so the room's grants apply.
   */
  transport?: (options: types.PlainTransportOptions) => Promise<types.PlainTransport>;
  /** Merged into the producers' appData (a room wants `peerId`). */
  appData?: A;
  /** Create the producers but send nothing until send(): a participant who publishes after the recorder is there. */
  sendLater?: boolean;
}

// comedia: learn the sender's address from its first packet; separate RTCP like ffmpeg sends.
const INGEST: types.PlainTransportOptions = { listenIp: { ip: '127.0.0.1' }, rtcpMux: false, comedia: true };

export async function startFeed<A extends types.AppData = types.AppData>(
  router: types.Router,
  clip: string,
  participantId: string,
  ssrcBase: number,
  o: FeedOptions<A> = {},
): Promise<Feed<A>> {
  const ingest = o.transport ?? ((options) => router.createPlainTransport(options));
  const vt = await ingest(INGEST);
  const at = await ingest(INGEST);
  const appData = (source: FeedAppData['source']) => ({ ...o.appData, source, participantId }) as FeedAppData & A;
  const video = await vt.produce<FeedAppData & A>({
    kind: 'video',
    rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: VIDEO_PT, clockRate: 90000 }], encodings: [{ ssrc: ssrcBase + 1 }] },
    appData: appData('camera'),
  });
  const audio = await at.produce<FeedAppData & A>({
    kind: 'audio',
    rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: AUDIO_PT, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: ssrcBase + 2 }] },
    appData: appData('microphone'),
  });
  const url = (t: types.PlainTransport) => `rtp://127.0.0.1:${t.tuple.localPort}?rtcpport=${t.rtcpTuple?.localPort}&pkt_size=1200`;
  const feed: Feed<A> = {
    participantId,
    video,
    audio,
    transports: [vt, at],
    sender: undefined,
    send() {
      if (feed.sender) return feed.sender;
      const sender = spawn(
        'ffmpeg',
        [
          '-v', 'error', '-nostdin', '-re', '-stream_loop', '-1', '-i', clip,
          '-map', '0:v', '-c', 'copy', '-payload_type', String(VIDEO_PT), '-ssrc', String(ssrcBase + 1), '-f', 'rtp', url(vt),
          '-map', '0:a', '-c', 'copy', '-payload_type', String(AUDIO_PT), '-ssrc', String(ssrcBase + 2), '-f', 'rtp', url(at),
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      sender.stderr?.resume();
      feed.sender = sender;
      return sender;
    },
    close() {
      if (feed.sender && feed.sender.exitCode === null) feed.sender.kill('SIGKILL');
      vt.close();
      at.close();
    },
  };
  if (!o.sendLater) feed.send();
  return feed;
}
