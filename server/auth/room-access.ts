// What an identity may do in a room right now. A token's grant says what it was given when it was
// issued; the room's domain (the petition case, the household call or look-in) says what holds now.
// The signalling layer asks the domain at every join, again at every produce and kick, and again
// whenever the domain announces a change — and keeps the intersection of the two on the peer
// (LiveKit's grants plus its participant-permission updates).
import { AppError } from '../core/errors.ts';
import type { Claims, Grant } from '../protocol/claims.ts';
import { MEDIA_SOURCES, type MediaSource, type NarrowReason, type PermissionInfo } from '../protocol/signalling.ts';

export type { NarrowReason };

/** The domain's side of a permission, for one identity in one room. */
export interface DomainPermission {
  canPublish: boolean;
  canSubscribe: boolean;
  /** Sources the domain lets this identity publish (the token's grant narrows them further). */
  sources: readonly MediaSource[];
  /** May remove participants (a petition case's lead, a coordinator). Decided by the domain alone. */
  roomAdmin: boolean;
  /** Present without being announced (a supervising coordinator). */
  hidden: boolean;
  /**
   * A principal of the room (the case's current lead, its petitioner): cannot be removed, and a
   * ban never keeps them out of their own case.
   */
  principal: boolean;
  narrowedBy?: NarrowReason;
}

/** What the peer may do: the grant and the domain both agree. The client is told its PermissionInfo part. */
export interface RoomPermission extends PermissionInfo {
  hidden: boolean;
  principal: boolean;
}

export function permissionInfo(p: RoomPermission): PermissionInfo {
  return {
    canPublish: p.canPublish,
    canSubscribe: p.canSubscribe,
    sources: [...p.sources],
    roomAdmin: p.roomAdmin,
    ...(p.narrowedBy ? { narrowedBy: p.narrowedBy } : {}),
  };
}

/** Throws a typed AppError (forbidden, gone, not_found) when the identity may not be in the room. */
export interface RoomAuthorizer {
  authorize(claims: Claims, roomId: string): Promise<RoomPermission>;
}

/** A room whose only rule is the token (ad-hoc rooms: tests, benchmarks). */
export function grantOnly(grant: Grant): DomainPermission {
  return {
    canPublish: true,
    canSubscribe: true,
    sources: MEDIA_SOURCES,
    roomAdmin: grant.roomAdmin === true,
    hidden: false,
    principal: false,
  };
}

export function intersect(grant: Grant, domain: DomainPermission): RoomPermission {
  const canPublish = grant.canPublish && domain.canPublish;
  return {
    canPublish,
    canSubscribe: grant.canSubscribe && domain.canSubscribe,
    sources: canPublish ? grant.sources.filter((s) => domain.sources.includes(s)) : [],
    roomAdmin: domain.roomAdmin,
    hidden: grant.hidden === true || domain.hidden,
    principal: domain.principal,
    ...(domain.narrowedBy ? { narrowedBy: domain.narrowedBy } : {}),
  };
}

/** Removes camera from a permission (privacy mode, audio-only calls). */
export function withoutCamera(p: DomainPermission, reason: NarrowReason): DomainPermission {
  if (!p.sources.includes('camera')) return p;
  return { ...p, sources: p.sources.filter((s) => s !== 'camera'), narrowedBy: reason };
}

export function samePermission(a: RoomPermission, b: RoomPermission): boolean {
  return (
    a.canPublish === b.canPublish &&
    a.canSubscribe === b.canSubscribe &&
    a.roomAdmin === b.roomAdmin &&
    a.hidden === b.hidden &&
    a.principal === b.principal &&
    a.sources.length === b.sources.length &&
    a.sources.every((s) => b.sources.includes(s))
  );
}

/** The refusal of a produce the permission does not cover, with the reason the client shows. */
export function assertMayPublish(p: RoomPermission, source: MediaSource): void {
  if (p.canPublish && p.sources.includes(source)) return;
  if (source === 'camera' && p.narrowedBy === 'privacy') {
    throw new AppError('forbidden', 'privacy mode is on in this household: the camera may not be sent', { reason: 'privacy' });
  }
  throw new AppError('forbidden', `not allowed to publish ${source}`, p.narrowedBy ? { reason: p.narrowedBy } : undefined);
}
