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
    // A segment whose ffmpeg was killed has no trailer, so no duration in its header: its
    // packets say how much media it holds.
    durationSeconds: Number.isFinite(duration) && duration > 0 ? duration : await packetSeconds(file, ffprobe),
    formatName: parsed.format?.format_name ?? '',
    streams: (parsed.streams ?? []).map((s) => ({ codecType: s.codec_type ?? '', codecName: s.codec_name ?? '' })),
  };
}

/** Media time the file's packets span (first packet's start to last packet's end); 0 for none. */
async function packetSeconds(file: string, ffprobe: string): Promise<number> {
  const { stdout } = await execFileP(ffprobe, ['-v', 'error', '-show_entries', 'packet=pts_time,duration_time', '-of', 'csv=p=0', file], { maxBuffer: 16 << 20 }).catch(() => ({ stdout: '' }));
  let first = Infinity;
  let end = -Infinity;
  for (const line of stdout.split('\n')) {
    const [pts, dur] = line.split(',').map(Number);
    if (pts === undefined || !Number.isFinite(pts)) continue;
    first = Math.min(first, pts);
    end = Math.max(end, pts + (dur !== undefined && Number.isFinite(dur) ? dur : 0));
  }
  return end > first ? end - first : 0;
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
