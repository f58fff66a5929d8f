// One recorded session: synchronized players, scrubber with case events, gaps and bookmarks,
// per-track coverage, and the archivist's actions (bookmark, verify, legal hold, export). The
// players own their media elements (player.ts); this element renders everything else from
// session-view-model.ts on every tick of the shared clock.
import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { viewContext } from '../lib/i18n.ts';
import { LightElement, define } from '../lib/page.ts';
import '../widgets/timeline.ts';
import type { TimelineEntry } from '../widgets/timeline.ts';
import type { ArchiveClient, PublicJob, SessionDetail } from './client.ts';
import { icon } from './icons.ts';
import { SegmentCache, SessionPlayer, TrackPlayer } from './player.ts';
import { recordedTracks, sessionModel, sessionSpan, type SessionModel, type SessionState } from './session-view-model.ts';

export class ArchiveSession extends LightElement {
  static override properties = { s: { state: true } };
  declare s: SessionState;

  #client: ArchiveClient;
  readonly #player: SessionPlayer;
  readonly #cache: SegmentCache;
  readonly #duration: number;
  readonly #trackPlayers = new Map<string, TrackPlayer>();
  #pollTimer: ReturnType<typeof setTimeout> | undefined;
  #disposed = false;
  /** The scrubber is being dragged. */
  dragging = false;
  /** The recorder's own events are listed too. */
  showTech = false;
  #unlocked = false;

  constructor(
    client: ArchiveClient,
    detail: SessionDetail,
    private readonly onError: (err: unknown) => void,
    private readonly onBack: () => void,
  ) {
    super();
    this.#client = client;
    this.#duration = sessionSpan(detail, Date.now()).duration;
    this.#player = new SessionPlayer(this.#duration);
    const inUse = () => new Set(this.#player.players.flatMap((p) => p.elements.map((e) => e.src)));
    this.#cache = new SegmentCache(client, inUse);
    this.#cache.onIntegrity = (id, result) => this.#set({ integrity: { ...this.s.integrity, [id]: result } });
    this.s = {
      detail,
      session: detail.session,
      bookmarks: [...detail.bookmarks],
      position: 0,
      playing: false,
      held: false,
      players: [],
      integrity: {},
      muted: {},
      bookmarkNote: '',
      holdReason: '',
      holdBusy: false,
      verify: { phase: 'idle' },
      export: { phase: 'idle' },
      exportComposite: false,
      composite: { phase: 'idle' },
      audit: { scope: 'session', trail: null, loading: false },
      transcripts: null,
    };
  }

  #set(patch: Partial<SessionState>): void {
    this.s = { ...this.s, ...patch };
  }

  protected override render(): unknown {
    return sessionTemplate(sessionModel(this.s, viewContext()), this);
  }

  /** The players' media elements go into the tiles the first render made. */
  protected override firstUpdated(): void {
    for (const r of recordedTracks(this.s.detail)) {
      const media = (key: string) => this.querySelector<HTMLElement>(`.tile-media[data-tile="${CSS.escape(key)}"]`)!;
      const audioHost = media(r.video.length ? r.video[0]!.trackId : `${r.participantId}/audio`);
      const add = (track: (typeof r.video)[number], host: HTMLElement, make: () => HTMLMediaElement) => {
        const p = new TrackPlayer(track, this.#cache, () => {
          const el = make();
          host.append(el);
          return el;
        }, () => this.requestUpdate());
        this.#player.add(p);
        this.#trackPlayers.set(track.trackId, p);
      };
      for (const v of r.video) {
        add(v, media(v.trackId), () => {
          const el = document.createElement('video');
          el.playsInline = true;
          // Video elements carry no sound: audio tracks have their own players.
          el.muted = true;
          return el;
        });
      }
      for (const a of r.audio) add(a, audioHost, () => document.createElement('audio'));
    }
    this.#player.onTick((t) => this.#onTick(t));
    // For tests and for support staff: where every player is right now.
    (window as unknown as { archivePlayer: unknown }).archivePlayer = {
      clock: () => this.#player.clock.position,
      duration: () => this.#duration,
      seek: (t: number) => this.seek(t),
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
    this.#player.start();
    document.addEventListener('keydown', this.#onKey);
    void this.loadAudit();
    this.#client.transcripts(this.s.detail.manifest.sessionId).then(
      (r) => this.#set({ transcripts: { engine: r.engine, queued: r.queued, items: r.transcripts } }),
      (err: unknown) => this.onError(err),
    );
  }

