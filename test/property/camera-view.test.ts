// A compound camera view as a room: the server pulls the camera (a real GStreamer RTSP server)
// into a view-only room of its own for the one who asked; the viewer is offered the camera's
// video and may send nothing; the view is the viewer's own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { startRtspServer, type RtspServer } from '../household/support/media.ts';
import { until } from '../support/evidence.ts';
import { Client, connectAs } from '../security/support.ts';
import { PROPERTY_SEED as P } from '../../server/property/index.ts';
import { SEED } from '../household/fixture.ts';

describe('compound camera view rooms', () => {
  let platform: TestPlatform;
  let rtsp: RtspServer;
  const clients: Client[] = [];

  beforeAll(async () => {
    rtsp = await startRtspServer();
    platform = await startTestPlatform({ CAMERA_ALLOWED_NETWORKS: '127.0.0.0/8', CAMERA_ALLOWED_PORTS: String(rtsp.port) });
  }, 120_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await rtsp?.stop();
    await platform?.close();
  });

  /** The service, the compound's property office and the 网格员 who watches its cameras. */
  const parties = () => {
    const claims = (sub: string, role: Parameters<TestPlatform['token']>[1]) => platform.tokens.verify(platform.token(sub, role, { rooms: [] }, { name: sub }));
    return { property: platform.services.property, office: claims(P.staff.liu, 'property'), grid: claims(SEED.villageContacts.zhangzhuang, 'grid-worker') };
  };

  it('the camera is pulled in as the room’s one publisher, offered to the viewer, who sends nothing; the compound’s property office cannot enter the 网格员’s view', async () => {
    const { property, office, grid } = parties();
    const gate = await property.addCamera(office, P.compound, { name: '东门摄像头', location: '东门', url: rtsp.url('/vp8') });
    const ticket = await property.viewCamera(grid, gate.id);

    const viewer = await connectAs(platform, ticket.token);
    clients.push(viewer);
    const joined = await viewer.join(ticket.roomId);
    expect(joined.ok).toBe(true);
    // The camera joins once the room exists on this node: already in the join reply, or offered right after.
    const cameraPeer = `camera:${gate.id}`;
    const inReply = joined.ok && joined.data.peers.some((p) => p.peerId === cameraPeer && (p as { producers?: { kind: string }[] }).producers?.some((x) => x.kind === 'video'));
    if (!inReply) expect(await viewer.told<{ peerId: string; kind: string }>('newProducer', (p) => p.peerId === cameraPeer)).toMatchObject({ kind: 'video' });
    const room = platform.rooms.get(ticket.roomId)!;
    await until('the camera is a participant of the view room', () => room.peers.has(`camera:${gate.id}`), 30_000);
    expect([...room.peers.keys()].sort()).toEqual([`camera:${gate.id}`, SEED.villageContacts.zhangzhuang].sort());

    // View-only: no send transport, so nothing of the viewer's reaches the room.
    const send = await viewer.call('createWebRtcTransport', { direction: 'send' });
    expect(send).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    // The office's own token for this room (it is a watcher of the compound) is refused: the view is the 网格员's.
    const other = await connectAs(platform, platform.token(P.staff.liu, 'property', { rooms: [ticket.roomId] }, { name: '刘晓东' }));
    clients.push(other);
    expect(await other.join(ticket.roomId)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  }, 120_000);

  it('a retired camera leaves at once: its view ends for the viewer, a matter’s session goes on without it', async () => {
    const { property, office, grid } = parties();
    const camera = await property.addCamera(office, P.compound, { name: '北门摄像头', location: '北门', url: rtsp.url('/vp8') });
    const view = await property.viewCamera(grid, camera.id);
    const viewer = await connectAs(platform, view.token);
    clients.push(viewer);
    expect((await viewer.join(view.roomId)).ok).toBe(true);
    const raised = await property.raise(office, { compoundId: P.compound, category: 'security', location: '北门', description: '北门门禁损坏', residentId: P.residents.chen, cameraIds: [camera.id] });
    const party = await connectAs(platform, raised.token);
    clients.push(party);
    expect((await party.join(raised.roomId)).ok).toBe(true);
    const cameraPeer = `camera:${camera.id}`;
    const viewRoom = platform.rooms.get(view.roomId)!;
    const matterRoom = platform.rooms.get(raised.roomId)!;
    await until('the camera is in both rooms, sending video', () => [viewRoom, matterRoom].every((r) => [...(r.peers.get(cameraPeer)?.producers.values() ?? [])].some((p) => p.kind === 'video')), 30_000);
    const told = party.pushed.length;

    await property.retireCamera(office, P.compound, camera.id);
    // The viewer is told the view is over; the matter's party sees the camera leave, the room stays.
    expect(await viewer.told<{ reason: string }>('roomClosed')).toMatchObject({ reason: 'ended' });
    expect(await party.told<{ peerId: string }>('peerLeft', (p) => p.peerId === cameraPeer, told)).toBeTruthy();
    expect(viewRoom.closed).toBe(true);
    expect(matterRoom.closed).toBe(false);
    expect(matterRoom.peers.has(cameraPeer)).toBe(false);
  }, 120_000);
});
