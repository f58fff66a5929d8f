// Cutting open connections when identity revokes something, until the revocation channel of
// branch trust-rooms (server/auth/revocations.ts: every node refuses the token and closes its
// connections) is on main: this closes, on every node, the /live and signalling sockets opened
// with a revoked token or by a revoked subject, and their peers in rooms. A token itself stays
// valid until it expires (minutes for access tokens); refresh is refused at once.
import type { Claims } from '../auth/grants.ts';
import type { Logger } from '../core/log.ts';
import type { TokenRevoker } from '../identity/revoker.ts';
import type { RoomRegistry } from '../../sfu/rooms.ts';
import type { SignallingServer } from './signalling/signalling.ts';

type Match = { jti: string } | { sub: string; householdId?: string };

const matches = (m: Match, c: Claims | undefined): boolean =>
  !!c && ('jti' in m ? c.jti === m.jti : c.sub === m.sub && (m.householdId === undefined || c.attributes.householdId === m.householdId));

export function connectionCutter(io: SignallingServer, rooms: RoomRegistry, log: Logger): TokenRevoker {
  const closePeers = (m: Match) => {
    for (const room of rooms.values()) for (const peer of [...room.peers.values()]) if (matches(m, peer.claims)) peer.close('kicked');
  };
  io.on('identity:revoked', closePeers);
  const cut = async (m: Match) => {
    closePeers(m);
    io.serverSideEmit('identity:revoked', m);
    for (const nsp of [io.of('/'), io.of('/live')]) {
      for (const s of await nsp.fetchSockets()) if (matches(m, (s.data as { claims?: Claims }).claims)) s.disconnect(true);
    }
    log.info({ revoked: m }, 'revocation | open connections closed');
  };
  return {
    revokeToken: (jti) => cut({ jti }),
    revokeSubject: (o) => cut({ sub: o.sub, ...(o.householdId ? { householdId: o.householdId } : {}) }),
  };
}
