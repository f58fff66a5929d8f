// The signalling and /live half of the authorization table, walked against a running node with
// real Redis and worker: one petition case in session (its terminal, lead, invited officials and
// a watching coordinator), one that has ended, a family's call home, a counsellor's call into
// another home and a family member's look-in, a 红色物业 matter of 康居小区 and its property office's camera view, each with the tokens the product issued, plus
// tokens that name a room their holder has no part in. Every row's outcome is what the server
// answers (allowed, or the typed error code), and a request, /live request or room kind that has
// no row fails the suite, as does a docs/security-rooms.md that prints other rows.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../server/petition/types.ts';
import { liveRequestSchemas } from '../../server/protocol/live.ts';
import { parseRoomId, type ParsedRoomId } from '../../server/protocol/room-id.ts';
import { requestSchemas } from '../../server/protocol/signalling.ts';
import { createFixture, createTestClock, SEED, type Fixture } from '../household/fixture.ts';
import { PROPERTY_SEED } from '../../server/property/index.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { ROWS, tableLines, type Scenario } from './rooms-table.ts';

/** Every room kind; a kind added to parseRoomId without an entry here is a type error. */
const ROOM_KINDS = { petition: true, 'household-call': true, 'household-look-in': true, 'property-matter': true, 'property-camera-view': true, malformed: true, 'ad-hoc': true } satisfies Record<ParsedRoomId['kind'], true>;

const terminal = (id: string): Actor => ({ id: `device-${id}`, name: `终端 ${id}`, role: 'terminal', terminalId: id });
const official = (id: string): Actor => ({ id, name: id, role: 'official' });
const coordinator: Actor = { id: 'coordinator-city', name: '综治中心值班员', role: 'coordinator' };

let platform: TestPlatform;
let f: Fixture;
let s: Scenario;

/** A wages case started at `terminalId` and taken by `leadId`: the tokens each side was given. */
async function caseInSession(terminalId: string, leadId: string) {
  const petition = platform.services.petition;
  const started = await petition.startPetition(terminal(terminalId), { terminalId, category: 'wages' });
  const lead = await petition.acceptTicket(official(leadId), started.ticketId);
  const watch = await petition.roomAccess(coordinator, started.case.id);
  return { caseId: started.case.id, roomId: started.roomId, petitioner: started.token, lead: lead.token, coordinator: watch.token };
}

/** `department` invited by the lead, its first official accepting: their id and room token. */
async function invited(caseId: string, leadId: string, kind: string): Promise<{ id: string; token: string }> {
  const petition = platform.services.petition;
  await petition.invite(official(leadId), caseId, { departmentId: `341321-${kind}` });
  const ticket = (await petition.queue.ticketsOfCase(caseId)).filter((t) => t.kind === 'invite' && t.state === 'queued').pop();
  if (!ticket) throw new Error(`no invitation to 341321-${kind}`);
  const id = `O341321-${kind}-1`;
  return { id, token: (await petition.acceptTicket(official(id), ticket.id)).token };
}

