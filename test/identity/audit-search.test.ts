// The audit administrator's one search over the system trail, against a running node: an
// archivist's views, exports and legal holds — written to the archive's own chain — are there
// too, each naming the archive entry it mirrors, and a person's sign-in name finds what they did
// (entries name people by subject and display name, not by the name they sign in with).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../server/core/audit-chain.ts';
import type { SystemAuditEntry } from '../../server/protocol/http/identity-shapes.ts';
import { writeSession } from '../support/archive-session.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { Browser, bootstrapSecurityAdmin, createAccount, firstSignIn } from './support.ts';

let platform: TestPlatform;
let auditor: string;
let archivist: string;
const api = () => new Browser(platform);

beforeAll(async () => {
  platform = await startTestPlatform({ NODE_ENV: 'production', JWT_SECRET: randomBytes(32).toString('hex') });
  const sa = await bootstrapSecurityAdmin(platform, 'sec.zhou');
  const security = (await firstSignIn(new Browser(platform), 'sec.zhou', sa.initialPassword)).signedIn.token;
  archivist = (await firstSignIn(new Browser(platform), 'arch.li', await createAccount(platform, security, { username: 'arch.li', displayName: '李档案', role: 'archivist' }))).signedIn.token;
  auditor = (await firstSignIn(new Browser(platform), 'audit.wu', await createAccount(platform, security, { username: 'audit.wu', displayName: '吴审计', role: 'audit-admin' }))).signedIn.token;
  await writeSession(platform.services.archive, 'S-audit-1', { caseNumber: 'XF20261202-000001', startedAt: '2026-12-02T01:00:00.000Z' });
});
afterAll(async () => {
  await platform?.close();
});

const search = (query: Record<string, string>) => api().data<SystemAuditEntry[]>('GET', `/api/identity/audit?${new URLSearchParams(query)}`, { token: auditor });

describe('the system audit trail', () => {
  it('holds the archivist’s views, exports and legal holds, each naming the archive entry it mirrors', async () => {
    await api().data('GET', '/api/archive/sessions/S-audit-1', { token: archivist });
    await api().data('POST', '/api/archive/sessions/S-audit-1/legal-hold', { token: archivist, body: { reason: '行政复议期间保全' } });
    const { job } = await api().data<{ job: { jobId: string } }>('POST', '/api/archive/sessions/S-audit-1/exports', { token: archivist, body: {} });
    await expect.poll(async () => (await api().data<{ job: { state: string } }>('GET', `/api/archive/exports/${job.jobId}`, { token: archivist })).job.state, { timeout: 20_000 }).toBe('done');

    const mirrored = (await search({ text: 'S-audit-1' })).reverse();
    expect(mirrored.map((e) => e.type)).toEqual(['archive-view', 'archive-legal-hold', 'archive-export', 'archive-export-completed']);
    expect(mirrored[1]).toMatchObject({ actor: { kind: 'user', name: '李档案', role: 'archivist' }, details: { sessionId: 'S-audit-1', reason: '行政复议期间保全', ip: expect.stringMatching(/127\.0\.0\.1/) } });
    // Each names its archive entry, and that entry is the same action in the archive's chain.
    const archive = platform.services.archive.audit.entries();
    for (const e of mirrored) {
      const original = archive.find((a) => a.seq === e.details.archiveSeq)!;
      expect({ type: `archive-${original.type}`, hash: original.hash, sub: original.actor.sub }).toEqual({ type: e.type, hash: e.details.archiveHash, sub: e.actor.sub });
    }
    // The recorder's own entries (recording start and stop) stay the archive's business.
    expect((await search({})).some((e) => e.actor.kind === 'system' && e.type.startsWith('archive-'))).toBe(false);
    expect((await api().data<{ ok: boolean }>('GET', '/api/identity/audit/verify', { token: auditor })).ok).toBe(true);
    expect(verifyAuditChain(platform.services.archive.audit.rawLines(), { fromGenesis: true })).toEqual([]);
  });

  it('finds what a person did by their sign-in name, not only the entries that spell it', async () => {
    const types = (entries: SystemAuditEntry[]) => new Set(entries.map((e) => e.type));
    const byName = await search({ text: 'ARCH.LI' });
    // Their sign-in and their archive actions name them only by subject: found through the account.
    expect([...types(byName)]).toEqual(expect.arrayContaining(['account-created', 'sign-in', 'password-changed', 'archive-view', 'archive-legal-hold', 'archive-export']));
    const subject = platform.tokens.verify(archivist).sub;
    expect(byName.every((e) => e.actor.sub === subject || JSON.stringify(e.details).toLowerCase().includes('arch.li'))).toBe(true);
    // Nobody else's sign-ins come with them.
    expect(byName.filter((e) => e.type === 'sign-in').every((e) => e.actor.sub === subject)).toBe(true);
    // A name no account has finds nothing.
    expect(await search({ text: 'nobody.here' })).toEqual([]);
  });
});
