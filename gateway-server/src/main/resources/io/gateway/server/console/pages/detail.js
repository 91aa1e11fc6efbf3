// One request: its facts, every upstream attempt, and (when bodies are captured) the request and the
// answer as a conversation, each with its raw JSON.

import { h, replace } from '../dom.js';
import * as format from '../format.js';
import { parse, requestView, answerView, render } from '../conversation.js';

function facts(entry) {
  const rows = [
    ['Request id', entry.id],
    ['Time', `${entry.timestamp} (${format.time(entry.timestamp)} local)`],
    ['Operation', entry.operation],
    ['Status', h('span', { class: `status ${format.statusClass(entry.status)}` }, entry.status)],
    ['Requested model', entry.requested_model],
    ['Served by', entry.provider ? `${entry.provider} / ${entry.model || '?'}` : null],
    ['Response cache', entry.cache_hit ? `${entry.cache_hit} hit: answered from the cache, no upstream call` : null],
    ['Stream', entry.stream ? 'yes' : 'no'],
    ['Latency', format.duration(entry.latency_ms)],
    ['Time to first event', entry.stream ? format.duration(entry.ttft_ms) : null],
    ['Tokens', entry.input_tokens === null ? null : `${format.count(entry.input_tokens)} in (${format.count(
      entry.cached_tokens ?? 0)} cached) → ${format.count(entry.output_tokens)} out (${format.count(
      entry.reasoning_tokens ?? 0)} reasoning)`],
    ['Cost', entry.cost_usd === null ? null : format.cost(entry.cost_usd)],
    ['Virtual key', entry.virtual_key],
    ['Retries', entry.retries ? String(entry.retries) : null],
    ['Fallback', entry.fallback_index ? `target ${entry.fallback_index} of the fallback list` : null],
    ['Error', entry.error_type ? `${entry.error_type}: ${entry.error_message || ''}` : null],
    ['Client', [entry.client_ip, entry.user_agent].filter(Boolean).join(' · ') || null],
    ['Trace id', entry.trace_id],
  ];
  return h('dl', { class: 'facts' }, rows.filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function attempts(list) {
  if (!list || !list.length) {
    return h('p', { class: 'muted' }, 'No upstream attempt (answered by the gateway itself).');
  }
  return h('table', { class: 'attempts' },
    h('thead', {}, h('tr', {}, ['#', 'Provider', 'Model', 'Key', 'Status', 'Time', 'Fallback'].map((t) => h('th', {},
      t)))),
    h('tbody', {}, list.map((a, i) => h('tr', {},
      h('td', {}, i + 1), h('td', {}, a.provider), h('td', {}, a.model), h('td', {}, a.key),
      h('td', {}, h('span', { class: `status ${format.statusClass(a.status)}` }, a.status)),
      h('td', { class: 'num' }, format.duration(a.ms)), h('td', { class: 'num' }, a.fallback)))));
}

function body(title, text, truncated, view) {
  if (text === null || text === undefined) {
    return null;
  }
  const parsed = parse(text);
  return h('section', { class: 'body' },
    h('h2', {}, title, truncated ? h('span', { class: 'tag warn' }, 'cut at max-body-bytes') : null),
    view ? render(view) : h('p', { class: 'muted' }, parsed ? 'Shown as JSON below.' : 'Not complete JSON (cut).'),
    h('details', { class: 'raw' }, h('summary', {}, 'Raw'),
      h('pre', {}, parsed ? JSON.stringify(parsed, null, 2) : text)));
}

export function detailPage({ api, main, showError }, id) {
  const target = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  replace(main, h('section', { class: 'page', id: 'detail-page' },
    h('p', {}, h('a', { href: '#/logs' }, '← All requests')),
    h('h1', {}, 'Request ', h('code', {}, id)), target));
  api.log(id).then((entry) => {
    const request = requestView(parse(entry.request_body), entry.operation);
    const answer = answerView(parse(entry.response_body));
    const captured = entry.request_body !== null || entry.response_body !== null;
    replace(target,
      facts(entry),
      h('h2', {}, 'Attempts'), attempts(entry.attempts),
      captured ? null : h('p', { class: 'muted' }, 'Bodies are not captured; set gateway.logs.capture-bodies: true '
        + 'to see requests and answers here.'),
      body('Request', entry.request_body, entry.request_body_truncated, request),
      body('Answer', entry.response_body, entry.response_body_truncated, answer));
  }, (e) => showError(target, e));
  return null;
}
