// What the archive page shows around a session: the header, the refusal, and the search with its
// results. Pure; the session screen has its own (session-view-model.ts).
import type { ViewContext } from '../lib/i18n.ts';
import type { Claims } from '../lib/token.ts';
import { duration, formatTime } from '../lib/time.ts';
import type { ArchiveStatus, AuditSearch, AuditTrail, SearchParams, SessionRow } from './client.ts';
import { auditListing, bytes, roleLabel, statusLabel, type AuditModel } from './session-view-model.ts';

export const PAGE_SIZE = 50;

export type Denied = { kind: 'forbidden' | 'unauthorized' | 'noToken'; serverMessage?: string };

export interface ArchiveState {
  view: 'loading' | 'search' | 'session' | 'audit' | 'denied';
  denied: Denied | null;
  banner: string | null;
  claims: Claims | null;
  query: SearchParams;
  results: SessionRow[] | null;
  searching: boolean;
  /** The last page was full: there may be more. */
  more: boolean;
  loadingMore: boolean;
  /** The node's trusted timestamping, when it is not as it should be. */
  status: ArchiveStatus | null;
  /** The audit administrator's search. */
  auditQuery: AuditSearch;
  auditTrail: AuditTrail | null;
  auditing: boolean;
}

export const AUDIT_FIELDS: { key: keyof AuditSearch; label: 'auditPerson' | 'dateFrom' | 'dateTo' | 'auditSession' | 'auditCase'; type?: string }[] = [
  { key: 'person', label: 'auditPerson' },
  { key: 'from', label: 'dateFrom', type: 'date' },
  { key: 'to', label: 'dateTo', type: 'date' },
  { key: 'caseNumber', label: 'auditCase' },
  { key: 'sessionId', label: 'auditSession' },
];

/** The alarm line for a TSA that does not answer or is not configured; null when all is well. */
/** The banner: a recordings-storage alarm first (no new recordings), else the timestamp alarm. */
export function archiveAlarm(status: ArchiveStatus | null, { t, lang }: ViewContext): string | null {
  const disk = status?.storage?.[0];
  if (disk) return t('archive.storageAlarm', { since: formatTime(disk.since, 'stamp', lang), detail: disk.detail });
  const ts = status?.timestamps;
  if (!ts || ts.state === 'ok') return null;
  return ts.state === 'unreachable'
    ? t('archive.tsaUnreachable', { since: ts.since ? formatTime(ts.since, 'stamp', lang) : '?', n: ts.pending })
    : t('archive.tsaUnconfigured', { n: ts.pending });
}

export const FIELDS: { key: keyof SearchParams; label: 'caseNumber' | 'petitioner' | 'official' | 'department' | 'terminalId' | 'region' | 'dateFrom' | 'dateTo'; type?: string; placeholder?: string }[] = [
  { key: 'caseNumber', label: 'caseNumber', placeholder: 'XF20261126-000001' },
  { key: 'petitioner', label: 'petitioner' },
  { key: 'official', label: 'official' },
  { key: 'department', label: 'department' },
  { key: 'terminalId', label: 'terminalId' },
  { key: 'region', label: 'region' },
  { key: 'from', label: 'dateFrom', type: 'date' },
  { key: 'to', label: 'dateTo', type: 'date' },
];

/** The filled-in fields, trimmed. */
export function cleanQuery(q: SearchParams): SearchParams {
  const out: SearchParams = {};
  for (const f of FIELDS) {
    const v = (q[f.key] ?? '').trim();
    if (v) out[f.key] = v;
  }
  return out;
}

/** Dates are picked in the browser's local time; the catalog stores UTC instants. A day means the whole day. */
export function toServerQuery(q: SearchParams): SearchParams {
  const out = { ...q };
  const local = (d: string, end: boolean) => {
    const [y, m, day] = d.split('-').map(Number);
    return new Date(y!, m! - 1, day!, end ? 23 : 0, end ? 59 : 0, end ? 59 : 0, end ? 999 : 0).toISOString();
  };
  if (q.from && /^\d{4}-\d{2}-\d{2}$/.test(q.from)) out.from = local(q.from, false);
  if (q.to && /^\d{4}-\d{2}-\d{2}$/.test(q.to)) out.to = local(q.to, true);
  return out;
}

