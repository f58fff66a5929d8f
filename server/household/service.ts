// The household service: every rule of 平安心居 in one place. Each public method takes the
// verified token claims of whoever asks and input already parsed by the endpoint table (at the
// edge), and refuses with a typed AppError before touching state, so no caller can forget a check.
import { randomUUID } from 'node:crypto';
import { AppError, badRequest, conflict, forbidden, notFound } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { CameraAddressCheck } from '../core/camera-address.ts';
import type { Claims, Grant, TokenIssuer } from '../auth/grants.ts';
import { parseRoomId } from '../protocol/room-id.ts';
import { subjectKey, type SubjectKey } from '../protocol/live.ts';
import {
  type BindDevice,
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
  type DeviceAlert,
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
import { nextOccurrence, previousOccurrence, privacyWindowActive } from './local-time.ts';
import type { DeviceRecord, HouseholdRepository } from './repository.ts';

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
  /** Counsellors are alerted when a device has been silent for this long. */
  offlineAlertAfterMs: number;
  /** A look-in ends by itself after this long; looking in is a glance, not surveillance. */
  lookInMaxMs: number;
  /** Look-ins one family member may start per household per hour; more is refused (rate_limited). */
  lookInsPerHour: number;
  /** Room tokens for calls. */
  callTokenTtlSeconds: number;
  /** Device tokens are long-lived; binding the device again revokes the previous one. */
  deviceTokenTtlSeconds: number;
}

export const DEFAULT_TIMINGS: HouseholdTimings = {
  ringTimeoutMs: 45_000,
  onlineWindowMs: 45_000,
  offlineAlertAfterMs: 10 * 60_000,
  lookInMaxMs: 10 * 60_000,
  lookInsPerHour: 6,
  callTokenTtlSeconds: 4 * 3600,
  deviceTokenTtlSeconds: 365 * 24 * 3600,
};

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
  'device-offline': 'the home device is offline',
};