  #onTick(t: number): void {
    const c = this.#player.clock;
    this.#set({
      position: t,
      playing: c.playing,
      held: c.held,
      players: this.#player.players.map((p) => ({ trackId: p.track.trackId, state: p.state, error: p.activeError, position: p.timelinePosition })),
    });
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    document.removeEventListener('keydown', this.#onKey);
    this.#player.dispose();
    this.#cache.dispose();
    clearTimeout(this.#pollTimer);
    for (const el of this.querySelectorAll('video,audio')) (el as HTMLMediaElement).removeAttribute('src');
    if (this.s.composite.phase === 'ready') URL.revokeObjectURL(this.s.composite.url);
  }

  /** Space or K plays/pauses, J/L jump 5 s, unless the archivist is typing. */
  readonly #onKey = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement;
    if (target.closest('input, textarea, select, button, [role="slider"]')) return;
    const t = this.#player.clock.position;
    if (e.key === ' ' || e.key === 'k') this.toggle();
    else if (e.key === 'j') this.seek(t - 5);
    else if (e.key === 'l') this.seek(t + 5);
    else return;
    e.preventDefault();
  };

  // ---- actions (the template's) ------------------------------------------------------------

  back(): void {
    this.onBack();
  }

  seek(t: number): void {
    this.#player.seek(t);
  }

  skip(d: number): void {
    this.#player.seek(this.#player.clock.position + d);
  }

  setRate(r: number): void {
    this.#player.setRate(r);
  }

  toggle(): void {
    if (this.#player.clock.playing) return this.#player.pause();
    this.#unlockMedia();
    this.#player.play();
  }

  /** Some browsers let an element play with sound only if play() was first called in a gesture. */
  #unlockMedia(): void {
    if (this.#unlocked) return;
    this.#unlocked = true;
    for (const p of this.#player.players) {
      for (const el of p.elements) if (el.getAttribute('src') && el === p.activeElement) el.play().catch(() => undefined);
    }
  }

  /** A seek at the pointer on a bar spanning the whole session. */
  seekAt(e: MouseEvent, bar: HTMLElement): void {
    const r = bar.getBoundingClientRect();
    this.seek(((e.clientX - r.left) / r.width) * this.#duration);
  }

  scrubKey(e: KeyboardEvent): void {
    const t = this.#player.clock.position;
    if (e.key === 'ArrowLeft') this.seek(t - 5);
    else if (e.key === 'ArrowRight') this.seek(t + 5);
    else if (e.key === 'Home') this.seek(0);
    else if (e.key === 'End') this.seek(this.#duration);
    else if (e.key === ' ') this.toggle();
    else return;
    e.preventDefault();
  }

  setShowTech(on: boolean): void {
    this.showTech = on;
    this.requestUpdate();
  }

  toggleMute(participantId: string): void {
    const muted = !this.s.muted[participantId];
    const r = recordedTracks(this.s.detail).find((x) => x.participantId === participantId);
    for (const a of r?.audio ?? []) {
      const p = this.#trackPlayers.get(a.trackId);
      if (p) p.muted = muted;
    }
    this.#set({ muted: { ...this.s.muted, [participantId]: muted } });
  }

  setNote(v: string): void {
    this.#set({ bookmarkNote: v });
  }

  setHoldReason(v: string): void {
    this.#set({ holdReason: v });
  }

  addBookmark(): void {
    const text = this.s.bookmarkNote.trim();
    if (!text) return;
    const offset = Math.round(this.#player.clock.position * 10) / 10;
    this.#client.addBookmark(this.s.detail.manifest.sessionId, offset, text).then(({ bookmark }) => {
      this.#set({ bookmarks: [...this.s.bookmarks, bookmark].sort((a, b) => a.offsetSeconds - b.offsetSeconds), bookmarkNote: '' });
    }, this.onError);
  }

  verify(): void {
    this.#set({ verify: { phase: 'running' } });
    this.#client.verify(this.s.detail.manifest.sessionId).then(
      (result) => this.#set({ verify: { phase: 'done', result } }),
      (err: unknown) => {
        this.#set({ verify: { phase: 'failed' } });
        this.onError(err);
      },
    );
  }

  toggleHold(): void {
    const reason = this.s.holdReason.trim();
    if (!reason) return this.querySelector<HTMLInputElement>('#hold-reason')?.focus();
    const id = this.s.detail.manifest.sessionId;
    this.#set({ holdBusy: true });
    (this.s.session?.legalHold ? this.#client.releaseHold(id, reason) : this.#client.placeHold(id, reason)).then(
      ({ session }) => this.#set({ session, holdBusy: false }),
      (err: unknown) => {
        this.#set({ holdBusy: false });
        this.onError(err);
      },
    );
  }

  /** The audit trail of this recording, or of every recording of its case. */
  async loadAudit(scope: 'session' | 'case' = this.s.audit.scope): Promise<void> {
    this.#set({ audit: { ...this.s.audit, scope, loading: true } });
    const m = this.s.detail.manifest;
    try {
      const trail = scope === 'case' && m.caseInfo.caseNumber ? await this.#client.caseAudit(m.caseInfo.caseNumber) : await this.#client.sessionAudit(m.sessionId);
      if (!this.#disposed) this.#set({ audit: { scope, trail, loading: false } });
    } catch (err) {
      this.#set({ audit: { ...this.s.audit, loading: false } });
      this.onError(err);
    }
  }

  setExportComposite(on: boolean): void {
    this.#set({ exportComposite: on });
  }

  cancelExport(): void {
    const ex = this.s.export;
    if (ex.phase !== 'running' || !ex.job) return;
    this.#client.cancelExport(ex.job.jobId).then(({ job }) => {
      clearTimeout(this.#pollTimer);
      this.#set({ export: { phase: 'cancelled', job, downloading: false } });
      void this.loadAudit();
    }, this.onError);
  }

  /** Fetched with the token (a <video src> cannot carry it) and played from memory. */
  async playComposite(): Promise<void> {
    const ex = this.s.export;
    if (ex.phase !== 'done' || !ex.job || this.s.composite.phase !== 'idle') return;
    this.#set({ composite: { phase: 'loading' } });
    try {
      const blob = await this.#client.composite(ex.job.jobId);
      this.#set({ composite: { phase: 'ready', url: URL.createObjectURL(blob) } });
      void this.loadAudit();
    } catch (err) {
      this.#set({ composite: { phase: 'idle' } });
      this.onError(err);
    }
  }

  startExport(): void {
    if (this.s.composite.phase === 'ready') URL.revokeObjectURL(this.s.composite.url);
    this.#set({ export: { phase: 'running', job: null, downloading: false }, composite: { phase: 'idle' } });
    this.#client.startExport(this.s.detail.manifest.sessionId, this.s.exportComposite).then(
      ({ job }) => this.#pollExport(job),
      (err: unknown) => {
        this.#set({ export: { phase: 'idle' } });
        this.onError(err);
      },
    );
  }

  #pollExport(job: PublicJob): void {
    if (this.#disposed) return;
    if (job.state !== 'running') {
      this.#set({ export: { phase: job.state, job, downloading: false } });
      return void this.loadAudit();
    }
    this.#set({ export: { phase: 'running', job, downloading: false } });
    this.#pollTimer = setTimeout(() => {
      this.#client.exportJob(job.jobId).then(
        ({ job: next }) => this.#pollExport(next),
        (err: unknown) => {
          this.#set({ export: { phase: 'failed', job, downloading: false } });
          this.onError(err);
        },
      );
    }, 400);
  }

  async download(): Promise<void> {
    const ex = this.s.export;
    if (ex.phase !== 'done' || !ex.job) return;
    const job = ex.job;
    this.#set({ export: { ...ex, downloading: true } });
    try {
      // Streamed to disk by the browser, not held in memory: packages of long sessions are large.
      const { url } = await this.#client.downloadLink(job.jobId);
      const a = document.createElement('a');
      a.href = url;
      a.download = `${job.sessionId}-${job.packageId}.tar`;
      document.body.append(a);
      a.click();
      a.remove();
    } catch (err) {
      this.onError(err);
    } finally {
      this.#set({ export: { ...ex, downloading: false } });
    }
  }
}

