// A mediasoup-client Device that starts reading the browser's own RTP capabilities at once (two
// throwaway RTCPeerConnections and their offers), while the socket connects and the join is out:
// `load()` with the router's capabilities from the join reply then only intersects the two,
// instead of starting that work only once the reply is in.
import { Device, detectDevice, type types } from 'mediasoup-client';
import { Chrome111 } from 'mediasoup-client/handlers/Chrome111';
import { Chrome74 } from 'mediasoup-client/handlers/Chrome74';
import { Firefox120 } from 'mediasoup-client/handlers/Firefox120';
import { ReactNative106 } from 'mediasoup-client/handlers/ReactNative106';
import { Safari12 } from 'mediasoup-client/handlers/Safari12';
import type { HandlerFactory } from 'mediasoup-client/handlers/HandlerInterface';

// Device picks among the same built-in handlers by the same detection.
const HANDLERS = { Chrome111, Chrome74, Firefox120, Safari12, ReactNative106 } satisfies Record<string, { createFactory(): HandlerFactory }>;

/** A Device warming up; undefined where mediasoup-client supports no handler (`new Device()` says why at join). */
export function warmDevice(): Device | undefined {
  const name = detectDevice();
  if (!name) return undefined;
  const factory = HANDLERS[name].createFactory();
  const rtp = {
    recvonly: factory.getNativeRtpCapabilities({ direction: 'recvonly' }),
    sendonly: factory.getNativeRtpCapabilities({ direction: 'sendonly' }),
  };
  const sctp = factory.getNativeSctpCapabilities();
  // A failure here is load()'s to report, as without the warm-up.
  for (const p of [rtp.recvonly, rtp.sendonly, sctp]) p.catch(() => undefined);
  const warmed: HandlerFactory = {
    ...factory,
    getNativeRtpCapabilities: ({ direction }): Promise<types.RtpCapabilities> => rtp[direction],
    getNativeSctpCapabilities: () => sctp,
  };
  return new Device({ handlerFactory: warmed });
}
