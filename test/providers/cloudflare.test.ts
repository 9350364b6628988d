// protocol 'cloudflare' against the test provider's Cloudflare API stand-in, over
// real loopback sockets: zone and record lookup, PATCH or POST, and every fault.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { cloudflare } from '../../src/providers/cloudflare';
import { providerFor } from '../../src/providers';
import { startProvider } from '../provider/server';
import { send, service, TOKEN } from './helpers';

const HOST = 'home.example.com';

async function setup(t: TestContext, over: Parameters<typeof service>[0] = {}) {
  const p = await startProvider();
  t.after(() => p.stop());
  p.cloudflare.addZone('example.com');
  p.cloudflare.addZone('other.example.org');
  p.cloudflare.addToken({ token: TOKEN, zones: ['example.com'] });
  const svc = service({ protocol: 'cloudflare', update_url: `${p.url}/client/v4`, username: '', ttl: 1, timeout: 3, ...over });
  const cf = () => p.requests.filter((r) => r.endpoint === 'cloudflare');
  return { p, svc, cf };
}

test('the registry knows cloudflare', () => {
  assert.equal(providerFor('cloudflare'), cloudflare);
});

test('an existing record is PATCHed with its new content only: its TTL and proxy setting stay', async (t) => {
  const { p, svc, cf } = await setup(t);
  const rec = p.cloudflare.addRecord({ zone: 'example.com', type: 'A', name: HOST, content: '198.51.100.1', ttl: 120, proxied: true });
  assert.deepEqual(await send(cloudflare, svc, { host: HOST }), { kind: 'ok', message: 'Cloudflare A updated in zone example.com' });
  assert.deepEqual(p.cloudflare.records.get(rec.id), { ...rec, content: '203.0.113.5' });
  const calls = cf().map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(calls.map((c) => c.replace(/[0-9a-f]{32}/g, 'ID')), [
    'GET /client/v4/zones?name=home.example.com',
    'GET /client/v4/zones?name=example.com',
    'GET /client/v4/zones/ID/dns_records?type=A&name=home.example.com',
    'PATCH /client/v4/zones/ID/dns_records/ID',
  ]);
  assert.deepEqual(JSON.parse(cf()[3]!.body!), { content: '203.0.113.5' });
  assert.equal(cf()[0]!.headers.authorization, `Bearer ${TOKEN}`);
});

test('a missing record is created with POST, with the ttl and proxied options; an AAAA over IPv6 too', async (t) => {
  const { p, svc, cf } = await setup(t, { ttl: 300, proxied: false, zone: 'example.com' });
  assert.equal((await send(cloudflare, svc, { host: HOST })).kind, 'ok');
  const v6 = { ...svc, update_url: `${p.url6}/client/v4` };
  assert.equal((await send(cloudflare, v6, { host: HOST, family: 'ipv6', address: '2001:db8::5' })).kind, 'ok');
  assert.deepEqual(p.cloudflare.find(HOST, 'A').map((r) => [r.content, r.ttl, r.proxied]), [['203.0.113.5', 300, false]]);
  assert.deepEqual(p.cloudflare.find(HOST, 'AAAA').map((r) => r.content), ['2001:db8::5']);
  // with the zone option, no zone search beyond the zone itself
  assert.equal(cf().filter((r) => r.path.startsWith('/client/v4/zones?')).length, 2);
  assert.deepEqual(JSON.parse(cf().find((r) => r.method === 'POST')!.body!), { type: 'A', name: HOST, content: '203.0.113.5', ttl: 300, proxied: false });
});

test('a record that already holds the address is not written', async (t) => {
  const { p, svc, cf } = await setup(t);
  p.cloudflare.addRecord({ zone: 'example.com', type: 'A', name: HOST, content: '203.0.113.5', ttl: 1, proxied: false });
  assert.deepEqual(await send(cloudflare, svc, { host: HOST }), { kind: 'ok', message: 'Cloudflare A already 203.0.113.5' });
  assert.equal(cf().filter((r) => r.method !== 'GET').length, 0);
});

