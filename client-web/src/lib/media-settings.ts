// What a call sends of the camera and the microphone: capture constraints, simulcast layers and
// codec options. The call session uses them; bench:join's bare mediasoup page sends the same,
// so the two are compared on one media set-up.
import type { types } from 'mediasoup-client';

export const CAMERA_CONSTRAINTS: MediaTrackConstraints = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 20 } };
export const MICROPHONE_CONSTRAINTS: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

/**
 * The camera as three simulcast layers (¼, ½ and full size, each with three temporal layers), so
 * the SFU can hand a receiver on a poor link a smaller picture instead of a frozen one.
 */
export const CAMERA_ENCODINGS: types.RtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 120_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 2, maxBitrate: 350_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 1, maxBitrate: 900_000, scalabilityMode: 'L1T3' },
];
export const CAMERA_CODEC_OPTIONS: types.ProducerCodecOptions = { videoGoogleStartBitrate: 600 };
/** In-band FEC rebuilds a lost packet from the next; DTX sends (almost) nothing in silence. */
export const MICROPHONE_CODEC_OPTIONS: types.ProducerCodecOptions = { opusFec: true, opusDtx: true };
