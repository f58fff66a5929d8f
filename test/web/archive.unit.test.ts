// The archive's view-models: a session's tiles, lanes, scrubber marks, timeline, integrity
// warnings and evidence actions at a playback position; and the search results.
import { describe, expect, it } from 'vitest';
import { translator, type Lang, type ViewContext } from '../../client-web/src/lib/i18n.ts';
import { bytes, sessionModel, sessionSpan, type SessionState } from '../../client-web/src/archive/session-view-model.ts';
import { archiveView, toServerQuery, type ArchiveState } from '../../client-web/src/archive/view-model.ts';
import type { SessionDetail, SessionRow } from '../../client-web/src/archive/client.ts';

const T0 = Date.parse('2026-11-26T07:00:00Z'); // 15:00 in 宿州
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const ctx = (lang: Lang = 'zh'): ViewContext => ({ t: translator(lang), lang, now: T0 + 60_000 });
const seg = (track: string, n: number, offset: number) => ({
  id: `${track}-r0-${n}`, file: `${track}/r0-${n}.webm`, run: 0, seq: n, sha256: 'a'.repeat(64), bytes: 2048, durationSeconds: 2,
  firstPacketAt: at(offset), offsetSeconds: offset, closedAt: at(offset + 2),
});
const track = (trackId: string, kind: 'audio' | 'video', lane: string, segments: ReturnType<typeof seg>[]) =>
  ({ trackId, producerId: 'p', lane, kind, codec: { mimeType: kind === 'video' ? 'video/VP8' : 'audio/opus', payloadType: 96, clockRate: 90000 }, startedAt: at(0), runs: [], segments: segments.map((s) => ({ ...s, url: `/x/${s.id}` })) });
const DETAIL = {
  session: { sessionId: 's1', legalHold: false, legalHoldReason: null, retainUntil: '2036-11-26T00:00:00Z', manifestSha256: 'b'.repeat(64) },
  manifest: {
    version: 1, sessionId: 's1', retentionClass: 'petition', segmentSeconds: 2, status: 'stopped', startedAt: at(0), stoppedAt: at(10),
    caseInfo: { kind: 'petition', roomId: 'petition:XF1', caseNumber: 'XF20261126-000001', region: '341321', departments: ['341321-rs', '341321-gone'], officials: [{ id: 'O1', name: '陈建国' }], petitioner: { name: '王秀英' } },
    participants: [
      { participantId: 'o', name: '陈建国', role: 'official', joinedAt: at(0), gaps: [], tracks: [track('o-cam', 'video', 'camera', [seg('o-cam', 0, 1), seg('o-cam', 1, 3)]), track('o-mic', 'audio', 'microphone', [seg('o-mic', 0, 1)])] },
      { participantId: 't', name: '王秀英', role: 'terminal', joinedAt: at(0), gaps: [], tracks: [track('t-mic', 'audio', 'microphone', [seg('t-mic', 0, 2)])] },
    ],
    timeline: [
      { at: at(0), type: 'recording-started' },
      { at: at(1), type: 'joined', participantId: 'o' },
      { at: at(1), type: 'track-started', participantId: 'o' },
      { at: at(9), type: 'participant-left', participantId: 't', detail: 'left' },
    ],
  },
  names: { regions: { '341321': '砀山县' }, departments: { '341321-rs': '砀山县人社局' } },
  gaps: [{ participantId: 'o', lane: 'camera', start: at(0), end: at(1), reason: 'recorder-starting' }],
  timeline: [],
  bookmarks: [],
} as unknown as SessionDetail;
DETAIL.timeline = DETAIL.manifest.timeline;
const state = (s: Partial<SessionState> = {}): SessionState => ({
  detail: DETAIL, session: DETAIL.session, bookmarks: [], position: 5, playing: false, held: false, players: [], integrity: {}, muted: {},
  bookmarkNote: '', holdReason: '', holdBusy: false, verify: { phase: 'idle' }, export: { phase: 'idle' },
  exportComposite: false, composite: { phase: 'idle' }, audit: { scope: 'session', trail: null, loading: false }, transcripts: null, ...s,
});

