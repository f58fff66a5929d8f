// The archive names the case's region and departments as the directory calls them (issue 12.11):
// the manifest keeps the ids it was filed under, the session's answer adds the names the
// directory knows now, and an id it no longer knows stays an id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbPetitionRepository } from '../../server/petition/repository.ts';
import type { SessionDetail } from '../../server/protocol/http/archive-shapes.ts';
import { writeSession } from '../support/archive-session.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { send } from '../security/edge-support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await platform?.close();
});

describe('archive session names', () => {
  it("answers the directory's names for the case's region and department ids", async () => {
    const repo = new DbPetitionRepository(platform.services.store);
    const office = (await repo.listDepartments()).find((d) => d.regionCode !== '341300')!;
    const region = (await repo.getRegion(office.regionCode))!;
    await writeSession(platform.services.archive, 'S-names-1', { caseNumber: 'XF20261202-000001', startedAt: '2026-12-02T02:00:00.000Z', region: region.code, department: office.id });
    const unknown = 'S-names-2';
    await writeSession(platform.services.archive, unknown, { caseNumber: 'XF20261202-000002', startedAt: '2026-12-02T03:00:00.000Z', region: '999999', department: '999999-gone' });

    const token = platform.tokens.issue({ sub: 'arch', name: '档案员', role: 'archivist', grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [], canArchive: true } });
    const open = async (id: string) => (await send<SessionDetail>(platform.url, 'GET', `/api/archive/sessions/${id}`, { token })).body?.data;

    const known = await open('S-names-1');
    expect(known?.manifest.caseInfo).toMatchObject({ region: region.code, departments: [office.id] });
    expect(known?.names).toEqual({ regions: { [region.code]: region.name }, departments: { [office.id]: office.name } });
    expect((await open(unknown))?.names).toEqual({ regions: {}, departments: {} });
  });
});
