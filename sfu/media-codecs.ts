// Router codecs: Opus for audio, with in-band FEC (a lost packet is rebuilt from the next one's
// redundancy) and DTX (silence costs almost nothing) for village uplinks; VP8 first
// (simulcast-capable, what browsers and recorders agree on), H.264 constrained baseline for
// cameras and terminals with hardware encoders.
import type { types } from 'mediasoup';

export const MEDIA_CODECS: types.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, parameters: { useinbandfec: 1, usedtx: 1 } },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
  },
];
