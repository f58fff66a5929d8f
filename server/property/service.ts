// 红色物业: compounds with their camera channels, and "物业呼叫、各方齐到" — a matter raised by a
// resident or by the property office opens one joint video session into which the property office,
// the community (社区/居委会, its 网格员) and, when needed, a department (派出所 …) are invited, with
// the compound cameras that look at the place pulled in as participants. Every method takes the
// verified token claims and decides per compound and per matter; the seats and tokens are the
// petition session's (server/auth/session-seats.ts), the recording and the camera pull are the
// app's (server/app/session-recording.ts, compound-cameras.ts).
import { randomUUID } from 'node:crypto';
import type { TokenIssuer } from '../auth/grants.ts';
import type { Claims } from '../auth/grants.ts';
import type { DomainPermission } from '../auth/room-access.ts';
import { issueSessionToken, PARTY_SEAT, SUPERVISOR_WATCH, VIEW_ONLY, type SessionTicket } from '../auth/session-seats.ts';
import type { CameraAddressCheck } from '../core/camera-address.ts';
import { AppError, notFound } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { SafeEmitter } from '../core/safe-emitter.ts';
import { subjectKey, type SubjectKey } from '../protocol/live.ts';
import { propertyCameraViewRoomId } from '../protocol/room-id.ts';
import type { Department } from '../protocol/http/petition-shapes.ts';
import type {
  Compound,
  CompoundCamera,
  CompoundResident,
  InviteParty,
  Matter,
  MatterEvent,
  MatterState,
  NewCompoundCamera,
  PartyKind,
  RaiseMatter,
} from '../protocol/http/property-shapes.ts';
import type { PropertyRepository } from './repository.ts';

/** What the service needs to know from the other directories (petition offices, village contacts). */
export interface PropertyDirectory {
  /** The offices of these division codes (a compound's county and township), most local first. */
  departmentsOf(regions: string[]): Promise<Department[]>;
  department(id: string): Promise<Department | undefined>;
  /** A 网格员's division (the village contact directory); undefined for someone not in it. */
  gridWorkerRegion(sub: string): Promise<string | undefined>;
  /** The 网格员 whose division contains `region`. */
  gridWorkersFor(region: string): Promise<string[]>;
}

export interface PropertyEvents {
  /** A matter changed: its parties' pages redraw. `to`: user keys; `departments`: offices rung. */
  'matter:changed': [{ matter: Matter; to: SubjectKey[]; departments: string[]; invited?: PartyKind }];
  /** A camera was added to an open session: the node hosting the room pulls it in. */
  'camera:added': [{ matterId: string; roomId: string; cameraId: string }];
  /** A camera was retired: every node takes it out of the rooms that show it. */
  'camera:retired': [{ compoundId: string; cameraId: string }];
  /** The session ended (民决): the room closes on whichever node hosts it, the recording is sealed. */
  'session:ended': [{ matterId: string; roomId: string }];
}

export interface PropertyServiceOptions {
  repository: PropertyRepository;
  tokens: TokenIssuer;
  directory: PropertyDirectory;
  cameraAddresses: CameraAddressCheck;
  log: Logger;
  now?: () => number;
  /** How long a camera view stays open (default 15 min): a glance, not a watch. */
  viewMaxMs?: number;
  roomTokenTtlSeconds?: number;
}

type Actor = Pick<Claims, 'sub' | 'name' | 'role' | 'attributes'>;

/** Whose seat an actor holds in a matter. */
type Party = { kind: PartyKind; ref: string; roomAdmin: boolean; principal: boolean } | { kind: 'supervisor' };

const OPEN: readonly MatterState[] = ['raised', 'discussing'];

export class PropertyService {
  readonly events = new SafeEmitter<PropertyEvents>();
  readonly #repo: PropertyRepository;
  readonly #tokens: TokenIssuer;
  readonly #dir: PropertyDirectory;
  readonly #cameraAddresses: CameraAddressCheck;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #viewMaxMs: number;
  readonly #ttl: number;

