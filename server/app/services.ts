// The domain services of one node — 视频接访 (petition) and 平安心居 (household) — on the shared
// SQLite store and Redis, with their HTTP APIs, their live pushes, and their hooks into rooms.
import fs from 'node:fs';
import path from 'node:path';
import type { Express } from 'express';
import type { Redis } from 'ioredis';
import type { TokenIssuer } from '../auth/grants.ts';
import type { Revocations } from '../auth/revocations.ts';
import type { RoomAuthorizer } from '../auth/room-access.ts';
import type { SignInCodes } from '../auth/sign-in-codes.ts';
import type { CameraAddressCheck } from '../core/camera-address.ts';
import type { Logger } from '../core/log.ts';
import { Store, describeLocation, storeLocation } from '../core/db.ts';
import type { RedisKeys } from '../core/redis-keys.ts';
import { notFound } from '../core/errors.ts';
import type { DevicePlace } from '../protocol/http/household-shapes.ts';
import { SafeEmitter } from '../core/safe-emitter.ts';
import { petitionRoomId } from '../protocol/room-id.ts';
import { LiveChannel, liveRoom } from '../live/live-channel.ts';
import { subjectKey } from '../protocol/live.ts';
import type { RoomScope, SignallingServer } from './signalling/signalling.ts';
import type { RoomBans } from './signalling/room-bans.ts';
import { roomAuthorizer } from './room-authorizer.ts';
import { petitionMigrations } from '../petition/migrations.ts';
import { DbPetitionRepository } from '../petition/repository.ts';
import { buildDirectory } from '../petition/seed.ts';
import { PetitionService } from '../petition/service.ts';
import { createPetitionRouter } from '../petition/routes.ts';
import { actorFromClaims } from '../petition/access.ts';
import { serveWaitPushes } from '../petition/wait-pushes.ts';
import { DEFAULT_RULES_FILE, RoutingRuleBook, readRulesFile, type RoutingRules } from '../scheduler/routing-rules.ts';
import { DbRoutingRules } from '../petition/routing-rules-store.ts';
import {
  HouseholdRepository,
  HouseholdService,
  createHouseholdRouter,
  householdMigrations,
  seedHouseholdDemo,
  type Clock,
  type HouseholdTimings,
} from '../household/index.ts';
import { forwardHouseholdEvents } from '../household/events.ts';
import { watchCameraActivity } from './camera-activity.ts';
import { watchTerminalsOffline } from './terminal-alerts.ts';
import { PropertyRepository, PropertyService, createPropertyRouter, propertyMigrations, seedPropertyDemo } from '../property/index.ts';
import { propertyArea } from '../protocol/http/property.ts';
import { serveCompoundCameras } from './compound-cameras.ts';
import type { RoomRegistry } from '../../sfu/rooms.ts';
import { createDevRouter } from './http/dev.ts';
import { httpErrors, unknownEndpoint } from '../core/http/failure.ts';
import { archiveArea } from '../protocol/http/archive.ts';
import { householdArea } from '../protocol/http/household.ts';
import { petitionArea } from '../protocol/http/petition.ts';
import { type Archive, RECOVERY_QUIET_MS } from '../../recordings/archive.ts';
import { ARCHIVE_MIGRATIONS } from '../../recordings/catalog.ts';
import { mirrorIntoSystemTrail } from '../../recordings/audit-mirror.ts';
import { createArchiveRouter } from '../../recordings/http/router.ts';
import { openNodeArchive, type ArchiveNodeOptions, type Degradation } from '../../recordings/node-archive.ts';
import { recordSessions } from './session-recording.ts';
import type { PortRange } from '../../recordings/ports.ts';
import { LeaderLease } from '../routing/leader-lease.ts';
import { RedisSessionLeases } from '../routing/session-leases.ts';
import { serveCameraLookIns } from './camera-look-in.ts';
import { SystemAudit, systemActor } from '../core/system-audit.ts';
import { changeSetSchema } from '../protocol/http/admin-shapes.ts';
import { Identity, identityMigrations, type IdentityPolicy } from '../identity/index.ts';
import type { OidcSettings } from '../identity/oidc.ts';
import { createEnrolmentRouter } from '../identity/enrolment-router.ts';
import { enrolmentArea } from '../protocol/http/enrolment.ts';
import { adminArea } from '../protocol/http/admin.ts';
import { DirectoryAdmin } from '../admin/directory.ts';
import { createAdminRouter } from '../admin/router.ts';
import { createIdentityRouter } from '../identity/router.ts';
import { identityArea } from '../protocol/http/identity.ts';

