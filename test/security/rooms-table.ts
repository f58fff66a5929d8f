// The signalling and /live rows of the authorization table: who (role, and their part in the room's
// case or household) may do what, and what everyone else is answered. The test walks every row
// against a running node; docs/security-rooms.md prints the same rows (the test checks it does).
// A request, a /live request or a room kind without rows fails the suite.
import type { LiveRequestName } from '../../server/protocol/live.ts';
import type { ErrorCode, Reply, RequestName } from '../../server/protocol/signalling.ts';
import type { TestPlatform } from '../support/platform.ts';
import { Client, connectAs, vp8 } from './support.ts';

export type Outcome = 'allowed' | ErrorCode;

/** The rooms and tokens the rows act on, built once against the running node. */
export interface Scenario {
  platform: TestPlatform;
  petition: {
    roomId: string;
    caseId: string;
    endedRoomId: string;
    endedCaseId: string;
    /** Tokens the product issued: to the case's terminal, its lead, an invited official who accepted, a coordinator. */
    petitioner: string;
    lead: string;
    invited: string;
    /**
     * Invited officials who accepted and whom the kick rows remove: one each for a refused kick,
     * the lead's kick, a coordinator's kick and the rejoin after a kick, so no row depends on another.
     */
    guests: Record<'refused' | 'byLead' | 'byCoordinator' | 'rejoin', { id: string; token: string }>;
    coordinator: string;
    ended: { petitioner: string; lead: string; coordinator: string };
  };
  /** 张伟's call home (auto-answered), with a token for 张磊, linked to the household, naming it. */
  call: { roomId: string; caller: string; family: string; device: string };
  /** A counsellor's call into the 王 household, still ringing, with the home device's token for it. */
  counsellorCall: { roomId: string; counsellor: string; device: string; privacy(on: boolean): Promise<void> };
  /** 李娜 looking in on the 张 household's device. */
  lookIn: { roomId: string; viewer: string; device: string };
  /**
   * 红色物业: a matter of 康居小区 raised by its property office for a resident, the community and the
   * 派出所 invited, with the tokens each party was given; and the property office's view of a camera.
   */
  property: { matterRoomId: string; office: string; resident: string; grid: string; police: string; viewRoomId: string; viewer: string };
}

export interface Row {
  channel: 'signalling' | '/live';
  request: RequestName | LiveRequestName | 'connect';
  /** What the row tries beyond the bare request: the room kind, the direction, the source. */
  detail?: string;
  as: string;
  expect: Outcome;
  /** The room a join row is tried on, so the suite can tell which room kinds have rows. */
  room?: (s: Scenario) => string;
  try(s: Scenario): Promise<Outcome>;
}

const outcome = (r: Reply<unknown>): Outcome => (r.ok ? 'allowed' : r.error.code);

/** A token of `role` naming `room` in its grant: the room's domain alone must decide. */
const forged = (s: Scenario, sub: string, role: Parameters<TestPlatform['token']>[1], roomId: string, attributes = {}) =>
  s.platform.token(sub, role, { rooms: [roomId] }, { attributes });

async function attempt<T>(s: Scenario, token: string, run: (c: Client) => Promise<T>, namespace = ''): Promise<T> {
  const c = await connectAs(s.platform, token, namespace);
  try {
    return await run(c);
  } finally {
    c.close();
  }
}
const joinWith = (s: Scenario, token: string, roomId: string) => attempt(s, token, async (c) => outcome(await c.join(roomId)));

/** Joined with `token`, then `run` with the client; the outcome of what `run` returns. */
async function inRoom(s: Scenario, token: string, roomId: string, run: (c: Client) => Promise<Reply<unknown>>): Promise<Outcome> {
  return attempt(s, token, async (c) => {
    const j = await c.join(roomId);
    if (!j.ok) throw new Error(`could not join ${roomId}: ${j.error.code}`);
    return outcome(await run(c));
  });
}

async function connectOutcome(s: Scenario, token: unknown, namespace: string): Promise<Outcome> {
  const c = new Client(s.platform.url, token, namespace);
  try {
    await c.connected();
    return 'allowed';
  } catch (e) {
    return (e as { data: { code: ErrorCode } }).data.code;
  } finally {
    c.close();
  }
}

