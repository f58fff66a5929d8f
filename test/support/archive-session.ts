// A session written into an archive by hand — random bytes as segments, a manifest, its audit
// entries and catalog row — for tests of what the archive does with sessions (holds, retention,
// access), where the hashing and bookkeeping do not care what the bytes are.
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import type { Archive } from '../../recordings/archive.ts';
import { SYSTEM_ACTOR } from '../../server/core/audit-chain.ts';
import { MANIFEST_FILE, writeJsonAtomic, type Manifest } from '../../recordings/manifest.ts';

export async function writeSession(archive: Archive, sessionId: string, opts: { caseNumber: string; startedAt: string; kind?: 'petition' | 'household'; department?: string; region?: string; recording?: boolean }): Promise<Manifest> {
  const dir = archive.sessionDir(sessionId);
  fs.mkdirSync(path.join(dir, 'p-a'), { recursive: true });
  const segments = [0, 1].map((seq) => {
    const bytes = randomBytes(2000 + seq);
    const file = `p-a/camera-x-r0-0000${seq}.webm`;
    fs.writeFileSync(path.join(dir, file), bytes);
    return {
      id: `camera-x-r0-0000${seq}`, file, run: 0, seq,
      sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length,
      durationSeconds: 3, firstPacketAt: opts.startedAt, offsetSeconds: seq * 3, closedAt: opts.startedAt,
    };
  });
  const m: Manifest = {
    version: 1,
    sessionId,
    caseInfo: {
      kind: opts.kind ?? 'petition', roomId: `room-${sessionId}`, caseNumber: opts.caseNumber, terminalId: 'T-1', region: opts.region ?? 'R-1',
      departments: opts.department ? [opts.department] : [], officials: [{ id: 'o-1', name: '王科长', department: '人社' }], petitioner: { name: '张大爷' },
    },
    retentionClass: opts.kind ?? 'petition',
    segmentSeconds: 3,
    status: opts.recording ? 'recording' : 'stopped',
    startedAt: opts.startedAt,
    ...(opts.recording ? {} : { stoppedAt: new Date(Date.parse(opts.startedAt) + 6000).toISOString() }),
    participants: [{ participantId: 'a', name: 'A', role: 'petitioner', joinedAt: opts.startedAt, gaps: [], tracks: [{
      trackId: 'camera-x', producerId: 'p', lane: 'camera', kind: 'video', codec: { mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 },
      startedAt: opts.startedAt, runs: [{ run: 0, startedAt: opts.startedAt }], segments,
    }] }],
    timeline: [],
  };
  await archive.audit.append({ type: 'recording-start', sessionId, actor: SYSTEM_ACTOR });
  writeJsonAtomic(path.join(dir, MANIFEST_FILE), m);
  const manifestSha256 = createHash('sha256').update(fs.readFileSync(path.join(dir, MANIFEST_FILE))).digest('hex');
  if (opts.recording) return m;
  await archive.audit.append({ type: 'recording-stop', sessionId, actor: SYSTEM_ACTOR, details: { manifestSha256 } });
  await archive.catalog.indexManifest(m, { manifestSha256, retainUntil: archive.retainUntil(m) });
  return m;
}
