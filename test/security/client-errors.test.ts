// A client's mistakes are the client's: an SSRC another producer of the transport already uses, a
// codec the room does not have, a reused SSRC after a producer closed and its replacement clashes
// — each answered `bad_request` (never `internal`), counted as such, and the connection served on.
// (Over HTTP: a malformed check-in is a typed 400, test/security/check-in.test.ts.)
import { describe, expect, it } from 'vitest';
import { testNode, vp8 } from './support.ts';

const node = testNode();

async function internalErrors(): Promise<number> {
  const body = await (await fetch(`${node.platform.url}/metrics`)).text();
  return [...body.matchAll(/^sv_signalling_requests_total\{event="[^"]+",outcome="internal"\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

describe('client mistakes on media', () => {
  it('a duplicate SSRC, an unsupported codec and a clashing MID are bad requests, and the connection is served on', async () => {
    const room = `test:client-errors-${Date.now()}`;
    const c = await node.connect(node.platform.token('u-clumsy', 'official', { rooms: [room], sources: ['camera', 'microphone', 'screen'] }));
    expect(await c.join(room)).toMatchObject({ ok: true });
    const internalBefore = await internalErrors();
    const t = await c.sendTransport();
    const camera = await c.ok<{ producerId: string }>('produce', { transportId: t, kind: 'video', rtpParameters: vp8(4242), source: 'camera' });

    // The screen with the camera's SSRC.
    expect(await c.produce(t, 'screen', vp8(4242))).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    // A codec the router was not created with.
    const h265 = { ...vp8(), codecs: [{ mimeType: 'video/H265', payloadType: 102, clockRate: 90000 }] };
    expect(await c.produce(t, 'screen', h265)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    // A new camera with a MID, then a screen with the same MID.
    const withMid = (mid: string, ssrc: number) => ({ ...vp8(ssrc), mid });
    expect(await c.call('closeProducer', { producerId: camera.producerId })).toMatchObject({ ok: true });
    expect(await c.produce(t, 'camera', withMid('7', 5001))).toMatchObject({ ok: true });
    expect(await c.produce(t, 'screen', withMid('7', 5002))).toMatchObject({ ok: false, error: { code: 'bad_request' } });

    expect(await internalErrors()).toBe(internalBefore);
    // Still served: a correct screen share goes through on the same transport.
    expect(await c.produce(t, 'screen', vp8())).toMatchObject({ ok: true });
  });
});