describe('archive session view-model', () => {
  it('spans the session to its end, and gives a tile per camera and one for a microphone-only participant', () => {
    expect(sessionSpan(DETAIL, T0)).toEqual({ start: T0, duration: 10 });
    const m = sessionModel(state(), ctx());
    expect(m.tiles.map((t) => [t.key, t.trackId, t.laneLabel, t.mute?.label ?? null])).toEqual([
      ['o-cam', 'o-cam', null, '静音'],
      ['t/audio', null, '仅音频', '静音'],
    ]);
    expect(m.lanes.map((l) => [l.key, l.kindLabel, l.codec, l.segments.length, l.gaps.length])).toEqual([
      ['o-cam', '视频', 'VP8', 2, 1],
      ['o-mic', '音频', 'opus', 1, 0],
      ['t-mic', '音频', 'opus', 1, 0],
    ]);
  });

  it('shows the clock, the wall time and the scrubber at the position, with case events and bookmarks marked', () => {
    const m = sessionModel(state({ bookmarks: [{ bookmarkId: 'b', sessionId: 's1', offsetSeconds: 7, note: '陈述欠薪', authorSub: 'a', authorName: '档案员', createdAt: at(30) }] }), ctx());
    expect(m.transport).toMatchObject({ time: '00:05.0 / 00:10', wall: '2026-11-26 15:00:05', playLabel: '播放' });
    expect(m.scrubber).toMatchObject({ percent: 50, max: 10, valueText: '00:05' });
    expect(m.scrubber.marks.map((k) => [k.kind, k.label])).toEqual([
      ['people', '00:01 加入 · 陈建国'],
      ['people', '00:09 离开 · 王秀英 · left'],
      ['bookmark', '00:07 书签 · 陈述欠薪'],
    ]);
    expect(m.scrubber.gaps).toEqual([{ left: 0, width: 10, title: '陈建国 · camera · 录制进程启动中 00:00–00:01' }]);
  });

  it('lists every timeline event, the recorder\'s own ones by category, and which are past', () => {
    const m = sessionModel(state(), ctx());
    expect(m.timeline.entries.map((e) => [e.type, e.category, e.time, e.title, e.actor ?? null, e.detail ?? null])).toEqual([
      ['recording-started', 'case', '00:00', '开始录制', null, null],
      ['joined', 'people', '00:01', '加入', '· 陈建国', null],
      ['track-started', 'recording', '00:01', '轨道开始', '· 陈建国', null],
      ['participant-left', 'people', '00:09', '离开', '· 王秀英', null],
    ]);
  });

  it('warns of a segment that does not match its hash or is missing, and marks its lane', () => {
    const m = sessionModel(state({ integrity: { 'o-cam-r0-1': 'mismatch', 't-mic-r0-0': 'missing', 'o-mic-r0-0': 'ok' } }), ctx());
    expect(m.integrityAlerts).toEqual([
      { segmentId: 'o-cam-r0-1', integrity: 'mismatch', text: '完整性警告：片段 o-cam/r0-1.webm 的 SHA-256 与清单不一致，播放内容可能已被改动。' },
      { segmentId: 't-mic-r0-0', integrity: 'missing', text: '完整性警告：片段 t-mic/r0-0.webm 在档案中缺失。' },
    ]);
    expect(m.lanes[0]!.segments[1]!.integrity).toBe('mismatch');
  });

  it('tells a tile\'s player state, and stamps a playing track with its wall time', () => {
    const m = sessionModel(state({ playing: true, players: [{ trackId: 'o-cam', state: 'ready', error: undefined, position: 4.25 }, { trackId: 't-mic', state: 'error', error: 'gone', position: undefined }] }), ctx());
    expect(m.tiles[0]).toMatchObject({ status: { text: '', state: 'ready' }, stamp: '2026-11-26 15:00:04.250' });
    expect(m.tiles[1]).toMatchObject({ status: { text: '此片段文件已缺失，无法播放', state: 'error' }, stamp: '' });
  });

  it('reports verify, hold and export in plain words', () => {
    const done = sessionModel(state({ verify: { phase: 'done', result: { ok: true, status: 'stopped', segmentsChecked: 4, problems: [] } } }), ctx()).evidence;
    expect(done.verify).toMatchObject({ state: 'ok', text: '校验通过：4 个片段的 SHA-256 与清单一致，清单封存有效。' });
    const held = sessionModel(state({ session: { ...DETAIL.session!, legalHold: true, legalHoldReason: '行政复议' } as SessionRow }), ctx());
    expect(held.head.held).toBe(true);
    expect(held.evidence.hold).toMatchObject({ status: '已设置法律保全：行政复议', button: '解除法律保全' });
    const job = { jobId: 'j', packageId: 'p1', sessionId: 's1', state: 'running' as const, phase: 'packing' as const, options: { composite: false }, bytesDone: 1, bytesTotal: 4, createdAt: at(0), progress: 0.25, percent: 25 };
    expect(sessionModel(state({ export: { phase: 'running', job, downloading: false } }), ctx()).evidence.export).toMatchObject({ busy: true, progress: { shown: true, percent: 25, label: '正在生成证据包… 25%', state: null }, download: { shown: false } });
    const finished = sessionModel(state({ export: { phase: 'done', job: { ...job, state: 'done', progress: 1, bytes: 3 * 1024 * 1024, sha256: 'c'.repeat(64) }, downloading: false } }), ctx()).evidence.export;
    expect(finished).toMatchObject({ progress: { percent: 100, state: 'done' }, info: { size: '3.0 MB · ', packageId: 'p1' }, download: { shown: true, label: '下载证据包' } });
  });

  it('shows the composite phase of an export, its cancel, and the composite to play once done', () => {
    const job = { jobId: 'j', packageId: 'p1', sessionId: 's1', state: 'running' as const, phase: 'composite' as const, options: { composite: true }, bytesDone: 0, bytesTotal: 4, createdAt: at(0), progress: 0.45, percent: 45, composite: { progress: 0.5 } };
    const running = sessionModel(state({ export: { phase: 'running', job, downloading: false } }), ctx()).evidence.export;
    expect(running).toMatchObject({ busy: true, progress: { percent: 45, label: '正在合成视频… 45%', phase: 'composite' }, cancel: { shown: true }, play: { shown: false } });
    const done = { ...job, state: 'done' as const, phase: 'finished' as const, progress: 1, percent: 100, sha256: 'c'.repeat(64), bytes: 10, composite: { progress: 1, sha256: 'd'.repeat(64) } };
    const finished = sessionModel(state({ export: { phase: 'done', job: done, downloading: false } }), ctx()).evidence.export;
    expect(finished).toMatchObject({ cancel: { shown: false }, play: { shown: true, label: '播放合成视频' }, info: { compositeSha256: 'd'.repeat(64) } });
  });

  it('lists the audit trail with who, role, from where and what, and the chain\'s state', () => {
    const trail = {
      total: 2,
      entries: [
        { seq: 9, at: at(30), type: 'export', sessionId: 's1', actor: { kind: 'user' as const, sub: 'archivist-city', name: '档案员', role: 'archivist' }, from: '10.0.0.7', details: { packageId: 'p1', composite: true } },
        { seq: 8, at: at(20), type: 'view-segment', sessionId: 's1', actor: { kind: 'user' as const, sub: 'archivist-city', name: '档案员', role: 'archivist' }, details: { segmentId: 'cam-r0-1' } },
        { seq: 7, at: at(19), type: 'view', sessionId: 's1', actor: { kind: 'user' as const, sub: 'archivist-city', name: '档案员', role: 'archivist' }, details: { what: 'session' } },
      ],
      chain: { ok: true, entries: 10, checkedAt: at(31), problems: [], lastCheckpoint: { seq: 5, at: at(10), coversSeq: 4, signatures: [{ alg: 'sm2', keyId: 'k', ok: true }], timestampedAt: at(11) } },
    };
    const a = sessionModel(state({ audit: { scope: 'session', trail, loading: false } }), ctx()).audit;
    expect(a.rows.map((r) => [r.who, r.role, r.action, r.from, r.detail])).toEqual([
      ['档案员', '档案员', '导出', '10.0.0.7', 'packageId p1 · composite true'],
      ['档案员', '档案员', '播放', '', 'segmentId cam-r0-1'],
      ['档案员', '档案员', '查看', '', '录像'],
    ]);
    expect(a.chain).toMatchObject({ ok: true, text: '审计链完整（10 条，SHA-256 与 SM3 双链）' });
    expect(a.chain!.checkpoint).toContain('SM2 有效');
    expect(a.scopes.map((x) => x.key)).toEqual(['session', 'case']);
  });

  it('highlights the transcript line being played, labelled by speaker', () => {
    const items = [{ format: 'suzhou-video-transcript/1' as const, sessionId: 's1', participantId: 'o', name: 'x', role: 'official', trackId: 'mic', lane: 'microphone', engine: 'sherpa-onnx sense-voice', model: 'm', createdAt: at(0), lines: [{ start: 1, end: 4, text: '您好' }, { start: 4, end: 8, text: '请讲' }] }];
    const tr = sessionModel(state({ position: 5, transcripts: { engine: 'sherpa-onnx sense-voice', queued: false, items } }), ctx()).transcript;
    expect(tr.lines.map((l) => [l.who, l.text, l.active])).toEqual([['陈建国', '您好', false], ['陈建国', '请讲', true]]);
    expect(sessionModel(state({ transcripts: { engine: null, queued: false, items: [] } }), ctx()).transcript.note).toContain('TRANSCRIPT_MODEL_DIR');
  });

  it("names the case's region and departments from the directory, an id it no longer knows as the id", () => {
    const meta = sessionModel(state(), ctx()).head.meta;
    expect(meta.find((x) => x.term === '地区')?.value).toBe('砀山县');
    expect(meta.find((x) => x.term === '部门')?.value).toBe('砀山县人社局、341321-gone');
  });

  it('says it in English', () => {
    const m = sessionModel(state(), ctx('en'));
    expect(m.head.meta.find((x) => x.term === 'Participants')?.value).toBe('陈建国 (Official), 王秀英 (Petitioner (terminal))');
    expect(m.gaps.items[0]).toMatchObject({ range: '00:00–00:01', who: '陈建国 · video', reason: 'recorder starting' });
  });
});

