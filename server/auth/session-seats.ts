// A joint session's seats, shared by every domain that holds one (a petition case's session, a
// compound matter's 各方齐到 session): the token a party is given for the session room, and what
// the domain answers at each join — a party's seat (camera and microphone), or a supervisor's hidden
// watch. The domain decides who is a party; this only shapes what a party gets.
import type { Role } from '../protocol/claims.ts';
import type { TokenIssuer } from './grants.ts';
import type { DomainPermission } from './room-access.ts';

/** A room and a token for it. */
export interface SessionTicket {
  roomId: string;
  token: string;
}

export interface SessionMember {
  id: string;
  name: string;
  role: Role;
  /** Watches hidden without sending (a coordinator supervising). */
  supervisor?: boolean;
  /** May remove participants (the session's lead; supervisors always). The server asks the domain at every kick. */
  roomAdmin?: boolean;
  attributes?: Parameters<TokenIssuer['issue']>[0]['attributes'];
}

export function issueSessionToken(tokens: TokenIssuer, roomId: string, who: SessionMember, ttlSeconds: number): SessionTicket {
  const supervisor = who.supervisor === true;
  const token = tokens.issue({
    use: 'room',
    sub: who.id,
    name: who.name,
    role: who.role,
    grant: {
      rooms: [roomId],
      canPublish: !supervisor,
      canSubscribe: true,
      sources: supervisor ? [] : ['camera', 'microphone'],
      ...(supervisor ? { hidden: true } : {}),
      ...(supervisor || who.roomAdmin ? { roomAdmin: true } : {}),
    },
    attributes: who.attributes ?? {},
    ttlSeconds,
  });
  return { roomId, token };
}

/** A party in the session: sends camera and microphone, sees everyone. */
export const PARTY_SEAT: DomainPermission = { canPublish: true, canSubscribe: true, sources: ['camera', 'microphone'], roomAdmin: false, hidden: false, principal: false };

/** A supervisor: present unannounced, sends nothing, may remove participants. */
export const SUPERVISOR_WATCH: DomainPermission = { canPublish: false, canSubscribe: true, sources: [], roomAdmin: true, hidden: true, principal: false, narrowedBy: 'role' };

/** A view-only seat (watching a camera): sees, sends nothing. */
export const VIEW_ONLY: DomainPermission = { canPublish: false, canSubscribe: true, sources: [], roomAdmin: false, hidden: false, principal: false };
