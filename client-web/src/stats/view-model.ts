// The statistics page as pure functions: the China-time month → the [from, to) instants the server
// counts in, the figures, the charts' options (ECharts) and the CSV of everything shown.
import { CITY_UTC_OFFSET_MS } from '../../../server/protocol/city-time.ts';
import type { ViewContext } from '../lib/i18n.ts';
import type { Stats } from '../petition-ui/common.ts';

/** '2026-11' → the instants of 2026-11-01 00:00 and 2026-12-01 00:00 China time. */
export function monthRange(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return { from: new Date(Date.UTC(y, m - 1, 1) - CITY_UTC_OFFSET_MS).toISOString(), to: new Date(Date.UTC(y, m, 1) - CITY_UTC_OFFSET_MS).toISOString() };
}

/** The China-time month of an instant, as an `<input type=month>` value. */
export function monthOf(now: number): string {
  return new Date(now + CITY_UTC_OFFSET_MS).toISOString().slice(0, 7);
}

const pct = (r: number | null) => (r === null ? '—' : `${Math.round(r * 1000) / 10}%`);
const minutes = (s: number | null, ctx: ViewContext) => (s === null ? '—' : ctx.t('stats.minutes', { n: Math.round((s / 60) * 10) / 10 }));

export interface Figure {
  key: string;
  label: string;
  value: string;
}

export function figures(s: Stats, ctx: ViewContext): Figure[] {
  const { t } = ctx;
  const on = (k: 'acceptance' | 'handling') => s.onTime.find((o) => o.kind === k);
  const rated = s.satisfaction.reduce((n, r) => n + r.n, 0);
  const happy = s.satisfaction.filter((r) => r.key !== 'unsatisfied').reduce((n, r) => n + r.n, 0);
  return [
    { key: 'total', label: t('stats.total'), value: String(s.total) },
    { key: 'acceptance-on-time', label: t('stats.acceptanceOnTime'), value: `${pct(on('acceptance')?.rate ?? null)} (${on('acceptance')?.onTime ?? 0}/${on('acceptance')?.stopped ?? 0})` },
    { key: 'handling-on-time', label: t('stats.handlingOnTime'), value: `${pct(on('handling')?.rate ?? null)} (${on('handling')?.onTime ?? 0}/${on('handling')?.stopped ?? 0})` },
    { key: 'satisfaction', label: t('stats.satisfied'), value: `${pct(rated ? happy / rated : null)} (${happy}/${rated})` },
    { key: 'avg-wait', label: t('stats.avgWait'), value: minutes(s.avgWaitSeconds, ctx) },
    { key: 'avg-session', label: t('stats.avgSession'), value: minutes(s.avgSessionSeconds, ctx) },
  ];
}

export interface ChartSpec {
  key: string;
  title: string;
  /** ECharts option. */
  option: Record<string, unknown>;
}

const bar = (names: string[], values: number[], horizontal = false) => ({
  tooltip: {},
  grid: { left: horizontal ? 140 : 40, right: 16, top: 16, bottom: 28 },
  [horizontal ? 'yAxis' : 'xAxis']: { type: 'category', data: names, axisLabel: { interval: 0, fontSize: 11 } },
  [horizontal ? 'xAxis' : 'yAxis']: { type: 'value', minInterval: 1 },
  series: [{ type: 'bar', data: values, itemStyle: { color: '#1f63c6' } }],
  animation: false,
});
const pie = (data: { name: string; value: number }[]) => ({ tooltip: {}, legend: { bottom: 0 }, series: [{ type: 'pie', radius: ['35%', '65%'], data }], animation: false });

export function charts(s: Stats, categoryName: (code: string) => string, ctx: ViewContext): ChartSpec[] {
  const { t } = ctx;
  return [
    { key: 'category', title: t('stats.byCategory'), option: bar(s.byCategory.map((r) => categoryName(r.key)), s.byCategory.map((r) => r.n)) },
    { key: 'month', title: t('stats.byMonth'), option: { ...bar(s.byMonth.map((r) => r.key), s.byMonth.map((r) => r.n)), series: [{ type: 'line', data: s.byMonth.map((r) => r.n) }] } },
    { key: 'level', title: t('stats.byLevel'), option: pie(s.byLevel.map((r) => ({ name: t(`petition.level.${r.key}`), value: r.n }))) },
    { key: 'department', title: t('stats.byDepartment'), option: bar(s.byDepartment.map((r) => r.name), s.byDepartment.map((r) => r.n), true) },
    {
      key: 'on-time',
      title: t('stats.onTime'),
      option: { ...bar(s.onTime.map((o) => t(`petition.clock.${o.kind}`)), s.onTime.map((o) => Math.round((o.rate ?? 0) * 100))), yAxis: { type: 'value', max: 100 } },
    },
    { key: 'satisfaction', title: t('stats.satisfaction'), option: pie(s.satisfaction.map((r) => ({ name: t(`petition.rating.${r.key}`), value: r.n }))) },
    { key: 'terminals', title: t('stats.busiestTerminals'), option: bar(s.busiestTerminals.map((r) => r.name), s.busiestTerminals.map((r) => r.n), true) },
  ];
}

const cell = (v: string | number) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));

/** Every figure and series of the page, one row each: section, key, name, count. */
export function statsCsv(s: Stats, categoryName: (code: string) => string): string {
  const rows: (string | number)[][] = [['section', 'key', 'name', 'n'], ['total', '', '', s.total]];
  for (const r of s.byCategory) rows.push(['category', r.key, categoryName(r.key), r.n]);
  for (const r of s.byLevel) rows.push(['level', r.key, r.key, r.n]);
  for (const r of s.byDepartment) rows.push(['department', r.key, r.name, r.n]);
  for (const r of s.byMonth) rows.push(['month', r.key, r.key, r.n]);
  for (const o of s.onTime) rows.push(['on_time', o.kind, `${o.onTime}/${o.stopped}`, o.onTime]);
  for (const r of s.satisfaction) rows.push(['satisfaction', r.key, r.key, r.n]);
  for (const r of s.busiestTerminals) rows.push(['terminal', r.key, r.name, r.n]);
  rows.push(['avg_wait_seconds', '', '', s.avgWaitSeconds ?? ''], ['avg_session_seconds', '', '', s.avgSessionSeconds ?? '']);
  return `\ufeff${rows.map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}
