// The call engine of the call page: reads the room and the token and starts the call at once —
// the socket connects and the join goes out before the page's UI (page.ts) is loaded at all.
// `window.callSession` is there for diagnostics and the browser tests (getStats on consumers).
import { CallSession } from '../lib/call-session.ts';
import { pageToken } from '../lib/token.ts';

/**
 * The latest the UI waits for the call (ms after the engine started): a call that is slow to get
 * going shows that it is connecting instead of a blank page.
 */
const UI_LATEST_MS = 600;

export interface StartedCall {
  session: CallSession;
  /** Settles when the join is done or has failed for good. */
  started: Promise<void>;
  /**
   * Settles when the UI can be built without holding up the picture: the first remote track is
   * in (its connection, resume and key frame are network waits), or the call is joined, has
   * failed or ended without one — or UI_LATEST_MS have passed.
   */
  uiReady: Promise<void>;
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
  return { session, started, uiReady: uiReady(session, started) };
}

function uiReady(session: CallSession, started: Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      for (const off of offs) off();
      resolve();
    };
    const timer = setTimeout(done, UI_LATEST_MS);
    const offs = [session.on('trackadded', done), session.on('state', (s) => s !== 'connecting' && done())];
    void started.catch(() => undefined).finally(done);
  });
}

/** The call of this page; undefined without a room or a token. */
export const call = startCall();
