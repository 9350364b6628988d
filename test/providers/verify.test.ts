// verify_dns against the test provider's DNS server on loopback: what a record
// whose registration the state does not know learns from DNS, in bounded time.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { verifyDns } from '../../src/detect/dns';
import { MATCHED_DNS } from '../../src/engine/messages';
import { RecordMachine, freshMemory } from '../../src/engine/record';
import { dyndns2 } from '../../src/providers/dyndns2';
import { startDnsServer, type DnsServerOptions } from '../provider/dns';
import type { RecordSet } from '../provider/server';
import { HOST, providerWith, send, service } from './helpers';

const RECORDS = new Map<string, RecordSet>([
  [HOST, { A: '203.0.113.5', AAAA: '2001:db8::5' }],
  ['v4only.example.com', { A: '203.0.113.5' }],
]);

async function dnsFor(t: TestContext, opts: Partial<DnsServerOptions> = {}) {
  const server = await startDnsServer({ host: '127.0.0.1', records: RECORDS, ...opts });
  t.after(() => server.stop());
  const at = server.host.includes(':') ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
  return { server, at };
}

const ask = (server: string, over: Partial<Parameters<typeof verifyDns>[0]> = {}) =>
  verifyDns({ host: HOST, family: 'ipv4', address: '203.0.113.5', server, timeoutMs: 2000, ...over });

test('DNS holding the current address is a match, for A and AAAA, whatever the spelling', async (t) => {
  const { server, at } = await dnsFor(t);
  assert.deepEqual(await ask(at), { kind: 'match' });
  assert.deepEqual(await ask(at, { family: 'ipv6', address: '2001:DB8:0::5' }), { kind: 'match' });
  assert.deepEqual(server.queries, [
    { name: HOST, type: 'A' },
    { name: HOST, type: 'AAAA' },
  ]);
});

test('DNS holding another address differs, and says what it found', async (t) => {
  const { at } = await dnsFor(t);
  assert.deepEqual(await ask(at, { address: '203.0.113.6' }), { kind: 'differs', found: ['203.0.113.5'] });
  assert.deepEqual(await ask(at, { family: 'ipv6', address: '2001:db8::6' }), { kind: 'differs', found: ['2001:db8::5'] });
});

test('an unknown name (NXDOMAIN) or a missing record type differs with nothing found: DNS answered', async (t) => {
  const { at } = await dnsFor(t);
  assert.deepEqual(await ask(at, { host: 'nowhere.example.com' }), { kind: 'differs', found: [] });
  assert.deepEqual(await ask(at, { host: 'v4only.example.com', family: 'ipv6', address: '2001:db8::5' }), { kind: 'differs', found: [] });
});

test('SERVFAIL fails, with the reason', async (t) => {
  const { server, at } = await dnsFor(t);
  server.setMode('servfail');
  assert.deepEqual(await ask(at), { kind: 'failed', message: 'the DNS server failed (SERVFAIL)' });
});

test('a server that never answers fails within the timeout', async (t) => {
  const { server, at } = await dnsFor(t);
  server.setMode('drop');
  const started = performance.now();
  const check = await ask(at, { timeoutMs: 600 });
  const took = performance.now() - started;
  assert.deepEqual(check, { kind: 'failed', message: 'no answer within 0.6 s' });
  assert.ok(took >= 200 && took < 1500, `took ${Math.round(took)} ms`);
  assert.ok(server.queries.length >= 1, 'it did ask');
});

test('an IPv6 server is given as [::1]:port', async (t) => {
  const { at } = await dnsFor(t, { host: '::1' });
  assert.equal(at.startsWith('[::1]:'), true);
  assert.deepEqual(await ask(at), { kind: 'match' });
});

test('a bad dns_server or address fails at once, and nothing throws', async () => {
  assert.deepEqual(await ask('dns.example.com'), { kind: 'failed', message: 'dns_server must be an IP address, IPv4:port or [IPv6]:port' });
  assert.deepEqual(await ask('127.0.0.1:9', { address: '2001:db8::5' }), { kind: 'failed', message: 'not an IPv4 address' });
});

test('what a dyndns2 update sets, DNS then confirms', async (t) => {
  const p = await providerWith(t);
  const { at } = await dnsFor(t, { records: p.records });
  assert.deepEqual(await ask(at), { kind: 'differs', found: [] });
  const svc = service({ protocol: 'dyndns2', update_url: `${p.url}/nic/update` });
  assert.equal((await send(dyndns2, svc)).kind, 'ok');
  assert.deepEqual(await ask(at), { kind: 'match' });
});

test('a DNS match registers a record the state knows nothing of, with "matched DNS"; a confirmed one is never second-guessed', () => {
  const policy = { forceIntervalMs: 86_400_000, random: () => 0.5 };
  const m = new RecordMachine(freshMemory(0, policy), policy);
  m.memory.trouble = { failures: 1, at: 500, delay: 60_000, address: '203.0.113.5', message: 'no answer within 10 s' };
  m.observe('203.0.113.5', 'interface');
  assert.equal(m.adopt('203.0.113.5', 1000, MATCHED_DNS), true);
  const mem = m.memory;
  assert.deepEqual([mem.registered, mem.registeredAt, mem.lastMessage, mem.trouble], ['203.0.113.5', 1000, MATCHED_DNS, null]);
  // adopted means registered: nothing left to send (or retry) until the refresh
  assert.deepEqual(m.decide(1000), { kind: 'wait', at: m.refreshAt(), why: 'refresh' });
  // a confirmed registration is never second-guessed
  const confirmed = new RecordMachine({ ...freshMemory(0, policy), registered: '203.0.113.4', registeredAt: 10 }, policy);
  assert.equal(confirmed.adopt('203.0.113.5', 1000, MATCHED_DNS), false);
  assert.equal(confirmed.memory.registered, '203.0.113.4');
});
