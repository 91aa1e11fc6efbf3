// The console's start: asks whether the admin API is on, takes the admin token (kept for this
// browser session only), and shows the page the address names (#/logs, #/logs/<id>, #/usage,
// #/providers, #/keys).

import { consoleStatus, createApi, ApiError } from './api.js';
import { h, replace } from './dom.js';
import { logsPage } from './pages/logs.js';
import { detailPage } from './pages/detail.js';
import { usagePage } from './pages/usage.js';
import { providersPage } from './pages/providers.js';
import { keysPage } from './pages/keys.js';

const TOKEN = 'gateway-admin-token';
const main = document.getElementById('main');
const nav = document.getElementById('nav');
const logout = document.getElementById('logout');
let current = null;

function offPage() {
  replace(main, h('section', { class: 'panel narrow', id: 'admin-off' },
    h('h1', {}, 'The admin API is off'),
    h('p', {}, 'The console reads the gateway through its admin API, which answers only when ',
      h('code', {}, 'gateway.admin.token'), ' is set.'),
    h('p', {}, 'The shipped conf/gateway.yaml takes it from the environment: restart the gateway with ',
      h('code', {}, 'GATEWAY_ADMIN_TOKEN'), ' set to a long random value, e.g.'),
    h('pre', {}, 'GATEWAY_ADMIN_TOKEN=$(openssl rand -hex 24) ./run.sh'),
    h('p', {}, 'In a configuration of your own, add:'),
    h('pre', {}, 'gateway:\n  admin:\n    token: ${GATEWAY_ADMIN_TOKEN}'),
    h('p', {}, 'Then log in here with that value.')));
}

function loginPage(message) {
  const input = h('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'current-password',
    placeholder: 'gateway.admin.token', required: true });
  const error = h('p', { class: 'error', id: 'login-error' }, message || '');
  const form = h('form', { class: 'panel narrow', id: 'login' },
    h('h1', {}, 'Log in'),
    h('p', {}, 'Type the gateway\'s admin token (gateway.admin.token). It is kept for this browser session only.'),
    h('label', { for: 'token' }, 'Admin token'), input,
    h('button', { type: 'submit' }, 'Log in'), error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    try {
      await createApi(token).logs({ limit: 1 });
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        replace(error, 'The gateway did not accept this token.');
        return;
      }
      if (!(e instanceof ApiError)) {
        replace(error, `The gateway did not answer: ${e.message}`);
        return;
      }
      // another failure (the request log is off or its database is down): the token is right
    }
    sessionStorage.setItem(TOKEN, token);
    if (!location.hash || location.hash === '#/login') {
      location.hash = '#/logs';
    }
    route();
  });
  nav.hidden = true;
  logout.hidden = true;
  replace(main, form);
  input.focus();
}

/** Shows what went wrong in a page; a refused token sends the user back to the login. */
export function showError(target, error) {
  if (error instanceof ApiError && error.status === 401) {
    sessionStorage.removeItem(TOKEN);
    loginPage('The gateway no longer accepts the token; log in again.');
    return;
  }
  replace(target, h('p', { class: 'error' }, error.message || String(error)));
}

function route() {
  const token = sessionStorage.getItem(TOKEN);
  if (!token) {
    loginPage();
    return;
  }
  const api = createApi(token);
  const hash = location.hash || '#/logs';
  const [, page, ...rest] = hash.split('/');
  if (current && current.stop) {
    current.stop();
  }
  nav.hidden = false;
  logout.hidden = false;
  for (const link of nav.querySelectorAll('a')) {
    link.classList.toggle('active', link.dataset.page === (page || 'logs'));
  }
  const context = { api, main, showError: (target, e) => showError(target, e) };
  switch (page) {
    case 'usage':
      current = usagePage(context);
      break;
    case 'providers':
      current = providersPage(context);
      break;
    case 'keys':
      current = keysPage(context);
      break;
    case 'logs':
    default:
      current = rest.length && rest[0] ? detailPage(context, decodeURIComponent(rest.join('/')))
        : logsPage(context);
  }
}

logout.addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN);
  if (current && current.stop) {
    current.stop();
  }
  current = null;
  loginPage();
});
window.addEventListener('hashchange', route);

consoleStatus().then((status) => {
  if (!status.admin_api) {
    offPage();
  } else {
    route();
  }
}, (e) => replace(main, h('p', { class: 'error' }, `The gateway did not answer: ${e.message}`)));
