// One video for court: every participant's recording side by side in one MP4 (H.264/AAC), each
// tile named, a burned-in wall-clock time (the session's own clock, firstPacketAt/offsetSeconds),
// and where a participant has no picture a slate saying why (the manifest's gaps, not yet
// joined, left, audio only). A copy made from the originals, never a replacement: the export
// lists it beside them with its own hashes.
//
// One ffmpeg: each run of each track is one input (the concat demuxer joins a run's contiguous
// segments), placed on the session's timeline with setpts/adelay over a slate background, so
// the output lasts exactly the session. At most ~1 core: `nice`, one thread for decoders,
// filters and x264. Labels reach ffmpeg as text files, so no name can inject filter syntax.
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { SafeEmitter } from '../server/core/safe-emitter.ts';
import type { Gap, Manifest, Participant, Track } from './manifest.ts';
import { hashFile, segmentPath } from './manifest.ts';

export interface CompositeOptions {
  ffmpegBin: string;
  /** A font with Chinese glyphs (names are Chinese). */
  fontFile: string;
  /** Wall-clock zone of the burned-in time (default Asia/Shanghai). */
  timeZone?: string;
  tile?: { width: number; height: number };
  fps?: number;
  /** Process priority (default 10: below the recorders and the SFU). */
  nice?: number;
}

export interface CompositeResult {
  file: string;
  sha256: string;
  sm3: string;
  bytes: number;
  durationSeconds: number;
}

export interface CompositeEvents {
  /** 0…1 of the session's duration rendered. */
  progress: [number];
}

/** Where the font usually is on Debian (fonts-wqy-microhei). */
export const DEFAULT_FONT_FILE = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';

const GAP_TEXT: Record<Gap['reason'], string> = {
  'producer-paused': '画面暂停 · paused',
  'producer-closed': '摄像头已关闭 · camera off',
  'no-packets': '无媒体数据 · no media received',
  'recorder-exited': '录制中断 · recorder interrupted',
  'recorder-starting': '录制启动中 · recording starting',
  'worker-died': '媒体服务进程故障 · media worker failed',
  'node-failed': '服务器节点故障 · server node failed',
};

