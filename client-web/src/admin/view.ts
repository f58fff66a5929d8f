// The administration page's templates: a header, the role's tabs, and one panel at a time that
// scrolls inside a 1024×600 screen.
import { html, nothing, type TemplateResult } from 'lit';
import { LEVELS, levelRank } from '../../../server/protocol/http/petition-shapes.ts';
import { DEVICE_PLACES } from '../../../server/protocol/http/household-shapes.ts';
import { PERSON_ROLES, SYSTEM_AUDIT_TYPES } from '../../../server/protocol/http/identity-shapes.ts';
import { IMPORT_KINDS, ENTITIES } from '../../../server/protocol/http/admin-shapes.ts';
import { RETENTION_CLASSES } from '../../../server/protocol/http/archive-shapes.ts';
import { t, type ViewContext } from '../lib/i18n.ts';
import { formatTime } from '../lib/time.ts';
import { signInCard } from '../petition-ui/desk.ts';
import '../widgets/banner.ts';
import type { Message } from '../widgets/banner.ts';
import { TABS, accountState, assignments, auditSubject, filtered, regionTree, reportRows, type AdminState, type FormName, type Forms, type Tab } from './view-model.ts';
import { passkeysLink } from '../widgets/passkeys-link.ts';

export interface AdminActions {
  tab(tab: Tab): void;
  filter(text: string): void;
  setForm<F extends FormName>(form: F, patch: Partial<Forms[F]>): void;
  save(form: FormName): void;
  importKind(kind: AdminState['import']['kind']): void;
  importFile(file: File | null): void;
  applyImport(): void;
  device(deviceId: string, action: 'disable' | 'enable' | 'revoke'): void;
  /** Loads a region into the form (its code stays; name and parent change). */
  editRegion(code: string): void;
  /** Loads a routing category into the form. */
  editRule(code: string): void;
  /** `owner`: `household:<id>` or `compound:<id>`. */
  removeCamera(owner: string, cameraId: string): void;
  /** A compound camera with history: kept, hidden, no longer watched. */
  retireCamera(compoundId: string, cameraId: string): void;
  unassign(householdId: string, counsellorId: string): void;
  account(accountId: string, action: 'unlock' | 'disable' | 'enable' | 'reset-second-factor' | 'reset-password' | 'end-sessions'): void;
  revokeSession(sessionId: string): void;
  searchAudit(): void;
  verifyAudit(): void;
  dismissIssued(): void;
  signOut(): void;
  toggleLanguage(): void;
}

const value = (e: Event) => (e.target as HTMLInputElement).value;

export function adminTemplate(s: AdminState, c: ViewContext, a: AdminActions, languageLabel: string, message: Message | undefined): TemplateResult {
  const title = s.role ? t(`admin.title.${s.role}`) : t('admin.title.page');
  return html`<header class="abar">
      <h1>${title}</h1>
      <div class="abar-right">
        ${s.who ? html`<span class="who">${s.who}</span>` : nothing}
        ${s.role === 'admin' ? html`<a class="btn lang" href="enrol.html" id="to-enrol">${t('admin.toEnrol')}</a>` : nothing}
        ${s.phase === 'ready' ? passkeysLink('btn lang') : nothing}
        <button type="button" class="btn lang" id="lang" @click=${() => a.toggleLanguage()}>${languageLabel}</button>
        ${s.phase === 'ready' ? html`<button type="button" class="btn lang" id="signout" @click=${() => a.signOut()}>${t('common.signOut')}</button>` : nothing}
      </div>
    </header>
    <ui-banner id="message" class="banner" role="status" .message=${message}></ui-banner>
    <main id="app" class="admin-main">${body(s, c, a)}</main>`;
}

function body(s: AdminState, c: ViewContext, a: AdminActions): unknown {
  if (s.phase === 'loading') return html`<p class="muted">${t('common.loading')}</p>`;
  if (s.phase === 'signed-out' || !s.role || !s.tab) return signInCard(t('admin.anyAdmin'), t);
  return html`<nav class="tabs" role="tablist">
      ${TABS[s.role].map(
        (x: Tab) => html`<button type="button" role="tab" class="tab ${x === s.tab ? 'on' : ''}" data-tab=${x} aria-selected=${x === s.tab} @click=${() => a.tab(x)}>${t(`admin.tab.${x}`)}</button>`,
      )}
    </nav>
    <section class="panel" id="panel" data-panel=${s.tab}>${panel(s, c, a)}</section>`;
}

