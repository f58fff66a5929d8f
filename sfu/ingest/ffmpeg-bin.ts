// Which ffmpeg/ffprobe to run. ffmpeg-static's installer downloads from GitHub, which fails on
// offline machines, so its binary is used only if it actually exists; Debian's ffmpeg otherwise.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function ffmpegBinary(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FFMPEG_BIN) return env.FFMPEG_BIN;
  try {
    const p = require('ffmpeg-static') as string | null;
    if (p && fs.existsSync(p)) return p;
  } catch {
    // Not installed or unsupported platform: fall through to the system binary.
  }
  return 'ffmpeg';
}

/** FFPROBE_BIN, else an ffprobe next to the chosen ffmpeg, else the system one. */
export function ffprobeBinary(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FFPROBE_BIN) return env.FFPROBE_BIN;
  const ffmpeg = ffmpegBinary(env);
  if (ffmpeg.includes(path.sep)) {
    const sibling = path.join(path.dirname(ffmpeg), 'ffprobe');
    if (fs.existsSync(sibling)) return sibling;
  }
  return 'ffprobe';
}