describe('archive search view-model', () => {
  const row = { sessionId: 's1', kind: 'petition', caseNumber: 'XF20261126-000001', petitioner: '王秀英', terminalId: 'T1', region: '341321', status: 'interrupted', startedAt: at(0), durationSeconds: 125, segmentCount: 12, bytes: 5000, gapCount: 2, legalHold: true, legalHoldReason: '复议' } as SessionRow;
  const base: ArchiveState = { view: 'search', denied: null, banner: null, claims: { sub: 'a1', name: '档案员', role: 'archivist', attributes: {} }, query: {}, results: null, searching: false, more: false, loadingMore: false, status: null, auditQuery: {}, auditTrail: null, auditing: false };

  it('raises the timestamp alarm while the TSA is unreachable or missing, and nothing when it answers', () => {
    const status = (timestamps: NonNullable<ArchiveState['status']>['timestamps']) => ({ timestamps, keys: [], transcriptEngine: null, composite: true, storage: [] });
    expect(archiveView({ ...base, status: status({ state: 'ok', pending: 0 }) }, ctx()).alarm).toBeNull();
    expect(archiveView({ ...base, status: status({ state: 'unreachable', pending: 3, since: at(0) }) }, ctx()).alarm).toBe('可信时间戳服务不可用（自 2026-11-26 15:00:00 起）：3 项封存等待时间戳，服务恢复后自动补签。');
    expect(archiveView({ ...base, status: status({ state: 'unconfigured', pending: 1 }) }, ctx('en')).alarm).toContain('TSA_URL');
  });

  it('lists the sessions found with their state, gaps and hold, and offers more when a page was full', () => {
    const v = archiveView({ ...base, results: [row], more: true }, ctx());
    expect(v.who).toEqual({ label: '当前用户', name: '档案员', role: '档案员' });
    expect(v.search?.results).toMatchObject({ count: '已显示 1 条，还有更多', more: { label: '加载更多' } });
    expect(v.search?.results?.rows[0]).toMatchObject({ started: '2026-11-26 15:00:00', duration: '2分5秒', bytes: '4.9 KB', status: { label: '异常中断' }, gaps: '2 处间断', hold: { label: '法律保全', reason: '复议' } });
    expect(archiveView({ ...base, results: [] }, ctx()).search?.results?.empty).toBe('没有符合条件的录像。');
  });

  it('shows a refusal instead of the page', () => {
    expect(archiveView({ ...base, view: 'denied', denied: { kind: 'forbidden', serverMessage: 'archivists only' } }, ctx()).denied).toMatchObject({ title: '无权访问录像档案', serverMessage: 'archivists only' });
  });

  it('sends whole local days as UTC instants', () => {
    const q = toServerQuery({ from: '2026-11-26', to: '2026-11-26', caseNumber: 'XF1' });
    expect(q.caseNumber).toBe('XF1');
    expect(Date.parse(q.to!) - Date.parse(q.from!)).toBe(86_400_000 - 1);
  });

  it('formats sizes', () => {
    expect([bytes(900), bytes(2048), bytes(5 * 1024 ** 3)]).toEqual(['900 B', '2.0 KB', '5.00 GB']);
  });
});
