// Who may be in which room, by room kind: each kind of room id (protocol/room-id.ts) is answered
// by its domain, and the answer is intersected with the token's grant. A room kind without an
// entry here is a type error, so a new kind cannot slip in unauthorized. Privacy mode is not a
// rule of one room kind: a home device of a household in privacy mode sends no camera anywhere.
import { actorFromClaims } from '../petition/access.ts';
import type { PetitionService } from '../petition/service.ts';
import type { HouseholdService } from '../household/index.ts';
import type { PropertyService } from '../property/index.ts';
import type { Claims } from '../auth/grants.ts';
import { grantOnly, intersect, withoutCamera, type DomainPermission, type RoomAuthorizer } from '../auth/room-access.ts';
import { forbidden } from '../core/errors.ts';
import { parseRoomId, type ParsedRoomId } from '../protocol/room-id.ts';

type KindAuthorizer<K extends ParsedRoomId['kind']> = (
  claims: Claims,
  room: Extract<ParsedRoomId, { kind: K }>,
  roomId: string,
) => DomainPermission | Promise<DomainPermission>;

export function roomAuthorizer(d: { petition: PetitionService; households: HouseholdService; property: PropertyService }): RoomAuthorizer {
  const byKind: { [K in ParsedRoomId['kind']]: KindAuthorizer<K> } = {
    petition: (claims, room) => d.petition.roomPermission(actorFromClaims(claims), room.caseId),
    'household-call': (claims, _room, roomId) => d.households.roomPermission(claims, roomId),
    'household-look-in': (claims, _room, roomId) => d.households.roomPermission(claims, roomId),
    'property-matter': (claims, room) => d.property.matterRoomPermission(claims, room.matterId),
    'property-camera-view': (claims, room) => d.property.viewRoomPermission(claims, room.compoundId, room.viewId),
    // An id in a domain's namespace that does not parse must never pass as ad-hoc.
    malformed: (_claims, room) => {
      throw forbidden(`not a valid ${room.namespace} room`);
    },
    // Test and benchmark rooms: only a grant naming them opens them.
    'ad-hoc': (claims) => grantOnly(claims.grant),
  };
  return {
    async authorize(claims, roomId) {
      const room = parseRoomId(roomId);
      const decide = byKind[room.kind] as KindAuthorizer<typeof room.kind>;
      const domain = await decide(claims, room as never, roomId);
      return intersect(claims.grant, (await d.households.devicePrivacy(claims)) ? withoutCamera(domain, 'privacy') : domain);
    },
  };
}
