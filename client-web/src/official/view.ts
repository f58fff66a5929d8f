// The official desk's templates.
import { html, nothing, type TemplateResult } from 'lit';
import type { CallSession } from '../lib/call-session.ts';
import { t } from '../lib/i18n.ts';
import { signInCard } from '../petition-ui/desk.ts';
import '../widgets/banner.ts';
import '../widgets/call-tiles.ts';
import { icon } from '../widgets/icons.ts';
import '../widgets/timeline.ts';
import type { Message } from '../widgets/banner.ts';
import type { ActionForm, ActionsView, CaseView, OfficialView, Option, Presence, QueueView, SessionsView } from './view-model.ts';
import { passkeysLink } from '../widgets/passkeys-link.ts';

export interface OfficialActions {
  setPresence(p: Presence): void;
  next(): void;
  acceptOffer(): void;
  declineOffer(): void;
  join(ticketId: string): void;
  resume(caseId: string): void;
  setForm(field: keyof ActionForm, value: string): void;
  act(action: 'invite' | 'transfer' | 'escalate' | 'opinion' | 'extend' | 'end' | 'leave' | 'close'): void;
  hungUp(): void;
  rejoin(): void;
  signOut(): void;
  toggleLanguage(): void;
}

export function officialTemplate(v: OfficialView, a: OfficialActions, session: CallSession | null, languageLabel: string, toast: Message | undefined): TemplateResult {
  const h = v.header;
  const invite: Message | undefined = v.invite
    ? {
        kind: 'invite',
        content: html`${icon('people')} ${v.invite.text} <b>${v.invite.caseId}</b>
          <button type="button" class="btn primary small" data-join=${v.invite.ticketId} @click=${() => a.join(v.invite!.ticketId)}>${v.invite.join}</button>`,
      }
    : undefined;
  return html`<header class="dbar">
      <h1>${v.title}</h1>
      <div id="who" class="who">${h.who}</div>
      <div id="presence" class="presence" role="group" aria-label=${h.presenceLabel}>
        ${h.presence.map((p) => html`<button type="button" class="pbtn p-${p.value}" data-presence=${p.value} aria-pressed=${p.pressed} @click=${() => a.setPresence(p.value)}>${p.label}</button>`)}
      </div>
      <a class="pbtn" href="cases.html" data-link="cases">${t('cases.title.official')}</a>
      <button type="button" class="pbtn" id="lang" @click=${() => a.toggleLanguage()}>${languageLabel}</button>
      ${passkeysLink('pbtn')}
      <button type="button" class="pbtn" id="signout" @click=${() => a.signOut()}>${h.signOut}</button>
    </header>
    <ui-banner id="banner" class="banner" role="alert" .message=${invite}></ui-banner>
    <ui-toast id="toast" class="banner" role="alert" .message=${toast}></ui-toast>
    <main id="app" class="desk-main">${body(v, a, session)}</main>`;
}

function body(v: OfficialView, a: OfficialActions, session: CallSession | null): unknown {
  const b = v.body;
  if (!b) return nothing;
  if (b.kind === 'signed-out') return signInCard(b.role, t);
  if (b.kind === 'failed') return html`<div class="card"><h2>${b.title}</h2><p>${b.message}</p></div>`;
  return html`<aside class="side">${queueCard(b.queue, a)} ${sessionsCard(b.sessions, a)}</aside>
    <section id="work" class="work">
      ${b.work.kind === 'idle' ? html`<div class="card idle"><h2>${b.work.title}</h2><p>${b.work.hint}</p></div>` : caseWork(b.work, a, session)}
    </section>`;
}

