// Devices are enrolled, not signed in. A petition terminal or a home device with no credential
// asks for a pairing (a short code and a QR on its screen) and polls with a secret only it knows;
// an administrator (terminal) or the household's manager (home device) enters the code and says
// where the device belongs; the device's next poll delivers its own refresh token, once. From
// then on it draws short-lived access tokens with that refresh token, which rotates on every use
// (the one before works once more only if the answer to it was lost). Rename, move, disable and
// re-enable keep the enrolment; revoke ends it everywhere at once, and the device pairs again.
import type { Kysely, Selectable } from 'kysely';
import QRCode from 'qrcode';
import type { Claims } from '../auth/grants.ts';
import type { Store } from '../core/db.ts';
import { AppError, badRequest, forbidden, notFound } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { actorOf, type SystemAudit } from '../core/system-audit.ts';
import type { ClaimPairing, DeviceKind, DevicePatch, DeviceSession, EnrolledDevice, Pairing, PairingPoll } from '../protocol/http/identity-shapes.ts';
import type { IdentityPolicy } from './policy.ts';
import { deviceView, type DeviceRow, type IdentityTables } from './repository.ts';
import type { TokenRevoker } from './revoker.ts';
import { displayCode, sameHash, secretToken, sha256, shortCode } from './secrets.ts';

/** Where devices go: terminal points (petition directory) and households (平安心居), behind ports. */
export interface EnrolmentTargets {
  /** Throws `not_found` for an unknown terminal point. */
  assertTerminalPoint(terminalId: string): Promise<void>;
  /** Throws unless the actor manages the household. */
  assertHouseholdManager(actor: Claims, householdId: string): Promise<void>;
  registerHomeDevice(householdId: string, d: { id: string; name: string; place: string }): Promise<void>;
  updateHomeDevice(deviceId: string, patch: { householdId?: string; name?: string }): Promise<void>;
  /** A short-lived access token for the device as it is enrolled now. */
  accessToken(device: EnrolledDevice, ttlSeconds: number): Promise<string>;
  /** The device's tokens stop working for the domain at once (home devices: the household's own check). */
  cut(device: EnrolledDevice): Promise<void>;
}

export interface EnrolmentDeps {
  store: Store;
  db: Kysely<IdentityTables>;
  targets: EnrolmentTargets;
  revoker: TokenRevoker;
  audit: SystemAudit;
  policy: IdentityPolicy;
  now: () => number;
}

const refused = () => new AppError('unauthorized', 'this device is not enrolled (or was revoked); pair it again', { reason: 'not_enrolled' });

export class Enrolment {
  constructor(private readonly d: EnrolmentDeps) {}

  /** A device's first start: a code to show and a secret to poll with. `origin`: where the installer enters the code. */
  async begin(kind: DeviceKind, origin: string): Promise<Pairing> {
    const now = this.d.now();
    await this.d.db.deleteFrom('identity_pairings').where('expires_at', '<', now).execute();
    const code = shortCode();
    const pollSecret = secretToken();
    const id = newId('pair');
    const expiresAt = now + this.d.policy.pairingSeconds * 1000;
    await this.d.db
      .insertInto('identity_pairings')
      .values({ id, code_hash: sha256(code), poll_hash: sha256(pollSecret), kind, state: 'waiting', device_id: null, refresh_token: null, created_at: now, expires_at: expiresAt })
      .execute();
    const link = `${origin}/enrol.html#code=${code}`;
    return { id, code: displayCode(code), pollSecret, expiresAt: new Date(expiresAt).toISOString(), qr: await QRCode.toDataURL(link, { margin: 1, width: 280 }) };
  }

  /** The device asks whether its code was entered; the refresh token is handed over once. */
  async poll(pairingId: string, pollSecret: string): Promise<PairingPoll> {
    const p = await this.d.db.selectFrom('identity_pairings').selectAll().where('id', '=', pairingId).executeTakeFirst();
    if (!p || !sameHash(p.poll_hash, sha256(pollSecret)) || p.state === 'delivered') throw new AppError('not_found', 'no such pairing', { reason: 'pairing_unknown' });
    if (p.state === 'waiting') {
      if (p.expires_at <= this.d.now()) throw new AppError('gone', 'the pairing code expired; a new one is shown', { reason: 'pairing_expired' });
      return { state: 'waiting', expiresAt: new Date(p.expires_at).toISOString() };
    }
    const r = await this.d.db
      .updateTable('identity_pairings')
      .set({ state: 'delivered', refresh_token: null })
      .where('id', '=', pairingId)
      .where('state', '=', 'claimed')
      .executeTakeFirst();
    if (r.numUpdatedRows !== 1n || !p.refresh_token || !p.device_id) throw new AppError('not_found', 'no such pairing', { reason: 'pairing_unknown' });
    return { state: 'enrolled', deviceId: p.device_id, refreshToken: p.refresh_token };
  }

