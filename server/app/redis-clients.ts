// The node's Redis connections — the one place that creates them: commands, the publish/subscribe
// pair of socket.io's adapter, and any further subscriber a module needs (`connection`).
//
// Fail fast: a request that needs Redis while it is out of reach is answered `unavailable` in
// under a second instead of waiting for reconnection. So no offline queue (a command while
// disconnected fails at once), in-flight commands fail when the connection drops instead of being
// re-sent later (a re-sent enqueue would queue a ticket for a case the request already undid),
// and a command not answered within COMMAND_TIMEOUT_MS fails (a Redis host that stops answering
// without closing the connection) — but not one whose reply came while the event loop was busy
// (`NodeRedis`). ioredis still reconnects by itself; the first command after that succeeds.
//
// Every connection has an 'error' listener: ioredis emits 'error' for each failed (re)connect and
// each broken socket (EPIPE, ECONNRESET), and an EventEmitter's 'error' without a listener is
// printed as "[ioredis] Unhandled error event". `redis.duplicate()` copies options, not listeners,
// so modules ask for `connection(name)` instead of duplicating a client themselves.
import { Redis, type Command, type RedisOptions } from 'ioredis';
import type { Logger } from '../core/log.ts';
import { pollDeadline } from '../core/poll-deadline.ts';

export const COMMAND_TIMEOUT_MS = 800;

const timed = new WeakSet<Command>();

/**
 * ioredis's own `commandTimeout` is a plain timer: after the event loop was busy past it (a burst
 * of starts, a large page of rows) it fails commands whose replies are already in the socket,
 * unread. This one reads the socket before it gives up (pollDeadline). Every command passes
 * here, pipelined ones too.
 */
class NodeRedis extends Redis {
  override sendCommand(command: Command, ...rest: unknown[]): unknown {
    const sent = (super.sendCommand as (c: Command, ...r: unknown[]) => unknown)(command, ...rest);
    if (!command.isSettled && !timed.has(command)) {
      timed.add(command);
      const timer = pollDeadline(COMMAND_TIMEOUT_MS, () => {
        if (!command.isSettled) command.reject(new Error('Command timed out'));
      });
      const clear = () => clearTimeout(timer);
      command.promise.then(clear, clear);
    }
    return sent;
  }
}

/** The node reads replies in ioredis's default (RESP2-like) shapes everywhere. */
type ConnectionOptions = Omit<RedisOptions, 'replyMapping'>;

const OPTIONS: ConnectionOptions = {
  enableOfflineQueue: false,
  autoResendUnfulfilledCommands: false,
  maxRetriesPerRequest: 0,
  // Reconnect quickly after a restart; never slower than every 2 s.
  retryStrategy: (attempt) => Math.min(100 * attempt, 2000),
};

export interface RedisClients {
  redis: Redis;
  pub: Redis;
  sub: Redis;
  /** A further connection with the same options and error handling, closed with the others (e.g. a module's own subscriber). */
  connection(name: string, extra?: ConnectionOptions): Redis;
  /** Errors each connection reported since start, by name (`sv_redis_errors_total`). */
  readonly errors: ReadonlyMap<string, number>;
  /**
   * quit, not disconnect: replies still owed (the socket.io adapter's publishes are not awaited
   * by it) arrive before the socket closes, instead of rejecting unhandled. Gives up after 2 s.
   */
  close(): Promise<void>;
}

/** Connects the three (waiting while Redis is not up yet: a node does not start without it). */
export async function connectRedis(url: string, log: Logger): Promise<RedisClients> {
  const clients: Redis[] = [];
  const errors = new Map<string, number>();
  // ioredis reports every failed reconnect; one line per outage, and one when it is over.
  let down = false;
  const connection = (name: string, extra: ConnectionOptions = {}): Redis => {
    const c = new NodeRedis(url, { ...OPTIONS, ...extra, connectionName: name });
    errors.set(name, errors.get(name) ?? 0);
    c.on('error', (err: Error) => {
      errors.set(name, (errors.get(name) ?? 0) + 1);
      if (down) return;
      down = true;
      log.warn({ err: err.message, connection: name }, 'redis | connection lost; requests needing it answer unavailable until it is back');
    });
    c.on('ready', () => {
      if (!down) return;
      down = false;
      log.info({ connection: name }, 'redis | connection back');
    });
    clients.push(c);
    return c;
  };
  // Auto-pipelining: the commands issued in one tick go out in one socket write. A burst of
  // petition starts or a wait pass issues hundreds at once, and one write per command was the
  // largest Redis cost in the start path's profile (docs/bench-scheduler.md). Replies, timeouts
  // and the offline rejection stay per command. Not on subscribers (nothing to batch there).
  const redis = connection('commands', { enableAutoPipelining: true });
  const pub = connection('adapter-pub', { enableAutoPipelining: true });
  const sub = connection('adapter-sub');
  // socket.io's adapter publishes, subscribes and unsubscribes without handling the promise: a
  // command during an outage (or one timed out) must not become an unhandled rejection, which
  // would end the process. The adapter still gets the promise as it is.
  unhandledAllowed(pub, ['publish']);
  unhandledAllowed(sub, ['subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe']);
  // Not events.once: it rejects on the 'error' events of a Redis that is not up yet.
  await Promise.all([redis, pub, sub].map((c) => (c.status === 'ready' ? undefined : new Promise((resolve) => c.once('ready', resolve)))));
  return {
    redis,
    pub,
    sub,
    connection,
    errors,
    async close() {
      await Promise.all(
        clients.map(async (c) => {
          const gaveUp = new Promise<void>((resolve) => setTimeout(resolve, 2000).unref());
          await Promise.race([c.quit().catch(() => undefined), gaveUp]);
          c.disconnect();
        }),
      );
    },
  };
}

function unhandledAllowed(client: Redis, methods: ('publish' | 'subscribe' | 'psubscribe' | 'unsubscribe' | 'punsubscribe')[]): void {
  for (const m of methods) {
    const original = (client[m] as (...a: unknown[]) => Promise<unknown>).bind(client);
    (client as unknown as Record<string, unknown>)[m] = (...args: unknown[]) => {
      const p = original(...args);
      p.catch(() => undefined);
      return p;
    };
  }
}
