// The dyndns2 endpoint answers each case with its word, over IPv4 and IPv6 loopback.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUTH, basic, get, HOST, providerFor, TOKEN, USER } from './client';

const UA = { 'User-Agent': 'updyn-test/1' };
const H = { ...AUTH, ...UA };
const nic = (base: string, params: Record<string, string>) => `${base}/nic/update?${new URLSearchParams(params)}`;

test('good when the record changes, nochg when it is the same address, good again on a new one', async (t) => {
  const p = await providerFor(t);
  const first = await get(nic(p.url, { hostname: HOST, myip: '203.0.113.5' }), { headers: H });
  assert.equal(first.status, 200);
  assert.equal(first.body, 'good 203.0.113.5');
  assert.match(String(first.headers['content-type']), /^text\/plain/);
  assert.equal((await get(nic(p.url, { hostname: HOST, myip: '203.0.113.5' }), { headers: H })).body, 'nochg 203.0.113.5');
  assert.equal((await get(nic(p.url, { hostname: HOST, myip: '203.0.113.6' }), { headers: H })).body, 'good 203.0.113.6');
  assert.deepEqual(p.records.get(HOST), { A: '203.0.113.6' });
  assert.equal(p.requests[0]?.endpoint, 'dyndns2');
  assert.equal(p.requests[0]?.host, HOST);
});

test('nochg compares addresses, not their spelling', async (t) => {
  const p = await providerFor(t);
  await get(nic(p.url, { hostname: HOST, myip: '2001:db8::1' }), { headers: H });
  assert.equal((await get(nic(p.url, { hostname: HOST, myip: '2001:0DB8:0::1' }), { headers: H })).body, 'nochg 2001:db8::1');
});

test('an IPv6 myip sets AAAA, and without myip the source is used (over IPv6 here)', async (t) => {
  const p = await providerFor(t);
  assert.equal((await get(nic(p.url, { hostname: HOST, myip: '2001:db8::72' }), { headers: H })).body, 'good 2001:db8::72');
  assert.equal((await get(nic(p.url6, { hostname: 'www.example.zerigo.com' }), { headers: H })).body, 'good ::1');
  assert.deepEqual(p.records.get(HOST), { AAAA: '2001:db8::72' });
  assert.deepEqual(p.records.get('www.example.zerigo.com'), { AAAA: '::1' });
});

test('a myip that is not an address is ignored for the source, as the dyndns2 spec says', async (t) => {
  const p = await providerFor(t);
  assert.equal((await get(nic(p.url, { hostname: HOST, myip: 'bogus' }), { headers: H })).body, 'good 127.0.0.1');
});

test('badauth with HTTP 401: no credentials, wrong token, or credentials in the query only', async (t) => {
  const p = await providerFor(t);
  for (const headers of [UA, { ...UA, Authorization: basic(USER, 'wrong') }, { ...UA, Authorization: 'Basic %%%' }]) {
    const r = await get(nic(p.url, { hostname: HOST, myip: '203.0.113.5' }), { headers });
    assert.equal(r.status, 401);
    assert.equal(r.body, 'badauth');
  }
  const query = await get(nic(p.url, { hostname: HOST, myip: '203.0.113.5', user: USER, password: TOKEN }), { headers: UA });
  assert.equal(query.body, 'badauth');
  assert.equal(p.records.size, 0);
});

test('badagent without a User-Agent, or with another method than GET', async (t) => {
  const p = await providerFor(t);
  const noUa = await get(nic(p.url, { hostname: HOST, myip: '203.0.113.5' }), { headers: AUTH });
  assert.equal(noUa.status, 200);
  assert.equal(noUa.body, 'badagent');
  assert.equal((await get(nic(p.url, { hostname: HOST }), { headers: H, method: 'POST' })).body, 'badagent');
  assert.equal(p.records.size, 0);
});

test('abuse for an account whose updates are disabled', async (t) => {
  const p = await providerFor(t, { accounts: [{ user: 'u@example.com', token: 't', hosts: ['a.example.com'], updatesEnabled: false }] });
  const r = await get(nic(p.url, { hostname: 'a.example.com', myip: '203.0.113.5' }), { headers: { ...UA, Authorization: basic('u@example.com', 't') } });
  assert.equal(r.status, 200);
  assert.equal(r.body, 'abuse');
});

test('nohost for a host outside the account, notfqdn for what is not a full name', async (t) => {
  const p = await providerFor(t);
  assert.equal((await get(nic(p.url, { hostname: 'other.example.com', myip: '203.0.113.5' }), { headers: H })).body, 'nohost');
  for (const hostname of ['example', '1.2.3.4', '-bad.example.com', 'a..example.com', '']) {
    assert.equal((await get(nic(p.url, { hostname, myip: '203.0.113.5' }), { headers: H })).body, 'notfqdn', hostname);
  }
  assert.equal((await get(`${p.url}/nic/update?myip=203.0.113.5`, { headers: H })).body, 'notfqdn');
  assert.equal(p.records.size, 0);
});

test('a list of hosts gets one line per host', async (t) => {
  const p = await providerFor(t);
  await get(nic(p.url, { hostname: HOST, myip: '203.0.113.5' }), { headers: H });
  const r = await get(nic(p.url, { hostname: `${HOST},www.example.zerigo.com,nope.example.com,bare`, myip: '203.0.113.5' }), { headers: H });
  assert.equal(r.body, 'nochg 203.0.113.5\ngood 203.0.113.5\nnohost\nnotfqdn');
  assert.deepEqual(p.requests[1]?.hosts, [HOST, 'www.example.zerigo.com', 'nope.example.com', 'bare']);
});

test('numhost for more than 20 hosts; 20 are answered', async (t) => {
  const p = await providerFor(t);
  const list = (n: number) => Array.from({ length: n }, () => HOST).join(',');
  const twenty = await get(nic(p.url, { hostname: list(20), myip: '203.0.113.5' }), { headers: H });
  assert.equal(twenty.body.split('\n').length, 20);
  const many = await get(nic(p.url, { hostname: list(21), myip: '203.0.113.6' }), { headers: H });
  assert.equal(many.status, 200);
  assert.equal(many.body, 'numhost');
  assert.equal(p.records.get(HOST)?.A, '203.0.113.5');
});

test('the word mode answers any word, with any status', async (t) => {
  const p = await providerFor(t);
  p.setMode('dyndns2', { kind: 'word', word: '911', times: 1 });
  assert.deepEqual(await bodyOf(p.url), [200, '911']);
  p.setMode('dyndns2', { kind: 'word', word: 'dnserr', status: 500, times: 1 });
  assert.deepEqual(await bodyOf(p.url), [500, 'dnserr']);
  p.setMode('dyndns2', { kind: 'word', word: '!donator', times: 1 });
  assert.deepEqual(await bodyOf(p.url), [200, '!donator']);
  assert.deepEqual(await bodyOf(p.url), [200, 'good 203.0.113.5']);
  assert.equal(p.requests.filter((r) => r.mode === 'word').length, 3);

  async function bodyOf(base: string): Promise<[number, string]> {
    const r = await get(nic(base, { hostname: HOST, myip: '203.0.113.5' }), { headers: H });
    return [r.status, r.body];
  }
});