function queueCard(q: QueueView, a: OfficialActions): TemplateResult {
  const o = q.offer;
  return html`<section class="card queue-card">
    <div class="card-head"><h2>${q.title}</h2><span id="queue-count" class="count">${q.count}</span></div>
    <button type="button" class="btn primary big" data-act="next" @click=${() => a.next()}>${q.next}</button>
    <div id="offer">
      ${o
        ? html`<div class="offer" data-offer=${o.ticketId}>
            <div class="offer-head"><span class="badge">${o.kind}</span> <b>${o.title}</b> <span class="left" id="offer-left">${o.left}</span></div>
            ${o.summary ? html`<p>${o.summary}</p>` : nothing} ${o.description ? html`<p class="desc">${o.description}</p>` : nothing}
            <div class="offer-actions">
              <button type="button" class="btn primary" data-act="accept-offer" @click=${() => a.acceptOffer()}>${o.accept}</button>
              <button type="button" class="btn" data-act="decline-offer" @click=${() => a.declineOffer()}>${o.putBack}</button>
            </div>
          </div>`
        : nothing}
    </div>
    <ol id="queue" class="queue">
      ${q.empty
        ? html`<li class="empty">${q.empty}</li>`
        : q.entries.map(
            (e) => html`<li class="q-${e.kind} prio-${e.priorityClass}" data-ticket=${e.ticketId}>
              <span class="badge">${e.kindLabel}</span>
              ${e.priority ? html`<span class="badge warn">${e.priority}</span>` : nothing}
              <span class="qcase">${e.caseId}</span>
              <span class="qwait">${e.waited}</span>
              ${e.join ? html`<button type="button" class="btn primary small" data-join=${e.ticketId} @click=${() => a.join(e.ticketId)}>${e.join}</button>` : nothing}
            </li>`,
          )}
    </ol>
  </section>`;
}

function sessionsCard(s: SessionsView, a: OfficialActions): TemplateResult {
  return html`<section class="card">
    <div class="card-head"><h2>${s.title}</h2></div>
    <ul id="active" class="active-list">
      ${s.empty
        ? html`<li class="empty">${s.empty}</li>`
        : s.items.map(
            (i) => html`<li>
              <span>${i.caseId}</span>${i.current
                ? html`<span class="badge ok">${i.label}</span>`
                : html`<button type="button" class="btn small" data-resume=${i.caseId} @click=${() => a.resume(i.caseId)}>${i.label}</button>`}
            </li>`,
          )}
    </ul>
  </section>`;
}

function caseWork(c: CaseView, a: OfficialActions, session: CallSession | null): TemplateResult {
  return html`<div class="card case-head" id="case-head">
      <div>
        <span class="case-id" data-case-id>${c.caseId}</span>
        <span class="badge state-${c.state}" data-state=${c.state}>${c.stateLabel}</span>
        <span class="badge">${c.roleLabel}</span>
      </div>
      <div class="case-cat">${c.categoryLine}</div>
    </div>
    <div class="work-grid">
      <div class="col-call">
        <div id="call-host" class="call-host">${callPane(c, a, session)}</div>
        <div class="card" id="actions">${actions(c.actions, a)}</div>
      </div>
      <div class="col-info">
        <div class="card" id="deadlines">
          <h3>${c.deadlines.title}</h3>
          <div class="clocks">
            ${c.deadlines.clocks.map(
              (k) => html`<div class="clock ${k.level}">
                <div class="clock-label">${k.label}</div>
                <div class="clock-value">${k.value}</div>
                <div class="clock-bar"><span style="width:${k.percent}%"></span></div>
                <div class="clock-date">${k.date}</div>
              </div>`,
            )}
          </div>
          ${c.deadlines.extension ? html`<p class="muted">${c.deadlines.extension}</p>` : nothing}
        </div>
        <div class="card" id="details">
          <h3>${c.facts.title}</h3>
          <dl class="facts">${c.facts.rows.map((r) => html`<dt>${r.term}</dt><dd class=${r.cls ?? nothing}>${r.value}</dd>`)}</dl>
        </div>
        <div class="card"><h3>${c.timelineTitle}</h3><ui-timeline id="timeline" data-case-id=${c.caseId} .entries=${c.timeline}></ui-timeline></div>
      </div>
    </div>`;
}

