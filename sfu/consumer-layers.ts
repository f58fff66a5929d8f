// Which simulcast layer a video consumer should prefer, from its score (mediasoup's 0–10 view
// of how well the receiver gets the stream: loss and repair on the receiver's downlink). The
// worker already drops layers when its bandwidth estimate falls; this caps the layer as well
// when the receiver keeps losing packets (a lossy village link with a fine-looking estimate), so
// the picture gets smaller instead of freezing on retransmissions. Down at once, up one step
// only after the score has stayed good for `RAISE_AFTER_MS`.

/** A score at or under this is a receiver losing too much for the layer it gets. */
export const LOW_SCORE = 6;
/** At or under this, only the lowest layer. */
export const BAD_SCORE = 3;
/** At or over this for a while, one layer more. */
export const GOOD_SCORE = 9;
export const RAISE_AFTER_MS = 8_000;

export interface LayerCap {
  /** The preferred spatial layer now (0 = smallest). */
  spatial: number;
  /** Since when the score has been good (for raising); undefined while it is not. */
  goodSince: number | undefined;
}

export function nextLayerCap(cap: LayerCap, score: number, maxSpatial: number, now: number): LayerCap {
  if (score <= BAD_SCORE) return { spatial: 0, goodSince: undefined };
  if (score <= LOW_SCORE) return { spatial: Math.max(0, Math.min(cap.spatial, maxSpatial) - 1), goodSince: undefined };
  if (score < GOOD_SCORE) return { spatial: cap.spatial, goodSince: undefined };
  const goodSince = cap.goodSince ?? now;
  if (cap.spatial < maxSpatial && now - goodSince >= RAISE_AFTER_MS) return { spatial: cap.spatial + 1, goodSince: now };
  return { spatial: cap.spatial, goodSince };
}
