// The Zerigo update endpoint answers as PROTOCOL.md says, over IPv4 and IPv6 loopback.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUTH, basic, get, HOST, providerFor, TOKEN, USER } from './client';

const q = (params: Record<string, string>) => new URLSearchParams(params).toString();

test('an update with Basic auth sets the A record and answers Status: 200', async (t) => {
  const p = await providerFor(t);
  const r = await get(`${p.url}/dynamic?${q({ host: HOST, ip: '203.0.113.5' })}`, { headers: AUTH });
  assert.equal(r.status, 200);
  assert.equal(r.body, 'Status: 200\n');
  assert.match(String(r.headers['content-type']), /^text\/plain/);
  assert.deepEqual(p.records.get(HOST), { A: '203.0.113.5' });
  const [rec] = p.requests;
  assert.ok(rec);
  assert.equal(rec.endpoint, 'update');
  assert.deepEqual(rec.auth, { user: USER, password: TOKEN, via: 'basic' });
  assert.equal(rec.headers.authorization, AUTH.Authorization, 'the header is kept as the client sent it');
  assert.equal(rec.host, HOST);
  assert.equal(rec.ip, '203.0.113.5');
  assert.equal(rec.record, 'A');
  assert.equal(rec.status, 200);
  assert.equal(rec.remoteAddress, '127.0.0.1');
  assert.equal(rec.remoteFamily, 'ipv4');
});

test('credentials in the query (user= and password=) work too', async (t) => {
  const p = await providerFor(t);
  const r = await get(`${p.url}/dynamic?${q({ host: HOST, ip: '198.51.100.1', user: USER, password: TOKEN })}`);
  assert.equal(r.status, 200);
  assert.deepEqual(p.requests[0]?.auth, { user: USER, password: TOKEN, via: 'query' });
  assert.equal(p.records.get(HOST)?.A, '198.51.100.1');
});

test('Basic auth wins over query credentials when both are sent', async (t) => {
  const p = await providerFor(t);
  const r = await get(`${p.url}/dynamic?${q({ host: HOST, ip: '198.51.100.1', user: USER, password: 'wrong' })}`, { headers: AUTH });
  assert.equal(r.status, 200);
  assert.equal(p.requests[0]?.auth?.via, 'basic');
});

test('an IPv6 address sets the AAAA record, stored in canonical form', async (t) => {
  const p = await providerFor(t);
  const r = await get(`${p.url6}/dynamic?${q({ host: HOST, ip: '2001:DB8:0:0::0:72' })}`, { headers: AUTH });
  assert.equal(r.status, 200);
  assert.deepEqual(p.records.get(HOST), { AAAA: '2001:db8::72' });
  assert.equal(p.requests[0]?.remoteFamily, 'ipv6');
  assert.equal(p.requests[0]?.remoteAddress, '::1');
});

test('A and AAAA of one host are independent records', async (t) => {
  const p = await providerFor(t);
  await get(`${p.url}/dynamic?${q({ host: HOST, ip: '203.0.113.5' })}`, { headers: AUTH });
  await get(`${p.url}/dynamic?${q({ host: HOST, ip: '2001:db8::5' })}`, { headers: AUTH });
  assert.deepEqual(p.records.get(HOST), { A: '203.0.113.5', AAAA: '2001:db8::5' });
});

test('without ip, the connection source decides the address and the record type', async (t) => {
  const p = await providerFor(t);
  assert.equal((await get(`${p.url}/dynamic?host=${HOST}`, { headers: AUTH })).status, 200);
  assert.equal((await get(`${p.url6}/dynamic?host=${HOST}`, { headers: AUTH })).status, 200);
  assert.deepEqual(p.records.get(HOST), { A: '127.0.0.1', AAAA: '::1' });
  assert.deepEqual(p.requests.map((r) => r.record), ['A', 'AAAA']);
});

test('no credentials at all: 401 with a Basic challenge', async (t) => {
  const p = await providerFor(t);
  const r = await get(`${p.url}/dynamic?host=${HOST}&ip=203.0.113.5`);
  assert.equal(r.status, 401);
  assert.equal(r.body, 'Status: 401\nlogin and token required\n');
  assert.match(String(r.headers['www-authenticate']), /^Basic realm=/);
  assert.equal(p.requests[0]?.auth, null);
  assert.equal(p.records.size, 0);
});

