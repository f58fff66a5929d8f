// Family members join by invitation, against a running node: someone new opens the household's
// link, becomes a member with their own account and calls home; an existing person is invited by
// sign-in name and the household learns nothing about them until they accept; linking them
// directly is refused; a removed member's household room is closed at once.
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED, SYSTEM_ACTOR } from '../../server/household/index.ts';
import type { Invitation, InvitationPreview } from '../../server/protocol/http/identity-shapes.ts';
import type { HouseholdView } from '../../server/protocol/http/household-shapes.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { Browser } from './support.ts';

let platform: TestPlatform;
let api: Browser;
let manager: string;
const H = SEED.households.zhang;

beforeAll(async () => {
  platform = await startTestPlatform();
  api = new Browser(platform);
  manager = platform.token(SEED.family.zhangWei, 'family', { rooms: [] }, { name: '张伟' });
  // The home device is on: calls ring instead of going to missed calls.
  const { token } = await platform.services.households.bindDevice(SYSTEM_ACTOR, H, { id: SEED.devices.zhang, name: '客厅', place: 'living-room' });
  await api.data('POST', '/api/household/device/heartbeat', { token });
});
afterAll(async () => {
  await platform?.close();
});

const household = (token: string) => api.data<HouseholdView>('GET', `/api/household/households/${H}`, { token });

describe('invitations', () => {
  it('someone new joins through the link, at the permission the manager chose, and can call home', async () => {
    const inv = await api.data<Invitation>('POST', '/api/identity/invitations', { token: manager, body: { householdId: H, relation: '女儿', permission: 'call' } });
    expect(inv).toMatchObject({ state: 'open', addressed: false, link: expect.stringContaining('/invite.html#code=') });
    const preview = await api.data<InvitationPreview>('POST', '/api/identity/invitations/preview', { body: { code: inv.code } });
    expect(preview).toMatchObject({ householdName: '张家', invitedBy: '张伟', relation: '女儿', permission: 'call' });

    const phone = new Browser(platform);
    const step = await phone.step('/invitations/accept', { code: inv.code, name: '张丽', city: '宁波', username: 'zhang.li', password: 'Ningbo-Harbour-7' });
    if (step.step !== 'signed-in') throw new Error(`expected signed-in, got ${step.step}`);
    expect(step.page).toBe('family.html');
    const claims = platform.tokens.verify(step.token);
    expect(claims.role).toBe('family');
    const view = await household(step.token);
    expect(view.family.find((f) => f.id === claims.sub)).toMatchObject({ name: '张丽', city: '宁波', permission: 'call' });
    // The code is spent.
    expect((await api.send('POST', '/api/identity/invitations/preview', { body: { code: inv.code } })).status).toBe(410);
    // She calls home with her own token; she may not look in (call level).
    const { call } = await api.data<{ call: { id: string } }>('POST', `/api/household/households/${H}/calls`, { token: step.token, body: {} });
    await api.data('POST', `/api/household/calls/${call.id}/end`, { token: step.token });
    expect((await api.send('POST', `/api/household/households/${H}/look-ins`, { token: step.token, body: {} })).status).toBe(403);
  });

  it('an existing person is asked first: the household sees nothing about them until they accept', async () => {
    // 赵敏 (another household's manager) gets an account of her own.
    const sec = platform.token('sec-1', 'security-admin', { rooms: [] });
    await api.data('POST', '/api/identity/accounts', { token: sec, body: { username: 'zhao.min', displayName: '赵敏', role: 'family', subject: SEED.family.zhaoMin } });
    const zhao = platform.token(SEED.family.zhaoMin, 'family', { rooms: [] }, { name: '赵敏' });

    // Linking her directly is refused; so is learning whether a name exists.
    const direct = await api.send('POST', `/api/household/households/${H}/family`, { token: manager, body: { memberId: SEED.family.zhaoMin, relation: '表妹', permission: 'call' } });
    expect(direct.body).toMatchObject({ ok: false, error: { code: 'forbidden', details: { reason: 'invitation_required' } } });
    const toNobody = await api.data<Invitation>('POST', '/api/identity/invitations', { token: manager, body: { householdId: H, relation: '表妹', permission: 'call', username: 'no.such.person' } });
    const toZhao = await api.data<Invitation>('POST', '/api/identity/invitations', { token: manager, body: { householdId: H, relation: '表妹', permission: 'call', username: 'zhao.min' } });
    const shape = (i: Invitation) => ({ ...i, id: '', createdAt: '', expiresAt: '' });
    expect(shape(toNobody)).toEqual(shape(toZhao));
    expect(JSON.stringify(await household(manager))).not.toContain('赵敏');
    expect(JSON.stringify(await api.data('GET', `/api/identity/households/${H}/invitations`, { token: manager }))).not.toMatch(/赵敏|南京|zhao/);

    const mine = await api.data<InvitationPreview[]>('GET', '/api/identity/me/invitations', { token: zhao });
    expect(mine).toEqual([expect.objectContaining({ id: toZhao.id, householdName: '张家', invitedBy: '张伟' })]);
    await api.data('POST', `/api/identity/me/invitations/${toZhao.id}`, { token: zhao, body: { accept: true } });
    expect((await household(manager)).family.find((f) => f.id === SEED.family.zhaoMin)).toMatchObject({ name: '赵敏', relation: '表妹' });
  });

  it('a removed member is out at once: their call room connection closes and the household refuses them', async () => {
    const liNa = platform.token(SEED.family.liNa, 'family', { rooms: [] }, { name: '李娜' });
    const { roomId, token } = await api.data<{ roomId: string; token: string }>('POST', `/api/household/households/${H}/calls`, { token: liNa, body: {} });
    const signalling: Socket = io(platform.url, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false });
    await new Promise<void>((resolve, reject) => {
      signalling.once('connect', () => resolve());
      signalling.once('connect_error', reject);
    });
    const closed = new Promise<string>((resolve) => signalling.once('disconnect', (r) => resolve(r)));
    await api.data('POST', `/api/identity/households/${H}/members/${SEED.family.liNa}/remove`, { token: manager });
    expect(await closed).toBe('io server disconnect');
    expect((await api.send('GET', `/api/household/households/${H}`, { token: liNa })).status).toBe(403);
    expect(roomId).toContain(H);
    signalling.close();
  });
});