define('archive-session', ArchiveSession);

// ---- the template ------------------------------------------------------------------------------

const span = (g: { left: number; width: number }) => `left:${g.left}%;width:max(3px, ${g.width}%)`;

function sessionTemplate(m: SessionModel, a: ArchiveSession): TemplateResult {
  return html`<div class="session" id="session" data-session=${m.sessionId}>
    ${head(m, a)}
    <div class="session-grid">
      <div class="player-col">
        <div class="stage" id="stage" data-count=${m.tiles.length}>${repeat(m.tiles, (t) => t.key, (t) => tile(t, a))}</div>
        <div class="card controls">
          <div class="integrity-alert" id="integrity-alert" role="alert" ?hidden=${m.integrityAlerts.length === 0}>
            ${m.integrityAlerts.map((x) => html`<div data-integrity=${x.integrity} data-seg=${x.segmentId}>${icon('cross', x.text)}</div>`)}
          </div>
          ${transport(m, a)}
          <div class="scrub-row">${scrubber(m, a)}</div>
          <div class="legend">
            <span class="lg lg-case">${m.legend.case}</span><span class="lg lg-people">${m.legend.people}</span><span class="lg lg-gap">${m.legend.gaps}</span><span class="lg lg-bm">${m.legend.bookmarks}</span>
          </div>
        </div>
        ${transcript(m, a)}
        <section class="card">
          <h3>${m.lanesTitle}</h3>
          <div class="lanes" id="lanes">
            ${m.lanes.map(
              (l) => html`<div class="lane" data-kind=${l.kind}>
                <div class="lane-label"><span class="lane-kind" data-kind=${l.kind}>${l.kindLabel}</span><span>${l.name}</span><small class="mono">${l.codec}</small></div>
                <div class="lane-bar" @click=${(e: MouseEvent) => a.seekAt(e, e.currentTarget as HTMLElement)}>
                  ${l.segments.map(
                    (s) => html`<div class="lane-seg" data-seg=${s.id} style=${span(s)} data-truncated=${s.truncated ? 'true' : nothing} data-integrity=${s.integrity ?? nothing} title=${s.title}></div>`,
                  )}
                  ${l.gaps.map((g) => html`<div class="lane-gap" style=${span(g)} title=${g.title}></div>`)}
                </div>
              </div>`,
            )}
            <div class="lanes-playhead" style="left:calc(var(--lane-label) + (100% - var(--lane-label)) * ${m.scrubber.percent / 100})"></div>
          </div>
        </section>
        <section class="card">
          <h3>${m.gaps.title}</h3>
          ${m.gaps.empty
            ? html`<p class="empty">${m.gaps.empty}</p>`
            : html`<ul class="gap-list" id="gaps">
                ${m.gaps.items.map((g) => html`<li @click=${() => a.seek(g.at)}><span class="mono">${g.range}</span><span>${g.who}</span><span class="gap-reason">${g.reason}</span></li>`)}
              </ul>`}
        </section>
      </div>
      <aside class="side-col">${evidence(m, a)} ${timeline(m, a)} ${bookmarks(m, a)}</aside>
    </div>
    ${auditCard(m, a)}
  </div>`;
}

