// The recording pipeline and archive, as the server uses them (docs/recordings.md).
export { Archive, DEFAULT_RETENTION_DAYS, type ArchiveOptions } from './archive.ts';
export { SessionRecorder, type AddProducerInput, type SessionRecorderEvents, type SessionRecorderOptions } from './session-recorder.ts';
export { ExportJobs, type ExportJob } from './export.ts';
export { createArchiveRouter, type ArchiveRouterDeps } from './http/router.ts';
export { newSessionId, type CaseInfo, type Gap, type Manifest, type Segment } from './manifest.ts';
export { verifyArchive, verifyPackage, type VerifyProblem, type VerifyReport } from './verify.ts';
export type { AuditActor } from '../server/core/audit-chain.ts';
export { recordRoom, type RecordRoomOptions } from './room-recording.ts';
