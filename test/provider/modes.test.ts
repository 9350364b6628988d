// Every misbehaviour reaches a real client as it would from a provider on a bad day, and one-shot
// modes go back to normal by themselves.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUTH, get, HOST, open, providerFor } from './client';
import { startProvider } from './server';

const upd = (base: string, ip = '203.0.113.5') => `${base}/dynamic?host=${HOST}&ip=${ip}`;

test('a status mode answers that status and body, and sets nothing', async (t) => {
  const p = await providerFor(t);
  p.setMode('update', { kind: 'status', status: 503 });
  const r = await get(upd(p.url), { headers: AUTH });
  assert.equal(r.status, 503);
  assert.equal(r.body, 'Status: 503\n');
  p.setMode('update', { kind: 'status', status: 500, body: 'oops' });
  assert.equal((await get(upd(p.url), { headers: AUTH })).body, 'oops');
  assert.equal(p.records.size, 0);
  assert.deepEqual(p.requests.map((x) => [x.mode, x.status]), [['status', 503], ['status', 500]]);
  assert.equal(p.requests[0]?.host, HOST, 'what the client sent is recorded whatever the mode');
  assert.equal(p.requests[0]?.auth?.via, 'basic');
});

test('"the next 2 requests get 500": times makes a mode one-shot', async (t) => {
  const p = await providerFor(t);
  p.setMode('update', { kind: 'status', status: 500, times: 2 });
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await get(upd(p.url), { headers: AUTH })).status);
  assert.deepEqual(statuses, [500, 500, 200]);
  assert.equal(p.records.get(HOST)?.A, '203.0.113.5');
});

test('hang: the client gets no answer and times out; stop() still ends at once', async (t) => {
  const p = await startProvider();
  p.setMode('checkip', { kind: 'hang' });
  const started = performance.now();
  await assert.rejects(get(`${p.url}/checkip`, { timeoutMs: 300 }), /timeout after 300 ms/);
  assert.ok(performance.now() - started >= 290);
  assert.equal(p.requests[0]?.status, 0);
  // A second client left hanging: stop() must not wait for it.
  const pending = assert.rejects(get(`${p.url6}/checkip`, { timeoutMs: 5000 }), /socket hang up|ECONNRESET/);
  await p.waitForRequests(2, 2000);
  const stopAt = performance.now();
  await p.stop();
  assert.ok(performance.now() - stopAt < 1000, 'stop() destroys hanging sockets');
  await pending;
});

test('close: the connection drops without an answer', async (t) => {
  const p = await providerFor(t);
  p.setMode('update', { kind: 'close', times: 1 });
  await assert.rejects(get(upd(p.url), { headers: AUTH }), /socket hang up|ECONNRESET/);
  assert.equal((await get(upd(p.url), { headers: AUTH })).status, 200, 'one-shot: normal again');
  assert.deepEqual(p.requests.map((r) => [r.mode, r.status, r.localPort]), [['close', 0, p.port], ['normal', 200, p.port]]);
});

test('reset-mid-body: the client sees a 200, then the body breaks', async (t) => {
  const p = await providerFor(t);
  p.setMode('update', { kind: 'reset-mid-body' });
  const { res, done } = await open(upd(p.url), { headers: AUTH });
  assert.equal(res.statusCode, 200);
  res.resume();
  await assert.rejects(done);
  assert.equal(p.records.size, 0);
});

test('garbage: 200 with random bytes', async (t) => {
  const p = await providerFor(t);
  p.setMode('checkip', { kind: 'garbage' });
  const a = await get(`${p.url}/checkip`);
  const b = await get(`${p.url}/checkip`);
  assert.equal(a.status, 200);
  assert.ok(a.bytes.length >= 64 && a.bytes.length < 512);
  assert.notDeepEqual(a.bytes, b.bytes);
  assert.doesNotMatch(a.body, /^<ipv4>/);
});

test('slow-body: the body trickles at the given rate and never ends', async (t) => {
  const p = await providerFor(t);
  p.setMode('update', { kind: 'slow-body', bytesPerSecond: 40 });
  const { res, done, abort } = await open(upd(p.url), { headers: AUTH, timeoutMs: 5000 });
  let got = 0;
  res.on('data', (c: Buffer) => (got += c.length));
  let ended = false;
  void done.then(() => (ended = true), () => undefined);
  await new Promise((r) => setTimeout(r, 700));
  abort();
  assert.equal(res.statusCode, 200);
  assert.ok(got >= 10 && got <= 40, `about 28 bytes in 700 ms at 40 B/s, got ${got}`);
  assert.equal(ended, false);
});

test('huge-body: exactly that many bytes, announced in Content-Length', async (t) => {
  const p = await providerFor(t);
  p.setMode('checkip', { kind: 'huge-body', bytes: 3_000_000 });
  const r = await get(`${p.url}/checkip`, { timeoutMs: 10_000 });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-length'], '3000000');
  assert.equal(r.bytes.length, 3_000_000);
});

