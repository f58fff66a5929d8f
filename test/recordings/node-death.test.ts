// A recording node SIGKILLed mid-segment and restarted at once: its recording ffmpegs end with it
// (parent-death signal; they also read EOF from the dead node's feed), and crash recovery waits
// until the session's files are stable before it hashes them, so the archive verifies without a
// false `segment-altered` — the segment open at the kill is kept, finished by its ffmpeg.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Archive } from '../../recordings/archive.ts';
import { allSegments, readManifest, type Manifest } from '../../recordings/manifest.ts';
import { verifyArchive } from '../../recordings/verify.ts';
import { makeClip } from '../../scripts/harness/rtp-feed.ts';
import { until } from '../support/evidence.ts';
import { childrenOf, processAlive as alive } from '../support/processes.ts';

describe('a recording node killed with SIGKILL and restarted at once', () => {
  let tmp: string;
  let node: ChildProcess;
  let recorders: number[] = [];
  let senders: number[] = [];
  let archive: Archive;
  let recovered: string[];
  let manifest: Manifest;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-node-death-'));
    const clip = makeClip(path.join(tmp, 'clip.webm'));
    const dataDir = path.join(tmp, 'data');
    node = spawn(process.execPath, ['--import', 'tsx', 'test/recordings/fixtures/recording-node.ts', dataDir, clip], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = readline.createInterface({ input: node.stdout! });
    let ready = false;
    lines.on('line', (l) => (ready ||= l.startsWith('recording ')));
    await until('the node recording every track', () => ready, 60_000);
    const children = childrenOf(node.pid!);
    recorders = children.filter((c) => c.cmdline.includes('-rtsp_transport')).map((c) => c.pid);
    senders = children.filter((c) => c.cmdline.includes(' -f rtp ')).map((c) => c.pid);
    expect(recorders).toHaveLength(4);
    node.kill('SIGKILL');
    for (const pid of senders) process.kill(pid, 'SIGKILL'); // the test's stand-ins for browsers
    // The restart: what server/app/services.ts does first with the archive.
    archive = await Archive.open({ dataDir });
    recovered = await archive.recoverInterrupted();
    manifest = readManifest(archive.sessionDir('S-KILLED-0001'));
  }, 120_000);

  afterAll(async () => {
    for (const pid of [...recorders, ...senders]) if (alive(pid)) process.kill(pid, 'SIGKILL');
    if (node && node.exitCode === null && node.signalCode === null) node.kill('SIGKILL');
    await archive?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('leaves no recording ffmpeg running after the node', async () => {
    await until('every recording ffmpeg gone', () => recorders.every((pid) => !alive(pid)), 3000);
  });

  it('recovers the session and seals it only once its files stopped changing: no false segment-altered', async () => {
    expect(recovered).toEqual(['S-KILLED-0001']);
    expect(manifest.status).toBe('interrupted');
    // The segments open at the kill are kept (found on disk by recovery): every segment file on
    // disk is in the manifest. Their ffmpegs closed them on the feed's end, so they are whole, not
    // flagged truncated.
    const dir = archive.sessionDir('S-KILLED-0001');
    const onDisk = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => /\.(webm|mkv)$/.test(f)).map((f) => f.split(path.sep).join('/'));
    expect(onDisk.length).toBeGreaterThanOrEqual(4);
    expect(allSegments(manifest).map(({ segment }) => segment.file).sort()).toEqual(onDisk.sort());
    const rep = await verifyArchive(archive.root);
    expect(rep.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(rep.segmentsChecked).toBe(allSegments(manifest).length);
  });
});
