// Archivist UI (录像档案): search recorded sessions, replay every participant on one timeline,
// bookmark, verify, place legal holds and export evidence packages. The archive API decides who
// may do any of it (archivists and admins); this page only shows its answers, including refusals.
import { ApiError } from '../lib/api.ts';
import { toggleLang } from '../lib/i18n.ts';
import { redeemedToken } from '../lib/sign-in-code.ts';
import { ArchiveClient, peekClaims, type SearchParams, type SessionRow } from './client.ts';
import { bytes, dateTime, duration, h } from './format.ts';
import { lang, roleLabel, s } from './strings.ts';
import { SessionView } from './session.ts';
import { icon } from './icons.ts';

const TOKEN_KEY = 'archive.token';

function takeToken(): string | null {
  const url = new URL(location.href);
  const fromUrl = redeemedToken ?? url.searchParams.get('token');
  if (fromUrl) {
    localStorage.setItem(TOKEN_KEY, fromUrl);
    // Keep the token out of the address bar, history and screenshots.
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url);
    return fromUrl;
  }
  return localStorage.getItem(TOKEN_KEY);
}

const app = document.getElementById('app')!;
const banner = document.getElementById('banner')!;

function showBanner(text: string, kind: 'error' | 'info' = 'error'): void {
  banner.textContent = text;
  banner.dataset.kind = kind;
  banner.hidden = false;
}
export function clearBanner(): void {
  banner.hidden = true;
}

/** Refusals and expired tokens replace the whole page; other errors go to the banner. */
export function handleError(err: unknown): void {
  // Four eyes: the page stays, the archivist is told a colleague must release the hold.
  if (err instanceof ApiError && (err.body.details as { reason?: unknown } | undefined)?.reason === 'four_eyes') {
    showBanner(s('fourEyes'));
    return;
  }
  if (err instanceof ApiError && (err.status === 403 || err.status === 401)) {
    denied(err.status === 403 ? 'forbidden' : 'unauthorized', err.message);
    return;
  }
  const msg = err instanceof ApiError ? `${err.code}: ${err.message}` : (err as Error).message;
  showBanner(msg);
}

let current: SessionView | undefined;

function denied(kind: 'forbidden' | 'unauthorized' | 'noToken', serverMessage?: string): void {
  current?.dispose();
  current = undefined;
  document.body.dataset.view = 'denied';
  const title = kind === 'forbidden' ? s('forbidden') : kind === 'unauthorized' ? s('unauthorized') : s('noToken');
  const detail = kind === 'forbidden' ? s('forbiddenDetail') : kind === 'unauthorized' ? s('unauthorizedDetail') : '';
  app.replaceChildren(
    h('section.denied', { role: 'alert', 'data-kind': kind },
      h('div.denied-icon', {}, icon('shield')),
      h('h2', { text: title }),
      detail ? h('p', { text: detail }) : null,
      serverMessage ? h('p.denied-server', { text: serverMessage }) : null,
      h('a.btn.primary', { href: 'index.html', text: s('backHome') }),
    ),
  );
}

// ---- header ---------------------------------------------------------------------------------

function renderHeader(token: string | null): void {
  document.title = `${s('title')} · ${lang === 'en' ? 'Video Petition' : '视频接访'}`;
  document.getElementById('title')!.textContent = s('title');
  document.getElementById('subtitle')!.textContent = s('subtitle');
  const who = document.getElementById('who')!;
  if (token) {
    const c = peekClaims(token);
    who.replaceChildren(h('span.who-label', { text: s('signedInAs') }), h('strong', { text: c.name ?? c.sub ?? '?' }), h('span.who-role', { text: roleLabel(c.role ?? '') }));
  }
  const langBtn = document.getElementById('lang') as HTMLButtonElement;
  langBtn.textContent = s('language');
  langBtn.onclick = toggleLang;
}

// ---- search ---------------------------------------------------------------------------------

const FIELDS: { key: keyof SearchParams; label: Parameters<typeof s>[0]; type?: string; placeholder?: string }[] = [
  { key: 'caseNumber', label: 'caseNumber', placeholder: 'XF20261126-000001' },
  { key: 'petitioner', label: 'petitioner' },
  { key: 'official', label: 'official' },
  { key: 'department', label: 'department' },
  { key: 'terminalId', label: 'terminalId' },
  { key: 'region', label: 'region' },
  { key: 'from', label: 'dateFrom', type: 'date' },
  { key: 'to', label: 'dateTo', type: 'date' },
];

let lastQuery: SearchParams = JSON.parse(sessionStorage.getItem('archive.query') ?? '{}') as SearchParams;

function statusBadge(row: SessionRow): HTMLElement {
  const label = row.status === 'stopped' ? s('statusStopped') : row.status === 'recording' ? s('statusRecording') : s('statusInterrupted');
  return h('span.badge', { 'data-status': row.status, text: label });
}

