// The identity of the store DATABASE_URL (or DATA_DIR) names, for the command-line tools: the
// same accounts and audit trail the server uses, without starting a node.
import { randomBytes } from 'node:crypto';
import { TokenIssuer } from '../../auth/grants.ts';
import { loadConfig } from '../../core/config.ts';
import { Store, storeLocation } from '../../core/db.ts';
import { createLogger } from '../../core/log.ts';
import { SystemAudit } from '../../core/system-audit.ts';
import { Identity, identityMigrations } from '../index.ts';
import { unwiredRevoker } from '../revoker.ts';

/** The tools enrol no devices. */
const refuse = async (): Promise<never> => {
  throw new Error('devices are enrolled through a running server');
};
const offline = { assertTerminalPoint: refuse, assertHouseholdManager: refuse, registerHomeDevice: refuse, updateHomeDevice: refuse, accessToken: refuse, cut: refuse };

export async function openIdentity(): Promise<{ identity: Identity; close(): Promise<void> }> {
  const config = loadConfig();
  const store = await Store.open(storeLocation(config.DATABASE_URL, config.DATA_DIR));
  await store.migrate(identityMigrations);
  const audit = new SystemAudit(store);
  const log = createLogger('warn');
  const identity = new Identity({
    store,
    // The tools issue no tokens; a throwaway secret keeps the issuer honest about that.
    tokens: new TokenIssuer(randomBytes(32).toString('hex'), 60),
    revoker: unwiredRevoker(log),
    audit,
    directory: { attributesOf: async () => undefined, exists: async () => false },
    targets: offline,
    households: { assertCanInvite: refuse, householdName: refuse, linkMember: refuse, removeMember: refuse },
    log,
  });
  return {
    identity,
    async close() {
      await audit.flushed();
      await store.close();
    },
  };
}
