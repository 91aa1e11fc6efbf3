// Usage: requests, tokens or cost over time, split by model, provider or virtual key, and the totals of
// the period per group.

import { h, replace } from '../dom.js';
import * as format from '../format.js';
import { series, barChart, HOUR, DAY } from '../chart.js';

const PERIODS = { '24h': { ms: DAY, step: HOUR, group: 'hour' }, '7d': { ms: 7 * DAY, step: DAY, group: 'day' },
  '30d': { ms: 30 * DAY, step: DAY, group: 'day' } };
const METRICS = {
  requests: { label: 'Requests', value: (r) => r.requests, format: format.count },
  tokens: { label: 'Tokens (in + out)', value: (r) => r.input_tokens + r.output_tokens, format: format.count },
  cost: { label: 'Cost', value: (r) => Number(r.cost_usd), format: format.cost },
  errors: { label: 'Errors', value: (r) => r.errors, format: format.count },
};
const SPLITS = { '': 'nothing', model: 'model', provider: 'provider', virtual_key: 'virtual key' };
const state = { period: '24h', metric: 'requests', split: 'model' };

function select(name, options, value) {
  return h('select', { name, id: `usage-${name}` }, Object.entries(options).map(([v, label]) =>
    h('option', { value: v, selected: v === value }, typeof label === 'string' ? label : label.label)));
}

function totalsTable(rows, dimension) {
  if (!rows.length) {
    return h('p', { class: 'muted' }, 'No requests in this period.');
  }
  return h('table', { class: 'totals', id: 'usage-totals' },
    h('thead', {}, h('tr', {}, [dimension, 'Requests', 'Errors', 'Tokens in', 'Tokens out', 'Cost', 'p50', 'p95']
      .map((t) => h('th', {}, t)))),
    h('tbody', {}, rows.map((r) => h('tr', {},
      h('td', {}, r.key ?? h('span', { class: 'muted' }, 'none')),
      h('td', { class: 'num' }, format.count(r.requests)),
      h('td', { class: 'num' }, `${format.count(r.errors)} (${format.percent(r.errors, r.requests)})`),
      h('td', { class: 'num' }, format.count(r.input_tokens)),
      h('td', { class: 'num' }, format.count(r.output_tokens)),
      h('td', { class: 'num' }, format.cost(r.cost_usd)),
      h('td', { class: 'num' }, format.duration(r.latency_p50_ms)),
      h('td', { class: 'num' }, format.duration(r.latency_p95_ms))))));
}

export function usagePage({ api, main, showError }) {
  const chart = h('div', { class: 'chart-box', id: 'usage-chart' });
  const table = h('div', { id: 'usage-table' });
  const controls = h('form', { class: 'filters', id: 'usage-controls' },
    h('label', { class: 'filter' }, h('span', {}, 'Period'), select('period', { '24h': 'last 24 hours',
      '7d': 'last 7 days', '30d': 'last 30 days' }, state.period)),
    h('label', { class: 'filter' }, h('span', {}, 'Show'), select('metric', METRICS, state.metric)),
    h('label', { class: 'filter' }, h('span', {}, 'Split by'), select('split', SPLITS, state.split)));
  let stopped = false;

  async function load() {
    const data = new FormData(controls);
    Object.assign(state, { period: data.get('period'), metric: data.get('metric'), split: data.get('split') });
    const period = PERIODS[state.period];
    const metric = METRICS[state.metric];
    const to = Date.now();
    const from = to - period.ms;
    const window = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
    replace(chart, h('p', { class: 'muted' }, 'Loading…'));
    try {
      const [overTime, totals] = await Promise.all([
        api.stats({ group_by: period.group, split_by: state.split, ...window }),
        api.stats({ group_by: state.split || 'model', ...window })]);
      if (stopped) {
        return;
      }
      const data2 = series(overTime.data, metric.value, { from, to, step: period.step,
        unnamed: state.split ? 'none' : 'all' });
      const label = period.step === HOUR
        ? (t) => new Date(t).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })
        : (t) => new Date(t).toLocaleDateString('en-CA', { month: '2-digit', day: '2-digit' });
      replace(chart, h('h2', {}, `${metric.label} per ${period.group}`), barChart(data2, { format: metric.format,
        label }));
      replace(table, h('h2', {}, `Totals by ${SPLITS[state.split || 'model']}`), totalsTable(totals.data,
        SPLITS[state.split || 'model']));
    } catch (e) {
      showError(chart, e);
    }
  }

  controls.addEventListener('change', load);
  controls.addEventListener('submit', (e) => e.preventDefault());
  replace(main, h('section', { class: 'page', id: 'usage-page' }, h('h1', {}, 'Usage'), controls, chart, table));
  load();
  return { stop() { stopped = true; } };
}
