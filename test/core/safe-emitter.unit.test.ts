import { afterEach, describe, expect, it } from 'vitest';
import { SafeEmitter, reportListenerErrorsTo } from '../../server/core/safe-emitter.ts';

interface Events {
  close: [reason: string];
  tick: [n: number];
}

describe('SafeEmitter', () => {
  const reported: [string | symbol, unknown][] = [];
  reportListenerErrorsTo((event, error) => reported.push([event, error]));
  afterEach(() => {
    reported.length = 0;
  });

  it('runs every listener even when one before it throws, and the emitter does not throw', () => {
    const e = new SafeEmitter<Events>();
    const heard: string[] = [];
    e.on('close', () => {
      throw new Error('first');
    });
    e.on('close', (reason) => heard.push(reason));
    expect(() => e.emit('close', 'ended')).not.toThrow();
    expect(heard).toEqual(['ended']);
    expect(reported.map(([ev, err]) => [ev, (err as Error).message])).toEqual([['close', 'first']]);
  });

  it('reports a failure as listenererror to whoever listens for it, instead of the process reporter', () => {
    const e = new SafeEmitter<Events & { listenererror: [event: string | symbol, error: unknown] }>();
    const failures: string[] = [];
    e.on('listenererror', (event, error) => failures.push(`${String(event)}: ${(error as Error).message}`));
    e.on('tick', (n) => {
      throw new Error(`bad ${n}`);
    });
    e.emit('tick', 7);
    expect(failures).toEqual(['tick: bad 7']);
    expect(reported).toEqual([]);
  });

  it('once listeners fire once, and a listener added during emit waits for the next emit', () => {
    const e = new SafeEmitter<Events>();
    const seen: number[] = [];
    e.once('tick', (n) => {
      seen.push(n);
      e.on('tick', (m) => seen.push(m * 10));
    });
    e.emit('tick', 1);
    e.emit('tick', 2);
    expect(seen).toEqual([1, 20]);
    expect(e.listenerCount('tick')).toBe(1);
  });

  it('an async listener that rejects is reported, not left as an unhandled rejection', async () => {
    const e = new SafeEmitter<Events>();
    e.on('tick', async () => {
      throw new Error('later');
    });
    e.emit('tick', 1);
    await new Promise((r) => setImmediate(r));
    expect(reported.map(([, err]) => (err as Error).message)).toEqual(['later']);
  });

  it('an unheard error event still throws, as Node does', () => {
    const e = new SafeEmitter<{ error: [Error] }>();
    expect(() => e.emit('error', new Error('nobody listens'))).toThrow('nobody listens');
  });
});
