// What the archive's session screen shows, as a pure function of the recorded session and the
// playback state: the header and facts, a tile per recorded camera (or microphone), the transport
// and scrubber with case events, gaps and bookmarks, the coverage lanes, the gap list, the case
// timeline, bookmarks, and the evidence actions (verify, legal hold, export).
import type { ViewContext } from '../lib/i18n.ts';
import { clock, clockPrecise, duration, formatTime } from '../lib/time.ts';
import type { TimelineEntry } from '../widgets/timeline.ts';
import { zh } from '../i18n/zh.ts';
import type { AuditTrail, AuditTrailEntry, Bookmark, PublicJob, SessionDetail, SessionRow, Transcript, TrackView, VerifyResult } from './client.ts';
import type { Integrity, PlayerState } from './player.ts';

type Category = 'case' | 'people' | 'recording';
/** Case timeline events by kind, for colour and for hiding the recorder's own bookkeeping. */
const CATEGORIES: Record<string, Category> = {
  'recording-started': 'case',
  'recording-stopped': 'case',
  'room-closed': 'case',
  joined: 'people',
  'participant-joined': 'recording',
  'participant-left': 'people',
  'participant-rejoined': 'people',
  'track-started': 'recording',
  'track-ended': 'recording',
};
export const eventCategory = (type: string): Category => CATEGORIES[type] ?? 'case';

/** Timeline events worth a mark on the scrubber; the rest are listed in the side panel only. */
const ON_SCRUBBER = (type: string) => !['track-started', 'track-ended', 'participant-joined', 'recording-started', 'recording-stopped'].includes(type);

