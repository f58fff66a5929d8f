// The recording ffmpeg ("segmenter"): reads one consumer's RTP from its feed (rtsp-feed.ts) and
// writes `-c copy` segments with ffmpeg's segment muxer, printing one CSV line per closed segment
// on stdout. The one place that spawns it and the one way to end it.
//
// Why ffmpeg's segment muxer rather than one ffmpeg per segment: the muxer cuts inside one
// process at a key frame, so no packet is lost at a cut and there is no start-up cost every N
// seconds. What a killed ffmpeg loses is bounded by its muxer: `flush_packets=1` on the segment's
// own muxer makes it write as it goes (ffmpeg 5.1's WebM muxer otherwise holds ~256 KiB before
// its first write, so a killed ffmpeg left its open segment at 0 bytes; BRIEF §5 — a global
// `-flush_packets 1` does not reach it), and it writes a Matroska cluster when the cluster ends:
// at a video key frame, else after 5 s, so `cluster_time_limit=1000` caps that at 1 s.
//
// To end it on purpose the feed's connection is closed: ffmpeg reads EOF, writes the open
// segment's trailer and its last list line, and exits 0. SIGTERM (which it also handles by
// finishing) after 2 s and SIGKILL after 5 s remain as fallbacks. It gets SIGTERM too when the
// node dies (server/core/parent-death.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { diesWithParent } from '../server/core/parent-death.ts';
import { RtspFeed } from './rtsp-feed.ts';
import { buildRecordingSdp, containerFor, type RecordedCodec } from './sdp.ts';

export interface SegmenterOptions {
  ffmpegBin: string;
  kind: 'audio' | 'video';
  codec: RecordedCodec;
  /** The output pattern without extension, e.g. `<dir>/<trackId>-r0-%05d`; the container's is added. */
  outputStem: string;
  segmentSeconds: number;
}

export interface Segmenter {
  proc: ChildProcess;
  /** Where its RTP is written; `feed.playing` once ffmpeg has connected and asked for it. */
  feed: RtspFeed;
  codec: RecordedCodec;
  ext: '.webm' | '.mkv';
  /** Settles once ffmpeg is gone and its stdout drained ('close'), with how it ended. */
  exited: Promise<string>;
}

const NICE = '/usr/bin/nice';
const NICENESS = 5;
const SIGTERM_AFTER_MS = 2000;
const SIGKILL_AFTER_MS = 5000;

function ffmpegSegmentArgs(url: string, segmentSeconds: number, format: string, pattern: string): string[] {
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'warning',
    '-rtsp_transport', 'tcp', '-i', url,
    '-map', '0', '-c', 'copy',
    '-f', 'segment', '-segment_time', String(segmentSeconds), '-segment_format', format,
    '-segment_format_options', 'flush_packets=1:cluster_time_limit=1000',
    '-reset_timestamps', '1',
    // One CSV line per closed segment on stdout: how the recorder learns a segment is finished.
    '-segment_list', 'pipe:1', '-segment_list_type', 'csv',
    pattern,
  ];
}

export async function spawnSegmenter(o: SegmenterOptions): Promise<Segmenter> {
  const { format, ext } = containerFor([o.codec.mimeType]);
  const feed = await RtspFeed.listen(buildRecordingSdp({ kind: o.kind, codec: o.codec }));
  const [bin, args] = diesWithParent(o.ffmpegBin, ffmpegSegmentArgs(feed.url, o.segmentSeconds, format, `${o.outputStem}${ext}`), 'TERM');
  // Below the SFU and signalling when the machine is saturated: what it is slow to take is held
  // for it (TCP back-pressure), while a starved worker would delay every participant's media.
  const proc = spawn(NICE, ['-n', String(NICENESS), bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  // A missing binary is an 'error' then a 'close': reported through `exited`, never thrown.
  proc.on('error', () => undefined);
  const exited = new Promise<string>((resolve) =>
    proc.once('close', (code, signal) => {
      feed.close();
      resolve(signal ? `signal ${signal}` : `exit code ${code}`);
    }),
  );
  return { proc, feed, codec: o.codec, ext, exited };
}

export function segmenterAlive(s: Segmenter): boolean {
  return s.proc.exitCode === null && s.proc.signalCode === null;
}

/** Ends ffmpeg so that it finishes the open segment (EOF → SIGTERM → SIGKILL); resolves with how it ended. */
export function endSegmenter(s: Segmenter): Promise<string> {
  if (segmenterAlive(s)) {
    s.feed.end();
    const term = setTimeout(() => s.proc.kill('SIGTERM'), SIGTERM_AFTER_MS);
    const kill = setTimeout(() => s.proc.kill('SIGKILL'), SIGKILL_AFTER_MS);
    void s.exited.then(() => {
      clearTimeout(term);
      clearTimeout(kill);
    });
  }
  return s.exited;
}

/** Kills an ffmpeg that never received media (nothing to finish); resolves once it is gone. */
export function killSegmenter(s: Segmenter): Promise<string> {
  if (segmenterAlive(s)) s.proc.kill('SIGKILL');
  s.feed.close();
  return s.exited;
}
