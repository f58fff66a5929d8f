// Identity of one node: accounts, sign-in, sessions (people), and the audit of all of it. Built
// once by the app with the node's store, token issuer, revocation channel and directory.
import type { TokenIssuer } from '../auth/grants.ts';
import type { Store } from '../core/db.ts';
import type { Logger } from '../core/log.ts';
import type { SystemAudit } from '../core/system-audit.ts';
import { Accounts, type SubjectCheck } from './accounts.ts';
import { Challenges } from './challenges.ts';
import { DEFAULT_POLICY, type IdentityPolicy } from './policy.ts';
import { identityDb } from './repository.ts';
import type { TokenRevoker } from './revoker.ts';
import { Sessions, type SubjectDirectory } from './sessions.ts';
import { SignIn } from './sign-in.ts';
import { Enrolment, type EnrolmentTargets } from './enrolment.ts';
import { Invitations, type InvitationTargets } from './invitations.ts';
import { SingleSignOn, type OidcSettings } from './oidc.ts';
import { Passkeys } from './passkeys.ts';

export { identityMigrations } from './migrations.ts';
export type { IdentityPolicy, TokenRevoker, SubjectDirectory, SubjectCheck, EnrolmentTargets, InvitationTargets };
export { DEFAULT_POLICY };

export interface IdentityDeps {
  store: Store;
  tokens: TokenIssuer;
  revoker: TokenRevoker;
  audit: SystemAudit;
  /** Directory look-ups: does this official/counsellor/family member exist, what are their attributes. */
  directory: SubjectDirectory & SubjectCheck;
  /** Terminal points and households devices are enrolled into. */
  targets: EnrolmentTargets;
  /** Households people are invited into. */
  households: InvitationTargets;
  log: Logger;
  policy?: Partial<IdentityPolicy>;
  /** The city's identity provider (OIDC), when one is configured. */
  singleSignOn?: OidcSettings;
  now?: () => number;
}

export class Identity {
  readonly policy: IdentityPolicy;
  readonly sessions: Sessions;
  readonly signIn: SignIn;
  readonly accounts: Accounts;
  readonly challenges: Challenges;
  readonly passkeys: Passkeys;
  readonly enrolment: Enrolment;
  readonly invitations: Invitations;
  readonly audit: SystemAudit;
  readonly singleSignOn: SingleSignOn | undefined;

  constructor(d: IdentityDeps) {
    const now = d.now ?? Date.now;
    this.policy = { ...DEFAULT_POLICY, ...d.policy };
    this.audit = d.audit;
    const db = identityDb(d.store);
    this.challenges = new Challenges(db, now, this.policy.challengeSeconds * 1000);
    this.sessions = new Sessions({ store: d.store, db, tokens: d.tokens, revoker: d.revoker, audit: d.audit, directory: d.directory, policy: this.policy, now });
    this.passkeys = new Passkeys({ db, challenges: this.challenges, audit: d.audit, now });
    this.signIn = new SignIn({ db, sessions: this.sessions, challenges: this.challenges, passkeys: this.passkeys, audit: d.audit, policy: this.policy, now });
    this.accounts = new Accounts({
      db, sessions: this.sessions, signIn: this.signIn, challenges: this.challenges, audit: d.audit, subjects: d.directory, now,
      revoker: d.revoker,
      // Room tokens (TOKEN_TTL_SECONDS) outlive access tokens; a day covers the development tokens too.
      tokenLifetimeSeconds: Math.max(d.tokens.defaultTtlSeconds, this.policy.accessTokenSeconds, 24 * 3600) + 60,
    });
    this.enrolment = new Enrolment({ store: d.store, db, targets: d.targets, revoker: d.revoker, audit: d.audit, policy: this.policy, now });
    this.singleSignOn = d.singleSignOn
      ? new SingleSignOn({ settings: d.singleSignOn, db, accounts: this.accounts, sessions: this.sessions, challenges: this.challenges, subjects: d.directory, audit: d.audit })
      : undefined;
    this.invitations = new Invitations({ db, targets: d.households, accounts: this.accounts, signIn: this.signIn, sessions: this.sessions, revoker: d.revoker, audit: d.audit, now });
  }
}
