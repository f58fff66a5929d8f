// The call-state model: one phase for every page from the session's lifecycle, the transports,
// the local devices and what the other participants send.
import { describe, expect, it } from 'vitest';
import { callStatus, deviceFailure, type CallFacts } from '../../client-web/src/lib/call-state.ts';

const up: CallFacts = {
  session: 'joined',
  transports: { send: 'connected', recv: 'connected' },
  devices: { camera: 'live', microphone: 'live' },
  publishers: [{ peerId: 'p1', name: '张干部', audio: true, video: true, settled: true }],
};

describe('callStatus', () => {
  it('is connected while the session is joined, the transports are up and every device sends', () => {
    expect(callStatus(up)).toEqual({ phase: 'connected', degraded: [] });
  });

  it('is connecting before the join and ended (with the reason) after the room closed or the join failed for good', () => {
    expect(callStatus({ ...up, session: 'connecting' }).phase).toBe('connecting');
    expect(callStatus({ ...up, session: 'closed', detail: 'kicked' })).toEqual({ phase: 'ended', detail: 'kicked', degraded: [] });
    expect(callStatus({ ...up, session: 'failed' }).phase).toBe('ended');
  });

  it('is reconnecting while signalling rejoins or a transport lost ICE', () => {
    expect(callStatus({ ...up, session: 'reconnecting' }).phase).toBe('reconnecting');
    expect(callStatus({ ...up, transports: { send: 'connected', recv: 'disconnected' } }).phase).toBe('reconnecting');
    expect(callStatus({ ...up, transports: { send: 'failed' } }).phase).toBe('reconnecting');
  });

  it('is media-degraded, naming the device and why, when a local device is denied, missing or broken', () => {
    expect(callStatus({ ...up, devices: { camera: 'missing', microphone: 'denied' } })).toEqual({
      phase: 'media-degraded',
      degraded: [
        { kind: 'local', source: 'microphone', status: 'denied' },
        { kind: 'local', source: 'camera', status: 'missing' },
      ],
    });
  });

  it('does not count a device that is not to be sent (audio-only, privacy, a viewer) or still starting', () => {
    expect(callStatus({ ...up, devices: { camera: 'unwanted', microphone: 'pending' } }).phase).toBe('connected');
  });

  it('names a settled participant who sends no sound or no picture, but not one still starting', () => {
    const publishers = [
      { peerId: 'p1', name: '李大爷', audio: false, video: true, settled: true },
      { peerId: 'p2', name: '王干部', audio: false, video: false, settled: false },
    ];
    expect(callStatus({ ...up, publishers })).toEqual({
      phase: 'media-degraded',
      degraded: [{ kind: 'remote', source: 'microphone', peerId: 'p1', name: '李大爷' }],
    });
  });
});

describe('deviceFailure', () => {
  it('tells a refused permission from a missing device from a broken one', () => {
    expect(deviceFailure(new DOMException('x', 'NotAllowedError'))).toBe('denied');
    expect(deviceFailure(new DOMException('x', 'NotFoundError'))).toBe('missing');
    expect(deviceFailure(new DOMException('x', 'NotReadableError'))).toBe('failed');
  });
});