test('a wrong token, an unknown login or a malformed header: 401, nothing set', async (t) => {
  const p = await providerFor(t);
  const cases: [Record<string, string>, string][] = [
    [{ Authorization: basic(USER, 'nope') }, 'bad login or token'],
    [{ Authorization: basic('who@example.com', TOKEN) }, 'bad login or token'],
    [{ Authorization: basic(USER.toUpperCase(), TOKEN) }, 'bad login or token'],
    [{ Authorization: 'Basic not*base64' }, 'malformed Authorization header'],
    [{ Authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` }, 'malformed Authorization header'],
  ];
  for (const [headers, reason] of cases) {
    const r = await get(`${p.url}/dynamic?host=${HOST}&ip=203.0.113.5`, { headers });
    assert.equal(r.status, 401, headers.Authorization);
    assert.equal(r.body, `Status: 401\n${reason}\n`);
  }
  const viaQuery = await get(`${p.url}/dynamic?${q({ host: HOST, user: USER, password: 'nope' })}`);
  assert.equal(viaQuery.status, 401);
  const onlyUser = await get(`${p.url}/dynamic?${q({ host: HOST, user: USER })}`);
  assert.equal(onlyUser.status, 401);
  assert.equal(p.records.size, 0);
});

test('an account whose updates are disabled: 403', async (t) => {
  const p = await providerFor(t, { accounts: [{ user: 'u@example.com', token: 't0k', hosts: ['a.example.com'], updatesEnabled: false }] });
  const r = await get(`${p.url}/dynamic?host=a.example.com&ip=203.0.113.5`, { headers: { Authorization: basic('u@example.com', 't0k') } });
  assert.equal(r.status, 403);
  assert.equal(r.body, 'Status: 403\nupdates are not enabled for this account\n');
  assert.equal(p.records.size, 0);
});

test('given accounts replace the default one', async (t) => {
  const p = await providerFor(t, { accounts: [{ user: 'u@example.com', token: 't0k', hosts: ['a.example.com'] }] });
  assert.equal((await get(`${p.url}/dynamic?host=${HOST}&ip=203.0.113.5`, { headers: AUTH })).status, 401);
  const ok = await get(`${p.url}/dynamic?host=a.example.com&ip=203.0.113.5`, { headers: { Authorization: basic('u@example.com', 't0k') } });
  assert.equal(ok.status, 200);
});

test('a host outside the account: 404; no host: 400', async (t) => {
  const p = await providerFor(t);
  const other = await get(`${p.url}/dynamic?host=other.example.com&ip=203.0.113.5`, { headers: AUTH });
  assert.equal(other.status, 404);
  assert.equal(other.body, 'Status: 404\nhost "other.example.com" is not in this account\n');
  assert.equal((await get(`${p.url}/dynamic?ip=203.0.113.5`, { headers: AUTH })).status, 400);
  assert.equal((await get(`${p.url}/dynamic?host=&ip=203.0.113.5`, { headers: AUTH })).status, 400);
  assert.equal(p.records.size, 0);
});

test('host names match whatever their case and trailing dot', async (t) => {
  const p = await providerFor(t);
  assert.equal((await get(`${p.url}/dynamic?host=WWW.Example.Zerigo.com.&ip=203.0.113.9`, { headers: AUTH })).status, 200);
  assert.deepEqual(p.records.get('www.example.zerigo.com'), { A: '203.0.113.9' });
});

test('anything but an IPv4 or IPv6 address in ip: 400, nothing set', async (t) => {
  const p = await providerFor(t);
  for (const ip of ['', '1.2.3', '01.2.3.4', '256.1.1.1', '1.2.3.4 ', 'fe80::1%eth0', 'example.com', '2001:db8::1::2', '203.0.113.5/24']) {
    const r = await get(`${p.url}/dynamic?${q({ host: HOST, ip })}`, { headers: AUTH });
    assert.equal(r.status, 400, JSON.stringify(ip));
    assert.equal(r.body, `Status: 400\ninvalid ip ${JSON.stringify(ip)}\n`);
  }
  assert.equal(p.records.size, 0);
});

test('a parameter given twice: 400', async (t) => {
  const p = await providerFor(t);
  const r = await get(`${p.url}/dynamic?host=${HOST}&ip=203.0.113.5&ip=203.0.113.6`, { headers: AUTH });
  assert.equal(r.status, 400);
  assert.equal(r.body, 'Status: 400\nparameter ip given more than once\n');
});

test('only GET: 405 with Allow', async (t) => {
  const p = await providerFor(t);
  const r = await get(`${p.url}/dynamic?host=${HOST}&ip=203.0.113.5`, { method: 'POST', headers: AUTH, body: 'x' });
  assert.equal(r.status, 405);
  assert.equal(r.headers.allow, 'GET');
  assert.equal(p.records.size, 0);
});

test('a + in a query value is a space, as in every form decoder: the client must percent-encode', async (t) => {
  const p = await providerFor(t, { accounts: [{ user: 'u+1@example.com', token: 'a+b', hosts: [HOST] }] });
  const raw = await get(`${p.url}/dynamic?host=${HOST}&ip=203.0.113.5&user=u+1@example.com&password=a+b`);
  assert.equal(raw.status, 401);
  const encoded = await get(`${p.url}/dynamic?host=${HOST}&ip=203.0.113.5&user=${encodeURIComponent('u+1@example.com')}&password=${encodeURIComponent('a+b')}`);
  assert.equal(encoded.status, 200);
});
