// The one timeline: a case's or a recording's events in order, each with its time, what
// happened, who did it and a detail. `position` marks the entries up to a playback position as
// past; `selectable` makes entries clickable (a `pick` event carries the entry).
import { html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { LightElement, define } from '../lib/page.ts';

export interface TimelineEntry {
  key: string;
  /** The event's type, as `data-event` (tests and styles select on it). */
  type: string;
  /** A coarser group for styling and filtering, as `data-cat`. */
  category?: string;
  /** ISO time, for `<time datetime>`. */
  at: string;
  /** The time as shown. */
  time: string;
  title: string;
  actor?: string;
  detail?: string;
  /** Shown at the end of the line (e.g. the wall-clock time next to a playback offset). */
  trail?: string;
  /** Tooltip. */
  hint?: string;
  /** Playback offset in seconds, for `position`. */
  offset?: number;
}

export class UiTimeline extends LightElement {
  static override properties = {
    entries: { attribute: false },
    position: { attribute: false },
    selectable: { type: Boolean },
    listClass: { attribute: 'list-class' },
  };
  declare entries: TimelineEntry[];
  declare position: number | undefined;
  declare selectable: boolean;
  declare listClass: string;

  constructor() {
    super();
    this.entries = [];
    this.selectable = false;
    this.listClass = '';
  }

  #pick(e: TimelineEntry): void {
    if (this.selectable) this.dispatchEvent(new CustomEvent<TimelineEntry>('pick', { detail: e, bubbles: true }));
  }

  protected override render(): unknown {
    const pos = this.position;
    return html`<ol class="timeline ${this.listClass}">
      ${repeat(
        this.entries,
        (e) => e.key,
        (e) => html`<li
          data-event=${e.type}
          data-cat=${e.category ?? nothing}
          class=${pos !== undefined && e.offset !== undefined && e.offset <= pos ? 'past' : ''}
          title=${e.hint ?? nothing}
          tabindex=${this.selectable ? 0 : nothing}
          @click=${() => this.#pick(e)}
          @keydown=${(ev: KeyboardEvent) => ev.key === 'Enter' && this.#pick(e)}
        >
          <time class="tl-time" datetime=${e.at}>${e.time}</time>
          <span class="tl-dot" aria-hidden="true"></span>
          <span class="tl-body"
            ><b class="tl-title">${e.title}</b>${e.actor ? html` <span class="tl-actor">${e.actor}</span>` : nothing}${e.detail
              ? html` <span class="tl-detail">${e.detail}</span>`
              : nothing}</span
          >
          ${e.trail ? html`<span class="tl-trail">${e.trail}</span>` : nothing}
        </li>`,
      )}
    </ol>`;
  }
}

define('ui-timeline', UiTimeline);

declare global {
  interface HTMLElementTagNameMap {
    'ui-timeline': UiTimeline;
  }
}
