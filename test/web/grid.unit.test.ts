// The village committee / 网格员 page's view-model: an SOS ringing me has answer and decline; one
// that went on without me says so.
import { describe, expect, it } from 'vitest';
import { translator, type Lang, type ViewContext } from '../../client-web/src/lib/i18n.ts';
import { gridView, type GridState } from '../../client-web/src/grid/view-model.ts';
import type { Call } from '../../client-web/src/household/common.ts';

const ctx = (lang: Lang = 'zh'): ViewContext => ({ t: translator(lang), lang, now: Date.parse('2026-11-26T04:00:00Z') });
const sos = (state: string, mine: string): Call =>
  ({ id: 's1', purpose: 'sos', direction: 'from-home', state, callerName: '张家', createdAt: '2026-11-26T03:59:00Z', callees: [{ id: 'gw-1', state: mine }] }) as unknown as Call;
const state = (calls: Call[]): GridState => ({ phase: 'running', me: 'gw-1', who: '王建华', calls, room: null });

describe('grid worker view-model', () => {
  it('offers answer and decline for an SOS ringing me', () => {
    const [c] = gridView(state([sos('ringing', 'ringing')]), ctx()).calls;
    expect(c).toMatchObject({ ringing: true, state: 'ringing', answer: '接听', decline: '拒接' });
    expect(c!.text).toMatch(/^张家 求助（.*11:59）：家人和社工都没有接听$/);
  });

  it('says when someone else answered, and when there is nothing', () => {
    expect(gridView(state([sos('active', 'missed')]), ctx('en')).calls[0]).toMatchObject({ ringing: false, text: expect.stringMatching(/someone answered$/) });
    expect(gridView(state([]), ctx()).notice).toBe('没有呼叫');
  });
});