function transcript(m: SessionModel, a: ArchiveSession): TemplateResult {
  const x = m.transcript;
  return html`<section class="card transcript" id="transcript">
    <div class="card-head"><h3>${x.title}</h3>${x.note ? html`<span class="muted transcript-note">${x.note}</span>` : nothing}</div>
    ${x.lines.length
      ? html`<ol class="transcript-lines">
          ${repeat(
            x.lines,
            (l) => l.key,
            (l) => html`<li data-start=${l.start} data-active=${l.active ? 'true' : nothing} @click=${() => a.seek(l.start)}><span class="mono">${l.time}</span><strong>${l.who}</strong><span>${l.text}</span></li>`,
          )}
        </ol>`
      : nothing}
  </section>`;
}

function auditCard(m: SessionModel, a: ArchiveSession): TemplateResult {
  return html`<section class="card audit" id="audit">${auditTable(m.audit, (scope) => void a.loadAudit(scope), () => void a.loadAudit())}</section>`;
}

/** The audit trail table with its chain line (the session screen's and the auditor's search). */
export function auditTable(x: SessionModel['audit'], onScope: (scope: 'session' | 'case') => void, onRefresh: () => void): TemplateResult {
  return html`<div class="card-head">
      <h3>${x.title}</h3>
      <div class="audit-scopes">
        ${x.scopes.map((sc) => html`<button type="button" class="btn small" data-scope=${sc.key} aria-pressed=${String(sc.active)} @click=${() => onScope(sc.key)}>${sc.label}</button>`)}
        <button type="button" class="btn small" id="audit-refresh" ?disabled=${x.loading} @click=${onRefresh}>${x.refresh}</button>
      </div>
      <span class="count">${x.count}</span>
    </div>
    ${x.chain
      ? html`<p class="audit-chain" id="audit-chain" data-ok=${String(x.chain.ok)}>${icon(x.chain.ok ? 'check' : 'cross', x.chain.text)}<br /><small>${x.chain.checkpoint}</small></p>`
      : nothing}
    ${x.empty
      ? html`<p class="empty">${x.empty}</p>`
      : html`<div class="table-wrap">
          <table class="audit-table" id="audit-entries">
            <thead>
              <tr>
                ${x.headers.map((h) => html`<th>${h}</th>`)}
              </tr>
            </thead>
            <tbody>
              ${repeat(
                x.rows,
                (r) => r.seq,
                (r) => html`<tr data-seq=${r.seq} data-type=${r.type}>
                  <td class="mono">${r.when}</td>
                  <td><strong>${r.who}</strong>${r.role ? html`<div class="sub">${r.role}</div>` : nothing}</td>
                  <td>${r.action}</td>
                  <td class="mono">${r.from}</td>
                  <td class="audit-detail">${r.detail}</td>
                </tr>`,
              )}
            </tbody>
          </table>
        </div>`}`;
}

