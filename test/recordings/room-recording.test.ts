// recordRoom(): the glue between an SFU room and its SessionRecorder, driven through a real Room
// (sfu/room.ts on the real worker pool) whose peers publish real RTP through the room's own
// plain transports: producers already there and those that appear later are recorded, a peer
// leaving ends their tracks without a gap, and closing the room seals the recording.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenIssuer, type Role } from '../../server/auth/grants.ts';
import { createLogger } from '../../server/core/log.ts';
import { Archive } from '../../recordings/archive.ts';
import type { Manifest } from '../../recordings/manifest.ts';
import { recordRoom } from '../../recordings/room-recording.ts';
import type { SessionRecorder } from '../../recordings/session-recorder.ts';
import { Peer } from '../../sfu/peer.ts';
import { Room } from '../../sfu/room.ts';
import { WorkerPool } from '../../sfu/worker-pool.ts';
import { makeClip, startFeed, type Feed } from '../../scripts/harness/rtp-feed.ts';
import { until } from '../support/evidence.ts';

const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn');
const tokens = new TokenIssuer('room-recording-test-secret', 600);

async function startPool(): Promise<WorkerPool> {
  // Random port bases so parallel test processes on this machine do not collide.
  for (let attempt = 0; ; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 20000);
    try {
      return await WorkerPool.create({ size: 1, logLevel: 'warn', listenIp: '127.0.0.1', portBase: base, rtcMinPort: base + 100, rtcMaxPort: base + 300 }, log);
    } catch (err) {
      if (attempt >= 4) throw err;
    }
  }
}

/** A participant as the signalling layer would make one: verified claims, a notify sink. */
function joinPeer(room: Room, sub: string, name: string, role: Role, told: string[]): Peer {
  const claims = tokens.verify(tokens.issue({ sub, name, role, grant: { rooms: [room.id], canPublish: true, canSubscribe: true, sources: ['camera', 'microphone'] } }));
  const peer = new Peer(sub, name, claims, (event, ...args) => void told.push(`${sub}:${event}:${JSON.stringify(args[0])}`));
  room.join(peer, room.rtpCapabilities);
  return peer;
}

/** Publishes a looped VP8+Opus clip from `peer` through the room, as camera ingest would. */
async function publish(room: Room, peer: Peer, clip: string, ssrcBase: number): Promise<Feed> {
  const feed = await startFeed(room.router, clip, peer.id, ssrcBase, {
    transport: (o) => room.createPlainTransport(peer, 'send', o),
    appData: { peerId: peer.id },
  });
  room.addProducer(peer, feed.video);
  room.addProducer(peer, feed.audio);
  return feed;
}

/** Lanes whose track has recorded its first packet, as `participant/lane`. */
const recordingLanes = (m: Manifest) => m.participants.flatMap((p) => p.tracks.filter((t) => t.runs[0]?.firstPacketAt).map((t) => `${p.participantId}/${t.lane}`)).sort();

