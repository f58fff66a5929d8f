// Transcripts per recorded audio track: each segment decoded to 16 kHz mono by ffmpeg, heard by
// the configured speech-to-text engine, and written as lines on the session's clock (seconds
// from its start, as the player counts) under DATA_DIR/recordings/.derived/<sessionId>/
// transcripts/<trackId>.json. A copy derived from the originals: its SHA-256 and SM3 go into
// the audit chain (`transcript`), and exports list it beside the segments.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { z } from 'zod';
import type { Logger } from '../server/core/log.ts';
import { SYSTEM_ACTOR, sha256Hex, sm3Hex, type AuditActor } from '../server/core/audit-chain.ts';
import type { Archive } from './archive.ts';
import { hashFile, segmentPath, writeJsonAtomicAsync } from './manifest.ts';
import type { Recognized, SpeechToText } from './speech-to-text.ts';
import type { DerivedFile } from './verify.ts';
import { transcriptSchema, type Transcript, type TranscriptLine } from '../server/protocol/http/archive-shapes.ts';

export { transcriptSchema, type Transcript, type TranscriptLine };

const SAMPLE_RATE = 16000;
/** A pause this long between tokens starts a new line. */
const PAUSE_SECONDS = 0.8;
const SENTENCE_END = /^[。！？!?，,；;.]$/u;

/** One segment's audio as 16 kHz mono float samples. */
export function decodePcm(ffmpegBin: string, file: string): Promise<Float32Array> {
  return new Promise((resolve, reject) => {
    const child = spawn('nice', ['-n', '10', ffmpegBin, '-hide_banner', '-nostdin', '-loglevel', 'error', '-threads', '1', '-i', file, '-vn', '-ac', '1', '-ar', String(SAMPLE_RATE), '-f', 'f32le', 'pipe:1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`ffmpeg could not decode ${file}: ${stderr.trim()}`));
      const buf = Buffer.concat(chunks);
      resolve(new Float32Array(buf.buffer, buf.byteOffset, Math.floor(buf.length / 4)));
    });
  });
}

