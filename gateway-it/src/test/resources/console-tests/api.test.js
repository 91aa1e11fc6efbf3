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

test('managed keys are written with the method, path and JSON body the admin API takes', async () => {
  const seen = [];
  const api = createApi('t0ken', fakeFetch(200, { name: 'a b' }, seen));
  await api.createKey({ name: 'a b', allowed_models: ['openai/*'] });
  equal([seen[0].url, seen[0].options.method], ['/admin/virtual-keys', 'POST']);
  equal(JSON.parse(seen[0].options.body), { name: 'a b', allowed_models: ['openai/*'] });
  equal(seen[0].options.headers['Content-Type'], 'application/json');
  equal(seen[0].options.headers.Authorization, 'Bearer t0ken');
  await api.updateKey('a b', { disabled: true });
  equal([seen[1].url, seen[1].options.method], ['/admin/virtual-keys/a%20b', 'PATCH']);
  await api.rotateKey('a b', '10m');
  equal([seen[2].url, seen[2].options.method, JSON.parse(seen[2].options.body)],
    ['/admin/virtual-keys/a%20b/rotate', 'POST', { grace: '10m' }]);
  await api.rotateKey('a b', '');
  equal(JSON.parse(seen[3].options.body), {});
});

test('a deleted key answers 204 without a body', async () => {
  const seen = [];
  const api = createApi('x', async (url, options) => {
    seen.push({ url, options });
    return new Response(null, { status: 204 });
  });
  equal(await api.deleteKey('old'), null);
  equal([seen[0].url, seen[0].options.method], ['/admin/virtual-keys/old', 'DELETE']);
});