function head(m: SessionModel, a: ArchiveSession): TemplateResult {
  const h = m.head;
  return html`<section class="card session-head">
    <div class="session-title">
      <button type="button" class="btn small back" id="back" @click=${() => a.back()}>${icon('back', h.back)}</button>
      <h2><span class="case-no mono" id="case-number">${h.caseNumber}</span></h2>
      <span class="badge" data-status=${h.status.attr}>${h.status.label}</span>
      <span class="badge kind">${h.kind}</span>
      <span class="badge hold" id="hold-badge" ?hidden=${!h.held}>${h.heldLabel}</span>
      <span class="audit-note">${icon('lock', h.auditNote)}</span>
    </div>
    ${h.liveNote ? html`<p class="live-note">${h.liveNote}</p>` : nothing}
    <dl class="meta">
      ${h.meta.map((x) => html`<div><dt>${x.term}</dt><dd>${x.mono ? html`<span class="mono ${x.hash ? 'hash' : ''}" title=${x.hash ? x.value : nothing}>${x.value}</span>` : x.value}</dd></div>`)}
    </dl>
  </section>`;
}

function tile(t: SessionModel['tiles'][number], a: ArchiveSession): TemplateResult {
  return html`<figure class="atile" data-participant=${t.participantId} data-lane=${t.lane}>
    <div class="tile-media" data-tile=${t.key}>${t.trackId ? nothing : html`<span class="tile-mic">${icon('mic')}</span>`}</div>
    <div class="tile-status" ?hidden=${t.status.text === ''} data-state=${t.status.state}>${t.status.text}</div>
    <div class="tile-stamp mono">${t.stamp}</div>
    <figcaption><strong>${t.name}</strong><span>${t.role}</span>${t.laneLabel ? html`<span class="lane">${t.laneLabel}</span>` : nothing}</figcaption>
    ${t.mute
      ? html`<button type="button" class="tile-mute" title=${t.mute.label} aria-label=${t.mute.label} aria-pressed=${String(t.mute.pressed)} @click=${() => a.toggleMute(t.participantId)}>
          ${icon(t.mute.pressed ? 'muted' : 'volume')}
        </button>`
      : nothing}
  </figure>`;
}

