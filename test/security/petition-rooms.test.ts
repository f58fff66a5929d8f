// Petition rooms against a real node, Redis and worker: a join to `petition:<case>` is decided by
// the case as it is now — its session running, the caller its petitioner terminal, an official
// holding a ticket for it, or a coordinator — at every join, and again whenever the case changes.
// Only the lead and coordinators remove participants; the lead and the petitioner cannot be
// removed, and a ban never keeps the current lead out; bans and the room end with the session,
// and nobody re-enters (no second recording) once it has ended.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../server/petition/types.ts';
import { until } from '../support/evidence.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { send, type Answer } from './edge-support.ts';
import { Client, connectAs, vp8 } from './support.ts';

const TERMINAL = 'T341321101201'; // 砀山县砀城镇 (seed); wages → 砀山县人社局
const ZJ = '341321-zj';
const terminal: Actor = { id: `device-${TERMINAL}`, name: '砀城镇一号终端', role: 'terminal', terminalId: TERMINAL };
const official = (id: string): Actor => ({ id, name: id, role: 'official' });
const coordinator: Actor = { id: 'coordinator-city', name: '综治中心值班员', role: 'coordinator' };
const OTHER_TERMINAL: Actor = { id: 'device-T341321103201', name: '终端 T341321103201', role: 'terminal', terminalId: 'T341321103201' };

let platform: TestPlatform;
const clients: Client[] = [];
const connect = async (token: string) => {
  const c = await connectAs(platform, token);
  clients.push(c);
  return c;
};

