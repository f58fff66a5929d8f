// The case-work page's templates.
import { html, nothing, type TemplateResult } from 'lit';
import type { CallSession } from '../lib/call-session.ts';
import { t } from '../lib/i18n.ts';
import type { TimelineEntry } from '../widgets/timeline.ts';
import type { Message } from '../widgets/banner.ts';
import '../widgets/banner.ts';
import '../widgets/call-tiles.ts';
import '../widgets/timeline.ts';
import type { AcceptanceChoice, ApprovalView, CallbackView, CaseLifeView, ListView, LifeForm } from './view-model.ts';
import { passkeysLink } from '../widgets/passkeys-link.ts';

export type LifeAct = 'acceptance' | 'note' | 'co-handler' | 'assign' | 'extend' | 'reply' | 'pause' | 'resume' | 'close' | 'archive' | 'end-call';

export interface CasesActions {
  open(caseId: string): void;
  decide(approvalId: string, approve: boolean): void;
  callBack(callbackId: string, channel: 'video' | 'phone'): void;
  setForm(field: keyof LifeForm, value: string): void;
  act(a: LifeAct): void;
  attach(file: File): void;
  signOut(): void;
  toggleLanguage(): void;
}

export interface CasesPageView {
  title: string;
  who: string;
  links: { href: string; label: string }[];
  body: { kind: 'signed-out' | 'failed'; text: string } | { kind: 'ready'; lists: ListView[]; life: CaseLifeView | null; timeline: TimelineEntry[]; form: LifeForm };
}

export function casesTemplate(v: CasesPageView, a: CasesActions, session: CallSession | null, languageLabel: string, toast: Message | undefined): TemplateResult {
  return html`<header class="dbar">
      <h1>${v.title}</h1>
      <div id="who" class="who">${v.who}</div>
      ${v.links.map((l) => html`<a class="pbtn" href=${l.href}>${l.label}</a>`)}
      <button type="button" class="pbtn" id="lang" @click=${() => a.toggleLanguage()}>${languageLabel}</button>
      ${passkeysLink('pbtn')}
      <button type="button" class="pbtn" id="signout" @click=${() => a.signOut()}>${t('common.signOut')}</button>
    </header>
    <ui-toast id="toast" class="banner" role="alert" .message=${toast}></ui-toast>
    <main id="app" class="desk-main">${v.body.kind === 'ready' ? ready(v.body, a, session) : html`<div class="card"><p>${v.body.text}</p></div>`}</main>`;
}

function ready(b: Extract<CasesPageView['body'], { kind: 'ready' }>, a: CasesActions, session: CallSession | null): TemplateResult {
  return html`<aside class="side">${b.lists.map((l) => list(l, a))}</aside>
    <section id="work" class="work">${b.life ? life(b.life, b.timeline, b.form, a, session) : html`<div class="card idle"><p>${t('cases.pick')}</p></div>`}</section>`;
}

function list(l: ListView, a: CasesActions): TemplateResult {
  const empty = !(l.items?.length || l.approvals?.length || l.callbacks?.length);
  return html`<section class="card" id=${`list-${l.key}`}>
    <div class="card-head"><h2>${l.title}</h2></div>
    ${empty ? html`<p class="muted empty">${l.empty}</p>` : nothing}
    <ul class="queue">
      ${(l.items ?? []).map(
        (i) => html`<li data-case=${i.caseId} class="clock-${i.clock?.level ?? 'none'}">
          <button type="button" class="linkish" @click=${() => a.open(i.caseId)}><b>${i.caseId}</b></button>
          <span>${i.line}</span><span class="muted">${i.stage}</span>
          ${i.clock ? html`<span class="badge ${i.clock.level}" data-clock-level=${i.clock.level}>${i.clock.text}</span>` : nothing}
        </li>`,
      )}
      ${(l.approvals ?? []).map((x) => approval(x, a))}
      ${(l.callbacks ?? []).map((x) => callback(x, a))}
    </ul>
  </section>`;
}

function approval(x: ApprovalView, a: CasesActions): TemplateResult {
  return html`<li data-approval=${x.id}>
    <button type="button" class="linkish" @click=${() => a.open(x.caseId)}><b>${x.caseId}</b></button>
    <span class="badge">${x.kind}</span> <span class="badge">${x.state}</span>
    <span class="detail">${x.detail}</span>
    <span class="muted">${x.by}</span>
    ${x.pending
      ? html`<span class="row-actions">
          <button type="button" class="btn primary small" data-approve=${x.id} @click=${() => a.decide(x.id, true)}>${t('cases.approve')}</button>
          <button type="button" class="btn small" data-reject=${x.id} @click=${() => a.decide(x.id, false)}>${t('cases.reject')}</button>
        </span>`
      : nothing}
  </li>`;
}

