// Access to a petition session's room: `petition:<caseId>`. The service decides who may have one
// (access.ts, PetitionService.roomAccess) and, at every join, who may be in it
// (PetitionService.roomPermission); this only shapes the grant. Petitioners and officials publish
// camera and microphone; coordinators watch hidden (the seats are server/auth/session-seats.ts, shared
// with 红色物业's joint sessions). `roomAdmin` (the lead, coordinators) only
// tells the page to offer removal: the server asks the case, not the token, at every kick.
import type { TokenIssuer } from '../auth/grants.ts';
import { issueSessionToken } from '../auth/session-seats.ts';
import { petitionRoomId } from '../protocol/room-id.ts';
import type { Actor, RoomAccess } from './types.ts';

export { petitionRoomId };

export type { RoomAccess };

export interface RoomMember {
  id: string;
  name: string;
  role: Actor['role'];
  terminalId?: string;
  /** The case's lead (or a coordinator): may remove participants. */
  roomAdmin?: boolean;
}

export function issueRoomToken(tokens: TokenIssuer, caseId: string, who: RoomMember, ttlSeconds: number): RoomAccess {
  const supervisor = who.role === 'coordinator' || who.role === 'system';
  return issueSessionToken(tokens, petitionRoomId(caseId), {
    id: who.id,
    name: who.name,
    role: who.role === 'official' ? 'official' : supervisor ? 'coordinator' : 'petitioner',
    supervisor,
    ...(who.roomAdmin ? { roomAdmin: true } : {}),
    attributes: who.terminalId ? { terminalId: who.terminalId } : {},
  }, ttlSeconds);
}