/** A slate's lines: Chinese, English, then the gap's detail wrapped to fit a 640-pixel tile. */
function slateLines(text: string, detail?: string): string {
  const lines = text.split(' · ');
  if (detail) {
    let line = '';
    for (const word of `(${detail.slice(0, 120)})`.split(' ')) {
      if (line && line.length + word.length + 1 > SLATE_LINE_CHARS) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    if (line) lines.push(line);
  }
  return lines.join('\n');
}
/** Latin characters of the slate's 24-pixel font in one line of a 640-pixel tile, with a margin. */
const SLATE_LINE_CHARS = 44;

const ROLE_TEXT: Record<string, string> = { petitioner: '信访人', terminal: '信访人', official: '接访干部', family: '家属', 'home-device': '家庭终端', counsellor: '社工' };

interface Window {
  from: number;
  to: number;
  text: string;
}

interface RunInput {
  list: string;
  offset: number;
  /** Where the run's segments lie on the session timeline. */
  spans: Window[];
}

/** `spans` minus `holes`: where a picture is really there. */
function subtract(spans: readonly Window[], holes: readonly Window[]): Window[] {
  let out = spans.map((w) => ({ ...w }));
  for (const h of holes) {
    out = out.flatMap((w) => {
      if (h.to <= w.from || h.from >= w.to) return [w];
      return [
        ...(h.from > w.from ? [{ ...w, to: h.from }] : []),
        ...(h.to < w.to ? [{ ...w, from: h.to }] : []),
      ];
    });
  }
  return out.filter((w) => w.to - w.from > 0.001);
}

const sec = (iso: string, start: number) => (Date.parse(iso) - start) / 1000;
const clamp = (v: number, d: number) => Math.max(0, Math.min(d, v));
const fmt = (n: number) => n.toFixed(3);

/** A track's runs, each as a concat list of its segments and the run's place on the timeline. */
function runsOf(track: Track, sessionDir: string, workDir: string, name: string): RunInput[] {
  const byRun = new Map<number, Track['segments']>();
  for (const s of track.segments) byRun.set(s.run, [...(byRun.get(s.run) ?? []), s]);
  return [...byRun.entries()].map(([run, segs]) => {
    const list = path.join(workDir, `${name}-r${run}.txt`);
    fs.writeFileSync(list, segs.map((s) => `file '${segmentPath(sessionDir, s.file).replace(/'/g, "'\\''")}'\n`).join(''));
    return { list, offset: segs[0]!.offsetSeconds, spans: segs.map((x) => ({ from: x.offsetSeconds, to: x.offsetSeconds + x.durationSeconds, text: '' })) };
  });
}

/** Where a participant's tile has no picture, and why. */
function slateWindows(p: Participant, start: number, d: number): Window[] {
  const out: Window[] = [];
  const joined = clamp(sec(p.joinedAt, start), d);
  if (joined > 0) out.push({ from: 0, to: joined, text: slateLines('尚未加入 · not yet joined') });
  if (p.leftAt) out.push({ from: clamp(sec(p.leftAt, start), d), to: d, text: slateLines('已离开 · left') });
  const video = p.tracks.filter((t) => t.kind === 'video');
  if (video.length === 0) out.push({ from: joined, to: p.leftAt ? clamp(sec(p.leftAt, start), d) : d, text: slateLines('仅音频 · audio only') });
  const videoLanes = new Set(video.map((t) => t.lane));
  for (const g of p.gaps) {
    if (!videoLanes.has(g.lane)) continue;
    out.push({ from: clamp(sec(g.start, start), d), to: clamp(sec(g.end ?? p.leftAt ?? new Date(start + d * 1000).toISOString(), start), d), text: slateLines(GAP_TEXT[g.reason], g.detail) });
  }
  return out.filter((w) => w.to > w.from);
}

/** Sound missing on an audio lane: a line under the name. */
function silenceWindows(p: Participant, start: number, d: number): Window[] {
  const audioLanes = new Set(p.tracks.filter((t) => t.kind === 'audio').map((t) => t.lane));
  return p.gaps
    .filter((g) => audioLanes.has(g.lane))
    .map((g) => ({ from: clamp(sec(g.start, start), d), to: clamp(sec(g.end ?? new Date(start + d * 1000).toISOString(), start), d), text: `无声音 · no sound: ${GAP_TEXT[g.reason]}` }))
    .filter((w) => w.to > w.from);
}

export interface CompositePlan {
  args: string[];
  durationSeconds: number;
}

/** The ffmpeg command for a sealed manifest; text and list files are written into `workDir`. */
export function planComposite(m: Manifest, sessionDir: string, workDir: string, out: string, o: CompositeOptions): CompositePlan {
  const start = Date.parse(m.startedAt);
  const d = Math.max(0.1, (Date.parse(m.stoppedAt ?? m.startedAt) - start) / 1000);
  const { width: W, height: H } = o.tile ?? { width: 640, height: 360 };
  const fps = o.fps ?? 15;
  fs.mkdirSync(workDir, { recursive: true });
  let textN = 0;
  const textFile = (text: string) => {
    const f = path.join(workDir, `t${textN++}.txt`);
    // drawtext expands %{…} and treats backslashes: keep labels literal.
    fs.writeFileSync(f, text.replace(/\\/g, '\\\\').replace(/%/g, '%%'));
    return f;
  };
  const font = `fontfile=${o.fontFile.replace(/[\\:']/g, (c) => `\\${c}`)}`;
  const draw = (file: string, rest: string) => `drawtext=${font}:expansion=none:textfile=${file.replace(/[\\:']/g, (c) => `\\${c}`)}:${rest}`;
  const enable = (ws: Window[]) => `enable='${ws.map((w) => `between(t,${fmt(w.from)},${fmt(w.to)})`).join('+')}'`;

  const inputs: string[] = [];
  const graph: string[] = [];
  const audio: string[] = [];
  let inputN = 0;
  const tiles: string[] = [];
  m.participants.forEach((p, i) => {
    const base = `color=c=0x1e1e1e:s=${W}x${H}:r=${fps}:d=${fmt(d)},format=yuv420p`;
    // One drawtext per distinct text, each enabled in its windows.
    const byText = new Map<string, Window[]>();
    for (const w of slateWindows(p, start, d)) byText.set(w.text, [...(byText.get(w.text) ?? []), w]);
    const slates = [...byText.entries()].map(([text, ws]) => draw(textFile(text), `fontsize=24:line_spacing=8:fontcolor=white:x=(w-tw)/2:y=(h-th)/2:${enable(ws)}`));
    graph.push(`${[base, ...slates].join(',')}[b${i}]`);
    let cur = `b${i}`;
    p.tracks.forEach((t, ti) => {
      for (const run of runsOf(t, sessionDir, workDir, `p${i}-t${ti}`)) {
        const k = inputN++;
        inputs.push('-threads', '1', '-reinit_filter', '0', '-f', 'concat', '-safe', '0', '-i', run.list);
        if (t.kind === 'video') {
          // Overlay would hold the last frame through a pause: it is shown only where the
          // segments are and the lane has no gap, so the slate underneath says why.
          const holes = p.gaps.filter((g) => g.lane === t.lane).map((g) => ({ from: sec(g.start, start), to: sec(g.end ?? m.stoppedAt ?? m.startedAt, start), text: '' }));
          const shown = subtract(run.spans, holes);
          if (shown.length === 0) continue;
          graph.push(`[${k}:v]scale=${W}:${H}:force_original_aspect_ratio=decrease,pad=${W}:${H}:(ow-iw)/2:(oh-ih)/2,setpts=PTS-STARTPTS+${fmt(run.offset)}/TB[v${k}]`);
          graph.push(`[${cur}][v${k}]overlay=eof_action=pass:repeatlast=0:${enable(shown)}[o${k}]`);
          cur = `o${k}`;
        } else {
          graph.push(`[${k}:a]aresample=48000:async=1,asetpts=PTS-STARTPTS,adelay=delays=${Math.round(run.offset * 1000)}:all=1[a${k}]`);
          audio.push(`[a${k}]`);
        }
      }
    });
    const label = `${p.name} · ${ROLE_TEXT[p.role] ?? p.role}`;
    const silence = silenceWindows(p, start, d);
    const bySilence = new Map<string, Window[]>();
    for (const w of silence) bySilence.set(w.text, [...(bySilence.get(w.text) ?? []), w]);
    const overlays = [
      draw(textFile(label), 'fontsize=22:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=6:x=8:y=h-th-12'),
      ...[...bySilence.entries()].map(([text, ws]) => draw(textFile(text), `fontsize=18:fontcolor=yellow:box=1:boxcolor=black@0.6:boxborderw=4:x=8:y=8:${enable(ws)}`)),
    ];
    graph.push(`[${cur}]${overlays.join(',')}[tile${i}]`);
    tiles.push(`[tile${i}]`);
  });
  const n = Math.max(1, tiles.length);
  const cols = Math.min(n, 3);
  const rows = Math.ceil(n / cols);
  for (let i = tiles.length; i < rows * cols; i++) {
    graph.push(`color=c=black:s=${W}x${H}:r=${fps}:d=${fmt(d)},format=yuv420p[tile${i}]`);
    tiles.push(`[tile${i}]`);
  }
  const layout = tiles.map((_, i) => `${(i % cols) * W}_${Math.floor(i / cols) * H}`).join('|');
  const grid = tiles.length === 1 ? `${tiles[0]}null` : `${tiles.join('')}xstack=inputs=${tiles.length}:layout=${layout}`;
  // The wall clock of the session, from its start (strftime colons escaped for drawtext's %{}).
  const clockFile = path.join(workDir, 'clock.txt');
  const caseText = m.caseInfo.caseNumber ? `${m.caseInfo.caseNumber}  ` : '';
  fs.writeFileSync(clockFile, `${caseText.replace(/%/g, '%%')}%{pts:localtime:${(start / 1000).toFixed(3)}:%Y-%m-%d %H\\:%M\\:%S}  ${o.timeZone ?? 'Asia/Shanghai'}`);
  const clock = `drawtext=${font}:textfile=${clockFile.replace(/[\\:']/g, (c) => `\\${c}`)}:fontsize=26:fontcolor=white:x=12:y=10`;
  graph.push(`${grid},pad=iw:ih+48:0:48:color=black,${clock},trim=duration=${fmt(d)}[vout]`);
  if (audio.length > 0) graph.push(`${audio.join('')}amix=inputs=${audio.length}:normalize=0:dropout_transition=0,apad,atrim=0:${fmt(d)}[aout]`);
  else graph.push(`anullsrc=r=48000:cl=mono,atrim=0:${fmt(d)}[aout]`);
  const script = path.join(workDir, 'graph.txt');
  fs.writeFileSync(script, graph.join(';\n'));
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
    ...inputs,
    '-filter_complex_script', script, '-filter_complex_threads', '1', '-filter_threads', '1',
    '-map', '[vout]', '-map', '[aout]',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '26', '-pix_fmt', 'yuv420p', '-threads', '1',
    '-c:a', 'aac', '-b:a', '96k', '-ac', '2',
    '-movflags', '+faststart', '-t', fmt(d),
    '-progress', 'pipe:1', '-nostats',
    out,
  ];
  return { args, durationSeconds: d };
}