export function eventLabel(type: string, { t }: ViewContext): string {
  return type in zh.archive.event ? t(`archive.event.${type as keyof typeof zh.archive.event}`) : type;
}
export function roleLabel(role: string, { t }: ViewContext): string {
  return role in zh.archive.role ? t(`archive.role.${role as keyof typeof zh.archive.role}`) : role;
}
export function gapReason(reason: string, { t }: ViewContext): string {
  return reason in zh.archive.gapReason ? t(`archive.gapReason.${reason as keyof typeof zh.archive.gapReason}`) : reason;
}
export function statusLabel(status: string, { t }: ViewContext): string {
  return t(status === 'stopped' ? 'archive.statusStopped' : status === 'recording' ? 'archive.statusRecording' : 'archive.statusInterrupted');
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** The session's start (epoch ms) and length in seconds: to the last segment's end, or now while recording. */
export function sessionSpan(d: SessionDetail, now: number): { start: number; duration: number } {
  const m = d.manifest;
  const start = Date.parse(m.startedAt);
  let end = m.stoppedAt ? (Date.parse(m.stoppedAt) - start) / 1000 : 0;
  for (const p of m.participants) for (const t of p.tracks) for (const seg of t.segments) end = Math.max(end, seg.offsetSeconds + seg.durationSeconds);
  if (m.status === 'recording') end = Math.max(end, (now - start) / 1000);
  return { start, duration: Math.max(end, 0.1) };
}

/** The tracks that were recorded (have segments), per participant: one tile per camera, else one for the microphone. */
export function recordedTracks(d: SessionDetail): { participantId: string; video: TrackView[]; audio: TrackView[] }[] {
  return d.manifest.participants
    .map((p) => ({
      participantId: p.participantId,
      video: p.tracks.filter((t) => t.kind === 'video' && t.segments.length > 0),
      audio: p.tracks.filter((t) => t.kind === 'audio' && t.segments.length > 0),
    }))
    .filter((p) => p.video.length > 0 || p.audio.length > 0);
}

export type VerifyState = { phase: 'idle' } | { phase: 'running' } | { phase: 'done'; result: VerifyResult } | { phase: 'failed' };
export type ExportState = { phase: 'idle' } | { phase: 'running' | 'done' | 'failed' | 'cancelled'; job: PublicJob | null; downloading: boolean };

export type CompositeState = { phase: 'idle' | 'loading' } | { phase: 'ready'; url: string };
export interface AuditState {
  scope: 'session' | 'case';
  trail: AuditTrail | null;
  loading: boolean;
}
export interface TranscriptState {
  engine: string | null;
  queued: boolean;
  items: Transcript[];
}

export interface PlayerSnapshot {
  trackId: string;
  state: PlayerState;
  /** The active segment's fetch error code, if any. */
  error: string | undefined;
  /** Where it really is on the session timeline (undefined until it plays a segment). */
  position: number | undefined;
}

export interface SessionState {
  detail: SessionDetail;
  session: SessionRow | undefined;
  bookmarks: Bookmark[];
  position: number;
  playing: boolean;
  /** The clock waits for a player's data. */
  held: boolean;
  players: PlayerSnapshot[];
  integrity: Record<string, Integrity>;
  muted: Record<string, boolean>;
  bookmarkNote: string;
  holdReason: string;
  holdBusy: boolean;
  verify: VerifyState;
  export: ExportState;
  /** Render the composite video with the next export. */
  exportComposite: boolean;
  composite: CompositeState;
  audit: AuditState;
  transcripts: TranscriptState | null;
}

export interface TileModel {
  key: string;
  participantId: string;
  lane: string;
  /** The video track shown, or null for the microphone tile. */
  trackId: string | null;
  name: string;
  role: string;
  laneLabel: string | null;
  mute: { pressed: boolean; label: string } | null;
  status: { text: string; state: PlayerState };
  stamp: string;
}

export interface SessionModel {
  sessionId: string;
  head: {
    caseNumber: string;
    back: string;
    status: { attr: string; label: string };
    kind: string;
    held: boolean;
    heldLabel: string;
    auditNote: string;
    liveNote: string | null;
    meta: { term: string; value: string; mono?: boolean; hash?: boolean }[];
  };
  tiles: TileModel[];
  transport: { playing: boolean; playLabel: string; back: string; forward: string; time: string; wall: string; buffering: string | null; speed: string };
  scrubber: {
    label: string;
    max: number;
    now: number;
    valueText: string;
    percent: number;
    gaps: { left: number; width: number; title: string }[];
    marks: { at: number; kind: string; left: number; label: string }[];
  };
  legend: { case: string; people: string; gaps: string; bookmarks: string };
  lanesTitle: string;
  lanes: {
    key: string;
    kind: string;
    kindLabel: string;
    name: string;
    codec: string;
    segments: { id: string; left: number; width: number; truncated: boolean; title: string; integrity: Integrity | undefined }[];
    gaps: { left: number; width: number; title: string }[];
  }[];
  integrityAlerts: { segmentId: string; integrity: 'mismatch' | 'missing'; text: string }[];
  gaps: { title: string; empty: string | null; items: { at: number; range: string; who: string; reason: string }[] };
  timeline: { title: string; techLabel: string; entries: TimelineEntry[] };
  bookmarks: { title: string; at: string; items: { id: string; offset: number; time: string; note: string; author: string; hint: string }[]; empty: string | null; addLabel: string; placeholder: string; note: string; save: string };
  evidence: {
    title: string;
    verify: { label: string; busy: boolean; state: string | null; text: string; problems: { severity: string; kind: string; message: string }[]; ok: boolean };
    hold: { title: string; held: boolean; status: string; placeholder: string; reason: string; button: string; busy: boolean };
    export: {
      label: string;
      busy: boolean;
      composite: { label: string; checked: boolean };
      progress: { shown: boolean; percent: number; label: string; state: string | null; phase: string | null };
      cancel: { shown: boolean; label: string };
      info: { size: string; packageId: string; sha256: string; compositeSha256: string | null } | { error: string } | null;
      download: { shown: boolean; label: string; busy: boolean };
      play: { shown: boolean; label: string; busy: boolean; url: string | null };
    };
    hint: string;
    compositeHashLabel: string;
  };
  audit: AuditModel;
  transcript: TranscriptModel;
}

/** An audit trail as a table: the session screen's and the auditor's search. */
export interface AuditListing {
  loading: boolean;
  count: string;
  chain: { ok: boolean; text: string; checkpoint: string } | null;
  empty: string | null;
  headers: string[];
  rows: AuditRow[];
}

export interface AuditModel extends AuditListing {
  title: string;
  scopes: { key: 'session' | 'case'; label: string; active: boolean }[];
  refresh: string;
}

export interface AuditRow {
  seq: number;
  type: string;
  when: string;
  who: string;
  role: string;
  action: string;
  from: string;
  detail: string;
}

export interface TranscriptModel {
  title: string;
  note: string | null;
  lines: { key: string; start: number; time: string; who: string; text: string; active: boolean }[];
}

export function auditTypeLabel(type: string, { t }: ViewContext): string {
  return type in zh.archive.auditType ? t(`archive.auditType.${type as keyof typeof zh.archive.auditType}`) : type;
}

const short = (v: unknown) => (typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) ? `${v.slice(0, 12)}…` : String(v));

