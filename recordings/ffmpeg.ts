// Locating ffmpeg/ffprobe and asking ffprobe about finished segments.
// Resolution order (issue 4): FFMPEG_BIN, then ffmpeg-static's binary if its install script
// managed to download it (it cannot here: no internet), then `ffmpeg` on PATH (Debian's).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export function resolveFfmpegBin(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FFMPEG_BIN) return env.FFMPEG_BIN;
  try {
    // ffmpeg-static exports the path it would have downloaded to, whether or not the file exists.
    const staticPath = createRequire(import.meta.url)('ffmpeg-static') as unknown;
    if (typeof staticPath === 'string' && fs.existsSync(staticPath)) return staticPath;
  } catch {
    // Not installed or broken: fall through to PATH.
  }
  return 'ffmpeg';
}

/** ffprobe lives next to the ffmpeg we use when that is a path; otherwise on PATH. */
export function resolveFfprobeBin(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FFPROBE_BIN) return env.FFPROBE_BIN;
  const ffmpeg = resolveFfmpegBin(env);
  if (ffmpeg.includes(path.sep)) {
    const sibling = path.join(path.dirname(ffmpeg), 'ffprobe');
    if (fs.existsSync(sibling)) return sibling;
  }
  return 'ffprobe';
}

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
