// Asking ffprobe about finished segments; which binaries run is server/ffmpeg-binaries.ts.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

import { resolveFfmpegBin, resolveFfprobeBin } from '../server/core/ffmpeg-binaries.ts';

export { resolveFfmpegBin, resolveFfprobeBin };

export interface ProbeResult {
  durationSeconds: number;
  formatName: string;
  streams: { codecType: string; codecName: string }[];
}

export async function probe(file: string, ffprobe = resolveFfprobeBin()): Promise<ProbeResult> {
  const { stdout } = await execFileP(
    ffprobe,
    ['-v', 'error', '-show_entries', 'format=duration,format_name:stream=codec_type,codec_name', '-of', 'json', file],
    { maxBuffer: 1 << 20 },
  );
  const parsed = JSON.parse(stdout) as {
    format?: { duration?: string; format_name?: string };
    streams?: { codec_type?: string; codec_name?: string }[];
  };
  const duration = Number(parsed.format?.duration);
  return {
    durationSeconds: Number.isFinite(duration) ? duration : 0,
    formatName: parsed.format?.format_name ?? '',
    streams: (parsed.streams ?? []).map((s) => ({ codecType: s.codec_type ?? '', codecName: s.codec_name ?? '' })),
  };
}

/**
 * How long a segment plays. A segment ffmpeg closed has its duration in the header; one it was
 * killed while writing has none (ffprobe says N/A), so its packets are read and the end of the
 * last one is taken — what a player of the truncated file gets.
 */
export async function measureDuration(file: string, ffprobe = resolveFfprobeBin()): Promise<number> {
  const { durationSeconds } = await probe(file, ffprobe);
  if (durationSeconds > 0) return durationSeconds;
  return measurePackets(file, ffprobe);
}

/**
 * A segment file as found on disk: how long it plays, and whether its muxer closed it (the
 * header carries the duration the muxer declared). A file ffmpeg was killed while writing has
 * none; one that declares a duration its packets fall short of is short too. Either is truncated.
 */
export async function probeSegment(file: string, ffprobe = resolveFfprobeBin()): Promise<{ durationSeconds: number; whole: boolean }> {
  const declared = (await probe(file, ffprobe)).durationSeconds;
  const played = await measurePackets(file, ffprobe);
  // A closed segment's packets reach its declared end, give or take the last frame.
  return { durationSeconds: declared > 0 ? declared : played, whole: declared > 0 && played >= declared - 0.25 };
}

async function measurePackets(file: string, ffprobe: string): Promise<number> {
  const { stdout } = await execFileP(ffprobe, ['-v', 'error', '-show_entries', 'packet=pts_time,duration_time', '-of', 'csv=p=0', file], { maxBuffer: 16 << 20 });
  let end = 0;
  for (const line of stdout.split('\n')) {
    const [pts, duration] = line.split(',').map(Number);
    if (Number.isFinite(pts)) end = Math.max(end, pts! + (Number.isFinite(duration) ? duration! : 0));
  }
  return end;
}

/** Decodes the whole file and returns ffmpeg's error output; empty means it plays cleanly. */
export async function decodeErrors(file: string, ffmpeg = resolveFfmpegBin()): Promise<string> {
  try {
    const { stderr } = await execFileP(ffmpeg, ['-v', 'error', '-nostdin', '-i', file, '-f', 'null', '-'], {
      maxBuffer: 4 << 20,
    });
    return stderr.trim();
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    return (e.stderr ?? e.message).trim() || 'ffmpeg failed';
  }
}
