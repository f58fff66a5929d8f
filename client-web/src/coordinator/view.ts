// The coordinator overview's templates.
import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { CallSession } from '../lib/call-session.ts';
import { t } from '../lib/i18n.ts';
import { signInCard } from '../petition-ui/desk.ts';
import '../widgets/banner.ts';
import '../widgets/call-tiles.ts';
import { icon } from '../widgets/icons.ts';
import '../widgets/timeline.ts';
import type { CoordinatorView, LookupView, OverviewView, RulesView } from './view-model.ts';
import { passkeysLink } from '../widgets/passkeys-link.ts';

export interface CoordinatorActions {
  showCase(id: string): void;
  setLookup(value: string): void;
  watch(caseId: string): void;
  stopWatching(): void;
  editRules(): void;
  cancelRules(): void;
  saveRules(): void;
  setDraft(field: 'offerAfter' | 'maxWait' | 'escalation', value: string): void;
  setRow(key: number, field: 'icon' | 'name' | 'code' | 'level', value: string): void;
  toggleOffice(key: number, kind: string, on: boolean): void;
  addRow(): void;
  removeRow(key: number): void;
  signOut(): void;
  toggleLanguage(): void;
}

export function coordinatorTemplate(v: CoordinatorView, a: CoordinatorActions, watching: CallSession | null, languageLabel: string): TemplateResult {
  return html`<header class="cbar">
      <h1>${v.title}</h1>
      <div class="cbar-right">
        <span id="updated" class="updated">${v.updated}</span>
        <a class="btn lang" href="cases.html" data-link="cases">${t('cases.title.coordinator')}</a>
        <a class="btn lang" href="stats.html" data-link="stats">${t('stats.title')}</a>
        <button type="button" class="btn lang" id="lang" @click=${() => a.toggleLanguage()}>${languageLabel}</button>
        ${passkeysLink('btn lang')}
        <button type="button" class="btn lang" id="signout" @click=${() => a.signOut()}>${t('common.signOut')}</button>
      </div>
    </header>
    <ui-banner id="archive-alarm" class="banner" role="alert" .message=${v.alarm ? { content: v.alarm, kind: 'warn', reason: 'timestamps' } : undefined}></ui-banner>
    <main id="app" class="coord-main">${body(v, a, watching)}</main>`;
}

function body(v: CoordinatorView, a: CoordinatorActions, watching: CallSession | null): unknown {
  const b = v.body;
  if (!b) return nothing;
  if (b.kind === 'signed-out') return signInCard(b.role, t);
  const o = b.overview;
  return html`<section class="tiles" id="tiles">
      ${o?.tiles.map((x) => html`<div class="tile-n ${x.alert ? 'alert' : ''}"><span>${x.label}</span><b data-n=${x.n}>${x.value}</b><small>${x.sub}</small></div>`)}
    </section>
    <div class="cgrid">
      <section class="card"><h2>${t('coordinator.queues')}</h2><div id="queues">${o ? queues(o) : nothing}</div></section>
      <section class="card">
        <h2>${t('coordinator.sessions')}</h2>
        <div id="sessions">${o ? sessions(o, a) : nothing}</div>
        <div id="watch">${o?.watching ? watchPane(o.watching, a, watching) : nothing}</div>
      </section>
      <section class="card"><h2>${t('coordinator.terminals')}</h2><div id="terminals">${o ? terminals(o) : nothing}</div></section>
      <section class="card"><h2>${t('coordinator.overdue')}</h2><div id="overdue">${o ? overdue(o, a) : nothing}</div></section>
      <section class="card wide">${lookup(b.lookup, a)}</section>
      <section class="card wide"><h2>${b.rules.title}</h2><div id="rules">${rules(b.rules, a)}</div></section>
    </div>`;
}

const head = (headers: string[], numeric: number[] = []) => html`<thead><tr>${headers.map((h, i) => html`<th class=${numeric.includes(i) ? 'num' : nothing}>${h}</th>`)}</tr></thead>`;

/** A case number that opens its timeline below. */
function caseLink(id: string, a: CoordinatorActions): TemplateResult {
  return html`<a
    href="#"
    data-case=${id}
    @click=${(e: Event) => {
      e.preventDefault();
      a.showCase(id);
      document.getElementById('case-view')?.scrollIntoView({ behavior: 'smooth' });
    }}
    >${id}</a
  >`;
}

