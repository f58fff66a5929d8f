// Legal hold release needs four eyes (issue 9.13), over the real archive API: the archivist who
// placed a hold cannot release it; a second archivist can (an administrator cannot: 三员分立), and the audit
// chain names both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../server/core/audit-chain.ts';
import { writeSession } from '../support/archive-session.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { send } from './edge-support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
  await writeSession(platform.services.archive, 'S-hold-1', { caseNumber: 'XF20261201-000007', startedAt: '2026-12-01T02:00:00.000Z' });
});
afterAll(async () => {
  await platform?.close();
});

const archivist = (sub: string, name: string, role: 'archivist' | 'admin' = 'archivist') =>
  platform.tokens.issue({ sub, name, role, grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [], canArchive: true } });
const hold = (token: string, method: 'POST' | 'DELETE', reason: string) =>
  send<{ session: { legalHold: boolean } }>(platform.url, method, `/api/archive/sessions/S-hold-1/legal-hold`, { token, body: { reason } });

describe('legal hold release', () => {
  it('is refused to the one who placed the hold, and done by a second archivist, both named in the audit chain', async () => {
    const first = archivist('arch-li', '李档案员');
    expect((await hold(first, 'POST', '行政复议期间保全')).body?.data?.session.legalHold).toBe(true);

    const self = await hold(first, 'DELETE', '复议结束');
    expect({ status: self.status, reason: (self.body?.error?.details as { reason?: string })?.reason }).toEqual({ status: 403, reason: 'four_eyes' });
    expect((await platform.services.archive.catalog.get('S-hold-1'))?.legalHold).toBe(true);

    const second = await hold(archivist('arch-wang', '王档案员'), 'DELETE', '复议结束');
    expect(second.body?.data?.session.legalHold).toBe(false);
    const release = platform.services.archive.audit.entries().filter((e) => e.type === 'legal-hold-release' && e.sessionId === 'S-hold-1').at(-1);
    expect(release).toMatchObject({ actor: { sub: 'arch-wang', name: '王档案员' }, details: { reason: '复议结束', placedBy: { sub: 'arch-li', name: '李档案员' } } });
    expect(verifyAuditChain(platform.services.archive.audit.rawLines(), { fromGenesis: true })).toEqual([]);
  });

  it('an administrator can neither place nor release a hold (三员分立: the archive is the archivists\')', async () => {
    const admin = archivist('admin-zhao', '赵管理员', 'admin');
    expect((await hold(admin, 'POST', '纪检调阅')).status).toBe(403);
    expect((await hold(admin, 'DELETE', '调阅结束')).status).toBe(403);
  });
});
