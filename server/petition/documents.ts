// The written documents of the case life, from templates: 受理告知书 (the acceptance notice) and
// 处理意见书 / 复查意见书 / 复核意见书 (the written answers). Each is a complete printable HTML page
// (A4, the office's name, the document number and date); its exact bytes are stored with their
// SHA-256 at issue (life-repository.ts), so what was issued can be shown and checked later.
// Article numbers of 《信访工作条例》 are not cited: they could not be checked.
import { cityWallClock } from '../protocol/city-time.ts';
import type { AcceptanceDecision, Case, ReplyRound } from './types.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** 2026-12-02T03:00:00Z → 2026年12月2日 (China date). */
export function chineseDate(iso: string): string {
  const d = cityWallClock(Date.parse(iso));
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
}

export const DOCUMENT_TITLES = {
  acceptance_notice: '信访事项受理告知书',
  reply: '信访事项处理意见书',
  review: '信访事项复查意见书',
  re_review: '信访事项复核意见书',
} as const;

/** The counter key and document number of an office's documents of one kind in one year. */
export function documentNumbering(departmentId: string, office: string, kind: keyof typeof DOCUMENT_TITLES, issuedAt: string) {
  const year = chineseDate(issuedAt).slice(0, 4);
  const word = { acceptance_notice: '受', reply: '复', review: '查', re_review: '核' }[kind];
  return { counterKey: `${departmentId}:${year}:${kind}`, number: (n: number) => `${office}〔${year}〕${word}字第${n}号` };
}

function page(title: string, number: string, body: string, office: string, issuedAt: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(title)} ${esc(number)}</title>
<style>
@page { size: A4; margin: 25mm 22mm; }
body { font-family: "SimSun", "Songti SC", "Noto Serif CJK SC", "WenQuanYi Micro Hei", serif; font-size: 16pt; line-height: 1.8; color: #000; max-width: 170mm; margin: 0 auto; }
h1 { text-align: center; font-size: 22pt; letter-spacing: 0.2em; margin: 0 0 0.3em; }
.number { text-align: center; font-size: 14pt; margin-bottom: 1.5em; }
p { text-indent: 2em; margin: 0.4em 0; }
p.to { text-indent: 0; }
.sign { text-align: right; margin-top: 3em; }
.sign p { text-indent: 0; }
.case { font-size: 12pt; color: #333; margin-top: 2em; border-top: 1px solid #999; padding-top: 0.5em; }
.case p { text-indent: 0; }
</style></head>
<body>
<h1>${esc(title)}</h1>
<div class="number">${esc(number)}</div>
${body}
<div class="sign"><p>${esc(office)}</p><p>${esc(chineseDate(issuedAt))}</p></div>
</body></html>
`;
}

const petitionerLine = (c: Case) => `<p class="to">${esc(c.petitionerName ?? '信访人')}：</p>`;
const caseLine = (c: Case, category: string) =>
  `<div class="case"><p>信访事项编号：${esc(c.id)}　类别：${esc(category)}　登记日期：${esc(chineseDate(c.registeredAt))}</p><p>凭编号和查询码可在任一视频接访点查询办理进展。</p></div>`;

export interface AcceptanceNoticeInput {
  c: Case;
  category: string;
  office: string;
  decision: AcceptanceDecision;
  /** For not_in_scope: the body the matter belongs to. */
  body: string | null;
  reason: string;
  issuedAt: string;
  handlingDueAt: string | null;
}

export function acceptanceNoticeHtml(i: AcceptanceNoticeInput, number: string): string {
  const received = `你于${chineseDate(i.c.registeredAt)}通过视频接访提出的信访事项（${esc(i.category)}）已收悉。`;
  const text =
    i.decision === 'accepted'
      ? `<p>${received}经审查，该事项属于本机关职权范围，决定予以受理。</p><p>${esc(i.reason)}</p><p>本机关将依法办理，并于${esc(chineseDate(i.handlingDueAt ?? i.issuedAt))}前向你出具书面处理意见；情况复杂需要延长办理期限的，将告知你延期理由。</p>`
      : i.decision === 'not_accepted'
        ? `<p>${received}经审查，该事项不予受理，理由如下：</p><p>${esc(i.reason)}</p>`
        : `<p>${received}经审查，该事项不属于本机关职权范围，请你向${esc(i.body ?? '有权处理的机关')}提出。</p><p>${esc(i.reason)}</p>`;
  return page(DOCUMENT_TITLES.acceptance_notice, number, `${petitionerLine(i.c)}${text}${caseLine(i.c, i.category)}`, i.office, i.issuedAt);
}

export interface ReplyInput {
  c: Case;
  category: string;
  office: string;
  round: ReplyRound;
  text: string;
  issuedAt: string;
  /** Where the petitioner may go next: the office above (none after 复核). */
  nextOffice: string | null;
}

export function replyHtml(i: ReplyInput, number: string): string {
  const intro =
    i.round === 'reply'
      ? `你于${chineseDate(i.c.registeredAt)}提出的信访事项（${esc(i.category)}），本机关已依法受理并办理。现将处理意见答复如下：`
      : i.round === 'review'
        ? `你对信访事项（${esc(i.category)}）处理意见不服提出的复查请求，本机关已依法复查。复查意见如下：`
        : `你对信访事项（${esc(i.category)}）复查意见不服提出的复核请求，本机关已依法复核。复核意见如下：`;
  const paragraphs = i.text
    .split(/\n+/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => `<p>${esc(l)}</p>`)
    .join('');
  const remedy =
    i.round === 're_review' || !i.nextOffice
      ? '<p>本复核意见为最终意见。</p>'
      : `<p>如对本${i.round === 'reply' ? '处理' : '复查'}意见不服，可自收到本意见书之日起30日内向${esc(i.nextOffice)}请求${i.round === 'reply' ? '复查' : '复核'}。</p>`;
  return page(DOCUMENT_TITLES[i.round], number, `${petitionerLine(i.c)}<p>${intro}</p>${paragraphs}${remedy}${caseLine(i.c, i.category)}`, i.office, i.issuedAt);
}
