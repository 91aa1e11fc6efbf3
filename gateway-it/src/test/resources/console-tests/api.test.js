import { test, equal, ok } from './harness.js';
import { createApi, consoleStatus, query, ApiError } from '../ui/api.js';

function fakeFetch(status, body, seen) {
  return async (url, options) => {
    seen.push({ url, options });
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
}

test('the query string leaves out empty parameters', () => {
  equal(query({ limit: 50, provider: '', model: null, q: 'a b', status: undefined }), '?limit=50&q=a+b');
  equal(query({}), '');
});

test('every call carries the bearer token', async () => {
  const seen = [];
  const api = createApi('t0ken', fakeFetch(200, { data: [], next_cursor: null }, seen));
  const page = await api.logs({ limit: 5, cursor: 'abc' });
  equal(page.data, []);
  equal(seen[0].url, '/admin/logs?limit=5&cursor=abc');
  equal(seen[0].options.headers.Authorization, 'Bearer t0ken');
  await api.log('a/b c');
  equal(seen[1].url, '/admin/logs/a%2Fb%20c');
});

test('failures carry the envelope\'s message and status', async () => {
  const api = createApi('x', fakeFetch(503, { error: { type: 'store_unavailable', message: 'db down' } }, []));
  try {
    await api.stats({ group_by: 'model' });
    ok(false, 'no error');
  } catch (e) {
    ok(e instanceof ApiError);
    equal([e.status, e.type, e.message], [503, 'store_unavailable', 'db down']);
  }
});

test('the console asks the gateway whether the admin API is on', async () => {
  const seen = [];
  equal(await consoleStatus(fakeFetch(200, { admin_api: false, request_log: true }, seen)),
    { admin_api: false, request_log: true });
  equal(seen[0].url, 'status.json');
  try {
    await consoleStatus(fakeFetch(500, {}, []));
    ok(false, 'no error');
  } catch (e) {
    equal(e.status, 500);
  }
});
