// Where a video stream can start: the first RTP packet of a key frame. A recording that begins
// elsewhere is undecodable until the next key frame (ffmpeg drops what comes before it), so the
// intake (rtp-intake.ts) starts what it holds for ffmpeg at such a packet, and its arrival time is
// when the recorded media begins. Payload layouts: VP8 RFC 7741 §4.2–4.3, VP9
// draft-ietf-payload-vp9 §4.2, H.264 RFC 6184 §5.
//
// Codecs this does not know (AV1 …) are treated as startable anywhere: ffmpeg then waits for
// the key frame itself and the recorded start is late by at most that much.

/** The RTP payload: after the fixed header, CSRCs, header extension and before padding. */
export function rtpPayload(packet: Buffer): Buffer | undefined {
  if (packet.length < 12 || packet[0]! >> 6 !== 2) return undefined;
  let offset = 12 + (packet[0]! & 0x0f) * 4;
  if (packet[0]! & 0x10) {
    if (packet.length < offset + 4) return undefined;
    offset += 4 + packet.readUInt16BE(offset + 2) * 4;
  }
  let end = packet.length;
  if (packet[0]! & 0x20) end -= packet[packet.length - 1]!;
  return offset < end ? packet.subarray(offset, end) : undefined;
}

export type KeyFrameTest = (payload: Buffer) => boolean;

function vp8(p: Buffer): boolean {
  const x = p[0]! & 0x80;
  const s = p[0]! & 0x10;
  const pid = p[0]! & 0x07;
  if (!s || pid !== 0) return false; // only a frame's first packet carries the frame header
  let i = 1;
  if (x) {
    const ext = p[1] ?? 0;
    i = 2;
    if (ext & 0x80) i += (p[i] ?? 0) & 0x80 ? 2 : 1; // PictureID, 7 or 15 bits
    if (ext & 0x40) i += 1; // TL0PICIDX
    if (ext & 0x30) i += 1; // TID / KEYIDX
  }
  return i < p.length && (p[i]! & 0x01) === 0; // P bit of the VP8 frame tag: 0 = key frame
}

function vp9(p: Buffer): boolean {
  const b = p[0]!;
  const interPicture = b & 0x40;
  const begin = b & 0x08;
  if (interPicture || !begin) return false;
  if (b & 0x20) {
    // L: layer indices follow the picture id; only the base spatial layer starts a stream.
    let i = 1;
    if (b & 0x80) i += (p[1] ?? 0) & 0x80 ? 2 : 1;
    return ((p[i] ?? 0) & 0x0e) === 0;
  }
  return true;
}

const H264_IDR = 5;
const H264_SPS = 7;

function h264(p: Buffer): boolean {
  const type = p[0]! & 0x1f;
  if (type === H264_SPS || type === H264_IDR) return true;
  if (type === 24) {
    // STAP-A: 16-bit size, NAL unit, repeated.
    for (let i = 1; i + 2 < p.length; i += 2 + p.readUInt16BE(i)) {
      const t = p[i + 2]! & 0x1f;
      if (t === H264_SPS || t === H264_IDR) return true;
    }
    return false;
  }
  if (type === 28) return p.length > 1 && (p[1]! & 0x80) !== 0 && (p[1]! & 0x1f) === H264_IDR; // FU-A start of an IDR
  return false;
}

/** The test for a codec's mime type; audio and unknown video codecs can start anywhere. */
export function keyFrameTest(mimeType: string): KeyFrameTest | undefined {
  switch (mimeType.toLowerCase()) {
    case 'video/vp8':
      return vp8;
    case 'video/vp9':
      return vp9;
    case 'video/h264':
      return h264;
    default:
      return undefined;
  }
}
