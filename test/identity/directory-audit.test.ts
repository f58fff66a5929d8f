// What the system trail holds beyond sign-ins, against a running node over HTTP: cameras added,
// removed and retired, counsellor assignments, and an official opening a case's file; and a
// compound camera with history, which cannot be deleted, retired instead — kept for the record,
// gone from the list, no longer watched or shown in a matter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SystemAuditEntry } from '../../server/protocol/http/identity-shapes.ts';
import { PROPERTY_SEED as P } from '../../server/property/index.ts';
import { SEED } from '../household/fixture.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { Browser } from './support.ts';

const CAMERA_PORT = 8554;
const none = { rooms: [], canPublish: false, canSubscribe: false, sources: [] };

let platform: TestPlatform;
let admin: string;
let auditor: string;
const api = () => new Browser(platform);
const trail = (query: Record<string, string>) => api().data<SystemAuditEntry[]>('GET', `/api/identity/audit?${new URLSearchParams({ limit: '200', ...query })}`, { token: auditor });

beforeAll(async () => {
  platform = await startTestPlatform({ CAMERA_ALLOWED_NETWORKS: '127.0.0.0/8', CAMERA_ALLOWED_PORTS: String(CAMERA_PORT) });
  admin = platform.token('sysadmin-dir', 'admin', { rooms: [] }, { name: '周系统' });
  auditor = platform.token('audit-dir', 'audit-admin', { rooms: [] });
}, 120_000);
afterAll(async () => {
  await platform?.close();
});

