// The call page: ?room=<roomId>[&note=][&audioOnly=1][&relay=1], the token from sessionStorage (or a
// `?token=`, taken out of the address bar at once). The bare call every role page builds on, and
// what tests and tools open directly. The engine starts the call first; the UI (lit, i18n, the
// call tiles: most of the page's JavaScript) is evaluated after, in its own task, so the socket's
// handshake and the join are not held up behind it.
import './engine.ts';

// User Timing marks of the join (this one: the call has started; the call session and the UI
// leave the others): bench:join and a browser's performance panel read them.
performance.mark('call:page');
void import('./page.ts');
