// The recording ffmpeg ("segmenter"): reads one consumer's RTP through an SDP file and writes
// `-c copy` segments with ffmpeg's segment muxer, printing one CSV line per closed segment on
// stdout. The one place that spawns it, for track runs and for spares (spare-ffmpeg.ts), and the
// one way to end it.
//
// Why ffmpeg's segment muxer rather than one ffmpeg per segment: the muxer cuts inside one
// process at a key frame, so no RTP packet is lost at a cut, ports stay bound, and there is no
// start-up cost every N seconds.
//
// To end it on purpose we send an RTCP BYE: unlike SIGINT, which ffmpeg only notices between
// packets, BYE ends its input at once even when no media is flowing, and ffmpeg still writes the
// trailer of the open segment and its last list line. SIGINT after 1 s and SIGKILL after 5 s
// remain as fallbacks.
import dgram from 'node:dgram';
import fs from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { spawnBound } from '../server/core/child-process.ts';
import { releasePortPair } from './ports.ts';
import { buildRecordingSdp, containerFor, type RecordedCodec } from './sdp.ts';

export interface SegmenterOptions {
  ffmpegBin: string;
  kind: 'audio' | 'video';
  codec: RecordedCodec;
  rtpPort: number;
  rtcpPort: number;
  /** Written here before ffmpeg starts; removed by `removeSegmenterFiles`. */
  sdpFile: string;
  /** The output pattern without extension, e.g. `<dir>/<trackId>-r0-%05d`; the container's is added. */
  outputStem: string;
  segmentSeconds: number;
}

export interface Segmenter {
  proc: ChildProcess;
  codec: RecordedCodec;
  rtpPort: number;
  rtcpPort: number;
  sdpFile: string;
  ext: '.webm' | '.mkv';
  /** A spare's output folder link (spare-ffmpeg.ts), removed with the segmenter. */
  slotLink?: string;
  /** Settles once ffmpeg is gone and its stdout drained ('close'), with how it ended. */
  exited: Promise<string>;
}

const SIGINT_AFTER_MS = 1000;
const SIGKILL_AFTER_MS = 5000;

function ffmpegSegmentArgs(sdpFile: string, segmentSeconds: number, format: string, pattern: string): string[] {
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'warning',
    '-protocol_whitelist', 'file,udp,rtp',
    '-f', 'sdp', '-i', sdpFile,
    '-map', '0', '-c', 'copy',
    '-f', 'segment', '-segment_time', String(segmentSeconds), '-segment_format', format,
    '-reset_timestamps', '1',
    // The WebM muxer otherwise buffers ~256 KiB before its first write, so a killed ffmpeg left
    // its open segment empty; flushed per packet, a crash loses only what was in flight. A global
    // `-flush_packets` does not reach the segment's inner muxer.
    '-segment_format_options', 'flush_packets=1',
    // One CSV line per closed segment on stdout: how the recorder learns a segment is finished.
    '-segment_list', 'pipe:1', '-segment_list_type', 'csv',
    pattern,
  ];
}

export function spawnSegmenter(o: SegmenterOptions): Segmenter {
  const { format, ext } = containerFor([o.codec.mimeType]);
  fs.writeFileSync(o.sdpFile, buildRecordingSdp({ kind: o.kind, codec: o.codec, rtpPort: o.rtpPort, rtcpPort: o.rtcpPort }));
  const proc = spawnBound(o.ffmpegBin, ffmpegSegmentArgs(o.sdpFile, o.segmentSeconds, format, `${o.outputStem}${ext}`), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A missing binary is an 'error' then a 'close': reported through `exited`, never thrown.
  proc.on('error', () => undefined);
  const exited = new Promise<string>((resolve) => proc.once('close', (code, signal) => resolve(signal ? `signal ${signal}` : `exit code ${code}`)));
  return { proc, codec: o.codec, rtpPort: o.rtpPort, rtcpPort: o.rtcpPort, sdpFile: o.sdpFile, ext, exited };
}

export function segmenterAlive(s: Segmenter): boolean {
  return s.proc.exitCode === null && s.proc.signalCode === null;
}

/** Ends ffmpeg so that it finishes the open segment (BYE → SIGINT → SIGKILL); resolves with how it ended. */
export async function endSegmenter(s: Segmenter): Promise<string> {
  if (segmenterAlive(s)) {
    await sendRtcpBye(s.rtcpPort);
    const interrupt = setTimeout(() => s.proc.kill('SIGINT'), SIGINT_AFTER_MS);
    const killer = setTimeout(() => s.proc.kill('SIGKILL'), SIGKILL_AFTER_MS);
    void s.exited.then(() => {
      clearTimeout(interrupt);
      clearTimeout(killer);
    });
  }
  return s.exited;
}

/** Kills an ffmpeg that never received media (nothing to finish); resolves once it is gone. */
export function killSegmenter(s: Segmenter): Promise<string> {
  if (segmenterAlive(s)) s.proc.kill('SIGKILL');
  return s.exited;
}

/** What a segmenter holds besides its segments: the SDP file, its ports' reservation, a spare's output slot. */
export function releaseSegmenter(s: Pick<Segmenter, 'sdpFile' | 'rtpPort' | 'slotLink'>): void {
  fs.rmSync(s.sdpFile, { force: true });
  if (s.slotLink) fs.rmSync(s.slotLink, { force: true });
  releasePortPair(s.rtpPort);
}

/** RTCP BYE (RFC 3550 §6.6) with a short reason; ffmpeg ignores RTP/RTCP datagrams under 12 bytes. */
async function sendRtcpBye(rtcpPort: number): Promise<void> {
  const bye = Buffer.from([0x81, 0xcb, 0x00, 0x02, 0, 0, 0, 0, 0x03, 0x65, 0x6e, 0x64]); // V=2 SC=1 PT=203, "end"
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.send(bye, rtcpPort, '127.0.0.1', () => resolve()));
  socket.close();
}