test('a wrong token (9109), a token without DNS Edit (10000) and a malformed header (6003) stop the whole service', async (t) => {
  const { p, svc } = await setup(t);
  const wrong = await send(cloudflare, { ...svc, password: 'Wr0ngToken-abcdef123456' }, { host: HOST });
  assert.deepEqual(wrong, { kind: 'rejected', reach: 'service', message: 'HTTP 403: the API token is refused: 9109 "Invalid access token"' });
  p.cloudflare.addToken({ token: 'ReadOnly-0123456789abcdef', zones: ['example.com'], edit: false });
  const ro = await send(cloudflare, { ...svc, password: 'ReadOnly-0123456789abcdef' }, { host: HOST });
  assert.deepEqual(ro, { kind: 'rejected', reach: 'service', message: 'HTTP 403: the API token is refused: 10000 "Authentication error"' });
  const bad = await send(cloudflare, { ...svc, password: 'has spaces in it' }, { host: HOST });
  assert.equal(bad.kind === 'rejected' && bad.reach, 'service', JSON.stringify(bad));
  assert.match(bad.message, /^HTTP 400: the API token is refused: 6003/);
});

test('no zone for the host, or a host outside the zone option, stops that host', async (t) => {
  const { svc } = await setup(t);
  assert.deepEqual(await send(cloudflare, svc, { host: 'home.example.net' }), {
    kind: 'rejected',
    reach: 'host',
    message: 'Cloudflare: no zone holding home.example.net is visible to this token',
  });
  assert.deepEqual(await send(cloudflare, { ...svc, zone: 'example.com' }, { host: 'a.example.net' }), {
    kind: 'rejected',
    reach: 'host',
    message: 'a.example.net is not inside zone example.com',
  });
  // a zone that exists but that this token may not see is the same as none
  assert.equal((await send(cloudflare, svc, { host: 'x.other.example.org' })).kind, 'rejected');
});

test('429 and 5xx are trouble; an answer that is not the API envelope is never a success', async (t) => {
  const { p, svc } = await setup(t);
  for (const status of [429, 500, 502, 503]) {
    p.setMode('cloudflare', { kind: 'status', status, body: JSON.stringify({ success: false, errors: [{ code: 10013, message: 'busy' }] }), times: 1 });
    const o = await send(cloudflare, svc, { host: HOST });
    assert.deepEqual(o, { kind: 'trouble', message: `HTTP ${status}: 10013 "busy"` });
  }
  p.setMode('cloudflare', { kind: 'word', word: '<html>gateway</html>', times: 1 });
  assert.equal((await send(cloudflare, svc, { host: HOST })).kind, 'trouble');
  p.setMode('cloudflare', { kind: 'hang', times: 1 });
  assert.deepEqual(await send(cloudflare, { ...svc, timeout: 1 }, { host: HOST }), { kind: 'trouble', message: 'no answer within 1 s' });
  p.setMode('cloudflare', { kind: 'redirect', location: 'http://192.0.2.1/', times: 1 });
  assert.equal((await send(cloudflare, svc, { host: HOST })).kind, 'rejected');
});

test('an error that echoes the token shows it nowhere', async (t) => {
  const { p, svc } = await setup(t);
  const echo = JSON.stringify({ success: false, errors: [{ code: 1004, message: `bad token ${TOKEN} / Bearer ${TOKEN} / ${Buffer.from(TOKEN).toString('base64')}` }] });
  for (const status of [400, 403, 500]) {
    p.setMode('cloudflare', { kind: 'status', status, body: echo, times: 1 });
    const o = await send(cloudflare, svc, { host: HOST }); // send() asserts no secret
    assert.ok(!o.message.includes(Buffer.from(TOKEN).toString('base64')), o.message);
    assert.match(o.message, /\(redacted\)/);
  }
});

test('several records of one name and type are refused, not guessed at', async (t) => {
  const { p, svc, cf } = await setup(t);
  for (const c of ['198.51.100.1', '198.51.100.2']) p.cloudflare.addRecord({ zone: 'example.com', type: 'A', name: HOST, content: c, ttl: 1, proxied: false });
  const o = await send(cloudflare, svc, { host: HOST });
  assert.equal(o.kind === 'rejected' && o.reach, 'record');
  assert.equal(cf().filter((r) => r.method !== 'GET').length, 0);
});
