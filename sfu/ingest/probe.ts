// What the camera sends, and what to do with it. Browsers play VP8 and H.264 constrained
// baseline over WebRTC; anything else (H.264 main/high, HEVC, MJPEG, MPEG-4) costs a transcode,
// which is 20–45% of a core per 720p stream against ≈0.5% for passing packets through.
import { execFile } from 'node:child_process';
import { diesWithParent } from '../../server/core/parent-death.ts';
import type { types } from 'mediasoup';
import { resolveFfprobeBin } from '../../server/core/ffmpeg-binaries.ts';

export interface ProbedVideo {
  codec: string;
  profile: string | null;
  pixFmt: string | null;
  width: number | null;
  height: number | null;
}
export interface ProbedAudio {
  codec: string;
  sampleRate: number | null;
  channels: number | null;
}
export interface ProbeResult {
  video: ProbedVideo | null;
  audio: ProbedAudio | null;
}

export type VideoCodecName = 'VP8' | 'H264';
export type VideoPlan = { mode: 'copy'; codec: VideoCodecName } | { mode: 'transcode'; codec: VideoCodecName; from: string };
export type AudioPlan = { mode: 'copy' | 'transcode'; codec: 'opus' } | null;
export interface IngestPlan {
  video: VideoPlan;
  audio: AudioPlan;
}

export class IngestError extends Error {
  override name = 'IngestError';
}

/** Input options per kind of URL: RTSP over TCP (no UDP port games through NAT), files in real time and looped. */
export function inputArgs(url: string, use: 'probe' | 'ingest' = 'ingest'): string[] {
  // RTSP only over its own protocols: whatever the camera answers (an SDP naming http: or file:)
  // ffmpeg opens nothing else.
  if (/^rtsps?:\/\//i.test(url)) return ['-protocol_whitelist', 'rtsp,rtsps,tcp,tls,udp,rtp', '-rtsp_transport', 'tcp', '-timeout', '10000000'];
  if (/^[a-z][a-z0-9+.\-]*:\/\//i.test(url)) return ['-rw_timeout', '10000000'];
  // A local file (demo, tests): read at its native rate and loop, like a live camera.
  return use === 'ingest' ? ['-re', '-stream_loop', '-1'] : [];
}

export function probe(url: string, opts: { bin?: string; timeoutMs?: number } = {}): Promise<ProbeResult> {
  const bin = opts.bin ?? resolveFfprobeBin();
  const args = ['-v', 'error', ...inputArgs(url, 'probe'), '-print_format', 'json', '-show_streams', url];
  return new Promise((resolve, reject) => {
    execFile(...diesWithParent(bin, args, 'KILL'), { timeout: opts.timeoutMs ?? 15_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) {
        reject(new IngestError(`ffprobe failed for ${redact(url)}: ${String(stderr).trim().split('\n').pop() || err.message}`));
        return;
      }
      try {
        const streams = (JSON.parse(stdout) as { streams?: Record<string, unknown>[] }).streams ?? [];
        const v = streams.find((s) => s.codec_type === 'video');
        const a = streams.find((s) => s.codec_type === 'audio');
        resolve({
          video: v
            ? {
                codec: String(v.codec_name ?? 'unknown'),
                profile: typeof v.profile === 'string' ? v.profile : null,
                pixFmt: typeof v.pix_fmt === 'string' ? v.pix_fmt : null,
                width: typeof v.width === 'number' ? v.width : null,
                height: typeof v.height === 'number' ? v.height : null,
              }
            : null,
          audio: a
            ? {
                codec: String(a.codec_name ?? 'unknown'),
                sampleRate: a.sample_rate ? Number(a.sample_rate) : null,
                channels: typeof a.channels === 'number' ? a.channels : null,
              }
            : null,
        });
      } catch (e) {
        reject(new IngestError(`ffprobe output unreadable for ${redact(url)}: ${(e as Error).message}`));
      }
    });
  });
}

/** The router's H.264 codec a browser-safe stream can be sent as: packetization-mode 1, constrained baseline. */
export function routerH264ConstrainedBaseline(caps: types.RtpCapabilities): types.RtpCodecCapability | undefined {
  return caps.codecs?.find((c) => {
    if (c.mimeType.toLowerCase() !== 'video/h264') return false;
    const p = c.parameters ?? {};
    const plid = String(p['profile-level-id'] ?? '');
    // profile_idc 0x42 with constraint_set1 (0x40) is constrained baseline.
    return Number(p['packetization-mode']) === 1 && plid.slice(0, 2).toLowerCase() === '42' && (parseInt(plid.slice(2, 4), 16) & 0x40) !== 0;
  });
}

function routerHas(caps: types.RtpCapabilities, mimeType: string): boolean {
  return (caps.codecs ?? []).some((c) => c.mimeType.toLowerCase() === mimeType.toLowerCase());
}

/**
 * Pass through what the browser can play; transcode the rest to `prefer` if the router has it.
 * H.264 "Baseline" without the constrained flag is passed as constrained baseline: cameras label
 * it so, but none use the FMO/ASO tools that would make the difference.
 */
export function planIngest(
  probed: ProbeResult,
  caps: types.RtpCapabilities,
  opts: { prefer?: VideoCodecName; audio?: boolean } = {},
): IngestPlan {
  const v = probed.video;
  if (!v) throw new IngestError('the source has no video stream');
  const vp8 = routerHas(caps, 'video/VP8');
  const h264 = routerH264ConstrainedBaseline(caps) !== undefined;
  if (!vp8 && !h264) throw new IngestError('the router has neither VP8 nor H.264 constrained baseline');
  const yuv420 = v.pixFmt === null || v.pixFmt === 'yuv420p' || v.pixFmt === 'yuvj420p';
  let video: VideoPlan;
  if (v.codec === 'vp8' && vp8 && yuv420) video = { mode: 'copy', codec: 'VP8' };
  else if (v.codec === 'h264' && h264 && yuv420 && (v.profile === 'Constrained Baseline' || v.profile === 'Baseline')) {
    video = { mode: 'copy', codec: 'H264' };
  } else {
    // x264 ultrafast costs a fraction of libvpx realtime, so H.264 is the default target.
    const prefer = opts.prefer ?? 'H264';
    const codec: VideoCodecName = prefer === 'H264' ? (h264 ? 'H264' : 'VP8') : vp8 ? 'VP8' : 'H264';
    video = { mode: 'transcode', codec, from: v.profile ? `${v.codec} ${v.profile}` : v.codec };
  }
  let audio: AudioPlan = null;
  if (opts.audio !== false && probed.audio && routerHas(caps, 'audio/opus')) {
    audio = { mode: probed.audio.codec === 'opus' ? 'copy' : 'transcode', codec: 'opus' };
  }
  return { video, audio };
}

/** Camera URLs often carry credentials (rtsp://user:pass@…); never log them. */
export function redact(url: string): string {
  return url.replace(/\/\/[^/@\s]*@/, '//***@');
}
