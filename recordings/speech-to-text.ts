// Speech-to-text for one recorded track. Every participant is recorded alone, so a transcript is
// speaker-labelled without diarisation. The engine shipped is sherpa-onnx (npm `sherpa-onnx-node`,
// whose native addon and onnxruntime come inside the `sherpa-onnx-linux-x64` package — nothing is
// downloaded), running a Chinese model the deployment supplies: SenseVoice (zh/en/yue/ja/ko) or
// Paraformer (zh), each a `model.int8.onnx` (or `model.onnx`) and `tokens.txt` in one folder.
// No model ships with the product; without one there is no transcript, never a made-up one.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

/** What an engine heard in one stretch of 16 kHz mono audio. */
export interface Recognized {
  text: string;
  /** Tokens and their start times in seconds from the stretch's start, when the model gives them. */
  tokens?: string[];
  timestamps?: number[];
}

export interface SpeechToText {
  /** e.g. "sherpa-onnx sense-voice". */
  readonly engine: string;
  /** Model folder name and files' size, for the transcript's provenance. */
  readonly model: string;
  recognize(samples: Float32Array, sampleRate: 16000): Promise<Recognized>;
  close(): void;
}

export const MODEL_KINDS = ['sense-voice', 'paraformer'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

export class ModelMissingError extends Error {
  constructor(readonly file: string) {
    super(`speech-to-text model file missing: ${file}`);
  }
}

/** The model file a folder holds (int8 preferred), or the error naming what is missing. */
export function modelFiles(dir: string): { model: string; tokens: string } {
  const model = ['model.int8.onnx', 'model.onnx'].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!model) throw new ModelMissingError(path.join(dir, 'model.int8.onnx'));
  const tokens = path.join(dir, 'tokens.txt');
  if (!fs.existsSync(tokens)) throw new ModelMissingError(tokens);
  return { model, tokens };
}

interface SherpaStream {
  acceptWaveform(w: { samples: Float32Array; sampleRate: number }): void;
}
interface SherpaRecognizer {
  createStream(): SherpaStream;
  decodeAsync(s: SherpaStream): Promise<void>;
  getResult(s: SherpaStream): { text: string; tokens?: string[]; timestamps?: number[] };
}
interface SherpaModule {
  OfflineRecognizer: { createAsync(config: unknown): Promise<SherpaRecognizer> };
}

/** sherpa-onnx's offline recognizer on a model folder, one thread (the recorders come first). */
export async function openSherpaOnnx(o: { modelDir: string; kind: ModelKind; language?: string }): Promise<SpeechToText> {
  const { model, tokens } = modelFiles(o.modelDir);
  const sherpa = createRequire(import.meta.url)('sherpa-onnx-node') as SherpaModule;
  const modelConfig =
    o.kind === 'sense-voice'
      ? { senseVoice: { model, language: o.language ?? 'zh', useInverseTextNormalization: 1 } }
      : { paraformer: { model } };
  const recognizer = await sherpa.OfflineRecognizer.createAsync({
    featConfig: { sampleRate: 16000, featureDim: 80 },
    modelConfig: { ...modelConfig, tokens, numThreads: 1, provider: 'cpu', debug: 0 },
  });
  return {
    engine: `sherpa-onnx ${o.kind}`,
    model: `${path.basename(o.modelDir)}/${path.basename(model)} (${fs.statSync(model).size} bytes)`,
    async recognize(samples, sampleRate) {
      const stream = recognizer.createStream();
      stream.acceptWaveform({ samples, sampleRate });
      await recognizer.decodeAsync(stream);
      const r = recognizer.getResult(stream);
      return { text: r.text.trim(), ...(r.tokens && r.timestamps && r.tokens.length === r.timestamps.length ? { tokens: r.tokens, timestamps: r.timestamps } : {}) };
    },
    close() {
      // The addon frees the recognizer with its handle.
    },
  };
}
