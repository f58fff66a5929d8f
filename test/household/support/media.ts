// Test media plumbing: a local RTSP server (Debian's GStreamer RTSP server), a mediasoup worker,
// and two ways to see what a producer carries: count RTP from a PlainTransport consumer, or
// decode it with ffmpeg through a consumer (a decoder accepting frames is closer to a browser
// than a byte count).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dgram from 'node:dgram';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { cameraAddressCheck, type CameraAddressCheck } from '../../../server/core/camera-address.ts';
import { parseCidrList } from '../../../server/core/cidr.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface RtspServer {
  port: number;
  url(mount: string): string;
  stop(): Promise<void>;
}

/**
 * Camera rules that let the server pull the test's RTSP server on loopback, at its port only
 * (the product's default refuses loopback: server/core/camera-address.ts).
 */
export function loopbackCameras(port: number): CameraAddressCheck {
  return cameraAddressCheck({ networks: parseCidrList('127.0.0.0/8'), ports: [port], ownPorts: () => [] });
}

/** Debian's python3 (with python3-gi); a pyenv python on PATH would not see the GI bindings. */
export async function startRtspServer(): Promise<RtspServer> {
  const child = spawn('/usr/bin/python3', [path.join(here, 'rtsp-server.py')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let stdout = '';
  const port = await new Promise<number>((resolve, reject) => {
    // Generous: GStreamer's first start scans its plugin registry, slow on a busy machine.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`rtsp server did not start in 45 s; stdout: ${stdout} stderr: ${stderr}`));
    }, 45_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /ready (\d+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`rtsp server exited (${code}): ${stderr}`)));
  });
  return {
    port,
    url: (mount) => `rtsp://127.0.0.1:${port}${mount}`,
    stop: () => stopChild(child),
  };
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 2_000).unref();
  });
}

/** mediasoup reads MEDIASOUP_WORKER_BIN when it is imported, so it must be set before (test global setup does). */
export async function createTestWorker(): Promise<types.Worker> {
  if (!process.env.MEDIASOUP_WORKER_BIN) throw new Error('MEDIASOUP_WORKER_BIN is not set (run through vitest, whose global setup sets it)');
  return mediasoup.createWorker({ logLevel: 'warn', rtcMinPort: 43000, rtcMaxPort: 43999 });
}

/** Bytes the producer has received so far (all its streams). */
export async function producerBytes(producer: types.Producer): Promise<number> {
  return (await producer.getStats()).reduce((n, s) => n + s.byteCount, 0);
}

/** Polls until the producer's byte count exceeds `min`, or fails after `timeoutMs`. */
export async function waitForBytes(producer: types.Producer, min: number, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const bytes = await producerBytes(producer);
    if (bytes > min) return bytes;
    if (Date.now() > deadline) throw new Error(`producer received only ${bytes} bytes in ${timeoutMs} ms (wanted > ${min})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function freePort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** RTP packets a PlainTransport consumer of `producer` delivers in `ms`, with the consumer's payload type. */
export async function receiveRtp(router: types.Router, producer: types.Producer, ms: number): Promise<{ packets: number; mimeType: string }> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const transport = await router.createPlainTransport({ listenIp: { ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
  try {
    await transport.connect({ ip: '127.0.0.1', port: sock.address().port });
    const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: false });
    const codec = consumer.rtpParameters.codecs[0]!;
    let packets = 0;
    sock.on('message', (msg) => {
      // RTP version 2, payload type (RTCP types 200–204 excluded by the match).
      if (msg.length > 12 && msg[0]! >> 6 === 2 && (msg[1]! & 0x7f) === codec.payloadType) packets++;
    });
    await new Promise((r) => setTimeout(r, ms));
    return { packets, mimeType: codec.mimeType };
  } finally {
    transport.close();
    sock.close();
  }
}

/**
 * Decodes `frames` video frames from a consumer of `producer` with ffmpeg (an SDP that matches
 * the consumer exactly); returns how many frames the decoder produced before `timeoutMs`.
 */
export async function decodeFrames(router: types.Router, producer: types.Producer, frames: number, timeoutMs = 20_000): Promise<number> {
  let port = await freePort();
  if (port % 2 === 1) port = port - 1;
  const transport = await router.createPlainTransport({ listenIp: { ip: '127.0.0.1' }, rtcpMux: false, comedia: false });
  const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: true });
  const codec = consumer.rtpParameters.codecs[0]!;
  const name = codec.mimeType.split('/')[1]!;
  const fmtp = Object.entries(codec.parameters ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(';');
  const sdp = [
    'v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=ingest-check', 'c=IN IP4 127.0.0.1', 't=0 0',
    `m=video ${port} RTP/AVP ${codec.payloadType}`,
    `a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}`,
    ...(fmtp ? [`a=fmtp:${codec.payloadType} ${fmtp}`] : []),
    'a=recvonly', '',
  ].join('\n');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-decode-'));
  const sdpFile = path.join(dir, 'in.sdp');
  fs.writeFileSync(sdpFile, sdp);
  const ffmpeg = spawn('ffmpeg', [
    '-v', 'error', '-nostdin', '-protocol_whitelist', 'file,udp,rtp', '-i', sdpFile,
    '-frames:v', String(frames), '-f', 'framemd5', '-',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  ffmpeg.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const decoded = () => out.split('\n').filter((l) => l && !l.startsWith('#')).length;
  try {
    // Let ffmpeg bind its ports before media flows.
    await new Promise((r) => setTimeout(r, 700));
    await transport.connect({ ip: '127.0.0.1', port, rtcpPort: port + 1 });
    await consumer.resume();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      ffmpeg.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return decoded();
  } finally {
    await stopChild(ffmpeg);
    transport.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