function panel(s: AdminState, c: ViewContext, a: AdminActions): unknown {
  switch (s.tab) {
    case 'regions': return regions(s, a);
    case 'routing': return routing(s, a);
    case 'cameras': return cameras(s, a);
    case 'counsellors': return counsellors(s, a);
    case 'departments': return departments(s, a);
    case 'terminals': return terminals(s, a);
    case 'officials': return officials(s, a);
    case 'receptionDays': return receptionDays(s, c, a);
    case 'households': return households(s, a);
    case 'import': return importPanel(s, a);
    case 'devices': return devices(s, c, a);
    case 'accounts': return accounts(s, c, a);
    case 'sessions': return sessions(s, c, a);
    case 'audit': return audit(s, c, a);
    default: return nothing;
  }
}

// ---- pieces -------------------------------------------------------------------------------------

function form(name: FormName, a: AdminActions, s: AdminState, fields: TemplateResult, submit: string = t('admin.add')): TemplateResult {
  return html`<form
      class="row-form"
      id=${`form-${name}`}
      @submit=${(e: Event) => {
        e.preventDefault();
        a.save(name);
      }}
    >
      ${fields}
      <button type="submit" class="btn primary" data-act="save">${submit}</button>
    </form>
    ${s.formError ? html`<p class="late" id="form-error">${s.formError}</p>` : nothing}`;
}

function input<F extends FormName>(a: AdminActions, f: F, field: keyof Forms[F] & string, label: string, v: string, extra: { type?: string; required?: boolean; placeholder?: string } = {}): TemplateResult {
  return html`<label>${label}<input name=${field} type=${extra.type ?? 'text'} ?required=${extra.required ?? true} placeholder=${extra.placeholder ?? ''} .value=${v}
    @input=${(e: Event) => a.setForm(f, { [field]: value(e) } as Partial<Forms[F]>)} /></label>`;
}

function select<F extends FormName>(a: AdminActions, f: F, field: keyof Forms[F] & string, label: string, v: string, options: readonly { value: string; label: string }[], blank = true): TemplateResult {
  return html`<label>${label}<select name=${field} .value=${v} @change=${(e: Event) => a.setForm(f, { [field]: value(e) } as Partial<Forms[F]>)}>
    ${blank ? html`<option value="">—</option>` : nothing}
    ${options.map((o) => html`<option value=${o.value} ?selected=${o.value === v}>${o.label}</option>`)}
  </select></label>`;
}

function search(s: AdminState, a: AdminActions, shown: number, total: number): TemplateResult {
  return html`<div class="list-head">
    <input id="filter" type="search" placeholder=${t('admin.filter')} .value=${s.filter} @input=${(e: Event) => a.filter(value(e))} />
    <span class="muted" id="count" data-total=${total}>${shown < total ? t('admin.showing', { n: shown, total }) : t('admin.total', { total })}</span>
  </div>`;
}

function table(headers: string[], rows: TemplateResult[], id: string): TemplateResult {
  return html`<table id=${id}>
    <thead><tr>${headers.map((h) => html`<th>${h}</th>`)}</tr></thead>
    <tbody>${rows}</tbody>
  </table>`;
}

const levelName = (l: string) => t(`admin.level.${l as (typeof LEVELS)[number]}`);
const regionOptions = (s: AdminState, levels?: readonly string[]) =>
  (s.directory?.regions ?? []).filter((r) => !levels || levels.includes(r.level)).map((r) => ({ value: r.code, label: `${r.name} ${r.code}` }));
const regionName = (s: AdminState, code: string) => s.directory?.regions.find((r) => r.code === code)?.name ?? code;

// ---- the system administrator ---------------------------------------------------------------------

function regions(s: AdminState, a: AdminActions): TemplateResult {
  const f = s.forms.regions;
  const all = s.directory?.regions ?? [];
  const editing = all.some((r) => r.code === f.code);
  // A parent one level up from what the code says (6 digits: a county under a city …); any non-village otherwise.
  const parents = all.filter((r) => r.level !== 'village').map((r) => ({ value: r.code, label: `${'　'.repeat(3 - levelRank(r.level))}${r.name} ${r.code}` }));
  const list = filtered(regionTree(all), s.filter, (x) => `${x.region.code} ${x.region.name}`);
  return html`<p class="note">${t('admin.regionsNote')}</p>
    ${form('regions', a, s, html`
      ${input(a, 'regions', 'code', t('admin.field.regionCode'), f.code, { placeholder: t('admin.field.regionCodeHint') })}
      ${input(a, 'regions', 'name', t('admin.field.regionName'), f.name)}
      ${select(a, 'regions', 'parentCode', t('admin.field.parentRegion'), f.parentCode, parents)}`, editing ? t('admin.saveChange') : t('admin.add'))}
    ${search(s, a, list.rows.length, list.total)}
    ${table([t('admin.col.name'), t('admin.col.id'), t('admin.col.level'), ''],
      list.rows.map((x) => html`<tr data-region=${x.region.code} data-depth=${x.depth}><td style=${`padding-left:${8 + x.depth * 20}px`}>${x.region.name}</td><td>${x.region.code}</td><td>${levelName(x.region.level)}</td>
        <td class="acts"><button type="button" class="btn small" data-act="edit" @click=${() => a.editRegion(x.region.code)}>${t('admin.act.edit')}</button></td></tr>`), 'regions')}`;
}