function queues(o: OverviewView): TemplateResult {
  const q = o.queues;
  if (q.empty) return html`<p class="muted">${q.empty}</p>`;
  return html`<table>
    ${head(q.headers, [1, 2, 3])}
    <tbody>
      ${q.rows.map(
        (r) => html`<tr data-queue=${r.id} class=${r.warn ? 'warn' : ''}>
          <td>${r.name}</td>
          <td class="num">${r.length}</td>
          <td class="num">${r.online}${r.warn ? html` <span class="late">${r.warn}</span>` : nothing}</td>
          <td class="num">${r.oldest}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

function sessions(o: OverviewView, a: CoordinatorActions): TemplateResult {
  const s = o.sessions;
  if (s.empty) return html`<p class="muted">${s.empty}</p>`;
  return html`<table>
    ${head(s.headers)}
    <tbody>
      ${s.rows.map(
        (r) => html`<tr data-session=${r.caseId}>
          <td>${caseLink(r.caseId, a)} <button type="button" class="btn small" data-watch=${r.caseId} title=${r.watchTitle} @click=${() => a.watch(r.caseId)}>${r.watch}</button></td>
          <td>${r.category}</td>
          <td>${r.state}</td>
          <td>${r.participants.length ? r.participants.map((p, i) => html`${i ? html`<br />` : nothing}${p}`) : '—'}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

function watchPane(w: NonNullable<OverviewView['watching']>, a: CoordinatorActions, session: CallSession | null): TemplateResult {
  if (w.error) return html`<p class="late">${w.error}</p>`;
  return html`<div class="watch-head"><b>${w.title}</b><span class="muted">${w.note}</span></div>
    ${session ? html`<call-tiles .session=${session} .preview=${false} @leave=${() => a.stopWatching()}></call-tiles>` : nothing}`;
}

function terminals(o: OverviewView): TemplateResult {
  const x = o.terminals;
  return html`${x.alerts.length
      ? html`<ul id="terminal-alerts" class="terminal-alerts" role="alert">${x.alerts.map((al) => html`<li class="late" data-terminal-id=${al.id}>${al.text}</li>`)}</ul>`
      : nothing}
    <table>
    ${head(x.headers, [2])}
    <tbody>
      ${x.rows.map(
        (g) => html`<tr data-region=${g.region}>
          <td>${g.name}</td>
          <td><div class="bar"><span style="width:${g.percent}%"></span></div> ${g.online}</td>
          <td class="num">${g.offline ? html`<details><summary>${g.offline}</summary><div class="ids">${g.offlineNames}</div></details>` : '0'}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

function overdue(o: OverviewView, a: CoordinatorActions): TemplateResult {
  const x = o.overdue;
  if (x.empty) return html`<p class="muted ok">${x.empty}</p>`;
  return html`<table>
    ${head(x.headers)}
    <tbody>
      ${x.rows.map(
        (r) => html`<tr>
          <td>${caseLink(r.caseId, a)}</td>
          <td>${r.category}</td>
          <td>${r.state}</td>
          <td class="late">${r.overdue}</td>
          <td>${r.due}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

function lookup(l: LookupView, a: CoordinatorActions): TemplateResult {
  const r = l.result;
  return html`<h2>${l.title}</h2>
    <form
      id="lookup"
      class="lookup"
      @submit=${(e: Event) => {
        e.preventDefault();
        a.showCase(l.input.trim());
      }}
    >
      <input name="caseId" placeholder=${l.placeholder} pattern="XF\\d{8}-\\d{6}" required .value=${l.input} @input=${(e: Event) => a.setLookup((e.target as HTMLInputElement).value)} />
      <button class="btn primary">${l.button}</button>
    </form>
    <div id="case-view">
      ${r && 'error' in r
        ? html`<p class="late">${r.error}</p>`
        : r
          ? html`<div class="case-sum">${r.summary}</div>
              <ui-timeline .entries=${r.timeline} list-class="tl"></ui-timeline>`
          : nothing}
    </div>`;
}

function rules(r: RulesView, a: CoordinatorActions): unknown {
  if (r.error) return html`<p class="late">${r.error}</p>`;
  if (r.table) {
    const x = r.table;
    return html`<p>${x.summary}</p>
      <table>
        ${head(x.headers)}
        <tbody>
          ${x.rows.map(
            (c) => html`<tr data-rule=${c.code}>
              <td class="icon">${icon(c.icon)}</td>
              <td>${c.name}</td>
              <td><code>${c.code}</code></td>
              <td>${c.offices}</td>
              <td>${c.level}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      <div class="act-row"><button type="button" class="btn" data-act="edit-rules" @click=${() => a.editRules()}>${x.edit}</button></div>`;
  }
  const e = r.editor;
  if (!e) return nothing;
  const draftField = (field: 'offerAfter' | 'maxWait', f: { label: string; value: string }) =>
    html`<label>${f.label} <input type="number" name=${field} min="1" max="1440" .value=${f.value} @input=${(ev: Event) => a.setDraft(field, (ev.target as HTMLInputElement).value)} /></label>`;
  const value = (ev: Event) => (ev.target as HTMLInputElement | HTMLSelectElement).value;
  return html`<form
    id="rules-form"
    class="rules-form"
    @submit=${(ev: Event) => {
      ev.preventDefault();
      a.saveRules();
    }}
  >
    <div class="act-row">
      ${draftField('offerAfter', e.offerAfter)} ${draftField('maxWait', e.maxWait)}
      <label
        >${e.escalation.label}
        <select name="escalation" @change=${(ev: Event) => a.setDraft('escalation', value(ev))}>
          ${e.escalation.options.map((o) => html`<option value=${o.value} ?selected=${o.selected}>${o.label}</option>`)}
        </select></label
      >
    </div>
    <table class="rules-edit">
      ${head(e.headers)}
      <tbody>
        ${repeat(
          e.rows,
          (row) => row.key,
          (row, i) => html`<tr data-row=${i}>
            <td class="icon-pick">
              <span class="icon-preview">${icon(row.icon.value)}</span>
              <select name="icon" aria-label=${row.icon.label} @change=${(ev: Event) => a.setRow(row.key, 'icon', value(ev))}>
                ${row.icon.options.map((n) => html`<option value=${n} ?selected=${n === row.icon.value}>${n}</option>`)}
              </select>
            </td>
            <td><input name="name" .value=${row.name.value} maxlength="40" required aria-label=${row.name.label} @input=${(ev: Event) => a.setRow(row.key, 'name', value(ev))} /></td>
            <td>
              <input name="code" .value=${row.code.value} maxlength="32" pattern="[a-z][a-z0-9_]{1,31}" required aria-label=${row.code.label} ?readonly=${row.code.readonly} @input=${(ev: Event) => a.setRow(row.key, 'code', value(ev))} />
            </td>
            <td class="kinds">
              ${row.offices.map(
                (k) => html`<label class="chk"><input type="checkbox" name="dept" value=${k.value} .checked=${k.checked} @change=${(ev: Event) => a.toggleOffice(row.key, k.value, (ev.target as HTMLInputElement).checked)} />${k.label}</label>`,
              )}
            </td>
            <td>
              <select name="level" aria-label=${row.level.label} @change=${(ev: Event) => a.setRow(row.key, 'level', value(ev))}>
                ${row.level.options.map((o) => html`<option value=${o.value} ?selected=${o.selected}>${o.label}</option>`)}
              </select>
            </td>
            <td><button type="button" class="btn small" data-remove=${i} title=${row.remove.title} @click=${() => a.removeRow(row.key)}>${row.remove.label}</button></td>
          </tr>`,
        )}
      </tbody>
    </table>
    <div class="act-row"><button type="button" class="btn" data-act="add-rule" @click=${() => a.addRow()}>${e.add}</button></div>
    ${e.error ? html`<div class="late" role="alert">${e.error}</div>` : nothing}
    <div class="act-row">
      <button type="submit" class="btn primary" data-act="save-rules">${e.save}</button>
      <button type="button" class="btn" data-act="cancel-rules" @click=${() => a.cancelRules()}>${e.cancel}</button>
    </div>
    <p class="muted">${e.note}</p>
  </form>`;
}

