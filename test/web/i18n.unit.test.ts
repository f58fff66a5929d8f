// The one dictionary pair is complete: every key in both languages, the same interpolation
// variables on both sides, and no Chinese left in the English dictionary.
import { describe, expect, it } from 'vitest';
import { zh } from '../../client-web/src/i18n/zh.ts';
import { en } from '../../client-web/src/i18n/en.ts';
import { translator } from '../../client-web/src/lib/i18n.ts';

type Tree = { [k: string]: string | Tree };
function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    if (typeof v === 'string') out.set(`${prefix}${k}`, v);
    else for (const [kk, vv] of leaves(v, `${prefix}${k}.`)) out.set(kk, vv);
  }
  return out;
}
const vars = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
/** CJK ideographs and full-width punctuation (、，。：；（）「」…). */
const CHINESE = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]/;

describe('the dictionaries', () => {
  const zhKeys = leaves(zh as unknown as Tree);
  const enKeys = leaves(en as unknown as Tree);

  it('have the same keys in Chinese and English', () => {
    expect([...enKeys.keys()].filter((k) => !zhKeys.has(k)), 'only in English').toEqual([]);
    expect([...zhKeys.keys()].filter((k) => !enKeys.has(k)), 'missing in English').toEqual([]);
  });

  it('have a text for every key in both languages', () => {
    for (const [k, v] of [...zhKeys, ...enKeys]) expect(v.trim(), k).not.toBe('');
  });

  it('use the same interpolation variables in both languages', () => {
    for (const [k, v] of zhKeys) expect(vars(enKeys.get(k) ?? ''), k).toEqual(vars(v));
  });

  it('have no Chinese in the English dictionary', () => {
    const chinese = [...enKeys].filter(([, v]) => CHINESE.test(v)).map(([k, v]) => `${k}: ${v}`);
    expect(chinese).toEqual([]);
  });

  it('are what t() answers, with the variables filled in', () => {
    expect(translator('zh')('call.joined')).toBe('已接通');
    expect(translator('en')('call.joined')).toBe('Connected');
    expect(translator('zh')('time.minutes', { m: 15 })).toBe('15 分钟');
    expect(translator('en')('time.hoursMinutes', { h: 1, m: 5 })).toBe('1 h 5 min');
  });
});