/** A running render: progress events, cancel(), and `done` with the file's hashes. */
export class CompositeRender extends SafeEmitter<CompositeEvents> {
  readonly done: Promise<CompositeResult>;
  #child: ChildProcess | undefined;
  #cancelled = false;

  private constructor(m: Manifest, sessionDir: string, workDir: string, out: string, o: CompositeOptions) {
    super();
    this.done = this.#run(m, sessionDir, workDir, out, o);
  }

  static start(m: Manifest, sessionDir: string, workDir: string, out: string, o: CompositeOptions): CompositeRender {
    return new CompositeRender(m, sessionDir, workDir, out, o);
  }

  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** The renderer's process while it runs (the `nice` wrapper execs ffmpeg in place). */
  get pid(): number | undefined {
    return this.#child?.exitCode === null ? this.#child.pid : undefined;
  }

  cancel(): void {
    this.#cancelled = true;
    this.#child?.kill('SIGKILL');
  }

  async #run(m: Manifest, sessionDir: string, workDir: string, out: string, o: CompositeOptions): Promise<CompositeResult> {
    const partial = `${out}.partial.mp4`;
    try {
      const plan = planComposite(m, sessionDir, workDir, partial, o);
      if (!fs.existsSync(o.fontFile)) throw new Error(`composite: font file ${o.fontFile} not found (install fonts-wqy-microhei or set COMPOSITE_FONT_FILE)`);
      await new Promise<void>((resolve, reject) => {
        if (this.#cancelled) return reject(new Error('cancelled'));
        const child = spawn('nice', ['-n', String(o.nice ?? 10), o.ffmpegBin, ...plan.args], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, TZ: o.timeZone ?? 'Asia/Shanghai' },
        });
        this.#child = child;
        let stderr = '';
        let buffered = '';
        child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
        child.stdout!.on('data', (c: Buffer) => {
          buffered += c.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          for (const line of lines) {
            const us = /^out_time_us=(\d+)/.exec(line);
            if (us) this.emit('progress', Math.min(1, Number(us[1]) / 1e6 / plan.durationSeconds));
          }
        });
        child.once('error', reject);
        child.once('close', (code, signal) => {
          if (this.#cancelled) reject(new Error('cancelled'));
          else if (code === 0) resolve();
          else reject(new Error(`composite: ffmpeg exited ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' ')}`));
        });
      });
      fs.renameSync(partial, out);
      this.emit('progress', 1);
      const [sha256, bytes, sm3] = await hashFile(out);
      return { file: out, sha256, sm3, bytes, durationSeconds: plan.durationSeconds };
    } catch (err) {
      fs.rmSync(partial, { force: true });
      throw err;
    } finally {
      fs.rmSync(workDir, { recursive: true, force: true });
    }
  }
}
