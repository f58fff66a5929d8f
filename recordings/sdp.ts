// The SDP ffmpeg reads to receive one consumer's RTP. It must match the consumer exactly
// (payload type, codec, clock rate, channels, fmtp) or ffmpeg drops every packet silently.
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

export function buildRecordingSdp(opts: {
  kind: 'audio' | 'video';
  codec: RecordedCodec;
  rtpPort: number;
  rtcpPort: number;
  ip?: string;
}): string {
  const { kind, codec, rtpPort, rtcpPort } = opts;
  const ip = opts.ip ?? '127.0.0.1';
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
    `o=- 0 0 IN IP4 ${ip}`,
    's=suzhou-video recording',
    `c=IN IP4 ${ip}`,
    't=0 0',
    `m=${kind} ${rtpPort} RTP/AVP ${codec.payloadType}`,
    `a=rtcp:${rtcpPort}`,
    `a=rtpmap:${codec.payloadType} ${rtpmap}`,
    ...(fmtp ? [`a=fmtp:${codec.payloadType} ${fmtp}`] : []),
    'a=recvonly',
  ];
  return lines.join('\r\n') + '\r\n';
}

/** Matroska takes every codec mediasoup forwards; WebM only VP8/VP9/AV1/Opus. */
export function containerFor(codecs: readonly string[]): { format: 'webm' | 'matroska'; ext: '.webm' | '.mkv' } {
  const webm = codecs.every((m) => /\/(vp8|vp9|av1|opus)$/i.test(m));
  return webm ? { format: 'webm', ext: '.webm' } : { format: 'matroska', ext: '.mkv' };
}