function routing(s: AdminState, a: AdminActions): TemplateResult {
  const r = s.rules;
  const f = s.forms.routing;
  const kinds = [...new Set([...(s.directory?.kinds ?? []), ...f.departments])];
  const toggle = (k: string, on: boolean) => a.setForm('routing', { departments: on ? [...f.departments, k] : f.departments.filter((x) => x !== k) });
  return html`<p class="note">${t('admin.routingNote', { version: r?.version ?? '—' })}</p>
    ${form('routing', a, s, html`
      ${input(a, 'routing', 'code', t('admin.field.categoryCode'), f.code)}
      ${input(a, 'routing', 'name', t('admin.field.categoryName'), f.name)}
      ${select(a, 'routing', 'level', t('admin.field.level'), f.level, (['township', 'county', 'city'] as const).map((l) => ({ value: l, label: levelName(l) })), false)}
      <fieldset class="kinds" id="routing-kinds"><legend>${t('admin.field.kinds')}</legend>
        ${kinds.map((k) => html`<label class="check"><input type="checkbox" name="kind" value=${k} .checked=${f.departments.includes(k)} @change=${(e: Event) => toggle(k, (e.target as HTMLInputElement).checked)} />${k}</label>`)}
      </fieldset>`, r?.categories.some((c) => c.code === f.code) ? t('admin.saveChange') : t('admin.add'))}
    ${table([t('admin.col.category'), t('admin.col.kind'), t('admin.col.level'), ''],
      (r?.categories ?? []).map((c) => html`<tr data-category=${c.code}><td>${c.name}<br /><small class="muted">${c.code}</small></td><td data-kinds>${c.departments.join(' + ')}</td><td>${levelName(c.level)}</td>
        <td class="acts"><button type="button" class="btn small" data-act="edit" @click=${() => a.editRule(c.code)}>${t('admin.act.edit')}</button></td></tr>`), 'routing')}`;
}

function cameras(s: AdminState, a: AdminActions): TemplateResult {
  const f = s.forms.cameras;
  const owners = [
    ...s.households.map((h) => ({ value: `household:${h.household.id}`, label: `${t('admin.cameraOwner.household')} · ${h.household.name}` })),
    ...s.compounds.map((c) => ({ value: `compound:${c.compound.id}`, label: `${t('admin.cameraOwner.compound')} · ${c.compound.name}` })),
  ];
  const rows = [
    ...s.households.flatMap((h) => h.cameras.map((c) => ({ owner: `household:${h.household.id}`, compoundId: null, ownerName: h.household.name, id: c.id, name: c.name, where: t(`enrol.places.${c.place}`) }))),
    ...s.compounds.flatMap((x) => x.cameras.map((c) => ({ owner: `compound:${x.compound.id}`, compoundId: x.compound.id, ownerName: x.compound.name, id: c.id, name: c.name, where: c.location }))),
  ];
  const list = filtered(rows, s.filter, (x) => `${x.id} ${x.name} ${x.ownerName} ${x.where}`);
  const household = f.owner.startsWith('household:');
  return html`<p class="note">${t('admin.camerasNote')}</p>
    ${form('cameras', a, s, html`
      ${select(a, 'cameras', 'owner', t('admin.field.cameraOwner'), f.owner, owners)}
      ${input(a, 'cameras', 'name', t('admin.field.cameraName'), f.name)}
      ${household
        ? select(a, 'cameras', 'where', t('admin.field.place'), f.where, DEVICE_PLACES.map((p) => ({ value: p, label: t(`enrol.places.${p}`) })))
        : input(a, 'cameras', 'where', t('admin.field.cameraLocation'), f.where)}
      ${input(a, 'cameras', 'url', t('admin.field.cameraUrl'), f.url, { placeholder: 'rtsp://192.168.1.64:554/stream1' })}`)}
    ${search(s, a, list.rows.length, list.total)}
    ${table([t('admin.col.name'), t('admin.col.owner'), t('admin.col.place'), ''],
      list.rows.map((x) => html`<tr data-camera=${x.id}><td>${x.name}<br /><small class="muted">${x.id}</small></td><td>${x.ownerName}</td><td>${x.where}</td>
        <td class="acts">${x.compoundId
          ? html`<button type="button" class="btn small" data-act="retire" @click=${() => a.retireCamera(x.compoundId!, x.id)}>${t('admin.act.retire')}</button>`
          : nothing}<button type="button" class="btn small danger" data-act="remove" @click=${() => a.removeCamera(x.owner, x.id)}>${t('admin.act.remove')}</button></td></tr>`), 'cameras')}`;
}

