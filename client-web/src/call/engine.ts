// The call engine of the call page: reads the room and the token and starts the call at once —
// the socket connects and the join goes out while the page's UI (page.ts) is still loading and
// rendering. `window.callSession` is there for diagnostics and the browser tests (getStats on consumers).
import { CallSession } from '../lib/call-session.ts';
import { pageToken } from '../lib/token.ts';

export interface StartedCall {
  session: CallSession;
  /** Settles when the join is done or has failed for good. */
  started: Promise<void>;
}

function startCall(): StartedCall | undefined {
  const q = new URLSearchParams(location.search);
  const token = pageToken('token', sessionStorage);
  const roomId = q.get('room') ?? '';
  if (!token || !roomId) return undefined;
  const session = new CallSession({
    token,
    roomId,
    note: q.get('note') ?? undefined,
    audioOnly: q.get('audioOnly') === '1',
    // `relay=1`: media only through TURN, to check a deployment's TURN path from a browser.
    ...(q.get('relay') === '1' ? { iceTransportPolicy: 'relay' as const } : {}),
  });
  (window as unknown as { callSession: CallSession }).callSession = session;
  const started = session.start();
  // The page shows the failure when it is up; until then it is not an unhandled rejection.
  started.catch(() => undefined);
  return { session, started };
}

/** The call of this page; undefined without a room or a token. */
export const call = startCall();