function callback(x: CallbackView, a: CasesActions): TemplateResult {
  return html`<li data-callback=${x.id} class=${x.overdue ? 'clock-over' : ''}>
    <button type="button" class="linkish" @click=${() => a.open(x.caseId)}><b>${x.caseId}</b></button>
    <span>${x.line}</span><span class="muted">${x.due}</span>
    ${x.pending
      ? html`<span class="row-actions">
          <button type="button" class="btn primary small" data-call-video=${x.id} @click=${() => a.callBack(x.id, 'video')}>${t('cases.callVideo')}</button>
          <button type="button" class="btn small" data-call-phone=${x.id} @click=${() => a.callBack(x.id, 'phone')}>${t('cases.callPhone')}</button>
        </span>`
      : nothing}
  </li>`;
}

const area = (name: keyof LifeForm, value: string, a: CasesActions, rows = 3) =>
  html`<textarea name=${name} rows=${rows} maxlength="5000" .value=${value} @input=${(e: Event) => a.setForm(name, (e.target as HTMLTextAreaElement).value)}></textarea>`;
const input = (name: keyof LifeForm, value: string, a: CasesActions, type = 'text') =>
  html`<input name=${name} type=${type} maxlength="500" .value=${value} @input=${(e: Event) => a.setForm(name, (e.target as HTMLInputElement).value)} />`;

const pick = (name: 'coHandler' | 'handler', options: { value: string; label: string }[], value: string, a: CasesActions) =>
  html`<select name=${name} @change=${(e: Event) => a.setForm(name, (e.target as HTMLSelectElement).value)}>
    <option value="" ?selected=${!value}>—</option>
    ${options.map((o) => html`<option value=${o.value} ?selected=${value === o.value}>${o.label}</option>`)}
  </select>`;