function transport(m: SessionModel, a: ArchiveSession): TemplateResult {
  const x = m.transport;
  const skip = (d: number, label: string) =>
    html`<button type="button" class="btn small skip" title=${label} aria-label=${label} @click=${() => a.skip(d)}>${d < 0 ? `−${-d}s` : `+${d}s`}</button>`;
  return html`<div class="transport">
    ${skip(-10, x.back)}
    <button type="button" class="btn primary play" id="play" aria-label=${x.playLabel} data-state=${x.playing ? 'playing' : 'paused'} @click=${() => a.toggle()}>${icon(x.playing ? 'pause' : 'play')}</button>
    ${skip(10, x.forward)}
    <span class="time mono" id="time">${x.time}</span>
    <span class="wall mono" id="wall">${x.wall}</span>
    <span class="buffering" ?hidden=${!x.buffering}>${x.buffering ?? ''}</span>
    <span class="spacer"></span>
    <label class="speed-label"
      ><span>${x.speed}</span
      ><select class="speed" aria-label=${x.speed} @change=${(e: Event) => a.setRate(Number((e.target as HTMLSelectElement).value))}>
        ${[0.5, 1, 1.5, 2].map((r) => html`<option value=${r} ?selected=${r === 1}>${r}×</option>`)}
      </select></label
    >
  </div>`;
}

function scrubber(m: SessionModel, a: ArchiveSession): TemplateResult {
  const s = m.scrubber;
  return html`<div
    class="scrub"
    id="scrubber"
    role="slider"
    tabindex="0"
    aria-label=${s.label}
    aria-valuemin="0"
    aria-valuemax=${s.max}
    aria-valuenow=${s.now}
    aria-valuetext=${s.valueText}
    @pointerdown=${(e: PointerEvent) => {
      if ((e.target as HTMLElement).closest('.scrub-mark')) return;
      const el = e.currentTarget as HTMLElement;
      a.dragging = true;
      el.setPointerCapture(e.pointerId);
      a.seekAt(e, el);
    }}
    @pointermove=${(e: PointerEvent) => a.dragging && a.seekAt(e, e.currentTarget as HTMLElement)}
    @pointerup=${() => (a.dragging = false)}
    @keydown=${(e: KeyboardEvent) => a.scrubKey(e)}
  >
    <div class="scrub-rail"></div>
    <div class="scrub-gaps">${s.gaps.map((g) => html`<div class="scrub-gap" style=${span(g)} title=${g.title}></div>`)}</div>
    <div class="scrub-fill" style="width:${s.percent}%"></div>
    <div class="scrub-marks">
      ${s.marks.map((k) => html`<button type="button" class="scrub-mark" data-kind=${k.kind} style="left:${k.left}%" title=${k.label} aria-label=${k.label} @click=${() => a.seek(k.at)}></button>`)}
    </div>
    <div class="scrub-head" style="left:${s.percent}%"></div>
  </div>`;
}

function timeline(m: SessionModel, a: ArchiveSession): TemplateResult {
  return html`<section class="card">
    <div class="card-head">
      <h3>${m.timeline.title}</h3>
      <label class="tech-toggle"
        ><input type="checkbox" id="tech-events" .checked=${a.showTech} @change=${(e: Event) => a.setShowTech((e.target as HTMLInputElement).checked)} /><span
          >${m.timeline.techLabel}</span
        ></label
      >
    </div>
    <ui-timeline id="case-timeline" list-class=${a.showTech ? 'events show-tech' : 'events'} selectable .entries=${m.timeline.entries} .position=${a.s.position} @pick=${(e: CustomEvent<TimelineEntry>) => a.seek(e.detail.offset ?? 0)}></ui-timeline>
  </section>`;
}

function bookmarks(m: SessionModel, a: ArchiveSession): TemplateResult {
  const b = m.bookmarks;
  return html`<section class="card">
    <div class="card-head"><h3>${b.title}</h3><span class="mono bm-at">${b.at}</span></div>
    <ol class="bm-list" id="bookmarks">
      ${b.empty
        ? html`<li class="empty">${b.empty}</li>`
        : b.items.map((x) => html`<li title=${x.hint} @click=${() => a.seek(x.offset)}><span class="mono bm-time">${x.time}</span><span class="bm-note">${x.note}</span><small>${x.author}</small></li>`)}
    </ol>
    <label class="sr">${b.addLabel}</label>
    <form
      class="bm-form"
      @submit=${(e: Event) => {
        e.preventDefault();
        a.addBookmark();
      }}
    >
      <input name="note" id="bookmark-note" placeholder=${b.placeholder} maxlength="1000" required autocomplete="off" .value=${b.note} @input=${(e: Event) => a.setNote((e.target as HTMLInputElement).value)} />
      <button type="submit" class="btn small primary" id="bookmark-add">${b.save}</button>
    </form>
  </section>`;
}

