// Logs: the newest requests with filters, a live tail (the first page again every two seconds) and
// "more" for older pages. A click on a row opens its detail (#/logs/<id>).

import { h, replace } from '../dom.js';
import * as format from '../format.js';

const TAIL_MS = 2000;
const PAGE = 50;
/** The filters survive a visit to a detail and back. */
const remembered = { provider: '', model: '', status: '', virtual_key: '', from: '', to: '', q: '', live: true };

function field(name, label, attrs = {}) {
  const input = h('input', { name, id: `filter-${name}`, value: remembered[name], ...attrs });
  return h('label', { class: 'filter' }, h('span', {}, label), input);
}

function row(entry) {
  const open = () => {
    location.hash = `#/logs/${encodeURIComponent(entry.id)}`;
  };
  return h('tr', { class: 'log-row', tabindex: 0, dataset: { id: entry.id }, onclick: open,
    onkeydown: (e) => { if (e.key === 'Enter') open(); } },
  h('td', { class: 'time', title: entry.timestamp }, format.time(entry.timestamp)),
  h('td', {}, h('span', { class: `status ${format.statusClass(entry.status)}`, title: entry.error_message || '' },
    entry.status)),
  h('td', { class: 'model', title: entry.requested_model || '' }, entry.model || entry.requested_model || '—',
    entry.stream ? h('span', { class: 'tag' }, 'stream') : null,
    entry.cache_hit ? h('span', { class: 'tag cache', title: `${entry.cache_hit} hit in the response cache` },
      'cached') : null),
  h('td', {}, entry.provider || '—'),
  h('td', { class: 'num' }, format.duration(entry.latency_ms)),
  h('td', { class: 'num' }, format.tokens(entry.input_tokens, entry.output_tokens)),
  h('td', { class: 'num' }, format.cost(entry.cost_usd)),
  h('td', {}, entry.virtual_key || '—'),
  h('td', { class: 'id muted' }, entry.id));
}

export function logsPage({ api, main, showError }) {
  let timer = null;
  let stopped = false;
  let cursor = null;
  const body = h('tbody', { id: 'log-rows' });
  const status = h('p', { class: 'muted', id: 'log-status' });
  const more = h('button', { type: 'button', class: 'secondary', id: 'log-more', hidden: true }, 'Older requests');
  const live = h('input', { type: 'checkbox', id: 'live', checked: remembered.live });
  const statusSelect = h('select', { name: 'status', id: 'filter-status' },
    ['', '2xx', '4xx', '5xx', '429', '499'].map((v) => h('option', { value: v, selected: v === remembered.status },
      v || 'any')));
  const form = h('form', { class: 'filters', id: 'filters' },
    field('q', 'Search', { type: 'search', placeholder: 'request id, model, error, body' }),
    field('model', 'Model'), field('provider', 'Provider'),
    h('label', { class: 'filter' }, h('span', {}, 'Status'), statusSelect),
    field('virtual_key', 'Virtual key'),
    field('from', 'From', { type: 'datetime-local' }), field('to', 'To', { type: 'datetime-local' }),
    h('button', { type: 'submit' }, 'Apply'),
    h('label', { class: 'live' }, live, ' Live'));

  function params() {
    const data = new FormData(form);
    for (const name of ['provider', 'model', 'status', 'virtual_key', 'from', 'to', 'q']) {
      remembered[name] = String(data.get(name) || '').trim();
    }
    return { provider: remembered.provider, model: remembered.model, status: remembered.status,
      virtual_key: remembered.virtual_key, q: remembered.q, from: format.localInputToIso(remembered.from),
      to: format.localInputToIso(remembered.to), limit: PAGE };
  }

  async function load(append) {
    try {
      const page = await api.logs({ ...params(), cursor: append ? cursor : '' });
      if (stopped) {
        return;
      }
      const known = new Set([...body.children].map((tr) => tr.dataset.id + tr.firstChild.title));
      const rows = page.data.map(row);
      if (append) {
        rows.forEach((tr) => body.appendChild(tr));
      } else {
        if (body.children.length) {
          rows.forEach((tr) => tr.classList.toggle('new', !known.has(tr.dataset.id + tr.firstChild.title)));
        }
        replace(body, rows);
        cursor = page.next_cursor;
      }
      if (append) {
        cursor = page.next_cursor;
      }
      more.hidden = !cursor;
      replace(status, body.children.length ? `${body.children.length} request(s) shown` + (remembered.live
        ? ', updated every 2 s' : '') : 'No request matches. Requests appear here a moment after they end.');
    } catch (e) {
      showError(status, e);
    }
  }

  function schedule() {
    clearTimeout(timer);
    if (!stopped && remembered.live) {
      timer = setTimeout(async () => {
        // only the first page is tailed; once the user paged back, the newest are not pushed in
        if (!more.dataset.paged) {
          await load(false);
        }
        schedule();
      }, TAIL_MS);
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    delete more.dataset.paged;
    load(false);
  });
  live.addEventListener('change', () => {
    remembered.live = live.checked;
    schedule();
  });
  more.addEventListener('click', () => {
    more.dataset.paged = 'yes';
    load(true);
  });

  replace(main, h('section', { class: 'page', id: 'logs-page' },
    h('h1', {}, 'Requests'), form,
    h('div', { class: 'table-wrap' }, h('table', { class: 'logs' },
      h('thead', {}, h('tr', {}, ['Time', 'Status', 'Model', 'Provider', 'Latency', 'Tokens in → out', 'Cost',
        'Virtual key', 'Request id'].map((t) => h('th', {}, t)))), body)),
    status, more));
  load(false).then(schedule);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
