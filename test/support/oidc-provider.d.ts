// The little of oidc-provider (v8, a development dependency without bundled types) the tests use.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  interface ProviderAccount {
    accountId: string;
    claims(use: string, scope: string): Promise<Record<string, unknown> & { sub: string }>;
  }
  interface ProviderConfiguration {
    clients: Record<string, unknown>[];
    claims?: Record<string, string[]>;
    pkce?: { required?: () => boolean; methods?: string[] };
    cookies?: { keys: string[] };
    findAccount(ctx: unknown, sub: string): Promise<ProviderAccount | undefined>;
  }
  export default class Provider {
    constructor(issuer: string, configuration: ProviderConfiguration);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
  }
}
