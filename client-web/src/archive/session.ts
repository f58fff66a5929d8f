// One recorded session: synchronized players, scrubber with case events, gaps and bookmarks,
// per-track coverage, and the archivist's actions (bookmark, verify, legal hold, export).
import type { ArchiveClient, Bookmark, SessionDetail, SessionRow, TrackView, PublicJob } from './client.ts';
import { bytes, clock, clockPrecise, dateTime, duration, h, timeOfDay } from './format.ts';
import { SegmentCache, SessionPlayer, TrackPlayer, type Integrity, type PlayerState } from './player.ts';
import { icon } from './icons.ts';
import { eventCategory, eventLabel, gapReason, lang, roleLabel, s } from './strings.ts';

interface Options {
  onError: (err: unknown) => void;
  back: () => void;
}

interface Marker {
  at: number;
  kind: 'case' | 'people' | 'recording' | 'bookmark';
  label: string;
}

/** Timeline events worth a mark on the scrubber; the rest are listed in the side panel only. */
const SCRUBBER_EVENTS = (type: string) => !['track-started', 'track-ended', 'participant-joined', 'recording-started', 'recording-stopped'].includes(type);

export class SessionView {
  readonly root: HTMLElement;
  readonly #player: SessionPlayer;
  readonly #cache: SegmentCache;
  readonly #start: number;
  readonly #duration: number;
  readonly #names = new Map<string, string>();
  #session: SessionRow | undefined;
  #bookmarks: Bookmark[];
  #disposed = false;
  #pollTimer: ReturnType<typeof setTimeout> | undefined;

  // elements updated every tick
  readonly #playBtn: HTMLButtonElement;
  readonly #timeLabel: HTMLElement;
  readonly #wallLabel: HTMLElement;
  readonly #buffering: HTMLElement;
  readonly #scrub: HTMLElement;
  readonly #fill: HTMLElement;
  readonly #head: HTMLElement;
  readonly #lanesHead: HTMLElement;
  readonly #stamps: { player: TrackPlayer; el: HTMLElement }[] = [];
  readonly #bmList: HTMLElement;
  readonly #markerLayer: HTMLElement;
  readonly #holdBox: HTMLElement;
  readonly #timelineRows: { at: number; el: HTMLElement }[] = [];
  readonly #integrityAlert = h('div.integrity-alert', { id: 'integrity-alert', role: 'alert', hidden: true });

