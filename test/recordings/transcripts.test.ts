// The transcript hook with its real engine, sherpa-onnx (npm `sherpa-onnx-node`, native addon
// inside the package). No speech model ships with any npm package, so the engine's run on speech
// needs a model folder supplied like a deployment does (TRANSCRIPT_TEST_MODEL_DIR, a sherpa-onnx
// SenseVoice folder with model.int8.onnx, tokens.txt and its test_wavs/zh.wav); without it that
// test is skipped with a message naming the missing file — never a made-up transcript.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Archive } from '../../recordings/archive.ts';
import { sha256Hex } from '../../server/core/audit-chain.ts';
import { ExportJobs } from '../../recordings/export.ts';
import { resolveFfmpegBin } from '../../recordings/ffmpeg.ts';
import { ModelMissingError, modelFiles, openSherpaOnnx, type SpeechToText } from '../../recordings/speech-to-text.ts';
import { transcribeSession, transcriptsOf } from '../../recordings/transcripts.ts';
import { listTar, readTarEntry } from '../../recordings/tar.ts';
import { verifyPackage } from '../../recordings/verify.ts';
import { createLogger } from '../../server/core/log.ts';
import { sealedSession } from '../support/sealed-session.ts';

const MODEL_DIR = path.resolve(process.env.TRANSCRIPT_TEST_MODEL_DIR ?? '.cache/sherpa-onnx-sense-voice');
const SPEECH = path.join(MODEL_DIR, 'test_wavs', 'zh.wav');

/** The first file the engine test needs that is not there, or undefined. */
function missingFile(): string | undefined {
  try {
    modelFiles(MODEL_DIR);
  } catch (err) {
    if (err instanceof ModelMissingError) return err.file;
    throw err;
  }
  return fs.existsSync(SPEECH) ? undefined : SPEECH;
}
const missing = missingFile();
const SKIP_NOTE = missing ? ` — SKIPPED: speech-to-text model file missing: ${missing} (set TRANSCRIPT_TEST_MODEL_DIR to a sherpa-onnx SenseVoice model folder)` : '';
if (missing) console.warn(`test/recordings/transcripts.test.ts${SKIP_NOTE}`);

describe('the speech-to-text engine', () => {
  it('loads from its npm package, and refuses a model folder without its model, naming the file', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-stt-'));
    try {
      await expect(openSherpaOnnx({ modelDir: empty, kind: 'sense-voice' })).rejects.toThrow(`speech-to-text model file missing: ${path.join(empty, 'model.int8.onnx')}`);
      fs.writeFileSync(path.join(empty, 'model.int8.onnx'), '');
      await expect(openSherpaOnnx({ modelDir: empty, kind: 'sense-voice' })).rejects.toThrow(`speech-to-text model file missing: ${path.join(empty, 'tokens.txt')}`);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
    // The native addon itself is there (no download at install).
    const { createRequire } = await import('node:module');
    const sherpa = createRequire(import.meta.url)('sherpa-onnx-node') as { OfflineRecognizer?: unknown };
    expect(typeof sherpa.OfflineRecognizer).toBe('function');
  });
});

describe.skipIf(missing !== undefined)(`a transcript of a recorded audio track${SKIP_NOTE}`, () => {
  let tmp: string;
  let archive: Archive;
  let stt: SpeechToText;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-transcript-'));
    archive = await Archive.open({ dataDir: tmp });
    stt = await openSherpaOnnx({ modelDir: MODEL_DIR, kind: 'sense-voice' });
  }, 60_000);
  afterAll(async () => {
    stt?.close();
    await archive?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('is made by the engine from the Opus segment, on the session clock, and goes into the package with its hash', async () => {
    // The model's own Chinese test recording, as the recorder would have stored it (WebM/Opus).
    const webm = path.join(tmp, 'speech.webm');
    execFileSync(resolveFfmpegBin(), ['-v', 'error', '-i', SPEECH, '-c:a', 'libopus', '-ar', '48000', '-ac', '2', webm]);
    const seconds = Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', SPEECH], { encoding: 'utf8' }).trim());
    await sealedSession(archive, 'S-stt', { lane: 'microphone', segments: [{ bytes: fs.readFileSync(webm), seconds }] });

    const [t] = await transcribeSession(archive, 'S-stt', stt, { ffmpegBin: resolveFfmpegBin() });
    expect(t!.engine).toBe('sherpa-onnx sense-voice');
    const text = t!.lines.map((l) => l.text).join('');
    expect(text, 'Chinese heard in the model\'s test recording').toMatch(/\p{Script=Han}{2,}/u);
    for (const l of t!.lines) {
      expect(l.start).toBeGreaterThanOrEqual(0);
      expect(l.end).toBeLessThanOrEqual(seconds + 0.5);
    }
    const [kept] = transcriptsOf(archive, 'S-stt');
    expect(kept!.transcript.lines).toEqual(t!.lines);

    const job = await new ExportJobs(archive, createLogger('silent')).exportAndWait('S-stt', { kind: 'user', sub: 'u-1', name: '档案员甲', role: 'archivist' });
    const entries = listTar(job.file!);
    const entry = entries.find((e) => e.name === `S-stt/derived/transcripts/${t!.trackId}.json`)!;
    expect(entry).toBeDefined();
    const sums = readTarEntry(job.file!, entries.find((e) => e.name === 'S-stt/SHA256SUMS')!).toString();
    expect(sums).toContain(`${sha256Hex(readTarEntry(job.file!, entry))}  derived/transcripts/${t!.trackId}.json`);
    expect(await verifyPackage(job.file!)).toMatchObject({ ok: true, problems: [] });
  }, 120_000);
});
