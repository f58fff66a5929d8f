// Room ids are part of the contract: every id the product builds parses back to what built it,
// and an id in a product namespace that does not parse is malformed, never an ad-hoc room.
import { describe, expect, it } from 'vitest';
import { householdCallRoomId, householdLookInRoomId, householdOfRoom, parseRoomId, petitionRoomId } from '../../server/protocol/room-id.ts';

describe('parseRoomId', () => {
  it('parses back every kind of room id the product builds', () => {
    expect(parseRoomId(petitionRoomId('XF20261126-000042'))).toEqual({ kind: 'petition', caseId: 'XF20261126-000042' });
    expect(parseRoomId(householdCallRoomId('H0012', 'c-1'))).toEqual({ kind: 'household-call', householdId: 'H0012', callId: 'c-1' });
    expect(parseRoomId(householdLookInRoomId('H0012', 'l.2'))).toEqual({ kind: 'household-look-in', householdId: 'H0012', lookInId: 'l.2' });
    expect(householdOfRoom(householdLookInRoomId('H0012', 'l.2'))).toBe('H0012');
    expect(householdOfRoom(petitionRoomId('XF20261126-000042'))).toBeUndefined();
  });

  it('calls an id of the petition or household namespace that does not parse malformed', () => {
    for (const id of ['petition:', 'petition:a:b', 'petition:a b']) expect(parseRoomId(id)).toEqual({ kind: 'malformed', namespace: 'petition' });
    for (const id of ['household:', 'household:H1', 'household:H1:call', 'household:H1:call:', 'household:H1:video:x', 'household:H1:call:x:y', 'household::call:x']) {
      expect(parseRoomId(id), id).toEqual({ kind: 'malformed', namespace: 'household' });
    }
    expect(householdOfRoom('household:H1:video:x')).toBeUndefined();
  });

  it('treats any other id as an ad-hoc room (tests, benchmarks)', () => {
    for (const id of ['test:x', 'bench-forward', 'households:H1:call:x', 'Petition:XF1']) expect(parseRoomId(id)).toEqual({ kind: 'ad-hoc' });
  });
});
