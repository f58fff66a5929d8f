// How a node answers a client that keeps asking after it was found over budget: slowly. A
// flooder sends its next request (or opens its next connection) as soon as it has an answer, so
// however cheap a refusal is, answering it at once only makes the flood faster — on a busy node
// the refusals alone then fill the event loop everyone else waits in. Each refusal is held for
// `holdMs` instead, its socket paused meanwhile (nothing more it sends — a body, the next
// request — is read or parsed), and then sent: a flooder is slowed to its connection count per
// `holdMs`, and an honest client over budget loses nothing (it may not ask again before
// `Retry-After` anyway). Held refusals are capped per address and in all; past the cap the
// connection is cut without an answer, which costs the node nothing.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface TarpitSettings {
  holdMs: number;
  /** Refusals held at once for one address. */
  perAddress: number;
  /** Refusals held at once in all. */
  total: number;
}

export interface Tarpit {
  /**
   * An HTTP refusal: `answer` writes it after the hold, with `Connection: close` (node then
   * closes the connection, so whatever else it sent is never served).
   */
  refuse(address: string, req: IncomingMessage, res: ServerResponse, answer: () => void): void;
  /** A refused socket.io handshake: `answer` hands the refusal to engine.io after the hold. */
  refuseHandshake(address: string, req: IncomingMessage, answer: () => void): void;
}

export function createTarpit(s: TarpitSettings): Tarpit {
  const byAddress = new Map<string, number>();
  let held = 0;
  /** Holds `req`'s socket, then `answer` (unless it closed meanwhile); cuts it when over the caps. */
  const hold = (address: string, req: IncomingMessage, answer: () => void): void => {
    const mine = byAddress.get(address) ?? 0;
    if (mine >= s.perAddress || held >= s.total) {
      req.socket.destroy();
      return;
    }
    byAddress.set(address, mine + 1);
    held++;
    const socket = req.socket;
    socket.pause();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      socket.off('close', release);
      held--;
      const left = (byAddress.get(address) ?? 1) - 1;
      if (left > 0) byAddress.set(address, left);
      else byAddress.delete(address);
    };
    const timer = setTimeout(() => {
      release();
      if (socket.destroyed) return;
      socket.resume();
      answer();
    }, s.holdMs);
    // A client that gives up frees its place at once.
    socket.once('close', release);
  };
  return {
    refuse(address, req, res, answer) {
      hold(address, req, () => {
        res.setHeader('connection', 'close');
        answer();
      });
    },
    refuseHandshake: hold,
  };
}