const whatLabel = (what: unknown, { t }: ViewContext): string =>
  typeof what === 'string' && what in zh.archive.auditWhat ? t(`archive.auditWhat.${what as keyof typeof zh.archive.auditWhat}`) : String(what);

/** What an entry was about, in a few words: its reason, package, segment, query… */
function auditDetail(e: AuditTrailEntry, ctx: ViewContext): string {
  const d = e.details;
  const parts: string[] = [];
  for (const k of ['what', 'reason', 'segmentId', 'packageId', 'sha256', 'trackId', 'note', 'caseNumber', 'ok', 'composite', 'results']) {
    if (d[k] === undefined || d[k] === null || d[k] === false) continue;
    parts.push(k === 'what' ? whatLabel(d[k], ctx) : k === 'reason' || k === 'note' ? String(d[k]) : `${k} ${short(d[k])}`);
  }
  if (d.query && typeof d.query === 'object') {
    const q = Object.entries(d.query as Record<string, unknown>).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${String(v)}`);
    if (q.length) parts.push(q.join(' '));
  }
  return parts.join(' · ');
}

function auditRows(entries: readonly AuditTrailEntry[], ctx: ViewContext): AuditRow[] {
  return entries.map((e) => ({
    seq: e.seq,
    type: e.type,
    when: formatTime(e.at, 'stamp', ctx.lang),
    who: e.actor.kind === 'system' ? ctx.t('archive.auditSystem') : (e.actor.name ?? e.actor.sub),
    role: e.actor.role ? roleLabel(e.actor.role, ctx) : '',
    action: auditTypeLabel(e.type, ctx),
    from: e.from ?? '',
    detail: auditDetail(e, ctx),
  }));
}

function chainLine(trail: AuditTrail, ctx: ViewContext): { ok: boolean; text: string; checkpoint: string } {
  const { t, lang } = ctx;
  const c = trail.chain;
  const cp = c.lastCheckpoint;
  return {
    ok: c.ok,
    text: c.ok ? t('archive.auditChainOk', { n: c.entries }) : t('archive.auditChainBroken', { problem: c.problems[0] ?? '' }),
    checkpoint: cp
      ? t('archive.auditCheckpoint', {
          seq: cp.seq,
          at: formatTime(cp.at, 'stamp', lang),
          sig: cp.signatures.map((x) => `${x.alg.toUpperCase()} ${x.ok ? t('archive.auditSigOk') : t('archive.auditSigBad')}`).join(t('common.listSeparator')),
          ts: cp.timestampedAt ? formatTime(cp.timestampedAt, 'stamp', lang) : t('archive.auditNoTimestamp'),
        })
      : t('archive.auditNoCheckpoint'),
  };
}

export function auditListing(trail: AuditTrail | null, loading: boolean, ctx: ViewContext): AuditListing {
  const { t } = ctx;
  return {
    loading,
    count: trail ? t('archive.auditCount', { n: trail.total }) : '',
    chain: trail ? chainLine(trail, ctx) : null,
    empty: trail && trail.entries.length === 0 ? t('archive.auditEmpty') : null,
    headers: [t('archive.auditColWhen'), t('archive.auditColWho'), t('archive.auditColAction'), t('archive.auditColFrom'), t('archive.auditColDetail')],
    rows: trail ? auditRows(trail.entries, ctx) : [],
  };
}

export function sessionModel(s: SessionState, ctx: ViewContext): SessionModel {
  const { t, lang, now } = ctx;
  const d = s.detail;
  const m = d.manifest;
  const { start, duration: total } = sessionSpan(d, now);
  const pct = (x: number) => (Math.max(0, Math.min(total, x)) / total) * 100;
  const offsetOf = (iso: string) => Math.max(0, Math.min(total, (Date.parse(iso) - start) / 1000));
  const range = (a: number, b: number) => ({ left: pct(a), width: pct(b) - pct(a) });
  const names = new Map(m.participants.map((p) => [p.participantId, p.name]));
  const stamp = (iso: string | number) => formatTime(iso, 'stamp', lang);
  const sep = t('common.listSeparator');
  const row = s.session;
  const ci = m.caseInfo;

  const meta: SessionModel['head']['meta'] = [
    { term: t('archive.started'), value: stamp(m.startedAt) },
    { term: t('archive.stopped'), value: m.stoppedAt ? stamp(m.stoppedAt) : '—' },
    { term: t('archive.duration'), value: duration(total, t) },
    { term: t('archive.petitioner'), value: ci.petitioner?.name ?? '—' },
    { term: t('archive.terminalId'), value: ci.terminalId ?? '—' },
    { term: t('archive.region'), value: ci.region ? (d.names.regions[ci.region] ?? ci.region) : '—' },
    ...(ci.departments.length ? [{ term: t('archive.department'), value: ci.departments.map((id) => d.names.departments[id] ?? id).join(sep) }] : []),
    ...(ci.officials.length ? [{ term: t('archive.official'), value: ci.officials.map((o) => o.name).join(sep) }] : []),
    ...(ci.householdId ? [{ term: t('archive.household'), value: ci.householdId }] : []),
    { term: t('archive.participants'), value: m.participants.map((p) => t('archive.participant', { name: p.name, role: roleLabel(p.role, ctx) })).join(sep) || '—' },
    { term: t('archive.retention'), value: `${m.retentionClass}${row?.retainUntil ? ` · ${t('archive.retainUntil')} ${stamp(row.retainUntil).slice(0, 10)}` : ''}` },
    { term: t('archive.sessionId'), value: m.sessionId, mono: true },
    ...(row?.manifestSha256 ? [{ term: t('archive.manifestHash'), value: row.manifestSha256, mono: true, hash: true }] : []),
  ];

  const players = new Map(s.players.map((p) => [p.trackId, p]));
  const statusOf = (p: PlayerSnapshot | undefined): TileModel['status'] => {
    const st = p?.state ?? 'idle';
    const error = p?.error === 'gone' ? t('archive.segmentGone') : p?.error ? `${t('archive.segmentFetchFailed')} (${p.error})` : t('archive.decodeFailed');
    const text = st === 'gap' ? t('archive.noRecording') : st === 'error' ? error : st === 'loading' && s.playing ? t('archive.buffering') : '';
    return { text, state: st };
  };
  const stampOf = (p: PlayerSnapshot | undefined) => (p?.position === undefined || p.state !== 'ready' ? '' : formatTime(start + p.position * 1000, 'stampMs', lang));
  const tiles: TileModel[] = [];
  for (const r of recordedTracks(d)) {
    const p = m.participants.find((x) => x.participantId === r.participantId)!;
    const muted = !!s.muted[r.participantId];
    const mute = r.audio.length ? { pressed: muted, label: t(muted ? 'archive.unmute' : 'archive.mute') } : null;
    const base = { participantId: r.participantId, name: p.name, role: roleLabel(p.role, ctx) };
    if (r.video.length === 0) {
      const audio = players.get(r.audio[0]!.trackId);
      tiles.push({ ...base, key: `${r.participantId}/audio`, lane: 'audio', trackId: null, laneLabel: t('archive.audioOnly'), mute, status: statusOf(audio), stamp: stampOf(audio) });
    }
    r.video.forEach((v, i) => {
      const pl = players.get(v.trackId);
      tiles.push({ ...base, key: v.trackId, lane: v.lane, trackId: v.trackId, laneLabel: v.lane !== 'camera' ? v.lane : null, mute: i === 0 ? mute : null, status: statusOf(pl), stamp: stampOf(pl) });
    });
  }

  const marks: SessionModel['scrubber']['marks'] = [];
  for (const ev of d.timeline) {
    if (!ON_SCRUBBER(ev.type)) continue;
    const who = ev.participantId ? (names.get(ev.participantId) ?? ev.participantId) : '';
    const at = offsetOf(ev.at);
    const label = `${eventLabel(ev.type, ctx)}${who ? ` · ${who}` : ''}${ev.detail && ev.detail !== who ? ` · ${ev.detail}` : ''}`;
    marks.push({ at, kind: eventCategory(ev.type), left: pct(at), label: `${clock(at)} ${label}` });
  }
  for (const b of s.bookmarks) marks.push({ at: b.offsetSeconds, kind: 'bookmark', left: pct(b.offsetSeconds), label: `${clock(b.offsetSeconds)} ${t('archive.bookmarks')} · ${b.note}` });

  const gapEnd = (g: SessionDetail['gaps'][number]) => (g.end ? offsetOf(g.end) : total);
  const laneName = (lane: string) => (lane === 'camera' ? t('archive.video') : lane === 'microphone' ? t('archive.audio') : lane);
  const lanes: SessionModel['lanes'] = [];
  for (const r of recordedTracks(d)) {
    const name = names.get(r.participantId) ?? r.participantId;
    for (const tr of [...r.video, ...r.audio]) {
      lanes.push({
        key: tr.trackId,
        kind: tr.kind,
        kindLabel: tr.kind === 'video' ? t('archive.video') : t('archive.audio'),
        name,
        codec: tr.codec.mimeType.split('/')[1] ?? '',
        segments: tr.segments.map((seg) => ({
          id: seg.id,
          ...range(seg.offsetSeconds, seg.offsetSeconds + seg.durationSeconds),
          truncated: !!seg.truncated,
          title: `${seg.id}\n${clock(seg.offsetSeconds)} +${seg.durationSeconds.toFixed(2)}s · ${bytes(seg.bytes)}\nSHA-256 ${seg.sha256}`,
          integrity: s.integrity[seg.id],
        })),
        gaps: d.gaps
          .filter((g) => g.participantId === r.participantId && g.lane === tr.lane)
          .map((g) => ({ ...range(offsetOf(g.start), gapEnd(g)), title: `${gapReason(g.reason, ctx)} ${clock(offsetOf(g.start))}–${clock(gapEnd(g))}${g.detail ? `\n${g.detail}` : ''}` })),
      });
    }
  }

  const segFile = new Map(m.participants.flatMap((p) => p.tracks.flatMap((tr) => tr.segments.map((seg) => [seg.id, seg.file] as const))));
  const integrityAlerts = Object.entries(s.integrity)
    .filter((e): e is [string, 'mismatch' | 'missing'] => e[1] === 'mismatch' || e[1] === 'missing')
    .map(([segmentId, integrity]) => ({ segmentId, integrity, text: t(integrity === 'mismatch' ? 'archive.hashMismatch' : 'archive.segmentMissing', { seg: segFile.get(segmentId) ?? segmentId }) }));

  const sortedGaps = [...d.gaps].sort((a, b) => a.start.localeCompare(b.start));
  const held = row?.legalHold === true;
  const v = s.verify;
  const ex = s.export;
  const job = ex.phase === 'idle' ? null : ex.job;
  const progressPct = ex.phase === 'done' ? 100 : (job?.percent ?? Math.round((job?.progress ?? 0) * 100));
  const progressLabel =
    ex.phase === 'done'
      ? t('archive.exportDone')
      : ex.phase === 'failed'
        ? t('archive.exportFailed')
        : ex.phase === 'cancelled'
          ? t('archive.exportCancelled')
          : job?.phase === 'composite'
            ? t('archive.exportRendering')
            : job?.options.composite
              ? t('archive.exportPacking')
              : t('archive.exporting');
  const au = s.audit;
  const tr = s.transcripts;
  const names2 = new Map(m.participants.map((p) => [p.participantId, p.name]));
  const lines = (tr?.items ?? [])
    .flatMap((x) => x.lines.map((l, i) => ({ key: `${x.trackId}/${i}`, start: l.start, end: l.end, who: names2.get(x.participantId) ?? x.name, text: l.text })))
    .sort((a, b) => a.start - b.start);

  return {
    sessionId: m.sessionId,
    head: {
      caseNumber: ci.caseNumber ?? ci.roomId,
      back: t('archive.back'),
      status: { attr: m.status, label: statusLabel(m.status, ctx) },
      kind: ci.kind === 'petition' ? t('archive.kindPetition') : t('archive.kindHousehold'),
      held,
      heldLabel: t('archive.held'),
      auditNote: t('archive.auditNote'),
      liveNote: m.status === 'recording' ? t('archive.stillRecording', { at: stamp(now) }) : null,
      meta,
    },
    tiles,
    transport: {
      playing: s.playing,
      playLabel: s.playing ? t('archive.pause') : t('archive.play'),
      back: t('archive.back10'),
      forward: t('archive.forward10'),
      time: `${clockPrecise(s.position)} / ${clock(total)}`,
      wall: stamp(start + s.position * 1000),
      buffering: s.held ? t('archive.buffering') : null,
      speed: t('archive.speed'),
    },
    scrubber: {
      label: t('archive.timelineLabel'),
      max: Math.round(total),
      now: Math.round(s.position),
      valueText: clock(s.position),
      percent: pct(s.position),
      gaps: d.gaps.map((g) => ({
        ...range(offsetOf(g.start), gapEnd(g)),
        title: `${names.get(g.participantId) ?? g.participantId} · ${g.lane} · ${gapReason(g.reason, ctx)} ${clock(offsetOf(g.start))}–${clock(gapEnd(g))}`,
      })),
      marks,
    },
    legend: { case: t('archive.legendCase'), people: t('archive.legendPeople'), gaps: t('archive.gaps'), bookmarks: t('archive.bookmarks') },
    lanesTitle: t('archive.lanes'),
    lanes,
    integrityAlerts,
    gaps: {
      title: `${t('archive.gaps')} (${sortedGaps.length})`,
      empty: sortedGaps.length ? null : t('archive.noGaps'),
      items: sortedGaps.map((g) => {
        const a = offsetOf(g.start);
        return { at: a, range: `${clock(a)}–${g.end ? clock(offsetOf(g.end)) : t('archive.gapOpen')}`, who: `${names.get(g.participantId) ?? g.participantId} · ${laneName(g.lane)}`, reason: gapReason(g.reason, ctx) };
      }),
    },
    timeline: {
      title: t('archive.caseTimeline'),
      techLabel: t('archive.techEvents'),
      entries: d.timeline.map((ev, i) => {
        const at = offsetOf(ev.at);
        const who = ev.participantId ? (names.get(ev.participantId) ?? ev.participantId) : '';
        const detail = ev.detail && ev.detail !== who && !(ev.type === 'participant-left' && ev.detail === 'left') ? ev.detail : undefined;
        return {
          key: String(i),
          type: ev.type,
          category: eventCategory(ev.type),
          at: ev.at,
          time: clock(at),
          title: eventLabel(ev.type, ctx),
          ...(who ? { actor: `· ${who}` } : {}),
          ...(detail ? { detail } : {}),
          trail: formatTime(ev.at, 'timeSeconds', lang),
          hint: formatTime(ev.at, 'stampMs', lang),
          offset: at,
        };
      }),
    },
    bookmarks: {
      title: t('archive.bookmarks'),
      at: `@ ${clock(s.position)}`,
      items: s.bookmarks.map((b) => ({ id: b.bookmarkId, offset: b.offsetSeconds, time: clock(b.offsetSeconds), note: b.note, author: b.authorName ?? b.authorSub, hint: `${b.authorName ?? b.authorSub} · ${stamp(b.createdAt)}` })),
      empty: s.bookmarks.length ? null : t('archive.noBookmarks'),
      addLabel: t('archive.addBookmark'),
      placeholder: t('archive.bookmarkNote'),
      note: s.bookmarkNote,
      save: t('archive.save'),
    },
    evidence: {
      title: t('archive.evidence'),
      verify: {
        label: t('archive.verify'),
        busy: v.phase === 'running',
        state: v.phase === 'running' ? 'running' : v.phase === 'done' ? (v.result.ok ? 'ok' : 'fail') : v.phase === 'failed' ? 'fail' : null,
        ok: v.phase === 'done' && v.result.ok,
        text:
          v.phase === 'running'
            ? t('archive.verifying')
            : v.phase === 'done'
              ? v.result.ok
                ? t('archive.verifyOk', { n: v.result.segmentsChecked })
                : t('archive.verifyFail', { n: v.result.problems.length })
              : '',
        problems: v.phase === 'done' ? v.result.problems.map((p) => ({ severity: p.severity, kind: p.kind, message: p.message })) : [],
      },
      hold: {
        title: t('archive.legalHold'),
        held,
        status: held ? t('archive.underHold', { reason: row?.legalHoldReason ?? '' }) : t('archive.notHeld'),
        placeholder: t('archive.holdReason'),
        reason: s.holdReason,
        button: held ? t('archive.releaseHold') : t('archive.placeHold'),
        busy: s.holdBusy,
      },
      export: {
        label: t('archive.exportPkg'),
        busy: ex.phase === 'running',
        composite: { label: t('archive.exportComposite'), checked: s.exportComposite },
        progress: {
          shown: ex.phase !== 'idle',
          percent: progressPct,
          label: `${progressLabel} ${progressPct}%`,
          state: ex.phase === 'done' || ex.phase === 'failed' || ex.phase === 'cancelled' ? ex.phase : null,
          phase: ex.phase === 'running' ? (job?.phase ?? null) : null,
        },
        cancel: { shown: ex.phase === 'running' && job !== null, label: t('archive.cancelExport') },
        info:
          ex.phase === 'done' && job
            ? { size: `${bytes(job.bytes ?? 0)} · `, packageId: job.packageId, sha256: job.sha256 ?? '', compositeSha256: job.composite?.sha256 ?? null }
            : ex.phase === 'failed'
              ? { error: job?.error ?? '' }
              : null,
        download: { shown: ex.phase === 'done', label: ex.phase === 'done' && ex.downloading ? t('archive.downloading') : t('archive.download'), busy: ex.phase === 'done' && ex.downloading },
        play: {
          shown: ex.phase === 'done' && !!job?.composite?.sha256,
          label: s.composite.phase === 'loading' ? t('archive.compositeLoading') : t('archive.compositePlay'),
          busy: s.composite.phase === 'loading',
          url: s.composite.phase === 'ready' ? s.composite.url : null,
        },
      },
      hint: t('archive.exportHint'),
      compositeHashLabel: t('archive.compositeHash'),
    },
    audit: {
      title: t('archive.auditTitle'),
      scopes: [
        { key: 'session', label: t('archive.auditScopeSession'), active: au.scope === 'session' },
        ...(ci.caseNumber ? [{ key: 'case' as const, label: t('archive.auditScopeCase'), active: au.scope === 'case' }] : []),
      ],
      refresh: t('archive.auditRefresh'),
      ...auditListing(au.trail, au.loading, ctx),
    },
    transcript: {
      title: t('archive.transcriptTitle'),
      note: !tr
        ? null
        : tr.queued
          ? t('archive.transcriptQueued')
          : tr.items.length === 0
            ? tr.engine
              ? t('archive.transcriptNone')
              : t('archive.transcriptNoEngine')
            : t('archive.transcriptEngine', { engine: tr.items[0]!.engine }),
      lines: lines.map((l) => ({ key: l.key, start: l.start, time: clock(l.start), who: l.who, text: l.text, active: s.position >= l.start && s.position < l.end })),
    },
  };
}
