// dyndns2, custom and verify_dns through the shipped bundle (`updyn once`)
// against the test provider and its DNS server on loopback.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startProvider } from '../provider/server';
import { startDnsServer } from '../provider/dns';
import { tempDir } from '../support/env';
import { TOKEN } from '../support/fixtures';
import { Daemon, runUpdyn } from '../support/updyn';

const HOST = 'example.zerigo.com';

/** A service talking to the test provider; `service` adds lines (a later update_url wins, as in UCI). */
async function setup(t: TestContext, service: (url: string) => string) {
  const provider = await startProvider({ accounts: [{ user: 'login@example.com', token: TOKEN, hosts: [HOST] }] });
  t.after(() => provider.stop());
  provider.setCheckipAnswer('ipv4', '203.0.113.5');
  const dir = tempDir(t);
  const conf = join(dir, 'updyn.conf');
  writeFileSync(
    conf,
    `config updyn 'global'\n\toption state_dir '${dir}/state'\n\nconfig service 'home'\n\toption enabled '1'\n\toption username 'login@example.com'\n\toption password '${TOKEN}'\n\tlist host '${HOST}'\n\toption device 'lo'\n\toption ipv6 '0'\n\toption ip_source 'checkip'\n\toption checkip4_url '${provider.url}/checkip4'\n\toption timeout '3'\n\toption update_url '${provider.url}/dynamic'\n${service(provider.url)}`,
    { mode: 0o600 },
  );
  const once = () => runUpdyn(['once', '-c', conf]);
  const daemon = () => {
    // SIGUSR2 right after start: the 10 s limit on signal wake-ups is another test's subject
    const d = new Daemon(['-c', conf], { env: { UPDYN_WAKE_INTERVAL_MS: '0' } });
    t.after(() => d.stop());
    return d;
  };
  const state = () => JSON.parse(readFileSync(join(dir, 'state', 'state.json'), 'utf8')).records[`home/${HOST}/ipv4`];
  return { provider, once, state, daemon };
}

test('dyndns2: good, then nothing (never a nochg on purpose), then a change', async (t) => {
  const { provider, once } = await setup(t, (url) => `\toption protocol 'dyndns2'\n\toption update_url '${url}/nic/update'\n`);
  const first = await once();
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.match(first.stdout, /home example\.zerigo\.com A: updated 203\.0\.113\.5 \(good 203\.0\.113\.5, \d+ ms\)/);
  assert.equal((await once()).code, 0);
  provider.setCheckipAnswer('ipv4', '198.51.100.8');
  assert.equal((await once()).code, 0);
  const sent = provider.requests.filter((r) => r.endpoint === 'dyndns2');
  assert.deepEqual(sent.map((r) => [r.query.hostname, r.query.myip, r.status]), [
    [HOST, '203.0.113.5', 200],
    [HOST, '198.51.100.8', 200],
  ]);
  assert.ok(sent.every((r) => r.auth?.via === 'basic'));
});

test('dyndns2: badauth stops the service and the next run sends nothing', async (t) => {
  const { provider, once } = await setup(t, (url) => `\toption protocol 'dyndns2'\n\toption update_url '${url}/nic/update'\n\toption password 'wrong-token-123'\n`);
  const r = await once();
  assert.equal(r.code, 1);
  assert.match(r.stderr, /A: rejected by provider \(.*badauth.*\)/);
  assert.equal((await once()).code, 1);
  assert.equal(provider.requests.filter((x) => x.endpoint === 'dyndns2').length, 1);
});

test('dyndns2: 911 waits at least 30 minutes', async (t) => {
  const { provider, once, state } = await setup(t, (url) => `\toption protocol 'dyndns2'\n\toption update_url '${url}/nic/update'\n`);
  provider.setMode('dyndns2', { kind: 'word', word: '911' });
  const r = await once();
  assert.equal(r.code, 1);
  assert.match(r.stderr, /provider trouble \(.*911.*\); retry in 30 min/);
  assert.ok(state().retry_delay_s >= 1800);
  await once();
  assert.equal(provider.requests.filter((x) => x.endpoint === 'dyndns2').length, 1);
});