function counsellors(s: AdminState, a: AdminActions): TemplateResult {
  const f = s.forms.counsellors;
  const list = filtered(assignments(s.households, s.counsellors), s.filter, (x) => `${x.householdId} ${x.household} ${x.counsellorId ?? ''} ${x.counsellor}`);
  return html`${form('counsellors', a, s, html`
      ${select(a, 'counsellors', 'householdId', t('admin.field.household'), f.householdId, s.households.map((h) => ({ value: h.household.id, label: h.household.name })))}
      ${select(a, 'counsellors', 'counsellorId', t('admin.field.counsellor'), f.counsellorId, s.counsellors.map((c) => ({ value: c.id, label: t('common.aside', { text: c.name, aside: c.organisation }) })))}`, t('admin.assign'))}
    ${search(s, a, list.rows.length, list.total)}
    ${table([t('admin.col.household'), t('admin.col.counsellor'), ''],
      list.rows.map((x) => html`<tr data-assignment=${`${x.householdId}/${x.counsellorId ?? ''}`}><td>${x.household}<br /><small class="muted">${x.householdId}</small></td>
        <td>${x.counsellorId ? x.counsellor : html`<span class="muted">${t('admin.noCounsellor')}</span>`}</td>
        <td class="acts">${x.counsellorId ? html`<button type="button" class="btn small" data-act="unassign" @click=${() => a.unassign(x.householdId, x.counsellorId!)}>${t('admin.act.unassign')}</button>` : nothing}</td></tr>`), 'assignments')}`;
}

function departments(s: AdminState, a: AdminActions): TemplateResult {
  const d = s.directory;
  const f = s.forms.departments;
  const list = filtered(d?.departments ?? [], s.filter, (x) => `${x.id} ${x.name} ${x.kind}`);
  return html`${form('departments', a, s, html`
      <label>${t('admin.field.kind')}<input name="kind" list="kinds" required .value=${f.kind} @input=${(e: Event) => a.setForm('departments', { kind: value(e) })} /></label>
      <datalist id="kinds">${(d?.kinds ?? []).map((k) => html`<option value=${k}></option>`)}</datalist>
      ${input(a, 'departments', 'name', t('admin.field.departmentName'), f.name)}
      ${select(a, 'departments', 'regionCode', t('admin.field.region'), f.regionCode, regionOptions(s, ['city', 'county', 'township']))}`)}
    ${search(s, a, list.rows.length, list.total)}
    ${table([t('admin.col.id'), t('admin.col.name'), t('admin.col.kind'), t('admin.col.level'), t('admin.col.region')],
      list.rows.map((x) => html`<tr data-department=${x.id}><td>${x.id}</td><td>${x.name}</td><td>${x.kind}</td><td>${levelName(x.level)}</td><td>${regionName(s, x.regionCode)}</td></tr>`), 'departments')}`;
}

function terminals(s: AdminState, a: AdminActions): TemplateResult {
  const f = s.forms.terminals;
  const list = filtered(s.directory?.terminals ?? [], s.filter, (x) => `${x.id} ${x.name} ${x.regionCode}`);
  const enrolled = new Map(s.devices.filter((d) => d.kind === 'terminal' && d.state !== 'revoked').map((d) => [d.terminalId, d]));
  return html`${form('terminals', a, s, html`
      ${input(a, 'terminals', 'name', t('admin.field.terminalName'), f.name)}
      ${input(a, 'terminals', 'regionCode', t('admin.field.regionCode'), f.regionCode, { placeholder: t('admin.field.regionCodeHint') })}
      ${input(a, 'terminals', 'regionName', t('admin.field.regionName'), f.regionName, { required: false, placeholder: t('admin.field.regionNameHint') })}
      ${select(a, 'terminals', 'parentCode', t('admin.field.parentRegion'), f.parentCode, regionOptions(s, ['city', 'county', 'township']))}`)}
    ${search(s, a, list.rows.length, list.total)}
    ${table([t('admin.col.id'), t('admin.col.name'), t('admin.col.level'), t('admin.col.region'), t('admin.col.device')],
      list.rows.map((x) => html`<tr data-terminal=${x.id}><td>${x.id}</td><td>${x.name}</td><td>${levelName(x.level)}</td><td>${regionName(s, x.regionCode)}</td>
        <td>${enrolled.get(x.id)?.name ?? html`<span class="muted">${t('admin.notEnrolled')}</span>`}</td></tr>`), 'terminals')}`;
}

