// Room ids, built and parsed in one place. A token's grant names rooms by these ids, and the
// server decides from them which domain checks a join needs, what is recorded and what a camera
// ingest serves — so their shape is part of the contract:
//
//   petition:<caseId>                           a petition session (视频接访)
//   household:<householdId>:call:<callId>        a call into a home (平安心居)
//   household:<householdId>:lookin:<lookInId>    a family member looking in on a home camera
//   property:<matterId>                         a compound matter's joint session (红色物业)
//   property:<compoundId>:view:<viewId>          property office / 网格员 watching a compound camera
//
// Every segment uses the id alphabet [A-Za-z0-9_.-] (no ':'). Any other id (tests, benchmarks)
// is an ad-hoc room that only a grant naming it opens; an id in the petition or household
// namespace that does not parse is `malformed`, and callers refuse it rather than treat it as
// ad-hoc (an unparsed household id must never skip the household's join check).

const SEGMENT = /^[\w.-]+$/;

export type ParsedRoomId =
  | { kind: 'petition'; caseId: string }
  | { kind: 'household-call'; householdId: string; callId: string }
  | { kind: 'household-look-in'; householdId: string; lookInId: string }
  | { kind: 'property-matter'; matterId: string }
  | { kind: 'property-camera-view'; compoundId: string; viewId: string }
  | { kind: 'malformed'; namespace: 'petition' | 'household' | 'property' }
  | { kind: 'ad-hoc' };

export function parseRoomId(roomId: string): ParsedRoomId {
  const parts = roomId.split(':');
  const ok = (...segments: (string | undefined)[]) => segments.every((s) => s !== undefined && SEGMENT.test(s));
  switch (parts[0]) {
    case 'petition':
      return parts.length === 2 && ok(parts[1]) ? { kind: 'petition', caseId: parts[1]! } : { kind: 'malformed', namespace: 'petition' };
    case 'household': {
      const [, householdId, kind, id] = parts;
      if (parts.length === 4 && ok(householdId, id)) {
        if (kind === 'call') return { kind: 'household-call', householdId: householdId!, callId: id! };
        if (kind === 'lookin') return { kind: 'household-look-in', householdId: householdId!, lookInId: id! };
      }
      return { kind: 'malformed', namespace: 'household' };
    }
    case 'property': {
      const [, first, kind, id] = parts;
      if (parts.length === 2 && ok(first)) return { kind: 'property-matter', matterId: first! };
      if (parts.length === 4 && kind === 'view' && ok(first, id)) return { kind: 'property-camera-view', compoundId: first!, viewId: id! };
      return { kind: 'malformed', namespace: 'property' };
    }
    default:
      return { kind: 'ad-hoc' };
  }
}

/** The household a room belongs to, for household rooms only. */
export function householdOfRoom(roomId: string): string | undefined {
  const r = parseRoomId(roomId);
  return r.kind === 'household-call' || r.kind === 'household-look-in' ? r.householdId : undefined;
}

export const petitionRoomId = (caseId: string): string => `petition:${caseId}`;
export const householdCallRoomId = (householdId: string, callId: string): string => `household:${householdId}:call:${callId}`;
export const householdLookInRoomId = (householdId: string, lookInId: string): string => `household:${householdId}:lookin:${lookInId}`;
export const propertyMatterRoomId = (matterId: string): string => `property:${matterId}`;
export const propertyCameraViewRoomId = (compoundId: string, viewId: string): string => `property:${compoundId}:view:${viewId}`;
