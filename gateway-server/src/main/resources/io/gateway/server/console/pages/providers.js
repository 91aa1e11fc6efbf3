// Providers and keys: the configured providers (the redacted configuration), each key's recent error
// rate from the request log, and the loaded plugins.

import { h, replace } from '../dom.js';
import * as format from '../format.js';

const SHOWN = ['type', 'base-url', 'timeout', 'max-retries', 'max-concurrency', 'fallbacks'];

function providerCard(name, block, keyStats) {
  const keys = Array.isArray(block.keys) ? block.keys : [];
  const settings = SHOWN.filter((k) => block[k] !== undefined)
    .map((k) => [h('dt', {}, k), h('dd', {}, Array.isArray(block[k]) ? block[k].join(', ') : String(block[k]))]);
  return h('article', { class: 'card provider', dataset: { provider: name } },
    h('h2', {}, name, h('span', { class: 'tag' }, block.type || name)),
    h('dl', { class: 'facts' }, settings),
    keys.length ? h('table', { class: 'keys' },
      h('thead', {}, h('tr', {}, ['Key', 'Weight', 'Models', 'Value', 'Attempts (24 h)', 'Errors', 'p50']
        .map((t) => h('th', {}, t)))),
      h('tbody', {}, keys.map((key, i) => {
        const keyName = key.name || `key-${i}`;
        const stats = keyStats.get(`${name}/${keyName}`);
        return h('tr', {},
          h('td', {}, keyName), h('td', { class: 'num' }, key.weight ?? '1.0'),
          h('td', {}, Array.isArray(key.models) ? key.models.join(', ') : '*'),
          h('td', { class: 'muted' }, key.value || '(none)'),
          h('td', { class: 'num' }, stats ? format.count(stats.requests) : '0'),
          h('td', { class: `num ${stats && stats.errors ? 'bad' : ''}` }, stats
            ? `${format.count(stats.errors)} (${format.percent(stats.errors, stats.requests)})` : '—'),
          h('td', { class: 'num' }, stats ? format.duration(stats.latency_p50_ms) : '—'));
      }))) : h('p', { class: 'muted' }, 'No keys (a keyless provider).'));
}

export function providersPage({ api, main, showError }) {
  const target = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  replace(main, h('section', { class: 'page', id: 'providers-page' }, h('h1', {}, 'Providers and keys'), target));
  Promise.all([api.config(), api.plugins(), api.stats({ group_by: 'key' }).catch(() => ({ data: [] }))])
    .then(([config, plugins, stats]) => {
      const providers = (config.gateway && config.gateway.providers) || {};
      const keyStats = new Map(stats.data.map((r) => [r.key, r]));
      replace(target,
        Object.keys(providers).length ? Object.entries(providers).map(([name, block]) => providerCard(name, block,
          keyStats)) : h('p', { class: 'muted' }, 'No providers are configured.'),
        h('h2', {}, 'Plugins'),
        h('table', { class: 'plugins' },
          h('thead', {}, h('tr', {}, ['Plugin', 'Folder', 'Providers', 'Middleware', 'State stores']
            .map((t) => h('th', {}, t)))),
          h('tbody', {}, plugins.data.map((p) => h('tr', {}, h('td', {}, p.id), h('td', {}, p.directory),
            h('td', {}, p.providers.join(', ')), h('td', {}, p.middleware.join(', ')),
            h('td', {}, p.state_stores.join(', ')))))));
    }, (e) => showError(target, e));
  return null;
}