beforeAll(async () => {
  const clock = createTestClock();
  // The compound camera's address is vetted like any camera's: loopback on a port nothing serves, so
  // the rooms pull a camera that never answers and the rows decide on who joins alone.
  platform = await startTestPlatform({ CAMERA_ALLOWED_NETWORKS: '127.0.0.0/8', CAMERA_ALLOWED_PORTS: '9' }, { household: { clock } });
  f = await createFixture({}, { tokens: platform.tokens, platform, clock });
  const households = platform.services.households;

  const open = await caseInSession('T341321101201', 'O341321-rs-1');
  const zj = await invited(open.caseId, 'O341321-rs-1', 'zj');
  const guests = {
    refused: await invited(open.caseId, 'O341321-rs-1', 'zrzy'),
    byLead: await invited(open.caseId, 'O341321-rs-1', 'mz'),
    byCoordinator: await invited(open.caseId, 'O341321-rs-1', 'ga'),
    rejoin: await invited(open.caseId, 'O341321-rs-1', 'nync'),
  };
  const ended = await caseInSession('T341321103201', 'O341321-rs-2');
  await platform.services.petition.endSession(official('O341321-rs-2'), ended.caseId);

  const device = async (householdId: string, id: string) => {
    const { token } = await households.bindDevice(f.admin, householdId, { id, name: '客厅终端', place: 'living-room' });
    const claims = platform.tokens.verify(token);
    await households.heartbeat(claims);
    return claims;
  };
  const zhangDevice = await device(SEED.households.zhang, SEED.devices.zhang);
  const wangDevice = await device(SEED.households.wang, SEED.devices.wang);
  const call = await households.startCall(f.person(SEED.family.zhangWei, 'family', '张伟'), SEED.households.zhang);
  const counsellorCall = await households.startCall(f.person(SEED.counsellors.zhou, 'counsellor', '周红'), SEED.households.wang);
  const lookIn = await households.startLookIn(f.person(SEED.family.liNa, 'family', '李娜'), SEED.households.zhang);

  const property = platform.services.property;
  const claims = (sub: string, role: Parameters<TestPlatform['token']>[1], name: string, attributes = {}) =>
    platform.tokens.verify(platform.token(sub, role, { rooms: [] }, { name, attributes }));
  const office = claims(PROPERTY_SEED.staff.liu, 'property', '刘晓东');
  const camera = await property.addCamera(office, PROPERTY_SEED.compound, { name: '东门摄像头', location: '东门', url: 'rtsp://127.0.0.1:9/none' });
  const raised = await property.raise(office, { compoundId: PROPERTY_SEED.compound, category: 'security', location: '东门', description: '东门道闸坏了', residentId: PROPERTY_SEED.residents.chen });
  await property.invite(office, raised.matter.id, { party: 'community' });
  await property.invite(office, raised.matter.id, { party: 'department', departmentId: '341302101-ga' });
  const view = await property.viewCamera(office, camera.id);

  s = {
    platform,
    petition: {
      roomId: open.roomId, caseId: open.caseId, endedRoomId: ended.roomId, endedCaseId: ended.caseId,
      petitioner: open.petitioner, lead: open.lead, invited: zj.token, guests, coordinator: open.coordinator,
      ended: { petitioner: ended.petitioner, lead: ended.lead, coordinator: ended.coordinator },
    },
    call: {
      roomId: call.roomId, caller: call.token,
      family: platform.token(SEED.family.zhangLei, 'family', { rooms: [call.roomId] }, { name: '张磊' }),
      device: (await households.deviceRoomToken(zhangDevice, call.roomId)).token,
    },
    counsellorCall: {
      roomId: counsellorCall.roomId, counsellor: counsellorCall.token,
      device: (await households.deviceRoomToken(wangDevice, counsellorCall.roomId)).token,
      privacy: async (on) => void (await households.setPrivacyMode(f.person(SEED.family.wangQiang, 'family'), SEED.households.wang, on)),
    },
    lookIn: { roomId: lookIn.roomId, viewer: lookIn.token, device: (await households.deviceRoomToken(zhangDevice, lookIn.roomId)).token },
    property: {
      matterRoomId: raised.roomId, office: raised.token,
      resident: (await property.join(claims(PROPERTY_SEED.residents.chen, 'resident', '陈桂兰'), raised.matter.id)).token,
      grid: (await property.join(claims(SEED.villageContacts.zhangzhuang, 'grid-worker', '王建华'), raised.matter.id)).token,
      police: (await property.join(claims('O341302101-ga-1', 'official', '派出所民警', { department: '341302101-ga' }), raised.matter.id)).token,
      viewRoomId: view.roomId, viewer: view.token,
    },
  };
});
afterAll(async () => {
  await f?.close();
  await platform?.close();
});

describe('the rooms authorization table', () => {
  it('has a row for every signalling request, every /live request and every room kind', () => {
    const covered = (channel: string) => new Set(ROWS.filter((r) => r.channel === channel).map((r) => r.request));
    expect(Object.keys(requestSchemas).filter((name) => !covered('signalling').has(name as never))).toEqual([]);
    expect(Object.keys(liveRequestSchemas).filter((name) => !covered('/live').has(name as never))).toEqual([]);
    const kinds = new Set(ROWS.flatMap((r) => (r.room ? [parseRoomId(r.room(s)).kind] : [])));
    expect(Object.keys(ROOM_KINDS).filter((k) => !kinds.has(k as ParsedRoomId['kind']))).toEqual([]);
  });

  it('is printed in docs/security-rooms.md row for row', () => {
    const doc = fs.readFileSync(new URL('../../docs/security-rooms.md', import.meta.url), 'utf8');
    const printed = doc.split('\n').filter((line) => /^\| (signalling|\/live) \|/.test(line));
    expect(printed).toEqual(tableLines());
  });

  for (const row of ROWS) {
    it(`${row.channel} ${row.request}${row.detail ? ` (${row.detail})` : ''} as ${row.as}: ${row.expect}`, async () => {
      expect(await row.try(s)).toBe(row.expect);
    });
  }
});
