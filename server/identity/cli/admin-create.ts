// npm run admin:create -- --username NAME [--name 显示名] [--role security-admin|admin|audit-admin]
// Creates an administrator account on the server's store and prints its one-time password (to be
// changed at the first sign-in, where the second factor is set up too). The first one is a
// security administrator, who then creates every other account (docs/identity.md).
import { parseArgs } from 'node:util';
import { systemActor } from '../../core/system-audit.ts';
import { ADMIN_ROLES, usernameSchema } from '../../protocol/http/identity-shapes.ts';
import { openIdentity } from './open.ts';

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({ options: { username: { type: 'string' }, name: { type: 'string' }, role: { type: 'string', default: 'security-admin' } } }).values;
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const username = usernameSchema.safeParse(args.username ?? '');
  const role = ADMIN_ROLES.find((r) => r === args.role);
  if (!username.success || !role) {
    console.error(`usage: npm run admin:create -- --username NAME [--name 显示名] [--role ${ADMIN_ROLES.join('|')}]`);
    return 2;
  }
  let opened;
  try {
    opened = await openIdentity();
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const { identity, close } = opened;
  try {
    const { account, initialPassword } = await identity.accounts.create(systemActor('admin:create'), {
      username: username.data,
      displayName: args.name ?? { 'security-admin': '安全管理员', admin: '系统管理员', 'audit-admin': '审计管理员' }[role],
      role,
    });
    console.log(`created ${account.role} ${account.username} (${account.id})`);
    console.log(`one-time password: ${initialPassword}`);
    console.log('sign in at /sign-in.html: you will choose a new password and set up an authenticator app');
    return 0;
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  } finally {
    await close();
  }
}

process.exitCode = await main();
