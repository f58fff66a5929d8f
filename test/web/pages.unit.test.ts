// The two small pages' view-models: the development home page and the bare call page.
import { describe, expect, it } from 'vitest';
import { translator, type ViewContext } from '../../client-web/src/lib/i18n.ts';
import { homeView } from '../../client-web/src/home/view-model.ts';
import { callPageView } from '../../client-web/src/call/view-model.ts';

const ctx = (lang: 'zh' | 'en' = 'zh'): ViewContext => ({ t: translator(lang), lang, now: 0 });

describe('home page view-model', () => {
  it('groups the seeded identities by kind, in the order they came', () => {
    const v = homeView(
      {
        identities: [
          { kind: 'official', id: 'O1', name: '陈建国', detail: '砀山县人社局' },
          { kind: 'terminal', id: 'T1', name: '孙洼村', detail: '村' },
          { kind: 'official', id: 'O2', name: '李明', detail: '砀山县住建局' },
        ],
        room: 'demo:room-1',
        name: '测试用户',
        error: '',
      },
      ctx(),
    );
    expect(v.groups.map((g) => [g.title, g.items.map((i) => i.id)])).toEqual([
      ['接访干部', ['O1', 'O2']],
      ['接访终端（信访人）', ['T1']],
    ]);
    expect(v.unavailable).toBeNull();
  });

  it('says when demo sign-in is not offered', () => {
    expect(homeView({ identities: 'unavailable', room: '', name: '', error: '' }, ctx('en')).unavailable).toBe('Demo sign-in is available in development mode only.');
  });
});

describe('call page view-model', () => {
  it('asks for a token without one, and names a refusal', () => {
    expect(callPageView({ ready: false, failure: null }, ctx()).notice).toBe('缺少访问令牌，请从首页进入');
    expect(callPageView({ ready: true, failure: 'forbidden' }, ctx())).toEqual({ title: '视频通话', heading: '视频接访 · 平安心居', notice: null, failure: 'forbidden' });
  });
});
