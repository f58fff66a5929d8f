// The household service: every rule of 平安心居 in one place. Each public method takes the
// verified token claims of whoever asks and input already parsed by the endpoint table (at the
// edge), and refuses with a typed AppError before touching state, so no caller can forget a check.
import { newId } from '../core/ids.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { grantAllowsRoom, type Claims, type Grant, type TokenIssuer } from '../auth/grants.ts';
import { withoutCamera, type DomainPermission } from '../auth/room-access.ts';
import { SafeEmitter } from '../core/safe-emitter.ts';
import { parseRoomId } from '../protocol/room-id.ts';
import { subjectKey, type SubjectKey } from '../protocol/live.ts';
import type { CameraAddressCheck } from '../core/camera-address.ts';
import {
  type ActivityDecision,
  type ActivityReport,
  type BindDevice,
  type Callee,
  type CallEvent,
  type CallOut,
  type CheckInDue,
  type ConsentChange,
  type ConsentRecord,
  type HouseholdAlert,
  type HouseholdHistory,
  type MaskRect,
  type NewVisit,
  type NoticeReceipts,
  type Visit,
  type VillageContact,
  type LinkFamily,
  type NewCamera,
  type NewCheckIn,
  type NewHousehold,
  type SendNotice,
  type SettingsPatch,
  type StartCall,
  type StartLookIn,
  permits,
  DEFAULT_SETTINGS,
  type Call,
  type CheckInSchedule,
  type Counsellor,
  type Device,
  type Household,
  type HouseholdCamera,
  type HouseholdSettings,
  type LookIn,
  type LookInEndReason,
  type LookInRefusal,
  type Notice,
  type PermissionLevel,
  type AccessLogEntry,
  type DeviceState,
  type HouseholdView,
  type RoomTicket,
} from './domain.ts';

export type { DeviceState, HouseholdView, RoomTicket };
import { HouseholdEventEmitter, type CallEndReason, type PrivacyState } from './events.ts';
import { localDayWindow, nextOccurrence, occurrencesBetween, previousOccurrence, privacyWindowActive } from './local-time.ts';
import type { CallRecord, DeviceRecord, HouseholdRepository, NewCallee } from './repository.ts';

/** The parts of verified token claims the service decides on. */
export type Actor = Pick<Claims, 'sub' | 'name' | 'role' | 'attributes' | 'jti'>;

/**
 * The server itself acting as administrator (seeding the demo, issuing device tokens at install
 * time). Never derived from a request: only server code can hold it.
 */
export const SYSTEM_ACTOR: Actor = Object.freeze({ sub: 'system', name: 'system', role: 'admin', attributes: {}, jti: 'system' });


export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

export interface HouseholdTimings {
  /** Ringing without an answer for this long becomes a missed call. */
  ringTimeoutMs: number;
  /** A device is online while its last heartbeat is at most this old (devices beat every 15 s). */
  onlineWindowMs: number;
  /** Counsellors are alerted when a device has been silent for this long (OFFLINE_ALERT_SECONDS). */
  offlineAlertAfterMs: number;
  /** A look-in ends by itself after this long; looking in is a glance, not surveillance. */
  lookInMaxMs: number;
  /** Look-ins one family member may start per household per hour; more is refused (rate_limited). */
  lookInsPerHour: number;
  /** Room tokens for calls. */
  callTokenTtlSeconds: number;
  /** Device tokens are long-lived; binding the device again revokes the previous one. */
  deviceTokenTtlSeconds: number;
  /**
   * SOS escalation ladder: the family rings at once, the assigned counsellors after
   * `sosCounsellorAfterMs` (0: at once, with the family), the village committee / 网格员 contact
   * after `sosVillageAfterMs` if nobody has answered.
   */
  sosCounsellorAfterMs: number;
  sosVillageAfterMs: number;
  /** After the last step an unanswered SOS keeps ringing this long, then counts as missed (its alert stays). */
  sosRingMs: number;
  /** A check-in without a visit record this long after its time is overdue. */
  checkInOverdueAfterMs: number;
}

export const DEFAULT_TIMINGS: HouseholdTimings = {
  ringTimeoutMs: 45_000,
  onlineWindowMs: 45_000,
  offlineAlertAfterMs: 60_000,
  lookInMaxMs: 10 * 60_000,
  lookInsPerHour: 6,
  callTokenTtlSeconds: 4 * 3600,
  deviceTokenTtlSeconds: 365 * 24 * 3600,
  sosCounsellorAfterMs: 0,
  sosVillageAfterMs: 60_000,
  sosRingMs: 5 * 60_000,
  checkInOverdueAfterMs: 24 * 3600_000,
};

/** How long a missed call stays on the device's list unless returned earlier. */
const MISSED_SHOWN_MS = 7 * 24 * 3600_000;

/**
 * Calls to home nobody at home picked up (rang out, or the caller gave up; not those declined on
 * purpose) in the last week, newest first — less those returned since: a later call between the
 * home and that caller, either way, that was answered. `calls` newest first.
 */
export function unreturnedMissedCalls(calls: Call[], now: number, limit = 5): Call[] {
  const talkedAfter = (c: Call) =>
    calls.some((l) => l.createdAt > c.createdAt && l.answeredAt !== null && (l.callerId === c.callerId || l.answeredBy?.id === c.callerId));
  return calls
    .filter((c) => c.direction === 'to-home' && (c.state === 'missed' || c.state === 'cancelled') && now - Date.parse(c.createdAt) < MISSED_SHOWN_MS && !talkedAfter(c))
    .slice(0, limit);
}

/** People a call from home can ring, and the SOS ladder's steps. */
const SOS_STEPS = ['family', 'counsellor', 'grid-worker'] as const;

/**
 * Changes to who may hold which household room or token. The app turns them into revocations
 * (auth/revocations.ts: tokens refused, connections closed on every node) and room rechecks.
 */
export interface HouseholdAccessEvents {
  /**
   * The device was bound again: only the token just issued (at `issuedAt`, a token's `iat`) and
   * tokens issued after it are good; `previousJti` is void.
   */
  'device-rebound': [{ deviceId: string; householdId: string; previousJti: string | null; issuedAt: number }];
  /** The device's binding was revoked: none of its tokens is good any more. */
  'device-revoked': [{ deviceId: string; householdId: string }];
  /** The family member no longer belongs to the household. */
  'family-unlinked': [{ memberId: string; householdId: string }];
  /** Something that decides who may be in this household's rooms changed (a family permission). */
  'rooms-changed': [{ householdId: string }];
}

export interface HouseholdServiceDeps {
  repository: HouseholdRepository;
  tokens: TokenIssuer;
  /** Where cameras may be (server/core/camera-address.ts): checked when one is registered. */
  cameraAddresses: CameraAddressCheck;
  log: Logger;
  clock?: Clock;
  timings?: Partial<HouseholdTimings>;
}

/** Look-in refused: `forbidden` with a reason the family app turns into a clear message. */
export class LookInRefused extends AppError {
  constructor(readonly reason: LookInRefusal) {
    super('forbidden', LOOK_IN_REFUSAL_MESSAGES[reason], { reason });
    this.name = 'LookInRefused';
  }
}
const LOOK_IN_REFUSAL_MESSAGES: Record<LookInRefusal, string> = {
  'privacy-mode': 'the household has turned on privacy mode; look-in is not possible now',
  'privacy-schedule': 'the household’s privacy schedule is in effect; look-in is not possible now',
  'look-in-disabled': 'the household does not allow look-in',
  'no-consent': 'the household has not agreed (or no longer agrees) to this look-in',
  'device-offline': 'the home device is offline',
};

export class HouseholdService {
  readonly events: HouseholdEventEmitter;
  readonly access = new SafeEmitter<HouseholdAccessEvents>();
  readonly timings: HouseholdTimings;
  readonly #repo: HouseholdRepository;
  readonly #tokens: TokenIssuer;
  readonly #cameraAddresses: CameraAddressCheck;
  readonly #log: Logger;
  readonly #clock: Clock;
  /** Last privacy state announced per household, so the schedule only pushes transitions. */
  readonly #privacyAnnounced = new Map<string, boolean>();
  #timer: NodeJS.Timeout | undefined;

  /** Builds the service and notes each household's privacy state, so only changes are announced. */
  static async create(deps: HouseholdServiceDeps): Promise<HouseholdService> {
    const s = new HouseholdService(deps);
    for (const h of await s.#repo.listHouseholds()) s.#privacyAnnounced.set(h.id, s.privacyState(h).active);
    return s;
  }

  private constructor(deps: HouseholdServiceDeps) {
    this.#repo = deps.repository;
    this.#tokens = deps.tokens;
    this.#cameraAddresses = deps.cameraAddresses;
    this.#log = deps.log;
    this.#clock = deps.clock ?? systemClock;
    this.timings = { ...DEFAULT_TIMINGS, ...deps.timings };
    this.events = new HouseholdEventEmitter();
  }

  // ---- administration (install and enrolment) ------------------------------------------------

  async createHousehold(actor: Actor, h: NewHousehold): Promise<Household> {
    this.#requireAdmin(actor);
    const id = h.id ?? newId('hh');
    if (await this.#repo.getHousehold(id)) throw conflict(`household ${id} already exists`);
    await this.#repo.insertHousehold({
      id,
      name: h.name,
      address: h.address,
      region: h.region,
      residents: h.residents,
      settings: h.settings ?? DEFAULT_SETTINGS,
      createdAtMs: this.#clock.now(),
    });
    this.#privacyAnnounced.set(id, false);
    return this.#assertHousehold(id);
  }

