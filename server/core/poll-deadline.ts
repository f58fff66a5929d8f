// A deadline that a busy event loop cannot miss by accident. After a long synchronous stretch
// Node runs due timers before it reads the sockets, so a plain timeout fails a request whose
// answer is already waiting unread. setImmediate runs after the next poll phase: an answer that
// has arrived is read first, and only one that truly has not is given up on.

/** Calls `giveUp` once `ms` have passed and the sockets have been read since. Clear it with clearTimeout. */
export function pollDeadline(ms: number, giveUp: () => void): NodeJS.Timeout {
  return setTimeout(() => setImmediate(giveUp), ms);
}
