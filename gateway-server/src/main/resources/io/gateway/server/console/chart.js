// Stacked bar charts over time, drawn as SVG by hand: the console needs one kind of chart, and ~150
// lines that it owns are easier to read, test and keep than a vendored charting library.
// series() and ticks() are pure and tested; barChart() turns their result into an <svg>.

import { svg, h } from './dom.js';

export const HOUR = 3600 * 1000;
export const DAY = 24 * HOUR;
/** Series beyond this many are summed into "other". */
export const MAX_SERIES = 6;
export const OTHER = 'other';
const PALETTE = ['#3b6fd4', '#e0803a', '#3fa46a', '#c4485b', '#8a63c7', '#2aa3b3', '#9a9a9a'];

/**
 * Turns /admin/stats rows (key = bucket start, split = the series, or null) into one value per bucket
 * and series: every bucket from `from` to `to` is present (gaps are zero), the series are the largest
 * ones by total, the rest summed as "other".
 *
 * @param rows   the stats rows
 * @param value  (row) => the number to chart
 * @param from   the period's start (ms)
 * @param to     the period's end (ms)
 * @param step   the bucket size (HOUR or DAY)
 * @param max    series kept before "other"
 * @param unnamed the name of rows without a split (none when splitting, all otherwise)
 * @returns {{buckets: number[], series: {name: string, values: number[]}[]}}
 */
export function series(rows, value, { from, to, step, max = MAX_SERIES, unnamed = 'all' }) {
  const first = Math.floor(from / step) * step;
  const buckets = [];
  for (let t = first; t < to; t += step) {
    buckets.push(t);
  }
  const index = new Map(buckets.map((t, i) => [t, i]));
  const totals = new Map();
  for (const row of rows) {
    const name = row.split ?? unnamed;
    totals.set(name, (totals.get(name) || 0) + value(row));
  }
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])))
    .map(([name]) => name);
  const kept = ranked.length > max ? ranked.slice(0, max - 1) : ranked;
  const names = ranked.length > kept.length ? [...kept, OTHER] : kept;
  const result = names.map((name) => ({ name, values: buckets.map(() => 0) }));
  const byName = new Map(result.map((s) => [s.name, s]));
  for (const row of rows) {
    const i = index.get(Date.parse(row.key));
    if (i === undefined) {
      continue;
    }
    const name = row.split ?? unnamed;
    const target = byName.get(name) || byName.get(OTHER);
    target.values[i] += value(row);
  }
  return { buckets, series: result };
}

/** Round axis ticks from 0 to at least max: [0, 5, 10, 15, 20]. */
export function ticks(max, count = 4) {
  if (!(max > 0)) {
    return [0, 1];
  }
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw);
  const result = [];
  for (let v = 0; v < max + step / 2; v += step) {
    result.push(Number(v.toPrecision(12)));
  }
  if (result[result.length - 1] < max) {
    result.push(Number((result[result.length - 1] + step).toPrecision(12)));
  }
  return result;
}

/**
 * A stacked bar chart.
 *
 * @param data    the result of series()
 * @param format  (number) => the axis and tooltip text
 * @param label   (bucket start ms) => the bucket's label
 */
export function barChart(data, { format = String, label = (t) => new Date(t).toISOString(), width = 900,
  height = 260 } = {}) {
  const margin = { top: 10, right: 10, bottom: 28, left: 64 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const totals = data.buckets.map((_, i) => data.series.reduce((sum, s) => sum + s.values[i], 0));
  const axis = ticks(Math.max(0, ...totals));
  const top = axis[axis.length - 1] || 1;
  const y = (v) => margin.top + plotH - (v / top) * plotH;
  const slot = plotW / Math.max(1, data.buckets.length);
  const barW = Math.max(1, slot * 0.78);
  const chart = svg('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': 'chart' });
  for (const v of axis) {
    chart.appendChild(svg('line', { class: 'grid', x1: margin.left, x2: width - margin.right, y1: y(v), y2: y(v) }));
    chart.appendChild(svg('text', { class: 'axis', x: margin.left - 6, y: y(v) + 4, 'text-anchor': 'end' },
      format(v)));
  }
  const every = Math.max(1, Math.ceil(data.buckets.length / 12));
  data.buckets.forEach((t, i) => {
    const x = margin.left + i * slot + (slot - barW) / 2;
    let base = 0;
    data.series.forEach((s, k) => {
      const v = s.values[i];
      if (v > 0) {
        chart.appendChild(svg('rect', { class: 'bar', x, y: y(base + v), width: barW,
          height: Math.max(0.5, y(base) - y(base + v)), fill: PALETTE[k % PALETTE.length] },
        svg('title', {}, `${label(t)} · ${s.name}: ${format(v)}`)));
        base += v;
      }
    });
    if (i % every === 0) {
      chart.appendChild(svg('text', { class: 'axis', x: x + barW / 2, y: height - 8, 'text-anchor': 'middle' },
        label(t)));
    }
  });
  const legend = h('ul', { class: 'legend' }, data.series.map((s, k) => h('li', {},
    h('span', { class: `swatch swatch-${k % PALETTE.length}` }), s.name)));
  return h('figure', { class: 'chart-figure' }, chart, data.series.length > 1 || data.series[0]?.name !== 'all'
    ? legend : null);
}
