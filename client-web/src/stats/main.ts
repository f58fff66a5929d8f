// Statistics of the petitions (信访统计): cases by category, level, department and month, on-time
// rates of 受理告知 and 答复, satisfaction of results, average wait and session length, busiest
// terminals — for the coordinator across offices (or one office), for an official or head their
// own office. Charts by ECharts (canvas); everything shown exports as CSV.
import { html, nothing } from 'lit';
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { Api } from '../lib/api.ts';
import { LANGUAGES, otherLanguage, startLanguage, t, toggleLanguage, viewContext } from '../lib/i18n.ts';
import { PageElement, define } from '../lib/page.ts';
import { pageToken, readClaims } from '../lib/token.ts';
import { categoryName, plainError, type CategoryRule, type Department, type Stats } from '../petition-ui/common.ts';
import { charts, figures, monthOf, monthRange, statsCsv } from './view-model.ts';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

const KEYS = ['stats.token', 'coordinator.token', 'cases.token', 'official.token'];
const SUPERVISORS = ['coordinator', 'admin'];

interface StatsState {
  phase: 'booting' | 'signed-out' | 'ready' | 'failed';
  failure: string;
  supervisor: boolean;
  month: string;
  departmentId: string;
  offices: Department[];
  categories: CategoryRule[];
  stats: Stats | null;
}

class StatsPage extends PageElement<StatsState> {
  #api: Api | undefined;
  #charts = new Map<string, echarts.ECharts>();

  constructor() {
    super({ phase: 'booting', failure: '', supervisor: false, month: monthOf(Date.now()), departmentId: '', offices: [], categories: [], stats: null });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#boot();
  }

  #categoryName = (code: string) => categoryName(this.state.categories.find((c) => c.code === code) ?? { code, name: code });

  protected override render(): unknown {
    const ctx = viewContext();
    const s = this.state;
    const header = html`<header class="dbar">
      <h1>${t('stats.title')}</h1>
      <div class="who"></div>
      <a class="pbtn" href="cases.html">${t('stats.toCases')}</a>
      <button type="button" class="pbtn" id="lang" @click=${() => toggleLanguage()}>${LANGUAGES[otherLanguage()].name}</button>
    </header>`;
    if (s.phase === 'signed-out') return html`${header}<main class="stats-main"><div class="card">${t('desk.signInHint', { role: t('cases.roles') })}</div></main>`;
    if (s.phase === 'failed') return html`${header}<main class="stats-main"><div class="card">${s.failure}</div></main>`;
    const st = s.stats;
    return html`${header}
      <main class="stats-main">
        <div class="card stats-filter">
          <label>${t('stats.month')} <input type="month" name="month" .value=${s.month} @change=${(e: Event) => this.#load({ month: (e.target as HTMLInputElement).value })} /></label>
          ${s.supervisor
            ? html`<label>${t('stats.office')}
                <select name="department" @change=${(e: Event) => this.#load({ departmentId: (e.target as HTMLSelectElement).value })}>
                  <option value="" ?selected=${!s.departmentId}>${t('stats.allOffices')}</option>
                  ${s.offices.map((o) => html`<option value=${o.id} ?selected=${s.departmentId === o.id}>${o.name}</option>`)}
                </select></label>`
            : nothing}
          <button type="button" class="btn" data-act="csv" ?disabled=${!st} @click=${() => this.#csv()}>${t('stats.csv')}</button>
        </div>
        ${st
          ? html`<div class="figures">${figures(st, ctx).map((f) => html`<div class="card figure" data-figure=${f.key}><div class="muted">${f.label}</div><div class="big">${f.value}</div></div>`)}</div>
              <div class="charts">${charts(st, this.#categoryName, ctx).map((c) => html`<div class="card chart-card"><h3>${c.title}</h3><div class="chart" data-chart=${c.key}></div></div>`)}</div>`
          : nothing}
      </main>`;
  }

  protected override updated(): void {
    document.title = t('stats.title');
    const st = this.state.stats;
    if (!st) return;
    for (const spec of charts(st, this.#categoryName, viewContext())) {
      const el = this.querySelector<HTMLElement>(`[data-chart="${spec.key}"]`);
      if (!el) continue;
      let chart = this.#charts.get(spec.key);
      if (!chart || chart.getDom() !== el) {
        chart?.dispose();
        chart = echarts.init(el, undefined, { renderer: 'canvas' });
        this.#charts.set(spec.key, chart);
      }
      chart.setOption(spec.option, true);
    }
  }

  async #load(patch: Partial<Pick<StatsState, 'month' | 'departmentId'>> = {}): Promise<void> {
    this.set(patch);
    const { month, departmentId } = this.state;
    if (!/^\d{4}-\d{2}$/.test(month)) return;
    try {
      const stats = await this.#api!.call('petition.stats', { query: { ...monthRange(month), ...(departmentId ? { departmentId } : {}) } });
      this.set({ stats, phase: 'ready' });
    } catch (err) {
      this.set({ phase: 'failed', failure: plainError(err) });
    }
  }

  #csv(): void {
    const st = this.state.stats;
    if (!st) return;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([statsCsv(st, this.#categoryName)], { type: 'text/csv;charset=utf-8' }));
    a.download = `petition-stats-${this.state.month}${this.state.departmentId ? `-${this.state.departmentId}` : ''}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }

  async #boot(): Promise<void> {
    startLanguage();
    const token = KEYS.map((k, i) => (i === 0 ? pageToken(k) : localStorage.getItem(k))).find((x) => x && readClaims(x));
    const claims = token ? readClaims(token) : null;
    if (!token || !claims) return this.set({ phase: 'signed-out' });
    const api = (this.#api = new Api(token));
    const supervisor = SUPERVISORS.includes(claims.role);
    const month = new URL(location.href).searchParams.get('month');
    try {
      const [rules, offices] = await Promise.all([api.call('petition.routingRules'), api.call('petition.departments')]);
      this.set({ supervisor, offices, categories: rules.categories, ...(month ? { month } : {}) });
    } catch (err) {
      return this.set({ phase: 'failed', failure: plainError(err) });
    }
    addEventListener('resize', () => this.#charts.forEach((c) => c.resize()));
    await this.#load();
  }
}

define('stats-page', StatsPage);