function officials(s: AdminState, a: AdminActions): TemplateResult {
  const d = s.directory;
  const f = s.forms.officials;
  const list = filtered(d?.officials ?? [], s.filter, (x) => `${x.id} ${x.name} ${x.departmentId} ${x.post ?? ''}`);
  const dept = (id: string) => d?.departments.find((x) => x.id === id)?.name ?? id;
  return html`<p class="note">${t('admin.officialsNote')}</p>
    ${form('officials', a, s, html`
      ${input(a, 'officials', 'name', t('admin.field.personName'), f.name)}
      ${select(a, 'officials', 'departmentId', t('admin.field.department'), f.departmentId, (d?.departments ?? []).map((x) => ({ value: x.id, label: x.name })))}
      ${input(a, 'officials', 'post', t('admin.field.post'), f.post, { required: false, placeholder: t('admin.field.postHint') })}
      ${input(a, 'officials', 'maxSessions', t('admin.field.maxSessions'), f.maxSessions, { type: 'number' })}
      <label class="check"><input type="checkbox" name="head" .checked=${f.head} @change=${(e: Event) => a.setForm('officials', { head: (e.target as HTMLInputElement).checked })} />${t('admin.field.head')}</label>`)}
    ${search(s, a, list.rows.length, list.total)}
    ${table([t('admin.col.id'), t('admin.col.name'), t('admin.col.department'), t('admin.col.post'), t('admin.col.roleInDept')],
      list.rows.map((x) => html`<tr data-official=${x.id}><td>${x.id}</td><td>${x.name}</td><td>${dept(x.departmentId)}</td><td>${x.post ?? '—'}</td>
        <td>${x.head ? t('admin.head') : t('admin.official')}</td></tr>`), 'officials')}`;
}

function receptionDays(s: AdminState, c: ViewContext, a: AdminActions): TemplateResult {
  const d = s.directory;
  const f = s.forms.receptionDays;
  const leaders = (d?.officials ?? []).filter((o) => o.post).map((o) => ({ value: o.id, label: t('common.aside', { text: o.name, aside: o.post! }) }));
  const list = filtered(d?.receptionDays ?? [], s.filter, (x) => `${x.leaderName} ${x.portfolio} ${x.place}`);
  return html`${form('receptionDays', a, s, html`
      ${select(a, 'receptionDays', 'officialId', t('admin.field.leader'), f.officialId, leaders)}
      ${input(a, 'receptionDays', 'portfolio', t('admin.field.portfolio'), f.portfolio)}
      ${input(a, 'receptionDays', 'place', t('admin.field.place'), f.place)}
      ${input(a, 'receptionDays', 'startsAt', t('admin.field.startsAt'), f.startsAt, { type: 'datetime-local' })}
      ${input(a, 'receptionDays', 'slotMinutes', t('admin.field.slotMinutes'), f.slotMinutes, { type: 'number' })}
      ${input(a, 'receptionDays', 'slots', t('admin.field.slots'), f.slots, { type: 'number' })}
      ${input(a, 'receptionDays', 'capacityPerSlot', t('admin.field.capacity'), f.capacityPerSlot, { type: 'number' })}`)}
    ${search(s, a, list.rows.length, list.total)}
    ${table([t('admin.col.leader'), t('admin.col.portfolio'), t('admin.col.when'), t('admin.col.place'), t('admin.col.slots')],
      list.rows.map((x) => html`<tr data-reception-day=${x.id}><td>${t('common.aside', { text: x.leaderName, aside: x.post })}</td><td>${x.portfolio}</td><td>${formatTime(x.startsAt, 'dateTimeYear', c.lang)}</td><td>${x.place}</td>
        <td>${x.slots} × ${x.slotMinutes}′</td></tr>`), 'reception-days')}`;
}

