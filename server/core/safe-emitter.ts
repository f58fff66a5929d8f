// The one event emitter every class of ours extends. After mediasoup's EnhancedEventEmitter, but
// stricter: `emit` itself is safe — each listener runs in its own try, so a throwing listener
// neither skips the listeners after it nor escapes into the code that emitted (a timer, a child
// process callback, a close cascade). The failure is reported as `listenererror` on the emitter
// when someone listens for it, else to the process-wide reporter (the app points it at pino).
import { EventEmitter } from 'node:events';

type Listener = (...args: unknown[]) => unknown;

export type ListenerErrorReporter = (event: string | symbol, error: unknown) => void;

let report: ListenerErrorReporter = (event, error) => {
  console.error(`event listener for '${String(event)}' threw:`, error);
};

/** Where listener failures go when the emitter has no `listenererror` listener. */
export function reportListenerErrorsTo(reporter: ListenerErrorReporter): void {
  report = reporter;
}

/**
 * `T` is the class's event map (`{ close: [reason: CloseReason] }`); `on`/`emit` are typed by it
 * exactly as on Node's EventEmitter. Listen for `listenererror` (event, error) to handle failures.
 */
export class SafeEmitter<T extends Record<keyof T, unknown[]>> extends EventEmitter<T> {}

// Assigned on the prototype so the typed signatures stay Node's own.
(SafeEmitter.prototype as EventEmitter).emit = function safeEmit(this: EventEmitter, eventName: string | symbol, ...args: unknown[]): boolean {
  // An unheard 'error' keeps Node's meaning: it throws.
  if (eventName === 'error' && this.listenerCount('error') === 0) return EventEmitter.prototype.emit.call(this, 'error', ...args);
  // rawListeners is a snapshot; `once` wrappers remove themselves when called.
  const listeners = this.rawListeners(eventName) as Listener[];
  for (const listener of listeners) {
    try {
      const result = listener.apply(this, args);
      // An async listener's rejection is a failure like a throw, not an unhandled rejection.
      if (result instanceof Promise) result.catch((error: unknown) => listenerFailed(this, eventName, error));
    } catch (error) {
      listenerFailed(this, eventName, error);
    }
  }
  return listeners.length > 0;
};

function listenerFailed(emitter: EventEmitter, eventName: string | symbol, error: unknown): void {
  const handlers = emitter.rawListeners('listenererror') as Listener[];
  if (eventName === 'listenererror' || handlers.length === 0) {
    report(eventName, error);
    return;
  }
  for (const h of handlers) {
    try {
      h.call(emitter, eventName, error);
    } catch (again) {
      report('listenererror', again);
    }
  }
}
