// The recorder's intake reads its socket in rounds (rtp-intake.ts): between rounds the kernel
// queues what arrives, a round reads the socket dry — also past the 32 datagrams libuv takes per
// readiness — and hands the round's packets to ffmpeg in one write. A burst of 600 packets sent
// at once must arrive complete and in order, in a few writes, not one per packet — drained by the
// native reader (recvmmsg, 64 per call) as the product runs it, and event by event without it.
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { recorderPortStats, bindRecorderSocket } from '../../recordings/ports.ts';
import { RtpIntake } from '../../recordings/rtp-intake.ts';
import { until } from '../support/evidence.ts';

const RANGE = { min: 63000, max: 63099 };

/** An Opus RTP packet: sequence number, timestamp (20 ms frames at 48 kHz), 160 bytes of payload. */
function rtp(seq: number): Buffer {
  const b = Buffer.alloc(12 + 160);
  b[0] = 0x80;
  b[1] = 100;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE((seq * 960) >>> 0, 4);
  b.writeUInt32BE(4242, 8);
  return b;
}

describe('the RTP intake', () => {
  const open: { close(): void }[] = [];
  afterEach(() => {
    for (const x of open.splice(0)) x.close();
  });

  // Without the native reader (a machine where it could not be built) a round reads the socket
  // event by event: the descriptor hidden from the intake makes it take that path.
  it.each([
    ['the native reader', true],
    ['events, without the native reader', false],
  ])('reads in rounds with %s: a burst arrives whole and in order, in a few writes', async (_, native) => {
    const socket = await bindRecorderSocket(RANGE, 1 << 20);
    if (!native) {
      const state = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol')!;
      Object.defineProperty((socket as unknown as Record<symbol, { handle: object }>)[state]!.handle, 'fd', { value: -1 });
    }
    const intake = new RtpIntake(socket, { mimeType: 'audio/opus', clockRate: 48000, requestKeyFrame: () => undefined, onLoss: () => undefined });
    open.push(intake);
    expect(intake.paced).toBe(true);
    expect(intake.readsNatively).toBe(native); // scripts/setup.sh built .cache/native/datagram-reader.node
    const writes: Buffer[][] = [];
    intake.attach({ write: (packets) => (writes.push([...packets]), true) }, () => undefined);

    const sender = dgram.createSocket('udp4');
    open.push(sender);
    const count = 600;
    await new Promise<void>((resolve) => sender.bind(0, '127.0.0.1', () => resolve()));
    for (let i = 0; i < count; i++) sender.send(rtp(i), intake.port, '127.0.0.1');

    await until('every packet handed on', () => writes.flat().length === count, 10_000);
    expect(writes.flat().map((p) => p.readUInt16BE(2))).toEqual([...Array(count).keys()]);
    expect(intake.stats).toMatchObject({ packets: count, missing: 0 });
    // The first packet is handed over alone (it starts the stream), then one write per round.
    expect(writes.length).toBeLessThanOrEqual(10);
    expect(recorderPortStats.bound).toBeGreaterThanOrEqual(1);
  });

  it('stops reading a closed socket and frees its port', async () => {
    const socket = await bindRecorderSocket(RANGE);
    const port = socket.address().port;
    new RtpIntake(socket, { mimeType: 'audio/opus', clockRate: 48000, requestKeyFrame: () => undefined, onLoss: () => undefined }).close();
    const again = dgram.createSocket('udp4');
    open.push(again);
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.bind(port, '127.0.0.1', () => resolve());
    });
  });
});
