// The custom endpoint answers 200 whatever happens; only the body says OK or ERROR.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUTH, basic, get, HOST, providerFor, TOKEN, USER } from './client';

/** The URL updyn builds from 'http://HOST:PORT/custom?domain=[DOMAIN]&addr=[IP]&u=[USERNAME]&p=[PASSWORD]'. */
const custom = (base: string, domain: string, addr: string, u = USER, p = TOKEN) =>
  `${base}/custom?domain=${encodeURIComponent(domain)}&addr=${encodeURIComponent(addr)}&u=${encodeURIComponent(u)}&p=${encodeURIComponent(p)}`;

test('a good update answers 200 "OK <addr>" and sets the record', async (t) => {
  const p = await providerFor(t);
  const r = await get(custom(p.url, HOST, '203.0.113.5'));
  assert.equal(r.status, 200);
  assert.equal(r.body, 'OK 203.0.113.5');
  const v6 = await get(custom(p.url6, HOST, '2001:db8::5'));
  assert.equal(v6.body, 'OK 2001:db8::5');
  assert.deepEqual(p.records.get(HOST), { A: '203.0.113.5', AAAA: '2001:db8::5' });
  assert.equal(p.requests[0]?.endpoint, 'custom');
  assert.deepEqual(p.requests[0]?.auth, { user: USER, password: TOKEN, via: 'query' });
  assert.equal(p.requests[0]?.host, HOST);
});

test('every failure is still HTTP 200, with "ERROR: <reason>"', async (t) => {
  const p = await providerFor(t, {
    accounts: [
      { user: USER, token: TOKEN, hosts: [HOST] },
      { user: 'off@example.com', token: 'x', hosts: ['off.example.com'], updatesEnabled: false },
    ],
  });
  const cases: [string, string][] = [
    [custom(p.url, HOST, '203.0.113.5', USER, 'wrong'), 'ERROR: bad login or token'],
    [`${p.url}/custom?domain=${HOST}&addr=203.0.113.5`, 'ERROR: login and token required'],
    [custom(p.url, 'off.example.com', '203.0.113.5', 'off@example.com', 'x'), 'ERROR: updates are not enabled for this account'],
    [custom(p.url, 'other.example.com', '203.0.113.5'), 'ERROR: unknown domain "other.example.com"'],
    [custom(p.url, '', '203.0.113.5'), 'ERROR: missing domain'],
    [custom(p.url, HOST, '203.0.113'), 'ERROR: invalid address "203.0.113"'],
    [custom(p.url, HOST, ''), 'ERROR: invalid address ""'],
  ];
  for (const [url, body] of cases) {
    const r = await get(url);
    assert.equal(r.status, 200, url);
    assert.equal(r.body, body);
  }
  assert.equal(p.records.size, 0);
});

test('without addr the source address is used', async (t) => {
  const p = await providerFor(t);
  const r = await get(`${p.url6}/custom?domain=${HOST}&u=${encodeURIComponent(USER)}&p=${TOKEN}`);
  assert.equal(r.body, 'OK ::1');
});

test('Basic auth works when the URL carries no credentials', async (t) => {
  const p = await providerFor(t);
  const r = await get(`${p.url}/custom?domain=${HOST}&addr=203.0.113.5`, { headers: AUTH });
  assert.equal(r.body, 'OK 203.0.113.5');
  const bad = await get(`${p.url}/custom?domain=${HOST}&addr=203.0.113.5`, { headers: { Authorization: basic(USER, 'x') } });
  assert.equal(bad.body, 'ERROR: bad login or token');
});

test('only GET: 405', async (t) => {
  const p = await providerFor(t);
  assert.equal((await get(custom(p.url, HOST, '203.0.113.5'), { method: 'PUT', body: '' })).status, 405);
});
