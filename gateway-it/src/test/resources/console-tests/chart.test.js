import { test, equal, ok } from './harness.js';
import { series, ticks, barChart, HOUR, OTHER } from '../ui/chart.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');

test('every bucket of the period is there, gaps are zero', () => {
  const rows = [{ key: '2026-03-01T11:00:00Z', split: null, requests: 4 }];
  const data = series(rows, (r) => r.requests, { from: T0 + 5 * 60000, to: T0 + 3 * HOUR, step: HOUR });
  equal(data.buckets, [T0, T0 + HOUR, T0 + 2 * HOUR]);
  equal(data.series, [{ name: 'all', values: [0, 4, 0] }]);
});

test('the largest series are kept and the rest summed as other', () => {
  const rows = [];
  ['a', 'b', 'c', 'd'].forEach((name, i) => rows.push({ key: '2026-03-01T10:00:00Z', split: name, requests: 10 - i }));
  rows.push({ key: '2026-03-01T11:00:00Z', split: 'c', requests: 1 });
  // totals: a 10, b 9, c 9, d 7; b and c tie and go by name
  const data = series(rows, (r) => r.requests, { from: T0, to: T0 + 2 * HOUR, step: HOUR, max: 3 });
  equal(data.series.map((s) => s.name), ['a', 'b', OTHER]);
  equal(data.series[2].values, [8 + 7, 1], 'c and d');
  equal(data.series[0].values, [10, 0]);
});

test('rows without a split are one series, named as asked', () => {
  const rows = [{ key: '2026-03-01T10:00:00Z', split: null, requests: 2 }, { key: '2026-03-01T10:00:00Z', split: 'x',
    requests: 1 }];
  const data = series(rows, (r) => r.requests, { from: T0, to: T0 + HOUR, step: HOUR, unnamed: 'none' });
  equal(data.series.map((s) => s.name), ['none', 'x']);
});

test('rows outside the period are ignored', () => {
  const rows = [{ key: '2026-02-01T10:00:00Z', split: 'x', requests: 3 }];
  const data = series(rows, (r) => r.requests, { from: T0, to: T0 + HOUR, step: HOUR });
  equal(data.series[0].values, [0]);
});

test('axis ticks are round and reach the maximum', () => {
  equal(ticks(0), [0, 1]);
  equal(ticks(20), [0, 5, 10, 15, 20]);
  equal(ticks(7), [0, 2, 4, 6, 8]);
  equal(ticks(0.003), [0, 0.001, 0.002, 0.003]);
  const t = ticks(1234);
  ok(t[t.length - 1] >= 1234, String(t));
});

test('the chart has one rectangle per non-zero value, each with its tooltip', () => {
  const data = { buckets: [T0, T0 + HOUR], series: [{ name: 'a', values: [1, 0] }, { name: 'b', values: [2, 3] }] };
  const figure = barChart(data, { format: String, label: () => 'h' });
  const rects = figure.querySelectorAll('rect.bar');
  equal(rects.length, 3);
  equal([...rects].map((r) => r.querySelector('title').textContent), ['h · a: 1', 'h · b: 2', 'h · b: 3']);
  equal(figure.querySelectorAll('.legend li').length, 2);
  const heights = [...rects].map((r) => Number(r.getAttribute('height')));
  ok(Math.abs(heights[1] - 2 * heights[0]) < 0.01, `stacked heights in proportion: ${heights}`);
});
