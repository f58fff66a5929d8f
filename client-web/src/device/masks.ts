// Privacy masks (issue 14.4): the rectangles the household drew are painted black on the
// device's own camera picture before it is encoded, so no masked pixel ever leaves the home. The
// camera is drawn into a canvas and the canvas is what the call publishes; the masks are read
// on every frame, so a change applies to a call already in progress.
import type { MaskRect } from '../../../server/protocol/http/household-shapes.ts';

/**
 * The camera track with `masks()` blacked out. Stopping the returned track stops the camera
 * too (the frame loop notices and releases it).
 */
export function maskedCamera(raw: MediaStreamTrack, masks: () => readonly MaskRect[]): MediaStreamTrack {
  const { width = 640, height = 360, frameRate = 20 } = raw.getSettings();
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const g = canvas.getContext('2d', { alpha: false })!;
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = new MediaStream([raw]);
  void video.play().catch(() => undefined);
  const out = canvas.captureStream(frameRate).getVideoTracks()[0]!;
  const draw = (): void => {
    if (out.readyState === 'ended' || raw.readyState === 'ended') {
      raw.stop();
      out.stop();
      video.srcObject = null;
      return;
    }
    if (video.readyState >= 2) {
      g.drawImage(video, 0, 0, width, height);
      g.fillStyle = '#000';
      for (const m of masks()) g.fillRect(Math.floor(m.x * width), Math.floor(m.y * height), Math.ceil(m.w * width), Math.ceil(m.h * height));
    }
    // The frame clock of the camera where there is one; a timer as the fallback.
    if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback(draw);
    else setTimeout(draw, 1000 / frameRate);
  };
  draw();
  return out;
}

/** A rectangle from two corners in element pixels, as fractions of the element (clamped). */
export function rectBetween(a: { x: number; y: number }, b: { x: number; y: number }, box: { width: number; height: number }): MaskRect | null {
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  const x0 = clamp(Math.min(a.x, b.x) / box.width);
  const y0 = clamp(Math.min(a.y, b.y) / box.height);
  const x1 = clamp(Math.max(a.x, b.x) / box.width);
  const y1 = clamp(Math.max(a.y, b.y) / box.height);
  const round = (v: number) => Math.round(v * 1000) / 1000;
  if (x1 - x0 < 0.02 || y1 - y0 < 0.02) return null;
  return { x: round(x0), y: round(y0), w: round(Math.min(x1 - x0, 1 - x0)), h: round(Math.min(y1 - y0, 1 - y0)) };
}
