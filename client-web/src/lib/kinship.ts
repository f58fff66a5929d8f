// A family member's relation is typed by whoever invited them, in their own language ("儿媳",
// "daughter-in-law"). The common kinship words are shown in the page's language, so a home device
// in Chinese does not read "son" and an English page does not read "儿子"; any other word is shown
// as typed. Paired words, Chinese first; the first pair of a word decides its other side.
import type { Lang } from './i18n.ts';

const PAIRS: readonly (readonly [zh: string, en: string])[] = [
  ['儿子', 'son'],
  ['女儿', 'daughter'],
  ['儿媳', 'daughter-in-law'],
  ['女婿', 'son-in-law'],
  ['孙子', 'grandson'],
  ['孙女', 'granddaughter'],
  ['外孙', 'grandson'],
  ['外孙女', 'granddaughter'],
  ['父亲', 'father'],
  ['母亲', 'mother'],
  ['爸爸', 'father'],
  ['妈妈', 'mother'],
  ['爷爷', 'grandfather'],
  ['奶奶', 'grandmother'],
  ['外公', 'grandfather'],
  ['外婆', 'grandmother'],
  ['丈夫', 'husband'],
  ['妻子', 'wife'],
  ['哥哥', 'elder brother'],
  ['弟弟', 'younger brother'],
  ['姐姐', 'elder sister'],
  ['妹妹', 'younger sister'],
  ['兄弟', 'brother'],
  ['姐妹', 'sister'],
  ['侄子', 'nephew'],
  ['侄女', 'niece'],
  ['外甥', 'nephew'],
  ['外甥女', 'niece'],
  ['叔叔', 'uncle'],
  ['阿姨', 'aunt'],
  ['亲戚', 'relative'],
];

const TO_EN = new Map(PAIRS.map(([zh, en]) => [zh, en] as const));
const TO_ZH = new Map<string, string>();
for (const [zh, en] of PAIRS) if (!TO_ZH.has(en)) TO_ZH.set(en, zh);

/** The relation word in `lang` when it is a common kinship word of either language, else as typed (trimmed). */
export function kinshipWord(word: string, lang: Lang): string {
  const w = word.trim();
  const found = lang === 'en' ? TO_EN.get(w) : TO_ZH.get(w.toLowerCase());
  if (!found) return w;
  return lang === 'en' ? found[0]!.toUpperCase() + found.slice(1) : found;
}
