// Where a recorded video stream may start: the first packet of a key frame, per payload format.
import { describe, expect, it } from 'vitest';
import { keyFrameTest, rtpPayload } from '../../recordings/rtp-keyframe.ts';

/** An RTP packet: V=2, optional CSRCs and header extension, optional padding. */
function rtp(payload: number[], o: { csrcs?: number; extensionWords?: number; padding?: number } = {}): Buffer {
  const csrcs = o.csrcs ?? 0;
  const header = [0x80 | csrcs | (o.extensionWords !== undefined ? 0x10 : 0) | (o.padding ? 0x20 : 0), 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1];
  for (let i = 0; i < csrcs * 4; i++) header.push(0);
  if (o.extensionWords !== undefined) header.push(0xbe, 0xde, 0, o.extensionWords, ...new Array<number>(o.extensionWords * 4).fill(0));
  const pad = o.padding ? [...new Array<number>(o.padding - 1).fill(0), o.padding] : [];
  return Buffer.from([...header, ...payload, ...pad]);
}

describe('the start of a key frame', () => {
  const vp8 = keyFrameTest('video/VP8')!;
  const h264 = keyFrameTest('video/H264')!;
  const vp9 = keyFrameTest('video/VP9')!;

  it('finds the payload behind CSRCs, a header extension and padding', () => {
    expect(rtpPayload(rtp([0x10, 0x00, 0x9d], { csrcs: 2, extensionWords: 1, padding: 3 }))).toEqual(Buffer.from([0x10, 0x00, 0x9d]));
    expect(rtpPayload(Buffer.from([0x80, 96, 0, 1]))).toBeUndefined();
  });

  it('VP8: a partition start with the frame tag\'s P bit clear, after any extension fields (as browsers and ffmpeg send)', () => {
    expect(vp8(rtpPayload(rtp([0x10, 0x00]))!)).toBe(true); // S=1 PID=0, key frame
    expect(vp8(rtpPayload(rtp([0x10, 0x01]))!)).toBe(false); // inter frame
    expect(vp8(rtpPayload(rtp([0x00, 0x00]))!)).toBe(false); // continuation packet
    // X=1, I=1 with a 15-bit picture id (what the ffmpeg sender and Chromium write), then the tag.
    expect(vp8(rtpPayload(rtp([0x90, 0x80, 0x80, 0x12, 0xb0]))!)).toBe(true);
    expect(vp8(rtpPayload(rtp([0x90, 0x80, 0x80, 0x13, 0x31]))!)).toBe(false);
    // X=1 with I (7-bit id), L (TL0PICIDX) and T/K fields.
    expect(vp8(rtpPayload(rtp([0x90, 0xf0, 0x05, 0x07, 0x20, 0x00]))!)).toBe(true);
  });

  it('H.264: an SPS or IDR, alone, in a STAP-A, or as the first fragment of an FU-A', () => {
    expect(h264(rtpPayload(rtp([0x67, 0x42]))!)).toBe(true); // SPS
    expect(h264(rtpPayload(rtp([0x65, 0x88]))!)).toBe(true); // IDR
    expect(h264(rtpPayload(rtp([0x41, 0x9a]))!)).toBe(false); // non-IDR slice
    expect(h264(rtpPayload(rtp([0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce]))!)).toBe(true); // STAP-A: SPS, PPS
    expect(h264(rtpPayload(rtp([0x78, 0x00, 0x02, 0x06, 0x05]))!)).toBe(false); // STAP-A: SEI only
    expect(h264(rtpPayload(rtp([0x7c, 0x85, 0x88]))!)).toBe(true); // FU-A start, IDR
    expect(h264(rtpPayload(rtp([0x7c, 0x05, 0x88]))!)).toBe(false); // FU-A middle
  });

  it('VP9: the beginning of a picture that is not inter-predicted, in the base spatial layer', () => {
    expect(vp9(rtpPayload(rtp([0x08]))!)).toBe(true);
    expect(vp9(rtpPayload(rtp([0x48]))!)).toBe(false); // P=1
    expect(vp9(rtpPayload(rtp([0xa8, 0x01, 0x02]))!)).toBe(false); // L=1, spatial layer 1
    expect(vp9(rtpPayload(rtp([0xa8, 0x01, 0x00]))!)).toBe(true);
  });

  it('lets audio and codecs it does not know start anywhere', () => {
    expect(keyFrameTest('audio/opus')).toBeUndefined();
    expect(keyFrameTest('video/AV1')).toBeUndefined();
  });
});
