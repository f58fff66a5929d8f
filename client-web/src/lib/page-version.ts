// A page left open across an upgrade (a terminal or home device runs for months) reloads itself
// when the node announces another build, instead of speaking an old protocol to a new server —
// but never under its user's hands: not while it plays live media (a call, a look-in), not within
// a minute of the last touch or key, not with text typed into a field.
const QUIET_MS = 60_000;
const CHECK_MS = 5_000;

// Untouched since it loaded: idle (a kiosk nobody walked up to).
let lastInput = -Infinity;
if (typeof addEventListener === 'function') {
  for (const type of ['pointerdown', 'keydown', 'touchstart']) addEventListener(type, () => (lastInput = performance.now()), { capture: true, passive: true });
}

/** Nobody is using the page right now: a reload loses nothing. */
export function pageIdle(doc: Document = document, now = performance.now()): boolean {
  if (now - lastInput < QUIET_MS) return false;
  if ([...doc.querySelectorAll('video, audio')].some((m) => (m as HTMLMediaElement).srcObject)) return false;
  const field = doc.activeElement;
  return !((field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement) && field.value !== '');
}

/**
 * The build the page was loaded with: what its own response said (Server-Timing `build`), else
 * (a development server) the first build a node announced to it, moments after the load.
 */
let loadedWith: string | undefined = servedBuild();

function servedBuild(): string | undefined {
  if (typeof performance === 'undefined') return undefined;
  const [nav] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
  return nav?.serverTiming.find((t) => t.name === 'build')?.description || undefined;
}
let reloading = false;

/** A node announced its build: another than the page's reloads the page as soon as it is idle. */
export function buildAnnounced(build: string): void {
  loadedWith ??= build;
  if (build === loadedWith || reloading) return;
  reloading = true;
  const check = () => (pageIdle() ? location.reload() : setTimeout(check, CHECK_MS));
  check();
}