  constructor(o: PropertyServiceOptions) {
    this.#repo = o.repository;
    this.#tokens = o.tokens;
    this.#dir = o.directory;
    this.#cameraAddresses = o.cameraAddresses;
    this.#log = o.log;
    this.#now = o.now ?? Date.now;
    this.#viewMaxMs = o.viewMaxMs ?? 15 * 60_000;
    this.#ttl = o.roomTokenTtlSeconds ?? 4 * 3600;
  }

  // ---- compounds and cameras --------------------------------------------------------------------

  async listCompounds(actor: Actor): Promise<Compound[]> {
    const all = await this.#repo.listCompounds();
    if (actor.role === 'admin') return all;
    const out: Compound[] = [];
    for (const c of all) if (await this.#belongs(actor, c)) out.push(c);
    return out;
  }

  async listCameras(actor: Actor, compoundId: string): Promise<CompoundCamera[]> {
    await this.#requireWatcher(actor, await this.#assertCompound(compoundId));
    return this.#repo.listCameras(compoundId);
  }

  async addCamera(actor: Actor, compoundId: string, c: NewCompoundCamera): Promise<CompoundCamera> {
    const compound = await this.#assertCompound(compoundId);
    if (actor.role !== 'admin') await this.#requireStaff(actor, compound);
    await this.#cameraAddresses.vet(c.url);
    const camera = { id: `cc-${randomUUID().slice(0, 8)}`, compoundId, name: c.name, location: c.location };
    await this.#repo.insertCamera({ ...camera, url: c.url });
    return camera;
  }

  /** Removes a camera channel that no matter or view has used (one with history stays, as evidence of who saw what). */
  async removeCamera(actor: Actor, compoundId: string, cameraId: string): Promise<void> {
    const compound = await this.#assertCompound(compoundId);
    if (actor.role !== 'admin') await this.#requireStaff(actor, compound);
    const r = await this.#repo.deleteUnusedCamera(compoundId, cameraId);
    if (r === 'missing') notFoundOf(`camera of ${compound.name}`, cameraId);
    if (r === 'in-use') throw new AppError('conflict', 'this camera was used in a matter or watched; its record stays: retire it instead', { reason: 'camera_has_history' });
  }

  /**
   * Retires a camera that has history (a matter showed it, someone watched it): it stays, so the
   * record of who saw what still names it, but it leaves the lists and can no longer be watched,
   * added to a matter or pulled into a session room. Retiring twice is not an error.
   */
  async retireCamera(actor: Actor, compoundId: string, cameraId: string): Promise<void> {
    const compound = await this.#assertCompound(compoundId);
    if (actor.role !== 'admin') await this.#requireStaff(actor, compound);
    if ((await this.#repo.retireCamera(compoundId, cameraId, this.#now())) === 'missing') notFoundOf(`camera of ${compound.name}`, cameraId);
    this.#log.info({ compoundId, cameraId, by: actor.sub }, 'compound camera retired');
    this.events.emit('camera:retired', { compoundId, cameraId });
  }

  /** Whom the property office can raise a matter for (the hotline): its compound's residents. */
  async residents(actor: Actor, compoundId: string): Promise<CompoundResident[]> {
    await this.#requireStaff(actor, await this.#assertCompound(compoundId));
    return (await this.#repo.listPeople('resident', compoundId)).map(({ id, name, unit }) => ({ id, name, unit }));
  }

  /** The offices a matter of this compound can invite: its township's and county's, most local first. */
  async departments(actor: Actor, compoundId: string): Promise<Department[]> {
    const compound = await this.#assertCompound(compoundId);
    if (actor.role !== 'admin') await this.#requireWatcher(actor, compound);
    return this.#dir.departmentsOf(regionsOf(compound.region));
  }

  /** A view-only room the server pulls the camera into; who watched when is kept. */
  async viewCamera(actor: Actor, cameraId: string): Promise<SessionTicket> {
    const camera = (await this.#repo.getCamera(cameraId)) ?? notFoundOf('camera', cameraId);
    await this.#requireWatcher(actor, await this.#assertCompound(camera.compoundId));
    if (camera.retired) throw cameraRetired(cameraId);
    const at = this.#now();
    const id = `v${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    await this.#repo.insertView({ id, cameraId, compoundId: camera.compoundId, viewerId: actor.sub, viewerRole: actor.role, viewerName: actor.name, startedAtMs: at, endsAtMs: at + this.#viewMaxMs });
    const roomId = propertyCameraViewRoomId(camera.compoundId, id);
    const token = this.#tokens.issue({
      use: 'room', sub: actor.sub, name: actor.name, role: actor.role,
      grant: { rooms: [roomId], canPublish: false, canSubscribe: true, sources: [] },
      ttlSeconds: Math.ceil(this.#viewMaxMs / 1000),
    });
    return { roomId, token };
  }

  // ---- matters ----------------------------------------------------------------------------------

  /** 民提: the matter, its session room, the property office and the resident as parties, the cameras. */
  async raise(actor: Actor, input: RaiseMatter): Promise<{ matter: Matter } & SessionTicket> {
    const compound = await this.#assertCompound(input.compoundId);
    let residentId: string;
    if (actor.role === 'resident') {
      const me = await this.#repo.getPerson(actor.sub);
      if (!me || me.kind !== 'resident' || me.compoundId !== compound.id) throw notAParty(`not a resident of ${compound.name}`);
      residentId = me.id;
    } else {
      await this.#requireStaff(actor, compound);
      if (!input.residentId) throw new AppError('bad_request', 'residentId: whom the property office raises the matter for', { field: 'residentId' });
      const r = await this.#repo.getPerson(input.residentId);
      if (!r || r.kind !== 'resident' || r.compoundId !== compound.id) throw notFound(`no resident ${input.residentId} in ${compound.name}`);
      residentId = r.id;
    }
    const cameras = await this.#repo.listCameras(compound.id);
    const chosen = input.cameraIds
      ? input.cameraIds.map((id) => cameras.find((c) => c.id === id) ?? notFoundOf(`camera of ${compound.name}`, id))
      : cameras.filter((c) => c.location.includes(input.location) || input.location.includes(c.location));
    const at = this.#now();
    const id = `PM${new Date(at).toISOString().slice(0, 10).replace(/-/g, '')}-${randomUUID().slice(0, 6)}`;
    const resident = (await this.#repo.getPerson(residentId))!;
    await this.#repo.transaction(async (tx) => {
      await tx.insertMatter({ id, compoundId: compound.id, category: input.category, location: input.location, description: input.description, residentId, raisedBy: { id: actor.sub, name: actor.name, role: actor.role }, atMs: at });
      await tx.addParty(id, { kind: 'property', ref: compound.id, name: compound.propertyCompany, invitedBy: null }, at);
      await tx.addParty(id, { kind: 'resident', ref: residentId, name: resident.name, invitedBy: null }, at);
      for (const c of chosen) await tx.addMatterCamera(id, c.id, at);
      await tx.appendEvent({ matterId: id, type: 'raised', actorId: actor.sub, actorName: actor.name, atMs: at, data: { category: input.category, location: input.location, cameras: chosen.map((c) => c.id) } });
    });
    this.#log.info({ matterId: id, compoundId: compound.id, by: actor.sub, cameras: chosen.length }, 'matter -> raised');
    // Whoever raised it is in the session from the start (the office on the hotline, or the resident).
    const raisedBy = await this.#assertMatter(id);
    const party = await this.#partyOf(actor, raisedBy);
    if (party.kind !== 'supervisor') await this.#recordJoin(actor, raisedBy, party);
    const matter = await this.#assertMatter(id);
    await this.#announce(matter);
    return { matter, ...(await this.#ticket(actor, matter)) };
  }

  async listMatters(actor: Actor): Promise<Matter[]> {
    switch (actor.role) {
      case 'property': {
        const me = await this.#repo.getPerson(actor.sub);
        return me?.kind === 'property' ? this.#repo.listMatters({ compoundIds: [me.compoundId] }) : [];
      }
      case 'resident':
        return this.#repo.listMatters({ parties: [{ kind: 'resident', ref: actor.sub }] });
      case 'official':
        return actor.attributes.department ? this.#repo.listMatters({ parties: [{ kind: 'department', ref: actor.attributes.department }] }) : [];
      case 'grid-worker': {
        const compounds = await this.listCompounds(actor);
        return this.#repo.listMatters({ parties: compounds.map((c) => ({ kind: 'community' as const, ref: c.id })) });
      }
      default:
        return [];
    }
  }

  async getMatter(actor: Actor, matterId: string): Promise<{ matter: Matter; events: MatterEvent[] }> {
    const matter = await this.#assertMatter(matterId);
    await this.#partyOf(actor, matter);
    return { matter, events: await this.#repo.events(matterId) };
  }

  /** 各方齐到: the community or a department is invited; their pages ring. Any party already in may invite. */
  async invite(actor: Actor, matterId: string, target: InviteParty): Promise<Matter> {
    const matter = await this.#assertMatter(matterId);
    await this.#partyOf(actor, matter);
    assertOpen(matter, 'invite');
    const compound = await this.#assertCompound(matter.compoundId);
    let party: { kind: PartyKind; ref: string; name: string };
    if (target.party === 'community') {
      party = { kind: 'community', ref: compound.id, name: compound.community };
    } else {
      const dept = await this.#dir.department(target.departmentId);
      if (!dept) throw new AppError('not_found', `no department ${target.departmentId}`, { reason: 'unknown_department' });
      party = { kind: 'department', ref: dept.id, name: dept.name };
    }
    if (matter.parties.some((p) => p.kind === party.kind && p.ref === party.ref)) {
      throw new AppError('conflict', `${party.name} has already been invited`, { reason: 'duplicate_invite' });
    }
    const at = this.#now();
    await this.#repo.transaction(async (tx) => {
      await tx.addParty(matter.id, { ...party, invitedBy: actor.sub }, at);
      await tx.appendEvent({ matterId: matter.id, type: 'invited', actorId: actor.sub, actorName: actor.name, atMs: at, data: { party: party.kind, ref: party.ref, name: party.name } });
    });
    const updated = await this.#assertMatter(matter.id);
    await this.#announce(updated, party.kind);
    return updated;
  }

  /** A party joins the session: a token for its room; the first of each party is on the record. */
  async join(actor: Actor, matterId: string): Promise<{ matter: Matter } & SessionTicket> {
    const matter = await this.#assertMatter(matterId);
    const party = await this.#partyOf(actor, matter);
    if (!matter.sessionOpen) throw new AppError('gone', `the session of matter ${matter.id} has ended`, { reason: 'session_ended' });
    if (party.kind !== 'supervisor') await this.#recordJoin(actor, matter, party);
    const updated = await this.#assertMatter(matter.id);
    return { matter: updated, ...(await this.#ticket(actor, updated)) };
  }

  async addMatterCamera(actor: Actor, matterId: string, cameraId: string): Promise<Matter> {
    const matter = await this.#assertMatter(matterId);
    const party = await this.#partyOf(actor, matter);
    if (party.kind !== 'property' && party.kind !== 'community') throw notAParty('only the property office and the community add cameras');
    assertOpen(matter, 'add a camera');
    const camera = await this.#repo.getCamera(cameraId);
    if (!camera || camera.compoundId !== matter.compoundId) throw notFound(`no camera ${cameraId} in this compound`);
    if (camera.retired) throw cameraRetired(cameraId);
    const at = this.#now();
    if (await this.#repo.addMatterCamera(matter.id, camera.id, at)) {
      await this.#repo.appendEvent({ matterId: matter.id, type: 'camera-added', actorId: actor.sub, actorName: actor.name, atMs: at, data: { cameraId, name: camera.name } });
      this.events.emit('camera:added', { matterId: matter.id, roomId: matter.roomId, cameraId });
    }
    const updated = await this.#assertMatter(matter.id);
    await this.#announce(updated);
    return updated;
  }

  /** 民决: what the parties decided; the session ends and its recording is sealed. */
  async decide(actor: Actor, matterId: string, decision: string): Promise<Matter> {
    const matter = await this.#assertMatter(matterId);
    const party = await this.#partyOf(actor, matter);
    if (party.kind !== 'property') throw notAParty('the property office records the decision');
    assertOpen(matter, 'decide');
    await this.#transition(matter.id, OPEN, { state: 'decided', sessionOpen: false, decision }, actor, 'decided', { chars: decision.length });
    this.events.emit('session:ended', { matterId: matter.id, roomId: matter.roomId });
    const updated = await this.#assertMatter(matter.id);
    await this.#announce(updated);
    return updated;
  }

  /** 民评: only the resident the matter is about, once it is decided. */
  async rate(actor: Actor, matterId: string, rating: { score: number; comment: string }): Promise<Matter> {
    const matter = await this.#assertMatter(matterId);
    if (actor.role !== 'resident' || actor.sub !== matter.residentId) throw new AppError('forbidden', 'only the resident this matter is about rates it', { reason: 'not_the_resident' });
    await this.#transition(matter.id, ['decided'], { state: 'rated', rating }, actor, 'rated', { score: rating.score });
    const updated = await this.#assertMatter(matter.id);
    await this.#announce(updated);
    return updated;
  }

  // ---- rooms (asked at every join, on every node) -------------------------------------------------

  /** Who may be in a matter's session room now: its parties while it is open; a coordinator hidden. */
  async matterRoomPermission(actor: Actor, matterId: string): Promise<DomainPermission> {
    const matter = await this.#assertMatter(matterId);
    if (!matter.sessionOpen) throw new AppError('gone', `the session of matter ${matter.id} has ended`, { reason: 'session_ended' });
    const party = await this.#partyOf(actor, matter);
    if (party.kind === 'supervisor') return SUPERVISOR_WATCH;
    return { ...PARTY_SEAT, roomAdmin: party.roomAdmin, principal: party.principal };
  }

  async viewRoomPermission(actor: Actor, compoundId: string, viewId: string): Promise<DomainPermission> {
    const view = await this.#repo.getView(viewId);
    if (!view || view.compoundId !== compoundId || view.viewerId !== actor.sub) throw new AppError('forbidden', 'not your camera view', { reason: 'not_a_party' });
    if (this.#now() >= view.endsAtMs) throw new AppError('gone', 'this camera view has ended', { reason: 'time-limit' });
    if ((await this.#repo.getCamera(view.cameraId))?.retired !== false) throw new AppError('gone', 'this camera was retired', { reason: 'camera_retired' });
    await this.#requireWatcher(actor, await this.#assertCompound(compoundId));
    return VIEW_ONLY;
  }

  /** The cameras a room shows, with their URLs (server-side only): a matter's, or a view's one camera. */
  async camerasForRoom(room: { matterId: string } | { viewId: string }): Promise<{ id: string; name: string; url: string; compoundId: string }[]> {
    const ids = 'matterId' in room ? ((await this.#repo.getMatter(room.matterId))?.cameraIds ?? []) : [(await this.#repo.getView(room.viewId))?.cameraId].filter((x): x is string => !!x);
    const out = [];
    for (const id of ids) {
      const c = await this.#repo.getCamera(id);
      // A retired camera is pulled into no room, not even a matter's that showed it before.
      if (c && !c.retired) out.push({ id: c.id, name: c.name, url: c.url, compoundId: c.compoundId });
    }
    return out;
  }

  /** Whether the session of a matter is open (what recording starts on), and what the archive learns. */
  async sessionInfo(matterId: string): Promise<{ open: boolean; region: string; departments: string[]; residentName: string } | undefined> {
    const m = await this.#repo.getMatter(matterId);
    if (!m) return undefined;
    const compound = await this.#repo.getCompound(m.compoundId);
    return { open: m.sessionOpen, region: compound?.region ?? '', departments: m.parties.filter((p) => p.kind === 'department').map((p) => p.ref), residentName: m.residentName };
  }

  // ---- internals --------------------------------------------------------------------------------

  async #ticket(actor: Actor, matter: Matter): Promise<SessionTicket> {
    const party = await this.#partyOf(actor, matter);
    return issueSessionToken(this.#tokens, matter.roomId, {
      id: actor.sub,
      name: actor.name,
      role: actor.role,
      supervisor: party.kind === 'supervisor',
      roomAdmin: party.kind !== 'supervisor' && party.roomAdmin,
      attributes: actor.attributes,
    }, this.#ttl);
  }

  async #recordJoin(actor: Actor, matter: Matter, party: Exclude<Party, { kind: 'supervisor' }>): Promise<void> {
    const at = this.#now();
    const first = await this.#repo.transaction(async (tx) => {
      await tx.lockMatter(matter.id);
      const fresh = await tx.markJoined(matter.id, party.kind, party.ref, { id: actor.sub, name: actor.name }, at);
      if (!fresh) return false;
      await tx.appendEvent({ matterId: matter.id, type: 'joined', actorId: actor.sub, actorName: actor.name, atMs: at, data: { party: party.kind, ref: party.ref } });
      // 民议: the matter is discussed once a second party is in the session.
      const m = (await tx.getMatter(matter.id))!;
      if (m.state === 'raised' && m.parties.filter((p) => p.joinedBy).length >= 2) {
        await tx.updateMatter(matter.id, { state: 'discussing' }, at);
        await tx.appendEvent({ matterId: matter.id, type: 'session-opened', actorId: actor.sub, actorName: actor.name, atMs: at, data: {} });
      }
      return true;
    });
    if (first) await this.#announce(await this.#assertMatter(matter.id));
  }

  async #transition(id: string, from: readonly MatterState[], patch: Parameters<PropertyRepository['updateMatter']>[1], actor: Actor, type: MatterEvent['type'], data: Record<string, unknown>): Promise<void> {
    const at = this.#now();
    await this.#repo.transaction(async (tx) => {
      await tx.lockMatter(id);
      const m = (await tx.getMatter(id))!;
      if (!from.includes(m.state)) throw new AppError('conflict', `matter ${id} is ${m.state}`, { reason: 'wrong_state', state: m.state });
      await tx.updateMatter(id, patch, at);
      await tx.appendEvent({ matterId: id, type, actorId: actor.sub, actorName: actor.name, atMs: at, data });
    });
  }

  /**
   * The actor's part in a matter: the compound's property office (lead, room admin), the resident
   * it is about, the invited community (its 网格员) or department (its officials), or a
   * coordinator supervising. A 网格员 or an official whose party was not invited is `not_invited`.
   */
  async #partyOf(actor: Actor, matter: Matter): Promise<Party> {
    const has = (kind: PartyKind, ref: string) => matter.parties.some((p) => p.kind === kind && p.ref === ref);
    switch (actor.role) {
      case 'property': {
        const me = await this.#repo.getPerson(actor.sub);
        if (me?.kind === 'property' && me.compoundId === matter.compoundId) return { kind: 'property', ref: matter.compoundId, roomAdmin: true, principal: true };
        break;
      }
      case 'resident':
        if (actor.sub === matter.residentId) return { kind: 'resident', ref: actor.sub, roomAdmin: false, principal: true };
        break;
      case 'grid-worker': {
        const compound = await this.#assertCompound(matter.compoundId);
        if (await this.#coversCompound(actor, compound)) {
          if (has('community', compound.id)) return { kind: 'community', ref: compound.id, roomAdmin: false, principal: false };
          throw new AppError('forbidden', `the community has not been invited to matter ${matter.id}`, { reason: 'not_invited' });
        }
        break;
      }
      case 'official': {
        const dept = actor.attributes.department;
        if (dept && has('department', dept)) return { kind: 'department', ref: dept, roomAdmin: false, principal: false };
        throw new AppError('forbidden', `your office has not been invited to matter ${matter.id}`, { reason: 'not_invited' });
      }
      case 'coordinator':
        return { kind: 'supervisor' };
      default:
        // Administrators included: under 三员分立 they set compounds up and are no party of a
        // matter — no reading it, no seat (not even a hidden one) in its session.
        break;
    }
    throw notAParty(`not a party of matter ${matter.id}`);
  }

  async #belongs(actor: Actor, c: Compound): Promise<boolean> {
    if (actor.role === 'property' || actor.role === 'resident') {
      const me = await this.#repo.getPerson(actor.sub);
      return me?.kind === actor.role && me.compoundId === c.id;
    }
    if (actor.role === 'grid-worker') return this.#coversCompound(actor, c);
    return false;
  }

  async #coversCompound(actor: Actor, c: Compound): Promise<boolean> {
    const region = await this.#dir.gridWorkerRegion(actor.sub);
    return !!region && c.region.startsWith(region);
  }

  async #requireStaff(actor: Actor, c: Compound): Promise<void> {
    const me = actor.role === 'property' ? await this.#repo.getPerson(actor.sub) : undefined;
    if (me?.kind !== 'property' || me.compoundId !== c.id) throw notAParty(`not the property office of ${c.name}`);
  }

  /** The compound's property office, or a 网格员 of its community. */
  async #requireWatcher(actor: Actor, c: Compound): Promise<void> {
    if (actor.role === 'admin') return;
    if ((actor.role === 'property' || actor.role === 'grid-worker') && (await this.#belongs(actor, c))) return;
    throw notAParty(`not the property office or community of ${c.name}`);
  }

  async #assertCompound(id: string): Promise<Compound> {
    return (await this.#repo.getCompound(id)) ?? notFoundOf('compound', id);
  }

  async #assertMatter(id: string): Promise<Matter> {
    return (await this.#repo.getMatter(id)) ?? notFoundOf('matter', id);
  }

  /** Every party's people see the change; a party just invited is rung (its office's room for a department). */
  async #announce(matter: Matter, invited?: PartyKind): Promise<void> {
    const compound = await this.#assertCompound(matter.compoundId);
    const to = new Set<SubjectKey>();
    for (const id of await this.#repo.staffOf(compound.id)) to.add(subjectKey('property', id));
    to.add(subjectKey('resident', matter.residentId));
    if (matter.parties.some((p) => p.kind === 'community')) for (const id of await this.#dir.gridWorkersFor(compound.region)) to.add(subjectKey('grid-worker', id));
    const departments = matter.parties.filter((p) => p.kind === 'department').map((p) => p.ref);
    this.events.emit('matter:changed', { matter, to: [...to], departments, ...(invited ? { invited } : {}) });
  }
}

/** A compound's division and its parents down to the county (341302101201 → 341302101201, 341302101, 341302). */
function regionsOf(region: string): string[] {
  const out: string[] = [];
  for (const len of [12, 9, 6]) if (region.length >= len) out.push(region.slice(0, len));
  return out;
}

function assertOpen(m: Matter, what: string): void {
  if (!m.sessionOpen || !OPEN.includes(m.state)) throw new AppError('conflict', `cannot ${what}: matter ${m.id} is ${m.state}`, { reason: 'wrong_state', state: m.state });
}

function notAParty(message: string): AppError {
  return new AppError('forbidden', message, { reason: 'not_a_party' });
}

function notFoundOf(what: string, id: string): never {
  throw notFound(`no ${what} ${id}`);
}

const cameraRetired = (cameraId: string) => new AppError('conflict', `camera ${cameraId} was retired`, { reason: 'camera_retired' });
