// Disabling an account (the security administrator, on one node) ends it everywhere: its sessions
// refresh no more, every token of its subject — the session's access token and a room token that
// no session knows of — is refused on every node, and its signalling and /live connections on
// another node are closed within seconds, told why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InitialPassword, SignedIn } from '../../server/protocol/http/identity-shapes.ts';
import { until } from '../support/evidence.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { Browser, NEW_PASSWORD, bootstrapSecurityAdmin, firstSignIn } from '../identity/support.ts';
import { Client, connectAs, refusedConnect, rest } from './support.ts';

const OFFICIAL = 'O341302-rs-1';

describe('a disabled account', () => {
  let a: TestPlatform;
  let b: TestPlatform;
  const redisPrefix = `t${process.pid}-disabled-${Date.now()}:`;
  const clients: Client[] = [];

  beforeAll(async () => {
    [a, b] = [await startTestPlatform({}, { redisPrefix }), await startTestPlatform({}, { redisPrefix })];
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await b?.close();
    await a?.close();
  });

  it('loses its sessions, its tokens on every node, and its open connections on the other node', async () => {
    const { initialPassword } = await bootstrapSecurityAdmin(a);
    const security = (await firstSignIn(new Browser(a), 'secadmin', initialPassword)).signedIn;
    const created = await new Browser(a).data<InitialPassword>('POST', '/api/identity/accounts', {
      token: security.token,
      body: { username: 'zhang.rs', displayName: '张干部', role: 'official', subject: OFFICIAL },
    });
    const desk = new Browser(a);
    const signedIn: SignedIn = (await firstSignIn(desk, 'zhang.rs', created.initialPassword)).signedIn;
    // A room token is issued outside any session (the case's room endpoint), for up to hours.
    const room = `test:disabled-${Date.now()}`;
    const roomToken = b.token(OFFICIAL, 'official', { rooms: [room] });
    const inRoom = await connectAs(b, roomToken);
    const live = await connectAs(b, signedIn.token, '/live');
    const bystander = await connectAs(b, b.token('O341302-zj-1', 'official', { rooms: [room] }));
    clients.push(inRoom, live, bystander);
    expect(await inRoom.join(room)).toMatchObject({ ok: true });
    expect(await bystander.join(room)).toMatchObject({ ok: true });

    const patched = await new Browser(a).send('PATCH', `/api/identity/accounts/${created.account.id}`, { token: security.token, body: { disabled: true } });
    expect(patched.status).toBe(200);

    expect(await inRoom.told('roomClosed')).toEqual({ reason: 'revoked' });
    expect(await live.told('access:revoked')).toEqual({ reason: 'account-disabled' });
    await Promise.all([inRoom.gone(), live.gone()]);
    await until('the disabled official out of the room', () => !b.rooms.get(room)?.peers.has(OFFICIAL));
    expect(bystander.disconnected).toBe(false);

    for (const node of [a, b]) {
      for (const token of [roomToken, signedIn.token]) {
        for (const ns of ['', '/live']) {
          expect(await refusedConnect(node, token, ns), `${node.url}${ns}`).toMatchObject({ code: 'unauthorized', details: { reason: 'account-disabled' } });
        }
        expect(await rest(node, 'GET', '/api/petition/desk', token)).toMatchObject({ status: 401, body: { error: { code: 'unauthorized', details: { reason: 'account-disabled' } } } });
      }
    }
    // The session yields no new token, and the password opens no new one.
    expect((await desk.send('POST', '/api/identity/session/refresh', { body: {} })).status).toBe(401);
    const again = await new Browser(a).send('POST', '/api/identity/sign-in', { body: { username: 'zhang.rs', password: NEW_PASSWORD } });
    expect(again.body.ok).toBe(false);
  });
});
