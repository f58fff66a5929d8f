// The native reader (recvmmsg) the recorder intake drains its sockets with: every queued
// datagram comes back whole, in order and with its own size, across several calls when more
// than one call's worth is queued; a closed descriptor is an error, not a silent empty read.
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { datagramReader } from '../../recordings/datagram-reader.ts';
import { until } from '../support/evidence.ts';

function fdOf(socket: dgram.Socket): { fd: number; stop(): void } {
  const state = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol')!;
  const handle = (socket as unknown as Record<symbol, { handle: { fd: number; recvStop(): number } }>)[state]!.handle;
  return { fd: handle.fd, stop: () => void handle.recvStop() };
}

/** Datagram i: i's size (100 + 7·i bytes), every byte i mod 256. */
const datagram = (i: number) => Buffer.alloc(100 + 7 * i, i & 0xff);

describe('the native datagram reader', () => {
  const open: dgram.Socket[] = [];
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });

  it('is built (scripts/setup.sh)', () => {
    expect(datagramReader).toBeDefined();
  });

  it('drains a queue of 150 datagrams in order, each whole', async () => {
    const receiver = dgram.createSocket('udp4');
    const sender = dgram.createSocket('udp4');
    open.push(receiver, sender);
    await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', () => resolve()));
    receiver.setRecvBufferSize(4 << 20);
    const { fd, stop } = fdOf(receiver);
    stop(); // the kernel queues; only the reader takes them
    const count = 150;
    let sent = 0;
    for (let i = 0; i < count; i++) sender.send(datagram(i), receiver.address().port, '127.0.0.1', () => void sent++);
    await until('all sent', () => sent === count, 10_000);

    const got: Buffer[] = [];
    await until('all read', () => (datagramReader!.drain(fd, (d) => got.push(Buffer.from(d))), got.length >= count), 10_000);
    expect(got.length).toBe(count);
    got.forEach((d, i) => expect(d.equals(datagram(i))).toBe(true));
    expect(datagramReader!.drain(fd, () => got.push(Buffer.alloc(0)))).toBe(0);
  });

  it('throws on a descriptor that is no socket', () => {
    let thrown: unknown;
    try {
      datagramReader!.drain(2 ** 30, () => undefined);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ code: 'EBADF', message: expect.stringMatching(/bad file descriptor/i) });
  });
});
