// The SDP ffmpeg reads to receive one consumer's RTP. It must match the consumer exactly
// (payload type, codec, clock rate, channels, fmtp) or ffmpeg drops every packet silently.
import type { types } from 'mediasoup';
import { canonicalJson } from './audit-chain.ts';

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

/**
 * A router codec as an SDP states it: the router's payload type, and the clock rate, channels
 * and fmtp of `media` (by default the router's own, without fmtp).
 */
export function sdpCodecOf(
  cap: types.RtpCodecCapability,
  media: Pick<RtpCodecParameters, 'clockRate' | 'channels' | 'parameters'> = { clockRate: cap.clockRate, ...(cap.channels !== undefined ? { channels: cap.channels } : {}) },
): RecordedCodec | undefined {
  if (cap.preferredPayloadType === undefined) return undefined;
  return {
    mimeType: cap.mimeType,
    payloadType: cap.preferredPayloadType,
    clockRate: media.clockRate,
    ...(media.channels !== undefined ? { channels: media.channels } : {}),
    parameters: media.parameters ?? {},
  };
}

/**
 * The codec a recording consumer of this producer will get: the router's payload type for the
 * producer's codec, the producer's parameters. Undefined when the router offers several matches
 * (H.264 profiles), where only the real consumer can tell.
 */
export function expectedConsumerCodec(router: types.Router, producer: types.Producer): RecordedCodec | undefined {
  const pc = mediaCodecOf(producer.rtpParameters);
  const caps = (router.rtpCapabilities.codecs ?? []).filter((c) => c.mimeType.toLowerCase() === pc.mimeType.toLowerCase());
  return caps.length === 1 ? sdpCodecOf(caps[0]!, pc) : undefined;
}

/**
 * Whether an ffmpeg started with SDP `a` can record a consumer with codec `b`: same codec,
 * payload type, clock rate and channels; fmtp too, except for codecs whose fmtp ffmpeg's RTP
 * depacketizer does not read (VP8, VP9, AV1, Opus).
 */
export function compatibleCodec(a: RecordedCodec, b: RecordedCodec): boolean {
  const same =
    a.mimeType.toLowerCase() === b.mimeType.toLowerCase() &&
    a.payloadType === b.payloadType &&
    a.clockRate === b.clockRate &&
    (a.channels ?? 1) === (b.channels ?? 1);
  if (!same) return false;
  if (/\/(vp8|vp9|av1|opus)$/i.test(a.mimeType)) return true;
  return canonicalJson(a.parameters ?? {}) === canonicalJson(b.parameters ?? {});
}
