// Retention periods are the system administrator's setting, against a running node: stored in the
// store, changed over /api/admin/retention, audited with before and after, and what the retention
// sweep keeps follows the change — a household call kept under 30 days goes under 7, a petition
// session kept under three years goes under one, and one under legal hold stays whatever the period.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RetentionPeriods } from '../../server/protocol/http/archive-shapes.ts';
import type { SystemAuditEntry } from '../../server/protocol/http/identity-shapes.ts';
import { writeSession } from '../support/archive-session.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { Browser } from './support.ts';

let platform: TestPlatform;
let admin: string;
const api = () => new Browser(platform);
const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();

beforeAll(async () => {
  platform = await startTestPlatform();
  admin = platform.token('sysadmin-ret', 'admin', { rooms: [] }, { name: '周系统' });
  const archive = platform.services.archive;
  await writeSession(archive, 'S-call-10d', { caseNumber: 'H-1', kind: 'household', startedAt: daysAgo(10) });
  await writeSession(archive, 'S-petition-2y', { caseNumber: 'XF20241201-000001', startedAt: daysAgo(2 * 365) });
  await writeSession(archive, 'S-petition-held', { caseNumber: 'XF20241201-000002', startedAt: daysAgo(2 * 365) });
  await archive.placeLegalHold('S-petition-held', { kind: 'user', sub: 'arch-1', name: '李档案', role: 'archivist' }, '诉讼中');
});
afterAll(async () => {
  await platform?.close();
});

const kept = async () => (await platform.services.archive.catalog.search({ limit: 100 })).map((s) => s.sessionId).sort();

describe('retention periods', () => {
  it('start at the placeholders, and the sweep keeps what they keep', async () => {
    expect(await api().data<RetentionPeriods>('GET', '/api/admin/retention', { token: admin })).toEqual({ petition: 1095, household: 30, property: 1095 });
    expect(await platform.services.archive.sweepRetention()).toEqual([]);
    expect(await kept()).toEqual(['S-call-10d', 'S-petition-2y', 'S-petition-held']);
  });

  it('are set by the system administrator only, stored, audited, and the sweep deletes by them', async () => {
    const official = platform.token('O341321-rs-1', 'official', { rooms: [] });
    expect((await api().send('PUT', '/api/admin/retention', { token: official, body: { petition: 1, household: 1, property: 1 } })).status).toBe(403);
    expect((await api().send('PUT', '/api/admin/retention', { token: admin, body: { petition: 0, household: 7, property: 365 } })).status).toBe(400);

    const set = await api().data<RetentionPeriods>('PUT', '/api/admin/retention', { token: admin, body: { petition: 365, household: 7, property: 365 } });
    expect(set).toEqual({ petition: 365, household: 7, property: 365 });
    expect(await platform.services.archive.catalog.retentionSettings()).toEqual({ petition: 365, household: 7, property: 365 });
    // The deletion date the archive page shows moved with the setting.
    const call = await platform.services.archive.catalog.get('S-call-10d');
    expect(Date.parse(call!.retainUntil!) - Date.parse(call!.stoppedAt!)).toBe(7 * 86_400_000);

    const audited = await platform.services.identity.audit.search({ type: 'configuration-changed', limit: 10 });
    expect(audited[0]).toMatchObject({
      actor: { sub: 'sysadmin-ret', name: '周系统', role: 'admin' },
      details: { setting: 'retention', before: { petition: 1095, household: 30 }, after: { petition: 365, household: 7 } },
    });

    expect((await platform.services.archive.sweepRetention()).sort()).toEqual(['S-call-10d', 'S-petition-2y']);
    expect(await kept()).toEqual(['S-petition-held']);
    // Each deletion names the period that ended.
    const tomb = platform.services.archive.audit.entries().filter((e) => e.type === 'deletion').map((e) => e.details.reason);
    expect(tomb).toEqual(expect.arrayContaining([expect.stringContaining('class household'), expect.stringContaining('class petition')]));
  });

  it('a new recording takes the period in force', async () => {
    const m = await writeSession(platform.services.archive, 'S-call-new', { caseNumber: 'H-2', kind: 'household', startedAt: daysAgo(1) });
    const row = await platform.services.archive.catalog.get('S-call-new');
    expect(Date.parse(row!.retainUntil!)).toBe(Date.parse(m.stoppedAt!) + 7 * 86_400_000);
    const page = await api().data<SystemAuditEntry[]>('GET', '/api/identity/audit?type=configuration-changed', { token: platform.token('audit-1', 'audit-admin', { rooms: [] }) });
    expect(page.some((e) => e.details.setting === 'retention')).toBe(true);
  });
});
