// The 红色物业 page's layout at 1024×600: the header; the raise form and the matters on the left,
// the chosen matter (its 四民 steps, parties, cameras and what may be done now) or the compound
// cameras by place on the right; in a session, the call tiles beside the matter's actions.
import { html, nothing, type TemplateResult } from 'lit';
import type { CallSession } from '../lib/call-session.ts';
import { passkeysLink } from '../widgets/passkeys-link.ts';
import { LANGUAGES, otherLanguage, t, toggleLanguage } from '../lib/i18n.ts';
import type { MatterCategory } from '../../../server/protocol/http/property-shapes.ts';
import type { MatterDetail, PropertyView } from './view-model.ts';

export interface PropertyActions {
  raise(f: { residentId?: string; category: MatterCategory; location: string; description: string }): void;
  select(matterId: string): void;
  join(matterId: string): void;
  inviteCommunity(matterId: string): void;
  inviteDepartment(matterId: string, departmentId: string): void;
  addCamera(matterId: string, cameraId: string): void;
  decide(matterId: string, decision: string): void;
  rate(matterId: string, score: number, comment: string): void;
  view(cameraId: string): void;
  leave(): void;
}

/** The named fields of a submitted form, trimmed. */
function fields(e: Event): Record<string, string> {
  e.preventDefault();
  const form = e.currentTarget as HTMLFormElement;
  return Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v).trim()]));
}

export function propertyTemplate(v: PropertyView, session: CallSession | null, a: PropertyActions, signOut: () => void): TemplateResult {
  return html`<header class="bar">
      <h1 id="title">${v.title}</h1>
      <span id="who">${v.who}</span>
      <button type="button" class="btn" id="lang" @click=${() => toggleLanguage()}>${LANGUAGES[otherLanguage()].name}</button>
      ${v.signedIn ? html`${passkeysLink()}<button type="button" class="btn" id="signout" @click=${signOut}>${v.signOut}</button>` : nothing}
    </header>
    ${v.error ? html`<p class="property-error" role="alert">${v.error}</p>` : nothing}
    ${v.room
      ? html`<section id="room" class="property-room">
          <div class="property-room-call">
            <div id="room-title">${v.room.title}</div>
            ${session ? html`<call-tiles .session=${session} @leave=${() => a.leave()}></call-tiles>` : nothing}
          </div>
          ${v.room.matter ? html`<aside class="property-room-side">${actions(v.room.matter, a)}${parties(v.room.matter)}</aside>` : nothing}
        </section>`
      : html`<main class="property-main">
          <section class="property-left">
            ${v.raise ? raiseForm(v.raise, a) : nothing}
            <h2>${t('property.matters')}</h2>
            ${v.notice ? html`<p class="card" id="notice">${v.notice}</p>` : nothing}
            <ul id="matters" class="property-matters">
              ${v.matters.map(
                (m) => html`<li>
                  <button type="button" class="property-matter" data-matter-id=${m.id} data-state=${m.state} aria-pressed=${m.selected ? 'true' : 'false'} @click=${() => a.select(m.id)}>
                    <span>${m.line}</span><span class="state">${m.stateText}</span>
                  </button>
                </li>`,
              )}
            </ul>
          </section>
          <section class="property-right">
            ${v.detail ? detail(v.detail, a) : v.cameraGroups ? cameras(v.cameraGroups, a) : html`<p class="hint">${t('property.pick')}</p>`}
          </section>
        </main>`}`;
}

function raiseForm(r: NonNullable<PropertyView['raise']>, a: PropertyActions): TemplateResult {
  const submit = (e: Event) => {
    const f = fields(e);
    a.raise({ ...(f.residentId ? { residentId: f.residentId } : {}), category: f.category as MatterCategory, location: f.location ?? '', description: f.description ?? '' });
  };
  return html`<form id="raise" class="property-raise" @submit=${submit}>
    <h2>${t('property.raiseTitle')}</h2>
    ${r.residents
      ? html`<label>${t('property.resident')}
          <select name="residentId" required>${r.residents.map((x) => html`<option value=${x.id}>${x.name}</option>`)}</select>
        </label>`
      : nothing}
    <label>${t('property.category')}
      <select name="category">${r.categories.map((c) => html`<option value=${c.id}>${c.label}</option>`)}</select>
    </label>
    <label>${t('property.location')}
      <input name="location" required maxlength="100" list="locations" placeholder=${t('property.locationHint')} />
      <datalist id="locations">${r.locations.map((l) => html`<option value=${l}></option>`)}</datalist>
    </label>
    <label class="wide">${t('property.description')}<textarea name="description" required maxlength="2000" rows="2"></textarea></label>
    <button type="submit" class="btn primary wide">${t('property.raise')}</button>
  </form>`;
}

