import { test, equal } from './harness.js';
import * as format from '../ui/format.js';

test('durations read as ms, seconds or minutes', () => {
  equal(format.duration(null), '—');
  equal(format.duration(0), '0 ms');
  equal(format.duration(850.4), '850 ms');
  equal(format.duration(2400), '2.40 s');
  equal(format.duration(12345), '12.3 s');
  equal(format.duration(65000), '1 min 5 s');
});

test('counts are shortened with k, M and B', () => {
  equal(format.count(undefined), '—');
  equal(format.count(950), '950');
  equal(format.count(1000), '1k');
  equal(format.count(1234), '1.23k');
  equal(format.count(12345), '12.3k');
  equal(format.count(4500000), '4.5M');
  equal(format.count(2e9), '2B');
});

test('costs are dollars, small ones written out in full', () => {
  equal(format.cost(null), '—');
  equal(format.cost(0), '$0');
  equal(format.cost(1e-9), '$0.000000001');
  equal(format.cost(0.000423), '$0.00042');
  equal(format.cost('0.0051'), '$0.0051');
  equal(format.cost(1.25), '$1.25');
  equal(format.cost(12345.6), '$12,345.60');
});

test('percentages of a whole, a dash without one', () => {
  equal(format.percent(1, 8), '12.5 %');
  equal(format.percent(0, 5), '0 %');
  equal(format.percent(3, 0), '—');
  equal(format.percent(50, 100), '50 %');
  equal(format.percent(2, 3), '66.7 %');
  equal(format.percent(5, 5), '100 %');
});

test('times are clock times today and dates before', () => {
  const now = new Date('2026-03-01T15:00:00Z');
  equal(format.time('2026-03-01T14:03:07.123Z', { now, timeZone: 'UTC' }), '14:03:07');
  equal(format.time('2026-02-27T09:30:00Z', { now, timeZone: 'UTC' }), '2026-02-27 09:30');
  equal(format.time(null), '—');
});

test('statuses have a class each', () => {
  equal([200, 201, 400, 429, 499, 500, 504].map(format.statusClass),
    ['ok', 'ok', 'client', 'client', 'gone', 'server', 'server']);
});

test('tokens in and out, a dash when none were reported', () => {
  equal(format.tokens(120, 45), '120 → 45');
  equal(format.tokens(null, null), '—');
  equal(format.tokens(1500, null), '1.5k → 0');
});

test('a datetime-local value becomes RFC 3339', () => {
  equal(format.localInputToIso(''), '');
  equal(format.localInputToIso('not a date'), '');
  equal(format.localInputToIso('2026-03-01T10:00'), new Date(2026, 2, 1, 10, 0).toISOString());
});

test('windows and periods in seconds read as units', () => {
  equal([60, 90, 300, 3600, 7200, 86400, 604800].map(format.seconds),
    ['1 min', '90 s', '5 min', '1 h', '2 h', '1 d', '7 d']);
  equal(format.seconds(null), '—');
});
