// recordRoom(): the glue between an SFU room and its SessionRecorder, driven through the room's
// own events (a stand-in room with a real router and real RTP).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { types } from 'mediasoup';
import { createLogger } from '../../server/core/log.ts';
import { Archive } from '../../recordings/archive.ts';
import type { Manifest } from '../../recordings/manifest.ts';
import { recordRoom, type RecordableRoom } from '../../recordings/room-recording.ts';
import { createTestWorker, makeClip, MEDIA_CODECS, startFeed, type Feed } from '../../scripts/harness/rtp-feed.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('recordRoom', () => {
  let tmp: string;
  let worker: types.Worker;
  let archive: Archive;
  const feeds: Feed[] = [];
  let manifest: Manifest;
  const flags: boolean[] = [];

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-room-'));
    const clip = makeClip(path.join(tmp, 'clip.webm'));
    worker = await createTestWorker();
    const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    archive = await Archive.open({ dataDir: path.join(tmp, 'data') });
    feeds.push(await startFeed(router, clip, 'alice', 8000), await startFeed(router, clip, 'bob', 9000));
    const peer = (f: Feed, name: string, role: string) => ({ id: f.participantId, name, role, producers: new Map([[f.video.id, f.video], [f.audio.id, f.audio]]) });
    const alice = peer(feeds[0]!, '张大爷', 'petitioner');
    const bob = peer(feeds[1]!, '王科长', 'official');
    // Just the part of Room that recordRoom uses.
    const room = Object.assign(new EventEmitter(), { id: 'petition:T-9', router, peers: new Map([[alice.id, alice]]) });
    Object.defineProperty(room, 'recording', { set: (v: boolean) => flags.push(v), get: () => flags.at(-1) ?? false });
    const fakeRoom = room as unknown as RecordableRoom;

    const recorder = await recordRoom(fakeRoom, { archive, caseInfo: { kind: 'petition', caseNumber: 'SZ-9' }, segmentSeconds: 3, log: createLogger('warn') });
    const stopped = new Promise((r) => recorder.once('stopped', r));
    await sleep(1500);
    room.emit('producer', { peer: bob, producer: feeds[1]!.video }); // a joint-session official joins
    room.emit('producer', { peer: bob, producer: feeds[1]!.audio });
    recorder.updateCaseInfo({ departments: ['住建'] }); // 联合接访: a second department joined
    await sleep(2000);
    room.emit('peerleft', alice);
    await sleep(1000);
    room.emit('close', 'ended');
    await stopped;
    manifest = JSON.parse(fs.readFileSync(path.join(recorder.dir, 'manifest.json'), 'utf8')) as Manifest;
  }, 60_000);

  afterAll(() => {
    for (const f of feeds) f.close();
    worker?.close();
    archive?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('records producers already in the room and those that appear later, and seals on close', () => {
    expect(manifest.status).toBe('stopped');
    expect(manifest.sessionId).toMatch(/^petition_T-9-\d{8}T\d{6}Z$/);
    expect(manifest.caseInfo).toMatchObject({ roomId: 'petition:T-9', caseNumber: 'SZ-9' });
    const [alice, bob] = ['alice', 'bob'].map((id) => manifest.participants.find((p) => p.participantId === id)!);
    expect(alice!.tracks.map((t) => t.lane).sort()).toEqual(['camera', 'microphone']);
    expect(bob!.tracks.map((t) => t.lane).sort()).toEqual(['camera', 'microphone']);
    for (const t of [...alice!.tracks, ...bob!.tracks]) expect(t.segments.length).toBeGreaterThanOrEqual(1);
    // Bob arrived after the recorder had spare ffmpegs listening: his tracks used them, their
    // segments still land in his folder, and his recording started without waiting for ffmpeg.
    expect(bob!.tracks.map((t) => t.trackId.replace(/-[0-9a-f]{8}$/, '')).sort()).toEqual(['audio', 'video']);
    for (const t of bob!.tracks) {
      for (const seg of t.segments) expect(seg.file.startsWith('p-bob/')).toBe(true);
      if (process.env.TEST_DUMP) console.log(t.lane, 'start-up', Date.parse(t.runs[0]!.firstPacketAt!) - Date.parse(t.startedAt), 'ms');
    }
    expect(fs.readdirSync(path.dirname(path.join(archive.sessionDir(manifest.sessionId), 'x'))).filter((f) => f.startsWith('.slot-'))).toEqual([]);
    expect(Date.parse(bob!.joinedAt) - Date.parse(manifest.startedAt)).toBeGreaterThan(1000);
  });

  it('keeps case changes made during the session, and finds the session by them', async () => {
    expect(manifest.caseInfo.departments).toEqual(['住建']);
    expect((await archive.catalog.search({ department: '住建' })).map((r) => r.sessionId)).toEqual([manifest.sessionId]);
    // An official who joined is searchable by name although the case listed no officials.
    expect((await archive.catalog.search({ official: '王科长' })).map((r) => r.sessionId)).toEqual([manifest.sessionId]);
  });

  it('ends a departed peer\'s tracks without a gap, and shows the room as recorded while it is', () => {
    const alice = manifest.participants.find((p) => p.participantId === 'alice')!;
    expect(alice.leftAt).toBeDefined();
    expect(alice.gaps.map((g) => g.reason)).toEqual(['recorder-starting', 'recorder-starting']);
    expect(alice.tracks.every((t) => t.endReason === 'left')).toBe(true);
    expect(manifest.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['participant-left', 'room-closed', 'recording-stopped']));
    expect(flags).toEqual([true, false]);
  });
});
