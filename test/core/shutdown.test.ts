// A node shutting down while its Redis clients still owe replies: the socket.io adapter does not
// await its publishes, so a close that cut the sockets turned each one into an unhandled
// rejection (seen in CI as "Connection is closed", failing the run). Here the last service to
// close broadcasts while Redis is paused for writes, so the replies are certainly still owed
// when close() reaches Redis.
import { testRedis } from '../support/redis-client.ts';
import { describe, expect, it } from 'vitest';
import { startTestPlatform } from '../support/platform.ts';

describe('node shutdown', () => {
  it('waits for the replies owed to broadcasts in flight before it closes Redis', async () => {
    const node = await startTestPlatform();
    const admin = testRedis(process.env.REDIS_URL!);
    const rejected: unknown[] = [];
    const onRejection = (err: unknown) => rejected.push(err);
    process.on('unhandledRejection', onRejection);
    try {
      const closeServices = node.services.close.bind(node.services);
      node.services.close = async () => {
        await closeServices();
        await admin.call('CLIENT', 'PAUSE', '1500', 'WRITE');
        for (let i = 0; i < 50; i++) (node.io.to(`nobody-${i}`).emit as (event: string) => boolean)('ping');
      };
      await node.close();
      await new Promise((resolve) => setImmediate(resolve));
      expect(rejected).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
      await admin.call('CLIENT', 'UNPAUSE');
      admin.disconnect();
    }
  });
});
