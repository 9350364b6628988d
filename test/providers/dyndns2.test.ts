// dyndns2 against the test provider's /nic/update over real loopback sockets:
// every answer word, what updyn makes of it (ok / rejected with its reach /
// trouble with its floor), and that no token ever reaches a message.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { dyndns2, FLOOR_911 } from '../../src/providers/dyndns2';
import { providerFor as specFor } from '../../src/providers';
import type { ServiceConfig } from '../../src/types';
import { HOST, OTHER_HOST, providerWith, send, service, TOKEN, USER } from './helpers';

async function setup(t: TestContext, over: Partial<ServiceConfig> = {}, ipv6 = false) {
  const p = await providerWith(t);
  const svc = service({ protocol: 'dyndns2', update_url: `${ipv6 ? p.url6 : p.url}/nic/update`, timeout: 2, ...over });
  return { p, svc };
}

test('the registry knows dyndns2', () => {
  assert.equal(specFor('dyndns2'), dyndns2);
});

test('an update is good, the same address again is nochg; hostname, myip and Basic auth are sent', async (t) => {
  const { p, svc } = await setup(t);
  assert.deepEqual(await send(dyndns2, svc), { kind: 'ok', message: 'good 203.0.113.5' });
  assert.deepEqual(await send(dyndns2, svc), { kind: 'ok', message: 'nochg 203.0.113.5' });
  assert.deepEqual(p.records.get(HOST), { A: '203.0.113.5' });
  const [first] = p.requests;
  assert.equal(first?.endpoint, 'dyndns2');
  assert.deepEqual(first?.query, { hostname: HOST, myip: '203.0.113.5' });
  assert.deepEqual(first?.auth, { user: USER, password: TOKEN, via: 'basic' });
  assert.match(first?.headers['user-agent'] ?? '', /^updyn\//);
});

test('IPv6 goes as its own request with myip, here over IPv6 loopback, and sets AAAA', async (t) => {
  const { p, svc } = await setup(t, {}, true);
  assert.deepEqual(await send(dyndns2, svc, { family: 'ipv6', address: '2001:db8::5' }), { kind: 'ok', message: 'good 2001:db8::5' });
  assert.equal(p.requests[0]?.remoteFamily, 'ipv6');
  assert.deepEqual(p.requests[0]?.hosts, [HOST], 'one host per request');
  // another spelling of the same address is the same address
  const again = await send(dyndns2, svc, { family: 'ipv6', address: '2001:DB8:0::5' });
  assert.deepEqual(again, { kind: 'ok', message: 'nochg 2001:db8::5' });
  assert.deepEqual(p.records.get(HOST), { AAAA: '2001:db8::5' });
});

test('a wrong token is badauth (HTTP 401): the whole service stops', async (t) => {
  const { svc } = await setup(t, { password: `${TOKEN}-wrong` });
  assert.deepEqual(await send(dyndns2, svc), { kind: 'rejected', reach: 'service', message: 'dyndns2 badauth: bad login or token' });
});

test("auth 'query' sends username= and password= instead of the header (this provider wants Basic: badauth)", async (t) => {
  const { p, svc } = await setup(t, { auth: 'query' });
  const outcome = await send(dyndns2, svc);
  assert.equal(outcome.kind, 'rejected');
  assert.equal(p.requests[0]?.query.username, USER);
  assert.equal(p.requests[0]?.query.password, TOKEN);
  assert.equal(p.requests[0]?.headers.authorization, undefined);
});

test('a host outside the account is nohost and a bare name is notfqdn: that host stops', async (t) => {
  const { svc } = await setup(t);
  assert.deepEqual(await send(dyndns2, svc, { host: 'elsewhere.example.com' }), {
    kind: 'rejected',
    reach: 'host',
    message: 'dyndns2 nohost: the host is not in this account',
  });
  const notfqdn = await send(dyndns2, svc, { host: 'router' });
  assert.deepEqual([notfqdn.kind, notfqdn.kind === 'rejected' && notfqdn.reach], ['rejected', 'host']);
  assert.match(notfqdn.message, /^dyndns2 notfqdn: /);
});

test('an account whose updates are blocked is abuse: the whole service stops', async (t) => {
  const p = await providerWith(t, TOKEN, { updatesEnabled: false });
  const outcome = await send(dyndns2, service({ protocol: 'dyndns2', update_url: `${p.url}/nic/update` }));
  assert.deepEqual(outcome, { kind: 'rejected', reach: 'service', message: 'dyndns2 abuse: the account is blocked for abuse' });
});

// Words the provider only says through its `word` mode, each with what it must become.
const WORDS: [word: string, status: number, expected: object][] = [
  ['badauth', 200, { kind: 'rejected', reach: 'service' }],
  ['!donator', 200, { kind: 'rejected', reach: 'service' }],
  ['abuse', 200, { kind: 'rejected', reach: 'service' }],
  ['badagent', 200, { kind: 'rejected', reach: 'service' }],
  ['nohost', 200, { kind: 'rejected', reach: 'host' }],
  ['notfqdn', 200, { kind: 'rejected', reach: 'host' }],
  ['numhost', 200, { kind: 'rejected', reach: 'host' }],
  ['dnserr', 200, { kind: 'trouble' }],
  ['911', 200, { kind: 'trouble', floor: FLOOR_911, reach: 'service' }],
  ['911', 503, { kind: 'trouble', floor: FLOOR_911, reach: 'service' }],
  ['badauth', 401, { kind: 'rejected', reach: 'service' }],
  ['nohost', 404, { kind: 'rejected', reach: 'host' }],
  ['dnserr', 500, { kind: 'trouble' }],
  ['good 203.0.113.5', 200, { kind: 'ok' }],
  ['nochg 203.0.113.5\n', 200, { kind: 'ok' }],
  ['good', 200, { kind: 'ok' }],
  ['GOOD 203.0.113.5', 200, { kind: 'ok' }],
  ['good 2001:db8::9,203.0.113.5', 200, { kind: 'ok', message: 'good 203.0.113.5' }],
  ['nochg hello', 200, { kind: 'ok', message: 'nochg' }],
];

test('each answer word, whatever the HTTP status, has its outcome, reach and floor', async (t) => {
  const { p, svc } = await setup(t);
  for (const [word, status, expected] of WORDS) {
    p.setMode('dyndns2', { kind: 'word', word, status, times: 1 });
    const outcome = await send(dyndns2, svc);
    assert.deepEqual(pick(outcome, Object.keys(expected)), expected, `${word} (HTTP ${status}): ${JSON.stringify(outcome)}`);
    const bare = word.trim().split(' ')[0]?.toLowerCase() ?? '';
    if (outcome.kind !== 'ok') assert.ok(outcome.message.startsWith(`dyndns2 ${bare}: `), outcome.message);
  }
  assert.equal(p.requests.length, WORDS.length);
});

test('911 says for how long: a floor of 30 minutes for the whole service', async (t) => {
  const { p, svc } = await setup(t);
  p.setMode('dyndns2', { kind: 'word', word: '911' });
  assert.deepEqual(await send(dyndns2, svc), {
    kind: 'trouble',
    message: 'dyndns2 911: problem or maintenance at the provider',
    floor: 1800,
    reach: 'service',
  });
});

test('without a word the status speaks: 401 is badauth, 5xx and 429 are trouble, another 4xx stops the record', async (t) => {
  const { p, svc } = await setup(t);
  const cases: [status: number, body: string, expected: object][] = [
    [401, '', { kind: 'rejected', reach: 'service', message: 'HTTP 401: bad login or token' }],
    [401, '<h1>Unauthorized</h1>', { kind: 'rejected', reach: 'service', message: 'HTTP 401: bad login or token' }],
    [503, '', { kind: 'trouble', message: 'HTTP 503' }],
    [500, 'Internal Server Error', { kind: 'trouble', message: 'HTTP 500: "Internal Server Error"' }],
    [429, '', { kind: 'trouble', message: 'HTTP 429' }],
    [404, 'Not Found', { kind: 'rejected', reach: 'record', message: 'HTTP 404: "Not Found"' }],
  ];
  for (const [status, body, expected] of cases) {
    p.setMode('dyndns2', { kind: 'status', status, body, times: 1 });
    assert.deepEqual(await send(dyndns2, svc), expected, `HTTP ${status} ${JSON.stringify(body)}`);
  }
});

test('an answer updyn does not understand is trouble, never a registration', async (t) => {
  const { p, svc } = await setup(t);
  for (const [word, status] of [['hello world', 200], ['', 200], ['good 203.0.113.5', 500], ['nochg', 401]] as const) {
    p.setMode('dyndns2', { kind: 'word', word, status, times: 1 });
    const outcome = await send(dyndns2, svc);
    assert.equal(outcome.kind, 'trouble', `${JSON.stringify(word)} (HTTP ${status}): ${JSON.stringify(outcome)}`);
    assert.match(outcome.message, new RegExp(`^HTTP ${status}: dyndns2 (an empty answer|unexpected answer ")`));
  }
  p.setMode('dyndns2', { kind: 'garbage', times: 1 });
  const garbage = await send(dyndns2, svc);
  assert.equal(garbage.kind, 'trouble');
  assert.match(garbage.message, /^HTTP 200: dyndns2 (an empty answer|unexpected answer "[\x20-\x7e…]*")$/);
});

test('good naming another address than the one sent stops that record: the provider ignored myip', async (t) => {
  const { p, svc } = await setup(t);
  p.setMode('dyndns2', { kind: 'word', word: 'good 198.51.100.9' });
  const outcome = await send(dyndns2, svc);
  assert.deepEqual(pick(outcome, ['kind', 'reach']), { kind: 'rejected', reach: 'record' });
  assert.match(outcome.message, /^dyndns2 good 198\.51\.100\.9: the provider set another address than 203\.0\.113\.5/);
  p.setMode('dyndns2', { kind: 'word', word: 'good 203.0.113.5' });
  assert.equal((await send(dyndns2, svc, { family: 'ipv6', address: '2001:db8::5' })).kind, 'rejected', 'an IPv4 echo to an IPv6 update');
});

test('an answer that echoes the token is quoted without it', async (t) => {
  const { p, svc } = await setup(t, { password: `${TOKEN}&x y` });
  const echoes = [`bad request: password=${encodeURIComponent(svc.password)}`, `no ${svc.password} here`, `x=${new URLSearchParams({ p: svc.password }).toString()}`];
  for (const body of echoes) {
    p.setMode('dyndns2', { kind: 'status', status: 400, body, times: 1 });
    const outcome = await send(dyndns2, svc); // send() asserts no secret in the outcome
    assert.match(outcome.message, /\(redacted\)/);
  }
});

test('transport trouble is trouble: a provider that never answers is bounded by the timeout', async (t) => {
  const { p, svc } = await setup(t, { timeout: 1 });
  p.setMode('dyndns2', { kind: 'hang', times: 1 });
  const started = performance.now();
  const outcome = await send(dyndns2, svc);
  assert.deepEqual(outcome, { kind: 'trouble', message: 'no answer within 1 s' });
  assert.ok(performance.now() - started < 3000);
  // and the next request is answered as usual, for the second host too
  assert.deepEqual(await send(dyndns2, svc, { host: OTHER_HOST }), { kind: 'ok', message: 'good 203.0.113.5' });
});

function pick(o: object, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, (o as Record<string, unknown>)[k]]));
}