  /**
   * Binds a device to a household (or re-binds it) and issues its long-lived token. Only the new
   * token is valid afterwards: a lost or replaced box is cut off by binding again.
   */
  async bindDevice(actor: Actor, householdId: string, d: BindDevice): Promise<{ device: Device; token: string }> {
    await this.#requireFamilyLevel(actor, householdId, 'manage', { adminInstalls: true });
    // The id names a device of this household to re-bind; a new device's id is the server's, so
    // no caller can mint a token whose subject is somebody else's id (a person's, an official's).
    const existing = d.id === undefined ? undefined : await this.#repo.getDevice(d.id);
    if (d.id !== undefined && (!existing || existing.device.householdId !== householdId)) {
      throw notFound(`no device ${d.id} in this household; leave out the id to bind a new device`);
    }
    const id = d.id ?? newId('dev');
    if (!existing) await this.#repo.insertDevice({ id, householdId, name: d.name, place: d.place, boundAtMs: this.#clock.now() });
    const { token, iat } = await this.#issueDeviceToken(id, d.name, householdId);
    if (existing) this.access.emit('device-rebound', { deviceId: id, householdId, previousJti: existing.tokenJti, issuedAt: iat });
    return { device: (await this.#deviceViews([await this.#assertDevice(id)]))[0]!, token };
  }

  // ---- enrolment (server/identity enrols devices and invites people; these are its hooks) -----

  /** Throws unless the actor manages the household (family with "manage", or an administrator). */
  async requireManager(actor: Actor, householdId: string): Promise<void> {
    await this.#requireFamilyLevel(actor, householdId, 'manage', { adminInstalls: true });
  }

  /** Registers an enrolled home device (its id chosen by the server) in the household; no token yet. */
  async registerEnrolledDevice(householdId: string, d: { id: string; name: string; place: BindDevice['place'] }): Promise<void> {
    await this.#assertHousehold(householdId);
    if (await this.#repo.getDevice(d.id)) throw conflict(`device ${d.id} already exists`);
    await this.#repo.insertDevice({ id: d.id, householdId, name: d.name, place: d.place, boundAtMs: this.#clock.now() });
  }

  /** Renames or moves an enrolled device; its current token stops (the next refresh carries the new household). */
  async updateEnrolledDevice(deviceId: string, patch: { householdId?: string; name?: string }): Promise<void> {
    await this.#assertDevice(deviceId);
    if (patch.householdId) await this.#assertHousehold(patch.householdId);
    await this.#repo.updateDevice(deviceId, patch);
    if (patch.householdId) await this.#repo.setDeviceTokenJti(deviceId, null);
  }

  /** A short-lived access token for an enrolled device; it is the device's only valid token from now on. */
  async issueEnrolledDeviceToken(deviceId: string, ttlSeconds: number): Promise<string> {
    const rec = await this.#assertDevice(deviceId);
    return (await this.#issueDeviceToken(deviceId, rec.device.name, rec.device.householdId, ttlSeconds)).token;
  }

  /**
   * A revoked or disabled device: its token stops working for every household action and room
   * join at once, and the home's open calls end (their rooms close on every node).
   */
  async cutDevice(deviceId: string): Promise<void> {
    const rec = await this.#assertDevice(deviceId);
    await this.#repo.setDeviceTokenJti(deviceId, null);
    for (const call of await this.#repo.listOpenCalls(rec.device.householdId)) await this.#hangUp(call);
  }

  /** Links a person who accepted an invitation (server/identity checked the invitation). */
  async linkInvitedMember(householdId: string, m: { memberId: string; name?: string; city?: string; relation: string; permission: PermissionLevel }): Promise<void> {
    await this.#assertHousehold(householdId);
    await this.#repo.transaction(async (tx) => {
      if (!(await tx.getFamilyMember(m.memberId))) {
        if (!m.name || !m.city) throw badRequest('name and city are required for a new family member');
        await tx.insertFamilyMember({ id: m.memberId, name: m.name, city: m.city, phone: null });
      }
      await tx.linkFamilyMember({ householdId, memberId: m.memberId, relation: m.relation, permission: m.permission });
    });
  }

  /** Removes a family member from the household (a manager, or the member leaving); false when not linked. */
  async removeFamilyMember(actor: Actor, householdId: string, memberId: string): Promise<boolean> {
    if (!(await this.#repo.getFamilyLink(householdId, memberId))) return false;
    await this.unlinkFamilyMember(actor, householdId, memberId);
    return true;
  }



  /** A lost or stolen box: its binding is revoked; every token it holds stops working at once. */
  async revokeDevice(actor: Actor, householdId: string, deviceId: string): Promise<Device> {
    await this.#requireFamilyLevel(actor, householdId, 'manage', { adminInstalls: true });
    const rec = await this.#repo.getDevice(deviceId);
    if (!rec || rec.device.householdId !== householdId) throw notFound('no such device in this household');
    await this.#repo.setDeviceTokenJti(deviceId, null);
    this.#log.info({ householdId, deviceId, by: actor.sub }, 'device binding revoked');
    this.access.emit('device-revoked', { deviceId, householdId });
    return (await this.#deviceViews([await this.#assertDevice(deviceId)]))[0]!;
  }

  async #issueDeviceToken(deviceId: string, name: string, householdId: string, ttlSeconds = this.timings.deviceTokenTtlSeconds): Promise<{ token: string; iat: number }> {
    const token = this.#tokens.issue({
      use: 'access',
      sub: deviceId,
      name,
      role: 'home-device',
      // No rooms: the long-lived token identifies the device (HTTP API, live channel). Media
      // rights come per room from answerCall / deviceRoomToken, decided at that moment, so a
      // device in privacy mode never holds a token that lets its camera into a room.
      grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [] },
      attributes: { householdId },
      ttlSeconds,
    });
    const { jti, iat } = this.#tokens.verify(token);
    await this.#repo.setDeviceTokenJti(deviceId, jti);
    return { token, iat };
  }

  /**
   * Links a family member with a permission level; managers and admins only. `memberId` names an
   * existing family member; a new one (name and city) gets an id from the server, never the
   * caller's, so nobody can create a family member who is somebody else.
   */
  async linkFamilyMember(actor: Actor, householdId: string, m: LinkFamily): Promise<HouseholdView['family'][number]> {
    await this.#requireFamilyLevel(actor, householdId, 'manage', { adminInstalls: true });
    // Consent first (issue 9.10): a person who exists is invited and accepts in their own app
    // (POST /api/identity/invitations); linking them here would show the household their name
    // and city before they agreed.
    if (m.memberId !== undefined) {
      throw new AppError('forbidden', 'an existing person is added by an invitation they accept', { reason: 'invitation_required' });
    }
    if (!m.name || !m.city) throw badRequest('name and city are required for a new family member');
    const id = newId('fm');
    const before = await this.#repo.getFamilyLink(householdId, id);
    await this.#repo.transaction(async (tx) => {
      await tx.insertFamilyMember({ id, name: m.name!, city: m.city!, phone: m.phone ?? null });
      await tx.linkFamilyMember({ householdId, memberId: id, relation: m.relation, permission: m.permission });
    });
    // A lower permission may take someone out of a look-in or a call they are in.
    if (before && before.permission !== m.permission) this.access.emit('rooms-changed', { householdId });
    return (await this.#view(householdId)).family.find((f) => f.id === id)!;
  }

  /** A 村委会 / 网格员 contact an SOS in its division escalates to. */
  async addVillageContact(actor: Actor, c: VillageContact): Promise<VillageContact> {
    this.#requireAdmin(actor);
    if (await this.#repo.getVillageContact(c.id)) throw conflict(`village contact ${c.id} already exists`);
    await this.#repo.insertVillageContact(c);
    return c;
  }

  /** Takes a family member out of the household: its calls and look-ins here end for them at once. */
  async unlinkFamilyMember(actor: Actor, householdId: string, memberId: string): Promise<void> {
    // A manager takes someone out; anyone may leave by themselves.
    if (!(actor.role === 'family' && actor.sub === memberId)) await this.#requireFamilyLevel(actor, householdId, 'manage', { adminInstalls: true });
    if (!(await this.#repo.getFamilyLink(householdId, memberId))) throw notFound('no such family member in this household');
    await this.#repo.transaction(async (tx) => {
      await tx.unlinkFamilyMember(householdId, memberId);
      // Auto-answer must not keep naming someone who is no longer family.
      const h = await tx.getHousehold(householdId);
      if (h?.settings.autoAnswer.memberIds.includes(memberId)) {
        const memberIds = h.settings.autoAnswer.memberIds.filter((x) => x !== memberId);
        await tx.updateSettings(householdId, { ...h.settings, autoAnswer: { ...h.settings.autoAnswer, memberIds } });
      }
    });
    this.#log.info({ householdId, memberId, by: actor.sub }, 'family member unlinked');
    this.access.emit('family-unlinked', { memberId, householdId });
  }

  async assignCounsellor(actor: Actor, householdId: string, counsellorId: string): Promise<void> {
    this.#requireAdmin(actor);
    await this.#assertHousehold(householdId);
    await this.#assertCounsellor(counsellorId);
    await this.#repo.assignCounsellor(householdId, counsellorId);
  }

  /** Every counsellor, for the administrator's assignments. */
  async listCounsellors(actor: Actor): Promise<Counsellor[]> {
    this.#requireAdmin(actor);
    return this.#repo.listCounsellors();
  }

  /** The counsellor no longer looks after the household: it leaves their list and their care at once. */
  async unassignCounsellor(actor: Actor, householdId: string, counsellorId: string): Promise<void> {
    this.#requireAdmin(actor);
    if (!(await this.#repo.unassignCounsellor(householdId, counsellorId))) throw notFound(`counsellor ${counsellorId} is not assigned to ${householdId}`);
  }

  /** Removes an IP camera; a look-in showing it ends now. */
  async removeCamera(actor: Actor, householdId: string, cameraId: string): Promise<void> {
    await this.#requireFamilyLevel(actor, householdId, 'manage', { adminInstalls: true });
    if (!(await this.#repo.deleteCamera(householdId, cameraId))) throw notFound(`no camera ${cameraId} in ${householdId}`);
    for (const l of await this.#repo.listOpenLookIns(householdId)) if (l.source === cameraId) await this.#endLookIn(l, 'camera-unavailable');
  }

  /**
   * Registers an IP camera for look-in (pulled by sfu/ingest). The URL never leaves the server,
   * and is accepted only where a camera may be (allowed networks and ports; checked again at
   * every connection, since DNS can change).
   */
  async addCamera(actor: Actor, householdId: string, c: NewCamera): Promise<HouseholdCamera> {
    await this.#requireFamilyLevel(actor, householdId, 'manage', { adminInstalls: true });
    await this.#cameraAddresses.vet(c.url);
    // The server names the camera: its id becomes the ingest's subject in the look-in room.
    const camera = { id: newId('cam'), householdId, name: c.name, place: c.place };
    await this.#repo.insertCamera({ ...camera, url: c.url });
    return camera;
  }

  /** For the ingest wiring only: the camera an open look-in shows, if it shows a camera. */
  async openCameraLookIn(lookInId: string): Promise<{ householdId: string; cameraId: string; url: string } | undefined> {
    const lookIn = await this.#repo.getLookIn(lookInId);
    if (!lookIn || lookIn.endedAt || lookIn.source === 'device') return undefined;
    const camera = await this.cameraSource(lookIn.source);
    return camera && camera.householdId === lookIn.householdId ? { householdId: camera.householdId, cameraId: lookIn.source, url: camera.url } : undefined;
  }

  /** For the ingest wiring only: the camera cannot be pulled (refused address, unreachable); the look-in ends. */
  async cameraUnavailable(lookInId: string): Promise<void> {
    const lookIn = await this.#repo.getLookIn(lookInId);
    if (lookIn && !lookIn.endedAt) await this.#endLookIn(lookIn, 'camera-unavailable');
  }

  /** For the ingest wiring only (never for clients): the camera's URL. */
  async cameraSource(cameraId: string): Promise<{ householdId: string; url: string } | undefined> {
    const c = await this.#repo.getCamera(cameraId);
    return c && { householdId: c.householdId, url: c.url };
  }

  // ---- reading ---------------------------------------------------------------------------------

  /** Households the actor may see: linked (family), assigned (counsellor), own (device), all (admin). */
  async listHouseholds(actor: Actor): Promise<HouseholdView[]> {
    switch (actor.role) {
      case 'family':
        return Promise.all((await this.#repo.listLinksOfMember(actor.sub)).map((l) => this.#view(l.householdId, l.permission)));
      case 'counsellor':
        return Promise.all((await this.#repo.listAssignedHouseholdIds(actor.sub)).map((id) => this.#view(id)));
      case 'home-device':
        return [(await this.#view((await this.#requireDevice(actor)).device.householdId))];
      case 'admin':
        return Promise.all((await this.#repo.listHouseholds()).map((h) => this.#view(h.id, undefined, 'installed')));
      default:
        throw forbidden('this role has no households');
    }
  }

  async getHousehold(actor: Actor, householdId: string): Promise<HouseholdView> {
    const level = await this.#requireViewer(actor, householdId);
    return this.#view(householdId, level, actor.role === 'admin' ? 'installed' : 'all');
  }

  privacyState(household: Household): PrivacyState {
    if (household.privacyMode) return { active: true, cause: 'button' };
    if (privacyWindowActive(household.settings.privacySchedule, this.#clock.now())) return { active: true, cause: 'schedule' };
    return { active: false, cause: null };
  }

  /**
   * What the SFU may let this household's devices send right now. The lead's produce handler
   * should refuse `camera` while privacy is active, so a misbehaving device cannot leak video.
   */
  async mediaPolicy(householdId: string): Promise<{ cameraAllowed: boolean; recordingAllowed: boolean }> {
    const h = await this.#assertHousehold(householdId);
    return { cameraAllowed: !this.privacyState(h).active, recordingAllowed: h.settings.recordingAllowed };
  }

  /**
   * Join check for household rooms, for the signalling layer to call on every `join`: the grant
   * alone is not enough, the call or look-in must still be open and the person still linked. This
   * closes the "rejoin with a still-valid token after the call ended" hole.
   */
  async authorizeJoin(actor: Actor, roomId: string): Promise<void> {
    const { householdId, kind, id } = householdRoom(roomId);
    if (actor.role === 'home-device') {
      // Room tokens carry their own jti, so only the binding is checked here: an unbound or
      // re-homed device loses its rooms, a still-bound one keeps the rooms it was given.
      const rec = await this.#repo.getDevice(actor.sub);
      if (!rec || rec.tokenJti === null) throw new AppError('unauthorized', 'this device is no longer bound to a household');
      if (rec.device.householdId !== householdId || actor.attributes.householdId !== householdId) {
        throw forbidden('a device joins only its own household’s rooms');
      }
    } else if (actor.role === 'admin') {
      // Administering households is not a seat in their calls or a view into their homes.
      throw forbidden('administrators do not join a household’s calls or look-ins');
    } else if (!(kind === 'call' && (await this.#repo.getCall(id))?.callees.some((c) => c.id === actor.sub && c.role === actor.role))) {
      // Someone a call from home rang (a village contact answering an SOS) needs no other tie to the household.
      await this.#requireViewer(actor, householdId);
    }
    if (kind === 'call') {
      const call = await this.#repo.getCall(id);
      if (!call || call.householdId !== householdId) throw notFound('no such call');
      if (call.state !== 'active' && call.state !== 'ringing') throw new AppError('gone', 'the call has ended');
      if (actor.role === 'counsellor' && call.callerId !== actor.sub && !call.callees.some((c) => c.id === actor.sub)) throw forbidden('only the counsellor in this call joins it');
    } else {
      const lookIn = await this.#repo.getLookIn(id);
      if (!lookIn || lookIn.householdId !== householdId) throw notFound('no such look-in');
      if (lookIn.endedAt !== null) throw new AppError('gone', 'the look-in has ended');
      if (actor.role === 'family' && lookIn.memberId !== actor.sub) throw forbidden('this look-in belongs to another family member');
      if (actor.role === 'counsellor') throw forbidden('counsellors do not look in');
    }
  }

  /**
   * Who may be in a household room now and with what (the join check above, then the media): no
   * camera in an audio-only call; a look-in's viewer only watches and the home only sends. Asked
   * at every join, produce and token refresh, and again whenever `access` announces a change.
   * Privacy mode (`devicePrivacy`) is applied on top, in every room.
   */
  async roomPermission(actor: Actor, roomId: string): Promise<DomainPermission> {
    await this.authorizeJoin(actor, roomId);
    const { kind, id } = householdRoom(roomId);
    const av: DomainPermission = { canPublish: true, canSubscribe: true, sources: ['camera', 'microphone'], roomAdmin: false, hidden: false, principal: false };
    if (kind === 'call') return (await this.#assertCall(id)).audioOnly ? withoutCamera(av, 'audio-only') : av;
    return actor.role === 'home-device' ? { ...av, canSubscribe: false } : { ...av, canPublish: false, sources: [], narrowedBy: 'role' };
  }

  /**
   * Whether this identity is a home device (or camera) whose household is in privacy mode now:
   * its camera is refused in any room, whatever its token says.
   */
  async devicePrivacy(actor: Pick<Actor, 'sub' | 'role' | 'attributes'>): Promise<boolean> {
    if (actor.role !== 'home-device') return false;
    const householdId = (await this.#repo.getDevice(actor.sub))?.device.householdId ?? actor.attributes.householdId;
    const h = householdId ? await this.#repo.getHousehold(householdId) : undefined;
    return h ? this.privacyState(h).active : false;
  }

  // ---- settings and privacy ------------------------------------------------------------------

  async updateSettings(actor: Actor, householdId: string, patch: SettingsPatch): Promise<HouseholdSettings> {
    await this.#requireFamilyLevel(actor, householdId, 'manage');
    const h = await this.#assertHousehold(householdId);
    const settings: HouseholdSettings = { ...h.settings, ...patch };
    for (const memberId of settings.autoAnswer.memberIds) {
      if (!(await this.#repo.getFamilyLink(householdId, memberId))) throw badRequest(`auto-answer: ${memberId} is not in this household’s family`);
    }
    await this.#repo.updateSettings(householdId, settings);
    this.#log.info({ householdId, by: actor.sub }, 'household settings changed');
    this.events.emit('settings:changed', { to: (await this.#audience(householdId)), householdId, settings });
    if (!settings.lookInAllowed) (await this.#endLookIns(householdId, 'privacy'));
    await this.#announcePrivacy((await this.#assertHousehold(householdId)));
    return settings;
  }

  /** The privacy button: the device itself, or a family member who manages the household. */
  async setPrivacyMode(actor: Actor, householdId: string, on: boolean): Promise<PrivacyState> {
    if (actor.role === 'home-device') {
      if ((await this.#requireDevice(actor)).device.householdId !== householdId) throw forbidden('a device controls only its own household');
    } else {
      await this.#requireFamilyLevel(actor, householdId, 'manage');
    }
    await this.#repo.setPrivacyMode(householdId, on);
    this.#log.info({ householdId, by: actor.sub, on }, 'privacy mode changed');
    const h = await this.#assertHousehold(householdId);
    await this.#announcePrivacy(h);
    return this.privacyState(h);
  }

  // ---- calls ---------------------------------------------------------------------------------

  /**
   * A family member (or an assigned counsellor) calls home. Auto-answer, when the household chose
   * it for this caller and privacy is off, makes the call live at once; otherwise the devices ring
   * until answered or `ringTimeoutMs` passes. During quiet hours they ring softly.
   */
  async startCall(actor: Actor, householdId: string, { audioOnly }: StartCall = { audioOnly: false }): Promise<{ call: Call } & RoomTicket> {
    let callerRole: 'family' | 'counsellor';
    if (actor.role === 'counsellor') {
      await this.#requireCounsellor(actor, householdId);
      callerRole = 'counsellor';
    } else {
      await this.#requireFamilyLevel(actor, householdId, 'call');
      callerRole = 'family';
    }
    const h = await this.#assertHousehold(householdId);
    const now = this.#clock.now();
    const id = newId('call');
    const online = (await this.#devices(householdId)).some((d) => d.online);
    const privacy = this.privacyState(h);
    const auto = online && !privacy.active && callerRole === 'family' && autoAnswers(h.settings, actor.sub);
    const state = !online ? 'missed' : auto ? 'active' : 'ringing';
    await this.#repo.transaction(async (tx) => {
      // One open call per home, also when two callers on two nodes press at once.
      await tx.lockHousehold(householdId);
      const open = (await tx.listOpenCalls(householdId))[0];
      if (open) throw new AppError('conflict', 'the home is already in a call; join it instead', { callId: open.id });
      await tx.insertCall({
        id, householdId, direction: 'to-home', purpose: 'call', callerId: actor.sub, callerRole, callerName: actor.name, state, audioOnly,
        autoAnswered: auto, quiet: this.quiet(h), createdAtMs: now, ringDeadlineMs: now + this.timings.ringTimeoutMs,
      });
      await tx.appendCallEvent({ callId: id, atMs: now, type: 'raised', person: personOf(actor) });
      // Stamp ended_at: nobody was there to ring, so the call is over as soon as it starts.
      if (state === 'missed') {
        await tx.transitionCall(id, ['missed'], 'missed', now);
        await tx.appendCallEvent({ callId: id, atMs: now, type: 'ended', data: { reason: 'missed', deviceOffline: true } });
      }
      if (auto) await tx.appendCallEvent({ callId: id, atMs: now, type: 'answered', data: { autoAnswer: true } });
    });
    if (state === 'missed') {
      throw new AppError('unavailable', 'the home device is offline; the call is listed as missed', { callId: id });
    }
    const call = await this.#assertCall(id);
    this.#log.info({ callId: id, householdId, caller: actor.sub, auto }, 'call → home');
    const to = await this.#deviceKeys(householdId);
    if (auto) this.events.emit('call:answered', { to: [...to, subjectKey(callerRole, actor.sub)], call });
    else this.events.emit('call:ringing', { to, call });
    return { call, roomId: call.roomId, token: (await this.#callToken(actor, call)) };
  }

  /**
   * The home device calls out: one family member of the household or one of its counsellors (a
   * big picture button each). Their page rings loudly with answer and decline; unanswered within
   * `ringTimeoutMs` it is a missed call on both sides.
   */
  async callOut(actor: Actor, { calleeId, audioOnly }: CallOut): Promise<{ call: Call } & RoomTicket> {
    const rec = await this.#requireDevice(actor);
    const h = await this.#assertHousehold(rec.device.householdId);
    const callee = (await this.#contacts(h.id)).find((c) => c.id === calleeId);
    if (!callee) throw forbidden('the home calls only its own family and counsellors');
    const call = await this.#openCallFromHome(actor, h, { purpose: 'call', audioOnly, callees: [{ id: callee.id, role: callee.role, name: callee.name, step: 0 }] });
    this.#log.info({ callId: call.id, householdId: h.id, callee: calleeId }, 'call ← home');
    return { call, roomId: call.roomId, token: await this.#callToken(actor, call) };
  }

  /**
   * 求助: rings the whole family and (after `sosCounsellorAfterMs`, by default at once) the
   * assigned counsellors; if nobody has answered after `sosVillageAfterMs` the village committee
   * / 网格员 contact is rung too. Every step is on the call's timeline, and an SOS alert stays
   * with the counsellors until it is answered or acknowledged. Never quiet, and never refused
   * because the home is in another call: that call ends.
   */
  async raiseSos(actor: Actor): Promise<{ call: Call } & RoomTicket> {
    const rec = await this.#requireDevice(actor);
    return this.#raiseSos(actor, await this.#assertHousehold(rec.device.householdId), rec.device.id);
  }

  /**
   * 求助 for a home with only an IP camera (no home device on to press): a family member of the
   * household or one of its counsellors raises it from their page. The same ladder and alert
   * as the device's SOS rings everyone else, and the home's camera joins the call
   * (`openSosCamera`) so whoever answers sees the home.
   */
  async raiseSosFor(actor: Actor, householdId: string): Promise<{ call: Call } & RoomTicket> {
    if (actor.role === 'counsellor') await this.#requireCounsellor(actor, householdId);
    else await this.#requireFamilyLevel(actor, householdId, 'call');
    const h = await this.#assertHousehold(householdId);
    // A device that is on has its own 求助 button; one that is off (or none) cannot be pressed.
    if ((await this.#devices(h.id)).some((d) => d.online)) throw new AppError('conflict', 'the home device is on: its 求助 button raises SOS there');
    if ((await this.#repo.listCameras(h.id)).length === 0) throw new AppError('conflict', 'this home has no camera to raise SOS for');
    return this.#raiseSos(actor, h, null);
  }

  /**
   * For the ingest wiring only (never for clients): the camera to pull into an open SOS call of
   * a home without a device. SOS overrides quiet hours, the look-in setting, per-member consent
   * and the look-in rate limit (it is a call for help, not a look), never privacy mode or the
   * privacy schedule: the device's own SOS sends no picture then either. The pull is in the
   * household's access log.
   */
  async openSosCamera(callId: string): Promise<{ householdId: string; cameraId: string; name: string; url: string } | undefined> {
    const call = await this.#repo.getCall(callId);
    if (!call || call.purpose !== 'sos' || (call.state !== 'ringing' && call.state !== 'active')) return undefined;
    if (call.callerRole === 'home-device') return undefined;
    const h = await this.#assertHousehold(call.householdId);
    const camera = (await this.#repo.listCameras(h.id))[0];
    const full = camera && (await this.#repo.getCamera(camera.id));
    if (!camera || !full) return undefined;
    const cameraAllowed = !this.privacyState(h).active;
    await this.#repo.appendAccessLog({
      householdId: h.id, actorId: call.callerId, actorName: call.callerName, actorRole: call.callerRole, action: 'look-in',
      outcome: cameraAllowed ? 'granted' : 'refused', reason: cameraAllowed ? 'sos' : `sos:${this.privacyState(h).cause}`, lookInId: null, atMs: this.#clock.now(),
    });
    this.#log.warn({ callId, householdId: h.id, cameraId: camera.id, cameraAllowed }, 'SOS | home camera');
    return cameraAllowed ? { householdId: h.id, cameraId: camera.id, name: camera.name, url: full.url } : undefined;
  }

  async #raiseSos(actor: Actor, h: Household, deviceId: string | null): Promise<{ call: Call } & RoomTicket> {
    const now = this.#clock.now();
    for (const open of await this.#repo.listOpenCalls(h.id)) {
      if ((await this.#repo.transitionCall(open.id, ['ringing', 'active'], open.state === 'ringing' ? 'cancelled' : 'ended', now))) {
        await this.#finishCall(h.id, open.id, 'sos');
      }
    }
    const call = await this.#openCallFromHome(actor, h, { purpose: 'sos', audioOnly: false, callees: [] });
    const alertId = newId('alert');
    await this.#repo.insertAlert({ id: alertId, kind: 'sos', deviceId, householdId: h.id, lastSeenAtMs: null, raisedAtMs: now, callId: call.id });
    this.#log.warn({ callId: call.id, householdId: h.id, device: deviceId, by: actor.sub }, 'SOS raised');
    this.events.emit('alert:raised', { to: await this.#alertAudience(h.id), alert: (await this.#repo.getAlert(alertId))! });
    await this.#ringSosSteps((await this.#repo.getCallRecord(call.id))!, now);
    const rung = await this.#assertCall(call.id);
    return { call: rung, roomId: rung.roomId, token: await this.#callToken(actor, rung) };
  }

  async #openCallFromHome(actor: Actor, h: Household, c: { purpose: 'call' | 'sos'; audioOnly: boolean; callees: NewCallee[] }): Promise<Call> {
    const now = this.#clock.now();
    const id = newId(c.purpose === 'sos' ? 'sos' : 'call');
    await this.#repo.transaction(async (tx) => {
      await tx.lockHousehold(h.id);
      const open = (await tx.listOpenCalls(h.id))[0];
      if (open) throw new AppError('conflict', 'the home is already in a call', { callId: open.id });
      await tx.insertCall({
        // An SOS raised for a camera-only home keeps its raiser as the caller (in the call, not rung);
        // the name still says which home it is for (the 网格员 page shows only that).
        id, householdId: h.id, direction: 'from-home', purpose: c.purpose, callerId: actor.sub,
        ...(actor.role === 'family' || actor.role === 'counsellor' ? { callerRole: actor.role, callerName: `${h.name}（${actor.name}）` } : { callerRole: 'home-device' as const, callerName: h.name }),
        state: 'ringing', audioOnly: c.audioOnly, autoAnswered: false, quiet: false, createdAtMs: now,
        ringDeadlineMs: now + (c.purpose === 'sos' ? this.#sosLastOffset() + this.timings.sosRingMs : this.timings.ringTimeoutMs),
        ...(c.purpose === 'sos' ? { sosStep: -1, nextStepAtMs: now } : {}),
      });
      await tx.appendCallEvent({ callId: id, atMs: now, type: 'raised', person: personOf(actor), data: { purpose: c.purpose } });
      await tx.insertCallees(id, c.callees, now);
      for (const p of c.callees) await tx.appendCallEvent({ callId: id, atMs: now, type: 'rang', person: { id: p.id, name: p.name, role: p.role }, data: { step: p.step } });
    });
    const call = await this.#assertCall(id);
    if (c.callees.length > 0) this.events.emit('call:ringing', { to: c.callees.map((p) => subjectKey(p.role, p.id)), call });
    return call;
  }

  /** When each SOS step rings, counted from the SOS. */
  #sosOffsets(): Record<(typeof SOS_STEPS)[number], number> {
    const counsellor = Math.max(0, this.timings.sosCounsellorAfterMs);
    return { family: 0, counsellor, 'grid-worker': Math.max(counsellor, this.timings.sosVillageAfterMs) };
  }

  #sosLastOffset(): number {
    return Math.max(...Object.values(this.#sosOffsets()));
  }

  /**
   * Rings every SOS step that is due and not yet rung. `early`: nobody of the steps already rung
   * is still ringing (they all declined), so the next step rings now instead of waiting.
   */
  async #ringSosSteps(rec: CallRecord, now: number, early = false): Promise<void> {
    const { call } = rec;
    const offsets = this.#sosOffsets();
    const created = Date.parse(call.createdAt);
    const h = await this.#assertHousehold(call.householdId);
    let step = rec.sosStep ?? -1;
    const rungBefore = step;
    for (let i = step + 1; i < SOS_STEPS.length; i++) {
      const dueAt = created + offsets[SOS_STEPS[i]!];
      if (dueAt > now && !(early && i === rungBefore + 1)) break;
      step = i;
    }
    if (step === rungBefore) return;
    const next = SOS_STEPS.findIndex((k, i) => i > step && created + offsets[k] > now);
    const nextAt = next === -1 ? null : created + offsets[SOS_STEPS[next]!];
    if (!(await this.#repo.setSosStep(call.id, step, nextAt, Math.max(now, created + this.#sosLastOffset()) + this.timings.sosRingMs))) return;
    const already = new Set([call.callerId, ...call.callees.map((c) => c.id)]);
    for (let i = rungBefore + 1; i <= step; i++) {
      const kind = SOS_STEPS[i]!;
      const people = (await this.#sosPeople(h, kind)).filter((p) => !already.has(p.id));
      if (i > 0 && (offsets[kind] > 0 || early)) {
        await this.#repo.appendCallEvent({
          callId: call.id, atMs: now, type: 'escalated',
          data: { step: i, to: kind, found: people.length, reason: early ? 'all-declined' : 'no-answer', afterSeconds: Math.round((now - created) / 1000) },
        });
      }
      const callees = people.map((p) => ({ ...p, step: i }));
      await this.#repo.insertCallees(call.id, callees, now);
      for (const p of callees) {
        already.add(p.id);
        await this.#repo.appendCallEvent({ callId: call.id, atMs: now, type: 'rang', person: { id: p.id, name: p.name, role: p.role }, data: { step: i } });
      }
      this.#log.warn({ callId: call.id, step: i, to: kind, people: people.map((p) => p.id) }, 'SOS | ringing');
      const updated = await this.#assertCall(call.id);
      if (callees.length > 0) this.events.emit('call:ringing', { to: callees.map((p) => subjectKey(p.role, p.id)), call: updated });
      // Everyone already ringing sees the new people on the call.
      this.events.emit('call:updated', { to: await this.#fromHomeParties(updated), call: updated });
    }
  }

  async #sosPeople(h: Household, kind: (typeof SOS_STEPS)[number]): Promise<Omit<NewCallee, 'step'>[]> {
    switch (kind) {
      case 'family':
        return (await this.#repo.listFamily(h.id)).map((m) => ({ id: m.id, role: 'family', name: m.name }));
      case 'counsellor': {
        const ids = await this.#repo.listCounsellorIds(h.id);
        const people = await Promise.all(ids.map((id) => this.#repo.getCounsellor(id)));
        return people.filter((c): c is Counsellor => !!c).map((c) => ({ id: c.id, role: 'counsellor', name: c.name }));
      }
      case 'grid-worker': {
        // The most local contact(s): the village's own before the township's.
        const contacts = await this.#repo.villageContactsFor(h.region);
        const local = contacts.filter((c) => c.region.length === contacts[0]?.region.length);
        return local.map((c) => ({ id: c.id, role: 'grid-worker', name: `${c.organisation} ${c.name}` }));
      }
    }
  }

  /**
   * Answer: the home device's answer button for calls to home; for calls from home (and SOS),
   * the answer button of a family member, counsellor or village contact it rang. First answer wins.
   */
  async answerCall(actor: Actor, callId: string): Promise<{ call: Call } & RoomTicket> {
    const found = await this.#repo.getCall(callId);
    if (found?.direction === 'from-home' && actor.role !== 'home-device') return this.#answerFromHome(actor, found);
    const call = await this.#callOfOwnDevice(actor, callId);
    if (call.direction !== 'to-home') throw forbidden('the home answers calls to the home');
    const now = this.#clock.now();
    if (!(await this.#repo.transitionCall(callId, ['ringing'], 'active', now, personOf(actor)))) {
      throw new AppError('gone', `the call is no longer ringing (${(await this.#assertCall(callId)).state})`);
    }
    await this.#repo.appendCallEvent({ callId, atMs: now, type: 'answered', person: personOf(actor) });
    const answered = await this.#assertCall(callId);
    this.#log.info({ callId, device: actor.sub }, 'call answered');
    this.events.emit('call:answered', { to: [...(await this.#deviceKeys(call.householdId)), subjectKey(call.callerRole, call.callerId)], call: answered });
    return { call: answered, roomId: answered.roomId, token: (await this.#callToken(actor, answered)) };
  }

  async #answerFromHome(actor: Actor, call: Call): Promise<{ call: Call } & RoomTicket> {
    const me = this.#calleeOf(actor, call);
    const now = this.#clock.now();
    if (!(await this.#repo.transitionCall(call.id, ['ringing'], 'active', now, personOf(actor)))) {
      throw new AppError('gone', `the call is no longer ringing (${(await this.#assertCall(call.id)).state})`, { callId: call.id });
    }
    await this.#repo.setCalleeState(call.id, me.id, 'answered');
    await this.#repo.appendCallEvent({ callId: call.id, atMs: now, type: 'answered', person: personOf(actor), data: { step: me.step, afterSeconds: Math.round((now - Date.parse(call.createdAt)) / 1000) } });
    const answered = await this.#assertCall(call.id);
    this.#log.info({ callId: call.id, by: actor.sub, purpose: call.purpose }, 'call from home answered');
    this.events.emit('call:answered', { to: await this.#fromHomeParties(answered), call: answered });
    if (call.purpose === 'sos') await this.#resolveSosAlert(call);
    return { call: answered, roomId: answered.roomId, token: await this.#callToken(actor, answered) };
  }

  /** Decline: the device (calls to home), or one person a call from home rings. */
  async declineCall(actor: Actor, callId: string): Promise<Call> {
    const found = await this.#repo.getCall(callId);
    if (found?.direction === 'from-home' && actor.role !== 'home-device') return this.#declineFromHome(actor, found);
    const call = await this.#callOfOwnDevice(actor, callId);
    if (call.direction !== 'to-home') throw forbidden('the home declines calls to the home');
    const now = this.#clock.now();
    if (!(await this.#repo.transitionCall(callId, ['ringing'], 'declined', now))) throw new AppError('gone', 'the call is no longer ringing');
    await this.#repo.appendCallEvent({ callId, atMs: now, type: 'declined', person: personOf(actor) });
    return this.#finishCall(call.householdId, callId, 'declined');
  }

  /**
   * One callee says no. The call goes on while anyone else still rings; when nobody does, a
   * plain call is declined, and an SOS rings its next step at once.
   */
  async #declineFromHome(actor: Actor, call: Call): Promise<Call> {
    const me = this.#calleeOf(actor, call);
    if (call.state !== 'ringing' || me.state !== 'ringing') throw new AppError('gone', 'the call is no longer ringing for you');
    const now = this.#clock.now();
    await this.#repo.setCalleeState(call.id, me.id, 'declined');
    await this.#repo.appendCallEvent({ callId: call.id, atMs: now, type: 'declined', person: personOf(actor) });
    const rec = (await this.#repo.getCallRecord(call.id))!;
    if (rec.call.callees.some((c) => c.state === 'ringing')) return rec.call;
    if (call.purpose === 'sos') {
      if (rec.nextStepAtMs !== null) await this.#ringSosSteps(rec, now, true);
      return this.#assertCall(call.id);
    }
    if (!(await this.#repo.transitionCall(call.id, ['ringing'], 'declined', now))) return this.#assertCall(call.id);
    return this.#finishCall(call.householdId, call.id, 'declined');
  }

  /**
   * Join an open call: another family member (several cities, one call), or anyone a call from
   * home rang (a counsellor joining an SOS a daughter answered).
   */
  async joinCall(actor: Actor, callId: string, presented?: { rooms: readonly string[] }): Promise<{ call: Call } & RoomTicket> {
    const call = await this.#repo.getCall(callId);
    if (!call) throw notFound('no such call');
    if (presented && !grantAllowsRoom(presented, call.roomId)) {
      throw new AppError('forbidden', 'this token is for another room; it renews only its own', { reason: 'other_room' });
    }
    const callee = call.callees.find((c) => c.id === actor.sub);
    if (!callee) await this.#requireFamilyLevel(actor, call.householdId, 'call');
    if (call.state !== 'ringing' && call.state !== 'active') throw new AppError('gone', 'the call has ended');
    if (callee && callee.state === 'ringing') await this.#repo.setCalleeState(call.id, callee.id, 'joined');
    await this.#repo.appendCallEvent({ callId, atMs: this.#clock.now(), type: 'joined', person: personOf(actor) });
    return { call, roomId: call.roomId, token: (await this.#callToken(actor, call)) };
  }

  /**
   * Hang up for everyone: a device of the household, the caller or whoever answered — each still
   * tied to the household now (linked, assigned, or rung by this call). Family members who joined
   * someone else's call just leave the room; they do not end it for the others. No administrator:
   * a household's calls are not theirs to control (三员分立).
   */
  async endCall(actor: Actor, callId: string): Promise<Call> {
    const call = await this.#repo.getCall(callId);
    if (!call) throw notFound('no such call');
    if (actor.role === 'home-device') (await this.#callOfOwnDevice(actor, callId));
    else {
      const caller = actor.sub === call.callerId && actor.role === call.callerRole;
      const answerer = actor.sub === call.answeredBy?.id && actor.role === call.answeredBy.role;
      if (!caller && !answerer) throw forbidden('only the caller, whoever answered, or the home ends this call; leave the room instead');
      if (!this.#rungBy(actor, call)) await this.#requireCareViewer(actor, call.householdId);
    }
    return this.#hangUp(call);
  }

  /** Ends an open call for everyone (no check: endCall's caller, or the server cutting a device). */
  async #hangUp(call: Call): Promise<Call> {
    const callId = call.id;
    const now = this.#clock.now();
    if ((await this.#repo.transitionCall(callId, ['ringing'], 'cancelled', now))) return this.#finishCall(call.householdId, callId, 'cancelled');
    if ((await this.#repo.transitionCall(callId, ['active'], 'ended', now))) return this.#finishCall(call.householdId, callId, 'hung-up');
    return this.#assertCall(callId);
  }

  async listMissedCalls(actor: Actor, householdId: string, limit = 50): Promise<Call[]> {
    await this.#requireCareViewer(actor, householdId);
    return this.#repo.listMissedCalls(householdId, Math.min(Math.max(limit, 1), 200));
  }

  /** Calls from home that rang me (family, counsellor, village contact): ringing now or missed. */
  async myCalls(actor: Actor, limit = 20): Promise<Call[]> {
    if (!['family', 'counsellor', 'grid-worker'].includes(actor.role)) throw forbidden('only the people a home calls have calls from home');
    return this.#repo.listCallsRinging(actor.sub, Math.min(Math.max(limit, 1), 100));
  }

  /** Every step of a call: who was rung, escalations, who answered or declined, when. */
  async callTimeline(actor: Actor, callId: string): Promise<{ call: Call; events: CallEvent[] }> {
    const call = await this.#assertCall(callId);
    if (!this.#rungBy(actor, call)) await this.#requireCareViewer(actor, call.householdId);
    return { call, events: await this.#repo.listCallEvents(callId) };
  }

  /** One of the people this call from home rang (by id and role: ids of different kinds never stand in for each other). */
  #rungBy(actor: Actor, call: Call): boolean {
    return call.callees.some((c) => c.id === actor.sub && c.role === actor.role);
  }

  async #finishCall(householdId: string, callId: string, reason: CallEndReason): Promise<Call> {
    const before = await this.#assertCall(callId);
    if (before.direction === 'from-home') await this.#repo.missRingingCallees(callId);
    await this.#repo.appendCallEvent({ callId, atMs: this.#clock.now(), type: 'ended', data: { reason } });
    const call = await this.#assertCall(callId);
    this.#log.info({ callId, reason }, 'call finished');
    this.events.emit('call:ended', { to: [...(await this.#deviceKeys(householdId)), subjectKey(call.callerRole, call.callerId), ...call.callees.map((c) => subjectKey(c.role, c.id))], call, reason });
    return call;
  }

  async #callOfOwnDevice(actor: Actor, callId: string): Promise<Call> {
    const device = await this.#requireDevice(actor);
    const call = await this.#repo.getCall(callId);
    // Same answer for "no such call" and "another household's call": a device learns nothing.
    if (!call || call.householdId !== device.device.householdId) throw forbidden('a device handles only its own household’s calls');
    return call;
  }

  /** Everyone in a call from home: the home's devices, whoever raised an SOS from their page, and everyone rung. */
  async #fromHomeParties(call: Call): Promise<SubjectKey[]> {
    const raiser = call.callerRole === 'home-device' ? [] : [subjectKey(call.callerRole, call.callerId)];
    return [...(await this.#deviceKeys(call.householdId)), ...raiser, ...call.callees.map((c) => subjectKey(c.role, c.id))];
  }

  /** The actor as one of the people a call from home rings; forbidden otherwise. */
  #calleeOf(actor: Actor, call: Call): Callee {
    const me = call.callees.find((c) => c.id === actor.sub && c.role === actor.role);
    if (!me) throw forbidden('this call does not ring you');
    return me;
  }

  async #resolveSosAlert(call: Call): Promise<void> {
    const alert = await this.#repo.getOpenHouseholdAlert(call.householdId, 'sos', call.id);
    if (!alert || !(await this.#repo.resolveAlert(alert.id, this.#clock.now()))) return;
    this.events.emit('alert:resolved', { to: await this.#alertAudience(call.householdId), alert: (await this.#repo.getAlert(alert.id))! });
  }

  async #callToken(actor: Actor, call: Call): Promise<string> {
    const cameraAllowed = actor.role !== 'home-device' || (await this.mediaPolicy(call.householdId)).cameraAllowed;
    const grant: Grant = {
      rooms: [call.roomId],
      canPublish: true,
      canSubscribe: true,
      sources: call.audioOnly || !cameraAllowed ? ['microphone'] : ['camera', 'microphone'],
    };
    return this.#tokens.issue({
      use: 'room', sub: actor.sub, name: actor.name, role: actor.role, grant,
      attributes: { householdId: call.householdId }, ttlSeconds: this.timings.callTokenTtlSeconds,
    });
  }

  // ---- look-in -------------------------------------------------------------------------------

  /**
   * View-only look at home. Refused (and logged) in privacy mode, during a privacy window, when
   * the household does not allow look-in, or when the device is offline.
   */
  async startLookIn(actor: Actor, householdId: string, { source }: StartLookIn = { source: 'device' }): Promise<{ lookIn: LookIn } & RoomTicket> {
    await this.#requireFamilyLevel(actor, householdId, 'look-in');
    const h = await this.#assertHousehold(householdId);
    if (source !== 'device') {
      const camera = await this.#repo.getCamera(source);
      if (!camera || camera.householdId !== householdId) throw notFound('no such camera in this household');
    }
    const now = this.#clock.now();
    const privacy = this.privacyState(h);
    const refusal: LookInRefusal | null = !h.settings.lookInAllowed
      ? 'look-in-disabled'
      : privacy.cause === 'button'
        ? 'privacy-mode'
        : privacy.cause === 'schedule'
          ? 'privacy-schedule'
          : !consentInForce(await this.#repo.listConsents(householdId), actor.sub, source)
            ? 'no-consent'
            : source === 'device' && !(await this.#devices(householdId)).some((d) => d.online)
              ? 'device-offline'
              : null;
    if (!refusal && (await this.#repo.countGrantedLookIns(householdId, actor.sub, now - 3600_000)) >= this.timings.lookInsPerHour) {
      // A glance now and then, not a watch: the household agreed to look-in, not to monitoring.
      await this.#repo.appendAccessLog({
        householdId, actorId: actor.sub, actorName: actor.name, actorRole: actor.role, action: 'look-in', outcome: 'refused',
        reason: 'rate-limited', lookInId: null, atMs: now,
      });
      throw new AppError('rate_limited', `at most ${this.timings.lookInsPerHour} look-ins an hour`);
    }
    if (refusal) {
      await this.#repo.appendAccessLog({
        householdId, actorId: actor.sub, actorName: actor.name, actorRole: actor.role, action: 'look-in', outcome: 'refused',
        reason: refusal, lookInId: null, atMs: now,
      });
      this.#log.info({ householdId, by: actor.sub, refusal }, 'look-in refused');
      throw new LookInRefused(refusal);
    }
    const id = newId('look');
    await this.#repo.transaction(async (tx) => {
      await tx.insertLookIn({ id, householdId, memberId: actor.sub, source, startedAtMs: now, endsAtMs: now + this.timings.lookInMaxMs });
      await tx.appendAccessLog({
        householdId, actorId: actor.sub, actorName: actor.name, actorRole: actor.role, action: 'look-in', outcome: 'granted',
        reason: null, lookInId: id, atMs: now,
      });
    });
    const lookIn = (await this.#repo.getLookIn(id))!;
    this.#log.info({ householdId, by: actor.sub, lookInId: id }, 'look-in → home');
    this.events.emit('lookin:started', { to: await this.#deviceKeys(householdId), lookIn, viewerName: actor.name });
    const token = this.#tokens.issue({
      use: 'room', sub: actor.sub, name: actor.name, role: actor.role,
      // View only: the family member's own camera and microphone stay out of the home.
      grant: { rooms: [lookIn.roomId], canPublish: false, canSubscribe: true, sources: [] },
      attributes: { householdId }, ttlSeconds: Math.ceil(this.timings.lookInMaxMs / 1000) + 60,
    });
    return { lookIn, roomId: lookIn.roomId, token };
  }

  async endLookIn(actor: Actor, lookInId: string): Promise<LookIn> {
    const lookIn = await this.#repo.getLookIn(lookInId);
    if (!lookIn) throw notFound('no such look-in');
    if (actor.role === 'home-device') {
      if ((await this.#requireDevice(actor)).device.householdId !== lookIn.householdId) throw forbidden('not this device’s household');
    } else {
      if (actor.role !== 'family' || actor.sub !== lookIn.memberId) throw forbidden('only the viewer or the home ends a look-in');
      await this.#requireFamilyLevel(actor, lookIn.householdId, 'call');
    }
    await this.#endLookIn(lookIn, 'viewer-left');
    return (await this.#repo.getLookIn(lookInId))!;
  }

  async listAccessLog(actor: Actor, householdId: string, limit = 100): Promise<AccessLogEntry[]> {
    if (actor.role !== 'home-device') await this.#requireFamilyLevel(actor, householdId, 'manage');
    else if ((await this.#requireDevice(actor)).device.householdId !== householdId) throw forbidden('not this device’s household');
    return this.#repo.listAccessLog(householdId, Math.min(Math.max(limit, 1), 500));
  }

  async #endLookIns(householdId: string, reason: 'privacy' | 'consent-withdrawn', which: (l: LookIn) => boolean = () => true): Promise<void> {
    for (const l of (await this.#repo.listOpenLookIns(householdId))) if (which(l)) await this.#endLookIn(l, reason);
  }

  async #endLookIn(lookIn: LookIn, reason: LookInEndReason): Promise<void> {
    if (!(await this.#repo.endLookIn(lookIn.id, reason, this.#clock.now()))) return;
    this.#log.info({ lookInId: lookIn.id, reason }, 'look-in ended');
    this.events.emit('lookin:ended', {
      to: [...(await this.#deviceKeys(lookIn.householdId)), subjectKey('family', lookIn.memberId)],
      lookIn: (await this.#repo.getLookIn(lookIn.id))!,
      reason,
    });
  }

  // ---- devices -------------------------------------------------------------------------------

  /**
   * How often a device beats: four beats inside the offline-alert time (15 s for the default
   * 60 s), so a device that is on never looks silent for that long; at least once a second.
   */
  get deviceHeartbeatMs(): number {
    return Math.min(15_000, Math.max(1000, Math.floor(this.timings.offlineAlertAfterMs / 4 / 1000) * 1000));
  }

  /** How often the periodic checker runs: often enough that an alert is late by a third of its time at most. */
  get tickMs(): number {
    return Math.min(5_000, Math.max(1000, Math.floor(this.timings.offlineAlertAfterMs / 3)));
  }

  /** A device's heartbeat; answers with what the kiosk needs to (re)draw itself after a reconnect. */
  async heartbeat(actor: Actor): Promise<DeviceState> {
    const rec = await this.#requireDevice(actor);
    const now = this.#clock.now();
    await this.#repo.touchDevice(rec.device.id, now);
    const open = await this.#repo.getOpenAlert(rec.device.id);
    if (open) {
      await this.#repo.resolveAlert(open.id, now);
      this.#log.info({ deviceId: rec.device.id, alertId: open.id }, 'device back online');
      this.events.emit('alert:resolved', { to: await this.#counsellorKeys(rec.device.householdId), alert: (await this.#repo.getAlert(open.id))! });
    }
    return this.deviceState(actor);
  }

  /**
   * A room token for the device: to join an auto-answered call, or to publish into a look-in.
   * The camera is in the grant only while privacy is off (and never for audio-only calls).
   */
  async deviceRoomToken(actor: Actor, roomId: string): Promise<RoomTicket> {
    await this.#requireDevice(actor);
    await this.authorizeJoin(actor, roomId);
    const { householdId, kind, id } = householdRoom(roomId);
    if (kind === 'call') return { roomId, token: await this.#callToken(actor, await this.#assertCall(id)) };
    const cameraAllowed = (await this.mediaPolicy(householdId)).cameraAllowed;
    const token = this.#tokens.issue({
      use: 'room', sub: actor.sub, name: actor.name, role: actor.role,
      grant: { rooms: [roomId], canPublish: true, canSubscribe: false, sources: cameraAllowed ? ['camera', 'microphone'] : ['microphone'] },
      attributes: { householdId }, ttlSeconds: Math.ceil(this.timings.lookInMaxMs / 1000) + 60,
    });
    return { roomId, token };
  }

  async deviceState(actor: Actor): Promise<DeviceState> {
    const rec = await this.#requireDevice(actor);
    const h = await this.#assertHousehold(rec.device.householdId);
    return {
      device: (await this.#deviceViews([rec]))[0]!,
      household: { id: h.id, name: h.name, settings: h.settings },
      privacy: this.privacyState(h),
      quiet: this.quiet(h),
      openCalls: (await this.#repo.listOpenCalls(h.id)),
      openLookIns: (await this.#repo.listOpenLookIns(h.id)),
      notices: await this.#noticesWithReads(h, 20),
      contacts: await this.#contacts(h.id),
      consents: inForce(await this.#repo.listConsents(h.id)),
      missedOut: await this.#repo.listMissedCalls(h.id, 10, 'from-home'),
      missedIn: unreturnedMissedCalls(await this.#repo.listCalls(h.id, 50), this.#clock.now()),
      heartbeatSeconds: this.deviceHeartbeatMs / 1000,
    };
  }

  /**
   * Activity levels from the device's own camera, measured in the page (frame differencing, a
   * few samples a second): one number per minute, never a picture. Activity at or above the
   * household's threshold clears an open no-activity alert at once.
   */
  async reportActivity(actor: Actor, report: ActivityReport): Promise<{ recorded: number }> {
    const rec = await this.#requireDevice(actor);
    const now = this.#clock.now();
    await this.#recordActivity(rec.device.householdId, report.minutes.map((m) => ({ sourceId: rec.device.id, sourceKind: 'device' as const, minuteMs: minuteOf(now - m.ageSeconds * 1000), level: m.level, samples: m.samples })));
    return { recorded: report.minutes.length };
  }

  /** For the server's own analysis of an IP camera's stream (never for clients). */
  async reportCameraActivity(cameraId: string, minutes: readonly { minuteMs: number; level: number; samples: number }[]): Promise<void> {
    const camera = await this.#repo.getCamera(cameraId);
    if (!camera) throw notFound(`camera ${cameraId} not found`);
    await this.#recordActivity(camera.householdId, minutes.map((m) => ({ sourceId: cameraId, sourceKind: 'camera' as const, ...m })));
  }

  /** Households whose no-activity watch is on and privacy off, with their IP cameras (what the server analyses). */
  async watchedCameras(): Promise<{ householdId: string; cameraId: string; url: string }[]> {
    const out: { householdId: string; cameraId: string; url: string }[] = [];
    for (const h of await this.#repo.listHouseholds()) {
      // Privacy mode means no camera is looked at, by anyone, for anything.
      if (!h.settings.activityWatch.enabled || this.privacyState(h).active) continue;
      for (const c of await this.#repo.listCameras(h.id)) {
        const full = await this.#repo.getCamera(c.id);
        if (full) out.push({ householdId: h.id, cameraId: c.id, url: full.url });
      }
    }
    return out;
  }

  async #recordActivity(householdId: string, minutes: Parameters<HouseholdRepository['recordActivity']>[1]): Promise<void> {
    await this.#repo.recordActivity(householdId, minutes);
    const h = await this.#assertHousehold(householdId);
    const threshold = h.settings.activityWatch.threshold;
    if (!minutes.some((m) => m.level >= threshold)) return;
    const open = await this.#repo.getOpenHouseholdAlert(householdId, 'no-activity');
    if (!open || !(await this.#repo.resolveAlert(open.id, this.#clock.now()))) return;
    this.#log.info({ householdId, alertId: open.id }, 'activity again: no-activity alert resolved');
    this.events.emit('alert:resolved', { to: await this.#alertAudience(householdId), alert: (await this.#repo.getAlert(open.id))! });
  }

  /** The device marks a notice read (the resident tapped it): the sender sees the receipt. */
  async markNoticeRead(actor: Actor, noticeId: string): Promise<{ readAt: string }> {
    const rec = await this.#requireDevice(actor);
    const h = await this.#assertHousehold(rec.device.householdId);
    const notice = (await this.#repo.listNoticesFor(h, this.#clock.now(), 200)).find((n) => n.id === noticeId);
    if (!notice) throw notFound('no such notice for this household');
    const now = this.#clock.now();
    if (await this.#repo.markNoticeRead(noticeId, h.id, rec.device.id, now)) {
      // Notices are sent by counsellors only.
      this.events.emit('notice:read', { to: [subjectKey('counsellor', notice.senderId)], noticeId, householdId: h.id, readAt: new Date(now).toISOString() });
    }
    const read = (await this.#repo.noticeReads([noticeId])).find((r) => r.householdId === h.id)!;
    return { readAt: new Date(read.readAtMs).toISOString() };
  }

  // ---- privacy masks and consent -------------------------------------------------------------

  /**
   * Rectangles the household draws on a device's picture; the device blacks them out before its
   * video leaves it. Set at the device itself or by a family member who manages the household.
   */
  async setMasks(actor: Actor, deviceId: string, rects: MaskRect[]): Promise<Device> {
    const rec = await this.#assertDevice(deviceId);
    if (actor.role === 'home-device') {
      if ((await this.#requireDevice(actor)).device.id !== deviceId) throw forbidden('a device draws only its own masks');
    } else {
      await this.#requireFamilyLevel(actor, rec.device.householdId, 'manage');
    }
    await this.#repo.setMasks(deviceId, rects, actor.sub, this.#clock.now());
    this.#log.info({ deviceId, by: actor.sub, rects: rects.length }, 'privacy masks changed');
    const device = (await this.#deviceViews([rec]))[0]!;
    this.events.emit('masks:changed', { to: await this.#audience(rec.device.householdId), householdId: rec.device.householdId, deviceId, masks: device.masks });
    return device;
  }

  /** The whole consent record of the household, oldest first (the household manager and the device). */
  async listConsents(actor: Actor, householdId: string): Promise<ConsentRecord[]> {
    await this.#requirePrivacyReader(actor, householdId);
    return this.#repo.listConsents(householdId);
  }

  /**
   * The household agrees (or no longer agrees) that a family member may look in on a camera.
   * Withdrawing ends that member's open look-ins on it at once; the record keeps both.
   */
  async changeConsent(actor: Actor, householdId: string, c: ConsentChange): Promise<ConsentRecord[]> {
    await this.#requirePrivacyReader(actor, householdId);
    const member = await this.#repo.getFamilyMember(c.memberId);
    const link = await this.#repo.getFamilyLink(householdId, c.memberId);
    if (!member || !link) throw notFound('no such family member in this household');
    if (c.action === 'granted' && !permits(link.permission, 'look-in')) throw badRequest(`${member.name} may only call (permission "${link.permission}")`);
    if (c.source !== 'device' && c.source !== '*' && (await this.#repo.getCamera(c.source))?.householdId !== householdId) throw notFound('no such camera in this household');
    const now = this.#clock.now();
    await this.#repo.appendConsent({
      householdId, memberId: member.id, memberName: member.name, source: c.source, action: c.action,
      byId: actor.sub, byName: actor.role === 'home-device' ? (await this.#assertHousehold(householdId)).name : actor.name, byRole: actor.role, atMs: now,
    });
    this.#log.info({ householdId, memberId: member.id, source: c.source, action: c.action, by: actor.sub }, 'consent changed');
    if (c.action === 'withdrawn') {
      const records = await this.#repo.listConsents(householdId);
      await this.#endLookIns(householdId, 'consent-withdrawn', (l) => l.memberId === member.id && !consentInForce(records, member.id, l.source));
    }
    this.events.emit('consent:changed', { to: await this.#audience(householdId), householdId });
    return this.#repo.listConsents(householdId);
  }

  /** The household's manager or its device: the consent record is the home's, never an administrator's (三员分立). */
  async #requirePrivacyReader(actor: Actor, householdId: string): Promise<void> {
    if (actor.role === 'home-device') {
      if ((await this.#requireDevice(actor)).device.householdId !== householdId) throw forbidden('not this device’s household');
    } else {
      await this.#requireFamilyLevel(actor, householdId, 'manage');
    }
  }

  // ---- counsellors: notices, check-ins, alerts -----------------------------------------------

  /** To one assigned household, or to every household in a region the counsellor covers. */
  async sendNotice(actor: Actor, n: SendNotice): Promise<{ notice: Notice; householdIds: string[] }> {
    if (actor.role !== 'counsellor') throw forbidden('only counsellors send notices');
    let households: Household[];
    if ('householdId' in n) {
      await this.#requireCounsellor(actor, n.householdId);
      households = [(await this.#assertHousehold(n.householdId))];
    } else {
      const c = await this.#assertCounsellor(actor.sub);
      if (!c.regions.some((r) => n.region.startsWith(r))) throw forbidden(`region ${n.region} is outside your area`);
      households = await this.#repo.listHouseholdsInRegion(n.region);
    }
    const now = this.#clock.now();
    const id = newId('notice');
    const notice: Notice = {
      id, senderId: actor.sub, senderName: actor.name,
      householdId: 'householdId' in n ? n.householdId : null, region: 'region' in n ? n.region : null,
      title: n.title, body: n.body, createdAt: new Date(now).toISOString(),
      expiresAt: n.expiresAt ? new Date(n.expiresAt).toISOString() : null,
    };
    const { createdAt: _c, expiresAt, ...stored } = notice;
    await this.#repo.insertNotice({ ...stored, createdAtMs: now, expiresAtMs: expiresAt ? Date.parse(expiresAt) : null });
    const householdIds = households.map((h) => h.id);
    this.events.emit('notice', { to: (await Promise.all(householdIds.map((hid) => this.#deviceKeys(hid)))).flat(), notice, householdIds });
    return { notice, householdIds };
  }

  async listNotices(actor: Actor, householdId: string): Promise<Notice[]> {
    await this.#requireCareViewer(actor, householdId);
    return this.#repo.listNoticesFor((await this.#assertHousehold(householdId)), this.#clock.now(), 50);
  }

  async scheduleCheckIn(actor: Actor, householdId: string, { counsellorId, ...c }: NewCheckIn): Promise<CheckInSchedule> {
    await this.#requireCounsellor(actor, householdId);
    if (counsellorId !== undefined && counsellorId !== actor.sub) throw forbidden('a counsellor schedules only their own check-ins');
    const id = newId('checkin');
    await this.#repo.insertCheckIn({ id, householdId, counsellorId: actor.sub, ...c, createdAtMs: this.#clock.now() });
    return (await this.#checkInsOf(actor.sub)).find((s) => s.id === id)!;
  }

  async listCheckIns(actor: Actor): Promise<CheckInSchedule[]> {
    if (actor.role !== 'counsellor') throw forbidden('only counsellors have check-in schedules');
    return this.#checkInsOf(actor.sub);
  }

  async #checkInsOf(counsellorId: string): Promise<CheckInSchedule[]> {
    const now = this.#clock.now();
    return (await this.#repo.listCheckIns(counsellorId))
      .map((r) => ({ ...r.schedule, nextAt: new Date(nextOccurrence(r.schedule.days, r.schedule.time, now)).toISOString() }))
      .sort((a, b) => a.nextAt.localeCompare(b.nextAt));
  }

  /**
   * The counsellor's alerts: open ones and those that resolved by themselves but were not yet
   * acknowledged (nothing raised while nobody was signed in is lost). `all`: every alert.
   */
  async listAlerts(actor: Actor, all = false): Promise<HouseholdAlert[]> {
    if (actor.role !== 'counsellor') throw forbidden('only counsellors see device alerts');
    return this.#repo.listAlertsForHouseholds(await this.#repo.listAssignedHouseholdIds(actor.sub), all, 200);
  }

  async acknowledgeAlert(actor: Actor, alertId: string): Promise<HouseholdAlert> {
    const alert = await this.#repo.getAlert(alertId);
    if (!alert) throw notFound('no such alert');
    await this.#requireCounsellor(actor, alert.householdId);
    await this.#repo.acknowledgeAlert(alertId, actor.sub, this.#clock.now());
    return (await this.#repo.getAlert(alertId))!;
  }

  /** A notice's read receipts: which of the households it went to have read it (the sender). */
  async noticeReceipts(actor: Actor, noticeId: string): Promise<NoticeReceipts> {
    const notice = await this.#repo.getNotice(noticeId);
    if (!notice) throw notFound('no such notice');
    if (notice.senderId !== actor.sub) throw forbidden('read receipts are for the sender');
    return (await this.#receipts([notice]))[0]!;
  }

  /** The notices this counsellor sent, newest first, each with its read receipts. */
  async sentNotices(actor: Actor, limit = 20): Promise<NoticeReceipts[]> {
    if (actor.role !== 'counsellor') throw forbidden('only counsellors send notices');
    return this.#receipts(await this.#repo.listNoticesSentBy(actor.sub, Math.min(Math.max(limit, 1), 100)));
  }

  async #receipts(notices: Notice[]): Promise<NoticeReceipts[]> {
    const reads = await this.#repo.noticeReads(notices.map((n) => n.id));
    const out: NoticeReceipts[] = [];
    for (const notice of notices) {
      const targets = notice.householdId ? [await this.#assertHousehold(notice.householdId)] : await this.#repo.listHouseholdsInRegion(notice.region ?? '');
      out.push({
        notice,
        households: targets.map((h) => {
          const r = reads.find((x) => x.noticeId === notice.id && x.householdId === h.id);
          return { householdId: h.id, name: h.name, readAt: r ? new Date(r.readAtMs).toISOString() : null };
        }),
      });
    }
    return out;
  }

  /** After a check-in (a call, or a visit in person): mood, concerns, follow-up. */
  async recordVisit(actor: Actor, householdId: string, v: NewVisit): Promise<Visit> {
    if (actor.role !== 'counsellor') throw forbidden('visit records are written by counsellors');
    await this.#requireCounsellor(actor, householdId);
    if (v.callId && (await this.#repo.getCall(v.callId))?.householdId !== householdId) throw badRequest('that call is not this household’s');
    if (v.scheduleId && !(await this.#repo.listCheckIns(actor.sub)).some((r) => r.schedule.id === v.scheduleId && r.schedule.householdId === householdId)) {
      throw badRequest('that check-in schedule is not yours for this household');
    }
    const id = newId('visit');
    await this.#repo.insertVisit({
      id, householdId, counsellorId: actor.sub, counsellorName: actor.name, callId: v.callId ?? null, scheduleId: v.scheduleId ?? null,
      dueAtMs: v.dueAt ? Date.parse(v.dueAt) : null, atMs: this.#clock.now(), mood: v.mood, concerns: v.concerns, followUp: v.followUp, followUpBy: v.followUpBy ?? null,
    });
    this.#log.info({ householdId, visitId: id, by: actor.sub, mood: v.mood }, 'visit recorded');
    return (await this.#repo.listVisits(householdId, 50)).find((x) => x.id === id)!;
  }

  /** A household's record for its counsellor: visits, calls (both ways), alerts. */
  async history(actor: Actor, householdId: string): Promise<HouseholdHistory> {
    await this.#requireCounsellor(actor, householdId);
    return {
      householdId,
      visits: await this.#repo.listVisits(householdId, 100),
      calls: await this.#repo.listCalls(householdId, 100),
      alerts: await this.#repo.listAlertsForHouseholds([householdId], true, 100),
    };
  }

  /**
   * Check-ins that fell due and have no visit record: due on their day, overdue after
   * `checkInOverdueAfterMs`. Computed from the schedules and the visits, so nothing depends on
   * anyone having been signed in when it fell due.
   */
  async dueCheckIns(actor: Actor): Promise<CheckInDue[]> {
    if (actor.role !== 'counsellor') throw forbidden('only counsellors have check-ins');
    const now = this.#clock.now();
    const lookBack = 14 * 24 * 3600_000;
    const records = await this.#repo.listCheckIns(actor.sub);
    const visits = await this.#repo.listVisitTimes([...new Set(records.map((r) => r.schedule.householdId))], now - lookBack - 24 * 3600_000);
    const out: CheckInDue[] = [];
    for (const r of records) {
      const schedule = { ...r.schedule, nextAt: new Date(nextOccurrence(r.schedule.days, r.schedule.time, now)).toISOString() };
      for (const dueAt of occurrencesBetween(r.schedule.days, r.schedule.time, Math.max(r.createdAtMs, now - lookBack), now)) {
        // Done: a visit for this occurrence, or any visit to the household from its day on.
        const done = visits.some((v) => v.householdId === r.schedule.householdId && ((v.scheduleId === r.schedule.id && v.dueAtMs === dueAt) || (v.atMs >= dueAt - 12 * 3600_000 && v.atMs <= dueAt + this.timings.checkInOverdueAfterMs * 2)));
        if (done) continue;
        out.push({ schedule, dueAt: new Date(dueAt).toISOString(), state: now - dueAt > this.timings.checkInOverdueAfterMs ? 'overdue' : 'due' });
      }
    }
    return out.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  }

  // ---- the periodic checker ------------------------------------------------------------------

  /**
   * One pass of everything time-driven: ring timeouts, look-in limits, privacy windows opening or
   * closing, device offline alerts, check-ins falling due. Deterministic under an injected clock.
   */
  async tick(): Promise<void> {
    const now = this.#clock.now();
    for (const call of (await this.#repo.listRingingDue(now))) {
      if ((await this.#repo.transitionCall(call.id, ['ringing'], 'missed', now))) (await this.#finishCall(call.householdId, call.id, 'missed'));
    }
    for (const l of (await this.#repo.listLookInsPastLimit(now))) (await this.#endLookIn(l, 'time-limit'));
    for (const h of (await this.#repo.listHouseholds())) (await this.#announcePrivacy(h));
    for (const rec of await this.#repo.listEscalationsDue(now)) await this.#ringSosSteps(rec, now);
    await this.#raiseOfflineAlerts(now);
    await this.#raiseNoActivityAlerts(now);
    await this.#announceDueCheckIns(now);
  }

  /**
   * Runs `tick` every `intervalMs` in this process until `stop()`. With several nodes, pass a
   * `leader` check (e.g. a Redis lock held by one node) so pushes are not sent once per node.
   */
  start(intervalMs = 5_000, opts: { leader?: () => boolean | Promise<boolean> } = {}): void {
    if (this.#timer) return;
    let running = false;
    this.#timer = setInterval(() => {
      if (running) return;
      running = true;
      Promise.resolve(opts.leader ? opts.leader() : true)
        .then(async (lead) => {
          if (lead) await this.tick();
        })
        .catch((err: unknown) => this.#log.error({ err }, 'household tick failed'))
        .finally(() => {
          running = false;
        });
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #raiseOfflineAlerts(now: number): Promise<void> {
    for (const rec of (await this.#repo.listDevices())) {
      const silentSince = rec.lastSeenAtMs ?? rec.boundAtMs;
      if (now - silentSince < this.timings.offlineAlertAfterMs) continue;
      if ((await this.#repo.getOpenAlert(rec.device.id))) continue;
      const id = newId('alert');
      await this.#repo.insertAlert({ id, kind: 'device-offline', deviceId: rec.device.id, householdId: rec.device.householdId, lastSeenAtMs: rec.lastSeenAtMs, raisedAtMs: now });
      const counsellors = await this.#counsellorKeys(rec.device.householdId);
      this.#log.warn({ deviceId: rec.device.id, householdId: rec.device.householdId, silentMs: now - silentSince }, 'device offline alert');
      this.events.emit('alert:raised', { to: counsellors, alert: (await this.#repo.getAlert(id))! });
    }
  }

  /**
   * No minute at or above the household's threshold for `inactiveHours` inside today's daytime
   * window, with measurements covering at least half of that span (a camera that was off or in
   * privacy mode proves nothing): an alert to the counsellors and the family, saying how it was
   * decided. One open alert per household; activity resolves it.
   */
  async #raiseNoActivityAlerts(now: number): Promise<void> {
    for (const h of await this.#repo.listHouseholds()) {
      const w = h.settings.activityWatch;
      if (!w.enabled) continue;
      const window = localDayWindow(w.start, w.end, now);
      const spanMs = w.inactiveHours * 3600_000;
      if (!window || now - window.startMs < spanMs) continue;
      if (await this.#repo.getOpenHouseholdAlert(h.id, 'no-activity')) continue;
      const from = now - spanMs;
      const minutes = await this.#repo.listActivity(h.id, minuteOf(from), now);
      const spanMinutes = Math.round(spanMs / 60_000);
      const measured = new Set(minutes.map((m) => m.minuteMs)).size;
      if (measured * 2 < spanMinutes) continue;
      const maxLevel = Math.max(0, ...minutes.map((m) => m.level));
      if (maxLevel >= w.threshold) continue;
      const bySource = new Map<string, { id: string; kind: 'device' | 'camera'; minutes: number }>();
      for (const m of minutes) {
        const e = bySource.get(m.sourceId) ?? { id: m.sourceId, kind: m.sourceKind, minutes: 0 };
        e.minutes++;
        bySource.set(m.sourceId, e);
      }
      const lastActive = await this.#repo.lastActiveMinute(h.id, w.threshold, now - 24 * 3600_000);
      const activity: ActivityDecision = {
        rule: { start: w.start, end: w.end, inactiveHours: w.inactiveHours, threshold: w.threshold },
        from: new Date(from).toISOString(),
        to: new Date(now).toISOString(),
        measuredMinutes: measured,
        spanMinutes,
        maxLevel,
        lastActiveAt: lastActive === null ? null : new Date(lastActive).toISOString(),
        sources: [...bySource.values()],
      };
      const id = newId('alert');
      await this.#repo.insertAlert({ id, kind: 'no-activity', deviceId: null, householdId: h.id, lastSeenAtMs: null, raisedAtMs: now, activity });
      this.#log.warn({ householdId: h.id, measured, spanMinutes, maxLevel }, 'no-activity alert');
      this.events.emit('alert:raised', { to: await this.#alertAudience(h.id), alert: (await this.#repo.getAlert(id))! });
    }
  }

  async #announceDueCheckIns(now: number): Promise<void> {
    for (const r of (await this.#repo.listCheckIns())) {
      const due = previousOccurrence(r.schedule.days, r.schedule.time, now);
      // Only occurrences after the schedule was made and not yet announced; a long outage
      // announces the latest missed one once, not a backlog.
      if (due === null || due < r.createdAtMs || (r.lastDueAtMs !== null && due <= r.lastDueAtMs)) continue;
      await this.#repo.setCheckInLastDue(r.schedule.id, due);
      const schedule = { ...r.schedule, nextAt: new Date(nextOccurrence(r.schedule.days, r.schedule.time, now)).toISOString() };
      this.events.emit('checkin:due', { to: [subjectKey('counsellor', r.schedule.counsellorId)], schedule, dueAt: new Date(due).toISOString() });
    }
  }

  async #announcePrivacy(h: Household): Promise<void> {
    const state = this.privacyState(h);
    const before = this.#privacyAnnounced.get(h.id) ?? false;
    this.#privacyAnnounced.set(h.id, state.active);
    if (state.active) (await this.#endLookIns(h.id, 'privacy'));
    if (before === state.active) return;
    this.#log.info({ householdId: h.id, ...state }, 'privacy state changed');
    this.events.emit('privacy:changed', { to: (await this.#audience(h.id)), householdId: h.id, privacy: state });
  }

  // ---- authorization -------------------------------------------------------------------------

  #requireAdmin(actor: Actor): void {
    if (actor.role !== 'admin') throw forbidden('administrators only');
  }

  /** A device token is valid only while it is the device's current token for the same household. */
  async #requireDevice(actor: Actor): Promise<DeviceRecord> {
    if (actor.role !== 'home-device') throw forbidden('home devices only');
    const rec = await this.#repo.getDevice(actor.sub);
    if (!rec || rec.device.householdId !== actor.attributes.householdId || rec.tokenJti !== actor.jti) {
      throw new AppError('unauthorized', 'this device token has been replaced or revoked');
    }
    return rec;
  }

  /**
   * A family member linked at `level` or above, as the household's links say now. The system
   * administrator passes only where `adminInstalls` says the action is installation (devices,
   * cameras, links); everything else about a home — its settings, privacy, calls — is refused to
   * it by default (三员分立), so a new action cannot hand it to the administrator by omission.
   */
  async #requireFamilyLevel(actor: Actor, householdId: string, level: PermissionLevel, opts: { adminInstalls?: boolean } = {}): Promise<PermissionLevel> {
    if (actor.role === 'admin' && opts.adminInstalls === true) {
      await this.#assertHousehold(householdId);
      return 'manage';
    }
    if (actor.role !== 'family') throw forbidden('family members only');
    const link = await this.#repo.getFamilyLink(householdId, actor.sub);
    if (!link) throw forbidden('you are not a family member of this household');
    if (!permits(link.permission, level)) throw forbidden(`your permission here is "${link.permission}"; this needs "${level}"`);
    return link.permission;
  }

  /** A counsellor assigned to the household; never an administrator (三员分立: care is not administration). */
  async #requireCounsellor(actor: Actor, householdId: string): Promise<void> {
    if (actor.role !== 'counsellor') throw forbidden('counsellors only');
    if (!(await this.#repo.isAssigned(householdId, actor.sub))) throw forbidden('this household is not assigned to you');
  }

  /** Anyone with a legitimate view of the household; returns the family level when there is one. */
  async #requireViewer(actor: Actor, householdId: string): Promise<PermissionLevel | undefined> {
    switch (actor.role) {
      case 'family':
        return this.#requireFamilyLevel(actor, householdId, 'call');
      case 'counsellor':
        await this.#requireCounsellor(actor, householdId);
        return undefined;
      case 'home-device':
        if ((await this.#requireDevice(actor)).device.householdId !== householdId) throw forbidden('not this device’s household');
        return undefined;
      case 'admin':
        await this.#assertHousehold(householdId);
        return undefined;
      default:
        throw forbidden('no access to households');
    }
  }

  /** A viewer of the household's private life (its calls, notices): never an administrator (三员分立). */
  async #requireCareViewer(actor: Actor, householdId: string): Promise<void> {
    if (actor.role === 'admin') throw forbidden('administrators install households; their calls and notices are not theirs to see');
    await this.#requireViewer(actor, householdId);
  }

  // ---- lookups ---------------------------------------------------------------------------------

  async #assertHousehold(id: string): Promise<Household> {
    const h = await this.#repo.getHousehold(id);
    if (!h) throw notFound(`household ${id} not found`);
    return h;
  }

  async #assertDevice(id: string): Promise<DeviceRecord> {
    const d = await this.#repo.getDevice(id);
    if (!d) throw notFound(`device ${id} not found`);
    return d;
  }

  async #assertCall(id: string): Promise<Call> {
    const c = await this.#repo.getCall(id);
    if (!c) throw notFound(`call ${id} not found`);
    return c;
  }

  async #assertCounsellor(id: string): Promise<Counsellor> {
    const c = await this.#repo.getCounsellor(id);
    if (!c) throw forbidden('unknown counsellor');
    return c;
  }

  async #deviceViews(recs: DeviceRecord[]): Promise<Device[]> {
    const masks = await this.#repo.masksOf(recs.map((r) => r.device.id));
    return recs.map((rec) => {
      const online = rec.lastSeenAtMs !== null && this.#clock.now() - rec.lastSeenAtMs <= this.timings.onlineWindowMs;
      return { ...rec.device, online, masks: masks.get(rec.device.id) ?? [] };
    });
  }

  async #devices(householdId: string): Promise<Device[]> {
    return this.#deviceViews(await this.#repo.listDevices(householdId));
  }

  /** Whom the home device can call: its family members and its counsellors (a picture button each). */
  async #contacts(householdId: string): Promise<DeviceState['contacts']> {
    const family = (await this.#repo.listFamily(householdId)).map((m) => ({ id: m.id, role: 'family' as const, name: m.name, relation: m.relation, city: m.city }));
    const counsellors = (await Promise.all((await this.#repo.listCounsellorIds(householdId)).map((id) => this.#repo.getCounsellor(id))))
      .filter((c): c is Counsellor => !!c)
      .map((c) => ({ id: c.id, role: 'counsellor' as const, name: c.name, relation: '', city: c.organisation }));
    return [...family, ...counsellors];
  }

  /** Who hears of a no-activity or SOS alert: the counsellors and the family. */
  async #alertAudience(householdId: string): Promise<SubjectKey[]> {
    return [...(await this.#counsellorKeys(householdId)), ...(await this.#repo.listFamily(householdId)).map((m) => subjectKey('family', m.id))];
  }

  /** Quiet hours now: the device rings softly and does not chime. */
  quiet(h: Household): boolean {
    return privacyWindowActive(h.settings.quietHours, this.#clock.now());
  }

  /** The household's notices, each with when its device read it. */
  async #noticesWithReads(h: Household, limit: number): Promise<Notice[]> {
    const notices = await this.#repo.listNoticesFor(h, this.#clock.now(), limit);
    const reads = (await this.#repo.noticeReads(notices.map((n) => n.id))).filter((r) => r.householdId === h.id);
    return notices.map((n) => {
      const r = reads.find((x) => x.noticeId === n.id);
      return { ...n, readAt: r ? new Date(r.readAtMs).toISOString() : null };
    });
  }

  async #deviceKeys(householdId: string): Promise<SubjectKey[]> {
    return (await this.#repo.listDevices(householdId)).map((r) => subjectKey('home-device', r.device.id));
  }

  async #counsellorKeys(householdId: string): Promise<SubjectKey[]> {
    return (await this.#repo.listCounsellorIds(householdId)).map((id) => subjectKey('counsellor', id));
  }

  /** Devices and family of a household: who must redraw when its settings or privacy change. */
  async #audience(householdId: string): Promise<SubjectKey[]> {
    return [...(await this.#deviceKeys(householdId)), ...(await this.#repo.listFamily(householdId)).map((m) => subjectKey('family', m.id))];
  }

  /**
   * The household as the asker may see it: `installed` (an administrator) is what was set up —
   * devices, cameras, family links, counsellors — without its alerts or its consents.
   */
  async #view(householdId: string, myPermission?: PermissionLevel, scope: 'all' | 'installed' = 'all'): Promise<HouseholdView> {
    const household = await this.#assertHousehold(householdId);
    const care = scope === 'all';
    return {
      household,
      privacy: this.privacyState(household),
      devices: (await this.#devices(householdId)),
      cameras: (await this.#repo.listCameras(householdId)),
      family: (await this.#repo.listFamily(householdId)).map(({ phone: _phone, ...m }) => m),
      counsellorIds: (await this.#repo.listCounsellorIds(householdId)),
      counsellors: (await Promise.all((await this.#repo.listCounsellorIds(householdId)).map((id) => this.#repo.getCounsellor(id))))
        .filter((c): c is Counsellor => !!c)
        .map(({ id, name, organisation }) => ({ id, name, organisation })),
      alerts: care ? await this.#repo.listAlertsForHouseholds([householdId], false, 20, ['no-activity', 'sos']) : [],
      consents: care ? inForce(await this.#repo.listConsents(householdId)) : [],
      ...(myPermission ? { myPermission } : {}),
    };
  }
}

const personOf = (a: Actor): { id: string; name: string; role: string } => ({ id: a.sub, name: a.name, role: a.role });

/** The minute (epoch ms) a moment falls in. */
const minuteOf = (ms: number): number => ms - (ms % 60_000);

/** The latest consent record per member and source: what is in force. Withdrawn ones drop out. */
function inForce(records: readonly ConsentRecord[]): ConsentRecord[] {
  const latest = new Map<string, ConsentRecord>();
  for (const r of records) latest.set(`${r.memberId}\u0000${r.source}`, r);
  return [...latest.values()].filter((r) => r.action === 'granted');
}

/**
 * Whether the household agrees that `memberId` looks in on `source` (`device` or a camera id):
 * the latest record for that source or for `*` (every camera) decides; no record, no consent.
 */
function consentInForce(records: readonly ConsentRecord[], memberId: string, source: string): boolean {
  const applicable = records.filter((r) => r.memberId === memberId && (r.source === source || r.source === '*'));
  return applicable.at(-1)?.action === 'granted';
}

function autoAnswers(settings: HouseholdSettings, memberId: string): boolean {
  switch (settings.autoAnswer.mode) {
    case 'off':
      return false;
    case 'all-family':
      return true;
    case 'selected':
      return settings.autoAnswer.memberIds.includes(memberId);
  }
}

/** A household room's parts; any other room id is refused. */
function householdRoom(roomId: string): { householdId: string; kind: 'call' | 'lookin'; id: string } {
  const r = parseRoomId(roomId);
  if (r.kind === 'household-call') return { householdId: r.householdId, kind: 'call', id: r.callId };
  if (r.kind === 'household-look-in') return { householdId: r.householdId, kind: 'lookin', id: r.lookInId };
  throw forbidden('not a household room');
}
