// TURN credentials for a room's participants, in the TURN REST scheme coturn checks with
// `use-auth-secret`: username `<expiry>:<subject>`, password base64(HMAC-SHA1(secret, username)).
// Nothing is stored: coturn recomputes the password and refuses a username whose expiry is past.
// They expire with the room token they are issued with, so a holder can relay media through
// TURN only as long as it may be in the room.
import { createHmac } from 'node:crypto';
import type { TurnConfig } from '../core/config.ts';
import type { IceServer } from '../protocol/signalling.ts';

/** `expiresAt`: seconds since the epoch (the room token's `exp`). No TURN configured: none. */
export function turnCredentials(turn: TurnConfig | undefined, subject: string, expiresAt: number): IceServer[] {
  if (!turn) return [];
  // coturn reads the expiry up to the first ':'; the rest only names who relays, in its logs.
  const username = `${Math.floor(expiresAt)}:${subject.replace(/[^\w.@-]/g, '_').slice(0, 64)}`;
  const credential = createHmac('sha1', turn.secret).update(username).digest('base64');
  return [{ urls: [...turn.urls], username, credential }];
}