function joins(kind: string, roomOf: (s: Scenario) => string, rows: [as: string, expect: Outcome, token: (s: Scenario, roomId: string) => string][]): Row[] {
  return rows.map(([as, expect, token]) => ({
    channel: 'signalling',
    request: 'join',
    detail: kind,
    as,
    expect,
    room: roomOf,
    try: (s) => joinWith(s, token(s, roomOf(s)), roomOf(s)),
  }));
}

/** `target` in the room, then `by` asks to remove them. */
async function kick(s: Scenario, by: string, target: { id: string; token: string }, roomId: string): Promise<Outcome> {
  return attempt(s, target.token, async (t) => {
    if (!(await t.join(roomId)).ok) throw new Error(`${target.id} could not join ${roomId}`);
    return inRoom(s, by, roomId, (c) => c.call('kickPeer', { peerId: target.id }));
  });
}

/** An official's token naming the case's room and saying roomAdmin: the case decides, not the token. */
const forgedAdmin = (s: Scenario, sub: string) => s.platform.token(sub, 'official', { rooms: [s.petition.roomId], roomAdmin: true });

const P = (s: Scenario) => s.petition;
const LEAD = 'O341321-rs-1';
const PETITIONER = 'device-T341321101201';

export const ROWS: Row[] = [
  // ---- connecting --------------------------------------------------------------------------
  ...(['signalling', '/live'] as const).flatMap((channel): Row[] => {
    const ns = channel === '/live' ? '/live' : '';
    return [
      { channel, request: 'connect', as: 'any role, valid token', expect: 'allowed', try: (s) => connectOutcome(s, s.platform.token('u-any', 'family', { rooms: [] }), ns) },
      { channel, request: 'connect', as: 'no token or not a JWT', expect: 'unauthorized', try: (s) => connectOutcome(s, 'not-a-jwt', ns) },
      { channel, request: 'connect', as: 'expired token', expect: 'token_expired', try: (s) => connectOutcome(s, s.platform.token('u-late', 'family', { rooms: [] }, { ttlSeconds: -5 }), ns) },
      {
        channel, request: 'connect', as: 'revoked token', expect: 'unauthorized',
        try: async (s) => {
          const token = s.platform.token(`u-revoked${ns}`, 'family', { rooms: [] });
          const { jti, exp } = s.platform.tokens.verify(token);
          await s.platform.revocations.revokeToken(jti, exp);
          return connectOutcome(s, token, ns);
        },
      },
    ];
  }),

  // ---- joining, by room kind × role ---------------------------------------------------------
  ...joins('petition, in session', (s) => P(s).roomId, [
    ['petitioner: the case’s terminal', 'allowed', (s) => P(s).petitioner],
    ['terminal of another village', 'forbidden', (s, r) => forged(s, 'device-T341321102201', 'terminal', r, { terminalId: 'T341321102201' })],
    ['official: the lead', 'allowed', (s) => P(s).lead],
    ['official: invited, accepted', 'allowed', (s) => P(s).invited],
    ['official holding no ticket for the case', 'forbidden', (s, r) => forged(s, 'O341321-zj-2', 'official', r)],
    ['coordinator (hidden)', 'allowed', (s) => P(s).coordinator],
    ['admin (三员分立: no view into petitions)', 'forbidden', (s, r) => forged(s, 'admin-1', 'admin', r)],
    ['family', 'forbidden', (s, r) => forged(s, 'fm-zhang-wei', 'family', r)],
    ['home-device', 'forbidden', (s, r) => forged(s, 'dev-yq-zhang-1', 'home-device', r, { householdId: 'hh-yq-zhang' })],
    ['counsellor', 'forbidden', (s, r) => forged(s, 'cs-chen-jing', 'counsellor', r)],
    ['archivist', 'forbidden', (s, r) => forged(s, 'archivist-city', 'archivist', r)],
  ]),
  {
    channel: 'signalling', request: 'join', detail: 'petition, in session', as: 'official: removed by the lead, with a fresh token', expect: 'forbidden', room: (s) => P(s).roomId,
    try: async (s) => {
      const guest = P(s).guests.rejoin;
      if ((await kick(s, P(s).lead, guest, P(s).roomId)) !== 'allowed') throw new Error('the lead could not remove the guest');
      return joinWith(s, forged(s, guest.id, 'official', P(s).roomId), P(s).roomId);
    },
  },
  ...joins('petition, session ended', (s) => P(s).endedRoomId, [
    ['petitioner: the case’s terminal', 'gone', (s) => P(s).ended.petitioner],
    ['official: the lead', 'gone', (s) => P(s).ended.lead],
    ['coordinator', 'gone', (s) => P(s).ended.coordinator],
  ]),
  ...joins('household call', (s) => s.call.roomId, [
    ['family: the caller', 'allowed', (s) => s.call.caller],
    ['family: linked to the household', 'allowed', (s) => s.call.family],
    ['family: of another household', 'forbidden', (s, r) => forged(s, 'fm-liu-fang', 'family', r, { householdId: 'hh-yq-zhang' })],
    ['home-device of the household', 'allowed', (s) => s.call.device],
    ['home-device of another household', 'forbidden', (s, r) => forged(s, 'dev-ds-wang-1', 'home-device', r, { householdId: 'hh-yq-zhang' })],
    ['counsellor of the household, not the caller', 'forbidden', (s, r) => forged(s, 'cs-chen-jing', 'counsellor', r)],
    ['admin', 'forbidden', (s, r) => forged(s, 'admin-1', 'admin', r)],
    ['official', 'forbidden', (s, r) => forged(s, 'O341321-rs-1', 'official', r)],
    ['coordinator', 'forbidden', (s, r) => forged(s, 'coordinator-city', 'coordinator', r)],
    ['petitioner', 'forbidden', (s, r) => forged(s, 'device-T341321101201', 'petitioner', r, { terminalId: 'T341321101201' })],
    ['terminal', 'forbidden', (s, r) => forged(s, 'device-T341321101201', 'terminal', r, { terminalId: 'T341321101201' })],
    ['archivist', 'forbidden', (s, r) => forged(s, 'archivist-city', 'archivist', r)],
  ]),
  ...joins('household call, a counsellor’s', (s) => s.counsellorCall.roomId, [
    ['counsellor: the caller', 'allowed', (s) => s.counsellorCall.counsellor],
    ['counsellor of another household', 'forbidden', (s, r) => forged(s, 'cs-chen-jing', 'counsellor', r)],
    ['home-device of the household (still ringing)', 'allowed', (s) => s.counsellorCall.device],
  ]),
  ...joins('household look-in', (s) => s.lookIn.roomId, [
    ['family: the viewer', 'allowed', (s) => s.lookIn.viewer],
    ['family: another member of the household', 'forbidden', (s, r) => forged(s, 'fm-zhang-wei', 'family', r)],
    ['home-device of the household', 'allowed', (s) => s.lookIn.device],
    ['counsellor', 'forbidden', (s, r) => forged(s, 'cs-chen-jing', 'counsellor', r)],
    ['admin', 'forbidden', (s, r) => forged(s, 'admin-1', 'admin', r)],
    ['official', 'forbidden', (s, r) => forged(s, 'O341321-rs-1', 'official', r)],
    ['coordinator', 'forbidden', (s, r) => forged(s, 'coordinator-city', 'coordinator', r)],
    ['petitioner', 'forbidden', (s, r) => forged(s, 'device-T341321101201', 'petitioner', r)],
    ['terminal', 'forbidden', (s, r) => forged(s, 'device-T341321101201', 'terminal', r)],
    ['archivist', 'forbidden', (s, r) => forged(s, 'archivist-city', 'archivist', r)],
  ]),
  ...joins('property matter, in session', (s) => s.property.matterRoomId, [
    ['property: the compound’s office (raised it)', 'allowed', (s) => s.property.office],
    ['resident: the one the matter is for', 'allowed', (s) => s.property.resident],
    ['resident: another of the compound', 'forbidden', (s, r) => forged(s, 'pr-kangju-sun', 'resident', r)],
    ['grid-worker: the community’s, invited', 'allowed', (s) => s.property.grid],
    ['official: of the invited department', 'allowed', (s) => s.property.police],
    ['official: of a department not invited', 'forbidden', (s, r) => forged(s, 'O341302101-mz-1', 'official', r, { department: '341302101-mz' })],
    ['coordinator (hidden, watches)', 'allowed', (s, r) => forged(s, 'coordinator-city', 'coordinator', r)],
    ['admin (三员分立: no party of a matter)', 'forbidden', (s, r) => forged(s, 'admin-1', 'admin', r)],
    ['family', 'forbidden', (s, r) => forged(s, 'fm-zhang-wei', 'family', r)],
    ['archivist', 'forbidden', (s, r) => forged(s, 'archivist-city', 'archivist', r)],
  ]),
  ...joins('property camera view', (s) => s.property.viewRoomId, [
    ['property: the viewer', 'allowed', (s) => s.property.viewer],
    ['grid-worker of the community, not the viewer', 'forbidden', (s, r) => forged(s, 'gw-zhangzhuang', 'grid-worker', r)],
    ['resident of the compound', 'forbidden', (s, r) => forged(s, 'pr-kangju-chen', 'resident', r)],
    ['admin', 'forbidden', (s, r) => forged(s, 'admin-1', 'admin', r)],
    ['coordinator', 'forbidden', (s, r) => forged(s, 'coordinator-city', 'coordinator', r)],
  ]),
  ...joins('malformed, petition:a:b', () => 'petition:a:b', [['any role, grant naming it', 'forbidden', (s, r) => forged(s, 'admin-1', 'admin', r)]]),
  ...joins('ad-hoc, test:…', () => 'test:table', [
    ['any role, grant naming it', 'allowed', (s, r) => forged(s, 'u-adhoc', 'official', r)],
    ['any role, grant naming another room', 'forbidden', (s) => forged(s, 'u-adhoc-2', 'official', 'test:elsewhere')],
  ]),
  { channel: 'signalling', request: 'join', detail: 'a second room', as: 'anyone already in a room', expect: 'conflict', try: (s) => inRoom(s, P(s).lead, P(s).roomId, (c) => c.join(P(s).roomId)) },

  // ---- media in the room --------------------------------------------------------------------
  { channel: 'signalling', request: 'createWebRtcTransport', as: 'anyone not in a room', expect: 'conflict', try: (s) => attempt(s, P(s).lead, async (c) => outcome(await c.call('createWebRtcTransport', { direction: 'send' }))) },
  { channel: 'signalling', request: 'createWebRtcTransport', detail: 'send', as: 'official: the lead', expect: 'allowed', try: (s) => inRoom(s, P(s).lead, P(s).roomId, (c) => c.call('createWebRtcTransport', { direction: 'send' })) },
  { channel: 'signalling', request: 'createWebRtcTransport', detail: 'send', as: 'coordinator (watches only)', expect: 'forbidden', try: (s) => inRoom(s, P(s).coordinator, P(s).roomId, (c) => c.call('createWebRtcTransport', { direction: 'send' })) },
  { channel: 'signalling', request: 'createWebRtcTransport', detail: 'send', as: 'family: look-in viewer (watches only)', expect: 'forbidden', try: (s) => inRoom(s, s.lookIn.viewer, s.lookIn.roomId, (c) => c.call('createWebRtcTransport', { direction: 'send' })) },
  {
    channel: 'signalling', request: 'connectWebRtcTransport', as: 'someone else’s transport', expect: 'not_found',
    try: (s) => inRoom(s, P(s).lead, P(s).roomId, (c) => c.call('connectWebRtcTransport', { transportId: 'not-mine', dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'AB' }] } })),
  },
  { channel: 'signalling', request: 'restartIce', as: 'someone else’s transport', expect: 'not_found', try: (s) => inRoom(s, P(s).lead, P(s).roomId, (c) => c.call('restartIce', { transportId: 'not-mine' })) },
  { channel: 'signalling', request: 'produce', detail: 'camera', as: 'official: invited, accepted', expect: 'allowed', try: (s) => inRoom(s, P(s).invited, P(s).roomId, async (c) => c.produce(await c.sendTransport(), 'camera')) },
  {
    channel: 'signalling', request: 'produce', detail: 'screen', as: 'official: the lead (the case grants camera, microphone)', expect: 'forbidden',
    try: (s) => inRoom(s, P(s).lead, P(s).roomId, async (c) => c.produce(await c.sendTransport(), 'screen', vp8())),
  },
  {
    channel: 'signalling', request: 'produce', detail: 'camera', as: 'home-device while its household is in privacy mode', expect: 'forbidden',
    try: async (s) => {
      await s.counsellorCall.privacy(true);
      try {
        return await inRoom(s, s.counsellorCall.device, s.counsellorCall.roomId, async (c) => c.produce(await c.sendTransport(), 'camera'));
      } finally {
        await s.counsellorCall.privacy(false);
      }
    },
  },
  {
    channel: 'signalling', request: 'consume', as: 'home-device in a look-in (sends only)', expect: 'forbidden',
    try: (s) => inRoom(s, s.lookIn.device, s.lookIn.roomId, async (c) => c.call('consume', { transportId: await c.recvTransport(), producerId: 'any' })),
  },
  {
    channel: 'signalling', request: 'consume', as: 'anyone, a producer of another room', expect: 'not_found',
    try: (s) =>
      attempt(s, s.call.caller, async (other) => {
        if (!(await other.join(s.call.roomId)).ok) throw new Error('the caller could not join');
        const p = await other.produce(await other.sendTransport(), 'microphone');
        if (!p.ok) throw new Error('the caller could not produce');
        return inRoom(s, P(s).lead, P(s).roomId, async (c) => c.call('consume', { transportId: await c.recvTransport(), producerId: p.data.producerId }));
      }),
  },
  ...(['resumeConsumer', 'pauseConsumer'] as const).map(
    (request): Row => ({ channel: 'signalling', request, as: 'someone else’s consumer', expect: 'not_found', try: (s) => inRoom(s, P(s).lead, P(s).roomId, (c) => c.call(request, { consumerId: 'not-mine' })) }),
  ),
  ...(['pauseProducer', 'resumeProducer', 'closeProducer'] as const).map(
    (request): Row => ({ channel: 'signalling', request, as: 'someone else’s producer', expect: 'not_found', try: (s) => inRoom(s, P(s).lead, P(s).roomId, (c) => c.call(request, { producerId: 'not-mine' })) }),
  ),
  { channel: 'signalling', request: 'leave', as: 'anyone connected', expect: 'allowed', try: (s) => attempt(s, P(s).lead, async (c) => outcome(await c.call('leave', {}))) },

  // ---- removing participants ----------------------------------------------------------------
  // Refusals to those who may not remove anyone come before the target is looked up, so they do
  // not learn who is in the room.
  { channel: 'signalling', request: 'kickPeer', as: 'official: invited (token says roomAdmin), removing another invited official', expect: 'forbidden', try: (s) => kick(s, forgedAdmin(s, 'O341321-zj-1'), P(s).guests.refused, P(s).roomId) },
  { channel: 'signalling', request: 'kickPeer', as: 'official: invited, removing someone not in the room', expect: 'forbidden', try: (s) => inRoom(s, P(s).invited, P(s).roomId, (c) => c.call('kickPeer', { peerId: 'O341321-zj-3' })) },
  { channel: 'signalling', request: 'kickPeer', as: 'family in a household call, removing the caller', expect: 'forbidden', try: (s) => kick(s, s.call.family, { id: 'fm-zhang-wei', token: s.call.caller }, s.call.roomId) },
  { channel: 'signalling', request: 'kickPeer', as: 'official: the lead, removing the petitioner', expect: 'forbidden', try: (s) => kick(s, P(s).lead, { id: PETITIONER, token: P(s).petitioner }, P(s).roomId) },
  { channel: 'signalling', request: 'kickPeer', as: 'coordinator, removing the lead', expect: 'forbidden', try: (s) => kick(s, P(s).coordinator, { id: LEAD, token: P(s).lead }, P(s).roomId) },
  { channel: 'signalling', request: 'kickPeer', as: 'official: the lead, removing someone not in the room', expect: 'not_found', try: (s) => inRoom(s, P(s).lead, P(s).roomId, (c) => c.call('kickPeer', { peerId: 'O341321-zj-3' })) },
  { channel: 'signalling', request: 'kickPeer', as: 'official: the lead, removing themselves', expect: 'bad_request', try: (s) => inRoom(s, P(s).lead, P(s).roomId, (c) => c.call('kickPeer', { peerId: LEAD })) },
  { channel: 'signalling', request: 'kickPeer', as: 'official: the lead, removing an invited official', expect: 'allowed', try: (s) => kick(s, P(s).lead, P(s).guests.byLead, P(s).roomId) },
  { channel: 'signalling', request: 'kickPeer', as: 'coordinator, removing an invited official', expect: 'allowed', try: (s) => kick(s, P(s).coordinator, P(s).guests.byCoordinator, P(s).roomId) },

  // ---- swapping the token -------------------------------------------------------------------
  { channel: 'signalling', request: 'refreshToken', as: 'same identity, fresh token for the room', expect: 'allowed', try: (s) => inRoom(s, P(s).lead, P(s).roomId, (c) => c.call('refreshToken', { token: forged(s, LEAD, 'official', P(s).roomId) })) },
  { channel: 'signalling', request: 'refreshToken', as: 'another identity’s token', expect: 'forbidden', try: (s) => inRoom(s, P(s).lead, P(s).roomId, (c) => c.call('refreshToken', { token: P(s).invited })) },
  { channel: 'signalling', request: 'refreshToken', as: 'same identity, token naming another room', expect: 'forbidden', try: (s) => inRoom(s, P(s).lead, P(s).roomId, (c) => c.call('refreshToken', { token: forged(s, LEAD, 'official', 'test:elsewhere') })) },
  { channel: 'signalling', request: 'refreshToken', as: 'same identity, expired token', expect: 'token_expired', try: (s) => inRoom(s, P(s).lead, P(s).roomId, (c) => c.call('refreshToken', { token: s.platform.token(LEAD, 'official', { rooms: [P(s).roomId] }, { ttlSeconds: -5 }) })) },

  // ---- /live requests -----------------------------------------------------------------------
  ...(
    [
      ['petitioner: the case’s terminal', 'allowed', (s: Scenario) => P(s).petitioner],
      ['official: the lead', 'allowed', (s: Scenario) => P(s).lead],
      ['official not a party to the case', 'forbidden', (s: Scenario) => s.platform.token('O341322-rs-1', 'official', { rooms: [] })],
      ['coordinator', 'allowed', (s: Scenario) => s.platform.token('coordinator-city', 'coordinator', { rooms: [] })],
      ['family', 'forbidden', (s: Scenario) => s.platform.token('fm-zhang-wei', 'family', { rooms: [] })],
    ] as const
  ).map(
    ([as, expect, token]): Row => ({
      channel: '/live', request: 'watchCase', as, expect,
      try: (s) => attempt(s, token(s), async (c) => outcome(await c.call('watchCase', { caseId: P(s).caseId })), '/live'),
    }),
  ),
  { channel: '/live', request: 'unwatchCase', as: 'anyone connected', expect: 'allowed', try: (s) => attempt(s, s.platform.token('fm-zhang-wei', 'family', { rooms: [] }), async (c) => outcome(await c.call('unwatchCase', { caseId: P(s).caseId })), '/live') },
];

/** The table as docs/security-rooms.md prints it. */
export function tableLines(rows: Row[] = ROWS): string[] {
  return rows.map((r) => `| ${r.channel} | ${r.request}${r.detail ? ` (${r.detail})` : ''} | ${r.as} | ${r.expect === 'allowed' ? 'allowed' : `\`${r.expect}\``} |`);
}