/** Lines on the session clock: split at sentence punctuation and pauses when the engine gives token times. */
export function linesOf(r: Recognized, offset: number, duration: number): TranscriptLine[] {
  if (!r.text) return [];
  if (!r.tokens || !r.timestamps || r.tokens.length === 0) return [{ start: offset, end: offset + duration, text: r.text }];
  const lines: TranscriptLine[] = [];
  let text = '';
  let start: number | undefined;
  const flush = (end: number) => {
    if (text.trim() && start !== undefined) lines.push({ start: round(offset + start), end: round(offset + Math.max(end, start)), text: text.trim() });
    text = '';
    start = undefined;
  };
  r.tokens.forEach((tok, i) => {
    const t = r.timestamps![i]!;
    const prev = i > 0 ? r.timestamps![i - 1]! : undefined;
    if (prev !== undefined && t - prev > PAUSE_SECONDS && text) flush(prev + 0.3);
    start ??= t;
    text += tok.replace(/▁/g, ' ');
    if (SENTENCE_END.test(tok)) flush(r.timestamps![i + 1] ?? duration);
  });
  flush(duration);
  return lines;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export interface TranscribeOptions {
  ffmpegBin: string;
  actor?: AuditActor;
  log?: Logger;
}

/** Transcribes every audio track of a sealed session; one track, one segment at a time. */
export async function transcribeSession(archive: Archive, sessionId: string, stt: SpeechToText, o: TranscribeOptions): Promise<Transcript[]> {
  const m = await archive.assertAndGetManifest(sessionId);
  const dir = archive.sessionDir(sessionId);
  const outDir = path.join(archive.derivedDir(sessionId), 'transcripts');
  fs.mkdirSync(outDir, { recursive: true });
  const made: Transcript[] = [];
  for (const p of m.participants) {
    for (const t of p.tracks.filter((x) => x.kind === 'audio')) {
      const lines: TranscriptLine[] = [];
      for (const s of t.segments) {
        const samples = await decodePcm(o.ffmpegBin, segmentPath(dir, s.file));
        if (samples.length < SAMPLE_RATE / 10) continue;
        lines.push(...linesOf(await stt.recognize(samples, SAMPLE_RATE), s.offsetSeconds, s.durationSeconds));
      }
      const transcript: Transcript = {
        format: 'suzhou-video-transcript/1',
        sessionId,
        participantId: p.participantId,
        name: p.name,
        role: p.role,
        trackId: t.trackId,
        lane: t.lane,
        engine: stt.engine,
        model: stt.model,
        createdAt: new Date().toISOString(),
        lines,
      };
      const file = path.join(outDir, `${t.trackId}.json`);
      await writeJsonAtomicAsync(file, transcript);
      const [sha256, bytes, sm3] = await hashFile(file);
      await archive.audit.append({
        type: 'transcript',
        sessionId,
        actor: o.actor ?? SYSTEM_ACTOR,
        details: { trackId: t.trackId, participantId: p.participantId, file: `${t.trackId}.json`, sha256, sm3, bytes, engine: stt.engine, model: stt.model, lines: lines.length },
      });
      o.log?.info({ sessionId, trackId: t.trackId, lines: lines.length }, 'transcript made');
      made.push(transcript);
    }
  }
  return made;
}

const transcriptEntrySchema = z.object({ trackId: z.string(), file: z.string().regex(/^[\w.\-]+\.json$/), sha256: z.string(), sm3: z.string(), bytes: z.number() });

/** The latest transcript of each track whose file is still what its audit entry recorded. */
export function transcriptsOf(archive: Archive, sessionId: string): { file: string; transcript: Transcript; derived: DerivedFile }[] {
  const latest = new Map<string, { seq: number; d: z.infer<typeof transcriptEntrySchema> }>();
  for (const e of archive.audit.entries()) {
    if (e.sessionId !== sessionId || e.type !== 'transcript') continue;
    const d = transcriptEntrySchema.safeParse(e.details);
    if (d.success) latest.set(d.data.trackId, { seq: e.seq, d: d.data });
  }
  const dir = path.join(archive.derivedDir(sessionId), 'transcripts');
  return [...latest.values()].flatMap(({ seq, d }) => {
    const file = path.join(dir, d.file);
    if (!fs.existsSync(file)) return [];
    const bytes = fs.readFileSync(file);
    if (sha256Hex(bytes) !== d.sha256 || sm3Hex(bytes) !== d.sm3) return [];
    const parsed = transcriptSchema.safeParse(JSON.parse(bytes.toString('utf8')));
    if (!parsed.success) return [];
    return [{ file, transcript: parsed.data, derived: { file: d.file, kind: 'transcript' as const, sha256: d.sha256, sm3: d.sm3, bytes: d.bytes, auditSeq: seq } }];
  });
}

/**
 * Sessions waiting for transcription, done one at a time in the background (the recorders and
 * the SFU come first: one engine thread, ffmpeg at nice 10).
 */
export class TranscriptQueue {
  #chain: Promise<void> = Promise.resolve();
  readonly #queued = new Set<string>();

  constructor(
    private readonly archive: Archive,
    private readonly stt: SpeechToText,
    private readonly o: TranscribeOptions & { log: Logger },
  ) {}

  get engine(): string {
    return this.stt.engine;
  }

  has(sessionId: string): boolean {
    return this.#queued.has(sessionId);
  }

  enqueue(sessionId: string, actor?: AuditActor): void {
    if (this.#queued.has(sessionId)) return;
    this.#queued.add(sessionId);
    this.#chain = this.#chain
      .then(() => transcribeSession(this.archive, sessionId, this.stt, { ...this.o, ...(actor ? { actor } : {}) }))
      .then(
        () => undefined,
        (err: unknown) => this.o.log.error({ err, sessionId }, 'transcription failed'),
      )
      .finally(() => this.#queued.delete(sessionId));
  }

  /** Resolves when everything queued so far is done. */
  idle(): Promise<void> {
    return this.#chain;
  }
}