describe('recordRoom on a real room', () => {
  let tmp: string;
  let pool: WorkerPool;
  let archive: Archive;
  const feeds: Feed[] = [];
  const told: string[] = [];
  let recorder: SessionRecorder;
  let manifest: Manifest;
  let spareSlotsSeen = 0;
  /** room.recording: once recording started, when bob joined, once sealed. */
  const shown: boolean[] = [];

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-room-'));
    const clip = makeClip(path.join(tmp, 'clip.webm'));
    pool = await startPool();
    archive = await Archive.open({ dataDir: path.join(tmp, 'data') });
    const room = await Room.create({ roomId: 'petition:T-9', pool, log, emptyTimeoutMs: 60_000 });
    const alice = joinPeer(room, 'alice', '张大爷', 'petitioner', told);
    feeds.push(await publish(room, alice, clip, 8000));

    recorder = await recordRoom(room, { archive, caseInfo: { kind: 'petition', caseNumber: 'SZ-9' }, segmentSeconds: 3, log });
    const stopped = new Promise((r) => recorder.once('stopped', r));
    shown.push(room.recording);
    // Spare ffmpegs for later joiners: their output slots appear in the session's spool folder.
    spareSlotsSeen = await until('four spare recording ffmpegs', () => {
      const n = fs.readdirSync(archive.spoolDir(recorder.sessionId)).filter((f) => f.startsWith('.slot-')).length;
      return n >= 4 ? n : 0;
    });

    const bob = joinPeer(room, 'bob', '王科长', 'official', told); // a joint-session official joins
    shown.push(room.recording); // what signalling answers bob's join with
    feeds.push(await publish(room, bob, clip, 9000));
    recorder.updateCaseInfo({ departments: ['住建'] }); // 联合接访: a second department joined
    await until('all four lanes recording', () => recordingLanes(recorder.manifest).length === 4);

    room.leave(alice);
    await until('alice\'s tracks ended', () => recorder.manifest.participants.find((p) => p.participantId === 'alice')?.tracks.every((t) => t.endedAt));
    room.close('ended');
    await stopped;
    shown.push(room.recording);
    manifest = JSON.parse(fs.readFileSync(path.join(recorder.dir, 'manifest.json'), 'utf8')) as Manifest;
  }, 60_000);

  afterAll(async () => {
    for (const f of feeds) f.close();
    await pool?.close();
    archive?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('records producers already in the room and those that appear later, and seals on close', () => {
    expect(manifest.status).toBe('stopped');
    expect(manifest.sessionId).toMatch(/^petition_T-9-\d{8}T\d{6}Z$/);
    expect(manifest.caseInfo).toMatchObject({ roomId: 'petition:T-9', caseNumber: 'SZ-9' });
    expect(recordingLanes(manifest)).toEqual(['alice/camera', 'alice/microphone', 'bob/camera', 'bob/microphone']);
    const [alice, bob] = ['alice', 'bob'].map((id) => manifest.participants.find((p) => p.participantId === id)!);
    for (const t of [...alice!.tracks, ...bob!.tracks]) expect(t.segments.length).toBeGreaterThanOrEqual(1);
    // Bob arrived after the recorder had spare ffmpegs listening: his tracks used them, their
    // segments still land in his folder, and his recording started without waiting for ffmpeg.
    expect(spareSlotsSeen).toBeGreaterThanOrEqual(4);
    expect(bob!.tracks.map((t) => t.trackId.replace(/-[0-9a-f]{8}$/, '')).sort()).toEqual(['audio', 'video']);
    for (const t of bob!.tracks) {
      for (const seg of t.segments) expect(seg.file.startsWith('p-bob/')).toBe(true);
      if (process.env.TEST_DUMP) console.log(t.lane, 'start-up', Date.parse(t.runs[0]!.firstPacketAt!) - Date.parse(t.startedAt), 'ms');
    }
    expect(fs.readdirSync(archive.sessionDir(manifest.sessionId)).filter((f) => f.startsWith('.slot-'))).toEqual([]);
    // Every segment left the spool for the archive store; the spool folder went with the seal.
    expect(fs.existsSync(archive.spoolDir(manifest.sessionId))).toBe(false);
    expect(Date.parse(bob!.joinedAt) - Date.parse(manifest.startedAt)).toBeGreaterThan(1000);
  });

  it('keeps case changes made during the session, and finds the session by them', async () => {
    expect(manifest.caseInfo.departments).toEqual(['住建']);
    expect((await archive.catalog.search({ department: '住建' })).map((r) => r.sessionId)).toEqual([manifest.sessionId]);
    // An official who joined is searchable by name although the case listed no officials.
    expect((await archive.catalog.search({ official: '王科长' })).map((r) => r.sessionId)).toEqual([manifest.sessionId]);
  });

  it('ends a departed peer\'s tracks without a gap, and shows every participant the room as recorded while it is', () => {
    const alice = manifest.participants.find((p) => p.participantId === 'alice')!;
    expect(alice.leftAt).toBeDefined();
    expect(alice.gaps.map((g) => g.reason)).toEqual(['recorder-starting', 'recorder-starting']);
    expect(alice.tracks.every((t) => t.endReason === 'left')).toBe(true);
    expect(manifest.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['participant-left', 'room-closed', 'recording-stopped']));
    // Alice, there when recording began, is told; bob, joining a recorded room, gets the room's
    // flag in his join answer; the flag falls when the recording is sealed.
    expect(told.filter((t) => t.includes(':recording:'))).toEqual(['alice:recording:{"active":true}']);
    expect(shown).toEqual([true, true, false]);
  });
});
