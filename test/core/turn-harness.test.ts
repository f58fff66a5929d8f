import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTurn, type TestTurn } from '../../scripts/harness/turn.ts';

describe('the test TURN server (coturn)', () => {
  let turn: TestTurn;
  beforeAll(async () => {
    turn = await startTestTurn();
  });
  afterAll(async () => {
    await turn.stop();
  });

  it('answers an unauthenticated Allocate with 401 and its realm, as TURN requires', async () => {
    const sock = dgram.createSocket('udp4');
    const tx = randomBytes(12);
    const msg = Buffer.alloc(28);
    msg.writeUInt16BE(0x0003, 0); // Allocate request
    msg.writeUInt16BE(8, 2);
    msg.writeUInt32BE(0x2112a442, 4);
    tx.copy(msg, 8);
    msg.writeUInt16BE(0x0019, 20); // REQUESTED-TRANSPORT: UDP
    msg.writeUInt16BE(4, 22);
    msg.writeUInt32BE(17 << 24, 24);
    // UDP: the server's UDP listener may come up after its TCP one, and a datagram can be lost,
    // so the request is repeated until the answer comes (as a STUN client does).
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const retry = setInterval(() => sock.send(msg, turn.port, '127.0.0.1'), 500);
      sock.once('message', (m) => {
        clearInterval(retry);
        resolve(m);
      });
      sock.once('error', (err) => {
        clearInterval(retry);
        reject(err);
      });
      sock.send(msg, turn.port, '127.0.0.1');
    });
    sock.close();
    expect(reply.readUInt16BE(0)).toBe(0x0113); // Allocate error response
    expect(reply.subarray(8, 20).equals(tx)).toBe(true);
    expect(reply.toString('latin1')).toContain(turn.realm);
  });
});