function cameras(groups: NonNullable<PropertyView['cameraGroups']>, a: PropertyActions): TemplateResult {
  return html`<h2>${t('property.camerasTitle')}</h2>
    ${groups.length === 0 ? html`<p class="hint">${t('property.noCameras')}</p>` : nothing}
    <dl id="cameras" class="property-cameras">
      ${groups.map(
        (g) => html`<dt>${g.location}</dt>
          ${g.cameras.map((c) => html`<dd data-camera-id=${c.id}>${c.name} <button type="button" class="btn" data-act="view" @click=${() => a.view(c.id)}>${t('property.view')}</button></dd>`)}`,
      )}
    </dl>`;
}

function detail(d: MatterDetail, a: PropertyActions): TemplateResult {
  return html`<article id="matter" class="property-detail" data-matter-id=${d.id}>
    <ol class="property-steps">
      ${d.steps.map((s) => html`<li data-step=${s.state} data-done=${s.done ? 'true' : 'false'} ?data-current=${s.current}>${s.label}</li>`)}
    </ol>
    <h2>${d.line}</h2>
    <p>${d.description}</p>
    ${parties(d)}
    <p class="hint" id="matter-cameras">${d.cameras}</p>
    ${d.decision ? html`<p id="decision">${d.decision}</p>` : nothing}
    ${d.rating ? html`<p id="rating">${d.rating}</p>` : nothing}
    ${actions(d, a)}
    <ul class="property-timeline" id="timeline">${d.timeline.map((e) => html`<li><time>${e.at}</time> ${e.text}</li>`)}</ul>
  </article>`;
}

function parties(d: MatterDetail): TemplateResult {
  return html`<ul class="property-parties">
    ${d.parties.map((p) => html`<li data-party=${p.kind} data-joined=${p.joined ? 'true' : 'false'}>${p.label} — ${p.status}</li>`)}
  </ul>`;
}

/** What this viewer may do with the matter now. */
function actions(d: MatterDetail, a: PropertyActions): TemplateResult {
  const pickFrom = (e: Event, name: string) => (e.currentTarget as HTMLElement).closest('form')?.querySelector<HTMLSelectElement>(`[name=${name}]`)?.value ?? '';
  return html`<div class="property-actions">
    ${d.canJoin ? html`<button type="button" class="btn primary" data-act="join" @click=${() => a.join(d.id)}>${t('property.join')}</button>` : nothing}
    ${d.canInviteCommunity ? html`<button type="button" class="btn" data-act="invite-community" @click=${() => a.inviteCommunity(d.id)}>${t('property.inviteCommunity')}</button>` : nothing}
    ${d.invitable.length
      ? html`<form class="inline" @submit=${(e: Event) => { e.preventDefault(); a.inviteDepartment(d.id, pickFrom(e, 'departmentId')); }}>
          <select name="departmentId" aria-label=${t('property.pickDepartment')}>${d.invitable.map((x) => html`<option value=${x.id}>${x.name}</option>`)}</select>
          <button type="submit" class="btn" data-act="invite-department">${t('property.inviteDepartment')}</button>
        </form>`
      : nothing}
    ${d.addableCameras.length
      ? html`<form class="inline" @submit=${(e: Event) => { e.preventDefault(); a.addCamera(d.id, pickFrom(e, 'cameraId')); }}>
          <select name="cameraId">${d.addableCameras.map((x) => html`<option value=${x.id}>${x.name}</option>`)}</select>
          <button type="submit" class="btn" data-act="add-camera">${t('property.addCamera')}</button>
        </form>`
      : nothing}
    ${d.canDecide
      ? html`<form class="decide" @submit=${(e: Event) => { const f = fields(e); if (f.decision) a.decide(d.id, f.decision); }}>
          <label>${t('property.decision')}<textarea name="decision" required maxlength="4000" rows="2"></textarea></label>
          <button type="submit" class="btn danger" data-act="decide">${t('property.decide')}</button>
        </form>`
      : nothing}
    ${d.canRate
      ? html`<form class="rate" id="rate" @submit=${(e: Event) => { const f = fields(e); a.rate(d.id, Number(f.score), f.comment ?? ''); }}>
          <h3>${t('property.rateTitle')}</h3>
          <div class="scores">
            ${[1, 2, 3, 4, 5].map((n) => html`<label class="score"><input type="radio" name="score" value=${n} required ?checked=${n === 5} />${t('property.score', { n })}</label>`)}
          </div>
          <input name="comment" maxlength="1000" placeholder=${t('property.comment')} />
          <button type="submit" class="btn primary" data-act="rate">${t('property.rate')}</button>
        </form>`
      : nothing}
  </div>`;
}
