// The recorders' UDP ports: where each recording PlainTransport sends its consumer's RTP. A port
// comes from a configured range (RECORDER_RTP_PORT_MIN/MAX) and is reserved by binding it: the
// socket that receives the RTP (rtp-intake.ts) is the one bound here and kept for the track's
// life, so no other process can take the port between the choice and its use — the former
// free-port probe closed its socket and let ffmpeg bind later, and collided under load
// (`bind failed: Address already in use`). ffmpeg itself binds no port (it reads over TCP,
// rtsp-feed.ts).
import dgram from 'node:dgram';

export interface PortRange {
  min: number;
  max: number;
}

/**
 * Outside Linux's ephemeral range (32768–60999), the workers' RTC range (41000–41999) and the
 * test harnesses' random port bases (20000–40999), so bind failures here mean another recorder.
 */
export const DEFAULT_RECORDER_PORTS: PortRange = { min: 61000, max: 62999 };

/** Since the process started: sockets bound, and bind attempts refused because the port was taken (another process in the range). */
export const recorderPortStats = { bound: 0, bindFailures: 0 };

/** Where the next search starts, per range: ports rotate, so a port just freed is not reused at once. */
const cursors = new Map<string, number>();

function bindOnce(port: number, recvBufferSize: number | undefined): Promise<dgram.Socket | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket({ type: 'udp4', ...(recvBufferSize ? { recvBufferSize } : {}) });
    s.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') recorderPortStats.bindFailures++;
      s.close();
      resolve(undefined);
    });
    s.bind(port, '127.0.0.1', () => {
      s.removeAllListeners('error');
      resolve(s);
    });
  });
}

/** A UDP socket bound on 127.0.0.1 to a port of `range` that nothing else holds. */
export async function bindRecorderSocket(range: PortRange, recvBufferSize?: number): Promise<dgram.Socket> {
  if (!(range.min >= 1 && range.max <= 65535 && range.min <= range.max)) throw new RangeError(`bad recorder port range ${range.min}-${range.max}`);
  const key = `${range.min}-${range.max}`;
  const size = range.max - range.min + 1;
  for (let i = 0; i < size; i++) {
    // Taken from the cursor before the bind is awaited, so concurrent calls try different ports.
    const port = cursors.get(key) ?? range.min;
    cursors.set(key, port >= range.max ? range.min : port + 1);
    const socket = await bindOnce(port, recvBufferSize);
    if (socket) {
      recorderPortStats.bound++;
      return socket;
    }
  }
  throw new Error(`no free UDP port for a recording in ${key}`);
}
