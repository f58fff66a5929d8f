// How a node answers an address that keeps asking after it was found over budget: slowly. A
// flooder on keep-alive connections sends its next request as soon as it has an answer, so
// however cheap a refusal is, answering it at once only makes the flood faster — on a busy node
// the refusals alone then fill the event loop everyone else waits in. Each refusal is held for
// `holdMs` instead (the socket paused meanwhile, so nothing more it sends — a body, the next
// request — is read or parsed) and then sent with `Connection: close`: a flooder is slowed to its connection
// count per `holdMs`, and an honest client over budget loses nothing (it may not ask again
// before `Retry-After` anyway). Held refusals are capped per address and in all; past the cap a
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
  /** Sends `answer` to the request after the hold, or cuts the connection when too many are held. */
  refuse(address: string, req: IncomingMessage, res: ServerResponse, answer: (res: ServerResponse) => void): void;
  /** Refusals held now (for tests and metrics). */
  readonly held: number;
}

export function createTarpit(s: TarpitSettings): Tarpit {
  const byAddress = new Map<string, number>();
  let held = 0;
  return {
    get held() {
      return held;
    },
    refuse(address, req, res, answer) {
      const mine = byAddress.get(address) ?? 0;
      if (mine >= s.perAddress || held >= s.total) {
        req.socket.destroy();
        return;
      }
      byAddress.set(address, mine + 1);
      held++;
      req.socket.pause();
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        clearTimeout(timer);
        held--;
        const left = (byAddress.get(address) ?? 1) - 1;
        if (left > 0) byAddress.set(address, left);
        else byAddress.delete(address);
      };
      const timer = setTimeout(() => {
        release();
        if (res.destroyed) return;
        // The connection goes once the answer is out (node closes it after a `Connection: close`
        // answer), so whatever else it sent is never served.
        res.setHeader('connection', 'close');
        req.socket.resume();
        answer(res);
      }, s.holdMs);
      // A client that gives up frees its place at once.
      res.once('close', release);
    },
  };
}