async function showSearch(client: ArchiveClient): Promise<void> {
  current?.dispose();
  current = undefined;
  document.body.dataset.view = 'search';
  const form = h('form.filters.card', { id: 'search-form', role: 'search' });
  for (const f of FIELDS) {
    const input = h('input', { name: f.key, type: f.type ?? 'search', value: lastQuery[f.key] ?? '', placeholder: f.placeholder, autocomplete: 'off' });
    form.append(h('label', {}, h('span', { text: s(f.label) }), input));
  }
  const submit = h('button.btn.primary', { type: 'submit', id: 'search-btn' }, icon('search', s('search')));
  const reset = h('button.btn', { type: 'button', text: s('reset') });
  form.append(h('div.filter-actions', {}, submit, reset));
  const results = h('section.card.results', { id: 'results', 'aria-live': 'polite' });
  app.replaceChildren(form, results);

  const run = async () => {
    const fd = new FormData(form);
    const q: SearchParams = {};
    for (const f of FIELDS) {
      const v = String(fd.get(f.key) ?? '').trim();
      if (v) q[f.key] = v;
    }
    lastQuery = q;
    sessionStorage.setItem('archive.query', JSON.stringify(q));
    results.replaceChildren(h('p.muted', { text: s('loading') }));
    try {
      const serverQuery = toServerQuery(q);
      const { sessions } = await client.search(serverQuery, PAGE_SIZE);
      clearBanner();
      renderResults(results, sessions, async (offset) => (await client.search(serverQuery, PAGE_SIZE, offset)).sessions);
    } catch (err) {
      results.replaceChildren();
      handleError(err);
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void run();
  });
  reset.addEventListener('click', () => {
    for (const el of form.querySelectorAll('input')) el.value = '';
    void run();
  });
  await run();
}

/** Dates are picked in local time; the catalog stores UTC instants. A day means the whole day. */
function toServerQuery(q: SearchParams): SearchParams {
  const out = { ...q };
  const local = (d: string, end: boolean) => {
    const [y, m, day] = d.split('-').map(Number);
    return new Date(y!, m! - 1, day!, end ? 23 : 0, end ? 59 : 0, end ? 59 : 0, end ? 999 : 0).toISOString();
  };
  if (q.from && /^\d{4}-\d{2}-\d{2}$/.test(q.from)) out.from = local(q.from, false);
  if (q.to && /^\d{4}-\d{2}-\d{2}$/.test(q.to)) out.to = local(q.to, true);
  return out;
}

const PAGE_SIZE = 50;

function renderResults(box: HTMLElement, rows: SessionRow[], more: (offset: number) => Promise<SessionRow[]>): void {
  const count = h('span.count');
  const head = h('div.card-head', {}, h('h2', { text: s('results') }), count);
  if (rows.length === 0) {
    count.textContent = s('resultCount', { n: 0 });
    box.replaceChildren(head, h('p.empty', { text: s('noResults') }));
    return;
  }
  const tbody = h('tbody');
  let shown = 0;
  const moreBtn = h('button.btn.more', { type: 'button', text: s('loadMore') });
  const append = (page: SessionRow[]) => {
    for (const r of page) tbody.append(resultRow(r));
    shown += page.length;
    const full = page.length === PAGE_SIZE;
    count.textContent = full ? s('resultCountMore', { n: shown }) : s('resultCount', { n: shown });
    moreBtn.hidden = !full;
  };
  moreBtn.addEventListener('click', () => {
    moreBtn.disabled = true;
    more(shown).then(append, handleError).finally(() => (moreBtn.disabled = false));
  });
  const cols = ['colCase', 'colKind', 'colPetitioner', 'colTerminal', 'colStarted', 'colDuration', 'colSegments', 'colStatus'] as const;
  const table = h('table.sessions', {}, h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { text: s(c) })), h('th'))), tbody);
  box.replaceChildren(head, h('div.table-wrap', {}, table), h('div.more-row', {}, moreBtn));
  append(rows);
}

function resultRow(r: SessionRow): HTMLElement {
  const open = () => (location.hash = `#/session/${encodeURIComponent(r.sessionId)}`);
  const tr = h('tr', { 'data-session': r.sessionId, tabindex: 0, onclick: open, onkeydown: (e: Event) => (e as KeyboardEvent).key === 'Enter' && open() },
    h('td', {}, h('strong.mono', { text: r.caseNumber ?? '—' }), h('div.sub.mono', { text: r.sessionId })),
    h('td', { text: r.kind === 'petition' ? s('kindPetition') : s('kindHousehold') }),
    h('td', { text: r.petitioner ?? '—' }),
    h('td', {}, h('span.mono', { text: r.terminalId ?? '—' }), h('div.sub', { text: r.region ?? '' })),
    h('td', { text: dateTime(r.startedAt) }),
    h('td', { text: duration(r.durationSeconds) }),
    h('td', {}, String(r.segmentCount), h('div.sub', { text: bytes(r.bytes) })),
    h('td', {},
      statusBadge(r),
      r.gapCount > 0 ? h('span.badge.warn', { text: s('gapsN', { n: r.gapCount }) }) : null,
      r.legalHold ? h('span.badge.hold', { text: s('held'), title: r.legalHoldReason ?? '' }) : null,
    ),
    h('td.actions', {}, h('button.btn.small', { type: 'button', text: s('open') })),
  );
  return tr;
}

// ---- routing --------------------------------------------------------------------------------

async function route(client: ArchiveClient): Promise<void> {
  clearBanner();
  const m = /^#\/session\/(.+)$/.exec(location.hash);
  if (m) {
    current?.dispose();
    document.body.dataset.view = 'session';
    app.replaceChildren(h('p.muted.pad', { text: s('loading') }));
    try {
      const detail = await client.session(decodeURIComponent(m[1]!));
      current = new SessionView(client, detail, { onError: handleError, back: () => (location.hash = '#/') });
      app.replaceChildren(current.root);
      current.start();
    } catch (err) {
      app.replaceChildren();
      handleError(err);
    }
    return;
  }
  await showSearch(client);
}

function main(): void {
  const token = takeToken();
  renderHeader(token);
  if (!token) {
    denied('noToken');
    return;
  }
  const client = new ArchiveClient(token);
  window.addEventListener('hashchange', () => void route(client));
  void route(client);
}

main();