  /** The installer enters the code: the device is enrolled where they say. */
  async claim(actor: Claims, c: ClaimPairing): Promise<EnrolledDevice> {
    if (c.kind === 'terminal') {
      if (actor.role !== 'admin') throw forbidden('terminals are enrolled by a system administrator');
      await this.d.targets.assertTerminalPoint(c.terminalId);
    } else {
      await this.d.targets.assertHouseholdManager(actor, c.householdId);
    }
    const now = this.d.now();
    const pairing = await this.d.db.selectFrom('identity_pairings').selectAll().where('code_hash', '=', sha256(c.code)).executeTakeFirst();
    if (!pairing || pairing.state !== 'waiting' || pairing.expires_at <= now) throw new AppError('not_found', 'no device shows this code (or it expired)', { reason: 'pairing_unknown' });
    if (pairing.kind !== c.kind) throw badRequest(`this code belongs to a ${pairing.kind}`, { reason: 'wrong_kind' });
    const id = newId(c.kind === 'terminal' ? 'tdev' : 'dev');
    const refreshToken = secretToken();
    const row: DeviceRow = {
      id,
      kind: c.kind,
      name: c.name,
      terminal_id: c.kind === 'terminal' ? c.terminalId : null,
      household_id: c.kind === 'home-device' ? c.householdId : null,
      state: 'active',
      refresh_hash: sha256(refreshToken),
      previous_refresh_hash: null,
      enrolled_at: now,
      enrolled_by: actor.sub,
      last_refresh_at: null,
    };
    const taken = await this.d.db
      .updateTable('identity_pairings')
      .set({ state: 'claimed', device_id: id, refresh_token: refreshToken })
      .where('id', '=', pairing.id)
      .where('state', '=', 'waiting')
      .executeTakeFirst();
    if (taken.numUpdatedRows !== 1n) throw new AppError('conflict', 'this code was just used', { reason: 'pairing_used' });
    if (c.kind === 'home-device') await this.d.targets.registerHomeDevice(c.householdId, { id, name: c.name, place: c.place });
    await this.d.db.insertInto('identity_devices').values(row).execute();
    const device = deviceView(row);
    await this.d.audit.record({ type: 'device-enrolled', actor: actorOf(actor), details: { deviceId: id, kind: c.kind, name: c.name, terminalId: device.terminalId, householdId: device.householdId } });
    return device;
  }

  /** An access token for the device, and its next refresh token. */
  async refresh(deviceId: string, refreshToken: string): Promise<DeviceSession> {
    const presented = sha256(refreshToken);
    const next = secretToken();
    const device = await this.d.store.transaction<IdentityTables, Selectable<DeviceRow>>(async (trx) => {
      const row = await this.d.store.forUpdate(trx.selectFrom('identity_devices').selectAll().where('id', '=', deviceId)).executeTakeFirst();
      if (!row || row.state === 'revoked' || !row.refresh_hash) throw refused();
      const current = sameHash(row.refresh_hash, presented);
      // The token before the current one, while the current one was never presented (presenting
      // it moves "previous" up): the device sent it, we rotated, and our answer was lost on the
      // way (village networks). The device's next success with the new token kills it.
      const lostAnswer = !current && row.previous_refresh_hash !== null && sameHash(row.previous_refresh_hash, presented);
      if (!current && !lostAnswer) throw refused();
      if (row.state === 'disabled') throw new AppError('forbidden', 'this device is disabled by an administrator', { reason: 'device_disabled' });
      await trx
        .updateTable('identity_devices')
        .set({ refresh_hash: sha256(next), previous_refresh_hash: current ? row.refresh_hash : row.previous_refresh_hash, last_refresh_at: this.d.now() })
        .where('id', '=', deviceId)
        .execute();
      return row;
    });
    const view = deviceView(device);
    const token = await this.d.targets.accessToken(view, this.d.policy.deviceAccessSeconds);
    return { token, expiresAt: new Date(this.d.now() + this.d.policy.deviceAccessSeconds * 1000).toISOString(), refreshToken: next, device: { id: view.id, kind: view.kind, name: view.name } };
  }