function households(s: AdminState, a: AdminActions): TemplateResult {
  const f = s.forms.households;
  const list = filtered(s.households, s.filter, (x) => `${x.household.id} ${x.household.name} ${x.household.address}`);
  return html`${form('households', a, s, html`
      ${input(a, 'households', 'name', t('admin.field.householdName'), f.name)}
      ${input(a, 'households', 'address', t('admin.field.address'), f.address)}
      ${select(a, 'households', 'region', t('admin.field.village'), f.region, regionOptions(s, ['village', 'township']))}`)}
    ${search(s, a, list.rows.length, list.total)}
    ${table([t('admin.col.id'), t('admin.col.name'), t('admin.col.address'), t('admin.col.devices'), t('admin.col.family')],
      list.rows.map((x) => html`<tr data-household=${x.household.id}><td>${x.household.id}</td><td>${x.household.name}</td><td>${x.household.address}</td>
        <td class="num">${x.devices.length}</td><td class="num">${x.family.length}</td></tr>`), 'households')}`;
}

function importPanel(s: AdminState, a: AdminActions): TemplateResult {
  const im = s.import;
  const r = im.report;
  const busy = im.phase === 'reading' || im.phase === 'checking' || im.phase === 'applying';
  const step = ['reading', 'checking', 'checked', 'applying', 'applied'].indexOf(im.phase) + 1;
  // While reading, the bar and the figure follow the bytes; afterwards, the rows the server checked.
  const reading = im.phase === 'reading';
  const checked = r !== null && r.problems.length === 0;
  const rows = checked ? reportRows(r, im.kind) : Math.max(0, im.read.lines - 1);
  return html`<p class="note">${t(`admin.import.hint.${im.kind}`)}</p>
    <div class="row-form">
      <label>${t('admin.import.kind')}<select id="import-kind" .value=${im.kind} @change=${(e: Event) => a.importKind(value(e) as typeof im.kind)}>
        ${IMPORT_KINDS.map((k) => html`<option value=${k} ?selected=${k === im.kind}>${t(`admin.import.kinds.${k}`)}</option>`)}
      </select></label>
      <label>${t('admin.import.file')}<input id="import-file" type="file" accept=".csv,text/csv" ?disabled=${busy}
        @change=${(e: Event) => a.importFile((e.target as HTMLInputElement).files?.[0] ?? null)} /></label>
      <button type="button" class="btn primary" id="import-apply" ?disabled=${im.phase !== 'checked' || !r || r.problems.length > 0} @click=${() => a.applyImport()}>${t('admin.import.apply')}</button>
    </div>
    <div class="progress" id="import-progress" data-phase=${im.phase} data-bytes=${im.read.bytes} data-rows=${rows}>
      ${reading ? html`<progress max=${im.read.total || 1} .value=${im.read.bytes}></progress>` : html`<progress max="5" .value=${Math.max(0, step)}></progress>`}
      <span>${t(`admin.import.phase.${im.phase}`, { file: im.fileName ?? '' })}</span>
      ${im.read.total > 0
        ? html`<span class="muted" id="import-figure">${reading
            ? t('admin.import.readFigure', { done: megabytes(im.read.bytes), total: megabytes(im.read.total), rows })
            : checked ? t('admin.import.rowsFigure', { rows, size: megabytes(im.read.total) }) : t('admin.import.sizeFigure', { size: megabytes(im.read.total), rows })}</span>`
        : nothing}
    </div>
    ${im.error ? html`<p class="late" id="import-error">${im.error}</p>` : nothing}
    ${r
      ? html`${table([t('admin.import.entity'), t('admin.import.create'), t('admin.import.update'), t('admin.import.unchanged')],
          ENTITIES.filter((e) => r.counts[e].create + r.counts[e].update + r.counts[e].unchanged > 0).map(
            (e) => html`<tr data-entity=${e}><td>${t(`admin.import.entities.${e}`)}</td><td class="num" data-create>${r.counts[e].create}</td><td class="num">${r.counts[e].update}</td><td class="num">${r.counts[e].unchanged}</td></tr>`,
          ), 'import-counts')}
        ${r.problems.length
          ? html`<h3 class="late">${t('admin.import.problems', { n: r.problems.length })}</h3>
            ${table([t('admin.import.line'), t('admin.import.entity'), t('admin.import.key'), t('admin.import.problem')],
              r.problems.map((p) => html`<tr data-line=${p.line}><td class="num">${p.line}</td><td>${t(`admin.import.entities.${p.entity}`)}</td><td>${p.key}</td><td>${p.message}</td></tr>`), 'import-problems')}`
          : nothing}`
      : nothing}`;
}

const megabytes = (bytes: number) => (bytes / 1024 ** 2).toFixed(bytes < 10 * 1024 ** 2 ? 2 : 1);

