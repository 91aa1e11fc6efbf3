// Virtual keys: each key's use against its limits and budget (the governance usage report) beside its
// requests and cost of the last 24 hours (the request log), and, with the gateway's database, the keys
// managed through the admin API: create (the value is shown once), edit, rotate, disable and delete.
// Keys declared in the configuration file are shown read-only.

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
  if (!count) {
    return null;
  }
  if (count.limit === null || count.limit === undefined) {
    return meter(label, count.count, null, `${format.count(count.count)} in period ${count.period_id || ''}, no limit`);
  }
  return meter(label, count.count, count.limit, `${format.count(count.count)} of ${format.count(count.limit)} per `
    + format.seconds(count.window_seconds));
}

function spendMeter(spend) {
  if (!spend) {
    return null;
  }
  const usd = Number(spend.usd || 0);
  const budget = spend.budget_usd === null || spend.budget_usd === undefined ? null : Number(spend.budget_usd);
  return meter('Spend', usd, budget, budget === null ? `${format.cost(usd)} in period ${spend.period_id}, no budget`
    : `${format.cost(usd)} of ${format.cost(budget)} in period ${spend.period_id}`);
}

/** The rules of a key as one line: limits, budget, expiry. */
function rules(key) {
  const parts = [];
  const rate = key.rate_limit;
  if (rate && rate.requests) {
    parts.push(`${format.count(rate.requests)} requests per ${rate.per}`);
  }
  if (rate && rate.tokens) {
    parts.push(`${format.count(rate.tokens)} tokens per ${rate.tokens_per}`);
  }
  if (key.budget) {
    parts.push(`budget ${format.cost(Number(key.budget.usd))} per ${key.budget.per}`);
  }
  if (key.expires_at) {
    parts.push(`expires ${key.expires_at}`);
  }
  return parts.length ? parts.join(', ') : 'no limits';
}

function field(label, input) {
  return h('label', { class: 'filter' }, label, input);
}

function text(name, value, placeholder) {
  return h('input', { type: 'text', name, value: value === null || value === undefined ? '' : String(value),
    placeholder: placeholder || '' });
}

function periodSelect(name, value) {
  const select = h('select', { name }, h('option', { value: '' }, 'none'),
    ['1h', '1d', '1w', '1M'].map((p) => h('option', { value: p }, p)));
  select.value = value || '';
  return select;
}

/** The inputs of a key's rules, filled from a key (or empty for a new one). */
function ruleInputs(key) {
  const rate = (key && key.rate_limit) || {};
  const budget = (key && key.budget) || {};
  return {
    models: text('allowed_models', key ? (key.allowed_models || []).join(', ') : '', 'openai/*, anthropic/claude-*'),
    requests: text('requests', rate.requests, '600'),
    per: text('per', rate.per, '1m'),
    tokens: text('tokens', rate.tokens, '200000'),
    tokensPer: text('tokens_per', rate.tokens_per, '1h'),
    usd: text('usd', budget.usd, '50'),
    budgetPer: periodSelect('budget_per', budget.per),
    expires: text('expires_at', key ? key.expires_at : '', '2027-01-01T00:00:00Z'),
  };
}

function ruleFields(inputs) {
  return h('div', { class: 'filters' },
    field('Allowed models (empty: all)', inputs.models),
    field('Requests', inputs.requests), field('per', inputs.per),
    field('Tokens', inputs.tokens), field('per', inputs.tokensPer),
    field('Budget USD', inputs.usd), field('per', inputs.budgetPer),
    field('Expires at (UTC)', inputs.expires));
}

/** The admin API's body for the rules typed into the inputs: empty fields clear a rule. */
function ruleBody(inputs) {
  const number = (input) => (input.value.trim() === '' ? null : Number(input.value.trim()));
  const models = inputs.models.value.split(',').map((m) => m.trim()).filter((m) => m);
  const rate = {};
  if (number(inputs.requests) !== null || inputs.per.value.trim()) {
    rate.requests = number(inputs.requests);
    rate.per = inputs.per.value.trim() || null;
  }
  if (number(inputs.tokens) !== null || inputs.tokensPer.value.trim()) {
    rate.tokens = number(inputs.tokens);
    rate.tokens_per = inputs.tokensPer.value.trim() || null;
  }
  return {
    allowed_models: models.length ? models : null,
    rate_limit: Object.keys(rate).length ? rate : null,
    budget: number(inputs.usd) === null && !inputs.budgetPer.value ? null
      : { usd: number(inputs.usd), per: inputs.budgetPer.value || null },
    expires_at: inputs.expires.value.trim() || null,
  };
}

/** The panel that shows a new value once, with what to do with it. */
function valuePanel(name, value, previousUntil) {
  const code = h('code', { id: 'key-value' }, value);
  const copy = h('button', { type: 'button', class: 'secondary' }, 'Copy');
  copy.addEventListener('click', () => {
    if (navigator.clipboard) {
      navigator.clipboard.writeText(value).then(() => replace(copy, 'Copied'), () => {});
    }
  });
  return h('section', { class: 'panel', id: 'key-issued' },
    h('h2', {}, `The value of ${name}`),
    h('p', {}, 'Copy it now: the gateway keeps only its digest and will not show it again.'),
    h('pre', {}, code), copy,
    previousUntil ? h('p', { class: 'muted' }, `The previous value works until ${previousUntil}.`) : null);
}