  /** Enrolled devices: all (system administrators) or one household's (its manager). */
  async list(actor: Claims, householdId?: string): Promise<EnrolledDevice[]> {
    let q = this.d.db.selectFrom('identity_devices').selectAll().where('state', '!=', 'revoked');
    if (actor.role !== 'admin') {
      if (!householdId) throw forbidden('household managers list their own household’s devices');
      await this.d.targets.assertHouseholdManager(actor, householdId);
    }
    if (householdId) q = q.where('household_id', '=', householdId);
    return (await q.orderBy('enrolled_at').execute()).map(deviceView);
  }

  async update(actor: Claims, deviceId: string, p: DevicePatch): Promise<EnrolledDevice> {
    const row = await this.#authorized(actor, deviceId);
    if (p.terminalId !== undefined) {
      if (row.kind !== 'terminal') throw badRequest('only a terminal moves to another terminal point');
      await this.d.targets.assertTerminalPoint(p.terminalId);
    }
    if (p.householdId !== undefined) {
      if (row.kind !== 'home-device') throw badRequest('only a home device moves to another household');
      await this.d.targets.assertHouseholdManager(actor, p.householdId);
    }
    if (row.kind === 'home-device') await this.d.targets.updateHomeDevice(deviceId, { ...(p.householdId ? { householdId: p.householdId } : {}), ...(p.name ? { name: p.name } : {}) });
    await this.d.db
      .updateTable('identity_devices')
      .set({ ...(p.name ? { name: p.name } : {}), ...(p.terminalId ? { terminal_id: p.terminalId } : {}), ...(p.householdId ? { household_id: p.householdId } : {}) })
      .where('id', '=', deviceId)
      .execute();
    // A moved device must not keep tokens that name its old place.
    if (p.terminalId || p.householdId) await this.#revokeTokens(deviceView(row));
    await this.d.audit.record({ type: 'device-changed', actor: actorOf(actor), details: { deviceId, ...p } });
    return this.#view(deviceId);
  }

  /** Disabled: its tokens stop now and no new ones are issued until it is enabled again. */
  async setDisabled(actor: Claims, deviceId: string, disabled: boolean): Promise<EnrolledDevice> {
    const row = await this.#authorized(actor, deviceId);
    await this.d.db.updateTable('identity_devices').set({ state: disabled ? 'disabled' : 'active' }).where('id', '=', deviceId).execute();
    if (disabled) await this.#revokeTokens(deviceView(row));
    await this.d.audit.record({ type: disabled ? 'device-revoked' : 'device-changed', actor: actorOf(actor), details: { deviceId, name: row.name, disabled } });
    return this.#view(deviceId);
  }

  /** One click for a stolen device: the credential is gone everywhere at once; the device must pair again. */
  async revoke(actor: Claims, deviceId: string): Promise<EnrolledDevice> {
    const row = await this.#authorized(actor, deviceId);
    await this.d.db.updateTable('identity_devices').set({ state: 'revoked', refresh_hash: null, previous_refresh_hash: null }).where('id', '=', deviceId).execute();
    await this.#revokeTokens(deviceView(row));
    await this.d.audit.record({ type: 'device-revoked', actor: actorOf(actor), details: { deviceId, kind: row.kind, name: row.name, terminalId: row.terminal_id, householdId: row.household_id } });
    return this.#view(deviceId);
  }

  async #revokeTokens(device: EnrolledDevice): Promise<void> {
    await this.d.targets.cut(device);
    await this.d.revoker.revokeSubject({ sub: device.id, reason: 'device-revoked', lifetimeSeconds: this.d.policy.deviceAccessSeconds + 60 });
  }

  async #authorized(actor: Claims, deviceId: string): Promise<Selectable<DeviceRow>> {
    const row = await this.d.db.selectFrom('identity_devices').selectAll().where('id', '=', deviceId).executeTakeFirst();
    if (!row) throw notFound(`no device ${deviceId}`);
    if (actor.role === 'admin') return row;
    if (row.kind !== 'home-device' || !row.household_id) throw forbidden('terminals are managed by system administrators');
    await this.d.targets.assertHouseholdManager(actor, row.household_id);
    return row;
  }

  async #view(deviceId: string): Promise<EnrolledDevice> {
    return deviceView(await this.d.db.selectFrom('identity_devices').selectAll().where('id', '=', deviceId).executeTakeFirstOrThrow());
  }
}