function callPane(c: CaseView, a: OfficialActions, session: CallSession | null): unknown {
  if (session) return html`<call-tiles .session=${session} @leave=${() => a.hungUp()}></call-tiles>`;
  if (c.call.pane === 'left') return html`<div class="call-off">${c.call.left}<button type="button" class="btn primary" data-act="rejoin" @click=${() => a.rejoin()}>${c.call.rejoin}</button></div>`;
  if (c.call.pane === 'ended') return html`<div class="call-off">${c.call.ended}</div>`;
  return nothing;
}

const select = (name: string, opts: Option[], a: OfficialActions, field: keyof ActionForm) =>
  html`<select name=${name} @change=${(e: Event) => a.setForm(field, (e.target as HTMLSelectElement).value)}>
    ${opts.map((o) => html`<option value=${o.value} ?selected=${o.selected}>${o.label}</option>`)}
  </select>`;

const text = (name: string, value: string, placeholder: string, a: OfficialActions, field: keyof ActionForm) =>
  html`<input name=${name} maxlength="500" placeholder=${placeholder} .value=${value} @input=${(e: Event) => a.setForm(field, (e.target as HTMLInputElement).value)} />`;

function actions(v: ActionsView, a: OfficialActions): TemplateResult {
  const l = v.lead;
  return html`${v.invite
      ? html`<div class="act-row">
          <label>${v.invite.label} ${select('invite', v.invite.options, a, 'invite')}</label>
          <button type="button" class="btn" data-act="invite" @click=${() => a.act('invite')}>${v.invite.button}</button>
        </div>`
      : nothing}
    ${l
      ? html`<details class="act-more">
            <summary>${l.summary}</summary>
            <div class="act-row">
              <label>${l.transfer.label}${select('transfer', l.transfer.options, a, 'transfer')}</label>
              <label class="grow">${l.transfer.reasonLabel}${text('transfer-reason', l.transfer.reason, l.transfer.placeholder, a, 'transferReason')}</label>
              <button type="button" class="btn" data-act="transfer" @click=${() => a.act('transfer')}>${l.transfer.button}</button>
            </div>
            <div class="act-row">
              <label class="grow">${l.escalate.reasonLabel}${text('escalate-reason', l.escalate.reason, l.escalate.placeholder, a, 'escalateReason')}</label>
              <button type="button" class="btn" data-act="escalate" @click=${() => a.act('escalate')}>${l.escalate.button}</button>
            </div>
          </details>
          <div class="opinion-box">
            <label
              >${l.opinion.label}<textarea name="opinion" rows="4" maxlength="5000" placeholder=${l.opinion.placeholder} .value=${l.opinion.text} @input=${(e: Event) =>
                a.setForm('opinion', (e.target as HTMLTextAreaElement).value)}></textarea
            ></label>
            <div class="act-row">
              <label class="inline"><input type="radio" name="accepted" value="yes" .checked=${l.opinion.accepted} @change=${() => a.setForm('accepted', 'yes')} /> ${l.opinion.acceptedLabel}</label>
              <label class="inline"><input type="radio" name="accepted" value="no" .checked=${!l.opinion.accepted} @change=${() => a.setForm('accepted', 'no')} /> ${l.opinion.notAcceptedLabel}</label>
              <button type="button" class="btn primary" data-act="opinion" @click=${() => a.act('opinion')}>${l.opinion.button}</button>
            </div>
          </div>`
      : nothing}
    ${v.note ? html`<p class="muted">${v.note}</p>` : nothing}
    <div class="act-row end-row">
      <button type="button" class=${v.end.danger ? 'btn danger' : 'btn'} data-act=${v.end.act} @click=${() => a.act(v.end.act)}>${v.end.label}</button>
    </div>
    ${v.extend
      ? html`<details class="act-more">
          <summary>${v.extend.summary}</summary>
          <div class="act-row">
            <label class="grow">${v.extend.label}${text('extend-reason', v.extend.reason, v.extend.placeholder, a, 'extendReason')}</label>
            <button type="button" class="btn" data-act="extend" @click=${() => a.act('extend')}>${v.extend.button}</button>
          </div>
        </details>`
      : nothing}`;
}
