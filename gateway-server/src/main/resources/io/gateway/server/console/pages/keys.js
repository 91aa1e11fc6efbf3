// Virtual keys (with the governance middleware): each key's use against its limits and budget, from the
// governance usage report, beside its requests and cost of the last 24 hours from the request log.

import { h, replace } from '../dom.js';
import * as format from '../format.js';

function meter(label, used, limit, text) {
  const share = limit ? Math.min(1, used / limit) : 0;
  const bar = h('div', { class: 'meter-bar' });
  bar.style.width = `${(share * 100).toFixed(1)}%`;
  return h('div', { class: `meter ${share >= 0.9 ? 'high' : ''}` },
    h('div', { class: 'meter-label' }, h('span', {}, label), h('span', {}, text)),
    h('div', { class: 'meter-track' }, limit ? bar : null));
}

function countMeter(label, count) {
  if (count.limit === null || count.limit === undefined) {
    return meter(label, count.count, null, `${format.count(count.count)} in period ${count.period_id || ''}, no limit`);
  }
  return meter(label, count.count, count.limit, `${format.count(count.count)} of ${format.count(count.limit)} per `
    + format.seconds(count.window_seconds));
}

function keyCard(key, stats) {
  const spend = key.spend || {};
  const usd = Number(spend.usd || 0);
  const budget = spend.budget_usd === null || spend.budget_usd === undefined ? null : Number(spend.budget_usd);
  return h('article', { class: 'card vkey', dataset: { key: key.name } },
    h('h2', {}, key.name),
    countMeter('Requests', key.requests),
    countMeter('Tokens', key.tokens),
    meter('Spend', usd, budget, budget === null ? `${format.cost(usd)} in period ${spend.period_id}, no budget`
      : `${format.cost(usd)} of ${format.cost(budget)} in period ${spend.period_id}`),
    h('p', { class: 'muted' }, `Last 24 hours in the request log: ${format.count(stats ? stats.requests : 0)} `
      + `requests, ${format.count(stats ? stats.errors : 0)} errors, ${format.cost(stats ? stats.cost_usd : 0)}`),
    h('p', { class: 'muted' }, 'Models: ', key.allowed_models && key.allowed_models.length
      ? key.allowed_models.join(', ') : 'all'));
}

export function keysPage({ api, main, showError }) {
  const target = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  replace(main, h('section', { class: 'page', id: 'keys-page' }, h('h1', {}, 'Virtual keys'), target));
  Promise.all([api.usage(), api.stats({ group_by: 'virtual_key' }).catch(() => ({ data: [] }))])
    .then(([usage, stats]) => {
      const keys = usage.governance && usage.governance.virtual_keys;
      if (!keys) {
        replace(target, h('p', {}, 'Governance is off: virtual keys, their limits and budgets come with the '
          + 'governance middleware (docs/governance.md).'));
        return;
      }
      const byKey = new Map(stats.data.map((r) => [r.key, r]));
      replace(target, keys.length ? h('div', { class: 'cards' }, keys.map((k) => keyCard(k, byKey.get(k.name))))
        : h('p', { class: 'muted' }, 'No virtual keys are configured.'));
    }, (e) => showError(target, e));
  return null;
}