/** The app acting for a system administrator whose role the admin area already checked. */
const SYSTEM_PETITION_ACTOR = { id: 'system', name: 'system', role: 'system' } as const;

/** How often every node looks for sessions left recording by a recorder that is gone. */
const RECOVERY_SWEEP_MS = 15_000;

export interface ServicesOptions {
  dataDir: string;
  /** RECORDINGS_DIR: the archive store (shared by the nodes of a cluster). */
  recordingsDir?: string;
  /** RECORDINGS_MIN_FREE_MB, in bytes. */
  recordingsMinFreeBytes?: number;
  /** DATABASE_URL: unset for SQLite in DATA_DIR/app.db (server/core/db.ts). */
  databaseUrl?: string;
  databasePoolSize?: number;
  nodeId: string;
  redis: Redis;
  tokens: TokenIssuer;
  log: Logger;
  io: SignallingServer;
  rooms: RoomRegistry;
  /** Load the demo directory (region tree, terminals, departments, households) when empty. */
  seedDemo: boolean;
  /** Mount the development area (`/dev/identities`, `/dev/sign-in`, `/dev/token`). */
  devSignIn: boolean;
  /** One-time sign-in codes (the dev sign-in hands them out). */
  codes: SignInCodes;
  /** Where household cameras may be (checked at registration and at every connection). */
  cameraAddresses: CameraAddressCheck;
  /** Every Redis key this node uses (server/core/redis-keys.ts). */
  keys: RedisKeys;
  /** Revoked tokens: the household's re-bound devices and removed links are published here. */
  revocations: Revocations;
  /** Who was removed from which room; a room's bans go when its session ends. */
  bans: RoomBans;
  /** Recording segment length (default 15 s; tests use short ones). */
  recordingSegmentSeconds?: number;
  /** UDP ports for the recorders' transports (RECORDER_RTP_PORT_MIN/MAX). */
  recorderPorts?: PortRange;
  /** Signing, TSA, composite, speech-to-text (recordings/node-archive.ts). */
  archive?: ArchiveNodeOptions;
  /** OFFLINE_ALERT_SECONDS: a home device or terminal silent this long raises an alert (default 60). */
  offlineAlertSeconds?: number;
  /** Clock and timings of the household service (tests drive time). */
  household?: { clock?: Clock; timings?: Partial<HouseholdTimings> };
  /** The pages' build this node serves (web-build.ts), announced on the live channel. */
  webBuild?: string | undefined;
  /** Test hooks: the petition service's clock (moved to pass a deadline without waiting), its sweep's interval (0: none). */
  petition?: { now?: () => Date; sweepIntervalMs?: number };
  /** Session lifetimes, lock-out and second-factor rules (from the configuration). */
  identity?: Partial<IdentityPolicy>;
  /** The city's OpenID Connect provider (single sign-on), when configured. */
  singleSignOn?: OidcSettings;
  /** PUBLIC_URL: where pairing QR codes and invitation links point (else the request's origin). */
  publicUrl?: string;
}

export interface Services {
  /** The node's durable store (SQLite or PostgreSQL). */
  store: Store;
  archive: Archive;
  petition: PetitionService;
  households: HouseholdService;
  property: PropertyService;
  live: LiveChannel;
  identity: Identity;
  /** The system-wide audit trail (table system_audit of the shared store: one chain per cluster). */
  audit: SystemAudit;
  /** What works but not as it should (for /healthz): a TSA that does not answer, … */
  degraded(): Degradation[];
  /** Seals every running recording (before the rooms go away on shutdown). */
  stopRecordings(): Promise<void>;
  /** Who may be in which room now, by the room's domain (room-authorizer.ts). */
  access: RoomAuthorizer;
  /** A domain change that may alter who may be in these rooms: signalling re-evaluates them. */
  accessChanges: SafeEmitter<{ changed: [RoomScope] }>;
  mount(app: Express): void;
  close(): Promise<void>;
}