  constructor(
    private readonly client: ArchiveClient,
    private readonly detail: SessionDetail,
    private readonly opts: Options,
  ) {
    const m = detail.manifest;
    this.#session = detail.session;
    this.#bookmarks = [...detail.bookmarks];
    this.#start = Date.parse(m.startedAt);
    let end = m.stoppedAt ? (Date.parse(m.stoppedAt) - this.#start) / 1000 : 0;
    for (const p of m.participants) for (const t of p.tracks) for (const seg of t.segments) end = Math.max(end, seg.offsetSeconds + seg.durationSeconds);
    if (m.status === 'recording') end = Math.max(end, (Date.now() - this.#start) / 1000);
    this.#duration = Math.max(end, 0.1);
    for (const p of m.participants) this.#names.set(p.participantId, p.name);

    this.#player = new SessionPlayer(this.#duration);
    const inUse = () => new Set(this.#player.players.flatMap((p) => p.elements.map((e) => e.src)));
    this.#cache = new SegmentCache(client, inUse);
    this.#cache.onIntegrity = (id, result) => this.#markIntegrity(id, result);

    // ---- transport + scrubber
    this.#playBtn = h('button.btn.primary.play', { type: 'button', id: 'play', 'aria-label': s('play') });
    this.#playBtn.addEventListener('click', () => this.toggle());
    this.#timeLabel = h('span.time.mono', { id: 'time' });
    this.#wallLabel = h('span.wall.mono', { id: 'wall' });
    this.#buffering = h('span.buffering', { text: s('buffering'), hidden: true });
    const speed = h('select.speed', { 'aria-label': s('speed') });
    for (const r of [0.5, 1, 1.5, 2]) speed.append(h('option', { value: r, text: `${r}×`, selected: r === 1 }));
    speed.addEventListener('change', () => this.#player.setRate(Number(speed.value)));

    this.#fill = h('div.scrub-fill');
    this.#head = h('div.scrub-head');
    this.#markerLayer = h('div.scrub-marks');
    const gapLayer = h('div.scrub-gaps');
    this.#scrub = h('div.scrub', { id: 'scrubber', role: 'slider', tabindex: 0, 'aria-label': lang === 'en' ? 'Timeline' : '时间轴', 'aria-valuemin': 0, 'aria-valuemax': Math.round(this.#duration) },
      h('div.scrub-rail'), gapLayer, this.#fill, this.#markerLayer, this.#head);
    this.#wireScrubber(this.#scrub);

    // ---- players
    const stage = h('div.stage', { id: 'stage' });
    const lanes = h('div.lanes', { id: 'lanes' });
    this.#lanesHead = h('div.lanes-playhead');
    for (const p of m.participants) {
      const videoTracks = p.tracks.filter((t) => t.kind === 'video' && t.segments.length > 0);
      const audioTracks = p.tracks.filter((t) => t.kind === 'audio' && t.segments.length > 0);
      if (videoTracks.length === 0 && audioTracks.length === 0) continue;
      const tiles: HTMLElement[] = [];
      const mkTile = (t: TrackView | undefined) => {
        const media = h('div.tile-media');
        if (!t) media.append(h('span.tile-mic', {}, icon('mic')));
        const status = h('div.tile-status', { hidden: true });
        const stamp = h('div.tile-stamp.mono');
        const mute = h('button.tile-mute', { type: 'button', title: s('mute'), 'aria-label': s('mute'), 'aria-pressed': 'false' }, icon('volume'));
        const tile = h('figure.atile', { 'data-participant': p.participantId, 'data-lane': t?.lane ?? 'audio' },
          media, status, stamp,
          h('figcaption', {}, h('strong', { text: p.name }), h('span', { text: roleLabel(p.role) }), t && t.lane !== 'camera' ? h('span.lane', { text: t.lane }) : null, !t ? h('span.lane', { text: s('audioOnly') }) : null),
          audioTracks.length && tiles.length === 0 ? mute : null,
        );
        tiles.push(tile);
        stage.append(tile);
        return { media, status, stamp, mute };
      };
      const first = videoTracks.length ? undefined : mkTile(undefined);
      const audioTile = first;
      let muteBtn: HTMLButtonElement | undefined = first?.mute;
      let audioHost = first?.media;
      for (const t of videoTracks) {
        const ui = mkTile(t);
        audioHost ??= ui.media;
        muteBtn ??= ui.mute;
        const player: TrackPlayer = new TrackPlayer(t, this.#cache, () => {
          const v = h('video', { playsinline: true, muted: true });
          v.muted = true; // video elements carry no sound: audio tracks have their own players
          ui.media.append(v);
          return v;
        }, (st) => this.#showState(ui.status, st, player));
        this.#player.add(player);
        this.#stamps.push({ player, el: ui.stamp });
      }
      const audioPlayers: TrackPlayer[] = [];
      for (const t of audioTracks) {
        const player: TrackPlayer = new TrackPlayer(t, this.#cache, () => {
          const a = h('audio');
          audioHost!.append(a);
          return a;
        }, (st) => audioTile && this.#showState(audioTile.status, st, player));
        this.#player.add(player);
        audioPlayers.push(player);
        if (audioTile) this.#stamps.push({ player, el: audioTile.stamp });
      }
      if (muteBtn) {
        const btn = muteBtn;
        btn.addEventListener('click', () => {
          const muted = btn.getAttribute('aria-pressed') !== 'true';
          btn.setAttribute('aria-pressed', String(muted));
          btn.replaceChildren(icon(muted ? 'muted' : 'volume'));
          btn.title = muted ? s('unmute') : s('mute');
          btn.setAttribute('aria-label', btn.title);
          for (const a of audioPlayers) a.muted = muted;
        });
      }
      // Coverage lanes, one row per recorded track.
      for (const t of [...videoTracks, ...audioTracks]) lanes.append(this.#laneRow(p.name, t, detail.gaps.filter((g) => g.participantId === p.participantId && g.lane === t.lane)));
    }
    stage.dataset.count = String(stage.children.length);
    lanes.append(this.#lanesHead);

    // Gaps on the scrubber (every participant's, merged visually).
    for (const g of detail.gaps) {
      const a = this.#offsetOf(g.start);
      const b = g.end ? this.#offsetOf(g.end) : this.#duration;
      gapLayer.append(h('div.scrub-gap', { style: this.#rangeStyle(a, b), title: `${this.#names.get(g.participantId) ?? g.participantId} · ${g.lane} · ${gapReason(g.reason)} ${clock(a)}–${clock(b)}` }));
    }
    this.#renderMarkers();

    const skip = (d: number, label: string) =>
      h('button.btn.small.skip', { type: 'button', title: label, 'aria-label': label, text: d < 0 ? `−${-d}s` : `+${d}s`, onclick: () => this.#player.seek(this.#player.clock.position + d) });
    const transport = h('div.transport', {}, skip(-10, lang === 'en' ? 'Back 10 s' : '后退 10 秒'), this.#playBtn, skip(10, lang === 'en' ? 'Forward 10 s' : '前进 10 秒'), this.#timeLabel, this.#wallLabel, this.#buffering, h('span.spacer'), h('label.speed-label', {}, h('span', { text: s('speed') }), speed));

    // ---- side panel
    this.#bmList = h('ol.bm-list', { id: 'bookmarks' });
    this.#renderBookmarks();
    this.#holdBox = h('div.hold', { id: 'legal-hold' });
    this.#renderHold();

    const mainCol = h('div.player-col', {},
      stage,
      h('div.card.controls', {}, this.#integrityAlert, transport, h('div.scrub-row', {}, this.#scrub), h('div.legend', {},
        h('span.lg.lg-case', { text: lang === 'en' ? 'case events' : '案件事件' }),
        h('span.lg.lg-people', { text: lang === 'en' ? 'joined / left' : '加入 / 离开' }),
        h('span.lg.lg-gap', { text: s('gaps') }),
        h('span.lg.lg-bm', { text: s('bookmarks') }),
      )),
      h('section.card', {}, h('h3', { text: s('lanes') }), lanes),
      this.#gapsCard(),
    );
    const side = h('aside.side-col', {},
      this.#actionsCard(),
      this.#timelineCard(),
      this.#bookmarksCard(),
    );
    this.root = h('div.session', { id: 'session', 'data-session': m.sessionId }, this.#headerCard(), h('div.session-grid', {}, mainCol, side));

    this.#player.onTick((t) => this.#onTick(t));
    // For tests and for support staff: where every player is right now.
    (window as unknown as { archivePlayer: unknown }).archivePlayer = {
      clock: () => this.#player.clock.position,
      duration: () => this.#duration,
      seek: (t: number) => this.#player.seek(t),
      playing: () => this.#player.clock.playing,
      positions: () =>
        this.#player.players.map((p) => ({
          trackId: p.track.trackId,
          kind: p.track.kind,
          state: p.state,
          segmentId: p.activeSegment?.id ?? null,
          currentTime: p.activeElement.currentTime,
          timeline: p.timelinePosition ?? null,
          paused: p.activeElement.paused,
        })),
    };
  }

  start(): void {
    this.#player.start();
    document.addEventListener('keydown', this.#onKey);
  }

  /** Space or K plays/pauses, J/L jump 5 s, unless the archivist is typing. */
  readonly #onKey = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement;
    if (target.closest('input, textarea, select, button, [role="slider"]')) return;
    const t = this.#player.clock.position;
    if (e.key === ' ' || e.key === 'k') this.toggle();
    else if (e.key === 'j') this.#player.seek(t - 5);
    else if (e.key === 'l') this.#player.seek(t + 5);
    else return;
    e.preventDefault();
  };

  toggle(): void {
    if (this.#player.clock.playing) {
      this.#player.pause();
      return;
    }
    this.#unlockMedia();
    this.#player.play();
  }

  #unlocked = false;
  /** Some browsers let an element play with sound only if play() was first called in a gesture. */
  #unlockMedia(): void {
    if (this.#unlocked) return;
    this.#unlocked = true;
    for (const p of this.#player.players) {
      for (const el of p.elements) {
        if (!el.getAttribute('src') || el !== p.activeElement) continue;
        el.play().catch(() => undefined);
      }
    }
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    document.removeEventListener('keydown', this.#onKey);
    this.#player.dispose();
    this.#cache.dispose();
    if (this.#pollTimer) clearTimeout(this.#pollTimer);
    for (const el of this.root.querySelectorAll('video,audio')) (el as HTMLMediaElement).removeAttribute('src');
  }

  // ---- helpers

  #offsetOf(iso: string): number {
    return Math.max(0, Math.min(this.#duration, (Date.parse(iso) - this.#start) / 1000));
  }
  #pct(t: number): number {
    return (Math.max(0, Math.min(this.#duration, t)) / this.#duration) * 100;
  }
  #rangeStyle(a: number, b: number): string {
    return `left:${this.#pct(a)}%;width:max(3px, ${this.#pct(b) - this.#pct(a)}%)`;
  }

  #showState(el: HTMLElement, st: PlayerState, player?: TrackPlayer): void {
    const error = player?.activeError === 'gone' ? s('segmentGone') : player?.activeError ? `${s('segmentFetchFailed')} (${player.activeError})` : s('decodeFailed');
    const text = st === 'gap' ? s('noRecording') : st === 'error' ? error : st === 'loading' && this.#player.clock.playing ? s('buffering') : '';
    el.textContent = text;
    el.hidden = text === '';
    el.dataset.state = st;
  }

  #onTick(t: number): void {
    const c = this.#player.clock;
    const state = c.playing ? 'playing' : 'paused';
    if (this.#playBtn.dataset.state !== state) {
      this.#playBtn.replaceChildren(icon(c.playing ? 'pause' : 'play'));
      this.#playBtn.setAttribute('aria-label', c.playing ? s('pause') : s('play'));
      this.#playBtn.dataset.state = state;
    }
    this.#timeLabel.textContent = `${clockPrecise(t)} / ${clock(this.#duration)}`;
    this.#wallLabel.textContent = dateTime(new Date(this.#start + t * 1000));
    this.#buffering.hidden = !c.held;
    const pct = `${this.#pct(t)}%`;
    this.#fill.style.width = pct;
    this.#head.style.left = pct;
    this.#lanesHead.style.left = `calc(var(--lane-label) + (100% - var(--lane-label)) * ${this.#pct(t) / 100})`;
    this.#scrub.setAttribute('aria-valuenow', String(Math.round(t)));
    this.#scrub.setAttribute('aria-valuetext', clock(t));
    for (const { player, el } of this.#stamps) {
      const pos = player.timelinePosition;
      el.textContent = pos === undefined || player.state !== 'ready' ? '' : dateTime(new Date(this.#start + pos * 1000), true);
    }
    for (const row of this.#timelineRows) row.el.classList.toggle('past', row.at <= t);
  }

  #wireScrubber(el: HTMLElement): void {
    const at = (e: PointerEvent) => {
      const r = el.getBoundingClientRect();
      return ((e.clientX - r.left) / r.width) * this.#duration;
    };
    let dragging = false;
    el.addEventListener('pointerdown', (e) => {
      if ((e.target as HTMLElement).closest('.scrub-mark')) return;
      dragging = true;
      el.setPointerCapture(e.pointerId);
      this.#player.seek(at(e));
    });
    el.addEventListener('pointermove', (e) => dragging && this.#player.seek(at(e)));
    el.addEventListener('pointerup', () => (dragging = false));
    el.addEventListener('keydown', (e) => {
      const t = this.#player.clock.position;
      if (e.key === 'ArrowLeft') this.#player.seek(t - 5);
      else if (e.key === 'ArrowRight') this.#player.seek(t + 5);
      else if (e.key === 'Home') this.#player.seek(0);
      else if (e.key === 'End') this.#player.seek(this.#duration);
      else if (e.key === ' ') this.toggle();
      else return;
      e.preventDefault();
    });
  }

  /** A segment whose bytes do not match the manifest is flagged on its lane and on its tile. */
  #markIntegrity(segmentId: string, result: Integrity): void {
    const lane = this.root?.querySelector<HTMLElement>(`.lane-seg[data-seg="${CSS.escape(segmentId)}"]`);
    if (lane) lane.dataset.integrity = result;
    if (result !== 'mismatch' && result !== 'missing') return;
    const seg = this.#player.players.flatMap((p) => p.track.segments).find((x) => x.id === segmentId);
    this.#integrityAlert.hidden = false;
    this.#integrityAlert.append(h('div', { 'data-integrity': result, 'data-seg': segmentId }, icon('cross', s(result === 'mismatch' ? 'hashMismatch' : 'segmentMissing', { seg: seg?.file ?? segmentId }))));
  }

  #renderMarkers(): void {
    const markers: Marker[] = [];
    for (const ev of this.detail.timeline) {
      if (!SCRUBBER_EVENTS(ev.type)) continue;
      const who = ev.participantId ? this.#names.get(ev.participantId) ?? ev.participantId : '';
      markers.push({ at: this.#offsetOf(ev.at), kind: eventCategory(ev.type), label: `${eventLabel(ev.type)}${who ? ` · ${who}` : ''}${ev.detail && ev.detail !== who ? ` · ${ev.detail}` : ''}` });
    }
    for (const b of this.#bookmarks) markers.push({ at: b.offsetSeconds, kind: 'bookmark', label: `${s('bookmarks')} · ${b.note}` });
    this.#markerLayer.replaceChildren(
      ...markers.map((mk) => {
        const el = h('button.scrub-mark', { type: 'button', 'data-kind': mk.kind, style: `left:${this.#pct(mk.at)}%`, title: `${clock(mk.at)} ${mk.label}`, 'aria-label': `${clock(mk.at)} ${mk.label}` });
        el.addEventListener('click', () => this.#player.seek(mk.at));
        return el;
      }),
    );
  }

  #laneRow(name: string, t: TrackView, gaps: SessionDetail['gaps']): HTMLElement {
    const bar = h('div.lane-bar');
    for (const seg of t.segments) {
      bar.append(h('div.lane-seg', { 'data-seg': seg.id, style: this.#rangeStyle(seg.offsetSeconds, seg.offsetSeconds + seg.durationSeconds), 'data-truncated': seg.truncated ? 'true' : undefined, title: `${seg.id}\n${clock(seg.offsetSeconds)} +${seg.durationSeconds.toFixed(2)}s · ${bytes(seg.bytes)}\nSHA-256 ${seg.sha256}` }));
    }
    for (const g of gaps) {
      const a = this.#offsetOf(g.start);
      const b = g.end ? this.#offsetOf(g.end) : this.#duration;
      bar.append(h('div.lane-gap', { style: this.#rangeStyle(a, b), title: `${gapReason(g.reason)} ${clock(a)}–${clock(b)}${g.detail ? `\n${g.detail}` : ''}` }));
    }
    bar.addEventListener('click', (e) => {
      const r = bar.getBoundingClientRect();
      this.#player.seek((((e as MouseEvent).clientX - r.left) / r.width) * this.#duration);
    });
    return h('div.lane', { 'data-kind': t.kind },
      h('div.lane-label', {}, h('span.lane-kind', { 'data-kind': t.kind, text: t.kind === 'video' ? s('video') : s('audio') }), h('span', { text: name }), h('small.mono', { text: t.codec.mimeType.split('/')[1] ?? '' })),
      bar,
    );
  }

  // ---- cards

  #headerCard(): HTMLElement {
    const m = this.detail.manifest;
    const row = this.#session;
    const ci = m.caseInfo;
    const status = m.status === 'stopped' ? s('statusStopped') : m.status === 'recording' ? s('statusRecording') : s('statusInterrupted');
    const dl = h('dl.meta');
    const add = (k: string, v: string | HTMLElement) => dl.append(h('div', {}, h('dt', { text: k }), h('dd', {}, v)));
    add(s('started'), dateTime(m.startedAt));
    add(s('stopped'), m.stoppedAt ? dateTime(m.stoppedAt) : '—');
    add(s('duration'), duration(this.#duration));
    add(s('petitioner'), ci.petitioner?.name ?? '—');
    add(s('terminalId'), ci.terminalId ?? '—');
    add(s('region'), ci.region ?? '—');
    if (ci.departments.length) add(s('department'), ci.departments.join('、'));
    if (ci.officials.length) add(s('official'), ci.officials.map((o) => o.name).join('、'));
    if (ci.householdId) add(s('household'), ci.householdId);
    add(s('participants'), m.participants.map((p) => (lang === 'en' ? `${p.name} (${roleLabel(p.role)})` : `${p.name}（${roleLabel(p.role)}）`)).join(lang === 'en' ? ', ' : '、') || '—');
    add(s('retention'), `${m.retentionClass}${row?.retainUntil ? ` · ${s('retainUntil')} ${dateTime(row.retainUntil).slice(0, 10)}` : ''}`);
    add(s('sessionId'), h('span.mono', { text: m.sessionId }));
    if (row?.manifestSha256) add(s('manifestHash'), h('span.mono.hash', { text: row.manifestSha256, title: row.manifestSha256 }));
    return h('section.card.session-head', {},
      h('div.session-title', {},
        h('button.btn.small.back', { type: 'button', id: 'back', onclick: () => this.opts.back() }, icon('back', s('back'))),
        h('h2', {}, h('span.case-no.mono', { id: 'case-number', text: ci.caseNumber ?? ci.roomId })),
        h('span.badge', { 'data-status': m.status, text: status }),
        h('span.badge.kind', { text: ci.kind === 'petition' ? s('kindPetition') : s('kindHousehold') }),
        h('span.badge.hold', { id: 'hold-badge', text: s('held'), hidden: row?.legalHold !== true }),
        h('span.audit-note', {}, icon('lock', s('auditNote'))),
      ),
      m.status === 'recording' ? h('p.live-note', { text: s('stillRecording', { at: dateTime(new Date()) }) }) : null,
      dl,
    );
  }

  #timelineCard(): HTMLElement {
    const list = h('ol.events', { id: 'case-timeline' });
    for (const ev of this.detail.timeline) {
      const at = this.#offsetOf(ev.at);
      const who = ev.participantId ? this.#names.get(ev.participantId) ?? ev.participantId : '';
      const li = h('li', { 'data-type': ev.type, 'data-cat': eventCategory(ev.type), tabindex: 0, title: dateTime(ev.at, true) },
        h('span.ev-time.mono', { text: clock(at) }),
        h('span.ev-dot'),
        h('span.ev-body', {}, h('strong', { text: eventLabel(ev.type) }), who ? h('span', { text: ` · ${who}` }) : null, ev.detail && ev.detail !== who && !(ev.type === 'participant-left' && ev.detail === 'left') ? h('small', { text: ev.detail }) : null),
        h('span.ev-wall.mono', { text: timeOfDay(ev.at) }),
      );
      li.addEventListener('click', () => this.#player.seek(at));
      this.#timelineRows.push({ at, el: li });
      list.append(li);
    }
    const toggle = h('input', { type: 'checkbox', id: 'tech-events' });
    toggle.addEventListener('change', () => list.classList.toggle('show-tech', toggle.checked));
    return h('section.card', {}, h('div.card-head', {}, h('h3', { text: s('caseTimeline') }), h('label.tech-toggle', {}, toggle, h('span', { text: s('techEvents') }))), list);
  }

  #gapsCard(): HTMLElement {
    const gaps = [...this.detail.gaps].sort((a, b) => a.start.localeCompare(b.start));
    const list = h('ul.gap-list', { id: 'gaps' });
    for (const g of gaps) {
      const a = this.#offsetOf(g.start);
      const b = g.end ? this.#offsetOf(g.end) : undefined;
      list.append(h('li', { onclick: () => this.#player.seek(a) },
        h('span.mono', { text: `${clock(a)}–${b === undefined ? s('gapOpen') : clock(b)}` }),
        h('span', { text: `${this.#names.get(g.participantId) ?? g.participantId} · ${g.lane === 'camera' ? s('video') : g.lane === 'microphone' ? s('audio') : g.lane}` }),
        h('span.gap-reason', { text: gapReason(g.reason) }),
      ));
    }
    return h('section.card', {}, h('h3', { text: `${s('gaps')} (${gaps.length})` }), gaps.length ? list : h('p.empty', { text: s('noGaps') }));
  }

  #bookmarksCard(): HTMLElement {
    const note = h('input', { name: 'note', id: 'bookmark-note', placeholder: s('bookmarkNote'), maxlength: 1000, required: true, autocomplete: 'off' });
    const form = h('form.bm-form', {}, note, h('button.btn.small.primary', { type: 'submit', id: 'bookmark-add', text: s('save') }));
    const at = h('span.mono.bm-at');
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = note.value.trim();
      if (!text) return;
      const offset = Math.round(this.#player.clock.position * 10) / 10;
      this.client.addBookmark(this.detail.manifest.sessionId, offset, text).then(({ bookmark }) => {
        this.#bookmarks.push(bookmark);
        this.#bookmarks.sort((a, b) => a.offsetSeconds - b.offsetSeconds);
        note.value = '';
        this.#renderBookmarks();
        this.#renderMarkers();
      }, this.opts.onError);
    });
    this.#player.onTick((t) => (at.textContent = `@ ${clock(t)}`));
    return h('section.card', {}, h('div.card-head', {}, h('h3', { text: s('bookmarks') }), at), this.#bmList, h('label.sr', { text: s('addBookmark') }), form);
  }

  #renderBookmarks(): void {
    if (this.#bookmarks.length === 0) {
      this.#bmList.replaceChildren(h('li.empty', { text: s('noBookmarks') }));
      return;
    }
    this.#bmList.replaceChildren(
      ...this.#bookmarks.map((b) =>
        h('li', { onclick: () => this.#player.seek(b.offsetSeconds), title: `${b.authorName ?? b.authorSub} · ${dateTime(b.createdAt)}` },
          h('span.mono.bm-time', { text: clock(b.offsetSeconds) }),
          h('span.bm-note', { text: b.note }),
          h('small', { text: b.authorName ?? b.authorSub }),
        ),
      ),
    );
  }

  #actionsCard(): HTMLElement {
    const sessionId = this.detail.manifest.sessionId;
    // Verify
    const verifyOut = h('div.verify-result', { id: 'verify-result', 'aria-live': 'polite' });
    const verifyBtn = h('button.btn', { type: 'button', id: 'verify' }, icon('verify', s('verify')));
    verifyBtn.addEventListener('click', () => {
      verifyBtn.disabled = true;
      verifyOut.dataset.state = 'running';
      verifyOut.textContent = s('verifying');
      this.client.verify(sessionId).then(
        (r) => {
          verifyOut.dataset.state = r.ok ? 'ok' : 'fail';
          verifyOut.replaceChildren(
            h('strong', {}, icon(r.ok ? 'check' : 'cross', r.ok ? s('verifyOk', { n: r.segmentsChecked }) : s('verifyFail', { n: r.problems.length }))),
            ...(r.problems.length ? [h('ul', {}, ...r.problems.map((p) => h('li', { 'data-severity': p.severity, 'data-kind': p.kind }, h('strong', { text: p.kind }), ` ${p.message}`)))] : []),
          );
        },
        (err) => {
          verifyOut.dataset.state = 'fail';
          verifyOut.textContent = '';
          this.opts.onError(err);
        },
      ).finally(() => (verifyBtn.disabled = false));
    });

    // Export
    const bar = h('div.progress-bar');
    const progress = h('div.progress', { id: 'export-progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0, hidden: true }, bar, h('span.progress-label'));
    const exportInfo = h('div.export-info', { id: 'export-info' });
    const exportBtn = h('button.btn.primary', { type: 'button', id: 'export' }, icon('package', s('exportPkg')));
    const downloadBtn = h('button.btn.ok', { type: 'button', id: 'download', hidden: true }, icon('download', s('download')));
    exportBtn.addEventListener('click', () => {
      exportBtn.disabled = true;
      downloadBtn.hidden = true;
      progress.hidden = false;
      this.#setProgress(progress, 0, s('exporting'));
      exportInfo.textContent = '';
      this.client.startExport(sessionId).then(({ job }) => this.#pollExport(job, progress, exportInfo, exportBtn, downloadBtn), (err) => {
        exportBtn.disabled = false;
        progress.hidden = true;
        this.opts.onError(err);
      });
    });

    return h('section.card.actions', {},
      h('h3', { text: s('evidence') }),
      h('div.action-row', {}, verifyBtn),
      verifyOut,
      this.#holdBox,
      h('div.action-row', {}, exportBtn, downloadBtn),
      progress,
      exportInfo,
      h('p.hint', { text: s('exportHint') }),
    );
  }

  #setProgress(el: HTMLElement, fraction: number, label: string): void {
    const pct = Math.round(fraction * 100);
    (el.querySelector('.progress-bar') as HTMLElement).style.width = `${pct}%`;
    (el.querySelector('.progress-label') as HTMLElement).textContent = `${label} ${pct}%`;
    el.setAttribute('aria-valuenow', String(pct));
    el.dataset.pct = String(pct);
  }

  #pollExport(job: PublicJob, progress: HTMLElement, info: HTMLElement, exportBtn: HTMLButtonElement, downloadBtn: HTMLButtonElement): void {
    if (this.#disposed) return;
    if (job.state === 'failed') {
      this.#setProgress(progress, job.progress, s('exportFailed'));
      progress.dataset.state = 'failed';
      info.textContent = job.error ?? '';
      exportBtn.disabled = false;
      return;
    }
    if (job.state === 'done') {
      this.#setProgress(progress, 1, s('exportDone'));
      progress.dataset.state = 'done';
      info.replaceChildren(
        h('div', {}, h('span', { text: `${bytes(job.bytes ?? 0)} · ` }), h('span.mono', { text: job.packageId })),
        h('div.mono.hash', { text: `SHA-256 ${job.sha256 ?? ''}`, title: job.sha256 ?? '' }),
      );
      exportBtn.disabled = false;
      downloadBtn.hidden = false;
      downloadBtn.onclick = () => void this.#download(job, downloadBtn);
      return;
    }
    this.#setProgress(progress, job.progress, s('exporting'));
    this.#pollTimer = setTimeout(() => {
      this.client.exportJob(job.jobId).then(({ job: next }) => this.#pollExport(next, progress, info, exportBtn, downloadBtn), (err) => {
        exportBtn.disabled = false;
        this.opts.onError(err);
      });
    }, 400);
  }

  async #download(job: PublicJob, btn: HTMLButtonElement): Promise<void> {
    btn.disabled = true;
    btn.replaceChildren(icon('download', s('downloading')));
    try {
      // Streamed to disk by the browser, not held in memory: packages of long sessions are large.
      const { url } = await this.client.downloadLink(job.jobId);
      const a = h('a', { href: url, download: `${job.sessionId}-${job.packageId}.tar` });
      document.body.append(a);
      a.click();
      a.remove();
    } catch (err) {
      this.opts.onError(err);
    } finally {
      btn.disabled = false;
      btn.replaceChildren(icon('download', s('download')));
    }
  }

  #renderHold(): void {
    const row = this.#session;
    const sessionId = this.detail.manifest.sessionId;
    const held = row?.legalHold === true;
    const status = h('div.hold-status', { 'data-held': String(held) }, h('strong', { text: held ? s('underHold', { reason: row?.legalHoldReason ?? '' }) : s('notHeld') }));
    const reason = h('input', { id: 'hold-reason', placeholder: s('holdReason'), maxlength: 500, required: true, autocomplete: 'off' });
    const btn = h(held ? 'button.btn' : 'button.btn.warn', { type: 'submit', id: 'hold-toggle', text: held ? s('releaseHold') : s('placeHold') });
    const form = h('form.hold-form', {}, reason, btn);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const r = reason.value.trim();
      if (!r) return reason.focus();
      btn.disabled = true;
      (held ? this.client.releaseHold(sessionId, r) : this.client.placeHold(sessionId, r)).then(({ session }) => {
        this.#session = session;
        this.#renderHold();
        document.getElementById('hold-badge')?.toggleAttribute('hidden', !session.legalHold);
      }, (err) => {
        btn.disabled = false;
        this.opts.onError(err);
      });
    });
    this.#holdBox.replaceChildren(h('h4', { text: s('legalHold') }), status, form);
  }
}
