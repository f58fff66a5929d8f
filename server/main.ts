// `npm start`: the product on one machine. Starts its own Redis when REDIS_URL is unset.
import { ConfigError, loadConfig } from './core/config.ts';
import { createLogger } from './core/log.ts';
import { startEmbeddedRedis, type EmbeddedRedis } from './core/embedded-redis.ts';
import { SHUTDOWN_LIMIT_MS, startPlatform, WEB_DIR } from './app/platform.ts';
import { PAGES } from '../client-web/pages.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.LOG_LEVEL, { node: config.NODE_ID });
  let embedded: EmbeddedRedis | undefined;
  let redisUrl = config.REDIS_URL;
  if (!redisUrl) {
    embedded = await startEmbeddedRedis(config.DATA_DIR, log.child({ mod: 'redis' }));
    redisUrl = embedded.url;
  }
  const platform = await startPlatform({ config, redisUrl, log, webDir: WEB_DIR });

  const stop = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    // Whatever clients, recorders or disks do, the process is gone within the bound: recordings
    // not sealed by then are sealed by recovery (here after the restart, or by another node).
    setTimeout(() => {
      log.error({ limitMs: SHUTDOWN_LIMIT_MS }, 'shutdown took too long: exiting now');
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    try {
      await platform.close();
      await embedded?.stop();
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  const lines = [
    '',
    `  视频接访 + 平安心居 is running (node ${config.NODE_ID})`,
    // URLs first: CJK titles have no fixed width in a terminal.
    ...PAGES.map((p) => `  ${`${platform.url}/${p.file}`.padEnd(44)} ${p.title}`),
    `  ${`${platform.url}/healthz`.padEnd(44)} health`,
    `  ${`${platform.url}/metrics`.padEnd(44)} metrics`,
    `  ${redisUrl.padEnd(44)} redis${embedded ? ` (embedded, data in ${config.DATA_DIR}/redis)` : ''}`,
    '',
  ];
  // First start: nobody can sign in to create accounts yet. The command makes the first security
  // administrator with a one-time password (docs/identity.md); the line goes once one exists.
  if (!(await platform.services.identity.accounts.hasSecurityAdministrator())) {
    lines.push('  No security administrator yet. Create the first one (prints a one-time password):', '    npm run admin:create -- --username <name>', `  then sign in at ${platform.url}/sign-in.html`, '');
  }
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((err: unknown) => {
  console.error('fatal:', err);
  process.exit(1);
});