export class HouseholdService {
  readonly events: HouseholdEventEmitter;
  readonly timings: HouseholdTimings;
  readonly #repo: HouseholdRepository;
  readonly #tokens: TokenIssuer;
  readonly #cameraAddresses: CameraAddressCheck;
  readonly #log: Logger;
  readonly #clock: Clock;
  /** Last privacy state announced per household, so the schedule only pushes transitions. */
  readonly #privacyAnnounced = new Map<string, boolean>();
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: HouseholdServiceDeps) {
    this.#repo = deps.repository;
    this.#tokens = deps.tokens;
    this.#cameraAddresses = deps.cameraAddresses;
    this.#log = deps.log;
    this.#clock = deps.clock ?? systemClock;
    this.timings = { ...DEFAULT_TIMINGS, ...deps.timings };
    this.events = new HouseholdEventEmitter();
    for (const h of this.#repo.listHouseholds()) this.#privacyAnnounced.set(h.id, this.privacyState(h).active);
  }

  // ---- administration (install and enrolment) ------------------------------------------------

  createHousehold(actor: Actor, h: NewHousehold): Household {
    this.#requireAdmin(actor);
    const id = h.id ?? `hh-${randomUUID()}`;
    if (this.#repo.getHousehold(id)) throw conflict(`household ${id} already exists`);
    this.#repo.insertHousehold({
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
  bindDevice(actor: Actor, householdId: string, d: BindDevice): { device: Device; token: string } {
    this.#requireFamilyLevel(actor, householdId, 'manage');
    // The id names a device of this household to re-bind; a new device's id is the server's, so
    // no caller can mint a token whose subject is somebody else's id (a person's, an official's).
    if (d.id !== undefined) {
      const existing = this.#repo.getDevice(d.id);
      if (!existing || existing.device.householdId !== householdId) {
        throw notFound(`no device ${d.id} in this household; leave out the id to bind a new device`);
      }
    }
    const id = d.id ?? `dev-${randomUUID()}`;
    if (!d.id) this.#repo.insertDevice({ id, householdId, name: d.name, place: d.place, boundAtMs: this.#clock.now() });
    const token = this.#issueDeviceToken(id, d.name, householdId);
    return { device: this.#deviceView(this.#assertDevice(id)), token };
  }

  #issueDeviceToken(deviceId: string, name: string, householdId: string): string {
    const token = this.#tokens.issue({
      sub: deviceId,
      name,
      role: 'home-device',
      // No rooms: the long-lived token identifies the device (HTTP API, live channel). Media
      // rights come per room from answerCall / deviceRoomToken, decided at that moment, so a
      // device in privacy mode never holds a token that lets its camera into a room.
      grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [] },
      attributes: { householdId },
      ttlSeconds: this.timings.deviceTokenTtlSeconds,
    });
    this.#repo.setDeviceTokenJti(deviceId, this.#tokens.verify(token).jti);
    return token;
  }

  /**
   * Links a family member with a permission level; managers and admins only. `memberId` names an
   * existing family member; a new one (name and city) gets an id from the server, never the
   * caller's, so nobody can create a family member who is somebody else.
   */
  linkFamilyMember(actor: Actor, householdId: string, m: LinkFamily): HouseholdView['family'][number] {
    this.#requireFamilyLevel(actor, householdId, 'manage');
    if (m.memberId !== undefined && !this.#repo.getFamilyMember(m.memberId)) throw notFound(`no family member ${m.memberId}`);
    const id = m.memberId ?? `fm-${randomUUID()}`;
    this.#repo.transaction(() => {
      if (!m.memberId) {
        if (!m.name || !m.city) throw badRequest('name and city are required for a new family member');
        this.#repo.insertFamilyMember({ id, name: m.name, city: m.city, phone: m.phone ?? null });
      }
      this.#repo.linkFamilyMember({ householdId, memberId: id, relation: m.relation, permission: m.permission });
    });
    return this.#view(householdId).family.find((f) => f.id === id)!;
  }

  assignCounsellor(actor: Actor, householdId: string, counsellorId: string): void {
    this.#requireAdmin(actor);
    this.#assertHousehold(householdId);
    this.#assertCounsellor(counsellorId);
    this.#repo.assignCounsellor(householdId, counsellorId);
  }

  /**
   * Registers an IP camera for look-in (pulled by sfu/ingest). The URL never leaves the server,
   * and is accepted only where a camera may be (allowed networks and ports; checked again at
   * every connection, since DNS can change).
   */
  async addCamera(actor: Actor, householdId: string, c: NewCamera): Promise<HouseholdCamera> {
    this.#requireFamilyLevel(actor, householdId, 'manage');
    await this.#cameraAddresses.vet(c.url);
    // The server names the camera: its id becomes the ingest's subject in the look-in room.
    const camera = { id: `cam-${randomUUID()}`, householdId, name: c.name, place: c.place };
    this.#repo.insertCamera({ ...camera, url: c.url });
    return camera;
  }

  /** For the ingest wiring only: the camera an open look-in shows, if it shows a camera. */
  openCameraLookIn(lookInId: string): { householdId: string; cameraId: string; url: string } | undefined {
    const lookIn = this.#repo.getLookIn(lookInId);
    if (!lookIn || lookIn.endedAt || lookIn.source === 'device') return undefined;
    const camera = this.cameraSource(lookIn.source);
    return camera && camera.householdId === lookIn.householdId ? { householdId: camera.householdId, cameraId: lookIn.source, url: camera.url } : undefined;
  }

  /** For the ingest wiring only: the camera cannot be pulled (refused address, unreachable); the look-in ends. */
  cameraUnavailable(lookInId: string): void {
    const lookIn = this.#repo.getLookIn(lookInId);
    if (lookIn && !lookIn.endedAt) this.#endLookIn(lookIn, 'camera-unavailable');
  }

  /** For the ingest wiring only (never for clients): the camera's URL. */
  cameraSource(cameraId: string): { householdId: string; url: string } | undefined {
    const c = this.#repo.getCamera(cameraId);
    return c && { householdId: c.householdId, url: c.url };
  }

  // ---- reading ---------------------------------------------------------------------------------

  /** Households the actor may see: linked (family), assigned (counsellor), own (device), all (admin). */
  listHouseholds(actor: Actor): HouseholdView[] {
    switch (actor.role) {
      case 'family':
        return this.#repo.listLinksOfMember(actor.sub).map((l) => this.#view(l.householdId, l.permission));
      case 'counsellor':
        return this.#repo.listAssignedHouseholdIds(actor.sub).map((id) => this.#view(id));
      case 'home-device':
        return [this.#view(this.#requireDevice(actor).device.householdId)];
      case 'admin':
        return this.#repo.listHouseholds().map((h) => this.#view(h.id));
      default:
        throw forbidden('this role has no households');
    }
  }

  getHousehold(actor: Actor, householdId: string): HouseholdView {
    const level = this.#requireViewer(actor, householdId);
    return this.#view(householdId, level);
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
  mediaPolicy(householdId: string): { cameraAllowed: boolean; recordingAllowed: boolean } {
    const h = this.#assertHousehold(householdId);
    return { cameraAllowed: !this.privacyState(h).active, recordingAllowed: h.settings.recordingAllowed };
  }

  /**
   * Join check for household rooms, for the signalling layer to call on every `join`: the grant
   * alone is not enough, the call or look-in must still be open and the person still linked. This
   * closes the "rejoin with a still-valid token after the call ended" hole.
   */
  authorizeJoin(actor: Actor, roomId: string): void {
    const { householdId, kind, id } = householdRoom(roomId);
    if (actor.role === 'home-device') {
      // Room tokens carry their own jti, so only the binding is checked here: an unbound or
      // re-homed device loses its rooms, a still-bound one keeps the rooms it was given.
      const rec = this.#repo.getDevice(actor.sub);
      if (!rec) throw new AppError('unauthorized', 'this device is no longer bound to a household');
      if (rec.device.householdId !== householdId || actor.attributes.householdId !== householdId) {
        throw forbidden('a device joins only its own household’s rooms');
      }
    } else if (actor.role !== 'admin') {
      this.#requireViewer(actor, householdId);
    }
    if (kind === 'call') {
      const call = this.#repo.getCall(id);
      if (!call || call.householdId !== householdId) throw notFound('no such call');
      if (call.state !== 'active' && call.state !== 'ringing') throw new AppError('gone', 'the call has ended');
      if (actor.role === 'counsellor' && call.callerId !== actor.sub) throw forbidden('only the calling counsellor joins this call');
    } else {
      const lookIn = this.#repo.getLookIn(id);
      if (!lookIn || lookIn.householdId !== householdId) throw notFound('no such look-in');
      if (lookIn.endedAt !== null) throw new AppError('gone', 'the look-in has ended');
      if (actor.role === 'family' && lookIn.memberId !== actor.sub) throw forbidden('this look-in belongs to another family member');
      if (actor.role === 'counsellor') throw forbidden('counsellors do not look in');
    }
  }

  // ---- settings and privacy ------------------------------------------------------------------

  updateSettings(actor: Actor, householdId: string, patch: SettingsPatch): HouseholdSettings {
    this.#requireFamilyLevel(actor, householdId, 'manage');
    const h = this.#assertHousehold(householdId);
    const settings: HouseholdSettings = { ...h.settings, ...patch };
    for (const memberId of settings.autoAnswer.memberIds) {
      if (!this.#repo.getFamilyLink(householdId, memberId)) throw badRequest(`auto-answer: ${memberId} is not in this household’s family`);
    }
    this.#repo.updateSettings(householdId, settings);
    this.#log.info({ householdId, by: actor.sub }, 'household settings changed');
    this.events.emit('settings:changed', { to: this.#audience(householdId), householdId, settings });
    if (!settings.lookInAllowed) this.#endLookIns(householdId, 'privacy');
    this.#announcePrivacy(this.#assertHousehold(householdId));
    return settings;
  }

  /** The privacy button: the device itself, or a family member who manages the household. */
  setPrivacyMode(actor: Actor, householdId: string, on: boolean): PrivacyState {
    if (actor.role === 'home-device') {
      if (this.#requireDevice(actor).device.householdId !== householdId) throw forbidden('a device controls only its own household');
    } else {
      this.#requireFamilyLevel(actor, householdId, 'manage');
    }
    this.#repo.setPrivacyMode(householdId, on);
    this.#log.info({ householdId, by: actor.sub, on }, 'privacy mode changed');
    const h = this.#assertHousehold(householdId);
    this.#announcePrivacy(h);
    return this.privacyState(h);
  }

  // ---- calls ---------------------------------------------------------------------------------

  /**
   * A family member (or an assigned counsellor) calls home. Auto-answer, when the household chose
   * it for this caller and privacy is off, makes the call live at once; otherwise the devices ring
   * until answered or `ringTimeoutMs` passes.
   */
  startCall(actor: Actor, householdId: string, { audioOnly }: StartCall = { audioOnly: false }): { call: Call } & RoomTicket {
    let callerRole: 'family' | 'counsellor';
    if (actor.role === 'counsellor') {
      this.#requireCounsellor(actor, householdId);
      callerRole = 'counsellor';
    } else {
      this.#requireFamilyLevel(actor, householdId, 'call', { adminAllowed: false });
      callerRole = 'family';
    }
    const h = this.#assertHousehold(householdId);
    const now = this.#clock.now();
    const id = `call-${randomUUID()}`;
    const online = this.#devices(householdId).some((d) => d.online);
    const privacy = this.privacyState(h);
    const auto = online && !privacy.active && callerRole === 'family' && autoAnswers(h.settings, actor.sub);
    const state = !online ? 'missed' : auto ? 'active' : 'ringing';
    this.#repo.transaction(() => {
      const open = this.#repo.listOpenCalls(householdId)[0];
      if (open) throw new AppError('conflict', 'the home is already in a call; join it instead', { callId: open.id });
      this.#repo.insertCall({
        id, householdId, callerId: actor.sub, callerRole, callerName: actor.name, state, audioOnly,
        autoAnswered: auto, createdAtMs: now, ringDeadlineMs: now + this.timings.ringTimeoutMs,
      });
      // Stamp ended_at: nobody was there to ring, so the call is over as soon as it starts.
      if (state === 'missed') this.#repo.transitionCall(id, ['missed'], 'missed', now);
    });
    if (state === 'missed') {
      throw new AppError('unavailable', 'the home device is offline; the call is listed as missed', { callId: id });
    }
    const call = this.#assertCall(id);
    this.#log.info({ callId: id, householdId, caller: actor.sub, auto }, 'call → home');
    const to = this.#deviceKeys(householdId);
    if (auto) this.events.emit('call:answered', { to: [...to, subjectKey(callerRole, actor.sub)], call });
    else this.events.emit('call:ringing', { to, call });
    return { call, roomId: call.roomId, token: this.#callToken(actor, call) };
  }

  /** The device's answer button. */
  answerCall(actor: Actor, callId: string): { call: Call } & RoomTicket {
    const call = this.#callOfOwnDevice(actor, callId);
    if (!this.#repo.transitionCall(callId, ['ringing'], 'active', this.#clock.now())) {
      throw new AppError('gone', `the call is no longer ringing (${this.#assertCall(callId).state})`);
    }
    const answered = this.#assertCall(callId);
    this.#log.info({ callId, device: actor.sub }, 'call answered');
    this.events.emit('call:answered', { to: [...this.#deviceKeys(call.householdId), subjectKey(call.callerRole, call.callerId)], call: answered });
    return { call: answered, roomId: answered.roomId, token: this.#callToken(actor, answered) };
  }

  declineCall(actor: Actor, callId: string): Call {
    const call = this.#callOfOwnDevice(actor, callId);
    if (!this.#repo.transitionCall(callId, ['ringing'], 'declined', this.#clock.now())) throw new AppError('gone', 'the call is no longer ringing');
    return this.#finishCall(call.householdId, callId, 'declined');
  }

  /** Another family member joins the household's ringing or live call (several cities, one call). */
  joinCall(actor: Actor, callId: string): { call: Call } & RoomTicket {
    const call = this.#repo.getCall(callId);
    if (!call) throw notFound('no such call');
    this.#requireFamilyLevel(actor, call.householdId, 'call', { adminAllowed: false });
    if (call.state !== 'ringing' && call.state !== 'active') throw new AppError('gone', 'the call has ended');
    return { call, roomId: call.roomId, token: this.#callToken(actor, call) };
  }

  /**
   * Hang up for everyone: the caller, a device of the household, or an admin. Family members who
   * joined someone else's call just leave the room; they do not end it for the others.
   */
  endCall(actor: Actor, callId: string): Call {
    const call = this.#repo.getCall(callId);
    if (!call) throw notFound('no such call');
    if (actor.role === 'home-device') this.#callOfOwnDevice(actor, callId);
    else if (actor.sub !== call.callerId && actor.role !== 'admin') throw forbidden('only the caller or the home ends this call; leave the room instead');
    const now = this.#clock.now();
    if (this.#repo.transitionCall(callId, ['ringing'], 'cancelled', now)) return this.#finishCall(call.householdId, callId, 'cancelled');
    if (this.#repo.transitionCall(callId, ['active'], 'ended', now)) return this.#finishCall(call.householdId, callId, 'hung-up');
    return this.#assertCall(callId);
  }

  listMissedCalls(actor: Actor, householdId: string, limit = 50): Call[] {
    this.#requireViewer(actor, householdId);
    return this.#repo.listMissedCalls(householdId, Math.min(Math.max(limit, 1), 200));
  }

  #finishCall(householdId: string, callId: string, reason: CallEndReason): Call {
    const call = this.#assertCall(callId);
    this.#log.info({ callId, reason }, 'call finished');
    this.events.emit('call:ended', { to: [...this.#deviceKeys(householdId), subjectKey(call.callerRole, call.callerId)], call, reason });
    return call;
  }

  #callOfOwnDevice(actor: Actor, callId: string): Call {
    const device = this.#requireDevice(actor);
    const call = this.#repo.getCall(callId);
    // Same answer for "no such call" and "another household's call": a device learns nothing.
    if (!call || call.householdId !== device.device.householdId) throw forbidden('a device handles only its own household’s calls');
    return call;
  }

  #callToken(actor: Actor, call: Call): string {
    const cameraAllowed = actor.role !== 'home-device' || this.mediaPolicy(call.householdId).cameraAllowed;
    const grant: Grant = {
      rooms: [call.roomId],
      canPublish: true,
      canSubscribe: true,
      sources: call.audioOnly || !cameraAllowed ? ['microphone'] : ['camera', 'microphone'],
    };
    return this.#tokens.issue({
      sub: actor.sub, name: actor.name, role: actor.role, grant,
      attributes: { householdId: call.householdId }, ttlSeconds: this.timings.callTokenTtlSeconds,
    });
  }

  // ---- look-in -------------------------------------------------------------------------------

  /**
   * View-only look at home. Refused (and logged) in privacy mode, during a privacy window, when
   * the household does not allow look-in, or when the device is offline.
   */
  startLookIn(actor: Actor, householdId: string, { source }: StartLookIn = { source: 'device' }): { lookIn: LookIn } & RoomTicket {
    this.#requireFamilyLevel(actor, householdId, 'look-in', { adminAllowed: false });
    const h = this.#assertHousehold(householdId);
    if (source !== 'device') {
      const camera = this.#repo.getCamera(source);
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
          : source === 'device' && !this.#devices(householdId).some((d) => d.online)
            ? 'device-offline'
            : null;
    if (!refusal && this.#repo.countGrantedLookIns(householdId, actor.sub, now - 3600_000) >= this.timings.lookInsPerHour) {
      // A glance now and then, not a watch: the household agreed to look-in, not to monitoring.
      this.#repo.appendAccessLog({
        householdId, actorId: actor.sub, actorRole: actor.role, action: 'look-in', outcome: 'refused',
        reason: 'rate-limited', lookInId: null, atMs: now,
      });
      throw new AppError('rate_limited', `at most ${this.timings.lookInsPerHour} look-ins an hour`);
    }
    if (refusal) {
      this.#repo.appendAccessLog({
        householdId, actorId: actor.sub, actorRole: actor.role, action: 'look-in', outcome: 'refused',
        reason: refusal, lookInId: null, atMs: now,
      });
      this.#log.info({ householdId, by: actor.sub, refusal }, 'look-in refused');
      throw new LookInRefused(refusal);
    }
    const id = `look-${randomUUID()}`;
    this.#repo.transaction(() => {
      this.#repo.insertLookIn({ id, householdId, memberId: actor.sub, source, startedAtMs: now, endsAtMs: now + this.timings.lookInMaxMs });
      this.#repo.appendAccessLog({
        householdId, actorId: actor.sub, actorRole: actor.role, action: 'look-in', outcome: 'granted',
        reason: null, lookInId: id, atMs: now,
      });
    });
    const lookIn = this.#repo.getLookIn(id)!;
    this.#log.info({ householdId, by: actor.sub, lookInId: id }, 'look-in → home');
    this.events.emit('lookin:started', { to: this.#deviceKeys(householdId), lookIn, viewerName: actor.name });
    const token = this.#tokens.issue({
      sub: actor.sub, name: actor.name, role: actor.role,
      // View only: the family member's own camera and microphone stay out of the home.
      grant: { rooms: [lookIn.roomId], canPublish: false, canSubscribe: true, sources: [] },
      attributes: { householdId }, ttlSeconds: Math.ceil(this.timings.lookInMaxMs / 1000) + 60,
    });
    return { lookIn, roomId: lookIn.roomId, token };
  }

  endLookIn(actor: Actor, lookInId: string): LookIn {
    const lookIn = this.#repo.getLookIn(lookInId);
    if (!lookIn) throw notFound('no such look-in');
    if (actor.role === 'home-device') {
      if (this.#requireDevice(actor).device.householdId !== lookIn.householdId) throw forbidden('not this device’s household');
    } else if (actor.sub !== lookIn.memberId && actor.role !== 'admin') {
      throw forbidden('only the viewer or the home ends a look-in');
    }
    this.#endLookIn(lookIn, 'viewer-left');
    return this.#repo.getLookIn(lookInId)!;
  }

  listAccessLog(actor: Actor, householdId: string, limit = 100): AccessLogEntry[] {
    if (actor.role !== 'home-device') this.#requireFamilyLevel(actor, householdId, 'manage');
    else if (this.#requireDevice(actor).device.householdId !== householdId) throw forbidden('not this device’s household');
    return this.#repo.listAccessLog(householdId, Math.min(Math.max(limit, 1), 500));
  }

  #endLookIns(householdId: string, reason: 'privacy'): void {
    for (const l of this.#repo.listOpenLookIns(householdId)) this.#endLookIn(l, reason);
  }

  #endLookIn(lookIn: LookIn, reason: LookInEndReason): void {
    if (!this.#repo.endLookIn(lookIn.id, reason, this.#clock.now())) return;
    this.#log.info({ lookInId: lookIn.id, reason }, 'look-in ended');
    this.events.emit('lookin:ended', {
      to: [...this.#deviceKeys(lookIn.householdId), subjectKey('family', lookIn.memberId)],
      lookIn: this.#repo.getLookIn(lookIn.id)!,
      reason,
    });
  }

  // ---- devices -------------------------------------------------------------------------------

  /** A device's heartbeat; answers with what the kiosk needs to (re)draw itself after a reconnect. */
  heartbeat(actor: Actor): DeviceState {
    const rec = this.#requireDevice(actor);
    const now = this.#clock.now();
    this.#repo.touchDevice(rec.device.id, now);
    const open = this.#repo.getOpenAlert(rec.device.id);
    if (open) {
      this.#repo.resolveAlert(open.id, now);
      this.#log.info({ deviceId: rec.device.id, alertId: open.id }, 'device back online');
      this.events.emit('alert:resolved', { to: this.#counsellorKeys(rec.device.householdId), alert: this.#repo.getAlert(open.id)! });
    }
    return this.deviceState(actor);
  }

  /**
   * A room token for the device: to join an auto-answered call, or to publish into a look-in.
   * The camera is in the grant only while privacy is off (and never for audio-only calls).
   */
  deviceRoomToken(actor: Actor, roomId: string): RoomTicket {
    this.#requireDevice(actor);
    this.authorizeJoin(actor, roomId);
    const { householdId, kind, id } = householdRoom(roomId);
    if (kind === 'call') return { roomId, token: this.#callToken(actor, this.#assertCall(id)) };
    const cameraAllowed = this.mediaPolicy(householdId).cameraAllowed;
    const token = this.#tokens.issue({
      sub: actor.sub, name: actor.name, role: actor.role,
      grant: { rooms: [roomId], canPublish: true, canSubscribe: false, sources: cameraAllowed ? ['camera', 'microphone'] : ['microphone'] },
      attributes: { householdId }, ttlSeconds: Math.ceil(this.timings.lookInMaxMs / 1000) + 60,
    });
    return { roomId, token };
  }

  deviceState(actor: Actor): DeviceState {
    const rec = this.#requireDevice(actor);
    const h = this.#assertHousehold(rec.device.householdId);
    return {
      device: this.#deviceView(this.#assertDevice(rec.device.id)),
      household: { id: h.id, name: h.name, settings: h.settings },
      privacy: this.privacyState(h),
      openCalls: this.#repo.listOpenCalls(h.id),
      openLookIns: this.#repo.listOpenLookIns(h.id),
      notices: this.#repo.listNoticesFor(h, this.#clock.now(), 20),
    };
  }

  // ---- counsellors: notices, check-ins, alerts -----------------------------------------------

  /** To one assigned household, or to every household in a region the counsellor covers. */
  sendNotice(actor: Actor, n: SendNotice): { notice: Notice; householdIds: string[] } {
    if (actor.role !== 'counsellor' && actor.role !== 'admin') throw forbidden('only counsellors send notices');
    let households: Household[];
    if ('householdId' in n) {
      if (actor.role === 'counsellor') this.#requireCounsellor(actor, n.householdId);
      households = [this.#assertHousehold(n.householdId)];
    } else {
      if (actor.role === 'counsellor') {
        const c = this.#assertCounsellor(actor.sub);
        if (!c.regions.some((r) => n.region.startsWith(r))) throw forbidden(`region ${n.region} is outside your area`);
      }
      households = this.#repo.listHouseholdsInRegion(n.region);
    }
    const now = this.#clock.now();
    const id = `notice-${randomUUID()}`;
    const notice: Notice = {
      id, senderId: actor.sub, senderName: actor.name,
      householdId: 'householdId' in n ? n.householdId : null, region: 'region' in n ? n.region : null,
      title: n.title, body: n.body, createdAt: new Date(now).toISOString(),
      expiresAt: n.expiresAt ? new Date(n.expiresAt).toISOString() : null,
    };
    const { createdAt: _c, expiresAt, ...stored } = notice;
    this.#repo.insertNotice({ ...stored, createdAtMs: now, expiresAtMs: expiresAt ? Date.parse(expiresAt) : null });
    const householdIds = households.map((h) => h.id);
    this.events.emit('notice', { to: householdIds.flatMap((hid) => this.#deviceKeys(hid)), notice, householdIds });
    return { notice, householdIds };
  }

  listNotices(actor: Actor, householdId: string): Notice[] {
    this.#requireViewer(actor, householdId);
    return this.#repo.listNoticesFor(this.#assertHousehold(householdId), this.#clock.now(), 50);
  }

  scheduleCheckIn(actor: Actor, householdId: string, { counsellorId, ...c }: NewCheckIn): CheckInSchedule {
    this.#requireCounsellor(actor, householdId);
    let caller = actor.sub;
    if (actor.role === 'admin') {
      // An administrator plans for a counsellor; the schedule must name one who serves this home.
      if (!counsellorId) throw badRequest('counsellorId: required when an administrator schedules a check-in', ['counsellorId: required']);
      if (!this.#repo.isAssigned(householdId, counsellorId)) {
        throw badRequest(`counsellorId: ${counsellorId} is not assigned to this household`, ['counsellorId: not assigned to this household']);
      }
      caller = counsellorId;
    } else if (counsellorId !== undefined && counsellorId !== actor.sub) {
      throw forbidden('a counsellor schedules only their own check-ins');
    }
    const id = `checkin-${randomUUID()}`;
    this.#repo.insertCheckIn({ id, householdId, counsellorId: caller, ...c, createdAtMs: this.#clock.now() });
    return this.#checkInsOf(caller).find((s) => s.id === id)!;
  }

  listCheckIns(actor: Actor): CheckInSchedule[] {
    if (actor.role !== 'counsellor') throw forbidden('only counsellors have check-in schedules');
    return this.#checkInsOf(actor.sub);
  }

  #checkInsOf(counsellorId: string): CheckInSchedule[] {
    const now = this.#clock.now();
    return this.#repo
      .listCheckIns(counsellorId)
      .map((r) => ({ ...r.schedule, nextAt: new Date(nextOccurrence(r.schedule.days, r.schedule.time, now)).toISOString() }))
      .sort((a, b) => a.nextAt.localeCompare(b.nextAt));
  }

  listAlerts(actor: Actor, includeResolved = false): DeviceAlert[] {
    const ids =
      actor.role === 'counsellor'
        ? this.#repo.listAssignedHouseholdIds(actor.sub)
        : actor.role === 'admin'
          ? this.#repo.listHouseholds().map((h) => h.id)
          : undefined;
    if (!ids) throw forbidden('only counsellors see device alerts');
    return this.#repo.listAlertsForHouseholds(ids, includeResolved, 200);
  }

  acknowledgeAlert(actor: Actor, alertId: string): DeviceAlert {
    const alert = this.#repo.getAlert(alertId);
    if (!alert) throw notFound('no such alert');
    this.#requireCounsellor(actor, alert.householdId);
    this.#repo.acknowledgeAlert(alertId, actor.sub, this.#clock.now());
    return this.#repo.getAlert(alertId)!;
  }

  // ---- the periodic checker ------------------------------------------------------------------

  /**
   * One pass of everything time-driven: ring timeouts, look-in limits, privacy windows opening or
   * closing, device offline alerts, check-ins falling due. Deterministic under an injected clock.
   */
  tick(): void {
    const now = this.#clock.now();
    for (const call of this.#repo.listRingingDue(now)) {
      if (this.#repo.transitionCall(call.id, ['ringing'], 'missed', now)) this.#finishCall(call.householdId, call.id, 'missed');
    }
    for (const l of this.#repo.listLookInsPastLimit(now)) this.#endLookIn(l, 'time-limit');
    for (const h of this.#repo.listHouseholds()) this.#announcePrivacy(h);
    this.#raiseOfflineAlerts(now);
    this.#announceDueCheckIns(now);
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
        .then((lead) => {
          if (lead) this.tick();
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

  #raiseOfflineAlerts(now: number): void {
    for (const rec of this.#repo.listDevices()) {
      const silentSince = rec.lastSeenAtMs ?? rec.boundAtMs;
      if (now - silentSince < this.timings.offlineAlertAfterMs) continue;
      if (this.#repo.getOpenAlert(rec.device.id)) continue;
      const id = `alert-${randomUUID()}`;
      this.#repo.insertAlert({ id, deviceId: rec.device.id, householdId: rec.device.householdId, lastSeenAtMs: rec.lastSeenAtMs, raisedAtMs: now });
      const counsellors = this.#counsellorKeys(rec.device.householdId);
      this.#log.warn({ deviceId: rec.device.id, householdId: rec.device.householdId, silentMs: now - silentSince }, 'device offline alert');
      this.events.emit('alert:raised', { to: counsellors, alert: this.#repo.getAlert(id)! });
    }
  }

  #announceDueCheckIns(now: number): void {
    for (const r of this.#repo.listCheckIns()) {
      const due = previousOccurrence(r.schedule.days, r.schedule.time, now);
      // Only occurrences after the schedule was made and not yet announced; a long outage
      // announces the latest missed one once, not a backlog.
      if (due === null || due < r.createdAtMs || (r.lastDueAtMs !== null && due <= r.lastDueAtMs)) continue;
      this.#repo.setCheckInLastDue(r.schedule.id, due);
      const schedule = { ...r.schedule, nextAt: new Date(nextOccurrence(r.schedule.days, r.schedule.time, now)).toISOString() };
      this.events.emit('checkin:due', { to: [subjectKey('counsellor', r.schedule.counsellorId)], schedule, dueAt: new Date(due).toISOString() });
    }
  }

  #announcePrivacy(h: Household): void {
    const state = this.privacyState(h);
    const before = this.#privacyAnnounced.get(h.id) ?? false;
    this.#privacyAnnounced.set(h.id, state.active);
    if (state.active) this.#endLookIns(h.id, 'privacy');
    if (before === state.active) return;
    this.#log.info({ householdId: h.id, ...state }, 'privacy state changed');
    this.events.emit('privacy:changed', { to: this.#audience(h.id), householdId: h.id, privacy: state });
  }

  // ---- authorization -------------------------------------------------------------------------

  #requireAdmin(actor: Actor): void {
    if (actor.role !== 'admin') throw forbidden('administrators only');
  }

  /** A device token is valid only while it is the device's current token for the same household. */
  #requireDevice(actor: Actor): DeviceRecord {
    if (actor.role !== 'home-device') throw forbidden('home devices only');
    const rec = this.#repo.getDevice(actor.sub);
    if (!rec || rec.device.householdId !== actor.attributes.householdId || rec.tokenJti !== actor.jti) {
      throw new AppError('unauthorized', 'this device token has been replaced or revoked');
    }
    return rec;
  }

  #requireFamilyLevel(actor: Actor, householdId: string, level: PermissionLevel, opts: { adminAllowed?: boolean } = {}): PermissionLevel {
    if (actor.role === 'admin' && opts.adminAllowed !== false) {
      this.#assertHousehold(householdId);
      return 'manage';
    }
    if (actor.role !== 'family') throw forbidden('family members only');
    const link = this.#repo.getFamilyLink(householdId, actor.sub);
    if (!link) throw forbidden('you are not a family member of this household');
    if (!permits(link.permission, level)) throw forbidden(`your permission here is "${link.permission}"; this needs "${level}"`);
    return link.permission;
  }

  #requireCounsellor(actor: Actor, householdId: string): void {
    if (actor.role === 'admin') return;
    if (actor.role !== 'counsellor') throw forbidden('counsellors only');
    if (!this.#repo.isAssigned(householdId, actor.sub)) throw forbidden('this household is not assigned to you');
  }

  /** Anyone with a legitimate view of the household; returns the family level when there is one. */
  #requireViewer(actor: Actor, householdId: string): PermissionLevel | undefined {
    switch (actor.role) {
      case 'family':
        return this.#requireFamilyLevel(actor, householdId, 'call');
      case 'counsellor':
        this.#requireCounsellor(actor, householdId);
        return undefined;
      case 'home-device':
        if (this.#requireDevice(actor).device.householdId !== householdId) throw forbidden('not this device’s household');
        return undefined;
      case 'admin':
        this.#assertHousehold(householdId);
        return undefined;
      default:
        throw forbidden('no access to households');
    }
  }

  // ---- lookups ---------------------------------------------------------------------------------

  #assertHousehold(id: string): Household {
    const h = this.#repo.getHousehold(id);
    if (!h) throw notFound(`household ${id} not found`);
    return h;
  }

  #assertDevice(id: string): DeviceRecord {
    const d = this.#repo.getDevice(id);
    if (!d) throw notFound(`device ${id} not found`);
    return d;
  }

  #assertCall(id: string): Call {
    const c = this.#repo.getCall(id);
    if (!c) throw notFound(`call ${id} not found`);
    return c;
  }

  #assertCounsellor(id: string): Counsellor {
    const c = this.#repo.getCounsellor(id);
    if (!c) throw forbidden('unknown counsellor');
    return c;
  }

  #deviceView(rec: DeviceRecord): Device {
    const online = rec.lastSeenAtMs !== null && this.#clock.now() - rec.lastSeenAtMs <= this.timings.onlineWindowMs;
    return { ...rec.device, online };
  }

  #devices(householdId: string): Device[] {
    return this.#repo.listDevices(householdId).map((r) => this.#deviceView(r));
  }

  #deviceKeys(householdId: string): SubjectKey[] {
    return this.#repo.listDevices(householdId).map((r) => subjectKey('home-device', r.device.id));
  }

  #counsellorKeys(householdId: string): SubjectKey[] {
    return this.#repo.listCounsellorIds(householdId).map((id) => subjectKey('counsellor', id));
  }

  /** Devices and family of a household: who must redraw when its settings or privacy change. */
  #audience(householdId: string): SubjectKey[] {
    return [...this.#deviceKeys(householdId), ...this.#repo.listFamily(householdId).map((m) => subjectKey('family', m.id))];
  }

  #view(householdId: string, myPermission?: PermissionLevel): HouseholdView {
    const household = this.#assertHousehold(householdId);
    return {
      household,
      privacy: this.privacyState(household),
      devices: this.#devices(householdId),
      cameras: this.#repo.listCameras(householdId),
      family: this.#repo.listFamily(householdId).map(({ phone: _phone, ...m }) => m),
      counsellorIds: this.#repo.listCounsellorIds(householdId),
      ...(myPermission ? { myPermission } : {}),
    };
  }
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