/**
 * The rules a new store starts with: those a node of an earlier version kept in its DATA_DIR
 * (the coordinator's edits), else the defaults shipped in config/routing-rules.json.
 */
function firstRoutingRules(dataDir: string): RoutingRules {
  const kept = path.join(dataDir, 'routing-rules.json');
  return readRulesFile(fs.existsSync(kept) ? kept : DEFAULT_RULES_FILE);
}

export async function startServices(o: ServicesOptions): Promise<Services> {
  const { tokens, log } = o;
  const offlineAlertMs = (o.offlineAlertSeconds ?? 60) * 1000;
  const location = storeLocation(o.databaseUrl, o.dataDir);
  const store = await Store.open(location, { log: log.child({ mod: 'store' }), ...(o.databasePoolSize ? { poolSize: o.databasePoolSize } : {}) });
  // One migration run for every area (the archive's run with Archive.open, idempotently).
  const applied = await store.migrate([...petitionMigrations, ...householdMigrations, ...propertyMigrations, ...ARCHIVE_MIGRATIONS, ...identityMigrations]);
  log.info({ store: describeLocation(location), applied }, 'store open');

  const audit = new SystemAudit(store);
  const petitionRepo = new DbPetitionRepository(store);
  const directory = new DirectoryAdmin({ repo: petitionRepo, audit });
  // The demo directory (development only) goes through the administrator's import path.
  if (o.seedDemo && (await petitionRepo.listTerminals()).length === 0) {
    const report = await directory.apply(changeSetSchema.parse(buildDirectory()), { dryRun: false, actor: systemActor('demo-seed'), source: 'demo-seed' });
    if (!report.applied) throw new Error(`demo seed refused: ${JSON.stringify(report.problems.slice(0, 3))}`);
  }
  // The case file lists the recordings of the case's sessions from the archive's catalog.
  let archiveRef: Archive | undefined;
  const petition = await PetitionService.create({
    recordingsOf: async (caseId) => ((await archiveRef?.catalog.search({ caseNumber: caseId, includeDeleted: true })) ?? []).map((s) => s.sessionId),
    // Room tokens live TOKEN_TTL_SECONDS; the pages renew them on the open connection (refreshToken).
    roomTokenTtlSeconds: tokens.defaultTtlSeconds,
    ...(o.petition ?? {}),
    repo: petitionRepo,
    redis: o.redis,
    tokens,
    rules: await RoutingRuleBook.open(new DbRoutingRules(store), () => firstRoutingRules(o.dataDir)),
    log: log.child({ mod: 'petition' }),
    prefix: o.keys.scheduler.prefix,
  });

  const householdRepo = new HouseholdRepository(store);
  if (o.seedDemo) await seedHouseholdDemo(householdRepo, o.household?.clock?.now() ?? Date.now());
  const households = await HouseholdService.create({
    repository: householdRepo, tokens, cameraAddresses: o.cameraAddresses, log: log.child({ mod: 'household' }),
    ...o.household,
    timings: { offlineAlertAfterMs: offlineAlertMs, ...o.household?.timings },
  });
  const propertyRepo = new PropertyRepository(store);
  if (o.seedDemo) await seedPropertyDemo(propertyRepo);
  const property = new PropertyService({
    repository: propertyRepo,
    tokens,
    cameraAddresses: o.cameraAddresses,
    log: log.child({ mod: 'property' }),
    directory: {
      async departmentsOf(regions) {
        const all = await petitionRepo.listDepartments();
        return regions.flatMap((r) => all.filter((x) => x.regionCode === r));
      },
      department: (id) => petitionRepo.getDepartment(id),
      gridWorkerRegion: async (sub) => (await householdRepo.getVillageContact(sub))?.region,
      gridWorkersFor: async (region) => (await householdRepo.villageContactsFor(region)).map((c) => c.id),
    },
  });
  // Alerts and check-ins are pushed once, by whichever node holds the lease.
  const householdTick = new LeaderLease(o.redis, o.keys, 'household-tick', o.nodeId, 15_000);
  households.start(households.tickMs, { leader: () => householdTick.held() });

  const identity = new Identity({
    store,
    tokens,
    // Sessions, devices and links end through the one revocation channel (server/auth/revocations.ts).
    revoker: o.revocations,
    audit,
    directory: {
      async attributesOf(role, subject) {
        if (role !== 'official') return undefined;
        const official = await petitionRepo.getOfficial(subject);
        return official && { department: official.departmentId, level: official.level, region: official.regionCode };
      },
      async exists(role, subject) {
        if (role === 'official') return (await petitionRepo.getOfficial(subject)) !== undefined;
        if (role === 'counsellor') return (await householdRepo.getCounsellor(subject)) !== undefined;
        if (role === 'family') return (await householdRepo.getFamilyMember(subject)) !== undefined;
        if (role === 'grid-worker') return (await householdRepo.getVillageContact(subject)) !== undefined;
        if (role === 'property' || role === 'resident') return (await propertyRepo.getPerson(subject))?.kind === role;
        return false;
      },
    },
    targets: {
      async assertTerminalPoint(terminalId) {
        if (!(await petitionRepo.getTerminal(terminalId))) throw notFound(`no terminal point ${terminalId}`);
      },
      assertHouseholdManager: (actor, householdId) => households.requireManager(actor, householdId),
      registerHomeDevice: (householdId, d) => households.registerEnrolledDevice(householdId, { id: d.id, name: d.name, place: d.place as DevicePlace }),
      updateHomeDevice: (deviceId, patch) => households.updateEnrolledDevice(deviceId, patch),
      async accessToken(device, ttlSeconds) {
        if (device.kind === 'home-device') return households.issueEnrolledDeviceToken(device.id, ttlSeconds);
        const t = await petitionRepo.getTerminal(device.terminalId!);
        if (!t) throw notFound(`no terminal point ${device.terminalId}`);
        const none = { rooms: [], canPublish: false, canSubscribe: false, sources: [] };
        return tokens.issue({ use: 'access', sub: device.id, name: t.name, role: 'terminal', grant: none, attributes: { terminalId: t.id, level: t.level, region: t.regionCode }, ttlSeconds });
      },
      async cut(device) {
        if (device.kind === 'home-device') await households.cutDevice(device.id);
      },
    },
    households: {
      async assertCanInvite(actor, householdId) {
        // Its manager, or a counsellor assigned to it (the household view checks the assignment).
        if (actor.role === 'counsellor') await households.getHousehold(actor, householdId);
        else await households.requireManager(actor, householdId);
      },
      householdName: async (householdId) => (await householdRepo.getHousehold(householdId))?.name ?? householdId,
      linkMember: (householdId, m) => households.linkInvitedMember(householdId, m),
      removeMember: (actor, householdId, memberId) => households.removeFamilyMember(actor, householdId, memberId),
    },
    log: log.child({ mod: 'identity' }),
    ...(o.identity ? { policy: o.identity } : {}),
    ...(o.singleSignOn ? { singleSignOn: o.singleSignOn } : {}),
  });

  const leases = new RedisSessionLeases(o.redis, o.keys, o.nodeId, log.child({ mod: 'recording-lease' }));
  const nodeArchive = await openNodeArchive({
    dataDir: o.dataDir,
    store,
    ...(o.archive ? { options: o.archive } : {}),
    storage: {
      ...(o.recordingsDir ? { recordingsDir: o.recordingsDir } : {}),
      ...(o.recordingsMinFreeBytes !== undefined ? { minFreeBytes: o.recordingsMinFreeBytes } : {}),
      leases,
      auditObserver: mirrorIntoSystemTrail(audit),
    },
    log: log.child({ mod: 'archive' }),
  });
  const { archive } = nodeArchive;
  archiveRef = archive;
  // Sessions left "recording" by a recorder that died — here, or on a node that is gone — are
  // sealed as interrupted once quiet; until then the room's next node may continue them.
  const recover = (from: 'folders' | 'catalog') =>
    archive.recoverInterrupted({ quietMs: RECOVERY_QUIET_MS, from }).then(
      (ids) => ids.length > 0 && log.info({ sessions: ids }, 'recording | sealed as interrupted'),
      (err: unknown) => log.error({ err }, 'recording | recovery failed'),
    );
  // What this node's recorders left in its spool when it died, for sessions that went on
  // elsewhere or were sealed since, goes to the archive store (after the recovery above, which
  // takes the spool of each session it seals itself).
  const recoverSpool = () =>
    archive.recoverSpool().then(
      (moved) => moved.length > 0 && log.info({ sessions: moved.map((x) => x.sessionId) }, 'recording | spooled segments moved to the archive store'),
      (err: unknown) => log.error({ err }, 'recording | spool recovery failed'),
    );
  await recover('folders');
  await recoverSpool();
  const recoveryTimer = setInterval(() => void recover('catalog').then(recoverSpool), RECOVERY_SWEEP_MS);
  recoveryTimer.unref();
  const stopRetention = archive.scheduleRetentionSweep((err) => log.error({ err }, 'archive retention sweep failed'));
  const recording = recordSessions({ rooms: o.rooms, archive, petition, households, property, log: log.child({ mod: 'recording' }), ...(o.recordingSegmentSeconds ? { segmentSeconds: o.recordingSegmentSeconds } : {}), ...(o.recorderPorts ? { ports: o.recorderPorts } : {}) });

  serveCameraLookIns({ rooms: o.rooms, households, cameraAddresses: o.cameraAddresses, log: log.child({ mod: 'camera-look-in' }) });
  const compoundCameras = serveCompoundCameras({ rooms: o.rooms, property, cameraAddresses: o.cameraAddresses, log: log.child({ mod: 'compound-cameras' }) });
  // A camera added to a matter joins its session, and a retired one's feed stops in the rooms
  // that show it, on whichever node hosts them.
  property.events.on('camera:added', ({ roomId, cameraId }) => {
    compoundCameras.added(roomId, cameraId);
    o.io.serverSideEmit('camera:added', roomId, cameraId);
  });
  o.io.on('camera:added', (roomId, cameraId) => compoundCameras.added(roomId, cameraId));
  property.events.on('camera:retired', ({ cameraId }) => {
    compoundCameras.retire(cameraId);
    o.io.serverSideEmit('camera:retired', cameraId);
  });
  o.io.on('camera:retired', (cameraId) => compoundCameras.retire(cameraId));
  // Routing rules replaced through one node route the next petition on every node.
  petition.on('rules-changed', ({ revision }) => o.io.serverSideEmit('rules:changed', revision));
  o.io.on('rules:changed', (revision) => void petition.refreshRoutingRules(revision).catch((err: unknown) => log.warn({ err }, 'routing rules | refresh failed')));
  const cameraActivity = watchCameraActivity({ households, log: log.child({ mod: 'camera-activity' }), leader: () => householdTick.held(), ...(o.household?.clock ? { now: () => o.household!.clock!.now() } : {}) });

  const live = new LiveChannel(o.io, {
    tokens,
    log: log.child({ mod: 'live' }),
    authorizeCaseWatch: async (claims, caseId) => {
      await petition.getCase(actorFromClaims(claims), caseId);
    },
    revocations: o.revocations,
    ...(o.webBuild ? { build: o.webBuild } : {}),
    terminals: {
      present: (ids) => petition.presence.terminalsPresent(ids),
      gone: (id) => petition.presence.terminalGone(id),
      refreshMs: Math.max(1000, Math.floor(petition.presence.ttlMs / 3)),
    },
  });
  // Every waiting petitioner whose figures changed gets them pushed, by the node its terminal is
  // connected to; queue changes that arrive while a pass runs are coalesced into the next pass.
  const waitPushes = serveWaitPushes({
    waits: (departmentIds, watched) => petition.waitUpdates(departmentIds, watched),
    channel: {
      watchedHere: (caseId) => live.inRoomHere(liveRoom.case(caseId)),
      pushHere: (w, full) => {
        const rooms = [liveRoom.case(w.caseId)];
        if (full) return live.publishHere(rooms, 'petition:wait', w);
        const { offer: _unchanged, ...place } = w;
        live.publishHere(rooms, 'petition:place', place);
      },
      tellNodes: (news) => live.tellNodes('wait:news', news),
      onNodes: (handler) => live.onNodes('wait:news', handler),
      onUnwatched: (handler) => live.onRoomGoneHere((room) => room.startsWith(liveRoom.case('')) && handler(room.slice(liveRoom.case('').length))),
    },
    log,
  });
  const terminalAlerts = watchTerminalsOffline({
    presence: petition.presence,
    lease: new LeaderLease(o.redis, o.keys, 'terminals-offline', o.nodeId, 15_000),
    afterMs: offlineAlertMs,
    log: log.child({ mod: 'terminal-alerts' }),
    announce: (change) => live.publish([liveRoom.role('coordinator')], 'petition:terminals-changed', change),
  });
  petition.on('queue-changed', (p) => {
    live.publish([...p.departmentIds.map(liveRoom.department), liveRoom.role('coordinator')], 'petition:queue-changed', p);
    waitPushes.queuesMoved(p.departmentIds);
  });
  petition.on('case-changed', (p) => {
    if (p.state !== 'queued') waitPushes.left(p.caseId);
  });
  petition.on('case-changed', (p) => live.publish([liveRoom.case(p.caseId), liveRoom.role('coordinator')], 'petition:case-changed', p));
  // A session ended by a domain decision closes its room on whichever node hosts it, and the
  // bans of that session end with it.
  const endRoom = (roomId: string) => {
    o.rooms.get(roomId)?.close('ended');
    o.io.serverSideEmit('room:end', roomId);
    o.bans.clear(roomId).catch((err: unknown) => log.warn({ err, roomId }, 'bans of an ended session not cleared'));
  };
  o.io.on('room:end', (roomId) => o.rooms.get(roomId)?.close('ended'));
  petition.on('session-ended', ({ caseId }) => endRoom(petitionRoomId(caseId)));
  petition.on('assigned', (p) => live.publish([liveRoom.user(subjectKey('official', p.officialId))], 'petition:assigned', { caseId: p.caseId, ticketId: p.ticketId, kind: p.kind }));
  petition.on('callback-ringing', ({ terminalId, ...ringing }) => live.publish([liveRoom.terminal(terminalId)], 'petition:ringing', ringing));
  petition.on('work-changed', (p) => live.publish([...p.departmentIds.map(liveRoom.department), liveRoom.role('coordinator')], 'petition:work-changed', p));
  petition.on('appointment-reminder', ({ terminalId, ...reminder }) => live.publish([liveRoom.terminal(terminalId)], 'petition:reminder', reminder));

  forwardHouseholdEvents(households.events, (to, push) => live.publish([liveRoom.user(to)], 'household:event', push));
  // An ended call or look-in closes its room, so nobody stays connected on an old token.
  households.events.on('call:ended', ({ call }) => endRoom(call.roomId));
  households.events.on('lookin:ended', ({ lookIn }) => endRoom(lookIn.roomId));
  // 红色物业: each matter change reaches its parties' pages (an invited office through its department room).
  property.events.on('matter:changed', ({ matter, to, departments, invited }) =>
    live.publish([...to.map(liveRoom.user), ...departments.map(liveRoom.department)], 'property:matter', { matter, ...(invited ? { invited } : {}) }),
  );
  property.events.on('session:ended', ({ roomId }) => endRoom(roomId));

  // Who may be in which room changes with the domain: a transfer takes the former lead out, privacy
  // on stops the home's camera, a removed link ends the member's call — on every node.
  const accessChanges = new SafeEmitter<{ changed: [RoomScope] }>();
  petition.on('case-changed', ({ caseId }) => accessChanges.emit('changed', { roomId: petitionRoomId(caseId) }));
  households.events.on('privacy:changed', ({ householdId }) => accessChanges.emit('changed', { householdId }));
  households.access.on('rooms-changed', ({ householdId }) => accessChanges.emit('changed', { householdId }));

  // Tokens that are no longer good, refused on every node and their connections closed.
  const revoke = (what: string, done: Promise<void>) => done.catch((err: unknown) => log.error({ err, what }, 'revocation not published'));
  const { callTokenTtlSeconds, deviceTokenTtlSeconds } = households.timings;
  households.access.on('device-rebound', ({ deviceId, previousJti, issuedAt }) => {
    // The token just issued stays good; the previous device token and every room token of the
    // old binding do not.
    if (previousJti) void revoke('device token', o.revocations.revokeToken(previousJti, issuedAt + deviceTokenTtlSeconds, 'device-rebound'));
    void revoke('device room tokens', o.revocations.revokeSubject({ sub: deviceId, reason: 'device-rebound', issuedBefore: issuedAt, lifetimeSeconds: callTokenTtlSeconds }));
  });
  households.access.on('device-revoked', ({ deviceId }) => {
    void revoke('device', o.revocations.revokeSubject({ sub: deviceId, reason: 'device-revoked', lifetimeSeconds: deviceTokenTtlSeconds }));
  });
  households.access.on('family-unlinked', ({ memberId, householdId }) => {
    void revoke('family link', o.revocations.revokeSubject({ sub: memberId, householdId, reason: 'link-removed', lifetimeSeconds: callTokenTtlSeconds }));
    accessChanges.emit('changed', { householdId });
  });

  return {
    store,
    archive,
    petition,
    households,
    property,
    live,
    identity,
    audit,
    degraded: () => nodeArchive.degraded(),
    stopRecordings: () => recording.stopAll(),
    access: roomAuthorizer({ petition, households, property }),
    accessChanges,
    mount(app) {
      if (o.devSignIn) app.use(createDevRouter({ tokens, codes: o.codes, petitionRepo, householdRepo, households, propertyRepo }));
      app.use(petitionArea.base, createPetitionRouter({ service: petition, tokens, audit, log: log.child({ mod: 'petition-http' }) }));
      app.use(householdArea.base, createHouseholdRouter({ service: households, tokens, audit, log: log.child({ mod: 'household-http' }) }));
      app.use(propertyArea.base, createPropertyRouter({ service: property, tokens, audit, log: log.child({ mod: 'property-http' }) }));
      app.use(
        archiveArea.base,
        createArchiveRouter({
          archive,
          tokens,
          log: log.child({ mod: 'archive-http' }),
          exports: nodeArchive.exports,
          directory: { regionName: async (code) => (await petitionRepo.getRegion(code))?.name, departmentName: async (id) => (await petitionRepo.getDepartment(id))?.name },
          ...(nodeArchive.transcripts ? { transcripts: nodeArchive.transcripts } : {}),
        }),
      );
      app.use(identityArea.base, createIdentityRouter({ identity, tokens, log: log.child({ mod: 'identity-http' }), ...(o.publicUrl ? { publicUrl: o.publicUrl } : {}) }));
      app.use(adminArea.base, createAdminRouter({
        directory,
        replaceRoutingRules: (rules, by) => petition.replaceRoutingRules({ ...SYSTEM_PETITION_ACTOR, id: by }, rules),
        retention: { get: () => archive.retentionPeriods(), set: (periods, by) => archive.setRetentionPeriods(periods, by) },
        audit,
        tokens,
        log: log.child({ mod: 'admin-http' }),
      }));
      app.use(enrolmentArea.base, createEnrolmentRouter({ enrolment: identity.enrolment, tokens, log: log.child({ mod: 'enrol-http' }), ...(o.publicUrl ? { publicUrl: o.publicUrl } : {}) }));
      // Paths under /api and /dev that no table lists: a JSON 404, not the static server's page.
      app.use(['/api', '/dev'], unknownEndpoint, httpErrors(log.child({ mod: 'http' })));
    },
    async close() {
      clearInterval(recoveryTimer);
      leases.close();
      waitPushes.close();
      live.close();
      stopRetention();
      households.stop();
      cameraActivity.stop();
      await terminalAlerts.stop();
      await householdTick.release().catch(() => undefined);
      petition.close();
      await nodeArchive.close();
      await audit.flushed();
      await store.close();
    },
  };
}