describe('the system trail records directory changes and case-file views', () => {
  it('holds a household camera added and removed, and a counsellor assigned and unassigned, each naming who did it', async () => {
    const H = SEED.households.wang;
    const camera = await api().data<{ id: string }>('POST', `/api/household/households/${H}/cameras`, {
      token: admin,
      body: { name: '堂屋摄像头', place: 'living-room', url: `rtsp://127.0.0.1:${CAMERA_PORT}/living` },
    });
    await api().data('DELETE', `/api/household/households/${H}/cameras/${camera.id}`, { token: admin });
    await api().data('POST', `/api/household/households/${H}/counsellors`, { token: admin, body: { counsellorId: SEED.counsellors.chen } });
    await api().data('DELETE', `/api/household/households/${H}/counsellors/${SEED.counsellors.chen}`, { token: admin });

    const by = { kind: 'user', sub: 'sysadmin-dir', name: '周系统', role: 'admin' };
    expect(await trail({ type: 'camera-added', text: camera.id })).toEqual([expect.objectContaining({ actor: by, details: expect.objectContaining({ householdId: H, cameraId: camera.id, name: '堂屋摄像头' }) })]);
    expect(await trail({ type: 'camera-removed', text: camera.id })).toEqual([expect.objectContaining({ actor: by, details: { householdId: H, cameraId: camera.id } })]);
    expect(await trail({ type: 'counsellor-assigned', text: H })).toEqual([expect.objectContaining({ actor: by, details: { householdId: H, counsellorId: SEED.counsellors.chen } })]);
    expect(await trail({ type: 'counsellor-unassigned', text: H })).toEqual([expect.objectContaining({ actor: by, details: { householdId: H, counsellorId: SEED.counsellors.chen } })]);
  });

  it('records an official opening a case’s file, not the petitioner’s terminal reading its own case', async () => {
    const t = 'T341322101201';
    const terminal = platform.tokens.issue({ sub: `device-${t}`, name: '终端', role: 'terminal', grant: none, attributes: { terminalId: t } });
    const started = await api().data<{ case: { id: string }; ticketId: string }>('POST', '/api/petition/cases', { token: terminal, body: { terminalId: t, category: 'wages' } });
    const official = platform.tokens.issue({ sub: 'O341322-rs-1', name: '萧县人社局', role: 'official', grant: none, attributes: { department: '341322-rs' } });
    await api().data('POST', `/api/petition/tickets/${encodeURIComponent(started.ticketId)}/accept`, { token: official, body: {} });
    await api().data('GET', `/api/petition/cases/${started.case.id}/timeline`, { token: terminal });
    expect(await trail({ type: 'case-viewed', text: started.case.id })).toEqual([]);

    const timeline = await api().data<unknown[]>('GET', `/api/petition/cases/${started.case.id}/timeline`, { token: official });
    expect(timeline.length).toBeGreaterThan(0);
    // The desk reading it again on the case's next update is the same opening of the file.
    await api().data('GET', `/api/petition/cases/${started.case.id}/timeline`, { token: official });
    expect(await trail({ type: 'case-viewed', text: started.case.id })).toEqual([
      expect.objectContaining({ actor: { kind: 'user', sub: 'O341322-rs-1', name: '萧县人社局', role: 'official' }, details: { caseId: started.case.id } }),
    ]);
    // Someone the case is not shown to leaves no view behind either.
    const stranger = platform.tokens.issue({ sub: 'O341302-rs-1', name: '埇桥区人社局', role: 'official', grant: none, attributes: { department: '341302-rs' } });
    expect((await api().send('GET', `/api/petition/cases/${started.case.id}/timeline`, { token: stranger })).status).toBe(403);
    expect(await trail({ type: 'case-viewed', text: started.case.id })).toHaveLength(1);
  }, 60_000);

  it('retires a compound camera that was watched: it cannot be deleted, leaves the list, is refused for views and matters, and its history stays', async () => {
    const cameras = `/api/property/compounds/${P.compound}/cameras`;
    const camera = await api().data<{ id: string }>('POST', cameras, { token: admin, body: { name: '北门摄像头', location: '北门', url: `rtsp://127.0.0.1:${CAMERA_PORT}/north` } });
    const grid = platform.token(SEED.villageContacts.zhangzhuang, 'grid-worker', { rooms: [] }, { name: '张庄网格员' });
    await api().data('POST', `/api/property/cameras/${camera.id}/view`, { token: grid });

    const refused = await api().send('DELETE', `${cameras}/${camera.id}`, { token: admin });
    expect(refused.body).toMatchObject({ ok: false, error: { code: 'conflict', details: { reason: 'camera_has_history' } } });
    await api().data('POST', `${cameras}/${camera.id}/retire`, { token: admin });

    expect((await api().data<{ id: string }[]>('GET', cameras, { token: admin })).map((c) => c.id)).not.toContain(camera.id);
    const view = await api().send('POST', `/api/property/cameras/${camera.id}/view`, { token: grid });
    expect(view.body).toMatchObject({ ok: false, error: { code: 'conflict', details: { reason: 'camera_retired' } } });
    // A matter cannot show it: raised by its resident, the retired camera is neither chosen nor addable.
    const resident = platform.token(P.residents.chen, 'resident', { rooms: [] }, { name: '陈桂兰' });
    const raised = await api().data<{ matter: { id: string; cameraIds: string[] } }>('POST', '/api/property/matters', {
      token: resident,
      body: { compoundId: P.compound, category: 'parking', location: '北门', description: '北门车辆乱停' },
    });
    expect(raised.matter.cameraIds).not.toContain(camera.id);
    const office = platform.token(P.staff.liu, 'property', { rooms: [] }, { name: '刘晓东' });
    const added = await api().send('POST', `/api/property/matters/${raised.matter.id}/cameras`, { token: office, body: { cameraId: camera.id } });
    expect(added.body).toMatchObject({ ok: false, error: { code: 'conflict', details: { reason: 'camera_retired' } } });
    // Kept: the camera row and the record of who watched it.
    const kept = await platform.services.store.db<{ compound_cameras: { id: string; retired_at: number | null } }>().selectFrom('compound_cameras').select(['id', 'retired_at']).where('id', '=', camera.id).executeTakeFirst();
    expect(kept?.retired_at).toEqual(expect.any(Number));
    const views = await platform.services.store.db<{ compound_camera_views: { id: string; camera_id: string; viewer_id: string } }>().selectFrom('compound_camera_views').select(['id', 'viewer_id']).where('camera_id', '=', camera.id).execute();
    expect(views.map((v) => v.viewer_id)).toEqual([SEED.villageContacts.zhangzhuang]);
    // The view opened before the retirement no longer pulls the camera into its room.
    expect(await platform.services.property.camerasForRoom({ viewId: views[0]!.id })).toEqual([]);

    expect((await trail({ type: 'camera-retired', text: camera.id })).map((e) => e.details)).toEqual([{ compoundId: P.compound, cameraId: camera.id }]);
    expect((await trail({ type: 'camera-added', text: camera.id })).map((e) => e.details)).toEqual([{ compoundId: P.compound, cameraId: camera.id, name: '北门摄像头', location: '北门' }]);
    // A camera never used is still deleted outright, and that is recorded too.
    const spare = await api().data<{ id: string }>('POST', cameras, { token: admin, body: { name: '备用', location: '库房', url: `rtsp://127.0.0.1:${CAMERA_PORT}/spare` } });
    await api().data('DELETE', `${cameras}/${spare.id}`, { token: admin });
    expect((await trail({ type: 'camera-removed', text: spare.id })).map((e) => e.details)).toEqual([{ compoundId: P.compound, cameraId: spare.id }]);
  }, 60_000);
});
