// The call tiles' view-model: own preview first, a tile per participant with the latest track of
// each kind, the status line and the control labels.
import { describe, expect, it } from 'vitest';
import { callTilesModel, type CallSnapshot } from '../../client-web/src/widgets/call-tiles-model.ts';
import { translator } from '../../client-web/src/lib/i18n.ts';
import type { RemoteTrack } from '../../client-web/src/lib/call-session.ts';
import type { PeerInfo } from '../../server/protocol/signalling.ts';

const zh = translator('zh');
const peer = (peerId: string, name: string): [string, PeerInfo] => [peerId, { peerId, name, role: 'official', producers: [] } as unknown as PeerInfo];
const track = (peerId: string, consumerId: string, kind: 'audio' | 'video', paused = false): RemoteTrack =>
  ({ peerId, consumerId, source: kind === 'video' ? 'camera' : 'microphone', track: { kind } as MediaStreamTrack, paused }) as RemoteTrack;
const base: CallSnapshot = {
  status: { phase: 'connected', degraded: [] },
  peers: new Map(),
  remote: [],
  preview: true,
  recording: false,
  mic: { has: true, on: true },
  cam: { has: true, on: true },
};

describe('callTilesModel', () => {
  it('says the call is connected and waits for the others while alone', () => {
    const m = callTilesModel(base, zh);
    expect(m.status).toEqual({ text: '已接通 · 等待对方加入…', state: 'connected' });
    expect(m.alone).toBe(true);
    expect(m.tiles.map((t) => [t.peerId, t.name])).toEqual([['me', '我']]);
  });

  it('puts the own preview first and gives each participant the latest track of each kind', () => {
    const m = callTilesModel(
      {
        ...base,
        peers: new Map([peer('p1', '张干部'), peer('p2', '李大爷')]),
        remote: [track('p1', 'c1', 'video'), track('p1', 'c2', 'audio'), track('p2', 'c3', 'video', true), track('p1', 'c4', 'video')],
      },
      zh,
    );
    expect(m.status.text).toBe('已接通');
    expect(m.tiles).toEqual([
      { peerId: 'me', me: true, name: '我', paused: false, video: undefined, audio: undefined },
      { peerId: 'p1', me: false, name: '张干部', paused: false, video: 'c4', audio: 'c2' },
      { peerId: 'p2', me: false, name: '李大爷', paused: true, video: 'c3', audio: undefined },
    ]);
  });

  it('shows no preview tile for a viewer, and a tile for a track whose peer is not announced yet', () => {
    const m = callTilesModel({ ...base, preview: false, remote: [track('p9', 'c9', 'audio')] }, zh);
    expect(m.tiles.map((t) => t.peerId)).toEqual(['p9']);
  });

  it('names a replaced session, an error and a refusal', () => {
    expect(callTilesModel({ ...base, status: { phase: 'ended', detail: 'replaced', degraded: [] } }, zh).status.text).toBe('您已在其他设备上加入，本页已断开');
    expect(callTilesModel({ ...base, error: 'boom' }, zh).status).toEqual({ text: '错误: boom', state: 'error' });
    expect(callTilesModel({ ...base, status: { phase: 'connecting', degraded: [] }, failure: 'forbidden' }, zh).status).toEqual({ text: '无法加入: forbidden', state: 'failed' });
  });

  it('labels the controls by what pressing them does, and hides a source that is not sent', () => {
    const m = callTilesModel({ ...base, mic: { has: true, on: false }, cam: { has: false, on: false } }, translator('en'), 'Stop looking in');
    expect(m.controls).toEqual({
      mic: { hidden: false, label: 'Unmute', pressed: true },
      cam: { hidden: true, label: 'Turn camera on', pressed: true },
      leave: 'Stop looking in',
    });
  });

  it('says in words which sound or picture does not flow, on this side and the other', () => {
    const m = callTilesModel(
      {
        ...base,
        peers: new Map([peer('p1', '张干部')]),
        status: {
          phase: 'media-degraded',
          degraded: [
            { kind: 'local', source: 'camera', status: 'missing' },
            { kind: 'remote', source: 'microphone', peerId: 'p1', name: '李大爷' },
          ],
        },
      },
      zh,
    );
    expect(m.status).toEqual({ text: '已接通 · 部分声音或画面不可用', state: 'media-degraded' });
    expect(m.notices.map((n) => n.text)).toEqual(['没有找到摄像头，本次为语音通话。', '李大爷：对方麦克风不可用，听不到对方声音']);
  });

  it('shows nothing of an ended call but the line saying so: no tiles, recording notice or controls', () => {
    const m = callTilesModel({ ...base, recording: true, peers: new Map([peer('p1', '张干部')]), remote: [track('p1', 'c1', 'video')], status: { phase: 'ended', detail: 'ended', degraded: [] } }, zh);
    expect(m.status).toEqual({ text: '通话已结束', state: 'ended' });
    expect(m.tiles).toEqual([]);
    expect(m.recording).toBe(false);
    expect([m.controls.mic.hidden, m.controls.cam.hidden]).toEqual([true, true]);
  });
});
