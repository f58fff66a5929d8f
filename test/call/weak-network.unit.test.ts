// The weak-network rules as pure functions: when a call counts as 网络较差 (with hysteresis, so a
// score at the edge does not flicker), what the tiles say and offer then, and how a simulcast
// consumer's preferred layer follows its receiver's score.
import { describe, expect, it } from 'vitest';
import { callStatus, poorNetwork, type CallFacts } from '../../client-web/src/lib/call-state.ts';
import { translator } from '../../client-web/src/lib/i18n.ts';
import { callTilesModel, type CallSnapshot } from '../../client-web/src/widgets/call-tiles-model.ts';
import { nextLayerCap, RAISE_AFTER_MS } from '../../sfu/consumer-layers.ts';

const up: CallFacts = {
  session: 'joined',
  transports: { send: 'connected', recv: 'connected' },
  devices: { camera: 'live', microphone: 'live' },
  publishers: [{ peerId: 'p1', name: '张干部', audio: true, video: true, settled: true }],
};

describe('网络较差 in the call-state model', () => {
  it('turns poor at a link score of 6 or less and good again only at 8 or more', () => {
    expect(poorNetwork(false, 10)).toBe(false);
    expect(poorNetwork(false, 7)).toBe(false);
    expect(poorNetwork(false, 6)).toBe(true);
    expect(poorNetwork(true, 7)).toBe(true);
    expect(poorNetwork(true, 8)).toBe(false);
    expect(poorNetwork(true, undefined)).toBe(true);
  });

  it('is a flag of a call that is up, beside its phase, and never of one that is reconnecting or over', () => {
    expect(callStatus({ ...up, poorNetwork: true })).toEqual({ phase: 'connected', degraded: [], poorNetwork: true });
    expect(callStatus({ ...up, poorNetwork: true, devices: { camera: 'missing', microphone: 'live' } })).toMatchObject({ phase: 'media-degraded', poorNetwork: true });
    expect(callStatus({ ...up, poorNetwork: true, session: 'reconnecting' }).poorNetwork).toBeUndefined();
    expect(callStatus({ ...up, poorNetwork: true, session: 'closed' }).poorNetwork).toBeUndefined();
  });

  it('is told in words with the offer of a voice call, and the way back once video is off', () => {
    const zh = translator('zh');
    const base: CallSnapshot = { status: { phase: 'connected', degraded: [] }, peers: new Map(), remote: [], preview: true, recording: false, mic: { has: true, on: true }, cam: { has: true, on: true } };
    expect(callTilesModel(base, zh).network).toBeUndefined();
    expect(callTilesModel({ ...base, status: { phase: 'connected', degraded: [], poorNetwork: true } }, zh).network).toEqual({
      text: '网络较差：声音优先，画面可能模糊或卡顿。',
      action: '改为语音通话',
      audioOnly: false,
    });
    expect(callTilesModel({ ...base, status: { phase: 'connected', degraded: [], poorNetwork: true, audioOnly: true } }, zh).network).toMatchObject({ action: '恢复视频', audioOnly: true });
    expect(callTilesModel({ ...base, status: { phase: 'connected', degraded: [], poorNetwork: true } }, translator('en')).network?.action).toBe('Voice only');
  });
});

describe('a simulcast consumer\'s preferred layer', () => {
  const top = { spatial: 2, goodSince: undefined };

  it('steps down one layer at a low score and to the smallest at a bad one', () => {
    expect(nextLayerCap(top, 6, 2, 0).spatial).toBe(1);
    expect(nextLayerCap({ spatial: 1, goodSince: undefined }, 5, 2, 0).spatial).toBe(0);
    expect(nextLayerCap(top, 3, 2, 0).spatial).toBe(0);
    expect(nextLayerCap(top, 8, 2, 0)).toEqual(top);
  });

  it('steps up one layer only after the score has stayed good for a while', () => {
    let cap = nextLayerCap({ spatial: 0, goodSince: undefined }, 10, 2, 1_000);
    expect(cap).toEqual({ spatial: 0, goodSince: 1_000 });
    cap = nextLayerCap(cap, 10, 2, 1_000 + RAISE_AFTER_MS - 1);
    expect(cap.spatial).toBe(0);
    cap = nextLayerCap(cap, 10, 2, 1_000 + RAISE_AFTER_MS);
    expect(cap.spatial).toBe(1);
    expect(nextLayerCap(cap, 7, 2, 1_000 + 3 * RAISE_AFTER_MS)).toEqual({ spatial: 1, goodSince: undefined });
    expect(nextLayerCap({ spatial: 2, goodSince: 0 }, 10, 2, 10 * RAISE_AFTER_MS).spatial).toBe(2);
  });
});
