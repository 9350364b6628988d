// The controls drive a provider over HTTP exactly as the in-process API does, and connectProvider
// gives a remote handle with the same operations.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUTH, get, HOST, providerFor } from './client';
import { connectProvider } from './remote';
import type { RecordedRequest } from './types';

const post = (url: string, body: unknown) =>
  get(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

test('GET /_control/requests and /_control/records return the log and the records; controls are not logged', async (t) => {
  const p = await providerFor(t);
  await get(`${p.url}/dynamic?host=${HOST}&ip=203.0.113.5`, { headers: AUTH });
  const reqs = await get(`${p.url}/_control/requests`);
  assert.equal(reqs.status, 200);
  assert.match(String(reqs.headers['content-type']), /^application\/json/);
  const list = JSON.parse(reqs.body) as RecordedRequest[];
  assert.equal(list.length, 1);
  assert.equal(list[0]?.endpoint, 'update');
  assert.deepEqual(JSON.parse((await get(`${p.url}/_control/records`)).body), { [HOST]: { A: '203.0.113.5' } });
  assert.equal(p.requests.length, 1);
  assert.deepEqual(JSON.parse((await get(`${p.url}/_control/requests?since=1`)).body), []);
});

test('POST /_control/mode sets a mode; modes never touch the controls', async (t) => {
  const p = await providerFor(t);
  const r = await post(`${p.url}/_control/mode`, { endpoint: 'all', mode: { kind: 'hang' } });
  assert.equal(r.status, 200);
  assert.equal((await get(`${p.url}/_control/info`)).status, 200);
  await assert.rejects(get(`${p.url}/checkip`, { timeoutMs: 200 }), /timeout/);
  await post(`${p.url}/_control/mode`, { endpoint: 'all', mode: { kind: 'normal' } });
  assert.equal((await get(`${p.url}/checkip`)).status, 200);
});

test('a bad control call is a 400 that says why', async (t) => {
  const p = await providerFor(t);
  const cases: [unknown, RegExp][] = [
    [{ endpoint: 'update', mode: { kind: 'status', status: 'x' } }, /"status" must be an integer/],
    [{ endpoint: 'moon', mode: { kind: 'hang' } }, /unknown endpoint "moon"/],
    [{ endpoint: 'update' }, /mode must be an object/],
  ];
  for (const [body, why] of cases) {
    const r = await post(`${p.url}/_control/mode`, body);
    assert.equal(r.status, 400);
    assert.match((JSON.parse(r.body) as { error: string }).error, why);
  }
  const notJson = await get(`${p.url}/_control/mode`, { method: 'POST', body: '{' });
  assert.equal(notJson.status, 400);
  assert.equal((await get(`${p.url}/_control/mode`)).status, 405);
  assert.equal((await get(`${p.url}/_control/nope`)).status, 404);
  assert.equal((await post(`${p.url}/_control/checkip`, { family: 'ipv4', address: 'x' })).status, 400);
});

test('POST /_control/checkip and /_control/reset', async (t) => {
  const p = await providerFor(t);
  assert.equal((await post(`${p.url}/_control/checkip`, { family: 'ipv6', address: '2001:db8::1' })).status, 200);
  assert.equal((await get(`${p.url6}/checkip`)).body, '<ipv6>2001:db8::1</ipv6>');
  assert.equal((await post(`${p.url}/_control/checkip`, { family: 'ipv6', address: null })).status, 200);
  assert.equal((await get(`${p.url6}/checkip`)).body, '<ipv6>::1</ipv6>');
  assert.equal((await post(`${p.url}/_control/reset`, {})).status, 200);
  assert.equal(p.requests.length, 0);
});

test('connectProvider drives a provider through its controls', async (t) => {
  const p = await providerFor(t);
  const remote = await connectProvider(p.url6);
  assert.deepEqual([remote.url, remote.url6, remote.port], [p.url, p.url6, p.port]);
  await remote.setMode('update', { kind: 'status', status: 500, times: 1 });
  await remote.setCheckipAnswer('ipv4', '198.51.100.4');
  const waiting = remote.waitForRequests(2, 3000, (r) => r.endpoint === 'update');
  assert.equal((await get(`${p.url}/dynamic?host=${HOST}&ip=203.0.113.5`, { headers: AUTH })).status, 500);
  assert.equal((await get(`${p.url}/dynamic?host=${HOST}&ip=203.0.113.5`, { headers: AUTH })).status, 200);
  assert.deepEqual((await waiting).map((r) => r.status), [500, 200]);
  assert.equal((await get(`${p.url}/checkip`)).body, '<ipv4>198.51.100.4</ipv4>');
  assert.deepEqual(await remote.records(), new Map([[HOST, { A: '203.0.113.5' }]]));
  assert.equal((await remote.requests()).length, 3);
  await assert.rejects(remote.waitForRequests(1, 100, (r) => r.endpoint === 'custom'), /expected 1 matching request\(s\) within 100 ms, got 0/);
  await assert.rejects(remote.setMode('update', { kind: 'status', status: 1 }), /400/);
  await remote.reset();
  assert.deepEqual(await remote.requests(), []);
});

test('connectProvider fails clearly when nothing listens', async () => {
  await assert.rejects(connectProvider('http://127.0.0.1:1'), /ECONNREFUSED/);
});
