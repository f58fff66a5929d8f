// The call page: ?room=<roomId>[&note=][&audioOnly=1][&relay=1], the token from sessionStorage (or a
// `?token=`, taken out of the address bar at once). The bare call every role page builds on, and
// what tests and tools open directly. The engine starts the call first; the UI (lit, i18n, the
// call tiles: most of the page's JavaScript, ≈40 ms of main thread at load 5) is loaded once the
// first remote track is in (engine.ts `uiReady`), while the picture's connection is set up, not
// in front of the socket's handshake, the join and the consume (docs/bench-join.md).
import { call } from './engine.ts';

// User Timing marks of the join (this one: the call has started; the call session and the UI
// leave the others): bench:join and a browser's performance panel read them.
performance.mark('call:page');
void (call?.uiReady ?? Promise.resolve()).then(() => import('./page.ts'));
