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
