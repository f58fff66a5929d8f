// The server's low-rate look at household IP cameras for the no-activity watch: a real RTSP
// camera from GStreamer (a moving ball) and a still picture from a file, analysed by ffmpeg at a
// few pictures a minute. What reaches the store is one level per camera and minute, nothing else;
// privacy mode stops the looking at once.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/core/log.ts';
import { changedShare, watchCameraActivity } from '../../server/app/camera-activity.ts';
import { createFixture, SEED, type Fixture } from './fixture.ts';
import { startRtspServer, type RtspServer } from './support/media.ts';
import { waitFor } from '../support/media.ts';
import { until } from '../support/evidence.ts';

const HOME = SEED.households.zhang;
let f: Fixture;
let rtsp: RtspServer;
let watcher: ReturnType<typeof watchCameraActivity> | undefined;

beforeAll(async () => {
  f = await createFixture();
  rtsp = await startRtspServer();
  const still = path.join(f.dir, 'still.y4m');
  execFileSync(process.env.FFMPEG_BIN ?? 'ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=0x808080:s=160x90:r=5', '-frames:v', '10', '-pix_fmt', 'yuv420p', still]);
  // Straight into the store with known ids: registration (and its address rules, which refuse a
  // file) is tested elsewhere; here only what the watcher measures matters.
  await f.repo.insertCamera({ id: 'cam-yard', householdId: HOME, name: '院子', place: 'yard', url: rtsp.url('/h264-cb') });
  await f.repo.insertCamera({ id: 'cam-hall', householdId: HOME, name: '堂屋', place: 'living-room', url: still });
});
afterAll(async () => {
  watcher?.stop();
  await rtsp?.stop();
  await f?.close();
});

describe('IP camera activity on the server', () => {
  it('measures the share of the picture that changed, grey level by grey level', () => {
    const a = new Uint8Array(100).fill(100);
    const b = a.slice();
    b.fill(200, 0, 25);
    b.fill(110, 25, 50); // sensor noise: below the pixel threshold
    expect(changedShare(a, a)).toBe(0);
    expect(changedShare(a, b)).toBe(0.25);
  });

  it('reports a level per camera and minute: above zero for the moving camera, zero for the still one', async () => {
    watcher = watchCameraActivity({ households: f.service, log: createLogger('silent'), sampleSeconds: 1, refreshMs: 60_000, now: () => f.clock.now() });
    const levels = async () => {
      await watcher!.refresh();
      return f.repo.listActivity(HOME, f.clock.now() - 120_000, f.clock.now() + 60_000);
    };
    const rows = await waitFor(levels, (r) => r.some((m) => m.sourceId === 'cam-yard' && m.samples >= 3) && r.some((m) => m.sourceId === 'cam-hall' && m.samples >= 3), { timeoutMs: 60_000, what: 'camera activity' });
    expect(rows.every((m) => m.sourceKind === 'camera')).toBe(true);
    expect(rows.find((m) => m.sourceId === 'cam-yard')!.level).toBeGreaterThan(0);
    expect(rows.find((m) => m.sourceId === 'cam-hall')!.level).toBe(0);
  });

  it('stops looking while the household is in privacy mode', async () => {
    await f.service.setPrivacyMode(f.person(SEED.family.zhangWei, 'family'), HOME, true);
    expect(await f.service.watchedCameras()).toEqual([]);
    await watcher!.refresh();
    const before = await f.repo.listActivity(HOME, 0, Number.MAX_SAFE_INTEGER);
    f.clock.advance(60_000);
    // Evidence that nothing looks any more: no process reads either camera (the samplers' ffmpegs
    // have exited), so no sample can be taken after this.
    const sources = [rtsp.url('/h264-cb'), path.join(f.dir, 'still.y4m')];
    await until('no sampler reading the cameras', () => !processesReading(sources));
    await watcher!.refresh();
    expect(await f.repo.listActivity(HOME, 0, Number.MAX_SAFE_INTEGER)).toEqual(before);
  });
});

/** Whether any process on this machine has one of `sources` on its command line. */
function processesReading(sources: string[]): boolean {
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let cmdline: string;
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    if (sources.some((s) => cmdline.includes(s))) return true;
  }
  return false;
}