function life(v: CaseLifeView, timeline: TimelineEntry[], f: LifeForm, a: CasesActions, session: CallSession | null): TemplateResult {
  const x = v.actions;
  return html`<div class="card case-head" id="case-head">
      <div>
        <span class="case-id" data-case-id>${v.caseId}</span> <span class="badge" data-stage>${v.stage}</span>
        <span class="badge warn" data-next>${v.next}</span>
      </div>
      <div class="case-cat">${v.title}</div>
    </div>
    ${session
      ? html`<div class="card call-host" id="call-host">
          <call-tiles .session=${session}></call-tiles>
          <button type="button" class="btn danger" data-act="end-call" @click=${() => a.act('end-call')}>${t('cases.endCall')}</button>
        </div>`
      : nothing}
    <div class="work-grid">
      <div class="col-call">
        <div class="card" id="life-actions">
          ${x.acceptance
            ? html`<h3>${t('cases.acceptanceTitle')}</h3>
                <div class="act-row">
                  <select name="decision" @change=${(e: Event) => a.setForm('decision', (e.target as HTMLSelectElement).value as AcceptanceChoice)}>
                    ${(['accepted', 'not_accepted', 'not_in_scope'] as const).map((d) => html`<option value=${d} ?selected=${f.decision === d}>${t(`petition.acceptance.${d}`)}</option>`)}
                  </select>
                  ${f.decision === 'not_in_scope' ? html`<label class="grow">${t('cases.belongsTo')}${input('body', f.body, a)}</label>` : nothing}
                </div>
                <label>${t('cases.reason')}${area('reason', f.reason, a)}</label>
                <button type="button" class="btn primary" data-act="acceptance" @click=${() => a.act('acceptance')}>${t('cases.issueNotice')}</button>`
            : nothing}
          ${x.handling
            ? html`<h3>${t('cases.handlingTitle')}</h3>
                <label>${t('cases.note')}${area('note', f.note, a, 2)}</label>
                <div class="act-row">
                  <button type="button" class="btn" data-act="note" @click=${() => a.act('note')}>${t('cases.addNote')}</button>
                  <label class="btn">${t('cases.attach')}<input type="file" name="attachment" accept="image/jpeg,image/png,application/pdf" hidden @change=${(e: Event) => {
                    const file = (e.target as HTMLInputElement).files?.[0];
                    if (file) a.attach(file);
                  }} /></label>
                </div>
                <div class="act-row">
                  ${pick('coHandler', v.coHandlers, f.coHandler, a)}
                  <button type="button" class="btn" data-act="co-handler" @click=${() => a.act('co-handler')}>${t('cases.addCoHandler')}</button>
                </div>
                <label>${t('cases.reply')}${area('reply', f.reply, a, 5)}</label>
                <button type="button" class="btn primary" data-act="reply" @click=${() => a.act('reply')}>${t('cases.submitReply')}</button>`
            : nothing}
          ${x.extension
            ? html`<details class="act-more" id="extension">
                <summary>${t('cases.extensionTitle')}</summary>
                <div class="act-row">
                  <label>${t('cases.extendDays')}${input('extendDays', f.extendDays, a, 'number')}</label>
                  <label class="grow">${t('cases.reason')}${input('extendReason', f.extendReason, a)}</label>
                  <button type="button" class="btn" data-act="extend" @click=${() => a.act('extend')}>${t('cases.requestExtension')}</button>
                </div>
              </details>`
            : nothing}
          ${x.pause === 'pause'
            ? html`<div class="act-row">
                <label class="grow">${t('cases.pauseReason')}${input('pauseReason', f.pauseReason, a)}</label>
                <button type="button" class="btn" data-act="pause" @click=${() => a.act('pause')}>${t('cases.pause')}</button>
              </div>`
            : x.pause === 'resume'
              ? html`<button type="button" class="btn" data-act="resume" @click=${() => a.act('resume')}>${t('cases.resume')}</button>`
              : nothing}
          ${x.assign && v.officials.length
            ? html`<div class="act-row">
                ${pick('handler', v.officials, f.handler, a)}
                <button type="button" class="btn" data-act="assign" @click=${() => a.act('assign')}>${t('cases.assignHandler')}</button>
              </div>`
            : nothing}
          ${x.close ? html`<button type="button" class="btn primary" data-act="close" @click=${() => a.act('close')}>${t('cases.close')}</button>` : nothing}
          ${x.archive ? html`<button type="button" class="btn primary" data-act="archive" @click=${() => a.act('archive')}>${t('cases.archive')}</button>` : nothing}
          ${!x.acceptance && !x.handling && !x.close && !x.archive ? html`<p class="muted">${v.next}</p>` : nothing}
        </div>
        ${v.approvals.length ? html`<div class="card" id="life-approvals"><h3>${t('cases.approvalsOfCase')}</h3><ul class="queue">${v.approvals.map((x2) => approval(x.decide ? x2 : { ...x2, pending: false }, a))}</ul></div>` : nothing}
        ${v.callbacks.length ? html`<div class="card" id="life-callbacks"><h3>${t('cases.callbacks')}</h3><ul class="queue">${v.callbacks.map((c) => callback(c, a))}</ul></div>` : nothing}
      </div>
      <div class="col-info">
        <div class="card" id="clocks">
          <h3>${t('cases.clocks')}</h3>
          <ul class="clock-list">${v.clocks.map((k) => html`<li class="clock-${k.level}" data-clock=${k.kind} data-level=${k.level}>${k.text}</li>`)}</ul>
        </div>
        <div class="card" id="facts"><dl class="facts">${v.facts.map((r) => html`<dt>${r.term}</dt><dd>${r.value}</dd>`)}</dl></div>
        <div class="card" id="documents">
          <h3>${t('cases.documents')}</h3>
          <ul class="doc-list">
            ${v.documents.map(
              (d) => html`<li data-document=${d.id}><a href=${`document.html?id=${encodeURIComponent(d.id)}`} target="_blank">${d.title}</a> <span class="muted">${d.number}</span>
                  <code class="sha" title="SHA-256">${d.sha256.slice(0, 16)}…</code></li>`,
            )}
            ${v.attachments.map((x2) => html`<li data-attachment=${x2.id}>${x2.name} <code class="sha" title="SHA-256">${x2.sha256.slice(0, 16)}…</code></li>`)}
          </ul>
        </div>
        <div class="card"><h3>${t('cases.timeline')}</h3><ui-timeline id="timeline" data-case-id=${v.caseId} .entries=${timeline}></ui-timeline></div>
      </div>
    </div>`;
}
