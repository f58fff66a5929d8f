// The SDP a recording ffmpeg reads (from rtsp-feed.ts's DESCRIBE) to receive one consumer's RTP.
// It must match the consumer exactly — payload type, codec, clock rate, channels, fmtp — or
// ffmpeg drops every packet silently, so it is built from the consumer's own parameters.
import type { types } from 'mediasoup';

type RtpParameters = types.RtpParameters;
type RtpCodecParameters = types.RtpCodecParameters;

export interface RecordedCodec {
  mimeType: string;
  payloadType: number;
  clockRate: number;
  channels?: number;
  parameters?: Record<string, unknown>;
}

/** The media codec of a consumer: the first one that is not a retransmission/FEC helper. */
export function mediaCodecOf(rtpParameters: RtpParameters): RtpCodecParameters {
  const codec = rtpParameters.codecs.find((c) => !/\/(rtx|red|ulpfec|flexfec)$/i.test(c.mimeType));
  if (!codec) throw new Error('consumer has no media codec');
  return codec;
}

/** One media section, controlled as `track` (the RTSP client SETUPs `<base>/track`). */
export function buildRecordingSdp(opts: { kind: 'audio' | 'video'; codec: RecordedCodec }): string {
  const { kind, codec } = opts;
  const encodingName = codec.mimeType.split('/')[1] ?? codec.mimeType;
  const rtpmap =
    kind === 'audio' && codec.channels && codec.channels > 1
      ? `${encodingName}/${codec.clockRate}/${codec.channels}`
      : `${encodingName}/${codec.clockRate}`;
  const fmtp = Object.entries(codec.parameters ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(';');
  const lines = [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=suzhou-video recording',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=${kind} 0 RTP/AVP ${codec.payloadType}`,
    `a=rtpmap:${codec.payloadType} ${rtpmap}`,
    ...(fmtp ? [`a=fmtp:${codec.payloadType} ${fmtp}`] : []),
    'a=control:track',
    'a=recvonly',
  ];
  return lines.join('\r\n') + '\r\n';
}

/** Matroska takes every codec mediasoup forwards; WebM only VP8/VP9/AV1/Opus. */
export function containerFor(codecs: readonly string[]): { format: 'webm' | 'matroska'; ext: '.webm' | '.mkv' } {
  const webm = codecs.every((m) => /\/(vp8|vp9|av1|opus)$/i.test(m));
  return webm ? { format: 'webm', ext: '.webm' } : { format: 'matroska', ext: '.mkv' };
}