test('custom: the template is filled (token URL-encoded), success_pattern decides', async (t) => {
  const tpl = (url: string) =>
    `\toption protocol 'custom'\n\toption update_url '${url}/custom?domain=[DOMAIN]&addr=[IP]&u=[USERNAME]&p=[PASSWORD]'\n\toption success_pattern '^OK '\n`;
  const { provider, once } = await setup(t, tpl);
  const r = await once();
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const [req] = provider.requests.filter((x) => x.endpoint === 'custom');
  assert.equal(req!.query.p, TOKEN);
  assert.equal(req!.query.domain, HOST);
  assert.equal(provider.records.get(HOST)?.A, '203.0.113.5');
  assert.ok(!r.stdout.includes(TOKEN) && !r.stderr.includes(TOKEN));
});

test('custom: a 200 that does not match success_pattern is a rejection', async (t) => {
  const tpl = (url: string) =>
    `\toption protocol 'custom'\n\toption update_url '${url}/custom?domain=[DOMAIN]&addr=[IP]&u=[USERNAME]&p=wrong'\n\toption success_pattern '^OK '\n`;
  const { once } = await setup(t, tpl);
  const r = await once();
  assert.equal(r.code, 1);
  assert.match(r.stderr, /rejected by provider \(HTTP 200, but the answer does not match success_pattern: "ERROR: /);
});

test('verify_dns: after a reboot (no state), DNS already holding the address means nothing is sent', async (t) => {
  const dns = await startDnsServer({ records: new Map([[HOST, { A: '203.0.113.5' }]]) });
  t.after(() => dns.stop());
  const { provider, once, state } = await setup(t, () => `\toption verify_dns '1'\n\toption dns_server '127.0.0.1:${dns.port}'\n`);
  const r = await once();
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /A: DNS already holds 203\.0\.113\.5; counted as registered, nothing sent/);
  assert.equal(provider.requests.filter((x) => x.endpoint === 'update').length, 0);
  assert.equal(state().registered, '203.0.113.5');
  assert.equal(state().last_message, 'matched DNS');
  assert.deepEqual(dns.queries.map((q) => [q.name, q.type]), [[HOST, 'A']]);
  // a confirmed registration is never second-guessed: the next run does not ask DNS
  await once();
  assert.equal(dns.queries.length, 1);
});

test('verify_dns: DNS holding another address, or not answering, means the update is sent', async (t) => {
  const dns = await startDnsServer({ records: new Map([[HOST, { A: '198.51.100.1' }]]) });
  t.after(() => dns.stop());
  const { provider, once } = await setup(t, () => `\toption verify_dns '1'\n\toption dns_server '127.0.0.1:${dns.port}'\n`);
  const r = await once();
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /A: DNS holds 198\.51\.100\.1; an update is needed/);
  assert.equal(provider.records.get(HOST)?.A, '203.0.113.5');

  const silent = await startDnsServer({ records: new Map() });
  t.after(() => silent.stop());
  silent.setMode('drop');
  const s2 = await setup(t, () => `\toption verify_dns '1'\n\toption dns_server '127.0.0.1:${silent.port}'\n`);
  const r2 = await s2.once();
  assert.equal(r2.code, 0, r2.stdout + r2.stderr);
  assert.match(r2.stderr, /A: DNS check failed \(no answer within 3 s\); sending the update/);
  assert.equal(s2.provider.records.get(HOST)?.A, '203.0.113.5');
});

test('verify_dns in the daemon: the first address is checked against DNS before anything is sent', async (t) => {
  const dns = await startDnsServer({ records: new Map([[HOST, { A: '203.0.113.5' }]]) });
  t.after(() => dns.stop());
  const { provider, daemon, state } = await setup(t, () => `\toption verify_dns '1'\n\toption dns_server '127.0.0.1:${dns.port}'\n`);
  const d = daemon();
  await d.waitFor(/A: DNS already holds 203\.0\.113\.5; counted as registered, nothing sent/);
  // a later change is sent without asking DNS again (the record has a registration now)
  provider.setCheckipAnswer('ipv4', '198.51.100.9');
  d.signal('SIGUSR2');
  const [u] = await provider.waitForRequests(1, 10_000, (r) => r.endpoint === 'update');
  assert.equal(u!.ip, '198.51.100.9');
  assert.equal(dns.queries.length, 1);
  await d.stop();
  assert.equal(state().registered, '198.51.100.9');
});
