// The bare mediasoup page of bench:join (server.ts beside it): mediasoup-client and socket.io-client
// only. It publishes camera and microphone with the product's settings (media-settings.ts) while
// it consumes what the room already has, and leaves the same User Timing marks as the product's
// call page (`call:page`, `call:socket`, `call:join`, `call:device`), so the bench reads both
// pages alike. `window.bare.published` says the page's own media is up.
import { Device, type types } from 'mediasoup-client';
import { io } from 'socket.io-client';
import {
  CAMERA_CODEC_OPTIONS,
  CAMERA_CONSTRAINTS,
  CAMERA_ENCODINGS,
  MICROPHONE_CODEC_OPTIONS,
  MICROPHONE_CONSTRAINTS,
} from '../../../client-web/src/lib/media-settings.ts';

performance.mark('call:page');

interface TransportInfo {
  id: string;
  iceParameters: types.IceParameters;
  iceCandidates: types.IceCandidate[];
  dtlsParameters: types.DtlsParameters;
}
interface Joined {
  rtpCapabilities: types.RtpCapabilities;
  send: TransportInfo;
  recv: TransportInfo;
  producers: string[];
}

const state = { published: false, error: '' };
(window as unknown as { bare: typeof state }).bare = state;

const room = new URLSearchParams(location.search).get('room') ?? 'bare';
const socket = io({ transports: ['websocket'] });

async function ask<T>(event: string, payload: object): Promise<T> {
  const reply = (await socket.timeout(10_000).emitWithAck(event, payload)) as { data?: T; error?: string };
  if (reply.error !== undefined) throw new Error(`${event}: ${reply.error}`);
  return reply.data as T;
}

socket.once('connect', () => {
  performance.mark('call:socket');
  start().catch((err: Error) => (state.error = err.message));
});

async function start(): Promise<void> {
  const joined = await ask<Joined>('join', { room });
  performance.mark('call:join');
  const device = new Device();
  await device.load({ routerRtpCapabilities: joined.rtpCapabilities });
  performance.mark('call:device');
  const recv = device.createRecvTransport(joined.recv);
  const send = device.createSendTransport(joined.send);
  for (const t of [recv, send]) {
    t.on('connect', ({ dtlsParameters }, ok, fail) => void ask('connectTransport', { transportId: t.id, dtlsParameters }).then(ok, fail));
  }
  send.on('produce', ({ kind, rtpParameters }, ok, fail) => void ask<{ id: string }>('produce', { transportId: send.id, kind, rtpParameters }).then(ok, fail));
  await Promise.all([publish(send), ...joined.producers.map((id) => consume(recv, device, id))]);
  state.published = true;
}

async function publish(send: types.Transport): Promise<void> {
  const media = await navigator.mediaDevices.getUserMedia({ audio: MICROPHONE_CONSTRAINTS, video: CAMERA_CONSTRAINTS });
  await Promise.all([
    send.produce({ track: media.getAudioTracks()[0]!, codecOptions: MICROPHONE_CODEC_OPTIONS }),
    send.produce({ track: media.getVideoTracks()[0]!, encodings: CAMERA_ENCODINGS, codecOptions: CAMERA_CODEC_OPTIONS }),
  ]);
}

async function consume(recv: types.Transport, device: Device, producerId: string): Promise<void> {
  const o = await ask<{ id: string; producerId: string; kind: types.MediaKind; rtpParameters: types.RtpParameters }>('consume', {
    transportId: recv.id,
    producerId,
    rtpCapabilities: device.recvRtpCapabilities,
  });
  const consumer = await recv.consume(o);
  const el = document.createElement(o.kind === 'video' ? 'video' : 'audio');
  Object.assign(el, { autoplay: true, muted: true, playsInline: true, srcObject: new MediaStream([consumer.track]) });
  document.getElementById('videos')!.append(el);
  await ask('resume', { consumerId: consumer.id });
}