function devices(s: AdminState, c: ViewContext, a: AdminActions): TemplateResult {
  const list = filtered(s.devices, s.filter, (x) => `${x.id} ${x.name} ${x.terminalId ?? ''} ${x.householdId ?? ''}`);
  const f = s.forms.retention;
  // What the devices record is kept this long (days after a recording ends; a legal hold keeps it longer).
  return html`${form('retention', a, s, html`
      <span class="muted">${t('admin.retention.title')}</span>
      ${RETENTION_CLASSES.map((c) => input(a, 'retention', c, t(`admin.retention.class.${c}`), f[c], { type: 'number' }))}`, t('admin.retention.save'))}
    <p class="note">${t('admin.devicesNote')} <a href="enrol.html" class="btn small">${t('admin.toEnrol')}</a></p>
    ${search(s, a, list.rows.length, list.total)}
    ${table([t('admin.col.device'), t('admin.col.kind'), t('admin.col.place'), t('admin.col.state'), t('admin.col.lastSeen'), ''],
      list.rows.map((x) => html`<tr data-device=${x.id} data-state=${x.state}><td>${x.name}<br /><small class="muted">${x.id}</small></td><td>${t(`admin.deviceKind.${x.kind}`)}</td>
        <td>${x.terminalId ?? x.householdId ?? '—'}</td><td>${t(`admin.deviceState.${x.state}`)}</td><td>${x.lastRefreshAt ? formatTime(x.lastRefreshAt, 'dateTimeYear', c.lang) : '—'}</td>
        <td class="acts">${x.state === 'revoked'
          ? nothing
          : html`${x.state === 'active'
                ? html`<button type="button" class="btn small" data-act="disable" @click=${() => a.device(x.id, 'disable')}>${t('admin.act.disable')}</button>`
                : html`<button type="button" class="btn small" data-act="enable" @click=${() => a.device(x.id, 'enable')}>${t('admin.act.enable')}</button>`}
              <button type="button" class="btn small danger" data-act="revoke" @click=${() => a.device(x.id, 'revoke')}>${t('admin.act.revoke')}</button>`}</td></tr>`), 'devices')}`;
}

// ---- the security administrator ---------------------------------------------------------------

function accounts(s: AdminState, c: ViewContext, a: AdminActions): TemplateResult {
  const f = s.forms.accounts;
  const list = filtered(s.accounts, s.filter, (x) => `${x.username} ${x.displayName} ${x.role} ${x.subject}`);
  const live = new Map<string, number>();
  for (const x of s.sessions) live.set(x.accountId, (live.get(x.accountId) ?? 0) + 1);
  return html`${s.issued
      ? html`<div class="issued" id="issued">${t('admin.issued', { user: s.issued.account.username })} <code id="one-time-password">${s.issued.initialPassword}</code>
          <button type="button" class="btn small" @click=${() => a.dismissIssued()}>${t('admin.dismiss')}</button></div>`
      : nothing}
    ${form('accounts', a, s, html`
      ${input(a, 'accounts', 'username', t('admin.field.username'), f.username)}
      ${input(a, 'accounts', 'displayName', t('admin.field.personName'), f.displayName)}
      ${select(a, 'accounts', 'role', t('admin.field.role'), f.role, PERSON_ROLES.map((r) => ({ value: r, label: t(`admin.role.${r}`) })), false)}
      ${input(a, 'accounts', 'subject', t('admin.field.subject'), f.subject, { required: false, placeholder: t('admin.field.subjectHint') })}`, t('admin.createAccount'))}
    ${search(s, a, list.rows.length, list.total)}
    ${table([t('admin.col.username'), t('admin.col.name'), t('admin.col.role'), t('admin.col.state'), t('admin.col.secondFactor'), t('admin.col.sessions'), ''],
      list.rows.map((x) => {
        const st = accountState(x, c.now);
        return html`<tr data-account=${x.username} data-state=${st}><td>${x.username}</td><td>${x.displayName}</td><td>${t(`admin.role.${x.role}`)}</td>
          <td class=${st === 'active' ? '' : 'late'}>${t(`admin.accountState.${st}`)}${x.failedAttempts && st !== 'locked' ? html` <small>(${t('admin.failures', { n: x.failedAttempts })})</small>` : nothing}</td>
          <td>${x.singleSignOn ? t('admin.sso') : x.totpEnabled || x.passkeys ? t('admin.factorOn') : '—'}</td>
          <td class="num" data-sessions>${live.get(x.id) ?? 0}</td>
          <td class="acts">
            ${st === 'locked' ? html`<button type="button" class="btn small" data-act="unlock" @click=${() => a.account(x.id, 'unlock')}>${t('admin.act.unlock')}</button>` : nothing}
            ${live.get(x.id) ? html`<button type="button" class="btn small" data-act="end-sessions" @click=${() => a.account(x.id, 'end-sessions')}>${t('admin.act.endSessions')}</button>` : nothing}
            ${x.totpEnabled || x.passkeys ? html`<button type="button" class="btn small" data-act="reset-second-factor" @click=${() => a.account(x.id, 'reset-second-factor')}>${t('admin.act.resetFactor')}</button>` : nothing}
            ${x.singleSignOn ? nothing : html`<button type="button" class="btn small" data-act="reset-password" @click=${() => a.account(x.id, 'reset-password')}>${t('admin.act.resetPassword')}</button>`}
            ${x.disabled
              ? html`<button type="button" class="btn small" data-act="enable" @click=${() => a.account(x.id, 'enable')}>${t('admin.act.enable')}</button>`
              : html`<button type="button" class="btn small danger" data-act="disable" @click=${() => a.account(x.id, 'disable')}>${t('admin.act.disable')}</button>`}
          </td></tr>`;
      }), 'accounts')}`;
}

