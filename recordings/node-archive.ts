// The archive as a server node runs it, from the node's configuration (docs/configuration.md):
// signing keys and TSA, hourly audit checkpoints, exports with the composite renderer, and
// speech-to-text when a model is configured. What is not as it should be is reported as a
// degradation for /healthz (a missing TSA is an alarm, never a silent skip).
import path from 'node:path';
import type { Config } from '../server/core/config.ts';
import type { Store } from '../server/core/db.ts';
import type { Logger } from '../server/core/log.ts';
import { Archive, type ArchiveOptions } from './archive.ts';
import { DEFAULT_FONT_FILE, type CompositeOptions } from './composite.ts';
import type { EvidenceOptions } from './evidence.ts';
import { ExportJobs } from './export.ts';
import { resolveFfmpegBin } from './ffmpeg.ts';
import { ModelMissingError, openSherpaOnnx, type ModelKind } from './speech-to-text.ts';
import { TranscriptQueue } from './transcripts.ts';

export interface ArchiveNodeOptions {
  evidence: Partial<EvidenceOptions>;
  checkpointEveryMs: number;
  composite: Omit<CompositeOptions, 'tile' | 'fps'>;
  /** How long an export job's node may be silent before the job is failed (EXPORT_STALE_SECONDS). */
  exportStaleMs?: number;
  /** Absent: no speech-to-text model configured (no transcripts). */
  transcripts?: { modelDir: string; kind: ModelKind; language: string };
}

export function archiveNodeOptions(c: Config): ArchiveNodeOptions {
  return {
    evidence: {
      algorithms: c.ARCHIVE_SIGNING,
      nodeId: c.NODE_ID,
      ...(c.ARCHIVE_KEY_DIR ? { keyDir: path.resolve(c.ARCHIVE_KEY_DIR) } : {}),
      ...(c.TSA_URL && c.TSA_CA_FILE ? { tsa: { url: c.TSA_URL, caFile: path.resolve(c.TSA_CA_FILE) } } : {}),
    },
    checkpointEveryMs: c.AUDIT_CHECKPOINT_MINUTES * 60_000,
    composite: { ffmpegBin: resolveFfmpegBin(), fontFile: c.COMPOSITE_FONT_FILE ?? DEFAULT_FONT_FILE, timeZone: c.COMPOSITE_TIME_ZONE },
    exportStaleMs: c.EXPORT_STALE_SECONDS * 1000,
    ...(c.TRANSCRIPT_MODEL_DIR ? { transcripts: { modelDir: path.resolve(c.TRANSCRIPT_MODEL_DIR), kind: c.TRANSCRIPT_MODEL_KIND, language: c.TRANSCRIPT_LANGUAGE } } : {}),
  };
}

/** Something that works but not as it should (the node keeps serving). */
export interface Degradation {
  component: string;
  reason: string;
  since?: string;
}

export interface NodeArchive {
  archive: Archive;
  exports: ExportJobs;
  transcripts: TranscriptQueue | undefined;
  degraded(): Degradation[];
  close(): Promise<void>;
}

/** `storage`: where the archive and the spool are, who owns which session, the free-space floor, who else hears of its audit entries (ArchiveOptions). */
export async function openNodeArchive(o: {
  dataDir: string;
  store: Store;
  options?: ArchiveNodeOptions;
  storage?: Pick<ArchiveOptions, 'recordingsDir' | 'minFreeBytes' | 'leases' | 'auditObserver'>;
  log: Logger;
}): Promise<NodeArchive> {
  const { log } = o;
  const archive = await Archive.open({ dataDir: o.dataDir, store: o.store, ...o.storage, log, evidence: { ...o.options?.evidence, log } });
  const stopCheckpoints = archive.evidence.scheduleCheckpoints(o.options?.checkpointEveryMs);
  const exports = new ExportJobs(archive, log, o.options?.composite ?? { ffmpegBin: resolveFfmpegBin(), fontFile: DEFAULT_FONT_FILE }, {
    ...(o.options?.exportStaleMs ? { staleMs: o.options.exportStaleMs } : {}),
  });
  let transcripts: TranscriptQueue | undefined;
  let sttProblem: string | undefined;
  const stt = o.options?.transcripts;
  if (stt) {
    try {
      transcripts = new TranscriptQueue(archive, await openSherpaOnnx(stt), { ffmpegBin: resolveFfmpegBin(), log });
      archive.evidence.on('sealed', ({ sessionId }) => transcripts!.enqueue(sessionId));
    } catch (err) {
      sttProblem = err instanceof ModelMissingError ? err.message : `speech-to-text could not start: ${(err as Error).message}`;
      log.error({ err: sttProblem }, 'transcripts are off');
    }
  }
  archive.evidence.on('state', (s) => {
    if (s.state === 'ok') log.info({ pending: s.pending }, 'trusted timestamps: TSA answering');
  });
  if (archive.evidence.status.state === 'unconfigured') log.warn('trusted timestamps: TSA_URL is not set; sealed manifests and audit checkpoints get no RFC 3161 token');
  return {
    archive,
    exports,
    transcripts,
    degraded() {
      const out: Degradation[] = [];
      const t = archive.evidence.status;
      if (t.state === 'unreachable') out.push({ component: 'archive-timestamps', reason: `TSA unreachable, ${t.pending} token(s) pending: ${t.lastError ?? ''}`.trim(), ...(t.since ? { since: t.since } : {}) });
      if (t.state === 'unconfigured') out.push({ component: 'archive-timestamps', reason: `no TSA configured (TSA_URL), ${t.pending} seal(s) without a trusted timestamp` });
      if (sttProblem) out.push({ component: 'archive-transcripts', reason: sttProblem });
      return out;
    },
    async close() {
      stopCheckpoints();
      await exports.close();
      await archive.close();
    },
  };
}
