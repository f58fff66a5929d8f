import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { types } from 'mediasoup';
import { CameraIngest } from '../../sfu/ingest/camera-ingest.ts';
import { planIngest, type ProbeResult } from '../../sfu/ingest/probe.ts';
import { MEDIA_CODECS } from '../../sfu/media-codecs.ts';
import { createLogger } from '../../server/core/log.ts';
import { createTestWorker, decodeFrames, loopbackCameras, producerBytes, receiveRtp, startRtspServer, waitForBytes, type RtspServer } from './support/media.ts';

const log = createLogger('silent');
let worker: types.Worker;
let router: types.Router;
let rtsp: RtspServer;
let dir: string;

beforeAll(async () => {
  worker = await createTestWorker();
  router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
  rtsp = await startRtspServer();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-ingest-'));
});

afterAll(async () => {
  await rtsp?.stop();
  worker?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function withIngest(opts: { url: string; cameraId: string; transcodeTo?: 'VP8' | 'H264'; audio?: boolean; vetUrl?: (u: string) => Promise<string> }, fn: (i: CameraIngest) => Promise<void>): Promise<void> {
  const ingest = await CameraIngest.start({ router, log, vetUrl: (u) => loopbackCameras(rtsp.port).vet(u), ...opts });
  try {
    await fn(ingest);
  } finally {
    await ingest.stop();
  }
}

describe('deciding between pass-through and transcode', () => {
  const caps = (): types.RtpCapabilities => router.rtpCapabilities;
  const video = (codec: string, profile: string | null, pixFmt = 'yuv420p'): ProbeResult => ({
    video: { codec, profile, pixFmt, width: 1280, height: 720 },
    audio: null,
  });

  it('passes VP8 and H.264 (constrained) baseline through, transcodes H.264 high, HEVC and MJPEG', () => {
    expect(planIngest(video('vp8', null), caps()).video).toEqual({ mode: 'copy', codec: 'VP8' });
    expect(planIngest(video('h264', 'Constrained Baseline'), caps()).video).toEqual({ mode: 'copy', codec: 'H264' });
    expect(planIngest(video('h264', 'Baseline'), caps()).video).toEqual({ mode: 'copy', codec: 'H264' });
    expect(planIngest(video('h264', 'High'), caps()).video).toMatchObject({ mode: 'transcode', codec: 'H264' });
    expect(planIngest(video('hevc', 'Main'), caps(), { prefer: 'VP8' }).video).toMatchObject({ mode: 'transcode', codec: 'VP8' });
    expect(planIngest(video('mjpeg', 'Baseline', 'yuvj422p'), caps()).video).toMatchObject({ mode: 'transcode' });
    // 4:4:4 H.264 baseline does not exist, but 4:2:2 "Constrained Baseline" labels do; browsers need 4:2:0.
    expect(planIngest(video('h264', 'Constrained Baseline', 'yuv422p'), caps()).video.mode).toBe('transcode');
  });

  it('transcodes camera audio to Opus and passes Opus through', () => {
    const withAudio = (codec: string): ProbeResult => ({ ...video('vp8', null), audio: { codec, sampleRate: 8000, channels: 1 } });
    expect(planIngest(withAudio('pcm_alaw'), caps()).audio).toEqual({ mode: 'transcode', codec: 'opus' });
    expect(planIngest(withAudio('opus'), caps()).audio).toEqual({ mode: 'copy', codec: 'opus' });
    expect(planIngest(withAudio('aac'), caps(), { audio: false }).audio).toBeNull();
  });

  it('a source without video is refused', () => {
    expect(() => planIngest({ video: null, audio: { codec: 'aac', sampleRate: 8000, channels: 1 } }, caps())).toThrow(/no video/);
  });
});

describe('camera ingest from a local RTSP server', () => {
  it('passes a VP8 camera through and a consumer receives its RTP', async () => {
    await withIngest({ url: rtsp.url('/vp8'), cameraId: 'cam-vp8' }, async (ingest) => {
      expect(ingest.plan.video).toEqual({ mode: 'copy', codec: 'VP8' });
      expect(ingest.producer.appData).toMatchObject({ source: 'camera', cameraId: 'cam-vp8', ingest: true });
      await waitForBytes(ingest.producer, 20_000);
      // A video consumer forwards from the next key frame on; ffmpeg cannot answer its PLI, so
      // the wait is bounded by the camera's key-frame interval (2 s here).
      const rtp = await receiveRtp(router, ingest.producer, 3_500);
      expect(rtp.mimeType).toBe('video/VP8');
      expect(rtp.packets).toBeGreaterThan(10);
    });
  });

  it('passes H.264 constrained baseline through, and a decoder gets pictures from it', async () => {
    await withIngest({ url: rtsp.url('/h264-cb'), cameraId: 'cam-cb' }, async (ingest) => {
      expect(ingest.plan.video).toEqual({ mode: 'copy', codec: 'H264' });
      await waitForBytes(ingest.producer, 20_000);
      expect(await decodeFrames(router, ingest.producer, 15)).toBe(15);
    });
  });

  it('transcodes H.264 high to constrained baseline, and a decoder gets pictures from it', async () => {
    await withIngest({ url: rtsp.url('/h264-high'), cameraId: 'cam-high' }, async (ingest) => {
      expect(ingest.plan.video).toMatchObject({ mode: 'transcode', codec: 'H264', from: 'h264 High' });
      expect(ingest.producer.rtpParameters.codecs[0]?.parameters).toMatchObject({ 'profile-level-id': '42e01f' });
      await waitForBytes(ingest.producer, 20_000);
      expect(await decodeFrames(router, ingest.producer, 15)).toBe(15);
    });
  });

  it('transcodes HEVC to VP8 when asked, and a decoder gets pictures from it', async () => {
    await withIngest({ url: rtsp.url('/hevc'), cameraId: 'cam-hevc', transcodeTo: 'VP8' }, async (ingest) => {
      expect(ingest.plan.video).toMatchObject({ mode: 'transcode', codec: 'VP8', from: 'hevc Main' });
      await waitForBytes(ingest.producer, 10_000);
      expect(await decodeFrames(router, ingest.producer, 15)).toBe(15);
    });
  });

  it('ingests the camera’s G.711 audio as an Opus producer next to the video', async () => {
    await withIngest({ url: rtsp.url('/h264-cb-pcma'), cameraId: 'cam-audio' }, async (ingest) => {
      expect(ingest.plan.audio).toEqual({ mode: 'transcode', codec: 'opus' });
      const audio = ingest.audioProducer;
      expect(audio?.kind).toBe('audio');
      await waitForBytes(audio!, 2_000);
      const rtp = await receiveRtp(router, audio!, 1_000);
      expect(rtp).toMatchObject({ mimeType: 'audio/opus' });
      expect(rtp.packets).toBeGreaterThan(10);
    });
  });

  it('restarts ffmpeg when it dies, into the same producer', async () => {
    await withIngest({ url: rtsp.url('/vp8'), cameraId: 'cam-restart' }, async (ingest) => {
      const producerId = ingest.producer.id;
      await waitForBytes(ingest.producer, 10_000);
      const restarted = new Promise((resolve) => ingest.once('restart', resolve));
      process.kill(ingest.pid!, 'SIGKILL');
      expect(await restarted).toMatchObject({ attempt: 1, reason: 'exit', signal: 'SIGKILL' });
      const before = await producerBytes(ingest.producer);
      await waitForBytes(ingest.producer, before + 20_000);
      expect(ingest.producer.id).toBe(producerId);
      expect(ingest.producer.closed).toBe(false);
      expect(ingest.restarts).toBe(1);
    });
  });

  it('restarts ffmpeg when the stream stalls without ffmpeg exiting', async () => {
    const ingest = await CameraIngest.start({ router, log, vetUrl: (u) => loopbackCameras(rtsp.port).vet(u), url: rtsp.url('/vp8'), cameraId: 'cam-stall', stallMs: 2_000 });
    try {
      await waitForBytes(ingest.producer, 5_000);
      const restarted = new Promise((resolve) => ingest.once('restart', resolve));
      // A frozen ffmpeg (hung camera, half-open TCP) sends nothing but never exits on its own.
      process.kill(ingest.pid!, 'SIGSTOP');
      expect(await restarted).toMatchObject({ reason: 'stall' });
      const before = await producerBytes(ingest.producer);
      await waitForBytes(ingest.producer, before + 5_000);
    } finally {
      await ingest.stop();
    }
  });

  it('keeps retrying with back-off when the ffmpeg binary cannot be started', async () => {
    const ingest = await CameraIngest.start({
      router, log, vetUrl: (u) => loopbackCameras(rtsp.port).vet(u), url: rtsp.url('/vp8'), cameraId: 'cam-nobin', ffmpegBin: '/nonexistent/ffmpeg', restartDelayMs: { min: 50, max: 200 },
    });
    try {
      const attempts: { lastError: string }[] = [];
      await new Promise<void>((resolve) => ingest.on('restart', (r) => void (attempts.push(r) >= 3 && resolve())));
      // ENOENT from spawn, or setpriv's own words when children are started through it.
      expect(attempts[0]?.lastError).toMatch(/ENOENT|No such file or directory/);
      expect(ingest.producer.closed).toBe(false);
    } finally {
      await ingest.stop();
    }
  });

  it('closing the router stops the ingest and its ffmpeg', async () => {
    const own = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    const ingest = await CameraIngest.start({ router: own, log, vetUrl: (u) => loopbackCameras(rtsp.port).vet(u), url: rtsp.url('/vp8'), cameraId: 'cam-router-close' });
    const pid = ingest.pid!;
    const closed = new Promise<void>((resolve) => ingest.once('close', () => resolve()));
    own.close();
    await closed;
    expect(ingest.closed).toBe(true);
    expect(ingest.producer.closed).toBe(true);
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('stop() ends ffmpeg and closes the producer; an unreachable camera fails to start with a clear error', async () => {
    const ingest = await CameraIngest.start({ router, log, vetUrl: (u) => loopbackCameras(rtsp.port).vet(u), url: rtsp.url('/vp8'), cameraId: 'cam-stop' });
    await waitForBytes(ingest.producer, 5_000);
    const pid = ingest.pid!;
    await ingest.stop();
    await ingest.stop();
    expect(ingest.producer.closed).toBe(true);
    expect(() => process.kill(pid, 0)).toThrow();
    await expect(CameraIngest.start({ router, log, vetUrl: (u) => loopbackCameras(rtsp.port).vet(u), url: rtsp.url('/no-such-camera'), cameraId: 'cam-missing' })).rejects.toThrow(/ffprobe failed/);
  });
});

describe('camera ingest from other ffmpeg-readable sources', () => {
  it('reads an MJPEG file in real time and transcodes it', async () => {
    const file = path.join(dir, 'mjpeg.mkv');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=15', '-t', '3', '-c:v', 'mjpeg', '-q:v', '5', file]);
    // A local file, no network: the library reads any ffmpeg input; the server only ever passes RTSP.
    await withIngest({ url: file, cameraId: 'cam-mjpeg', vetUrl: async (u) => u }, async (ingest) => {
      expect(ingest.plan.video).toMatchObject({ mode: 'transcode', codec: 'H264', from: expect.stringMatching(/^mjpeg/) });
      await waitForBytes(ingest.producer, 20_000);
      const rtp = await receiveRtp(router, ingest.producer, 3_500);
      expect(rtp).toMatchObject({ mimeType: 'video/H264' });
      expect(rtp.packets).toBeGreaterThan(5);
    });
  });
});
