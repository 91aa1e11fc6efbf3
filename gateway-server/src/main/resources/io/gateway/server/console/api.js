// The admin API as the console uses it: every call carries the admin token; failures become ApiError
// with the status and the message of the gateway's error envelope.

export class ApiError extends Error {
  constructor(status, message, type) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.type = type;
  }
}

/** The query string of the non-empty parameters, with its '?', or ''. */
export function query(params = {}) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') {
      search.set(name, String(value));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

async function errorOf(response) {
  let message = `${response.status} ${response.statusText}`;
  let type;
  try {
    const body = await response.json();
    if (body && body.error) {
      message = body.error.message || message;
      type = body.error.type;
    }
  } catch (e) {
    // not the error envelope: keep the status line
  }
  return new ApiError(response.status, message, type);
}

/** Whether the admin API answers (an admin token is configured) and the request log records: /ui/status.json. */
export async function consoleStatus(fetchImpl = fetch) {
  const response = await fetchImpl('status.json', { cache: 'no-store' });
  if (!response.ok) {
    throw new ApiError(response.status, `${response.status} ${response.statusText}`);
  }
  return response.json();
}

/** A client of the admin API with a token. */
export function createApi(token, fetchImpl = fetch) {
  async function get(path, params) {
    const response = await fetchImpl(path + query(params), {
      cache: 'no-store',
      headers: { Authorization: `Bearer ${token}` },
    });
    if (!response.ok) {
      throw await errorOf(response);
    }
    return response.json();
  }
  async function send(method, path, body) {
    const headers = { Authorization: `Bearer ${token}` };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    const response = await fetchImpl(path, {
      method,
      cache: 'no-store',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      throw await errorOf(response);
    }
    return response.status === 204 ? null : response.json();
  }
  const key = (name) => `/admin/virtual-keys/${encodeURIComponent(name)}`;
  return {
    logs: (params) => get('/admin/logs', params),
    log: (id) => get(`/admin/logs/${encodeURIComponent(id)}`),
    stats: (params) => get('/admin/stats', params),
    config: () => get('/admin/config'),
    plugins: () => get('/admin/plugins'),
    usage: () => get('/admin/usage'),
    virtualKeys: () => get('/admin/virtual-keys'),
    createKey: (body) => send('POST', '/admin/virtual-keys', body),
    updateKey: (name, body) => send('PATCH', key(name), body),
    rotateKey: (name, grace) => send('POST', `${key(name)}/rotate`, grace ? { grace } : {}),
    deleteKey: (name) => send('DELETE', key(name)),
    audit: (params) => get('/admin/audit', params),
  };
}