function sessions(s: AdminState, c: ViewContext, a: AdminActions): TemplateResult {
  const list = filtered(s.sessions, s.filter, (x) => `${x.username} ${x.ip ?? ''} ${x.role}`);
  return html`${search(s, a, list.rows.length, list.total)}
    ${table([t('admin.col.username'), t('admin.col.role'), t('admin.col.method'), t('admin.col.since'), t('admin.col.lastActive'), t('admin.col.from'), ''],
      list.rows.map((x) => html`<tr data-session=${x.id}><td>${x.username}</td><td>${t(`admin.role.${x.role}`)}</td><td>${x.method}</td>
        <td>${formatTime(x.createdAt, 'dateTimeYear', c.lang)}</td><td>${formatTime(x.lastActiveAt, 'dateTimeYear', c.lang)}</td><td>${x.ip ?? '—'}</td>
        <td>${x.current ? html`<span class="muted">${t('admin.thisSession')}</span>` : html`<button type="button" class="btn small danger" data-act="revoke" @click=${() => a.revokeSession(x.id)}>${t('admin.act.revoke')}</button>`}</td></tr>`), 'sessions')}`;
}

// ---- the audit administrator ------------------------------------------------------------------

function audit(s: AdminState, c: ViewContext, a: AdminActions): TemplateResult {
  const f = s.forms.audit;
  const v = s.verify;
  return html`${form('audit', a, s, html`
      ${input(a, 'audit', 'text', t('admin.field.person'), f.text, { required: false, placeholder: t('admin.field.personHint') })}
      ${select(a, 'audit', 'type', t('admin.field.action'), f.type, SYSTEM_AUDIT_TYPES.map((x) => ({ value: x, label: t(`admin.auditType.${x}`) })))}
      ${input(a, 'audit', 'from', t('admin.field.from'), f.from, { type: 'date', required: false })}
      ${input(a, 'audit', 'to', t('admin.field.to'), f.to, { type: 'date', required: false })}`, t('admin.search'))}
    <div class="list-head">
      <span class="muted" id="count" data-total=${s.audit.length}>${t('admin.total', { total: s.audit.length })}</span>
      <button type="button" class="btn" id="verify" @click=${() => a.verifyAudit()}>${t('admin.verify')}</button>
      ${v ? html`<span id="verify-result" data-ok=${v.ok} class=${v.ok ? 'ok' : 'late'}>${v.ok ? t('admin.verifyOk', { n: v.entries }) : t('admin.verifyFailed', { n: v.problems.length, first: v.problems[0]?.problem ?? '' })}</span>` : nothing}
    </div>
    ${table([t('admin.col.when'), t('admin.col.action'), t('admin.col.who'), t('admin.col.about'), t('admin.col.from')],
      s.audit.map((e) => html`<tr data-seq=${e.seq} data-type=${e.type}><td>${formatTime(e.at, 'stamp', c.lang)}</td><td>${t(`admin.auditType.${e.type as (typeof SYSTEM_AUDIT_TYPES)[number]}`, { defaultValue: e.type })}</td>
        <td>${e.actor.name ?? e.actor.sub}${e.actor.role ? html`<br /><small class="muted">${e.actor.role}</small>` : nothing}</td><td>${auditSubject(e)}</td>
        <td>${typeof e.details.ip === 'string' ? e.details.ip : '—'}</td></tr>`), 'audit')}`;
}
