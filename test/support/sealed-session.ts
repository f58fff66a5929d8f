// A stopped session written by hand — one participant, one track, the given bytes as its
// segments — and sealed through the archive's evidence service (signatures, a timestamp token
// when a TSA is configured) and indexed, as the recorder would leave it. For tests of what
// comes after recording that need no media pipeline.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Archive } from '../../recordings/archive.ts';
import { SYSTEM_ACTOR, sha256Hex, sm3Hex } from '../../server/core/audit-chain.ts';
import { MANIFEST_FILE, writeJsonAtomic, type Manifest } from '../../recordings/manifest.ts';

export interface SealedTrack {
  lane: 'camera' | 'microphone';
  /** Each segment's bytes (default: two of random bytes) and length in seconds. */
  segments?: { bytes: Buffer; seconds: number }[];
}

export async function sealedSession(archive: Archive, sessionId: string, track: SealedTrack = { lane: 'camera' }): Promise<Manifest> {
  const dir = archive.sessionDir(sessionId);
  fs.mkdirSync(path.join(dir, 'p-a'), { recursive: true });
  const video = track.lane === 'camera';
  const trackId = `${track.lane}-x`;
  const parts = track.segments ?? [0, 1].map((i) => ({ bytes: randomBytes(3000 + i), seconds: 3 }));
  const total = parts.reduce((n, p) => n + p.seconds, 0);
  const startedAt = new Date(Date.now() - total * 1000 - 1000).toISOString();
  let offset = 0;
  const segments = parts.map(({ bytes, seconds }, seq) => {
    const file = `p-a/${trackId}-r0-0000${seq}.webm`;
    fs.writeFileSync(path.join(dir, file), bytes);
    const s = { id: `${trackId}-r0-0000${seq}`, file, run: 0, seq, sha256: sha256Hex(bytes), sm3: sm3Hex(bytes), bytes: bytes.length, durationSeconds: seconds, firstPacketAt: startedAt, offsetSeconds: offset, closedAt: startedAt };
    offset += seconds;
    return s;
  });
  const m: Manifest = {
    version: 1, sessionId,
    caseInfo: { kind: 'petition', roomId: `room-${sessionId}`, caseNumber: `C-${sessionId}`, departments: [], officials: [] },
    retentionClass: 'petition', segmentSeconds: 3, status: 'stopped', startedAt, stoppedAt: new Date().toISOString(),
    participants: [{ participantId: 'a', name: 'A', role: 'petitioner', joinedAt: startedAt, gaps: [], tracks: [{
      trackId, producerId: 'p', lane: track.lane, kind: video ? 'video' : 'audio',
      codec: video ? { mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 } : { mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 },
      startedAt, runs: [{ run: 0, startedAt }], segments,
    }] }],
    timeline: [],
  };
  await archive.audit.append({ type: 'recording-start', sessionId, actor: SYSTEM_ACTOR });
  writeJsonAtomic(path.join(dir, MANIFEST_FILE), m);
  const seal = await archive.evidence.seal({ type: 'recording-stop', sessionId, manifestBytes: fs.readFileSync(path.join(dir, MANIFEST_FILE)) });
  await archive.catalog.indexManifest(m, { manifestSha256: seal.details.manifestSha256 as string, retainUntil: archive.retainUntil(m) });
  return m;
}
