// Which mediasoup failures are the client's fault. mediasoup refuses a bad RTP dictionary with a
// TypeError (its own validation or the worker's MS_THROW_TYPE_ERROR), a codec the router does not
// have with UnsupportedError, and an SSRC, MID or RID another producer of the transport already
// uses with a plain Error from the worker's RTP listener. Each of those is a `bad_request`; every
// other failure stays what it is (a server fault).
import { types } from 'mediasoup';
import { AppError, badRequest } from '../server/core/errors.ts';

const LISTENER_CLASH = /already exists in RTP listener/;

export function clientFault(err: unknown, what: string): unknown {
  if (err instanceof AppError) return err;
  if (err instanceof TypeError || err instanceof types.UnsupportedError) return badRequest(`${what}: ${err.message}`);
  if (err instanceof Error && LISTENER_CLASH.test(err.message)) return badRequest(`${what}: ${err.message}`);
  return err;
}

/** Runs a mediasoup call; the client's mistakes come back as `bad_request`. */
export async function asClientRequest<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw clientFault(err, what);
  }
}
