// Revocation and expiry against real nodes on one Redis: a revocation made on one node closes the
// subject's signalling and /live connections on another within seconds, and its old token is
// refused on REST, signalling and /live by every node — including one started afterwards. An
// expired token opens no transport, producer or consumer on a connection opened before it
// expired; `refreshToken` swaps in a fresh one, checked like a join, without dropping media.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/evidence.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { Client, connectAs, opus, refusedConnect, rest, testNode, vp8 } from './support.ts';

describe('a revocation on one node', () => {
  let a: TestPlatform;
  let b: TestPlatform;
  let late: TestPlatform | undefined;
  const redisPrefix = `t${process.pid}-revocation-${Date.now()}:`;
  const clients: Client[] = [];

  beforeAll(async () => {
    [a, b] = [await startTestPlatform({}, { redisPrefix }), await startTestPlatform({}, { redisPrefix })];
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await late?.close();
    await b?.close();
    await a?.close();
  });

  it('closes the subject’s connections on every node and is refused everywhere, by nodes started later too', async () => {
    const room = `test:revocation-${Date.now()}`;
    // One credential for REST, /live and the room (as a person's access token would be, were it to name a room).
    const token = b.token('fm-disabled', 'family', { rooms: [room] }, { use: 'access' });
    const bystanderToken = b.token('fm-bystander', 'family', { rooms: [room] }, { use: 'access' });
    const inRoom = await connectAs(b, token);
    const live = await connectAs(b, token, '/live');
    const bystander = await connectAs(b, bystanderToken);
    clients.push(inRoom, live, bystander);
    expect(await inRoom.join(room)).toMatchObject({ ok: true });
    expect(await bystander.join(room)).toMatchObject({ ok: true });
    expect((await rest(b, 'GET', '/api/household/households', token)).status).toBe(200);

    // Node A disables the account (what the identity service will call).
    await a.revocations.revokeSubject({ sub: 'fm-disabled', reason: 'account-disabled', lifetimeSeconds: 3600 });
    expect(await inRoom.told('roomClosed')).toEqual({ reason: 'revoked' });
    expect(await live.told('access:revoked')).toEqual({ reason: 'account-disabled' });
    await Promise.all([inRoom.gone(), live.gone()]);
    await until('the disabled participant out of the room', () => !b.rooms.get(room)?.peers.has('fm-disabled'));
    expect(bystander.disconnected).toBe(false);

    late = await startTestPlatform({}, { redisPrefix });
    for (const node of [a, b, late]) {
      for (const ns of ['', '/live']) {
        expect(await refusedConnect(node, token, ns), `${node.url}${ns}`).toMatchObject({ code: 'unauthorized', details: { reason: 'account-disabled' } });
      }
      expect(await rest(node, 'GET', '/api/household/households', token)).toMatchObject({ status: 401, body: { error: { code: 'unauthorized', details: { reason: 'account-disabled' } } } });
      // Someone else's token is untouched.
      expect((await rest(node, 'GET', '/api/household/households', bystanderToken)).status).toBe(200);
    }
  });

  it('of one token leaves the same person’s other tokens alone', async () => {
    const first = b.token('fm-two-phones', 'family', { rooms: [] });
    const second = b.token('fm-two-phones', 'family', { rooms: [] });
    const phone1 = await connectAs(b, first, '/live');
    const phone2 = await connectAs(b, second, '/live');
    clients.push(phone1, phone2);
    const claims = b.tokens.verify(first);
    await a.revocations.revokeToken(claims.jti, claims.exp);
    expect(await phone1.told('access:revoked')).toEqual({ reason: 'token-revoked' });
    await phone1.gone();
    expect(phone2.disconnected).toBe(false);
    expect(await refusedConnect(a, first, '/live')).toMatchObject({ code: 'unauthorized' });
    expect((await rest(a, 'GET', '/api/household/households', second)).status).toBe(200);
  });
});

describe('expiry on an open connection', () => {
  const node = testNode();

  it('an expired token opens no transport, producer or consumer; refreshToken swaps in a fresh one without touching the media', async () => {
    const room = `test:expiry-${Date.now()}`;
    const short = node.platform.token('u-short', 'official', { rooms: [room] }, { ttlSeconds: 2 });
    const exp = node.platform.tokens.verify(short).exp;
    const c = await node.connect(short);
    const other = await node.connect(node.platform.token('u-other', 'official', { rooms: [room] }));
    expect(await c.join(room)).toMatchObject({ ok: true, data: { exp } });
    expect(await other.join(room)).toMatchObject({ ok: true });
    const send = await c.sendTransport();
    const recv = await c.recvTransport();
    const mine = await c.ok<{ producerId: string }>('produce', { transportId: send, kind: 'audio', rtpParameters: opus(), source: 'microphone' });
    const otherSend = await other.sendTransport();
    const theirs = await other.ok<{ producerId: string }>('produce', { transportId: otherSend, kind: 'video', rtpParameters: vp8(), source: 'camera' });
    const consumer = await c.ok<{ consumerId: string }>('consume', { transportId: recv, producerId: theirs.producerId });
    const theirMic = await other.produce(otherSend, 'microphone');
    if (!theirMic.ok) throw new Error('microphone refused');

    await until('the short token expired', () => Date.now() > exp * 1000 + 50, 10_000);
    expect(await c.call('createWebRtcTransport', { direction: 'recv', rtpCapabilities: c.rtpCapabilities })).toMatchObject({ ok: false, error: { code: 'token_expired' } });
    expect(await c.produce(send, 'camera')).toMatchObject({ ok: false, error: { code: 'token_expired' } });
    expect(await c.call('consume', { transportId: recv, producerId: theirMic.data.producerId })).toMatchObject({ ok: false, error: { code: 'token_expired' } });
    // What was set up before goes on.
    const peer = node.platform.rooms.get(room)!.peers.get('u-short')!;
    expect(peer.producers.get(mine.producerId)?.closed).toBe(false);
    expect(peer.consumers.get(consumer.consumerId)?.closed).toBe(false);

    // Refreshes are checked like a join: the same identity, a good token, this room.
    expect(await c.call('refreshToken', { token: node.platform.token('u-impostor', 'official', { rooms: [room] }) })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await c.call('refreshToken', { token: node.platform.token('u-short', 'official', { rooms: ['test:other'] }) })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await c.call('refreshToken', { token: node.platform.token('u-short', 'official', { rooms: [room] }, { ttlSeconds: -5 }) })).toMatchObject({ ok: false, error: { code: 'token_expired' } });
    const revoked = node.platform.token('u-short', 'official', { rooms: [room] });
    const rc = node.platform.tokens.verify(revoked);
    await node.platform.revocations.revokeToken(rc.jti, rc.exp);
    expect(await c.call('refreshToken', { token: revoked })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(c.disconnected).toBe(false);

    const fresh = node.platform.token('u-short', 'official', { rooms: [room] }, { ttlSeconds: 3600 });
    expect(await c.call('refreshToken', { token: fresh })).toMatchObject({ ok: true, data: { exp: node.platform.tokens.verify(fresh).exp } });
    expect(await c.call('consume', { transportId: recv, producerId: theirMic.data.producerId })).toMatchObject({ ok: true });
    expect(await c.produce(send, 'camera')).toMatchObject({ ok: true });
    expect(peer.producers.get(mine.producerId)?.closed).toBe(false);
    expect(peer.consumers.get(consumer.consumerId)?.closed).toBe(false);
    expect(node.platform.rooms.get(room)!.peers.get('u-short')).toBe(peer);
  });
});