export interface ArchiveView {
  alarm: string | null;
  /** The auditor's search: its form and the trail found, as the session screen's table. */
  audit: (AuditModel & { hint: string; fields: { key: keyof AuditSearch; label: string; type: string; value: string }[]; search: string }) | null;
  title: string;
  documentTitle: string;
  subtitle: string;
  who: { label: string; name: string; role: string } | null;
  denied: { kind: Denied['kind']; title: string; detail: string | null; serverMessage: string | null; home: string } | null;
  search: {
    fields: { key: keyof SearchParams; label: string; type: string; placeholder: string | null; value: string }[];
    search: string;
    reset: string;
    results: {
      title: string;
      count: string;
      loading: string | null;
      empty: string | null;
      headers: string[];
      rows: {
        sessionId: string;
        caseNumber: string;
        kind: string;
        petitioner: string;
        terminalId: string;
        region: string;
        started: string;
        duration: string;
        segments: string;
        bytes: string;
        status: { attr: string; label: string };
        gaps: string | null;
        hold: { label: string; reason: string } | null;
        open: string;
      }[];
      more: { label: string; busy: boolean } | null;
    } | null;
  } | null;
}

export function archiveView(s: ArchiveState, ctx: ViewContext): ArchiveView {
  const { t, lang } = ctx;
  const title = t('archive.title');
  const d = s.denied;
  const r = s.results;
  const at = s.auditTrail;
  return {
    alarm: archiveAlarm(s.status, ctx),
    audit:
      s.view === 'audit'
        ? {
            title: t('archive.auditSearchTitle'),
            hint: t('archive.auditSearchHint'),
            fields: AUDIT_FIELDS.map((f) => ({ key: f.key, label: t(`archive.${f.label}`), type: f.type ?? 'search', value: s.auditQuery[f.key] ?? '' })),
            search: t('archive.search'),
            scopes: [],
            refresh: t('archive.search'),
            ...auditListing(at, s.auditing, ctx),
          }
        : null,
    title,
    documentTitle: t('archive.documentTitle', { title }),
    subtitle: t('archive.subtitle'),
    who: s.claims ? { label: t('archive.signedInAs'), name: s.claims.name || s.claims.sub || '?', role: roleLabel(s.claims.role, ctx) } : null,
    denied:
      s.view === 'denied' && d
        ? {
            kind: d.kind,
            title: t(d.kind === 'forbidden' ? 'archive.forbidden' : d.kind === 'unauthorized' ? 'archive.unauthorized' : 'archive.noToken'),
            detail: d.kind === 'forbidden' ? t('archive.forbiddenDetail') : d.kind === 'unauthorized' ? t('archive.unauthorizedDetail') : null,
            serverMessage: d.serverMessage ?? null,
            home: t('archive.backHome'),
          }
        : null,
    search:
      s.view === 'search'
        ? {
            fields: FIELDS.map((f) => ({ key: f.key, label: t(`archive.${f.label}`), type: f.type ?? 'search', placeholder: f.placeholder ?? null, value: s.query[f.key] ?? '' })),
            search: t('archive.search'),
            reset: t('archive.reset'),
            results:
              s.searching || r
                ? {
                    title: t('archive.results'),
                    count: r ? (s.more ? t('archive.resultCountMore', { n: r.length }) : t('archive.resultCount', { n: r.length })) : '',
                    loading: s.searching ? t('common.loading') : null,
                    empty: r && r.length === 0 && !s.searching ? t('archive.noResults') : null,
                    headers: [t('archive.colCase'), t('archive.colKind'), t('archive.colPetitioner'), t('archive.colTerminal'), t('archive.colStarted'), t('archive.colDuration'), t('archive.colSegments'), t('archive.colStatus'), ''],
                    rows: (s.searching ? [] : (r ?? [])).map((x) => ({
                      sessionId: x.sessionId,
                      caseNumber: x.caseNumber ?? '—',
                      kind: x.kind === 'petition' ? t('archive.kindPetition') : t('archive.kindHousehold'),
                      petitioner: x.petitioner ?? '—',
                      terminalId: x.terminalId ?? '—',
                      region: x.region ?? '',
                      started: formatTime(x.startedAt, 'stamp', lang),
                      duration: duration(x.durationSeconds, t),
                      segments: String(x.segmentCount),
                      bytes: bytes(x.bytes),
                      status: { attr: x.status, label: statusLabel(x.status, ctx) },
                      gaps: x.gapCount > 0 ? t('archive.gapsN', { n: x.gapCount }) : null,
                      hold: x.legalHold ? { label: t('archive.held'), reason: x.legalHoldReason ?? '' } : null,
                      open: t('archive.open'),
                    })),
                    more: r && s.more && !s.searching ? { label: t('archive.loadMore'), busy: s.loadingMore } : null,
                  }
                : null,
          }
        : null,
  };
}
