// Which ffmpeg/ffprobe to run, for recording and camera ingest alike. Resolution order:
// FFMPEG_BIN, then ffmpeg-static's binary if its install script managed to download it (it
// cannot offline), then `ffmpeg` on PATH (Debian's). FFPROBE_BIN, else the ffprobe beside it.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

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