function evidence(m: SessionModel, a: ArchiveSession): TemplateResult {
  const e = m.evidence;
  const v = e.verify;
  const h = e.hold;
  const x = e.export;
  return html`<section class="card actions">
    <h3>${e.title}</h3>
    <div class="action-row"><button type="button" class="btn" id="verify" ?disabled=${v.busy} @click=${() => a.verify()}>${icon('verify', v.label)}</button></div>
    <div class="verify-result" id="verify-result" aria-live="polite" data-state=${v.state ?? nothing}>
      ${v.state === 'running'
        ? v.text
        : v.text
          ? html`<strong>${icon(v.ok ? 'check' : 'cross', v.text)}</strong>
              ${v.problems.length ? html`<ul>${v.problems.map((p) => html`<li data-severity=${p.severity} data-kind=${p.kind}><strong>${p.kind}</strong> ${p.message}</li>`)}</ul>` : nothing}`
          : nothing}
    </div>
    <div class="hold" id="legal-hold">
      <h4>${h.title}</h4>
      <div class="hold-status" data-held=${String(h.held)}><strong>${h.status}</strong></div>
      <form
        class="hold-form"
        @submit=${(ev: Event) => {
          ev.preventDefault();
          a.toggleHold();
        }}
      >
        <input id="hold-reason" placeholder=${h.placeholder} maxlength="500" required autocomplete="off" .value=${h.reason} @input=${(ev: Event) => a.setHoldReason((ev.target as HTMLInputElement).value)} />
        <button type="submit" class=${h.held ? 'btn' : 'btn warn'} id="hold-toggle" ?disabled=${h.busy}>${h.button}</button>
      </form>
    </div>
    <label class="export-composite"
      ><input type="checkbox" id="export-composite" .checked=${x.composite.checked} ?disabled=${x.busy} @change=${(ev: Event) => a.setExportComposite((ev.target as HTMLInputElement).checked)} /><span>${x.composite.label}</span></label
    >
    <div class="action-row">
      <button type="button" class="btn primary" id="export" ?disabled=${x.busy} @click=${() => a.startExport()}>${icon('package', x.label)}</button>
      <button type="button" class="btn" id="export-cancel" ?hidden=${!x.cancel.shown} @click=${() => a.cancelExport()}>${x.cancel.label}</button>
      <button type="button" class="btn ok" id="download" ?hidden=${!x.download.shown} ?disabled=${x.download.busy} @click=${() => void a.download()}>${icon('download', x.download.label)}</button>
      <button type="button" class="btn" id="composite-play" ?hidden=${!x.play.shown} ?disabled=${x.play.busy} @click=${() => void a.playComposite()}>${icon('play', x.play.label)}</button>
    </div>
    <div
      class="progress"
      id="export-progress"
      role="progressbar"
      aria-valuemin="0"
      aria-valuemax="100"
      aria-valuenow=${x.progress.percent}
      data-pct=${x.progress.percent}
      data-state=${x.progress.state ?? nothing}
      data-phase=${x.progress.phase ?? nothing}
      ?hidden=${!x.progress.shown}
    >
      <div class="progress-bar" style="width:${x.progress.percent}%"></div>
      <span class="progress-label">${x.progress.label}</span>
    </div>
    <div class="export-info" id="export-info">
      ${x.info && 'error' in x.info
        ? x.info.error
        : x.info
          ? html`<div><span>${x.info.size}</span><span class="mono">${x.info.packageId}</span></div>
              <div class="mono hash" title=${x.info.sha256}>SHA-256 ${x.info.sha256}</div>
              ${x.info.compositeSha256 ? html`<div class="mono hash" id="composite-hash" title=${x.info.compositeSha256}>${e.compositeHashLabel} ${x.info.compositeSha256}</div>` : nothing}`
          : nothing}
    </div>
    ${x.play.url ? html`<video class="composite-video" id="composite-video" controls playsinline src=${x.play.url}></video>` : nothing}
    <p class="hint">${e.hint}</p>
  </section>`;
}