beforeAll(async () => {
  platform = await startTestPlatform();
});
/** Sessions a test opened: ended after it, passed or failed, so the officials are free again. */
const opened: string[] = [];
afterEach(async () => {
  for (const caseId of opened.splice(0)) await platform.services.petition.endSession(coordinator, caseId).catch(() => undefined);
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => {
  for (const c of clients) c.close();
  await platform?.close();
});

/** A case started at the terminal and taken by `leadId`: the tokens each side was given. */
async function caseInSession(leadId: string) {
  const petition = platform.services.petition;
  const started = await petition.startPetition(terminal, { terminalId: TERMINAL, category: 'wages', petitionerName: '王秀英' });
  const lead = await petition.acceptTicket(official(leadId), started.ticketId);
  opened.push(started.case.id);
  const watch = await petition.roomAccess(coordinator, started.case.id);
  return { caseId: started.case.id, roomId: started.roomId, petitionerToken: started.token, leadToken: lead.token, coordinatorToken: watch.token };
}

async function ticketOf(caseId: string, kind: string): Promise<string> {
  const t = (await platform.services.petition.queue.ticketsOfCase(caseId)).filter((x) => x.kind === kind && x.state === 'queued').pop();
  if (!t) throw new Error(`no queued ${kind} ticket for ${caseId}`);
  return t.id;
}

/** A case in session with its lead and petitioner in the room, and 住建's official invited, in, and removed by the lead. */
async function guestRemovedByLead() {
  const petition = platform.services.petition;
  const s = await caseInSession('O341321-rs-1');
  const lead = await connect(s.leadToken);
  const petitioner = await connect(s.petitionerToken);
  for (const c of [lead, petitioner]) expect(await c.join(s.roomId)).toMatchObject({ ok: true });
  await petition.invite(official('O341321-rs-1'), s.caseId, { departmentId: ZJ });
  const invited = await petition.acceptTicket(official('O341321-zj-1'), await ticketOf(s.caseId, 'invite'));
  const guest = await connect(invited.token);
  expect(await guest.join(s.roomId)).toMatchObject({ ok: true });
  expect(await lead.call('kickPeer', { peerId: 'O341321-zj-1' })).toMatchObject({ ok: true });
  return { s, lead, petitioner, invited };
}

describe('who enters a petition room', () => {
  it('nobody enters before an official has taken the case, whatever the token says', async () => {
    const petition = platform.services.petition;
    const started = await petition.startPetition(terminal, { terminalId: TERMINAL, category: 'wages' });
    const c = await connect(started.token);
    expect(await c.join(started.roomId)).toMatchObject({ ok: false, error: { code: 'gone' } });
    expect(platform.rooms.get(started.roomId)).toBeUndefined();
    // Taken: now the same token opens it.
    await petition.acceptTicket(official('O341321-rs-2'), started.ticketId);
    opened.push(started.case.id);
    expect(await c.join(started.roomId)).toMatchObject({ ok: true });
  });

  it('an official who holds no ticket for the case is refused even with a token naming its room', async () => {
    const s = await caseInSession('O341321-rs-1');
    const stranger = await connect(platform.token('O341321-zj-2', 'official', { rooms: [s.roomId] }));
    expect(await stranger.join(s.roomId)).toMatchObject({ ok: false, error: { code: 'forbidden', details: { reason: 'not_in_session' } } });
    const familyMember = await connect(platform.token('fm-someone', 'family', { rooms: [s.roomId] }));
    expect(await familyMember.join(s.roomId)).toMatchObject({ ok: false, error: { code: 'forbidden', details: { reason: 'not_a_party' } } });
  });

  it('names come from the directory: the terminal is shown by its name, what the petitioner typed only as a labelled note', async () => {
    const s = await caseInSession('O341321-rs-1');
    const lead = await connect(s.leadToken);
    expect(await lead.join(s.roomId)).toMatchObject({ ok: true });
    const petitioner = await connect(s.petitionerToken);
    // The old `displayName` is gone from the protocol: a client cannot name itself.
    expect(await petitioner.join(s.roomId, { displayName: '县长' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await petitioner.join(s.roomId, { note: '王秀英' })).toMatchObject({ ok: true });
    const joined = await lead.told<{ peerId: string; name: string; note?: string }>('peerJoined');
    expect(joined).toMatchObject({ peerId: terminal.id, name: '砀城镇一号终端', note: '王秀英' });
  });
});

describe('removing participants', () => {
  it('only the lead and coordinators remove; invited officials cannot, whatever their token; the lead and the petitioner cannot be removed', async () => {
    const petition = platform.services.petition;
    const s = await caseInSession('O341321-rs-1');
    const lead = await connect(s.leadToken);
    const petitioner = await connect(s.petitionerToken);
    const watcher = await connect(s.coordinatorToken);
    for (const c of [lead, petitioner, watcher]) expect(await c.join(s.roomId)).toMatchObject({ ok: true });

    await petition.invite(official('O341321-rs-1'), s.caseId, { departmentId: ZJ });
    const invited = await petition.acceptTicket(official('O341321-zj-1'), await ticketOf(s.caseId, 'invite'));
    expect(platform.tokens.verify(invited.token).grant.roomAdmin).toBeUndefined();
    // Even a token that says roomAdmin does not make an invited official an admin of the case.
    const guest = await connect(platform.token('O341321-zj-1', 'official', { rooms: [s.roomId], roomAdmin: true }));
    const joinedGuest = await guest.join(s.roomId);
    expect(joinedGuest).toMatchObject({ ok: true, data: { permission: { roomAdmin: false } } });
    expect(await guest.call('kickPeer', { peerId: terminal.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await guest.call('kickPeer', { peerId: 'O341321-rs-1' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    // The case's own lead and petitioner stay, whoever asks.
    expect(await lead.call('kickPeer', { peerId: terminal.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await watcher.call('kickPeer', { peerId: 'O341321-rs-1' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await watcher.call('kickPeer', { peerId: terminal.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    // A coordinator removes the invited official, who stays out with a fresh token.
    expect(await watcher.call('kickPeer', { peerId: 'O341321-zj-1' })).toMatchObject({ ok: true });
    expect(await guest.told('roomClosed')).toEqual({ reason: 'kicked' });
    const again = await connect((await petition.roomAccess(official('O341321-zj-1'), s.caseId)).token);
    expect(await again.join(s.roomId)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('a ban never keeps the current lead out: an official removed as a guest comes back when the case is transferred to them', async () => {
    const petition = platform.services.petition;
    const { s } = await guestRemovedByLead();
    expect(await platform.redis.hexists(platform.keys.roomBan(s.roomId), 'O341321-zj-1')).toBe(1);

    await petition.transfer(official('O341321-rs-1'), s.caseId, ZJ, '属住建职能');
    const taken = await petition.acceptTicket(official('O341321-zj-1'), await ticketOf(s.caseId, 'transfer'));
    const newLead = await connect(taken.token);
    expect(await newLead.join(s.roomId)).toMatchObject({ ok: true, data: { permission: { roomAdmin: true } } });
  });
});

describe('the case moving on', () => {
  it('after a transfer the former lead is taken out of the room on the spot and cannot come back; the petitioner stays for the next office', async () => {
    const petition = platform.services.petition;
    const s = await caseInSession('O341321-rs-1');
    const lead = await connect(s.leadToken);
    const petitioner = await connect(s.petitionerToken);
    for (const c of [lead, petitioner]) expect(await c.join(s.roomId)).toMatchObject({ ok: true });
    const send = await lead.sendTransport();
    expect(await lead.produce(send, 'camera')).toMatchObject({ ok: true });

    await petition.transfer(official('O341321-rs-1'), s.caseId, ZJ, '属住建职能');
    expect(await lead.told('roomClosed')).toEqual({ reason: 'revoked' });
    await lead.gone();
    await until('the former lead out of the room', () => !platform.rooms.get(s.roomId)?.peers.has('O341321-rs-1'));
    expect(platform.rooms.get(s.roomId)?.peers.has(terminal.id)).toBe(true);
    expect(petitioner.disconnected).toBe(false);

    // The token is still within its 4 hours; the case has moved on.
    const back = await connect(s.leadToken);
    expect(await back.join(s.roomId)).toMatchObject({ ok: false, error: { code: 'forbidden', details: { reason: 'not_in_session' } } });
    // The petitioner's connection can drop and come back while the case waits for the next office.
    petitioner.close();
    const returning = await connect(s.petitionerToken);
    expect(await returning.join(s.roomId)).toMatchObject({ ok: true });

    await petition.acceptTicket(official('O341321-zj-1'), await ticketOf(s.caseId, 'transfer'));
  });

  it('after the session ends nobody re-enters with any token, its bans are gone, and no second recording is started', async () => {
    const petition = platform.services.petition;
    const { s, lead, petitioner, invited } = await guestRemovedByLead();
    const archive = platform.services.archive;
    const recorded = await until('the session recorded', async () => (await archive.catalog.search({ caseNumber: s.caseId }))[0]);

    await petition.endSession(official('O341321-rs-1'), s.caseId);
    for (const c of [lead, petitioner]) expect(await c.told('roomClosed')).toEqual({ reason: 'ended' });
    await until('the room closed', () => platform.rooms.get(s.roomId) === undefined);
    await until('the bans of the session gone', async () => (await platform.redis.exists(platform.keys.roomBan(s.roomId))) === 0);
    await until('the recording sealed', async () => (await archive.catalog.get(recorded.sessionId))?.status === 'stopped');

    for (const token of [s.petitionerToken, s.leadToken, s.coordinatorToken, invited.token]) {
      const c = await connect(token);
      const r = await c.join(s.roomId);
      expect(r, platform.tokens.verify(token).sub).toMatchObject({ ok: false, error: { code: 'gone', details: { reason: 'not_in_session' } } });
    }
    expect(platform.rooms.get(s.roomId)).toBeUndefined();
    expect((await archive.catalog.search({ caseNumber: s.caseId })).map((x) => x.sessionId)).toEqual([recorded.sessionId]);
  });
});

describe('renewing a room token (POST /cases/:id/room-token with the token held)', () => {
  const renew = (token: string, caseId: string) => send<{ roomId: string }>(platform.url, 'POST', `/api/petition/cases/${caseId}/room-token`, { token, body: {} });
  const refusal = (a: Answer) => ({ code: a.body?.error?.code, reason: (a.body?.error?.details as { reason?: string } | undefined)?.reason });

  it('a room token renews only its own room: a coordinator’s token for one case mints none for another', async () => {
    const a = await caseInSession('O341321-rs-1');
    const petition = platform.services.petition;
    const other = await petition.startPetition(OTHER_TERMINAL, { terminalId: OTHER_TERMINAL.terminalId!, category: 'wages' });
    await petition.acceptTicket(official('O341321-rs-2'), other.ticketId);
    opened.push(other.case.id);
    expect((await renew(a.coordinatorToken, a.caseId)).body?.data?.roomId).toBe(a.roomId);
    expect(refusal(await renew(a.coordinatorToken, other.case.id))).toEqual({ code: 'forbidden', reason: 'other_room' });
    expect(refusal(await renew(a.petitionerToken, other.case.id))).toEqual({ code: 'forbidden', reason: 'other_room' });
    expect(refusal(await renew(a.leadToken, other.case.id))).toEqual({ code: 'forbidden', reason: 'other_room' });
  });

  it('once the case has moved on no token is renewed: the former lead after a transfer, everyone after the end', async () => {
    const petition = platform.services.petition;
    const s = await caseInSession('O341321-rs-1');
    await petition.transfer(official('O341321-rs-1'), s.caseId, ZJ, '属住建职能');
    expect(refusal(await renew(s.leadToken, s.caseId))).toEqual({ code: 'forbidden', reason: 'not_in_session' });
    // The handover is still the session: the petitioner waits in the room for the next office.
    expect((await renew(s.petitionerToken, s.caseId)).status).toBe(200);
    await petition.acceptTicket(official('O341321-zj-1'), await ticketOf(s.caseId, 'transfer'));
    await petition.endSession(official('O341321-zj-1'), s.caseId);
    for (const token of [s.petitionerToken, s.coordinatorToken]) {
      expect(refusal(await renew(token, s.caseId)), platform.tokens.verify(token).role).toEqual({ code: 'gone', reason: 'not_in_session' });
    }
  });
});

describe('produce in a petition room', () => {
  it('a coordinator watching hidden publishes nothing, whatever its token says', async () => {
    const s = await caseInSession('O341321-rs-1');
    const watcher = await connect(platform.token(coordinator.id, 'coordinator', { rooms: [s.roomId], hidden: true, canPublish: true, sources: ['camera', 'microphone'] }));
    expect(await watcher.join(s.roomId)).toMatchObject({ ok: true, data: { permission: { canPublish: false, sources: [] } } });
    expect(await watcher.call('createWebRtcTransport', { direction: 'send' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const lead = await connect(s.leadToken);
    expect(await lead.join(s.roomId)).toMatchObject({ ok: true, data: { peers: [] } });
    const t = await lead.sendTransport();
    expect(await lead.produce(t, 'camera', vp8())).toMatchObject({ ok: true });
  });
});