test('redirect: 302 (or the status given) to the location', async (t) => {
  const p = await providerFor(t);
  p.setMode('update', { kind: 'redirect', location: 'http://127.0.0.1:1/elsewhere', times: 1 });
  const r = await get(upd(p.url), { headers: AUTH });
  assert.equal(r.status, 302);
  assert.equal(r.headers.location, 'http://127.0.0.1:1/elsewhere');
  p.setMode('update', { kind: 'redirect', location: '/dynamic', status: 308, times: 1 });
  assert.equal((await get(upd(p.url), { headers: AUTH })).status, 308);
});

test('a mode on one endpoint leaves the others alone', async (t) => {
  const p = await providerFor(t);
  p.setMode('checkip', { kind: 'status', status: 500 });
  assert.equal((await get(upd(p.url), { headers: AUTH })).status, 200);
  assert.equal((await get(`${p.url}/checkip`)).status, 500);
});

test("'all' overrides every endpoint, and 'all' back to normal clears every mode", async (t) => {
  const p = await providerFor(t);
  p.setMode('update', { kind: 'status', status: 404 });
  p.setMode('all', { kind: 'status', status: 502, times: 2 });
  assert.equal((await get(`${p.url}/checkip`)).status, 502);
  assert.equal((await get(upd(p.url), { headers: AUTH })).status, 502, "one counter shared by all endpoints");
  assert.equal((await get(upd(p.url), { headers: AUTH })).status, 404, "then the endpoint's own mode");
  p.setMode('all', { kind: 'normal' });
  assert.equal((await get(upd(p.url), { headers: AUTH })).status, 200);
});

test('setMode refuses a mode that makes no sense', async (t) => {
  const p = await providerFor(t);
  assert.throws(() => p.setMode('update', { kind: 'status', status: 999 }), /status/);
  assert.throws(() => p.setMode('update', { kind: 'slow-body', bytesPerSecond: 0 }), /bytesPerSecond/);
  assert.throws(() => p.setMode('update', { kind: 'status', status: 500, times: 0 }), /times/);
  assert.throws(() => p.setMode('update', { kind: 'explode' } as never), /unknown mode kind/);
  assert.throws(() => p.setMode('nope' as 'update', { kind: 'hang' }), /unknown endpoint/);
});

test('reset() clears requests, records, modes and checkip answers', async (t) => {
  const p = await providerFor(t);
  await get(upd(p.url), { headers: AUTH });
  p.setMode('update', { kind: 'status', status: 500 });
  p.setCheckipAnswer('ipv4', '203.0.113.1');
  const log = p.requests;
  p.reset();
  assert.equal(p.requests.length, 0);
  assert.equal(p.records.size, 0);
  assert.equal((await get(upd(p.url), { headers: AUTH })).status, 200);
  assert.equal((await get(`${p.url}/checkip`)).body, '<ipv4>127.0.0.1</ipv4>');
  assert.equal(log, p.requests, 'the same array, so a caller may keep it');
  assert.deepEqual(p.requests.map((r) => r.seq), [2, 3], 'seq is never reused');
});

test('an unknown path is answered 404 and recorded as such', async (t) => {
  const p = await providerFor(t);
  p.setMode('all', { kind: 'hang' });
  assert.equal((await get(`${p.url}/nope`)).status, 404);
  assert.equal(p.requests[0]?.endpoint, 'unknown');
});

test('waitForRequests resolves when the requests arrive, filtered, in order', async (t) => {
  const p = await providerFor(t);
  const waiting = p.waitForRequests(2, 3000, (r) => r.endpoint === 'update');
  await get(`${p.url}/checkip`);
  await get(upd(p.url, '203.0.113.1'), { headers: AUTH });
  await get(upd(p.url6, '203.0.113.2'), { headers: AUTH });
  const got = await waiting;
  assert.deepEqual(got.map((r) => r.query.ip), ['203.0.113.1', '203.0.113.2']);
  assert.ok((got[0]?.monoMs ?? 0) <= (got[1]?.monoMs ?? 0));
  assert.deepEqual(await p.waitForRequests(1, 10), [p.requests[0]], 'already there: at once');
});

test('waitForRequests rejects on timeout with what did arrive', async (t) => {
  const p = await providerFor(t);
  await get(`${p.url}/checkip`);
  await assert.rejects(
    p.waitForRequests(1, 100, (r) => r.endpoint === 'dyndns2'),
    (e: Error) => /expected 1 matching request\(s\) within 100 ms, got 0/.test(e.message) && /#1 checkip GET \/checkip/.test(e.message),
  );
});

test('the same port on 127.0.0.1 and ::1, and given listen addresses are used', async (t) => {
  const p = await providerFor(t);
  assert.equal(p.url, `http://127.0.0.1:${p.port}`);
  assert.equal(p.url6, `http://[::1]:${p.port}`);
  const only4 = await startProvider({ listen: [{ host: '127.0.0.1' }] });
  t.after(() => only4.stop());
  assert.equal(only4.url6, undefined);
  const only6 = await startProvider({ listen: [{ host: '::1' }] });
  t.after(() => only6.stop());
  assert.equal(only6.url, `http://[::1]:${only6.port}`);
  assert.equal((await get(`${only6.url}/checkip`)).body, '<ipv6>::1</ipv6>');
});

test('two providers at once get different ports', async (t) => {
  const a = await providerFor(t);
  const b = await providerFor(t);
  assert.notEqual(a.port, b.port);
});