export function keysPage({ api, main, showError }) {
  const notice = h('div', { id: 'keys-notice' });
  const target = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const createArea = h('div', {});
  replace(main, h('section', { class: 'page', id: 'keys-page' }, h('h1', {}, 'Virtual keys'), notice, createArea,
    target));

  function say(node) {
    replace(notice, node);
  }

  function failed(e) {
    if (e && e.status === 401) {
      showError(target, e);
      return;
    }
    say(h('p', { class: 'error' }, e.message || String(e)));
  }

  function createForm() {
    const name = text('name', '', 'app-x');
    const inputs = ruleInputs(null);
    const form = h('form', { class: 'panel', id: 'key-create' },
      h('h2', {}, 'Create a key'),
      h('div', { class: 'filters' }, field('Name', name)), ruleFields(inputs),
      h('button', { type: 'submit' }, 'Create'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const body = { name: name.value.trim(), ...ruleBody(inputs) };
      api.createKey(body).then((issued) => {
        form.reset();
        say(valuePanel(issued.name, issued.value, null));
        load();
      }, failed);
    });
    return form;
  }

  function actions(key) {
    const edit = h('button', { type: 'button', class: 'secondary', dataset: { action: 'edit' } }, 'Edit');
    const grace = text('grace', '0s', '10m');
    const rotate = h('button', { type: 'button', class: 'secondary', dataset: { action: 'rotate' } }, 'Rotate');
    const toggle = h('button', { type: 'button', class: 'secondary', dataset: { action: 'toggle' } },
      key.disabled ? 'Enable' : 'Disable');
    const remove = h('button', { type: 'button', class: 'secondary', dataset: { action: 'delete' } }, 'Delete');
    const area = h('div', { class: 'key-edit' });
    edit.addEventListener('click', () => {
      const inputs = ruleInputs(key);
      const form = h('form', { class: 'key-form' }, ruleFields(inputs), h('button', { type: 'submit' }, 'Save'));
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        api.updateKey(key.name, ruleBody(inputs)).then(() => {
          say(h('p', { class: 'muted' }, `Saved ${key.name}.`));
          load();
        }, failed);
      });
      replace(area, form);
    });
    rotate.addEventListener('click', () => {
      api.rotateKey(key.name, grace.value.trim()).then((issued) => {
        say(valuePanel(issued.name, issued.value, issued.previous_value_expires_at));
        load();
      }, failed);
    });
    toggle.addEventListener('click', () => {
      api.updateKey(key.name, { disabled: !key.disabled }).then(() => load(), failed);
    });
    remove.addEventListener('click', () => {
      if (remove.dataset.confirm !== 'yes') {
        remove.dataset.confirm = 'yes';
        replace(remove, 'Really delete?');
        return;
      }
      api.deleteKey(key.name).then(() => {
        say(h('p', { class: 'muted' }, `Deleted ${key.name}: it answers 401 from now on.`));
        load();
      }, failed);
    });
    return h('div', { class: 'key-actions' }, edit, h('span', { class: 'muted' }, ' grace '), grace, rotate, toggle,
      remove, area);
  }

  function keyCard(key, usage, stats) {
    const managed = key.source === 'api';
    return h('article', { class: `card vkey ${key.disabled ? 'disabled' : ''}`, dataset: { key: key.name, source: key.source || 'file' } },
      h('h2', {}, key.name, ' ', h('span', { class: 'badge' }, managed ? 'managed' : 'from the file'),
        key.disabled ? h('span', { class: 'badge error' }, 'disabled') : null),
      usage ? [countMeter('Requests', usage.requests), countMeter('Tokens', usage.tokens), spendMeter(usage.spend)]
        : null,
      h('p', { class: 'muted' }, `Last 24 hours in the request log: ${format.count(stats ? stats.requests : 0)} `
        + `requests, ${format.count(stats ? stats.errors : 0)} errors, ${format.cost(stats ? stats.cost_usd : 0)}`),
      h('p', { class: 'muted' }, 'Models: ', key.allowed_models && key.allowed_models.length
        ? key.allowed_models.join(', ') : 'all'),
      key.rate_limit !== undefined ? h('p', { class: 'muted' }, 'Rules: ', rules(key)) : null,
      managed ? actions(key) : null);
  }

  function load() {
    Promise.all([
      api.usage().catch(() => ({})),
      api.virtualKeys().catch((e) => ({ error: e })),
      api.stats({ group_by: 'virtual_key' }).catch(() => ({ data: [] })),
    ]).then(([usage, listed, stats]) => {
      const reported = (usage.governance && usage.governance.virtual_keys) || null;
      const managedOn = !listed.error;
      if (managedOn && !createArea.firstChild) {
        replace(createArea, createForm());
      }
      if (!managedOn && listed.error.status === 401) {
        showError(target, listed.error);
        return;
      }
      const keys = managedOn ? listed.data : (reported || []).map((k) => ({ name: k.name, source: 'file',
        allowed_models: k.allowed_models }));
      if (!reported && !managedOn) {
        replace(target, h('p', {}, 'Governance is off: virtual keys, their limits and budgets come with the '
          + 'governance middleware (docs/governance.md).'));
        return;
      }
      const byName = new Map((reported || []).map((k) => [k.name, k]));
      const byKey = new Map(stats.data.map((r) => [r.key, r]));
      let why = null;
      if (!managedOn) {
        why = listed.error.status === 404
          ? h('p', { class: 'muted' }, 'Keys can be managed here once the gateway has a database '
            + '(gateway.logs.store: sqlite or postgres).')
          : h('p', { class: 'error' }, `Managed keys cannot be shown now: ${listed.error.message}`);
      }
      replace(target, why,
        keys.length ? h('div', { class: 'cards' }, keys.map((k) => keyCard(k, byName.get(k.name), byKey.get(k.name))))
          : h('p', { class: 'muted' }, 'No virtual keys yet.'));
    }, (e) => showError(target, e));
  }

  load();
  return null;
}
