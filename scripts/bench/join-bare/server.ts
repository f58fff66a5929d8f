// The bare mediasoup call of bench:join: mediasoup, one socket.io namespace and a static page, no
// product around them (no token, no room domain, no Redis, no seats, no rate budget). It is the
// floor the product's call page is measured against on the same machine, in the same run.
// Started by scripts/bench/join.ts as its own process (as the product node is); prints
// `listening <port>` when ready and exits when its standard input closes (the bench ended).
//
// `/landing` is the origin's landing page, from which bench:join's journey mode navigates.
//
// One round trip joins: `join` answers with the router's capabilities, a send and a recv
// transport and the room's producers. Then `produce`, `consume` (paused) and `resume` as in
// mediasoup's own demo; `connectTransport` carries DTLS. The product's codecs
// (sfu/media-codecs.ts), one WebRtcServer port per worker and a key-frame request on resume, as
// in the product, so the ratio shows what the product adds, not a different media set-up.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { Server } from 'socket.io';
import { MEDIA_CODECS } from '../../../sfu/media-codecs.ts';

const webDir = process.env.BARE_WEB_DIR ?? '';
const rtcPort = Number(process.env.BARE_RTC_PORT);
if (!webDir || !Number.isInteger(rtcPort)) throw new Error('BARE_WEB_DIR and BARE_RTC_PORT are required');

const worker = await mediasoup.createWorker({ logLevel: 'warn' });
const webRtcServer = await worker.createWebRtcServer({
  listenInfos: [
    { protocol: 'udp', ip: '127.0.0.1', port: rtcPort },
    { protocol: 'tcp', ip: '127.0.0.1', port: rtcPort },
  ],
});

interface BareRoom {
  router: types.Router;
  producers: Map<string, types.Producer>;
  members: number;
}
const rooms = new Map<string, Promise<BareRoom>>();

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };
/** The bare origin's landing page: bench:join's journey navigates from it to the call page, in the same tab. */
const LANDING = '<!doctype html><html lang="en"><head><meta charset="utf-8" /><title>bare landing</title></head><body><a href="/">call</a></body></html>';

const httpServer = http.createServer((req, res) => {
  const name = new URL(req.url ?? '/', 'http://x').pathname;
  if (name === '/landing') {
    res.writeHead(200, { 'content-type': 'text/html' }).end(LANDING);
    return;
  }
  const file = path.join(webDir, name === '/' ? 'index.html' : path.normalize(name));
  if (!file.startsWith(webDir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404).end();
    return;
  }
  // As the product's static files (express.static maxAge 1h): later page loads come from cache.
  res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'public, max-age=3600' });
  fs.createReadStream(file).pipe(res);
});

const io = new Server(httpServer, { transports: ['websocket'] });
io.on('connection', (socket) => {
  let room: BareRoom | undefined;
  let roomKey = '';
  const transports = new Map<string, types.WebRtcTransport>();
  const consumers = new Map<string, types.Consumer>();
  const transport = (id: unknown) => {
    const t = transports.get(String(id));
    if (!t) throw new Error('no such transport');
    return t;
  };
  // Every request answers through its ack: { data } or { error }.
  const on = (event: string, handle: (p: Record<string, unknown>) => Promise<unknown>) =>
    socket.on(event, (p: Record<string, unknown>, ack: (r: unknown) => void) => {
      handle(p).then(
        (data) => ack({ data }),
        (err: Error) => ack({ error: err.message }),
      );
    });

  on('join', async ({ room: id }) => {
    roomKey = String(id);
    if (!rooms.has(roomKey)) rooms.set(roomKey, worker.createRouter({ mediaCodecs: MEDIA_CODECS }).then((router) => ({ router, producers: new Map(), members: 0 })));
    room = await rooms.get(roomKey)!;
    room.members++;
    const make = async () => {
      const t = await room!.router.createWebRtcTransport({ webRtcServer, enableUdp: true, enableTcp: true, preferUdp: true, initialAvailableOutgoingBitrate: 1_000_000 });
      transports.set(t.id, t);
      return { id: t.id, iceParameters: t.iceParameters, iceCandidates: t.iceCandidates, dtlsParameters: t.dtlsParameters };
    };
    const [send, recv] = await Promise.all([make(), make()]);
    return { rtpCapabilities: room.router.rtpCapabilities, send, recv, producers: [...room.producers.keys()] };
  });
  on('connectTransport', async ({ transportId, dtlsParameters }) => {
    await transport(transportId).connect({ dtlsParameters: dtlsParameters as types.DtlsParameters });
  });
  on('produce', async ({ transportId, kind, rtpParameters }) => {
    const producer = await transport(transportId).produce({ kind: kind as types.MediaKind, rtpParameters: rtpParameters as types.RtpParameters });
    room!.producers.set(producer.id, producer);
    producer.observer.once('close', () => room?.producers.delete(producer.id));
    return { id: producer.id };
  });
  on('consume', async ({ transportId, producerId, rtpCapabilities }) => {
    const consumer = await transport(transportId).consume({ producerId: String(producerId), rtpCapabilities: rtpCapabilities as types.RtpCapabilities, paused: true });
    consumers.set(consumer.id, consumer);
    return { id: consumer.id, producerId: consumer.producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters };
  });
  on('resume', async ({ consumerId }) => {
    const consumer = consumers.get(String(consumerId));
    if (!consumer) throw new Error('no such consumer');
    await consumer.resume();
    if (consumer.kind === 'video') await consumer.requestKeyFrame();
  });
  socket.on('disconnect', () => {
    for (const t of transports.values()) t.close();
    if (room && --room.members === 0) {
      room.router.close();
      rooms.delete(roomKey);
    }
  });
});

httpServer.listen(0, '127.0.0.1', () => {
  console.log(`listening ${(httpServer.address() as { port: number }).port}`);
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
