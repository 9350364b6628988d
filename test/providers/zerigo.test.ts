// Zerigo round trips over real loopback sockets against the test provider:
// every answer class, both auth modes, both families, and the reach of each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zerigo } from '../../src/providers/zerigo';
import { HOST, OTHER_HOST, TOKEN, USER, providerWith, send, service } from './helpers';

const svc = (url: string, over: Parameters<typeof service>[0] = {}) => service({ update_url: `${url}/dynamic`, timeout: 2, ...over });

for (const auth of ['basic', 'query'] as const) {
  for (const family of ['ipv4', 'ipv6'] as const) {
    test(`a good update is ok and sets the ${family === 'ipv4' ? 'A' : 'AAAA'} record (auth ${auth})`, async (t) => {
      const p = await providerWith(t);
      const address = family === 'ipv4' ? '198.51.100.7' : '2001:db8::7';
      // the connection itself may be IPv4 or IPv6: the record follows the address sent
      const outcome = await send(zerigo, svc(family === 'ipv4' ? p.url : p.url6, { auth }), { family, address, host: OTHER_HOST });
      assert.deepEqual(outcome, { kind: 'ok', message: 'HTTP 200' });
      assert.deepEqual(p.records.get(OTHER_HOST), family === 'ipv4' ? { A: address } : { AAAA: address });
      const [r] = p.requests;
      assert.equal(r!.auth?.via, auth);
      assert.equal(r!.auth?.user, USER);
      assert.equal(r!.ip, address);
      if (auth === 'basic') assert.equal(r!.query.password, undefined, 'the token stays out of the URL');
      else assert.equal(r!.headers.authorization, undefined);
    });
  }
}

test('a wrong token is rejected for the whole service; updates not enabled likewise', async (t) => {
  const p = await providerWith(t);
  assert.deepEqual(await send(zerigo, svc(p.url, { password: 'wrong-token-123' })), {
    kind: 'rejected',
    reach: 'service',
    message: 'HTTP 401: bad login or token',
  });
  const q = await providerWith(t, TOKEN, { updatesEnabled: false });
  assert.deepEqual(await send(zerigo, svc(q.url)), { kind: 'rejected', reach: 'service', message: 'HTTP 403: updates not enabled for this account' });
});

test('an unknown host is rejected for that host only; a bad argument for that record', async (t) => {
  const p = await providerWith(t);
  assert.deepEqual(await send(zerigo, svc(p.url), { host: 'not-mine.example.org' }), { kind: 'rejected', reach: 'host', message: 'HTTP 404: unknown host' });
  p.setMode('update', { kind: 'status', status: 400, body: 'Status: 400\nbad ip\n', times: 1 });
  assert.deepEqual(await send(zerigo, svc(p.url)), { kind: 'rejected', reach: 'record', message: 'HTTP 400: bad argument' });
});

test('5xx, 429, a hang, a closed connection and a reset mid-body are trouble', async (t) => {
  const p = await providerWith(t);
  const cases: [Parameters<typeof p.setMode>[1], RegExp][] = [
    [{ kind: 'status', status: 500 }, /^HTTP 500$/],
    [{ kind: 'status', status: 503, body: 'Status: 503\n' }, /^HTTP 503$/],
    [{ kind: 'status', status: 429 }, /^HTTP 429: too many requests$/],
    [{ kind: 'hang' }, /^no answer within 2 s$/],
    [{ kind: 'close' }, /^connection (reset|closed)/],
    [{ kind: 'reset-mid-body' }, /connection (reset|closed)/],
  ];
  for (const [mode, message] of cases) {
    p.setMode('update', { ...mode, times: 1 });
    const outcome = await send(zerigo, svc(p.url));
    assert.equal(outcome.kind, 'trouble', `${JSON.stringify(mode)}: ${JSON.stringify(outcome)}`);
    assert.match(outcome.message, message);
  }
});

test('the body is read as well as the status: a 200 saying Status: 404 is a rejection of that host', async (t) => {
  const p = await providerWith(t);
  p.setMode('update', { kind: 'status', status: 200, body: 'Status: 404\nunknown host\n', times: 1 });
  assert.deepEqual(await send(zerigo, svc(p.url)), { kind: 'rejected', reach: 'host', message: 'HTTP 200, Status: 404: unknown host' });
  p.setMode('update', { kind: 'status', status: 200, body: 'Status: 200\n', times: 1 });
  assert.deepEqual(await send(zerigo, svc(p.url)), { kind: 'ok', message: 'HTTP 200' });
});

test('a redirect is not followed and stops the service', async (t) => {
  const p = await providerWith(t);
  p.setMode('update', { kind: 'redirect', location: `${p.url}/elsewhere`, times: 1 });
  const outcome = await send(zerigo, svc(p.url));
  assert.equal(outcome.kind, 'rejected');
  assert.match(outcome.message, /redirects; not followed/);
  assert.equal(p.requests.length, 1, 'nothing went to the redirect target');
});

test('every request carries a User-Agent naming updyn and its version, and no keep-alive', async (t) => {
  const p = await providerWith(t);
  await send(zerigo, svc(p.url));
  await send(zerigo, svc(p.url), { host: HOST, address: '203.0.113.9' });
  for (const r of p.requests) {
    assert.match(String(r.headers['user-agent']), /^updyn\/\S+ /);
    assert.equal(r.headers.connection, 'close');
  }
});
